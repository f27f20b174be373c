// The replica-set bootstrap's decisions (k8s/base/mongo/rs-decide.js) against MongoDB's
// replies (tests/k8s/replies/). Run: node --test tests/k8s/
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
const removed = reply('hello-removed');
const roles = [{ role: 'readWrite', db: 'pacman' }];
const names = { statefulSet: 'mongo', service: 'mongo', namespace: 'pacman', port: 27017 };
const host = (i) => decide.memberHost(names, i);

/** A peer as rs-bootstrap.js observes it: a hello reply, or none and why. */
const peer = (i, hello) => (typeof hello === 'string'
  ? { ordinal: i, host: host(i), hello: null, answer: hello }
  : { ordinal: i, host: host(i), hello });
const noPod = (i) => peer(i, decide.NO_SUCH_POD);
const silent = (i) => peer(i, decide.NO_ANSWER);
const rs = (ordinal, self, peers) => decide.decideReplicaSet({ ordinal, self, selfHost: host(ordinal), peers, setName: 'rs0' });

test('which member am I: the ordinal and StatefulSet come from the pod name', () => {
  assert.equal(decide.podOrdinal('mongo-0'), 0);
  assert.equal(decide.podOrdinal('my-mongo-12'), 12);
  assert.equal(decide.podStatefulSet('my-mongo-12'), 'my-mongo');
  assert.throws(() => decide.podOrdinal('mongo'), /does not end in -<ordinal>/);
  assert.throws(() => decide.podOrdinal(undefined));
});

test('members go by their stable DNS names, the ones the set reports', () => {
  assert.equal(host(2), 'mongo-2.mongo.pacman.svc:27017');
  assert.deepEqual(primary.hosts, [host(0), host(1), host(2)]);
  assert.deepEqual(plain(decide.initiateConfig('rs0', host(0))), { _id: 'rs0', members: [{ _id: 0, host: host(0) }] });
});

test('first start: member 0 initiates the set alone once every peer pod answers without a config', () => {
  const d = rs(0, uninitiated, [peer(1, uninitiated), peer(2, uninitiated), noPod(3), noPod(4)]);
  assert.equal(d.action, 'initiate');
  // a peer whose pod is not there yet does not hold it up: it joins later
  assert.equal(rs(0, uninitiated, [noPod(1), noPod(2)]).action, 'initiate');
});

test('first start: member 0 waits while a peer pod exists but does not answer', () => {
  const d = rs(0, uninitiated, [peer(1, uninitiated), silent(2), noPod(3), noPod(4)]);
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /mongo-2\.mongo\.pacman\.svc:27017 exist\(s\) but do\(es\) not answer/);
});

test('first start: the other members leave initiating to member 0', () => {
  const d = rs(2, uninitiated, [peer(0, uninitiated), peer(1, uninitiated), noPod(3), noPod(4)]);
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /member 0 initiates/);
});

test('first start: nobody acts while the entrypoint runs mongod without --replSet', () => {
  const standalone = reply('hello-standalone');
  assert.equal(rs(0, standalone, []).action, 'wait');
  assert.equal(rs(0, uninitiated, [peer(1, standalone), peer(2, uninitiated)]).action, 'wait');
});

test('after the initiate: the other members ask the primary to add them', () => {
  const alone = reply('hello-primary-alone');
  const d = rs(1, uninitiated, [peer(0, alone), peer(2, uninitiated), noPod(3), noPod(4)]);
  assert.equal(d.action, 'join');
  assert.equal(d.primary, host(0));
  // a secondary says who the primary is
  const viaSecondary = rs(3, uninitiated, [silent(0), peer(1, secondary), noPod(4), noPod(5)]);
  assert.equal(viaSecondary.action, 'join');
  assert.equal(viaSecondary.primary, primary.primary);
});

test('scaled up: mongo-3 and mongo-4, whom the set does not list, join it', () => {
  for (const ordinal of [3, 4]) {
    const peers = [peer(0, primary), peer(1, secondary), peer(2, secondary)]
      .concat(ordinal === 3 ? [peer(4, uninitiated)] : [peer(3, uninitiated)], [noPod(5), noPod(6)]);
    const d = rs(ordinal, uninitiated, peers);
    assert.equal(d.action, 'join', `mongo-${ordinal}`);
    assert.equal(d.primary, host(0));
  }
});

test('no primary right now (an election): a new member waits instead of joining', () => {
  const electing = { ...secondary, primary: undefined };
  delete electing.primary;
  const d = rs(3, uninitiated, [peer(0, electing), peer(1, electing), silent(2), noPod(4), noPod(5)]);
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /no primary/);
});

test('a member the set removed (hello names the set but has no config) joins again', () => {
  assert.equal(removed.setName, 'rs0');
  assert.equal(decide.inSomeSet(removed), false);
  assert.equal(decide.isWorkingMember(removed, 'rs0'), false);
  const d = rs(3, removed, [peer(0, primary), peer(1, secondary), peer(2, secondary), noPod(4), noPod(5)]);
  assert.equal(d.action, 'join');
  // ...and is no peer "in the set" for others: mongo-0 without a config does not wait on it
  assert.equal(rs(0, uninitiated, [peer(1, removed), noPod(2), noPod(3)]).action, 'initiate');
});

test('mongo-0 back with an empty volume does not start a second set: the set lists it', () => {
  const d = rs(0, uninitiated, [peer(1, primary), peer(2, secondary), noPod(3), noPod(4)]);
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /the set lists mongo-0/);
  // even when the one peer that answers is a secondary
  assert.equal(rs(0, uninitiated, [silent(1), peer(2, secondary)]).action, 'wait');
});

test('already initiated: members of rs0 do nothing, whatever their state', () => {
  for (const name of ['hello-primary', 'hello-secondary', 'hello-startup2']) {
    assert.equal(rs(0, reply(name), []).action, 'none', name);
  }
});

test('FerretDB (captured live) looks like an initiated primary of rs0', () => {
  const ferret = reply('ferretdb-hello');
  assert.equal(rs(0, ferret, []).action, 'none');
  assert.equal(decide.isPrimary(ferret, 'rs0'), true);
});

test('a member of another set is an error, not something to fix automatically', () => {
  const other = reply('hello-other-set');
  const d = rs(0, other, []);
  assert.equal(d.action, 'error');
  assert.match(d.reason, /"other", expected "rs0"/);
  assert.equal(rs(1, uninitiated, [peer(0, other)]).action, 'error');
});

test('peers are asked until two in a row give no hello', () => {
  assert.equal(decide.askNextPeer([]), true);
  assert.equal(decide.askNextPeer([peer(1, uninitiated), noPod(2)]), true); // a pod being recreated
  assert.equal(decide.askNextPeer([peer(1, uninitiated), noPod(2), noPod(3)]), false);
  assert.equal(decide.askNextPeer([noPod(2), peer(3, uninitiated)]), true);
  // two that exist but are silent (starting, or DNS down): member 0 waits whatever comes after
  assert.equal(decide.askNextPeer([silent(1), silent(2)]), false);
  assert.equal(rs(0, uninitiated, [silent(1), silent(2)]).action, 'wait');
});

test('primary: is the writable primary of the expected set', () => {
  assert.equal(decide.isPrimary(primary, 'rs0'), true);
  assert.equal(decide.isPrimary(secondary, 'rs0'), false);
  assert.equal(decide.isPrimary(reply('hello-standalone'), 'rs0'), false);
  assert.equal(decide.isPrimary(reply('hello-other-set'), 'rs0'), false);
});

test('joining adds the member with the next _id and version; one already in is not added twice', () => {
  const config = reply('replSetGetConfig-3').config;
  const next = plain(decide.configWithMember(config, host(3)));
  assert.equal(next.version, config.version + 1);
  assert.deepEqual(next.members.map((m) => m._id), [0, 1, 2, 3]);
  assert.deepEqual(next.members[3], { _id: 3, host: host(3) });
  assert.deepEqual(next.settings, config.settings); // replicaSetId and the rest unchanged
  assert.equal(decide.configWithMember(config, host(1)), null);
});

test('an eighth member joins without a vote (MongoDB allows seven voting members)', () => {
  const config = reply('replSetGetConfig-5').config;
  let grown = config;
  for (let i = 5; i < 8; i++) grown = decide.configWithMember(grown, host(i));
  const eighth = plain(grown).members[7];
  assert.deepEqual(eighth, { _id: 7, host: host(7), votes: 0, priority: 0 });
  assert.equal(plain(grown).members[6].votes, undefined); // the seventh votes (default 1)
});

/** decideMembers on a recorded status, as the primary's bootstrap calls it a pass after pass:
 * `gone` hosts have no pod; `secondsSeen` says how long earlier passes have seen them so. */
const members = (statusName, configName, gone, secondsSeen) => {
  const status = reply(statusName);
  const now = decide.millisOf(status.date);
  const seen = secondsSeen === undefined ? {} : Object.fromEntries(gone.map((h) => [h, now - secondsSeen * 1000]));
  return decide.decideMembers({ status, config: reply(configName).config, noPod: gone, seen });
};

test('scaled down from 5: the primary removes the members without pods once seen so for a minute, the highest first', () => {
  const status = reply('replSetGetStatus-scaled-down');
  const config = reply('replSetGetConfig-5').config;
  // the first pass that sees them gone starts counting (the pass before was up to 2 minutes ago)
  const first = members('replSetGetStatus-scaled-down', 'replSetGetConfig-5', [host(3), host(4)]);
  assert.equal(first.action, 'wait');
  assert.deepEqual(plain(first.seen), { [host(3)]: decide.millisOf(status.date), [host(4)]: decide.millisOf(status.date) });
  const d = members('replSetGetStatus-scaled-down', 'replSetGetConfig-5', [host(3), host(4)], 61);
  assert.equal(d.action, 'remove');
  assert.equal(d.host, host(4));
  assert.deepEqual(plain(d.config).members.map((m) => m.host), [host(0), host(1), host(2), host(3)]);
  assert.equal(d.config.version, config.version + 1);
  // the next pass removes mongo-3 from the config that no longer has mongo-4
  const after = decide.decideMembers({ status: { ...status, members: status.members.filter((m) => m.name !== host(4)) },
    config: d.config, noPod: [host(3)], seen: d.seen });
  assert.equal(after.action, 'remove');
  assert.deepEqual(plain(after.config).members.map((m) => m.host), [host(0), host(1), host(2)]);
});

test('a member being recreated (pod gone 12 s) keeps its place in the set', () => {
  const d = members('replSetGetStatus-member-recreated', 'replSetGetConfig-3', [host(2)], 12);
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /no pod for 12 s here; it leaves the set after 60 s/);
});

test('a fresh primary that never heard from a member (lastHeartbeatRecv 1970) does not remove it at once', () => {
  // All members restarted (or restored from snapshots): mongo-0 primary for 31 s, mongo-2's pod
  // not there yet. MongoDB reports a member it has not heard from since it started as
  // lastHeartbeatRecv 1970-01-01: counting from that removed mongo-2 on the first pass.
  const status = reply('replSetGetStatus-restored-fresh-primary');
  const mongo2 = status.members.find((m) => m.name === host(2));
  assert.equal(decide.millisOf(mongo2.lastHeartbeatRecv), 0);
  assert.equal(members('replSetGetStatus-restored-fresh-primary', 'replSetGetConfig-3', [host(2)]).action, 'wait');
  assert.equal(members('replSetGetStatus-restored-fresh-primary', 'replSetGetConfig-3', [host(2)], 30).action, 'wait');
  // what the comment promises: a minute of this bootstrap seeing it gone
  const d = members('replSetGetStatus-restored-fresh-primary', 'replSetGetConfig-3', [host(2)], 60);
  assert.equal(d.action, 'remove');
  assert.equal(d.host, host(2));
});

test('a member whose pod is back is forgotten: a later absence counts from zero', () => {
  const status = reply('replSetGetStatus-member-recreated');
  const now = decide.millisOf(status.date);
  const d = decide.decideMembers({ status, config: reply('replSetGetConfig-3').config, noPod: [], seen: { [host(2)]: now - 50000 } });
  assert.equal(d.action, 'none');
  assert.deepEqual(plain(d.seen), {});
});

test('a member that is down but whose pod exists (a crash loop) stays in the set', () => {
  const d = decide.decideMembers({ status: reply('replSetGetStatus-member-down'), config: reply('replSetGetConfig-3').config, noPod: [], seen: {} });
  assert.equal(d.action, 'none');
  assert.match(d.reason, /pod\(s\) still there/);
});

test('all members answering: nothing to change', () => {
  const status = reply('replSetGetStatus-scaled-down');
  const healthy = { ...status, members: status.members.slice(0, 3) };
  assert.equal(decide.decideMembers({ status: healthy, config: reply('replSetGetConfig-3').config, noPod: [], seen: {} }).action, 'none');
});

// ---- restored from volume snapshots (docs/backup-restore.md): the members come back with their
// data, `local` and the set's config included; nothing is initiated again and nobody is lost.

test('restored: the config names the same StatefulSet hosts, so every member is in the set and nothing is done', () => {
  const restored = reply('hello-restored-alone');
  assert.deepEqual(restored.hosts, [host(0), host(1), host(2)]);
  assert.equal(restored.me, host(0));
  for (const name of ['hello-restored-alone', 'hello-primary', 'hello-secondary']) {
    assert.equal(rs(0, reply(name), []).action, 'none', name);
  }
});

test('restored, all members: before and after the election nobody initiates or joins', () => {
  // every member starting on its restored volume: in the set (no primary yet, or one elected)
  const restored = reply('hello-restored-alone');
  for (const ordinal of [0, 1, 2]) assert.equal(rs(ordinal, { ...restored, me: host(ordinal) }, []).action, 'none');
  // a member whose mongod has not loaded its config yet looks uninitiated: it waits for a
  // restored peer (the set lists it), member 0 included
  assert.equal(rs(0, uninitiated, [peer(1, restored), silent(2)]).action, 'wait');
  assert.equal(rs(0, uninitiated, [peer(1, restored), peer(2, restored)]).action, 'wait');
});

test('restored, mongo-0 alone: the members on empty volumes wait for its config and sync from it', () => {
  // mongo-0 has the config but no majority (no primary); mongo-1 and mongo-2 start empty.
  // MongoDB's heartbeats bring them the config, then an initial sync from mongo-0: no initiate
  // (a second, empty set) and no join (there is no primary to ask, and the config lists them).
  const restored = reply('hello-restored-alone');
  assert.equal(restored.primary, undefined);
  for (const ordinal of [1, 2]) {
    const others = [0, 1, 2].filter((i) => i !== ordinal).map((i) => (i === 0 ? peer(0, restored) : peer(i, uninitiated)));
    const d = rs(ordinal, uninitiated, others.concat([noPod(3), noPod(4)]));
    assert.equal(d.action, 'wait', `mongo-${ordinal}`);
    assert.match(d.reason, new RegExp(`the set lists mongo-${ordinal}`));
  }
});

test('restored, another member alone: mongo-0 on an empty volume waits for it, Pending or not', () => {
  const restored = { ...reply('hello-restored-alone'), me: host(1) };
  assert.equal(rs(0, uninitiated, [peer(1, restored), peer(2, uninitiated), noPod(3)]).action, 'wait');
  // its volume still being restored: no pod name yet, but mongo-2 has one, so mongo-1 exists
  const d = rs(0, uninitiated, [noPod(1), peer(2, uninitiated), noPod(3), noPod(4)]);
  assert.equal(d.action, 'wait');
  assert.match(d.reason, /mongo-1\.mongo\.pacman\.svc:27017 ha\(s\|ve\) no pod yet while member 2 has one/);
});

test('restored alone into a running set from a snapshot older than its oplog: in the set, not ready', () => {
  const recovering = reply('hello-recovering');
  assert.equal(rs(2, recovering, []).action, 'none'); // MongoDB's to sort out (or a fresh initial sync)
  const ready = decide.decideReady({ self: recovering, setName: 'rs0', passwordWorks: true });
  assert.equal(ready.ready, false);
});

test('restored under other host names (another namespace): an error to read, never a second set', () => {
  // mongod finds itself in no member of its restored config: hello names the set, no config
  // is valid (the same reply as a removed member), on every member alike.
  const d = rs(0, removed, [peer(1, removed), peer(2, removed), noPod(3), noPod(4)]);
  assert.equal(d.action, 'error');
  assert.match(d.reason, /does not list mongo-0\.mongo\.pacman\.svc:27017, and no member of it answers/);
  assert.equal(rs(1, removed, [peer(0, removed), peer(2, removed)]).action, 'error');
});

test('dates and numbers read the same from extended JSON as from mongosh', () => {
  assert.equal(decide.millisOf({ $date: '2024-09-24T11:30:00.000Z' }), Date.parse('2024-09-24T11:30:00.000Z'));
  assert.equal(decide.millisOf(new Date(5)), 5);
  assert.equal(decide.numberOf({ $numberLong: '7' }), 7);
  assert.equal(decide.numberOf({ toNumber: () => 9 }), 9); // a bson Long
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
  for (const self of [secondary, reply('hello-standalone'), uninitiated, removed]) {
    const d = decide.decideAppUser({ self, setName: 'rs0', usersInfo: reply('usersInfo-none'), passwordWorks: false, roles });
    assert.equal(d.action, 'none');
  }
});

test('a failed usersInfo is reported, not taken for "no such user"', () => {
  const d = decide.decideAppUser({ self: primary, setName: 'rs0', usersInfo: reply('usersInfo-unauthorized'), passwordWorks: false, roles });
  assert.equal(d.action, 'error');
  assert.match(d.reason, /requires authentication/);
});

test('ready only once the game can use the member: in the set, and the user logs in there', () => {
  assert.equal(decide.decideReady({ self: primary, setName: 'rs0', passwordWorks: true }).ready, true);
  assert.equal(decide.decideReady({ self: secondary, setName: 'rs0', passwordWorks: true }).ready, true);
  // a secondary right after the initiate: no primary yet, or the user not created yet
  const waiting = decide.decideReady({ self: secondary, setName: 'rs0', passwordWorks: false });
  assert.equal(waiting.ready, false);
  assert.match(waiting.reason, /the primary creates it/);
  for (const name of ['hello-startup2', 'hello-uninitiated', 'hello-removed', 'hello-standalone', 'hello-other-set']) {
    assert.equal(decide.decideReady({ self: reply(name), setName: 'rs0', passwordWorks: true }).ready, false, name);
  }
});

test('ready only once both users log in: the one the web pods use and the next one', () => {
  const both = decide.decideReady({ self: secondary, setName: 'rs0', passwordWorks: { pacman: true, 'pacman-2': true } });
  assert.deepEqual(plain(both), { ready: true, reason: 'pacman and pacman-2 log in here' });
  const next = decide.decideReady({ self: secondary, setName: 'rs0', passwordWorks: { pacman: true, 'pacman-2': false } });
  assert.equal(next.ready, false);
  assert.match(next.reason, /^pacman-2 does not log in here yet/);
  const primaryNext = decide.decideReady({ self: primary, setName: 'rs0', passwordWorks: { pacman: false, 'pacman-2': true } });
  assert.match(primaryNext.reason, /^pacman does not log in with the Secret's password yet/);
});

test('roles compare as sets', () => {
  assert.equal(decide.sameRoles([{ role: 'read', db: 'a' }, { role: 'readWrite', db: 'b' }],
    [{ role: 'readWrite', db: 'b' }, { role: 'read', db: 'a' }]), true);
  assert.equal(decide.sameRoles([], roles), false);
  assert.equal(decide.sameRoles(undefined, roles), false);
});
