// The Lesson panel's logic (static/js/lesson/): each step's checks worked out from sequences of
// GET /cluster answers, shaped as the server writes them (the event texts and their order are
// those server/replset.c writes and tests/unit/test_replset.c expects), and the
// ticks that must not happen: a web pod's restart, a secondary's restart, a member's blip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LessonProgress, BLIP_MS } from '../../static/js/lesson/progress.js';
import { primaryChanges, absences, databaseOf } from '../../static/js/lesson/watch.js';
import { STEPS } from '../../static/js/lesson/steps.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const iso = (ms) => new Date(ms).toISOString();
const host = (n) => `mongo-${n}.mongo.pacman.svc:27017`;
const M0 = host(0);
const M1 = host(1);
const M2 = host(2);

/**
 * One web pod as /cluster shows it: its driver's events (kept newest first, at most 50) and,
 * for each answer, the members and pods as they are then. Times are ms after T0.
 */
class Pod {
  constructor(id, { started = 0, host: podHost = id.split(':')[0] } = {}) {
    this.id = id;
    this.host = podHost;
    this.started = started;
    this.events = [];
  }

  /** Events of one change of the set, in the order the server writes them. */
  change(at, ...events) {
    for (const [kind, member, text] of events) this.events.unshift({ at: iso(T0 + at), kind, text, member });
    this.events = this.events.slice(0, 50);
    return this;
  }

  /** The answer at time `at`: members [[host, state, sinceMs]], web pods (other Pods), asOf lag. */
  reply(at, members, { pods = [this], asOfLag = 500 } = {}) {
    const primary = members.find(([, state]) => state === 'PRIMARY');
    return {
      now: iso(T0 + at),
      database: {
        replicaSet: 'rs0',
        primary: primary ? primary[0] : null,
        noPrimarySeconds: null,
        members: members.map(([h, state, since = 0]) => ({
          host: h, name: /^\d/.test(h) ? h : h.split('.')[0], state, rttMs: state === 'UNREACHABLE' ? null : 0.4, since: iso(T0 + since),
        })),
        events: this.events,
      },
      web: {
        self: this.host,
        selfId: this.id,
        asOf: iso(T0 + at - asOfLag),
        pods: pods.map((p) => ({ id: p.id, host: p.host, port: Number(p.id.split(':')[1]), zone: 'unknown', started: iso(T0 + p.started), lastSeen: iso(T0 + at - 1000) })),
      },
    };
  }
}

/** A pod that has watched a healthy three-member set since its start. */
function healthyPod(id = 'pacman-7d9f-abcde:8080', started = 0) {
  return new Pod(id, { started }).change(started + 20, ['primary_found', M0, 'mongo-0 is primary'])
    .change(started + 30, ['member_found', M1, 'mongo-1 is SECONDARY'], ['member_found', M2, 'mongo-2 is SECONDARY']);
}

const HEALTHY = [[M0, 'PRIMARY'], [M1, 'SECONDARY'], [M2, 'SECONDARY']];

function feed(lesson, reply, lagMs = 30) {
  return lesson.observeCluster(reply, Date.parse(reply.now) - lagMs);
}

function step(lesson, id) {
  return lesson.steps().find((s) => s.id === id);
}

function check(lesson, id) {
  for (const s of lesson.steps()) for (const c of s.checks) if (c.id === id) return c;
  throw new Error(`no check ${id}`);
}

test('the page is served: the pod\'s name, one of N, and the steps the page cannot watch are given with why', () => {
  const lesson = new LessonProgress();
  const a = healthyPod();
  const b = new Pod('pacman-7d9f-fghij:8080');
  assert.deepEqual(feed(lesson, a.reply(2000, HEALTHY, { pods: [a, b] })), ['served']);
  assert.equal(check(lesson, 'served').evidence, 'This page came from pacman-7d9f-abcde, one of 2 web pods.');
  for (const id of ['start', 'storage', 'image', 'apply', 'look']) {
    const s = step(lesson, id);
    assert.equal(s.status, 'given');
    assert.ok(s.why.length > 20, s.why);
  }
  assert.match(step(lesson, 'apply').evidence, /2 web pods and the replica set rs0, 3 members/);
  assert.equal(step(lesson, 'play').status, 'partial');
  assert.equal(step(lesson, 'primary').status, 'waiting');
  assert.equal(step(lesson, 'primary').checks[0].note, 'mongo-0 is the primary now.');
});

test('a saved score says which member took it and how long it waited in the browser', () => {
  const lesson = new LessonProgress();
  const a = healthyPod();
  feed(lesson, a.reply(2000, HEALTHY), 30); // the browser's clock is 30 ms behind the server's
  const browser = T0 + 5000 - 30;
  assert.deepEqual(lesson.observeSave({ name: 'ada', score: 2710, queuedAt: browser - 200 }, browser, 'mongo-0'), ['saved']);
  assert.equal(check(lesson, 'saved').evidence, 'Your score, 2,710 as ada, was taken by mongo-0, the primary.');
  assert.equal(step(lesson, 'play').status, 'done');
  const later = new LessonProgress();
  feed(later, a.reply(2000, HEALTHY));
  later.observeSave({ name: 'bo', score: 90, queuedAt: T0 }, T0 + 7400, null);
  assert.match(check(later, 'saved').evidence, /^Your score, 90 as bo, was stored \(which member took it, the page could not read\), after waiting 7\.4 s in this browser\.$/);
});

test('the primary deleted: an election (who was, who is, how long without one), then the member back as SECONDARY', () => {
  const lesson = new LessonProgress();
  const pod = healthyPod();
  feed(lesson, pod.reply(60000, HEALTHY));
  // a score queued just before the primary went away, stored once mongo-1 was elected
  lesson.observeSave({ name: 'ada', score: 4400, queuedAt: T0 + 99000 }, T0 + 108000, 'mongo-1');
  pod.change(100000, ['member_unreachable', M0, 'mongo-0 unreachable (it was the primary)'],
    ['no_primary', M0, 'no primary: writes wait until the set elects one']);
  assert.deepEqual(feed(lesson, pod.reply(101000, [[M0, 'UNREACHABLE', 100000], [M1, 'SECONDARY'], [M2, 'SECONDARY']])), []);
  assert.equal(step(lesson, 'primary').checks[0].note, 'No primary right now: the set is electing one.');
  pod.change(106100, ['new_primary', M1, 'mongo-1 is primary after 6.1 s without one']);
  assert.deepEqual(feed(lesson, pod.reply(107000, [[M0, 'UNREACHABLE', 100000], [M1, 'PRIMARY', 106100], [M2, 'SECONDARY']])), ['election']);
  assert.equal(check(lesson, 'election').evidence,
    'mongo-0 was the primary; mongo-1 was elected after 6.1 s without a primary. Your score waited 9.0 s in this browser, then mongo-1 took it.');
  assert.equal(step(lesson, 'primary').status, 'partial');
  assert.equal(check(lesson, 'back').note, 'mongo-0 is UNREACHABLE now.');
  // the StatefulSet recreates mongo-0: it starts, then is a secondary again
  pod.change(131000, ['member_back', M0, 'mongo-0 back as OTHER']);
  assert.deepEqual(feed(lesson, pod.reply(132000, [[M0, 'OTHER', 131000], [M1, 'PRIMARY', 106100], [M2, 'SECONDARY']])), []);
  pod.change(134000, ['member_state', M0, 'mongo-0 is now SECONDARY (was OTHER)']);
  assert.deepEqual(feed(lesson, pod.reply(135000, [[M0, 'SECONDARY', 134000], [M1, 'PRIMARY', 106100], [M2, 'SECONDARY']])), ['back']);
  assert.equal(check(lesson, 'back').evidence, 'mongo-0 is back as a SECONDARY under the same name (and its own volume), after 31 s away.');
  assert.equal(step(lesson, 'primary').status, 'done');
});

test('a primary that steps down on SIGTERM hands over, then goes away and comes back', () => {
  const lesson = new LessonProgress();
  const pod = healthyPod();
  pod.change(100000, ['member_state', M0, 'mongo-0 is now SECONDARY (was PRIMARY)'],
    ['no_primary', M0, 'no primary: writes wait until the set elects one'])
    .change(101800, ['new_primary', M2, 'mongo-2 is primary after 1.8 s without one'])
    .change(103000, ['member_unreachable', M0, 'mongo-0 unreachable'])
    .change(124000, ['member_back', M0, 'mongo-0 back as SECONDARY']);
  assert.deepEqual(feed(lesson, pod.reply(125000, [[M0, 'SECONDARY', 124000], [M1, 'SECONDARY'], [M2, 'PRIMARY', 101800]])), ['served', 'election', 'back']);
  assert.equal(check(lesson, 'election').evidence, 'mongo-0 was the primary; mongo-2 was elected after 1.8 s without a primary.');
  assert.match(check(lesson, 'back').evidence, /after 21 s away/);
});

test('a primary that steps down and is elected again is an election', () => {
  const pod = healthyPod();
  pod.change(100000, ['no_primary', M0, 'no primary: writes wait until the set elects one'])
    .change(100300, ['member_state', M0, 'mongo-0 is now SECONDARY (was PRIMARY)'])
    .change(111000, ['new_primary', M0, 'mongo-0 is primary after 11.0 s without one']);
  assert.deepEqual(primaryChanges(pod.events, 3).map((c) => c.kind), ['reelected']);
  const lesson = new LessonProgress();
  assert.deepEqual(feed(lesson, pod.reply(112000, HEALTHY)), ['served', 'election']);
  assert.equal(check(lesson, 'election').evidence, 'mongo-0 stepped down and was elected again, after 11 s without a primary.');
  // it was never deleted: nothing to come back
  assert.equal(check(lesson, 'back').done, false);
});

test('a hand-over seen in one update (primary_changed) is an election with no gap', () => {
  const pod = healthyPod().change(90000, ['member_state', M0, 'mongo-0 is now SECONDARY (was PRIMARY)'],
    ['primary_changed', M1, 'mongo-1 is primary (was mongo-0)']);
  const lesson = new LessonProgress();
  feed(lesson, pod.reply(91000, [[M0, 'SECONDARY'], [M1, 'PRIMARY'], [M2, 'SECONDARY']]));
  assert.equal(check(lesson, 'election').evidence, 'mongo-1 is primary now, instead of mongo-0, with no moment seen without one.');
});

test('false ticks: a web pod restart, a secondary\'s restart and the driver losing sight of the primary are no election', () => {
  const lesson = new LessonProgress();
  const old = healthyPod('pacman-7d9f-abcde:8080');
  feed(lesson, old.reply(10000, HEALTHY));
  // the pod serving the page is replaced: the new one finds the set as it is, primary and all
  const fresh = healthyPod('pacman-7d9f-zzzzz:8080', 50000);
  feed(lesson, fresh.reply(60000, HEALTHY, { pods: [fresh] }));
  // a secondary deleted and recreated
  fresh.change(70000, ['member_unreachable', M2, 'mongo-2 unreachable'])
    .change(95000, ['member_back', M2, 'mongo-2 back as SECONDARY']);
  feed(lesson, fresh.reply(96000, HEALTHY, { pods: [fresh] }));
  // an operation on the primary failed on the network: it is rechecked and found primary
  fresh.change(120000, ['no_primary', M0, 'no primary: writes wait until the set elects one'])
    .change(120500, ['new_primary', M0, 'mongo-0 is primary after 0.5 s without one']);
  // and a heartbeat to it failed once, then it answered as primary again
  fresh.change(130000, ['member_unreachable', M0, 'mongo-0 unreachable (it was the primary)'], ['no_primary', M0, 'no primary: writes wait until the set elects one'])
    .change(130600, ['member_back', M0, 'mongo-0 back as PRIMARY'], ['new_primary', M0, 'mongo-0 is primary after 0.6 s without one']);
  assert.deepEqual(feed(lesson, fresh.reply(131000, HEALTHY, { pods: [fresh] })), []);
  assert.deepEqual(primaryChanges(fresh.events, 3).map((c) => c.kind), ['blip', 'blip']);
  assert.equal(check(lesson, 'election').done, false);
  assert.equal(step(lesson, 'primary').note, 'mongo-2 went away and came back, but was not the primary: no election.');
});

test('a member\'s UNREACHABLE blip after an election is not "deleted and back"', () => {
  const lesson = new LessonProgress();
  const pod = healthyPod().change(90000, ['member_state', M0, 'mongo-0 is now SECONDARY (was PRIMARY)'],
    ['primary_changed', M1, 'mongo-1 is primary (was mongo-0)']);
  feed(lesson, pod.reply(91000, [[M0, 'SECONDARY', 90000], [M1, 'PRIMARY', 90000], [M2, 'SECONDARY']]));
  assert.equal(check(lesson, 'election').done, true);
  pod.change(95000, ['member_unreachable', M0, 'mongo-0 unreachable'])
    .change(95000 + BLIP_MS - 1500, ['member_back', M0, 'mongo-0 back as SECONDARY']);
  assert.deepEqual(feed(lesson, pod.reply(100000, [[M0, 'SECONDARY', 98500], [M1, 'PRIMARY', 90000], [M2, 'SECONDARY']])), []);
  // another pod that started later, saw the blip's end as the member's "since": still no tick
  const late = healthyPod('pacman-7d9f-later:8080', 97000);
  assert.deepEqual(feed(lesson, late.reply(101000, [[M0, 'SECONDARY', 98500], [M1, 'PRIMARY', 97020], [M2, 'SECONDARY']])), []);
  assert.equal(check(lesson, 'back').done, false);
  assert.deepEqual(absences(pod.events, M0), [{ down: T0 + 95000, back: T0 + 98500 }]);
});

test('answers alternate between pods: each pod\'s events are read on their own, the election counted once', () => {
  const lesson = new LessonProgress();
  const a = healthyPod('pacman-a:8080');
  const b = healthyPod('pacman-b:8080');
  for (const pod of [a, b]) {
    pod.change(100000 + (pod === b ? 40 : 0), ['member_unreachable', M0, 'mongo-0 unreachable (it was the primary)'],
      ['no_primary', M0, 'no primary: writes wait until the set elects one']);
  }
  a.change(107000, ['new_primary', M2, 'mongo-2 is primary after 7.0 s without one']);
  const members = [[M0, 'UNREACHABLE'], [M1, 'SECONDARY'], [M2, 'PRIMARY']];
  assert.deepEqual(feed(lesson, b.reply(107500, [[M0, 'UNREACHABLE'], [M1, 'SECONDARY'], [M2, 'SECONDARY']], { pods: [a, b] })), ['served']);
  assert.deepEqual(feed(lesson, a.reply(108000, members, { pods: [a, b] })), ['election']);
  b.change(107900, ['new_primary', M2, 'mongo-2 is primary after 7.9 s without one']);
  assert.deepEqual(feed(lesson, b.reply(110000, members, { pods: [a, b] })), []);
  assert.match(check(lesson, 'election').evidence, /after 7\.0 s without a primary/);
  // a pod started after the election has none to show, and its answer takes nothing away
  const c = healthyPod('pacman-c:8080', 150000);
  feed(lesson, c.reply(160000, members, { pods: [a, b, c] }));
  assert.equal(check(lesson, 'election').done, true);
  // mongo-0 back, seen by the late pod only: its fall was seen by a and b
  assert.deepEqual(feed(lesson, c.reply(200000, [[M0, 'SECONDARY', 190000], [M1, 'SECONDARY'], [M2, 'PRIMARY']], { pods: [a, b, c] })), ['back']);
  assert.match(check(lesson, 'back').evidence, /after 1 min 30 s away/);
});

test('ten web pods tick the scaling step, with the time from the first new pod', () => {
  const lesson = new LessonProgress();
  const pods = [new Pod('pacman-a:8080', { started: 0 }), new Pod('pacman-b:8080', { started: 1000 })];
  const self = pods[0];
  feed(lesson, self.reply(30000, HEALTHY, { pods }));
  assert.equal(check(lesson, 'ten').note, '2 web pods alive now.');
  for (let i = 0; i < 3; i++) pods.push(new Pod(`pacman-n${i}:8080`, { started: 40000 + i * 300 }));
  assert.deepEqual(feed(lesson, self.reply(42000, HEALTHY, { pods })), []);
  for (let i = 3; i < 8; i++) pods.push(new Pod(`pacman-n${i}:8080`, { started: 40000 + i * 600 }));
  // a list read while the database was away is not taken: it may hold pods long gone
  assert.deepEqual(feed(lesson, self.reply(46000, HEALTHY, { pods, asOfLag: 30000 })), []);
  assert.deepEqual(feed(lesson, self.reply(47000, HEALTHY, { pods })), ['ten']);
  assert.equal(check(lesson, 'ten').evidence, '10 web pods alive: the 8 new ones all started within 4.2 s of the first, pacman-n0.');
  assert.equal(step(lesson, 'scale-web').status, 'done');
  // started at once (the local rehearsal starts its replicas together)
  const together = new LessonProgress();
  const first = [new Pod('vm:1', { started: 0, host: 'vm' })];
  feed(together, first[0].reply(1000, HEALTHY, { pods: first }));
  const all = [...first, ...Array.from({ length: 9 }, (_, i) => new Pod(`vm:${i + 2}`, { started: 5000 + (i % 2) * 40, host: 'vm' }))];
  feed(together, first[0].reply(8000, HEALTHY, { pods: all }));
  assert.equal(check(together, 'ten').evidence, '10 web pods alive: the 9 new ones started together, vm:2 first.');
});

test('ten pods already there at the first look: ticked, without a time it cannot know', () => {
  const lesson = new LessonProgress();
  const pods = Array.from({ length: 10 }, (_, i) => new Pod(`vm:${8081 + i}`, { started: i * 100, host: 'vm' }));
  // the first answer lists one: the others had not recorded themselves yet
  feed(lesson, pods[3].reply(1200, [['127.0.0.1:27018', 'PRIMARY']], { pods: [pods[3]] }));
  feed(lesson, pods[3].reply(5000, [['127.0.0.1:27018', 'PRIMARY']], { pods }));
  assert.match(check(lesson, 'ten').evidence, /^10 web pods alive \(already when this page first looked/);
  assert.equal(check(lesson, 'served').evidence, 'This page came from vm:8084, one of 10 web pods.');
});

test('the replica set scaled to five and back: members join and leave under their ordinal names', () => {
  const lesson = new LessonProgress();
  const pod = healthyPod();
  const M3 = host(3);
  const M4 = host(4);
  feed(lesson, pod.reply(10000, HEALTHY));
  pod.change(20000, ['member_joined', M3, 'mongo-3 joined as OTHER']);
  feed(lesson, pod.reply(21000, [...HEALTHY, [M3, 'OTHER']]));
  pod.change(26000, ['member_state', M3, 'mongo-3 is now SECONDARY (was OTHER)'], ['member_joined', M4, 'mongo-4 joined as OTHER']);
  assert.deepEqual(feed(lesson, pod.reply(27000, [...HEALTHY, [M3, 'SECONDARY'], [M4, 'OTHER']])), []);
  assert.equal(check(lesson, 'grown').note, '5 members now, 4 of them primary or secondary.');
  pod.change(31000, ['member_state', M4, 'mongo-4 is now SECONDARY (was OTHER)']);
  assert.deepEqual(feed(lesson, pod.reply(32000, [...HEALTHY, [M3, 'SECONDARY'], [M4, 'SECONDARY']])), ['grown']);
  assert.equal(check(lesson, 'grown').evidence, '5 members: mongo-3 and mongo-4 joined, named by the next ordinals.');
  // scaled back: the pods stop first, the set's configuration drops them later
  pod.change(60000, ['member_unreachable', M4, 'mongo-4 unreachable']).change(64000, ['member_unreachable', M3, 'mongo-3 unreachable']);
  assert.deepEqual(feed(lesson, pod.reply(65000, [...HEALTHY, [M3, 'UNREACHABLE'], [M4, 'UNREACHABLE']])), []);
  assert.match(check(lesson, 'shrunk').note, /^mongo-3 and mongo-4 stopped; the primary drops them/);
  // no election in all this, and the members' stops are no deleted primary
  assert.equal(check(lesson, 'election').done, false);
  pod.change(150000, ['member_left', M3, 'mongo-3 left the replica set'], ['member_left', M4, 'mongo-4 left the replica set']);
  assert.deepEqual(feed(lesson, pod.reply(151000, HEALTHY)), ['shrunk']);
  assert.equal(check(lesson, 'shrunk').evidence, 'mongo-3 and mongo-4 left the replica set: 3 members again.');
  assert.equal(step(lesson, 'scale-set').status, 'done');
});

test('a restore: the fingerprint before, every member away, the same fingerprint after', () => {
  const lesson = new LessonProgress();
  const pod = healthyPod();
  const F1 = { count: 12, sha256: 'a'.repeat(64), newest: '2026-03-02T09:59:00Z' };
  const F2 = { count: 13, sha256: 'b'.repeat(64), newest: '2026-03-02T10:00:30Z' };
  feed(lesson, pod.reply(10000, HEALTHY));
  assert.match(check(lesson, 'gone').note, /^The page reads the fingerprint/);
  assert.deepEqual(lesson.observeFingerprint(F1, T0 + 11000), []);
  assert.equal(step(lesson, 'restore').evidence, 'The data\'s fingerprint, as the page read it last: 12 scores, sha256 aaaaaa…aaaa.');
  assert.equal(check(lesson, 'gone').note, null);
  lesson.observeFingerprint(F2, T0 + 31000); // a score after the backup
  // an election makes it unreadable for seconds, but the other members stay: no disaster
  pod.change(40000, ['member_unreachable', M0, 'mongo-0 unreachable (it was the primary)'], ['no_primary', M0, 'no primary: writes wait until the set elects one']);
  feed(lesson, pod.reply(41000, [[M0, 'UNREACHABLE'], [M1, 'SECONDARY'], [M2, 'SECONDARY']]));
  assert.deepEqual(lesson.observeFingerprint(null, T0 + 41500), []);
  pod.change(47000, ['new_primary', M1, 'mongo-1 is primary after 7.0 s without one'])
    .change(70000, ['member_back', M0, 'mongo-0 back as SECONDARY']);
  feed(lesson, pod.reply(71000, [[M0, 'SECONDARY', 70000], [M1, 'PRIMARY'], [M2, 'SECONDARY']]));
  lesson.observeFingerprint(F2, T0 + 71500);
  // the StatefulSet and its claims deleted: everybody gone
  pod.change(100000, ['member_state', M1, 'mongo-1 is now SECONDARY (was PRIMARY)'], ['no_primary', M1, 'no primary: writes wait until the set elects one'])
    .change(103000, ['member_unreachable', M0, 'mongo-0 unreachable'], ['member_unreachable', M1, 'mongo-1 unreachable'], ['member_unreachable', M2, 'mongo-2 unreachable']);
  const away = [[M0, 'UNREACHABLE'], [M1, 'UNREACHABLE'], [M2, 'UNREACHABLE']];
  feed(lesson, pod.reply(104000, away));
  assert.deepEqual(lesson.observeFingerprint(null, T0 + 104500), ['gone']);
  assert.equal(check(lesson, 'gone').evidence, 'All 3 members away and the scores unreadable: the page is still served.');
  // restored from the snapshot taken before the last score, elected, readable again
  pod.change(200000, ['member_back', M0, 'mongo-0 back as SECONDARY'], ['member_back', M1, 'mongo-1 back as SECONDARY'], ['member_back', M2, 'mongo-2 back as SECONDARY'])
    .change(211000, ['new_primary', M2, 'mongo-2 is primary after 1 min 51 s without one']);
  const restored = [[M0, 'SECONDARY', 200000], [M1, 'SECONDARY', 200000], [M2, 'PRIMARY', 211000]];
  const ticks = feed(lesson, pod.reply(212000, restored));
  assert.ok(!ticks.includes('back'), 'the members were restored, not the deleted primary back on its own');
  assert.deepEqual(primaryChanges(pod.events, 3).map((c) => c.kind), ['elected', 'outage']);
  assert.deepEqual(lesson.observeFingerprint(F1, T0 + 213000), ['same']);
  assert.equal(check(lesson, 'same').evidence,
    'After 1 min 48 s without a database: 12 scores, sha256 aaaaaa…aaaa, the same as before. Every score is back as it was.');
  assert.equal(step(lesson, 'restore').status, 'done');
});

test('a restore that brings back other data says so instead of ticking', () => {
  const lesson = new LessonProgress();
  const pod = healthyPod();
  feed(lesson, pod.reply(10000, HEALTHY));
  lesson.observeFingerprint({ count: 3, sha256: 'c'.repeat(64) }, T0 + 11000);
  const away = [[M0, 'UNREACHABLE'], [M1, 'UNREACHABLE'], [M2, 'UNREACHABLE']];
  feed(lesson, pod.reply(20000, away));
  assert.deepEqual(lesson.observeFingerprint(null, T0 + 20500), ['gone']);
  feed(lesson, pod.reply(90000, HEALTHY));
  assert.deepEqual(lesson.observeFingerprint({ count: 1, sha256: 'd'.repeat(64) }, T0 + 90500), []);
  assert.match(check(lesson, 'same').note, /^The database is back with 1 score, sha256 dddddd…dddd: not a fingerprint seen before it went away\.$/);
});

test('one member (FerretDB locally) killed and restarted: the outage step as far as one member can show', () => {
  const lesson = new LessonProgress();
  const ONE = '127.0.0.1:40123';
  const pod = new Pod('vm:8081', { host: 'vm' }).change(10, ['primary_found', ONE, '127.0.0.1:40123 is primary']);
  feed(lesson, pod.reply(2000, [[ONE, 'PRIMARY']]));
  lesson.observeFingerprint({ count: 2, sha256: 'e'.repeat(64) }, T0 + 2100);
  assert.match(check(lesson, 'election').note, /^This replica set has one member/);
  pod.change(4010, ['member_unreachable', ONE, '127.0.0.1:40123 unreachable (it was the primary)'], ['no_primary', ONE, 'no primary: writes wait until the set elects one']);
  assert.deepEqual(feed(lesson, pod.reply(5000, [[ONE, 'UNREACHABLE']])), []);
  assert.deepEqual(lesson.observeFingerprint(null, T0 + 5100), [], 'a set of one cannot tell a restore from a restart');
  pod.change(9310, ['member_back', ONE, '127.0.0.1:40123 back as PRIMARY'], ['new_primary', ONE, '127.0.0.1:40123 is primary after 5.3 s without one']);
  assert.deepEqual(feed(lesson, pod.reply(10000, [[ONE, 'PRIMARY', 9310]])), ['election']);
  assert.equal(check(lesson, 'election').evidence,
    '127.0.0.1:40123 was the primary, went away, and was primary again after 5.3 s without one. A replica set of one member has nobody else to elect: on the three members of the walkthrough another member takes over.');
  const primary = step(lesson, 'primary');
  assert.equal(primary.status, 'limited');
  assert.equal(primary.checks[1].done, null);
  assert.match(primary.checks[1].note, /^A set of one member cannot show this/);
  const restore = step(lesson, 'restore');
  assert.equal(restore.status, 'cannot');
  assert.deepEqual(restore.checks.map((c) => c.done), [null, null]);
  assert.match(restore.evidence, /2 scores, sha256 eeeeee…eeee\.$/);
  assert.equal(step(lesson, 'scale-set').status, 'cannot');
  assert.deepEqual(step(lesson, 'scale-set').checks.map((c) => c.done), [null, null]);
});

test('progress survives a reload; start over undoes it, and what happened before no longer counts', () => {
  const lesson = new LessonProgress();
  const pod = healthyPod();
  pod.change(100000, ['member_unreachable', M0, 'mongo-0 unreachable (it was the primary)'], ['no_primary', M0, 'no primary: writes wait until the set elects one'])
    .change(106000, ['new_primary', M1, 'mongo-1 is primary after 6.0 s without one']);
  const members = [[M0, 'UNREACHABLE'], [M1, 'PRIMARY'], [M2, 'SECONDARY']];
  feed(lesson, pod.reply(107000, members));
  lesson.observeSave({ name: 'ada', score: 10, queuedAt: T0 + 107000 }, T0 + 107100, 'mongo-1');
  const stored = JSON.parse(JSON.stringify(lesson));
  const reloaded = new LessonProgress(stored);
  assert.deepEqual(reloaded.steps().map((s) => s.status), lesson.steps().map((s) => s.status));
  assert.equal(check(reloaded, 'election').evidence, check(lesson, 'election').evidence);
  // a reload that lands on a pod which never saw the election keeps it
  feed(reloaded, healthyPod('pacman-new:8080', 150000).reply(160000, members));
  assert.equal(check(reloaded, 'election').done, true);

  reloaded.reset();
  assert.deepEqual(reloaded.steps().filter((s) => s.checks.length).map((s) => s.status), ['waiting', 'waiting', 'waiting', 'waiting', 'waiting']);
  // the same pod's history again: the election is older than the start over
  assert.deepEqual(feed(reloaded, pod.reply(170000, members)), ['served']);
  assert.equal(check(reloaded, 'election').done, false);
  // garbage in storage starts afresh
  assert.equal(new LessonProgress({ v: 99 }).steps().find((s) => s.id === 'play').status, 'waiting');
  assert.equal(new LessonProgress('nonsense').done('served'), false);
});

test('start over before any answer counts from the next answer on', () => {
  const lesson = new LessonProgress();
  lesson.reset();
  const pod = healthyPod();
  pod.change(100000, ['member_unreachable', M0, 'mongo-0 unreachable (it was the primary)'], ['no_primary', M0, 'no primary: writes wait until the set elects one'])
    .change(106000, ['new_primary', M1, 'mongo-1 is primary after 6.0 s without one']);
  assert.deepEqual(feed(lesson, pod.reply(107000, [[M0, 'UNREACHABLE'], [M1, 'PRIMARY'], [M2, 'SECONDARY']])), ['served']);
});

test('a step\'s note points at the primary when it is not mongo-0, the member the command names', () => {
  const lesson = new LessonProgress();
  const pod = new Pod('pacman-a:8080').change(20, ['primary_found', M1, 'mongo-1 is primary']);
  feed(lesson, pod.reply(1000, [[M0, 'SECONDARY'], [M1, 'PRIMARY'], [M2, 'SECONDARY']]));
  assert.equal(step(lesson, 'primary').note, 'The primary now is mongo-1: delete that pod (put mongo-1 in place of mongo-0).');
});

test('answers that are not a cluster view change nothing', () => {
  const lesson = new LessonProgress();
  assert.deepEqual(lesson.observeCluster(null, 0), []);
  assert.deepEqual(lesson.observeCluster({ now: 'x', database: {}, web: {} }, 0), []);
  assert.deepEqual(lesson.observeCluster({ now: iso(T0), database: { members: 'no', events: [{ kind: 'new_primary' }] }, web: { pods: null } }, T0), ['served']);
  assert.deepEqual(databaseOf({ database: { events: [{ kind: 'x', at: 'never' }] } }).events, []);
  assert.deepEqual(lesson.observeFingerprint({ count: 'many' }, T0), []);
  assert.deepEqual(lesson.observeSave(null, T0, null), []);
});

test('every step has a title, commands, what to notice, and either why it is given or its checks', () => {
  const ids = new Set();
  for (const s of STEPS) {
    assert.ok(!ids.has(s.id), s.id);
    ids.add(s.id);
    assert.ok(s.title && s.notice && s.commands.length, s.id);
    assert.ok(Boolean(s.given) !== Boolean(s.checks), s.id);
    for (const c of s.commands) assert.equal(typeof c.text, 'string');
  }
});
