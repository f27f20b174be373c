// Which member of the replica set a backup quiesces, decided from one member's
// replSetGetStatus reply. Plain functions, no I/O: backup-hook.sh loads this file into mongosh,
// and tests/backup/backup-decide.test.mjs into node with MongoDB's replies.
//
// A volume snapshot of a member is consistent when that member is quiesced while the snapshot is
// cut: db.fsyncLock() flushes every write to its data files and blocks writes on it until
// db.fsyncUnlock() (MongoDB, "Back Up and Restore with Filesystem Snapshots"). On a secondary
// that blocks only its own replication: the primary keeps taking the game's writes, which need
// a majority of the voting members (writeMajorityCount) to acknowledge them. So the member to
// lock is a secondary that the write majority can do without.

/** replSetGetStatus member states (MongoDB's MemberState). */
var STATE_PRIMARY = 1;
var STATE_SECONDARY = 2;

/** The pod a member's host names ("mongo-2.mongo.pacman.svc:27017" -> "mongo-2"). */
function podOfHost(host) {
  return String(host).split(/[.:]/)[0];
}

/** A member that answers heartbeats and holds data a snapshot can use: the primary or a secondary. */
function isHealthyDataMember(m) {
  return Number(m.health) === 1 && (m.state === STATE_PRIMARY || m.state === STATE_SECONDARY);
}

/**
 * The member to snapshot, from one member's replSetGetStatus reply.
 * Returns { member: "<host:port>" | null, pod: "<pod>" | null, primary: "<host:port>" | null, reason }.
 *
 * The choice is the healthy secondary with the highest member _id, so that every member asked
 * at about the same time names the same one (per-pod hooks run on each member separately:
 * exactly one of them must lock itself). It must leave enough healthy members to acknowledge
 * majority writes: with one of three members down, locking another would stall every score
 * until the unlock, so there is no choice then (member null, the reason says why).
 * Hidden and delayed members are not told apart here: the manifests make none.
 */
function chooseSnapshotMember(status) {
  if (!status || status.ok !== 1 || !Array.isArray(status.members)) {
    return { member: null, pod: null, primary: null, reason: `replSetGetStatus failed: ${status && (status.errmsg || status.codeName)}` };
  }
  const healthy = status.members.filter(isHealthyDataMember);
  const primary = healthy.find((m) => m.state === STATE_PRIMARY);
  const secondaries = healthy.filter((m) => m.state === STATE_SECONDARY).sort((a, b) => Number(b._id) - Number(a._id));
  const base = { member: null, pod: null, primary: primary ? primary.name : null };
  if (!primary) return Object.assign(base, { reason: 'the set has no primary right now: try again once one is elected' });
  if (secondaries.length === 0) {
    return Object.assign(base, { reason: 'no healthy secondary: locking the primary would stop the game\'s writes' });
  }
  const needed = Number(status.writeMajorityCount || Math.floor(status.members.length / 2) + 1);
  if (healthy.length - 1 < needed) {
    const down = status.members.filter((m) => !isHealthyDataMember(m)).map((m) => `${podOfHost(m.name)} (${m.stateStr})`);
    return Object.assign(base, {
      reason: `majority writes need ${needed} healthy members and ${healthy.length} are (${down.join(', ')} not): ` +
        'locking a secondary now would hold every score until the unlock' });
  }
  const chosen = secondaries[0];
  return Object.assign(base, { member: chosen.name, pod: podOfHost(chosen.name),
    reason: `${podOfHost(chosen.name)} is a healthy secondary; the primary ${podOfHost(primary.name)} and ` +
      `${healthy.length - 2} other member(s) acknowledge writes meanwhile` });
}

/**
 * What a per-pod hook on this member does (Velero's pre hook, Kanister's freeze): lock itself
 * only when it is the chosen member. `selfHost` is this member's host:port as the set lists it
 * (the status member with self: true).
 * Returns { action: 'lock' | 'skip', reason }.
 */
function decideFreeze(status, selfHost) {
  const choice = chooseSnapshotMember(status);
  if (!choice.member) return { action: 'skip', reason: `nothing locked: ${choice.reason}` };
  if (choice.member !== selfHost) {
    return { action: 'skip', reason: `nothing locked here: ${choice.pod} is the member quiesced for the snapshot` };
  }
  return { action: 'lock', reason: choice.reason };
}
