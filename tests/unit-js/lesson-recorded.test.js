// The lesson's logic fed what a page really read through the local rehearsal: GET /cluster
// answers (and GET /highscores/fingerprint's) recorded by tests/unit-js/lesson-record.py (FerretDB, replicas behind nginx, every
// answer from whichever replica nginx chose) while the tier went from two replicas to ten, the
// database was killed and started again, and the tier went back to two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LessonProgress } from '../../static/js/lesson/progress.js';

const RECORDS = JSON.parse(readFileSync(new URL('./lesson-recorded-rehearsal.json', import.meta.url), 'utf8'));

/** Feeds every record; returns {check id: the mark it was ticked after}. */
function play(lesson) {
  const ticked = {};
  let mark = 'start';
  for (const r of RECORDS) {
    let ticks = [];
    if (r.mark) mark = r.mark;
    else if (r.cluster) ticks = lesson.observeCluster(r.cluster, r.t);
    else if ('fingerprint' in r) ticks = lesson.observeFingerprint(r.fingerprint, r.t);
    for (const id of ticks) ticked[id] = mark;
  }
  return ticked;
}

test('the recording holds what it should: answers from several replicas, a stretch without the database', () => {
  const answers = RECORDS.filter((r) => r.cluster);
  const fingerprints = RECORDS.filter((r) => 'fingerprint' in r).map((r) => r.fingerprint);
  assert.ok(fingerprints.some((f) => f === null) && fingerprints.some((f) => f && f.count === 2));
  assert.ok(new Set(answers.map((r) => r.cluster.web.selfId)).size >= 4);
  assert.ok(answers.some((r) => r.cluster.database.members.every((m) => m.state === 'UNREACHABLE')));
  assert.deepEqual(RECORDS.filter((r) => r.mark).map((r) => r.mark),
    ['scale to ten', 'kill the database', 'start the database', 'scale to two', 'done']);
});

test('the rehearsal ticks each step when it happens, and nothing it cannot show', () => {
  const lesson = new LessonProgress();
  const ticked = play(lesson);
  // the database killed and started on its files is no restore
  assert.deepEqual(ticked, { served: 'start', ten: 'scale to ten', election: 'start the database' });
  const ten = lesson.memory.checks.ten;
  assert.equal(ten.added, 8, 'the two replicas the page was first served by are not new');
  assert.ok(ten.tookMs >= 0 && ten.tookMs < 8000, ten.tookMs);
  const election = lesson.memory.checks.election;
  assert.equal(election.kind, 'restarted');
  assert.ok(election.gapMs > 10000 && election.gapMs < 20000, election.gapMs);
  const steps = Object.fromEntries(lesson.steps().map((s) => [s.id, s]));
  assert.equal(steps['scale-web'].status, 'done');
  assert.equal(steps.primary.status, 'limited');
  assert.equal(steps['scale-set'].status, 'cannot');
  assert.equal(steps.restore.status, 'cannot');
  assert.match(steps.restore.evidence, /: 2 scores, sha256 [0-9a-f]{6}…[0-9a-f]{4}\.$/);
  assert.match(steps.primary.checks[0].evidence, /^127\.0\.0\.1:\d+ was the primary, went away, and was primary again after 1\d s without one\./);
});

test('after a start over, the answers that still list the election tick nothing but the page served', () => {
  const lesson = new LessonProgress();
  play(lesson);
  lesson.reset();
  const last = RECORDS.filter((r) => r.cluster).slice(-3);
  assert.ok(last.every((r) => r.cluster.database.events.some((e) => e.kind === 'new_primary')));
  const ticks = last.flatMap((r) => lesson.observeCluster(r.cluster, r.t));
  assert.deepEqual(ticks, ['served']);
  assert.equal(lesson.steps().find((s) => s.id === 'primary').status, 'waiting');
});
