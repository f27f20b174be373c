// The decisions of the replica-set bootstrap, free of I/O: each takes server replies (or
// facts derived from them) and returns what to do and why. rs-bootstrap.js does the talking;
// tests/k8s/rs-decide.test.mjs checks these against recorded replies.
//
// mongosh load()s it as a plain script (its functions become globals); the tests evaluate it
// the same way, in a vm context.

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
 * The members' host:port names, as the replica set config lists them and as clients reach
 * them: <statefulset>-<i>.<service>.<namespace>.svc:<port> for i in 0..members-1.
 */
function memberHosts({ statefulSet, service, namespace, members, port }) {
  const hosts = [];
  for (let i = 0; i < members; i++) hosts.push(`${statefulSet}-${i}.${service}.${namespace}.svc:${port}`);
  return hosts;
}

/** The document for replSetInitiate: every member, equal priority. */
function initiateConfig(setName, hosts) {
  return { _id: setName, members: hosts.map((host, i) => ({ _id: i, host })) };
}

/**
 * Should this member initiate the replica set?
 *   ordinal  this member's ordinal
 *   self     its own hello reply (mongod answers hello without credentials)
 *   peers    the other members' hello replies, null where a member did not answer
 *   setName  the expected set name
 * Returns { action, reason } with action one of:
 *   'none'     the set exists and this member is in it
 *   'wait'     nothing to do yet; ask again later
 *   'initiate' this member initiates the set now (only member 0, only when nobody has a set)
 *   'error'    a state no automatic step should touch (the reason says what to check)
 */
function decideReplicaSet({ ordinal, self, peers, setName }) {
  if (typeof self.setName === 'string') {
    if (self.setName !== setName) {
      return { action: 'error', reason: `this member belongs to set "${self.setName}", expected "${setName}"` };
    }
    return { action: 'none', reason: `already a member of ${setName}` };
  }
  // A reply without isreplicaset comes from mongod started without --replSet: the image's
  // entrypoint creating the root user on a first start. Its mongod restarts shortly.
  if (!self.isreplicaset) return { action: 'wait', reason: 'mongod is not running with --replSet yet' };

  // A member that lost its volume comes back without a config while the others have one: the
  // primary adds it back by itself. Initiating here would start a second, empty set.
  const inSet = peers.findIndex((p) => p && typeof p.setName === 'string');
  if (inSet >= 0) return { action: 'wait', reason: `a peer is already in set "${peers[inSet].setName}"; the primary will add this member` };
  if (ordinal !== 0) return { action: 'wait', reason: 'member 0 initiates the set' };

  const silent = peers.filter((p) => !p).length;
  if (silent > 0) return { action: 'wait', reason: `${silent} peer(s) not answering yet; initiating needs every member` };
  const notReady = peers.findIndex((p) => !p.isreplicaset);
  if (notReady >= 0) return { action: 'wait', reason: 'a peer is not running with --replSet yet' };
  return { action: 'initiate', reason: `no member has a config: initiating ${setName}` };
}

/** True when a hello reply comes from the writable primary of the set named setName. */
function isPrimary(hello, setName) {
  return hello.isWritablePrimary === true && hello.setName === setName;
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
