import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modeAt, modeSchedule, frightSeconds, flashCount, frightFlashWhite, FLASH_PERIOD } from '../../static/js/rules/modes.js';
import { STEP } from '../../static/js/rules/game.js';
import { playing } from './support.js';
import { OPPOSITE } from '../../static/js/rules/movement.js';

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

/** The fright of `level` frame by frame at 60 Hz: runs of [white?, frames]. */
function flashRuns(level) {
  const frames = Math.round(frightSeconds(level) * 60);
  const runs = [];
  for (let k = frames; k >= 1; k--) {
    const white = frightFlashWhite(level, k / 60);
    if (runs.length && runs.at(-1)[0] === white) runs.at(-1)[1]++;
    else runs.push([white, 1]);
  }
  return runs;
}

test('frightened ghosts flash 14 frames white, 14 blue, the level\'s number of times, ending as fright ends', () => {
  // Level 1: 6 s (360 frames); the last 5 flashes take 140 frames, blue before them.
  assert.equal(FLASH_PERIOD, 28 / 60);
  assert.deepEqual(flashRuns(1), [[false, 220], [true, 14], [false, 14], [true, 14], [false, 14], [true, 14],
    [false, 14], [true, 14], [false, 14], [true, 14], [false, 14]]);
  assert.equal(flashCount(1), 5);
  // Level 14: 3 s, 5 flashes.
  assert.equal(flashRuns(14).filter(([white]) => white).length, 5);
  // Level 9: 1 s of fright is shorter than its 3 flashes (84 frames): the first one is cut short
  // and the last still ends, blue, with the fright.
  const nine = flashRuns(9);
  assert.deepEqual(nine, [[false, 4], [true, 14], [false, 14], [true, 14], [false, 14]]);
  assert.equal(frightFlashWhite(1, 0), false);
  assert.equal(frightFlashWhite(1, 5.9), false, 'blue at first');
});

test('a mode change tells every roaming ghost to reverse; each does at the next tile it enters', () => {
  const g = playing();
  // Keep Pacman out of harm's way: he stops against the wall at (6,23).
  let before = null;
  let events = [];
  while (!events.length && g.modeTime < 8) {
    before = g.ghosts.filter((x) => x.state === 'active').map((x) => [x.name, x.dir, tileKey(x)]);
    g.update(STEP);
    events = g.drainEvents().filter((e) => e.type === 'modeChange');
  }
  assert.ok(Math.abs(g.modeTime - 7) < STEP);
  assert.deepEqual(events, [{ type: 'modeChange', mode: 'chase' }]);
  assert.ok(before.length >= 1);
  for (const [name] of before) assert.equal(g.ghost(name).reverse, true, `${name} latched the reversal`);
  // Within a tile's travel (0.14 s at 75 %) each has reversed, where it entered its next tile.
  const seen = new Map(before.map(([name, dir]) => [name, { dir, reversed: false }]));
  for (let i = 0; i < 12; i++) {
    g.update(STEP);
    for (const [name, s] of seen) {
      const ghost = g.ghost(name);
      if (!ghost.reverse && !s.reversed) {
        s.reversed = true;
        assert.equal(ghost.dir, OPPOSITE[s.dir], `${name} turned round`);
        const along = ghost.dir === 'left' || ghost.dir === 'right' ? ghost.x : ghost.y;
        assert.ok(Math.abs(along - Math.round(along)) > 0.2, `${name} turned near a tile edge, not a centre`);
      }
    }
  }
  for (const [name, s] of seen) assert.ok(s.reversed, `${name} reversed`);
});

function tileKey(x) {
  return `${Math.round(x.x)},${Math.round(x.y)}`;
}

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
  assert.equal(blinky.reverse, true);
  for (let i = 0; i < 10; i++) g.update(STEP);
  assert.equal(blinky.dir, OPPOSITE[dir]);
});
