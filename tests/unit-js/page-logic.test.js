// The small pure helpers of the page layer: settings from the URL, the fixed-step clock,
// name checks, swipes and number formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalGameUrl, readSettings } from '../../static/js/config.js';
import { FixedStep } from '../../static/js/loop.js';
import { validateName } from '../../static/js/ui/name-dialog.js';
import { swipeDirection } from '../../static/js/ui/input.js';
import { formatDuration, formatNumber } from '../../static/js/ui/tables.js';
import { normalizeText, textWidth } from '../../static/js/ui/font.js';

test('settings: defaults, test switches, and nonsense ignored', () => {
  assert.deepEqual(readSettings(''), { lives: 3, startLevel: 1, keepDots: null, seed: null, switches: [], testMode: false });
  assert.deepEqual(readSettings('?lives=1&dots=5&level=3&seed=9'),
    { lives: 1, startLevel: 3, keepDots: 5, seed: 9, switches: ['lives=1', 'dots=5', 'level=3', 'seed=9'], testMode: true });
  assert.deepEqual(readSettings('?lives=0&dots=-4&level=x&seed=1e3'),
    { lives: 3, startLevel: 1, keepDots: null, seed: null, switches: [], testMode: false });
  assert.equal(readSettings('?lives=99').lives, 3);
});

test('every test switch makes a test game, ?seed= too; one set to the normal value does not', () => {
  for (const search of ['?lives=9', '?lives=1', '?level=2', '?dots=3', '?seed=7', '?x=1&seed=1']) {
    assert.equal(readSettings(search).testMode, true, search);
  }
  for (const search of ['', '?lives=3', '?level=1', '?seed=0', '?dots=244', '?lives=3&level=1', '?utm_source=x']) {
    assert.equal(readSettings(search).testMode, false, search);
  }
  assert.deepEqual(readSettings('?seed=7&lives=9').switches, ['lives=9', 'seed=7']);
});

test('the normal game is the address without its test switches', () => {
  assert.equal(normalGameUrl('http://localhost:8080/?lives=9&dots=3&level=2&seed=1'), 'http://localhost:8080/');
  assert.equal(normalGameUrl('https://demo.example/pacman/?lives=1&lang=en#top'), 'https://demo.example/pacman/?lang=en#top');
});

function stepsPerSecond(hz) {
  const clock = new FixedStep(1 / 60);
  let steps = 0;
  for (let frame = 0; frame < 10 * hz; frame++) clock.advance(1 / hz, () => steps++);
  return steps / 10;
}

test('the game runs 60 steps a second whatever the display rate', () => {
  for (const hz of [30, 60, 75, 120, 144, 240]) {
    const rate = stepsPerSecond(hz);
    assert.ok(Math.abs(rate - 60) <= 0.2, `${hz} Hz: ${rate} steps/s`);
  }
});

test('a 60 Hz display with jittery timestamps gets exactly one step per frame', () => {
  const clock = new FixedStep(1 / 60);
  const counts = [];
  for (let i = 0; i < 600; i++) {
    const jitter = (i % 2 ? 1 : -1) * 0.0003;
    let n = 0;
    clock.advance(1 / 60 + jitter, () => n++);
    counts.push(n);
  }
  assert.ok(counts.every((n) => n === 1), `steps per frame: ${[...new Set(counts)]}`);
});

test('a long stall (hidden tab) does not fast-forward the game', () => {
  const clock = new FixedStep(1 / 60);
  let n = 0;
  clock.advance(30, () => n++);
  assert.equal(n, 15, 'at most a quarter second');
});

test('the clock reports where the present lies between the last two steps', () => {
  const clock = new FixedStep(1 / 60);
  let steps = 0;
  // At 120 Hz: a step every other frame; the frame between two steps is drawn half-way.
  assert.ok(Math.abs(clock.advance(1 / 120, () => steps++) - 0.5) < 1e-9);
  assert.equal(steps, 1, 'the game is stepped ahead of the present, never behind it');
  assert.ok(Math.abs(clock.advance(1 / 120, () => steps++) - 1) < 1e-9);
  assert.equal(steps, 1);
});

test('a 60 Hz display draws each step in the frame that computed it, not a frame late', () => {
  const clock = new FixedStep(1 / 60);
  for (let i = 0; i < 120; i++) {
    const jitter = (i % 3 - 1) * 0.0003;
    let n = 0;
    const alpha = clock.advance(1 / 60 + jitter, () => n++);
    assert.equal(n, 1);
    // alpha 1: the renderer blends all the way to the newest step (render.js: prev + d * alpha).
    assert.ok(Math.abs(alpha - 1) < 1e-9, `frame ${i}: alpha ${alpha}`);
  }
});

test('names: trimmed, 1 to 32 characters, any script, no control characters', () => {
  assert.deepEqual(validateName('  Ada  '), { ok: true, name: 'Ada' });
  assert.equal(validateName('Zoë 山田 Ωmega').ok, true);
  assert.equal(validateName('<img src=x onerror=alert(1)>').ok, true, 'accepted: it is shown as text');
  assert.equal(validateName('').ok, false);
  assert.equal(validateName('   ').ok, false);
  assert.equal(validateName('x'.repeat(32)).ok, true);
  assert.equal(validateName('x'.repeat(33)).ok, false);
  assert.equal(validateName('🎮'.repeat(32)).ok, true, 'characters, not UTF-16 units');
  assert.equal(validateName('a\u0007b').ok, false);
  assert.equal(validateName('a\u200Eb').ok, false);
});

test('swipes: the longer axis wins once past the threshold', () => {
  assert.equal(swipeDirection(5, 3, 10), null);
  assert.equal(swipeDirection(30, 10, 10), 'right');
  assert.equal(swipeDirection(-30, 10, 10), 'left');
  assert.equal(swipeDirection(3, -12, 10), 'up');
  assert.equal(swipeDirection(3, 40, 10), 'down');
});

test('formats: thousands and durations', () => {
  assert.equal(formatNumber(1234567), '1,234,567');
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(75), '1:15');
  assert.equal(formatDuration(3725), '1:02:05');
});

test('the pixel font draws what it knows and marks the rest', () => {
  assert.equal(normalizeText('pod-1a.b'), 'POD-1A.B');
  assert.equal(normalizeText('é<'), '??');
  assert.equal(textWidth('AB', 1), 11);
});
