// The decisions of the replica-set bootstrap, free of I/O: each takes server replies (or
// facts derived from them) and returns what to do and why. rs-bootstrap.js does the talking;
// tests/k8s/rs-decide.test.mjs checks these against MongoDB's replies (tests/k8s/replies/).
//
// mongosh load()s it as a plain script (its functions become globals); the tests evaluate it
// the same way, in a vm context. Constants are `var` so that they, too, become globals.
//
// No member count is configured anywhere: the StatefulSet's ordinals say who may exist, DNS
// says who does (the headless Service publishes a name for every pod, ready or not, and none
// for a pod that is gone), and the set's own config says who is in it. So
// `kubectl scale statefulset mongo --replicas=5` needs nothing else: the new members add
// themselves, and scaling back removes them.

/** A member's pod exists but gave no hello (down, starting, or another process). */
var NO_ANSWER = 'no answer';
/** The member's DNS name does not resolve: its pod does not exist. */
var NO_SUCH_POD = 'no such pod';
/** How long the primary's bootstrap must have seen a member unreachable with no pod, pass after
 * pass, before it removes it: well past CoreDNS's 30 s cache of a "no such name", so a pod being
 * recreated is never taken for gone. Counted from the bootstrap's own sightings, not from the
 * member's lastHeartbeatRecv: a primary that has never heard from a member since it started (all
 * members restarted, or restored from snapshots) reports that as 1970-01-01. */
var REMOVE_AFTER_SECONDS = 60;
/** MongoDB allows at most 7 voting members; members beyond them join without a vote. */
var MAX_VOTING_MEMBERS = 7;
/** A member without a config asks the peers above it until this many in a row give no hello. */
var MISSING_IN_A_ROW = 2;

/** The ordinal of a StatefulSet pod from its name ("mongo-2" -> 2); throws if there is none. */
function podOrdinal(podName) {
  const match = /^(.+)-(\d+)$/.exec(podName || '');
  if (!match) throw new Error(`pod name "${podName}" does not end in -<ordinal>`);
  return Number(match[2]);
}

/** The StatefulSet name a pod belongs to ("mongo-2" -> "mongo"). */
function podStatefulSet(podName) {
  podOrdinal(podName);
  return podName.replace(/-\d+$/, '');
}

/**
 * A member's host:port, as the set's config lists it and as clients reach it:
 * <statefulset>-<ordinal>.<service>.<namespace>.svc:<port>.
 */
function memberHost({ statefulSet, service, namespace, port }, ordinal) {
  return `${statefulSet}-${ordinal}.${service}.${namespace}.svc:${port}`;
}

/**
 * Whether a member without a config, looking for peers, should ask the next ordinal above its
 * own: yes until MISSING_IN_A_ROW names in a row gave no hello. A StatefulSet's ordinals are
 * contiguous, so two names without a pod are the end (one is a pod being recreated right
 * now); two that exist but do not answer already make member 0 wait, so asking further would
 * change nothing. `asked` is what the peers above this member answered so far, in order.
 */
function askNextPeer(asked) {
  let silent = 0;
  for (let i = asked.length - 1; i >= 0 && !asked[i].hello; i--) silent++;
  return silent < MISSING_IN_A_ROW;
}

/** The document for replSetInitiate: member 0 alone; the others add themselves. */
function initiateConfig(setName, host) {
  return { _id: setName, members: [{ _id: 0, host }] };
}

/**
 * Whether a hello reply comes from a member of a set that holds a config it is in. Without
 * one, mongod adds `isreplicaset: true` and an `info`; a member the set removed also names
 * the set (setName) but is in no config (hello-removed.json).
 */
function inSomeSet(hello) {
  return !!hello && typeof hello.setName === 'string' && hello.isreplicaset !== true;
}

/** True when a hello reply comes from the writable primary of the set named setName. */
function isPrimary(hello, setName) {
  return inSomeSet(hello) && hello.isWritablePrimary === true && hello.setName === setName;
}

/** True when a hello reply comes from a working member (primary or secondary) of setName. */
function isWorkingMember(hello, setName) {
  return inSomeSet(hello) && hello.setName === setName && (hello.isWritablePrimary === true || hello.secondary === true);
}

/** Every host a member's hello lists as part of its set (electable, passive, arbiter). */
function listedHosts(hello) {
  return [].concat(hello.hosts || [], hello.passives || [], hello.arbiters || []);
}

/**
 * What this member should do about the replica set.
 *   ordinal   this member's ordinal
 *   self      its own hello reply (mongod answers hello without credentials)
 *   selfHost  its host:port in the set (memberHost)
 *   peers     [{ ordinal, host, hello, answer }]: hello is the reply or null, and then answer
 *             says why (NO_ANSWER or NO_SUCH_POD). Only asked when self has no config.
 *   setName   the expected set name
 * Returns { action, reason } with action one of:
 *   'none'     this member is in the set (whatever its state: the set takes it from there)
 *   'wait'     nothing to do yet; ask again in a few seconds
 *   'initiate' member 0 initiates the set with itself alone (no member has a config)
 *   'join'     ask the primary (returned as `primary`) to add this member
 *   'error'    a state no automatic step should touch (the reason says what to check)
 */
function decideReplicaSet({ ordinal, self, selfHost, peers, setName }) {
  if (inSomeSet(self)) {
    if (self.setName !== setName) {
      return { action: 'error', reason: `this member belongs to set "${self.setName}", expected "${setName}"` };
    }
    return { action: 'none', reason: `already a member of ${setName}` };
  }
  // A reply without isreplicaset comes from mongod started without --replSet: the image's
  // entrypoint creating the root user on a first start. Its mongod restarts shortly.
  if (!self.isreplicaset) return { action: 'wait', reason: 'mongod is not running with --replSet yet' };

  // From here on, self is in no config: a first start, a member new to the set (scaled up),
  // a member the set removed (scaled down, then up again), or one that lost its volume.
  const foreign = peers.find((p) => inSomeSet(p.hello) && p.hello.setName !== setName);
  if (foreign) return { action: 'error', reason: `${foreign.host} belongs to set "${foreign.hello.setName}", expected "${setName}"` };
  const inSet = peers.filter((p) => inSomeSet(p.hello) && p.hello.setName === setName);
  if (inSet.length === 0 && typeof self.setName === 'string') {
    // Its data holds a config of the set that does not list it, and no member of the set
    // answers: data restored into a StatefulSet or namespace of other names (the config names
    // hosts that are not these), or every member removed at once. mongod refuses to initiate
    // over a config; changing the members' names is a forced reconfig for a person to decide.
    return { action: 'error', reason: `this member's data holds a config of set "${self.setName}" that does not list ${selfHost}, ` +
      'and no member of it answers: restored from other host names? (docs/backup-restore.md)' };
  }
  if (inSet.length > 0) {
    // Listed but without a config: the volume was lost, or the config has not reached it yet.
    // The primary's heartbeats bring it; an initiate here would start a second, empty set.
    if (inSet.some((p) => listedHosts(p.hello).includes(selfHost))) {
      return { action: 'wait', reason: `the set lists ${selfHost}: its config arrives with the primary's heartbeats` };
    }
    const primary = inSet.find((p) => p.hello.isWritablePrimary === true);
    const named = primary ? primary.host : inSet.map((p) => p.hello.primary).find((h) => typeof h === 'string');
    if (!named) return { action: 'wait', reason: `${setName} has no primary right now; asking it to add this member later` };
    return { action: 'join', primary: named, reason: `${setName} exists without this member: asking its primary ${named} to add it` };
  }
  if (ordinal !== 0) return { action: 'wait', reason: 'member 0 initiates the set' };

  // Member 0 initiates only when every peer pod that exists answered, without a config:
  // a silent peer may be a member of the set restarting.
  const silent = peers.filter((p) => !p.hello && p.answer !== NO_SUCH_POD);
  if (silent.length > 0) {
    return { action: 'wait', reason: `${silent.map((p) => p.host).join(', ')} exist(s) but do(es) not answer yet` };
  }
  // Nor while a pod below one that answers has no name yet: a StatefulSet's ordinals are
  // contiguous, so that member exists and is not up (Pending: scheduling, or its volume still
  // being restored from a snapshot). It may hold the set's data: a set initiated without it
  // would be a second, empty one.
  const highest = Math.max(-1, ...peers.filter((p) => p.hello || p.answer !== NO_SUCH_POD).map((p) => p.ordinal));
  const gap = peers.filter((p) => p.answer === NO_SUCH_POD && p.ordinal < highest);
  if (gap.length > 0) {
    return { action: 'wait', reason: `${gap.map((p) => p.host).join(', ')} ha(s|ve) no pod yet while member ${highest} has one: waiting for it` };
  }
  const standalone = peers.find((p) => p.hello && !p.hello.isreplicaset);
  if (standalone) return { action: 'wait', reason: `${standalone.host} is not running with --replSet yet` };
  return { action: 'initiate', reason: `no member has a config: initiating ${setName} with ${selfHost}` };
}

/** True when the user document holds exactly the wanted roles, in any order. */
function sameRoles(have, want) {
  const key = (r) => `${r.db}.${r.role}`;
  const a = (have || []).map(key).sort();
  const b = want.map(key).sort();
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/**
 * What to do about the game's database user. Users are written on the primary only.
 *   self           this member's hello reply
 *   setName        the expected set name
 *   usersInfo      the reply to { usersInfo: { user, db } } (asked as root), or null if not asked
 *   passwordWorks  whether the user authenticated with the password from the Secret
 *   roles          the roles the user should have, e.g. [{ role: 'readWrite', db: 'pacman' }]
 * Returns { action, reason } with action one of 'none', 'create', 'update' (password or roles
 * differ from the Secret: the Secret wins), 'error'.
 */
function decideAppUser({ self, setName, usersInfo, passwordWorks, roles }) {
  if (!isPrimary(self, setName)) {
    return { action: 'none', reason: 'not the primary; the primary manages users' };
  }
  if (!usersInfo || usersInfo.ok !== 1 || !Array.isArray(usersInfo.users)) {
    return { action: 'error', reason: `usersInfo failed: ${usersInfo && usersInfo.errmsg}` };
  }
  const user = usersInfo.users[0];
  if (!user) return { action: 'create', reason: 'the user does not exist' };
  if (!passwordWorks) return { action: 'update', reason: 'the password differs from the Secret' };
  if (!sameRoles(user.roles, roles)) return { action: 'update', reason: 'the roles differ' };
  return { action: 'none', reason: 'the user exists with the password and roles wanted' };
}

/**
 * Whether this member is ready for the game: a working member of the set on which the game's
 * users (the one the web pods use now, and the next one, which they move to at the next
 * password change) log in with the Secret's passwords. What the bootstrap container's
 * readiness shows. `passwordWorks` is one boolean, or { user: boolean } for each user.
 */
function decideReady({ self, setName, passwordWorks }) {
  if (!isWorkingMember(self, setName)) return { ready: false, reason: `not a primary or secondary of ${setName} yet` };
  const works = typeof passwordWorks === 'object' && passwordWorks !== null ? passwordWorks : { 'the game\'s user': passwordWorks };
  const failing = Object.keys(works).filter((user) => !works[user]);
  if (failing.length > 0) {
    const who = failing.join(' and ');
    return { ready: false, reason: isPrimary(self, setName)
      ? `${who} does not log in with the Secret's password yet`
      : `${who} does not log in here yet (the primary creates it; it replicates)` };
  }
  const users = Object.keys(works);
  return { ready: true, reason: users.length > 1 ? `${users.join(' and ')} log in here` : 'the game\'s user logs in here' };
}

/** A number from mongosh (number or Long) or from extended JSON ({$numberLong}, {$numberInt}). */
function numberOf(value) {
  if (value && typeof value.toNumber === 'function') return value.toNumber();
  if (value && typeof value === 'object') return Number(value.$numberLong ?? value.$numberInt ?? value.$numberDouble);
  return Number(value);
}

/** Milliseconds since the epoch of a date from mongosh (Date) or from extended JSON ({$date}). */
function millisOf(value) {
  if (value && typeof value.getTime === 'function') return value.getTime();
  if (value && typeof value === 'object' && '$date' in value) return millisOf(value.$date);
  if (typeof value === 'string') return Date.parse(value);
  return numberOf(value);
}

// The two below copy the config shallowly: its other fields (term, settings.replicaSetId) keep
// their BSON types, which replSetReconfig checks.

/** The config with host added as a new member (voting unless 7 members vote already), or null if it is in. */
function configWithMember(config, host) {
  if (config.members.some((m) => m.host === host)) return null;
  const voting = config.members.filter((m) => m.votes === undefined || Number(m.votes) > 0).length;
  const member = { _id: Math.max(-1, ...config.members.map((m) => Number(m._id))) + 1, host };
  if (voting >= MAX_VOTING_MEMBERS) Object.assign(member, { votes: 0, priority: 0 });
  return Object.assign({}, config, { members: config.members.concat([member]), version: numberOf(config.version) + 1 });
}

/** The config without host, version raised. */
function configWithoutMember(config, host) {
  return Object.assign({}, config, { members: config.members.filter((m) => m.host !== host), version: numberOf(config.version) + 1 });
}

/**
 * On the primary: should a member leave the set's config? One whose pod is gone for good
 * (`kubectl scale statefulset mongo --replicas` lower) leaves; one that is only down
 * (restarting, rescheduled, `kubectl delete pod`, or not started yet after a restore) stays,
 * and so keeps its vote for when it is back. A member leaves once this bootstrap has seen it
 * unreachable with no pod behind its name for REMOVE_AFTER_SECONDS, pass after pass, one per
 * reconfig (MongoDB changes one voting member at a time). The primary holds a majority of the
 * current config, so removing an unreachable member never loses it: the remaining config is
 * smaller and the same members answer.
 *   status    the primary's replSetGetStatus reply
 *   config    its replSetGetConfig reply's config
 *   noPod     hosts whose DNS name does not resolve (asked only for unreachable members)
 *   seen      { host: millis } when earlier passes first saw each host unreachable with no pod
 *             ({} on the first pass, or after the bootstrap restarted)
 * Returns { action: 'none' | 'wait' | 'remove', reason, seen, host?, config? }, seen being what
 * to give the next pass: the hosts gone now, since when (status.date's clock, the primary's).
 */
function decideMembers({ status, config, noPod, seen }) {
  const now = millisOf(status.date);
  const down = status.members.filter((m) => !m.self && m.health === 0);
  const gone = down.filter((m) => noPod.includes(m.name));
  const since = {};
  for (const m of gone) since[m.name] = seen && typeof seen[m.name] === 'number' ? Math.min(seen[m.name], now) : now;
  if (gone.length === 0) {
    return { action: 'none', seen: since,
      reason: down.length ? `${down.map((m) => m.name).join(', ')} unreachable, pod(s) still there` : 'every member answers' };
  }
  const seconds = (m) => (now - since[m.name]) / 1000;
  const due = gone.filter((m) => seconds(m) >= REMOVE_AFTER_SECONDS).sort((a, b) => b._id - a._id);
  if (due.length === 0) {
    const m = gone[0];
    return { action: 'wait', seen: since,
      reason: `${m.name} has had no pod for ${Math.round(seconds(m))} s here; it leaves the set after ${REMOVE_AFTER_SECONDS} s` };
  }
  const host = due[0].name;
  return { action: 'remove', host, config: configWithoutMember(config, host), seen: since,
    reason: `${host} has had no pod for ${Math.round(seconds(due[0]))} s (scaled down): removing it from the set` };
}
