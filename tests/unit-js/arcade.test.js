// Arcade behaviours a Pac-Man player notices, checked against the figures of the Pac-Man
// Dossier (J. Pittman): turns decided one tile ahead, the latched reversal (and the one-frame
// scatter of levels 2+), ghosts leaving the house to the right after a reversal, the tunnel's
// off-screen tiles, the frightened ghosts' generator restarting each life and level, and the
// 14 + 14 frame flashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Game, STEP } from '../../static/js/rules/game.js';
import { playing } from './support.js';
import { TUNNEL_ROW } from '../../static/js/rules/maze.js';
import { FULL_SPEED, OPPOSITE } from '../../static/js/rules/movement.js';
import { moveGhost } from '../../static/js/rules/ghost-motion.js';
import { modeSchedule } from '../../static/js/rules/modes.js';

// The seed a game gets when none is given (ARCADE_SEED): read from a new game.
const DEFAULT = new Game().seed ?? 1;

/** Keeps everyone but the ghosts named out of the way: in the house, never released. */
function only(g, ...names) {
  for (const ghost of g.ghosts) {
    if (!names.includes(ghost.name)) Object.assign(ghost, { state: 'house', x: 13.5, y: 14 });
  }
  g.house.tick = () => null;
}

test('ghosts decide a turn one tile ahead: on entering a tile, for the tile after it', () => {
  // Row 5 is open from column 1 to 26. A ghost at 7.6 heading left enters tile 7 at x = 7.5.
  const decisions = [];
  const decide = (ghost, col, row, dir) => {
    decisions.push({ col, row, dir, x: ghost.x });
    return dir;
  };
  const g = { x: 7.6, y: 5, dir: 'left', state: 'active' };
  moveGhost(g, 0.25 / FULL_SPEED, { roamSpeed: 1, decide }); // 0.25 tiles
  // Entering tile 7 with nothing planned: it plans 7 (its turn there) and 6, the next one.
  assert.deepEqual(decisions.map((d) => [d.col, d.x]), [[7, 7.5], [6, 7.5]]);
  moveGhost(g, 1 / FULL_SPEED, { roamSpeed: 1, decide }); // to 6.35: through 7's centre, into 6
  // Entering tile 6 at x = 6.5 it decides for tile 5; tile 6 was decided one tile earlier.
  assert.deepEqual(decisions.slice(2).map((d) => [d.col, d.x]), [[5, 6.5]]);
  assert.deepEqual(g.plan, { col: 6, row: 5, dir: 'left' });
  assert.deepEqual(g.nextPlan, { col: 5, row: 5, dir: 'left' });
});

test('a ghost turns at a crossing the way it decided a tile before, even if Pacman has moved since', () => {
  // (6,5) is a crossing: up, left and down are open to a ghost coming from the right.
  const g = playing();
  only(g, 'blinky');
  g.mode = 'chase';
  const blinky = g.ghost('blinky');
  Object.assign(blinky, { x: 7.6, y: 5, dir: 'left', plan: null, nextPlan: null });
  g.pacman.x = 6;
  g.pacman.y = 1; // above the crossing: Blinky, entering tile 7, means to turn up at 6
  for (let i = 0; i < 2; i++) g.moveGhost(blinky, STEP);
  assert.ok(blinky.x < 7.5, 'entered tile 7');
  g.pacman.y = 29; // now far below: a ghost deciding at the centre would go down
  while (blinky.x > 6) g.moveGhost(blinky, STEP);
  for (let i = 0; i < 3; i++) g.moveGhost(blinky, STEP);
  assert.equal(blinky.dir, 'up');
  assert.ok(blinky.y < 5);
});

test('the one-frame scatter of levels 2-4 reverses the ghosts once, at their next tile (the latched flag)', () => {
  // Level 2: chase until 1092 s, scatter for 1/60 s, then chase for good: two mode changes
  // on consecutive frames. The Dossier: the ghosts reverse, once.
  const phases = modeSchedule(2);
  const lastScatter = phases.slice(0, 6).reduce((a, b) => a + b, 0);
  assert.equal(lastScatter, 1092);
  assert.equal(phases[6], 1 / 60);
  const g = playing({ startLevel: 2 });
  only(g, 'blinky');
  const blinky = g.ghost('blinky');
  // Along the bottom corridor, heading right, mid-tile; Pacman stays at his start far above.
  Object.assign(blinky, { x: 8.1, y: 29, dir: 'right', plan: null, nextPlan: null });
  g.modeIndex = 5;
  g.mode = 'chase';
  g.modeTime = lastScatter - STEP / 2;
  const changes = [];
  const xs = [];
  for (let i = 0; i < 20; i++) {
    g.update(STEP);
    changes.push(...g.drainEvents().filter((e) => e.type === 'modeChange').map((e) => e.mode));
    xs.push(blinky.x);
  }
  assert.deepEqual(changes, ['scatter', 'chase'], 'two changes, a frame apart');
  assert.equal(blinky.dir, 'left', 'reversed once, not twice');
  assert.equal(blinky.reverse, false);
  // It went on right to the edge of tile 9 (x = 8.5), turned there, and has been heading left since.
  const turn = xs.indexOf(Math.max(...xs));
  const stepTiles = 0.85 * FULL_SPEED * STEP;
  assert.ok(xs[turn] <= 8.5 && xs[turn] > 8.5 - stepTiles, `turned at the tile edge: ${xs[turn]}`);
  for (let i = 1; i < xs.length; i++) {
    if (i <= turn) assert.ok(xs[i] >= xs[i - 1], 'straight on until the tile edge');
    else assert.ok(xs[i] < xs[i - 1], 'then back, without wobbling');
  }
});

test('a ghost in the house when the ghosts are told to reverse leaves it to the right', () => {
  const leaveAfter = (reversal) => {
    const g = playing();
    const inky = g.ghost('inky'); // waits for 30 dots on level 1
    assert.equal(inky.state, 'house');
    g.house.tick = () => null;
    if (reversal) g.frighten(); // a mode change while Inky is inside
    g.frightLeft = 0;
    for (const ghost of g.ghosts) ghost.frightened = false;
    inky.state = 'leaving';
    for (let i = 0; i < 600 && inky.state !== 'active'; i++) g.moveGhost(inky, STEP);
    assert.equal(inky.state, 'active');
    assert.deepEqual([inky.x, inky.y], [13.5, 11]);
    return inky.dir;
  };
  assert.equal(leaveAfter(false), 'left', 'normally out to the left');
  assert.equal(leaveAfter(true), 'right');
});

test('a ghost leaves to the right after a scatter/chase change it spent in the house, and to the left next time', () => {
  const g = playing();
  const inky = g.ghost('inky');
  g.house.tick = () => null;
  g.modeTime = 7 - STEP / 2; // scatter ends at 7 s
  g.update(STEP);
  assert.equal(g.mode, 'chase');
  inky.state = 'leaving';
  for (let i = 0; i < 600 && inky.state !== 'active'; i++) g.moveGhost(inky, STEP);
  assert.equal(inky.dir, 'right');
  // Eaten and revived without a mode change in between: out to the left.
  Object.assign(inky, { state: 'entering', x: 13.5, y: 11, dir: 'down' });
  for (let i = 0; i < 600 && inky.state !== 'active'; i++) g.moveGhost(inky, STEP);
  assert.equal(inky.dir, 'left');
});

test('level 1: a ghost spends about 4.2 s in the tunnel, its off-screen tiles included', () => {
  // The Dossier: ghosts move at 40 % in the tunnel on level 1; the slow part is 6 visible and
  // 2 off-screen tiles a side: 16 tiles at 0.4 x 75.76 px/s over 8 px tiles = 4.22 s.
  const g = playing();
  only(g, 'blinky');
  g.pacman.x = 1;
  g.pacman.y = 29;
  g.pacman.dir = 'left'; // parked in the bottom left corner
  const blinky = g.ghost('blinky');
  // Just past the centre of (6,14), the crossing before the tunnel, heading left.
  Object.assign(blinky, { x: 5.6, y: TUNNEL_ROW, dir: 'left', plan: null, nextPlan: null });
  let t = 0;
  let entered = null;
  let wrapped = false;
  let left = null;
  while (left === null && t < 10) {
    const x0 = blinky.x;
    g.update(STEP);
    t += STEP;
    if (entered === null && blinky.x < 5.5) entered = t;
    if (blinky.x > x0 + 1) wrapped = true;
    if (wrapped && blinky.x < 21.5) left = t;
    assert.equal(blinky.y, TUNNEL_ROW);
  }
  assert.ok(wrapped, 'it went out one side and came in the other');
  const seconds = left - entered;
  assert.ok(Math.abs(seconds - 16 / (0.4 * FULL_SPEED)) < 2 * STEP, `${seconds.toFixed(3)} s in the tunnel`);
  assert.ok(seconds > 4.1 && seconds < 4.3);
});

test('frightened ghosts repeat their moves after a lost life and on a new level: the generator restarts', () => {
  // Blinky alone, frightened from his start for 6 s: his path depends only on the generator.
  const frightenedPath = (g) => {
    only(g, 'blinky');
    g.pacman.x = 1;
    g.pacman.y = 29; // far away, in a corner
    g.frighten();
    const path = [];
    for (let i = 0; i < 359; i++) {
      g.update(STEP);
      path.push(`${g.ghost('blinky').x.toFixed(3)},${g.ghost('blinky').y.toFixed(3)}`);
    }
    return path;
  };
  const fresh = frightenedPath(playing({ seed: DEFAULT }));

  // The same game, after a fright that used the generator and a lost life.
  const g = playing({ seed: DEFAULT });
  frightenedPath(g);
  g.afterDeath();
  while (g.phase !== 'playing') g.update(STEP);
  assert.equal(g.lives, 2);
  assert.deepEqual(frightenedPath(g), fresh, 'after a lost life');

  // And at the start of the next level.
  g.nextLevel();
  g.level = 1; // same speeds and fright time as the first path
  g.spec = playing().spec;
  while (g.phase !== 'playing') g.update(STEP);
  assert.deepEqual(frightenedPath(g), fresh, 'on a new level');

  assert.ok(new Set(fresh).size > 300, 'he did move');
  // ?seed= picks another sequence.
  const draws = (seed) => {
    const r = playing({ seed }).frightRandom;
    return Array.from({ length: 20 }, () => r());
  };
  assert.deepEqual(draws(DEFAULT), draws(DEFAULT));
  assert.notDeepEqual(draws(12345), draws(DEFAULT));
});

test('a game shows frightened ghosts flashing 14 frames white and 14 blue, five times on level 1', () => {
  const g = playing();
  only(g, 'blinky');
  g.pacman.x = 1;
  g.pacman.y = 29;
  g.frighten();
  const runs = [];
  while (g.frightLeft > 0) {
    g.update(STEP);
    if (g.frightLeft <= 0) break;
    const white = g.frightWhite;
    if (runs.length && runs.at(-1)[0] === white) runs.at(-1)[1]++;
    else runs.push([white, 1]);
  }
  const flashes = runs.slice(1);
  assert.equal(flashes.length, 10);
  for (const [, frames] of flashes) assert.equal(frames, 14);
  assert.equal(runs[0][0], false, 'blue first');
  assert.equal(runs[0][1] + 1 + 140, 360, 'six seconds in all');
});

test('reversal orders do not pile up: a ghost told twice before its next tile turns once', () => {
  const g = playing();
  only(g, 'blinky');
  const blinky = g.ghost('blinky');
  Object.assign(blinky, { x: 3.2, y: 5, dir: 'right', plan: null, nextPlan: null });
  g.orderReversal();
  g.orderReversal();
  for (let i = 0; i < 10; i++) g.moveGhost(blinky, STEP);
  assert.equal(blinky.dir, OPPOSITE.right);
});
