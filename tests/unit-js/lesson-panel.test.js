// The Lesson panel's pure parts (static/js/ui/lesson-panel.js): what ?lesson= asks for, the
// progress line, and the fingerprint reader's answers. The panel itself runs in Chromium
// (tests/e2e/test_lesson.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lessonRequest, progressText } from '../../static/js/ui/lesson-panel.js';
import { createFingerprintReader } from '../../static/js/net/fingerprint.js';

test('?lesson= opens the panel, ?lesson=present enlarges it, anything else leaves it be', () => {
  assert.deepEqual(lessonRequest(''), { open: false, present: false });
  assert.deepEqual(lessonRequest('?lesson=1'), { open: true, present: false });
  assert.deepEqual(lessonRequest('?seed=4&lesson'), { open: true, present: false });
  assert.deepEqual(lessonRequest('?lesson=present'), { open: true, present: true });
  assert.deepEqual(lessonRequest('?lesson=0'), { open: false, present: false });
  assert.deepEqual(lessonRequest('?lessons=1'), { open: false, present: false });
});

test('the progress line counts what is done and, apart, what cannot be shown here', () => {
  const views = ['given', 'given', 'done', 'limited', 'partial', 'waiting', 'cannot'].map((status) => ({ status }));
  assert.equal(progressText(views), '4 of 7 steps done, 1 cannot be shown here');
  assert.equal(progressText(views.slice(0, 3)), '3 of 3 steps done');
});

test('the fingerprint reader: the answer, null for a 503, an error for anything else', async () => {
  const answers = [
    { ok: true, status: 200, json: async () => ({ count: 2, sha256: 'a'.repeat(64), newest: null }) },
    { ok: false, status: 503, json: async () => ({ error: 'unavailable' }) },
    { ok: false, status: 500, json: async () => ({ error: 'no' }) },
  ];
  const asked = [];
  const read = createFingerprintReader({ fetch: async (url, options) => { asked.push([url, options.headers.Accept]); return answers.shift(); } });
  assert.equal((await read()).count, 2);
  assert.equal(await read(), null);
  await assert.rejects(read(), /HTTP 500/);
  assert.deepEqual(asked[0], ['highscores/fingerprint', 'application/json']);
});
