import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modeAt, modeSchedule, frightSeconds, flashCount, frightFlashWhite, FLASH_PERIOD } from '../../static/js/rules/modes.js';
import { Game, STEP } from '../../static/js/rules/game.js';

test('level 1 alternates scatter 7, chase 20, scatter 7, chase 20, scatter 5, chase 20, scatter 5, then chase for good', () => {
  const at = (t) => modeAt(1, t).mode;
  assert.equal(at(0), 'scatter');
  assert.equal(at(6.99), 'scatter');
  assert.equal(at(7), 'chase');
  assert.equal(at(26.99), 'chase');
  assert.equal(at(27), 'scatter');
  assert.equal(at(34), 'chase');
  assert.equal(at(54), 'scatter');
  assert.equal(at(59), 'chase');
  assert.equal(at(79), 'scatter');
  assert.equal(at(84), 'chase');
  assert.equal(at(10000), 'chase');
  assert.equal(modeAt(1, 10000).index, 7);
});

test('levels 2-4 and 5+ have a long third chase and a one-frame last scatter', () => {
  assert.deepEqual(modeSchedule(2).slice(0, 6), [7, 20, 7, 20, 5, 1033]);
  assert.equal(modeSchedule(4), modeSchedule(2));
  assert.deepEqual(modeSchedule(5).slice(0, 6), [5, 20, 5, 20, 5, 1037]);
  assert.equal(modeAt(5, 4.99).mode, 'scatter');
  assert.equal(modeAt(5, 5).mode, 'chase');
  assert.equal(modeAt(2, 1092 + 1 / 120).mode, 'scatter');
  assert.equal(modeAt(2, 1092 + 1 / 30).mode, 'chase');
});

test('frightened time shortens with the levels and ends at 19', () => {
  const table = Array.from({ length: 21 }, (_, i) => frightSeconds(i + 1));
  assert.deepEqual(table, [6, 5, 4, 3, 2, 5, 2, 2, 1, 5, 2, 1, 1, 3, 1, 1, 0, 1, 0, 0, 0]);
  assert.equal(flashCount(1), 5);
  assert.equal(flashCount(9), 3);
});

test('frightened ghosts flash white the right number of times just before fright ends', () => {
  for (const level of [1, 9]) {
    const total = frightSeconds(level);
    let flashes = 0;
    let was = false;
    for (let left = total; left > 0; left -= 1 / 600) {
      const white = frightFlashWhite(level, left);
      if (white && !was) flashes++;
      was = white;
    }
    assert.equal(flashes, flashCount(level), `level ${level}`);
  }
  // Level 1: 6 s of fright, blue until the last 5 flashes of 0.4 s.
  assert.equal(frightFlashWhite(1, 5.9), false, 'blue at first');
  assert.equal(frightFlashWhite(1, 5 * FLASH_PERIOD + 0.01), false, 'blue until flashing begins');
  assert.equal(frightFlashWhite(1, 5 * FLASH_PERIOD - 0.01), true, 'white when flashing begins');
  assert.equal(frightFlashWhite(1, FLASH_PERIOD / 4), false, 'blue again for the last half flash');
});

function playing(options = {}) {
  const g = new Game({ seed: 3, ...options });
  g.start();
  while (g.phase !== 'playing') g.update(STEP);
  g.drainEvents();
  return g;
}

test('a mode change turns every roaming ghost around', () => {
  const g = playing();
  // Keep Pacman out of harm's way: he stops against the wall at (6,23).
  let before = null;
  let events = [];
  while (!events.length && g.modeTime < 8) {
    before = g.ghosts.filter((x) => x.state === 'active').map((x) => [x.name, x.dir]);
    g.update(STEP);
    events = g.drainEvents().filter((e) => e.type === 'modeChange');
  }
  assert.ok(Math.abs(g.modeTime - 7) < STEP);
  assert.deepEqual(events, [{ type: 'modeChange', mode: 'chase' }]);
  assert.ok(before.length >= 1);
  for (const [name, dir] of before) {
    const now = g.ghost(name);
    assert.notEqual(now.dir, dir, `${name} reversed`);
  }
});

test('an energizer frightens the ghosts for the level\'s time, and the mode clock waits meanwhile', () => {
  for (const [level, seconds] of [[1, 6], [2, 5], [5, 2]]) {
    const g = playing({ startLevel: level });
    g.update(STEP);
    const modeTime = g.modeTime;
    g.pellets.eat = () => 'energizer'; // the next pellet check finds an energizer
    g.eatPellet();
    delete g.pellets.eat;
    assert.ok(g.ghosts.every((x) => x.frightened), `level ${level}: all frightened`);
    assert.ok(Math.abs(g.frightLeft - seconds) < 1e-9);
    let t = 0;
    while (g.frightLeft > 0 && g.phase === 'playing') {
      g.update(STEP);
      t += STEP;
    }
    if (g.phase !== 'playing') continue; // a frightened ghost was eaten en route; other levels cover it
    assert.ok(Math.abs(t - seconds) < 2 * STEP, `level ${level}: ${t}`);
    assert.ok(Math.abs(g.modeTime - modeTime) < 2 * STEP, 'mode clock stood still');
    assert.ok(g.ghosts.every((x) => !x.frightened));
    assert.ok(g.drainEvents().some((e) => e.type === 'frightEnd'));
  }
});

test('from level 19 an energizer only turns the ghosts around', () => {
  const g = playing({ startLevel: 19 });
  const blinky = g.ghost('blinky');
  const dir = blinky.dir;
  g.frighten();
  assert.equal(g.frightLeft, 0);
  assert.ok(g.ghosts.every((x) => !x.frightened));
  assert.notEqual(blinky.dir, dir);
});
