import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scoreboard } from '../../static/js/ui/scoreboard.js';
import { ApiError } from '../../static/js/net/api.js';
import { fakeElement, MemoryStorage } from './fake-dom.js';

const where = { cloud: 'aws', zone: 'us-east-1a', host: 'pacman-7f9c' };
const statusLine = () => ({ textContent: '', dataset: {}, hidden: true });

const tbody = () => fakeElement('tbody');

function board(api) {
  // No timers: nothing refreshes or retries by itself in these tests.
  return new Scoreboard({ api, storage: new MemoryStorage(), body: tbody(), status: statusLine(),
    schedule: () => 0, cancel: () => {} });
}

test('a score below the tenth is not offered a place', async () => {
  const list = Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, score: 5000 - i * 100 }));
  let asked = false;
  const sb = board({ highScores: async () => list });
  const placed = await sb.offer({ score: 4100, level: 3, where, ask: async () => { asked = true; return 'x'; } });
  assert.equal(placed, false);
  assert.equal(asked, false);
});

test('a top-ten score asks for a name and is sent with where it was played', async () => {
  const sent = [];
  const sb = board({ highScores: async () => [{ name: 'a', score: 10 }], postHighScore: async (e) => { sent.push(e); } });
  const placed = await sb.offer({ score: 420, level: 2, where, ask: async () => 'Ada' });
  assert.equal(placed, true);
  await sb.queue.flush();
  assert.equal(sent.length, 1);
  const { submissionId, ...rest } = sent[0];
  assert.deepEqual(rest, { name: 'Ada', cloud: 'aws', zone: 'us-east-1a', host: 'pacman-7f9c', score: 420, level: 2 });
  assert.match(submissionId, /^[A-Za-z0-9]{24}$/);
});

test('a player who skips the name stores nothing', async () => {
  const sb = board({ highScores: async () => [], postHighScore: async () => assert.fail('nothing to send') });
  assert.equal(await sb.offer({ score: 10, level: 1, where, ask: async () => null }), false);
  assert.deepEqual(sb.queue.pending(), []);
});

test('with the database down the score is kept and the page says high scores are unavailable', async () => {
  const down = async () => { throw new ApiError('database unavailable', 503); };
  const sb = board({ highScores: down, postHighScore: down });
  const placed = await sb.offer({ score: 990, level: 1, where, ask: async () => 'Grace' });
  assert.equal(placed, true, 'without a list any score is offered a place');
  await sb.queue.flush();
  assert.equal(sb.queue.pending().length, 1);
  assert.match(sb.status.textContent, /^High scores are unavailable right now/);
  assert.match(sb.status.textContent, /kept in this browser.*1 waiting/);
  assert.equal(sb.status.dataset.tone, 'warn');
  assert.equal(sb.status.hidden, false);
});

test('at game over a slow high-score list does not hold the decision up: the last list seen decides', async () => {
  const full = Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, score: 90000 - i * 100 }));
  let calls = 0;
  const sb = board({
    highScores: () => (calls++ === 0 ? Promise.resolve(full) : new Promise(() => {})), // the second never answers
  });
  await sb.load();
  const started = Date.now();
  let asked = false;
  const placed = await sb.offer({ score: 500, level: 1, where, waitMs: 100, ask: async () => { asked = true; return 'x'; } });
  const waited = Date.now() - started;
  assert.equal(placed, false);
  assert.equal(asked, false);
  assert.ok(waited >= 90 && waited < 1000, `decided after ${waited} ms`);
});

test('a fresh list that comes in time is the one that decides', async () => {
  const sb = board({ highScores: async () => [{ name: 'a', score: 10 }], postHighScore: async () => {} });
  sb.list = Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, score: 90000 - i * 100 }));
  let asked = false;
  const placed = await sb.offer({ score: 500, level: 1, where, waitMs: 1000, ask: async () => { asked = true; return 'Ada'; } });
  assert.equal(placed, true);
  assert.equal(asked, true);
});
