import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApi, ApiError } from '../../static/js/net/api.js';
import { StatsReporter } from '../../static/js/net/live-stats.js';

function recordingFetch(reply = () => ({ status: 200, body: {} })) {
  const calls = [];
  const fetch = async (path, init) => {
    calls.push({ path, method: init.method, body: init.body && JSON.parse(init.body), headers: init.headers });
    const r = reply(path, init);
    if (r instanceof Error) throw r;
    return { ok: r.status < 400, status: r.status, json: async () => (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) };
  };
  return { fetch, calls };
}

test('every API call uses a relative path (works behind a path-prefixed ingress)', async () => {
  const { fetch, calls } = recordingFetch();
  const api = createApi({ fetch });
  await api.location();
  await api.newUserId();
  await api.postStats({ userId: 'a'.repeat(24) });
  await api.liveStats();
  await api.highScores();
  await api.postHighScore({ name: 'x' });
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [
    'GET location/metadata', 'GET user/id', 'POST user/stats', 'GET user/stats', 'GET highscores/list', 'POST highscores',
  ]);
  for (const c of calls) assert.ok(!c.path.startsWith('/') && !c.path.includes('://'), c.path);
});

test('POST bodies are JSON', async () => {
  const { fetch, calls } = recordingFetch();
  await createApi({ fetch }).postHighScore({ name: 'Ada', score: 10, submissionId: 'abc' });
  assert.equal(calls[0].headers['Content-Type'], 'application/json');
  assert.deepEqual(calls[0].body, { name: 'Ada', score: 10, submissionId: 'abc' });
});

test('errors carry the status and the server\'s message; 503 and no answer are retryable, 400 is not', async () => {
  const replies = {
    'highscores/list': { status: 503, body: { error: 'database unavailable' } },
    highscores: { status: 400, body: { error: 'name is required' } },
    'user/stats': new TypeError('Failed to fetch'),
  };
  const { fetch } = recordingFetch((path) => replies[path]);
  const api = createApi({ fetch });
  await assert.rejects(api.highScores(), (e) => e instanceof ApiError && e.status === 503 && e.message === 'database unavailable' && e.retryable);
  await assert.rejects(api.postHighScore({}), (e) => e.status === 400 && !e.retryable);
  await assert.rejects(api.liveStats(), (e) => e.status === 0 && e.retryable);
});

test('which failures are worth retrying: none of the 4xx the server sends, but 5xx, 408, 429 and no answer', () => {
  // The server's errors (docs/api.md): 400, 404, 405, 413, 415 are about the request itself.
  for (const status of [400, 404, 405, 413, 415, 422]) assert.equal(new ApiError('x', status).retryable, false, `${status}`);
  for (const status of [0, 500, 502, 503, 504, 408, 429]) assert.equal(new ApiError('x', status).retryable, true, `${status}`);
});

test('a request that gets no answer times out', async () => {
  const fetch = (path, init) => new Promise((resolve, reject) => {
    init.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
  });
  const api = createApi({ fetch, timeoutMs: 20 });
  await assert.rejects(api.highScores(), (e) => e.status === 0 && /did not answer/.test(e.message));
});

test('live stats: gets a player id once, then posts the stats with the pod\'s location', async () => {
  const posted = [];
  let ids = 0;
  const api = {
    newUserId: async () => `${String(++ids).padStart(24, '0')}`,
    postStats: async (s) => { posted.push(s); },
  };
  const r = new StatsReporter({ api, where: () => ({ cloud: 'gcp', zone: 'z1', host: 'pod-a' }),
    stats: () => ({ score: 50, level: 1, lives: 3, elapsedTime: 7 }), schedule: () => 1, cancel: () => {} });
  await r.report();
  await r.report();
  assert.equal(ids, 1);
  assert.deepEqual(posted[1], { userId: '000000000000000000000001', cloud: 'gcp', zone: 'z1', host: 'pod-a', score: 50, level: 1, lives: 3, elapsedTime: 7 });
});

test('live stats: an unknown player id (404) is replaced on the next report', async () => {
  let ids = 0;
  let first = true;
  const api = {
    newUserId: async () => String(++ids).padStart(24, '0'),
    postStats: async () => {
      if (first) {
        first = false;
        throw Object.assign(new Error('unknown userId'), { status: 404 });
      }
    },
  };
  const r = new StatsReporter({ api, where: () => ({}), stats: () => ({}), schedule: () => 1, cancel: () => {} });
  await r.report();
  assert.equal(r.userId, null);
  await r.report();
  assert.equal(r.userId, '000000000000000000000002');
});
