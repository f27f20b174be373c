// What the Database and Web tier panels say (static/js/ui/cluster-view.js), from GET /cluster
// answers shaped like the server's, and the note a stored score gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  between, databaseSummary, durationText, eventKey, freshEvents, memberTiles, podRows,
  primaryName, savedNote, sentence, stateLabel, webStaleness, webSummary,
} from '../../static/js/ui/cluster-view.js';
import { ClusterPanel } from '../../static/js/ui/cluster-panel.js';
import { Scoreboard } from '../../static/js/ui/scoreboard.js';
import { fakeElement, MemoryStorage } from './fake-dom.js';

const NOW = '2024-05-01T12:00:10.000Z';
const M0 = 'mongo-0.mongo.pacman.svc:27017';
const M1 = 'mongo-1.mongo.pacman.svc:27017';

function election() {
  return {
    now: NOW,
    database: {
      replicaSet: 'rs0', primary: M1, noPrimarySeconds: null,
      members: [
        { host: M0, name: 'mongo-0', state: 'UNREACHABLE', rttMs: null, since: '2024-05-01T11:59:58.000Z' },
        { host: M1, name: 'mongo-1', state: 'PRIMARY', rttMs: 0.42, since: '2024-05-01T12:00:04.100Z' },
        { host: 'mongo-2.mongo.pacman.svc:27017', name: 'mongo-2', state: 'UNKNOWN', rttMs: 12.6, since: NOW },
      ],
      events: [
        { at: '2024-05-01T12:00:04.100Z', kind: 'new_primary', member: M1, text: 'mongo-1 is primary after 6.1 s without one' },
        { at: '2024-05-01T11:59:58.000Z', kind: 'no_primary', member: M0, text: 'no primary: writes wait until the set elects one' },
        { at: '2024-05-01T11:59:58.000Z', kind: 'member_unreachable', member: M0, text: 'mongo-0 unreachable (it was the primary)' },
      ],
    },
    web: {
      self: 'vm', selfId: 'vm:8081', asOf: '2024-05-01T12:00:09.000Z',
      pods: [
        { id: 'vm:8081', host: 'vm', port: 8081, zone: 'unknown', started: '2024-05-01T11:55:10.000Z', lastSeen: NOW },
        { id: 'vm:8082', host: 'vm', port: 8082, zone: 'unknown', started: '2024-05-01T11:59:40.000Z', lastSeen: '2024-05-01T12:00:08.500Z' },
        { id: 'pacman-7f9c:8080', host: 'pacman-7f9c', port: 8080, zone: 'eu-1a', started: '2024-05-01T10:00:00.000Z', lastSeen: '2024-05-01T12:00:09.000Z' },
      ],
    },
  };
}

test('durations read the way people say them', () => {
  assert.equal(durationText(420), '0.4 s');
  assert.equal(durationText(6100), '6.1 s');
  assert.equal(durationText(14900), '14 s');
  assert.equal(durationText(125000), '2 min 5 s');
  assert.equal(durationText(120000), '2 min');
  assert.equal(durationText(11 * 60000 + 5000), '11 min');
  assert.equal(durationText(3600000 + 5 * 60000), '1 h 5 min');
  assert.equal(durationText(-5), '0.0 s');
  assert.equal(between('2024-05-01T12:00:00.000Z', NOW), 10000);
  assert.equal(between('nonsense', NOW), 0);
});

test('a tile per member: name, state in words, tone, round trip and for how long', () => {
  const tiles = memberTiles(election());
  assert.deepEqual(tiles.map((t) => [t.name, t.state, t.tone]), [
    ['mongo-0', 'UNREACHABLE', 'down'], ['mongo-1', 'PRIMARY', 'primary'], ['mongo-2', 'CHECKING', 'checking']]);
  assert.equal(tiles[0].facts, 'for 12 s');
  assert.equal(tiles[1].facts, '0.4 ms · for 5.9 s');
  assert.equal(tiles[2].facts, '13 ms · for 0.0 s');
  assert.equal(stateLabel('SECONDARY'), 'SECONDARY');
  assert.deepEqual(memberTiles({}), []);
});

test('the summary names the primary, or how long there has been none', () => {
  assert.equal(primaryName(election()), 'mongo-1');
  assert.equal(databaseSummary(election()), 'Replica set rs0, 3 members: mongo-1 is primary and takes every write.');
  const none = election();
  none.database.primary = null;
  none.database.noPrimarySeconds = 4.2;
  assert.equal(databaseSummary(none), 'Replica set rs0, 3 members: no primary for 4.2 s; writes wait until one is elected.');
  none.database.noPrimarySeconds = null;
  none.database.members = none.database.members.slice(0, 1);
  assert.equal(databaseSummary(none), 'Replica set rs0, 1 member: no primary reachable.');
  assert.equal(primaryName(none), null);
});

test('only events not told before are announced, oldest first, and none on the first answer', () => {
  const all = election().database.events;
  const first = freshEvents(null, all.slice(1));
  assert.deepEqual(first.fresh, []);
  const next = freshEvents(first.seen, all);
  assert.deepEqual(next.fresh.map((e) => e.kind), ['new_primary']);
  assert.deepEqual(freshEvents(next.seen, all).fresh, []);
  // Two events in one change, both new: told in the order they happened.
  const both = freshEvents([], all.slice(1));
  assert.deepEqual(both.fresh.map((e) => e.kind), ['member_unreachable', 'no_primary']);
  assert.notEqual(eventKey(all[1]), eventKey(all[2]));
  assert.equal(sentence('mongo-0 unreachable'), 'Mongo-0 unreachable.');
  assert.equal(sentence('done.'), 'Done.');
  assert.equal(sentence(''), '');
});

test('behind an ingress, the same change seen by another pod a moment later is not told twice', () => {
  const fromPodA = election().database.events;
  const fromPodB = fromPodA.map((e) => ({ ...e, at: new Date(Date.parse(e.at) + 1300).toISOString() }));
  const told = freshEvents(freshEvents(null, fromPodA.slice(1)).seen, fromPodA).seen;
  assert.deepEqual(freshEvents(told, fromPodB).fresh, []);
  // The same words much later are another change: mongo-0 was lost again.
  const later = { ...fromPodA[2], at: '2024-05-01T13:00:00.000Z' };
  assert.deepEqual(freshEvents(told, [later, ...fromPodA]).fresh.map((e) => e.at), [later.at]);
});

test('pods: the one answering is marked, hosts shared by several replicas get their port', () => {
  const rows = podRows(election());
  assert.deepEqual(rows.map((r) => [r.name, r.self]), [['vm:8081', true], ['vm:8082', false], ['pacman-7f9c', false]]);
  assert.equal(rows[2].facts, 'zone eu-1a · up 2 h · seen 1.0 s ago');
  assert.equal(rows[0].facts, 'zone unknown · up 5 min · seen just now');
  assert.equal(webSummary(election()), '3 pods alive, each recording itself in the database every 2 s.');
});

test('a pod list not read again lately says so', () => {
  assert.equal(webStaleness(election()), '');
  const stale = election();
  stale.web.asOf = '2024-05-01T11:59:50.000Z';
  assert.equal(webStaleness(stale), 'The list of pods could not be read again for 20 s: it shows the pods as they were then.');
  stale.web.asOf = null;
  assert.match(webStaleness(stale), /has not been read/);
});

test('a stored score names the member that took it and, when it waited, how long', () => {
  assert.equal(savedNote({ primary: 'mongo-1', waitedMs: 40 }), 'Stored by mongo-1, the primary.');
  assert.equal(savedNote({ primary: 'mongo-1', waitedMs: 14200 }),
    'Stored by mongo-1, the primary. It waited 14 s in this browser before the database took it.');
  assert.equal(savedNote({ primary: null, waitedMs: 2500 }), 'It waited 2.5 s in this browser before the database took it.');
  assert.equal(savedNote({ primary: null, waitedMs: 0 }), '');
});

test('the panel reads the primary again for the note, and falls back to the last answer', async () => {
  let answer = election();
  const panel = new ClusterPanel({ readCluster: async () => answer, els: null, doc: { hidden: false } });
  panel.show = (c) => { panel.last = c; };
  const queuedAt = Date.parse('2024-05-01T12:00:00.000Z');
  assert.equal(await panel.describeSaved({ queuedAt }, queuedAt + 30),
    'Stored by mongo-1, the primary.');
  panel.readCluster = async () => { throw new Error('gone'); };
  answer = null;
  assert.equal(await panel.describeSaved({ queuedAt }, queuedAt + 9000),
    'Stored by mongo-1, the primary. It waited 9.0 s in this browser before the database took it.');
});

test('the scoreboard says the note once the score is stored, in its status and aloud', async () => {
  const status = { textContent: '', dataset: {}, hidden: true };
  const said = [];
  const sb = new Scoreboard({
    api: { highScores: async () => [], postHighScore: async () => ({ rs: 'success' }) },
    storage: new MemoryStorage(),
    body: fakeElement('tbody'),
    status, announce: (t) => said.push(t), schedule: () => 0, cancel: () => {},
    describeSaved: async (entry) => `Stored by mongo-1, the primary (${entry.name}).`,
  });
  sb.queue.add({ name: 'ada', score: 2710, level: 2, cloud: 'c', zone: 'z', host: 'h' });
  await sb.queue.running;
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(status.textContent, 'Score saved: ada, 2,710 points. Stored by mongo-1, the primary (ada).');
  assert.deepEqual(said, ['Score saved: ada, 2,710 points. Stored by mongo-1, the primary (ada).']);
});
