import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScoreQueue, STORAGE_KEY, newSubmissionId, backoffDelay } from '../../static/js/net/score-queue.js';

class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

/** A server stand-in that stores each submissionId once, and can be "down". */
function fakeServer() {
  const server = { down: false, stored: new Map(), calls: 0, reject: false };
  server.send = async (entry) => {
    server.calls++;
    if (server.down) throw Object.assign(new Error('database unavailable'), { status: 503, retryable: true });
    if (server.reject) throw Object.assign(new Error('name is required'), { status: 400, retryable: false });
    if (!server.stored.has(entry.submissionId)) server.stored.set(entry.submissionId, entry);
  };
  return server;
}

function manualTimers() {
  const timers = [];
  return {
    timers,
    schedule: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    cancel: (id) => { if (timers[id - 1]) timers[id - 1].fn = null; },
    async fire() {
      const t = timers.shift();
      if (t && t.fn) await t.fn();
      return t;
    },
  };
}

const score = { name: 'Ada', score: 1230, level: 2, cloud: 'aws', zone: 'eu-west-1a', host: 'pacman-1' };
const flushed = () => new Promise((r) => setImmediate(r));

test('submission ids are 24 letters and digits, different each time', () => {
  const a = newSubmissionId();
  const b = newSubmissionId();
  assert.match(a, /^[A-Za-z0-9]{24}$/);
  assert.notEqual(a, b);
});

test('backoff doubles from one second up to the cap, with jitter', () => {
  const mid = { random: () => 0.5 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, mid)), [1000, 2000, 4000, 8000, 16000, 20000, 20000]);
  assert.equal(backoffDelay(0, { random: () => 0 }), 800);
  assert.equal(backoffDelay(0, { random: () => 0.9999 }), 1200);
});

test('a score is stored before it is sent, and removed once accepted', async () => {
  const storage = new MemoryStorage();
  const server = fakeServer();
  let seenInStorage = null;
  const send = async (entry) => {
    seenInStorage = JSON.parse(storage.getItem(STORAGE_KEY));
    return server.send(entry);
  };
  const q = new ScoreQueue({ storage, send });
  const entry = q.add(score);
  await q.flush();
  assert.equal(seenInStorage.length, 1);
  assert.equal(seenInStorage[0].submissionId, entry.submissionId);
  assert.equal(storage.getItem(STORAGE_KEY), null, 'nothing left');
  assert.equal(server.stored.size, 1);
  const sent = [...server.stored.values()][0];
  assert.deepEqual(sent, { ...score, submissionId: entry.submissionId }, 'sent with its id, without local fields');
});

test('while the server is down the score waits and retries with growing delays, then goes once', async () => {
  const storage = new MemoryStorage();
  const server = fakeServer();
  server.down = true;
  const timers = manualTimers();
  const events = [];
  const q = new ScoreQueue({ storage, send: server.send, schedule: timers.schedule, cancel: timers.cancel,
    random: () => 0.5, onChange: (e) => events.push(e.type) });
  q.add(score);
  await flushed();
  assert.deepEqual(timers.timers.map((t) => t.ms), [1000]);
  for (let i = 0; i < 3; i++) {
    await timers.fire();
    await flushed();
  }
  assert.deepEqual(timers.timers.map((t) => t.ms), [8000], 'after 1, 2 and 4 s the fourth delay is 8 s');
  assert.equal(q.pending().length, 1);
  assert.equal(q.waiting, true);
  server.down = false;
  await timers.fire();
  await flushed();
  assert.equal(q.pending().length, 0);
  assert.equal(q.waiting, false);
  assert.equal(server.stored.size, 1);
  assert.ok(events.includes('waiting') && events.at(-1) === 'idle' && events.includes('sent'));
});

test('a reload finds the waiting score and sends it with the same id', async () => {
  const storage = new MemoryStorage();
  const server = fakeServer();
  server.down = true;
  const timers = manualTimers();
  const first = new ScoreQueue({ storage, send: server.send, schedule: timers.schedule, cancel: timers.cancel });
  const entry = first.add(score);
  await flushed();
  // The page reloads: a new queue over the same storage.
  server.down = false;
  const second = new ScoreQueue({ storage, send: server.send });
  assert.equal(second.pending()[0].submissionId, entry.submissionId);
  await second.flush();
  assert.equal(server.stored.size, 1);
  assert.ok(server.stored.has(entry.submissionId));
  // The old page's retry timer firing late sends nothing twice.
  await timers.fire();
  await flushed();
  assert.equal(server.stored.size, 1);
});

test('a lost answer (stored, but the reply never came) is retried without a duplicate', async () => {
  const storage = new MemoryStorage();
  const server = fakeServer();
  let dropReply = true;
  const send = async (entry) => {
    await server.send(entry);
    if (dropReply) {
      dropReply = false;
      throw Object.assign(new Error('the server did not answer in time'), { status: 0, retryable: true });
    }
  };
  const timers = manualTimers();
  const q = new ScoreQueue({ storage, send, schedule: timers.schedule, cancel: timers.cancel });
  q.add(score);
  await flushed();
  assert.equal(q.pending().length, 1);
  await timers.fire();
  await flushed();
  assert.equal(q.pending().length, 0);
  assert.equal(server.calls, 2);
  assert.equal(server.stored.size, 1);
});

test('two scores queued while down are both sent, in order', async () => {
  const storage = new MemoryStorage();
  const server = fakeServer();
  server.down = true;
  const timers = manualTimers();
  const q = new ScoreQueue({ storage, send: server.send, schedule: timers.schedule, cancel: timers.cancel });
  q.add(score);
  await flushed();
  q.add({ ...score, name: 'Grace', score: 990 });
  await flushed();
  assert.equal(q.pending().length, 2);
  server.down = false;
  await q.retryNow();
  await flushed();
  assert.deepEqual([...server.stored.values()].map((e) => e.name), ['Ada', 'Grace']);
  assert.equal(q.pending().length, 0);
});

test('a score the server refuses as invalid is dropped instead of blocking the queue', async () => {
  const storage = new MemoryStorage();
  const server = fakeServer();
  server.reject = true;
  const events = [];
  const q = new ScoreQueue({ storage, send: server.send, onChange: (e) => events.push(e.type) });
  q.add(score);
  await q.flush();
  assert.equal(q.pending().length, 0);
  assert.ok(events.includes('rejected'));
});

test('corrupt storage reads as an empty queue', () => {
  const storage = new MemoryStorage();
  storage.setItem(STORAGE_KEY, '{not json');
  assert.deepEqual(new ScoreQueue({ storage, send: async () => {} }).pending(), []);
  storage.setItem(STORAGE_KEY, '[{"name":"no id"}]');
  assert.deepEqual(new ScoreQueue({ storage, send: async () => {} }).pending(), []);
});
