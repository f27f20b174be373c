// The API client's deadline covers the whole answer: a server that sends its headers and then
// stalls in the body is given up on like one that never answers. (Before, the timer was
// cleared as soon as the headers came, and response.json() could wait for ever.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApi } from '../../static/js/net/api.js';

/** A fetch whose answer has headers at once and a body that never ends until aborted. */
function stalledBodyFetch({ status = 200 } = {}) {
  return async (path, init) => ({
    ok: status < 400,
    status,
    json: () => new Promise((resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    }),
  });
}

test('a body that stalls after the headers times out', { timeout: 3000 }, async () => {
  const api = createApi({ fetch: stalledBodyFetch(), timeoutMs: 30 });
  await assert.rejects(api.highScores(), (e) => e.status === 0 && /did not answer in time/.test(e.message) && e.retryable);
});

test('an error answer whose body stalls times out too', { timeout: 3000 }, async () => {
  const api = createApi({ fetch: stalledBodyFetch({ status: 503 }), timeoutMs: 30 });
  await assert.rejects(api.postHighScore({ name: 'x' }), (e) => e.status === 0 && e.retryable);
});

test('an answer that is not JSON is not taken for a timeout', async () => {
  const fetch = async () => ({ ok: false, status: 502, json: async () => { throw new SyntaxError('Unexpected token <'); } });
  await assert.rejects(createApi({ fetch, timeoutMs: 1000 }).highScores(), (e) => e.status === 502 && e.message === 'HTTP 502');
});

test('the deadline is cleared once the answer is read: no timer keeps the page busy', async () => {
  const cleared = [];
  const realClear = globalThis.clearTimeout;
  globalThis.clearTimeout = (id) => { cleared.push(id); realClear(id); };
  try {
    const fetch = async () => ({ ok: true, status: 200, json: async () => ({ ok: 1 }) });
    assert.deepEqual(await createApi({ fetch, timeoutMs: 60000 }).location(), { ok: 1 });
  } finally {
    globalThis.clearTimeout = realClear;
  }
  assert.equal(cleared.length, 1);
});
