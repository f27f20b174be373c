// One pass of the replica-set bootstrap, run by the `bootstrap` sidecar of every member
// (`mongosh --nodb rs-bootstrap.js`, repeated every minute, every 5 s after a failed pass).
// Safe to run any number of times on any member: it only acts when rs-decide.js says so.
//
//  1. Initiate rs0 with all members: member 0 only, only when no member has a config yet.
//  2. On the primary: create the game's user (readWrite on its database, nothing else), or
//     bring its password and roles back to what the Secret says.
//
// Exits 0 when there is nothing left to do, 1 to be run again soon.

// Next to this file: /scripts in the pod, k8s/base/mongo in the tests.
load(`${typeof __dirname === 'string' ? __dirname : '/scripts'}/rs-decide.js`);

const env = process.env;
const podName = env.POD_NAME;
const setName = env.MONGO_REPLICA_SET;
const port = Number(env.MONGO_PORT || 27017);
const appDatabase = env.APP_DATABASE;
// The game's user gets one role on its own database (readWrite in the manifests). Empty only
// in the tests against FerretDB, which keeps no roles.
const appRoles = env.APP_ROLE ? [{ role: env.APP_ROLE, db: appDatabase }] : [];
const local = `127.0.0.1:${port}`;

function log(message) {
  print(`rs-bootstrap ${podName}: ${message}`);
}

// mongosh runs database calls asynchronously and awaits them in statements, not in `return`:
// below, results are assigned first so that the surrounding try/catch/finally sees them.

/** A direct connection to one member, or null if it does not answer. */
function connectTo(host) {
  try {
    const conn = new Mongo(`mongodb://${host}/?directConnection=true&serverSelectionTimeoutMS=3000&connectTimeoutMS=3000`);
    return conn;
  } catch (e) {
    return null;
  }
}

/** The member's hello reply (needs no credentials), or null if it does not answer. */
function helloOf(host) {
  const conn = connectTo(host);
  if (!conn) return null;
  try {
    const reply = conn.getDB('admin').runCommand({ hello: 1 });
    return reply;
  } catch (e) {
    return null;
  } finally {
    conn.close();
  }
}

/** A connection to the local member authenticated as root; throws if that fails. */
function rootConnection() {
  const conn = connectTo(local);
  if (!conn) throw new Error(`mongod on ${local} does not answer`);
  conn.getDB('admin').auth(env.ROOT_USER, env.ROOT_PASSWORD);
  return conn;
}

/** Whether the game's user can log in with the Secret's password. */
function appPasswordWorks() {
  const conn = connectTo(local);
  if (!conn) return false;
  try {
    conn.getDB(appDatabase).auth(env.APP_USER, env.APP_PASSWORD);
    return true;
  } catch (e) {
    return false;
  } finally {
    conn.close();
  }
}

/** Step 1; returns true when the set exists with this member in it. */
function replicaSetStep(self) {
  const ordinal = podOrdinal(podName);
  const hosts = memberHosts({
    statefulSet: podStatefulSet(podName), service: env.MONGO_SERVICE, namespace: env.POD_NAMESPACE,
    members: Number(env.MONGO_MEMBERS), port,
  });
  const peers = [];
  if (typeof self.setName !== 'string') {
    for (let i = 0; i < hosts.length; i++) if (i !== ordinal) peers.push(helloOf(hosts[i]));
  }
  const decision = decideReplicaSet({ ordinal, self, peers, setName });
  if (decision.action !== 'none') log(`replica set: ${decision.action}: ${decision.reason}`);
  if (decision.action === 'initiate') {
    const conn = rootConnection();
    try {
      conn.getDB('admin').runCommand({ replSetInitiate: initiateConfig(setName, hosts) });
      log(`initiated ${setName}: ${hosts.join(', ')}`);
    } finally {
      conn.close();
    }
    return false; // step 2 runs on the next pass, once a primary is elected
  }
  return decision.action === 'none';
}

/** Step 2; returns true unless something failed. */
function appUserStep(self) {
  if (!isPrimary(self, setName)) return true; // users are written on the primary only
  const conn = rootConnection();
  try {
    const db = conn.getDB(appDatabase);
    const usersInfo = db.runCommand({ usersInfo: { user: env.APP_USER, db: appDatabase } });
    const decision = decideAppUser({ self, setName, usersInfo, passwordWorks: appPasswordWorks(), roles: appRoles });
    if (decision.action === 'none') return true;
    log(`user ${env.APP_USER}: ${decision.action}: ${decision.reason}`);
    const majority = { w: 'majority', wtimeout: 10000 };
    if (decision.action === 'create') {
      db.runCommand({ createUser: env.APP_USER, pwd: env.APP_PASSWORD, roles: appRoles, writeConcern: majority });
    } else if (decision.action === 'update') {
      db.runCommand({ updateUser: env.APP_USER, pwd: env.APP_PASSWORD, roles: appRoles, writeConcern: majority });
    }
    return decision.action !== 'error';
  } finally {
    conn.close();
  }
}

// Failed commands throw (mongosh raises MongoServerError for ok: 0); the pass then ends with 1.
let done = false;
try {
  const self = helloOf(local);
  if (!self) log(`mongod on ${local} does not answer yet`);
  else done = replicaSetStep(self) && appUserStep(self);
} catch (e) {
  log(`error: ${e.message}`);
}
quit(done ? 0 : 1);
