// The replica-set bootstrap's decisions (k8s/base/mongo/rs-decide.js) against server replies
// (tests/k8s/replies/). Run: node --test tests/k8s/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const root = new URL('../../', import.meta.url);

// Evaluated as mongosh's load() does: a plain script whose functions become globals.
const decide = vm.createContext({});
vm.runInContext(readFileSync(new URL('k8s/base/mongo/rs-decide.js', root), 'utf8'), decide,
  { filename: 'rs-decide.js' });

// Values made in the vm context have that context's prototypes: compare them as plain data.
const plain = (value) => JSON.parse(JSON.stringify(value));
const reply = (name) => JSON.parse(readFileSync(new URL(`tests/k8s/replies/${name}.json`, root), 'utf8'));
const uninitiated = reply('hello-uninitiated');
const primary = reply('hello-primary');
const secondary = reply('hello-secondary');
const roles = [{ role: 'readWrite', db: 'pacman' }];

test('which member am I: the ordinal and StatefulSet come from the pod name', () => {
  assert.equal(decide.podOrdinal('mongo-0'), 0);
  assert.equal(decide.podOrdinal('my-mongo-12'), 12);
  assert.equal(decide.podStatefulSet('my-mongo-12'), 'my-mongo');
  assert.throws(() => decide.podOrdinal('mongo'), /does not end in -<ordinal>/);
  assert.throws(() => decide.podOrdinal(undefined));
});

test('the config lists every member under its stable DNS name', () => {
  const hosts = decide.memberHosts({ statefulSet: 'mongo', service: 'mongo', namespace: 'pacman', members: 3, port: 27017 });
  assert.deepEqual(plain(hosts), ['mongo-0.mongo.pacman.svc:27017', 'mongo-1.mongo.pacman.svc:27017', 'mongo-2.mongo.pacman.svc:27017']);
  assert.deepEqual(plain(decide.initiateConfig('rs0', hosts)), {
    _id: 'rs0',
    members: plain(hosts).map((host, i) => ({ _id: i, host })),
  });
  // ...the same names the members report once the set runs
  assert.deepEqual(primary.hosts, plain(hosts));
});

test('first start: member 0 initiates once every member answers with --replSet and no config', () => {
  const d = decide.decideReplicaSet({ ordinal: 0, self: uninitiated, peers: [uninitiated, uninitiated], setName: 'rs0' });
  assert.equal(d.action, 'initiate');
});

test('first start: the other members leave initiating to member 0', () => {
  const d = decide.decideReplicaSet({ ordinal: 2, self: uninitiated, peers: [uninitiated, uninitiated], setName: 'rs0' });
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /member 0 initiates/);
});

test('first start: member 0 waits while a peer does not answer', () => {
  const d = decide.decideReplicaSet({ ordinal: 0, self: uninitiated, peers: [uninitiated, null], setName: 'rs0' });
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /1 peer\(s\) not answering/);
});

test('first start: nobody acts while the entrypoint runs mongod without --replSet', () => {
  const standalone = reply('hello-standalone');
  assert.equal(decide.decideReplicaSet({ ordinal: 0, self: standalone, peers: [uninitiated, uninitiated], setName: 'rs0' }).action, 'wait');
  assert.equal(decide.decideReplicaSet({ ordinal: 0, self: uninitiated, peers: [standalone, uninitiated], setName: 'rs0' }).action, 'wait');
});

test('already initiated: members of rs0 do nothing, whatever their state', () => {
  for (const name of ['hello-primary', 'hello-secondary', 'hello-startup2']) {
    const d = decide.decideReplicaSet({ ordinal: 0, self: reply(name), peers: [], setName: 'rs0' });
    assert.equal(d.action, 'none', name);
  }
});

test('FerretDB (captured live) looks like an initiated primary of rs0', () => {
  const ferret = reply('ferretdb-hello');
  assert.equal(decide.decideReplicaSet({ ordinal: 0, self: ferret, peers: [], setName: 'rs0' }).action, 'none');
  assert.equal(decide.isPrimary(ferret, 'rs0'), true);
});

test('mongo-0 back with an empty volume does not start a second set', () => {
  const d = decide.decideReplicaSet({ ordinal: 0, self: uninitiated, peers: [primary, secondary], setName: 'rs0' });
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /already in set "rs0"/);
  // even when only one peer answers and it is a secondary
  assert.equal(decide.decideReplicaSet({ ordinal: 0, self: uninitiated, peers: [null, secondary], setName: 'rs0' }).action, 'wait');
});

test('a member of another set is an error, not something to fix automatically', () => {
  const d = decide.decideReplicaSet({ ordinal: 0, self: reply('hello-other-set'), peers: [], setName: 'rs0' });
  assert.equal(d.action, 'error');
  assert.match(d.reason, /"other", expected "rs0"/);
});

test('primary: is the writable primary of the expected set', () => {
  assert.equal(decide.isPrimary(primary, 'rs0'), true);
  assert.equal(decide.isPrimary(secondary, 'rs0'), false);
  assert.equal(decide.isPrimary(reply('hello-standalone'), 'rs0'), false);
  assert.equal(decide.isPrimary(reply('hello-other-set'), 'rs0'), false);
});

test('user exists? the primary creates the missing user', () => {
  const d = decide.decideAppUser({ self: primary, setName: 'rs0', usersInfo: reply('usersInfo-none'), passwordWorks: false, roles });
  assert.equal(d.action, 'create');
});

test('user exists with the password and roles wanted: nothing to do', () => {
  const d = decide.decideAppUser({ self: primary, setName: 'rs0', usersInfo: reply('usersInfo-pacman'), passwordWorks: true, roles });
  assert.equal(d.action, 'none');
});

test('a changed password in the Secret is applied to the user', () => {
  const d = decide.decideAppUser({ self: primary, setName: 'rs0', usersInfo: reply('usersInfo-pacman'), passwordWorks: false, roles });
  assert.equal(d.action, 'update');
  assert.match(d.reason, /password/);
});

test('roles beyond least privilege are taken away', () => {
  const d = decide.decideAppUser({ self: primary, setName: 'rs0', usersInfo: reply('usersInfo-pacman-extra-role'), passwordWorks: true, roles });
  assert.equal(d.action, 'update');
  assert.match(d.reason, /roles/);
});

test('secondaries and a standalone mongod never write users', () => {
  for (const self of [secondary, reply('hello-standalone'), uninitiated]) {
    const d = decide.decideAppUser({ self, setName: 'rs0', usersInfo: reply('usersInfo-none'), passwordWorks: false, roles });
    assert.equal(d.action, 'none');
  }
});

test('a failed usersInfo is reported, not taken for "no such user"', () => {
  const d = decide.decideAppUser({ self: primary, setName: 'rs0', usersInfo: reply('usersInfo-unauthorized'), passwordWorks: false, roles });
  assert.equal(d.action, 'error');
  assert.match(d.reason, /requires authentication/);
});

test('roles compare as sets', () => {
  assert.equal(decide.sameRoles([{ role: 'read', db: 'a' }, { role: 'readWrite', db: 'b' }],
    [{ role: 'readWrite', db: 'b' }, { role: 'read', db: 'a' }]), true);
  assert.equal(decide.sameRoles([], roles), false);
  assert.equal(decide.sameRoles(undefined, roles), false);
});
