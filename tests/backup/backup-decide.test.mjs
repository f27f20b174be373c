// Which member a backup quiesces (k8s/components/backup-hook/backup-decide.js), against
// MongoDB's replSetGetStatus replies (here and in tests/k8s/replies/). Run: node --test tests/backup/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const root = new URL('../../', import.meta.url);
// Evaluated as mongosh evaluates it in backup-hook.sh: a plain script whose functions are globals.
const decide = vm.createContext({});
vm.runInContext(readFileSync(new URL('k8s/components/backup-hook/backup-decide.js', root), 'utf8'), decide,
  { filename: 'backup-decide.js' });
const plain = (value) => JSON.parse(JSON.stringify(value));
const reply = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
const healthy = reply('tests/backup/replies/replSetGetStatus-healthy.json');
const onMongo2 = reply('tests/backup/replies/replSetGetStatus-healthy-on-mongo-2.json');
const noPrimary = reply('tests/backup/replies/replSetGetStatus-no-primary.json');
const memberDown = reply('tests/k8s/replies/replSetGetStatus-member-down.json');
const scaledDown = reply('tests/k8s/replies/replSetGetStatus-scaled-down.json');
const host = (i) => `mongo-${i}.mongo.pacman.svc:27017`;

test('a healthy set: the secondary with the highest _id, never the primary', () => {
  const choice = plain(decide.chooseSnapshotMember(healthy));
  assert.equal(choice.member, host(2));
  assert.equal(choice.pod, 'mongo-2');
  assert.equal(choice.primary, host(0));
  assert.match(choice.reason, /mongo-2 is a healthy secondary; the primary mongo-0 and 1 other member/);
});

test('every member asked at the same moment names the same one', () => {
  assert.equal(decide.chooseSnapshotMember(onMongo2).member, decide.chooseSnapshotMember(healthy).member);
});

test('per-pod hooks: only the chosen member locks itself', () => {
  assert.deepEqual(plain(decide.decideFreeze(healthy, host(0))),
    { action: 'skip', reason: 'nothing locked here: mongo-2 is the member quiesced for the snapshot' });
  assert.equal(decide.decideFreeze(healthy, host(1)).action, 'skip');
  assert.equal(decide.decideFreeze(onMongo2, host(2)).action, 'lock');
});

test('one member of three down: locking another would hold every majority write, so none', () => {
  const choice = plain(decide.chooseSnapshotMember(memberDown));
  assert.equal(choice.member, null);
  assert.match(choice.reason, /majority writes need 2 healthy members and 2 are \(mongo-2 \(\(not reachable\/healthy\)\) not\)/);
  for (const i of [0, 1, 2]) {
    assert.equal(decide.decideFreeze(memberDown, host(i)).action, 'skip');
  }
});

test('no primary (an election under way): none, try again', () => {
  const choice = plain(decide.chooseSnapshotMember(noPrimary));
  assert.equal(choice.member, null);
  assert.match(choice.reason, /no primary right now/);
});

test('five members of which two are gone (scaled down, not yet removed): no spare secondary', () => {
  // writeMajorityCount 3 of 5 voting; 3 healthy: locking one leaves 2.
  assert.equal(scaledDown.writeMajorityCount, 3);
  assert.equal(decide.chooseSnapshotMember(scaledDown).member, null);
});

test('a failed replSetGetStatus (FerretDB, a member without a config) names no member', () => {
  const choice = plain(decide.chooseSnapshotMember({ ok: 0, errmsg: 'no such command: replSetGetStatus' }));
  assert.equal(choice.member, null);
  assert.match(choice.reason, /replSetGetStatus failed: no such command/);
  assert.equal(decide.decideFreeze({ ok: 0, codeName: 'NotYetInitialized' }, null).action, 'skip');
});
