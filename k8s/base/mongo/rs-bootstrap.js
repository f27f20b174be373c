// One pass of the replica-set bootstrap, run by the `bootstrap` sidecar of every member
// (bootstrap.sh: `mongosh --nodb rs-bootstrap.js`, under a deadline, again within seconds
// while something is left to do). Safe to run any number of times on any member: it only
// acts when rs-decide.js says so.
//
//  1. The set: member 0 initiates rs0 with itself when no member has a config; every other
//     member, and any member the set does not list (scaled up, or removed earlier), asks the
//     primary to add it.
//  2. On the primary: create the game's users (readWrite on its database, nothing else), or
//     bring their passwords and roles back to what the Secret says: the one the web pods use
//     now, and the next one, which they move to at the next password change (so that its
//     password is on every member before any web pod uses it: docs/credentials.md).
//  3. On the primary: remove members whose pods are gone for good (scaled down), once this
//     sidecar has seen them gone for a minute (its sightings last from pass to pass in STATE_DIR).
//  4. On every member: check that the game's users log in here, and say so in READY_FILE
//     (the sidecar's readiness probe): a member is 2/2 ready only when the game can use it.
//
// Exits 0 when there is nothing left to do, 1 to be run again soon.

// Next to this file: /scripts in the pod, k8s/base/mongo in the tests.
load(`${typeof __dirname === 'string' ? __dirname : '/scripts'}/rs-decide.js`);
const fs = require('fs');

const env = process.env;
const podName = env.POD_NAME;
const setName = env.MONGO_REPLICA_SET;
const port = Number(env.MONGO_PORT || 27017);
const appDatabase = env.APP_DATABASE;
// The game's user gets one role on its own database (readWrite in the manifests). Empty only
// in the tests against FerretDB, which keeps no roles.
const appRoles = env.APP_ROLE ? [{ role: env.APP_ROLE, db: appDatabase }] : [];
const local = `127.0.0.1:${port}`;
const names = { statefulSet: podStatefulSet(podName), service: env.MONGO_SERVICE, namespace: env.POD_NAMESPACE, port };
const ordinal = podOrdinal(podName);
const selfHost = memberHost(names, ordinal);
// Where one pass leaves its sightings for the next (an emptyDir in the pod).
const sightingsFile = `${env.STATE_DIR || '/tmp'}/members-without-pod.json`;
// Every call below has a time limit, so a member that accepts a connection and then says
// nothing cannot stall the pass (bootstrap.sh puts a deadline on the whole pass as well).
const LIMITS = 'serverSelectionTimeoutMS=3000&connectTimeoutMS=3000&socketTimeoutMS=15000';

function log(message) {
  print(`rs-bootstrap ${podName}: ${message}`);
}

/**
 * The game's users, read from the mounted Secret at every pass: the kubelet updates the files
 * in place when the Secret changes, so a new password is applied without a restart. The one
 * the web pods use (username, password) and, where the Secret has one, the next one
 * (next-username, next-password); [{ user, password }], the one in use first.
 */
function appCredentials() {
  const dir = env.APP_SECRET_DIR;
  const read = (name) => fs.readFileSync(`${dir}/${name}`, 'utf8');
  const users = [{ user: read('username'), password: read('password') }];
  if (fs.existsSync(`${dir}/next-username`)) {
    const next = { user: read('next-username'), password: read('next-password') };
    if (next.user !== users[0].user) users.push(next);
  }
  return users;
}

/** What earlier passes saw (decideMembers' sightings), or {} if none or unreadable. */
function readSightings() {
  try {
    return JSON.parse(fs.readFileSync(sightingsFile, 'utf8'));
  } catch (e) {
    return {};
  }
}

/** Keeps sightings for the next pass; null forgets them (this member is not the primary). */
function writeSightings(seen) {
  if (seen === null) fs.rmSync(sightingsFile, { force: true });
  else fs.writeFileSync(sightingsFile, JSON.stringify(seen));
}

/** Writes or removes the readiness file of the bootstrap container. */
function setReady(ready, reason) {
  if (ready) fs.writeFileSync(env.READY_FILE, `${reason}\n`);
  else fs.rmSync(env.READY_FILE, { force: true });
}

// mongosh runs database calls asynchronously and awaits them in statements, not in `return`:
// below, results are assigned first so that the surrounding try/catch/finally sees them.

/** A direct connection to one member; throws if it does not answer. */
function connectTo(host) {
  const conn = new Mongo(`mongodb://${host}/?directConnection=true&${LIMITS}`);
  return conn;
}

/**
 * What a member answers to hello (no credentials needed): { hello } or { hello: null,
 * answer: NO_SUCH_POD } when its name does not resolve, { hello: null, answer: NO_ANSWER }
 * otherwise.
 */
function observe(host) {
  let conn;
  try {
    conn = connectTo(host);
    const reply = conn.getDB('admin').runCommand({ hello: 1 });
    return { host, hello: reply };
  } catch (e) {
    const noName = /ENOTFOUND/.test(`${e.message} ${e.cause && e.cause.code}`);
    return { host, hello: null, answer: noName ? NO_SUCH_POD : NO_ANSWER };
  } finally {
    if (conn) conn.close();
  }
}

/** A connection to host authenticated as root; throws if that fails. */
function rootConnection(host) {
  const conn = connectTo(host);
  conn.getDB('admin').auth(env.ROOT_USER, env.ROOT_PASSWORD);
  return conn;
}

/** Runs fn(admin database of host, as root) and closes the connection. */
function asRoot(host, fn) {
  const conn = rootConnection(host);
  try {
    const result = fn(conn.getDB('admin'));
    return result;
  } finally {
    conn.close();
  }
}

/** Whether the game's user logs in on this member with the Secret's password. */
function appPasswordWorks(app) {
  let conn;
  try {
    conn = connectTo(local);
    conn.getDB(appDatabase).auth(app.user, app.password);
    return true;
  } catch (e) {
    return false;
  } finally {
    if (conn) conn.close();
  }
}

/** The peers' answers, by ordinal, as far as askNextPeer goes (a set has at most 50 members). */
function askPeers() {
  const peers = [];
  for (let i = 0; i < 50 && (i <= ordinal || askNextPeer(peers.filter((p) => p.ordinal > ordinal))); i++) {
    if (i !== ordinal) peers.push(Object.assign({ ordinal: i }, observe(memberHost(names, i))));
  }
  return peers;
}

/** This member's hello once it is a working member, polled for up to `seconds`. */
function helloWhenWorking(seconds) {
  let seen = observe(local);
  for (let waited = 0; waited < seconds * 2 && !isWorkingMember(seen.hello, setName); waited++) {
    sleep(500);
    seen = observe(local);
  }
  return seen.hello;
}

/**
 * Has the primary add this member (admin: the primary's admin database as root); returns the
 * new config's version, or null when the config lists the member already.
 */
function addSelf(admin) {
  const config = admin.runCommand({ replSetGetConfig: 1 }).config;
  const next = configWithMember(config, selfHost);
  if (!next) return null;
  admin.runCommand({ replSetReconfig: next, maxTimeMS: 20000 });
  return next.version;
}

/** Step 1; returns this member's hello once it is in the set, or null (run again soon). */
function replicaSetStep(self) {
  const peers = inSomeSet(self) ? [] : askPeers();
  const decision = decideReplicaSet({ ordinal, self, selfHost, peers, setName });
  if (decision.action !== 'none') log(`replica set: ${decision.action}: ${decision.reason}`);
  if (decision.action === 'initiate') {
    asRoot(local, (admin) => admin.runCommand({ replSetInitiate: initiateConfig(setName, selfHost) }));
    log(`initiated ${setName} with ${selfHost}; the other members add themselves`);
    return helloWhenWorking(15); // a set of one elects itself within a few seconds
  }
  if (decision.action === 'join') {
    const version = asRoot(decision.primary, addSelf);
    if (version) log(`${decision.primary} added ${selfHost} (config version ${version})`);
    return null; // the config reaches this member with the primary's next heartbeats
  }
  return decision.action === 'none' ? self : null;
}

/** Step 2 for one user, with admin the primary's admin database as root; returns true if it wrote it. */
function appUserStep(admin, self, app, passwordWorks) {
  const db = admin.getSiblingDB(appDatabase);
  const usersInfo = db.runCommand({ usersInfo: { user: app.user, db: appDatabase } });
  const decision = decideAppUser({ self, setName, usersInfo, passwordWorks, roles: appRoles });
  if (decision.action === 'none') return false;
  log(`user ${app.user}: ${decision.action}: ${decision.reason}`);
  const majority = { w: 'majority', wtimeout: 10000 };
  if (decision.action === 'create') {
    db.runCommand({ createUser: app.user, pwd: app.password, roles: appRoles, writeConcern: majority });
  } else if (decision.action === 'update') {
    db.runCommand({ updateUser: app.user, pwd: app.password, roles: appRoles, writeConcern: majority });
  }
  return decision.action !== 'error';
}

/** Step 3, with admin the primary's admin database as root; returns true while a member is about to leave. */
function membersStep(admin) {
  let status;
  try {
    status = admin.runCommand({ replSetGetStatus: 1 });
  } catch (e) {
    if (e.code === 59) return false; // CommandNotFound: FerretDB (the tests' server), one member
    throw e;
  }
  // No database call inside array callbacks: mongosh awaits them only in statements.
  const noPod = [];
  for (const member of status.members) {
    if (member.self || member.health !== 0) continue;
    const seen = observe(member.name);
    if (seen.answer === NO_SUCH_POD) noPod.push(member.name);
  }
  const config = admin.runCommand({ replSetGetConfig: 1 }).config;
  const decision = decideMembers({ status, config, noPod, seen: readSightings() });
  writeSightings(decision.seen);
  if (decision.action === 'none') return false;
  log(`members: ${decision.action}: ${decision.reason}`);
  if (decision.action === 'remove') {
    admin.runCommand({ replSetReconfig: decision.config, maxTimeMS: 20000 });
    log(`removed ${decision.host} (config version ${decision.config.version})`);
  }
  return true;
}

/**
 * Steps 2 to 4 on a member of the set; returns { ready, changing }. On the primary, steps 2
 * and 3 share one connection as root.
 */
function memberSteps(self, users) {
  const passwordWorks = {};
  for (const app of users) passwordWorks[app.user] = appPasswordWorks(app);
  let changing = false;
  if (isPrimary(self, setName)) {
    const conn = rootConnection(local);
    try {
      const admin = conn.getDB('admin');
      for (const app of users) {
        const wrote = appUserStep(admin, self, app, passwordWorks[app.user]);
        if (wrote) passwordWorks[app.user] = appPasswordWorks(app);
      }
      changing = membersStep(admin);
    } finally {
      conn.close();
    }
  } else {
    writeSightings(null); // a primary again later starts counting afresh
  }
  const ready = decideReady({ self, setName, passwordWorks });
  setReady(ready.ready, ready.reason);
  if (!ready.ready) log(`not ready: ${ready.reason}`);
  return { ready: ready.ready, changing };
}

/** One pass; exits 0 when there is nothing left to do, 1 to be run again soon. */
function pass() {
  // Failed commands throw (mongosh raises MongoServerError for ok: 0); the pass then ends with 1.
  let done = false;
  try {
    const users = appCredentials();
    const seen = observe(local);
    if (!seen.hello) {
      log(`mongod on ${local} does not answer yet`);
    } else {
      const self = replicaSetStep(seen.hello);
      if (!self) {
        setReady(false);
      } else {
        const outcome = memberSteps(self, users);
        done = outcome.ready && !outcome.changing;
      }
    }
  } catch (e) {
    log(`error: ${e.message}`);
  }
  quit(done ? 0 : 1);
}

// The tests load this file with RS_BOOTSTRAP_NO_PASS=1 to call its functions one by one.
if (!env.RS_BOOTSTRAP_NO_PASS) pass();
