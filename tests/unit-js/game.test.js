import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Game, STEP, TIMING } from '../../static/js/rules/game.js';
import { TUNNEL_ROW } from '../../static/js/rules/maze.js';
import { tilesPerSecond } from '../../static/js/rules/movement.js';
import * as levels from '../../static/js/rules/levels.js';

function run(g, seconds) {
  const events = [];
  for (let t = 0; t < seconds - 1e-9; t += STEP) {
    g.update(STEP);
    events.push(...g.drainEvents());
  }
  return events;
}

function untilPhase(g, phase, limit = 120) {
  const events = [];
  for (let t = 0; g.phase !== phase; t += STEP) {
    if (t > limit) throw new Error(`no ${phase} within ${limit}s (in ${g.phase})`);
    g.update(STEP);
    events.push(...g.drainEvents());
  }
  return events;
}

test('the title screen waits; start shows READY for the opening tune, then play begins', () => {
  const g = new Game();
  assert.equal(g.phase, 'attract');
  run(g, 5);
  assert.equal(g.phase, 'attract');
  g.start();
  assert.equal(g.phase, 'ready');
  assert.deepEqual(g.drainEvents(), [{ type: 'start', level: 1, lives: 3 }]);
  run(g, TIMING.readyFirst - 0.1);
  assert.equal(g.phase, 'ready');
  assert.equal(g.pacman.x, 13.5, 'nobody moves during READY');
  run(g, 0.2);
  assert.equal(g.phase, 'playing');
});

test('Pacman moves at the level speed and dots score 10 each', () => {
  const g = new Game();
  g.start();
  untilPhase(g, 'playing');
  const events = run(g, 0.5);
  const dots = events.filter((e) => e.type === 'dot').length;
  assert.ok(dots >= 3, `${dots} dots`);
  assert.equal(g.score, dots * 10);
  // 0.5 s at 80% less one frame per dot eaten
  const expected = 13.5 - tilesPerSecond(0.8) * (0.5 - dots / 60);
  assert.ok(Math.abs(g.pacman.x - expected) < 0.02, `${g.pacman.x} vs ${expected}`);
});

test('Pacman is faster on later levels', () => {
  const distance = (level) => {
    const g = new Game({ startLevel: level, keepDots: 5 });
    g.start();
    untilPhase(g, 'playing');
    g.pacman.x = 1; g.pacman.y = 29; g.pacman.dir = 'right'; // an empty corridor
    run(g, 1);
    return g.pacman.x - 1;
  };
  const [l1, l2, l5] = [1, 2, 5].map(distance);
  assert.ok(l1 < l2 && l2 < l5, `${l1} ${l2} ${l5}`);
  assert.ok(Math.abs(l5 - tilesPerSecond(1)) < 0.01);
});

test('ghosts slow down in the tunnel', () => {
  const g = new Game({ keepDots: 5 });
  g.start();
  untilPhase(g, 'playing');
  const blinky = g.ghost('blinky');
  Object.assign(blinky, { x: 3, y: TUNNEL_ROW, dir: 'left' });
  g.update(STEP);
  assert.ok(Math.abs((3 - blinky.x) - tilesPerSecond(0.4) * STEP) < 1e-6);
  const pinky = g.ghost('pinky'); // Blinky is "Elroy" with only 5 dots left
  Object.assign(pinky, { x: 8, y: 11, dir: 'right', state: 'active' });
  g.update(STEP);
  assert.ok(Math.abs((pinky.x - 8) - tilesPerSecond(0.75) * STEP) < 1e-6);
});

test('a ghost moving fast towards Pacman cannot jump over him between two frames', () => {
  const g = new Game();
  g.start();
  untilPhase(g, 'playing');
  // Pacman heads left from 13.5; Blinky comes right from 12.2: both cross in one long step.
  Object.assign(g.ghost('blinky'), { x: 12.2, y: 23, dir: 'right', state: 'active' });
  g.update(0.25); // 0.25 s in one step: 1.9 tiles for Pacman, 1.8 for Blinky
  assert.equal(g.phase, 'dying');
});

test('losing all three lives ends the game; each loss goes through the death animation', () => {
  const g = new Game({ seed: 2 });
  g.start();
  const events = untilPhase(g, 'gameOver', 300);
  const types = events.map((e) => e.type);
  assert.equal(types.filter((t) => t === 'death').length, 3);
  assert.equal(types.filter((t) => t === 'deathAnimation').length, 3);
  assert.deepEqual(events.filter((e) => e.type === 'lifeLost').map((e) => e.lives), [2, 1, 0]);
  assert.deepEqual(events.at(-1), { type: 'gameOver', score: g.score, level: 1 });
  assert.equal(g.lives, 0);
  run(g, 5);
  assert.equal(g.phase, 'gameOver', 'stays over');
});

test('after a lost life everyone starts over and READY shows again', () => {
  const g = new Game({ seed: 2 });
  g.start();
  untilPhase(g, 'dying');
  const score = g.score;
  untilPhase(g, 'ready');
  assert.equal(g.lives, 2);
  assert.equal(g.score, score, 'score kept');
  assert.deepEqual([g.pacman.x, g.pacman.y], [13.5, 23]);
  assert.deepEqual(g.ghosts.map((x) => x.state), ['active', 'house', 'house', 'house']);
  assert.equal(g.house.globalActive, true);
});

test('clearing the last pellet completes the level; the next one starts faster', () => {
  const g = new Game({ keepDots: 3 });
  g.start();
  const events = untilPhase(g, 'levelComplete', 30);
  assert.equal(events.filter((e) => e.type === 'dot').length, 3);
  assert.deepEqual(events.at(-1), { type: 'levelComplete', level: 1 });
  const next = untilPhase(g, 'ready', 10);
  assert.deepEqual(next.at(-1), { type: 'levelStart', level: 2 });
  assert.equal(g.level, 2);
  assert.equal(g.pellets.remaining, 3);
  assert.equal(g.spec.pacman, 0.9);
});

test('an intermission plays after level 2 and can be skipped, but not in its first half second', () => {
  const g = new Game({ keepDots: 3, startLevel: 2 });
  g.start();
  untilPhase(g, 'levelComplete', 30);
  const events = untilPhase(g, 'intermission', 10);
  assert.deepEqual(events.at(-1), { type: 'intermission', level: 2, act: 1 });
  assert.equal(g.skipIntermission(), false, 'too soon');
  run(g, 0.45);
  assert.equal(g.skipIntermission(), false, 'still too soon');
  assert.equal(g.phase, 'intermission');
  run(g, 0.1);
  assert.equal(g.skipIntermission(), true);
  assert.equal(g.phase, 'ready');
  assert.equal(g.level, 3);
});

test('the three acts come after levels 2, 5 and 9; 13 and 17 repeat the third; each plays to its end', () => {
  const acts = [];
  for (let level = 1; level <= 21; level++) {
    const g = new Game({ keepDots: 1, startLevel: level });
    g.start();
    untilPhase(g, 'levelComplete', 30);
    const events = run(g, TIMING.levelFreeze + TIMING.levelFlash + 0.05);
    const shown = events.find((e) => e.type === 'intermission');
    if (!shown) {
      assert.equal(g.level, level + 1, `level ${level}: straight on`);
      continue;
    }
    acts.push([level, shown.act]);
    const seconds = levels.intermissionSeconds?.(shown.act);
    assert.ok(seconds >= 6 && seconds <= 12, `act ${shown.act}: ${seconds} s`);
    run(g, seconds - 0.2);
    assert.equal(g.phase, 'intermission', 'still playing');
    run(g, 0.3);
    assert.equal(g.phase, 'ready');
    assert.equal(g.level, level + 1);
  }
  assert.deepEqual(acts, [[2, 1], [5, 2], [9, 3], [13, 3], [17, 3]]);
});

test('fruit appears after 70 pellets and 170, and scores when eaten', () => {
  const g = new Game();
  g.start();
  untilPhase(g, 'playing');
  const eatSome = (n) => {
    for (let i = 0, c = 0; c < n; i++) {
      const col = i % 28;
      const row = Math.floor(i / 28);
      if (g.pellets.at(col, row) === 'dot') { g.pellets.eat(col, row); c++; }
    }
  };
  eatSome(69);
  g.pellets.grid[23 * 28 + 12] = 1; g.pellets.remaining++; // one more dot right by Pacman at (12,23)
  run(g, 0.3);
  assert.ok(g.fruit, 'fruit shown');
  assert.equal(g.fruit.kind, 'cherry');
  assert.ok(g.fruit.timeLeft > 9 && g.fruit.timeLeft <= 10);
  g.pacman.x = 12; g.pacman.y = 17; g.pacman.dir = 'right';
  const before = g.score;
  const events = run(g, 0.5);
  assert.ok(events.some((e) => e.type === 'fruitEaten' && e.points === 100));
  assert.ok(g.score - before >= 100);
  assert.equal(g.fruit, null);
  assert.ok(g.popups.some((p) => p.text === '100'));
});

test('fruit that is not eaten goes away after about ten seconds', () => {
  const g = new Game();
  g.start();
  untilPhase(g, 'playing');
  g.fruit = { kind: 'cherry', points: 100, timeLeft: 9.5 };
  for (const gh of g.ghosts) gh.state = 'house';
  g.house.tick = () => null; // nobody comes out to disturb the wait
  run(g, 9.4);
  assert.ok(g.fruit);
  run(g, 0.2);
  assert.equal(g.fruit, null);
});

test('Blinky turns Elroy when few dots remain, and goes faster', () => {
  const g = new Game({ keepDots: 25 });
  g.start();
  untilPhase(g, 'playing');
  assert.equal(g.elroy, 0);
  g.pellets.remaining = 20;
  assert.equal(g.elroy, 1);
  assert.equal(g.ghostSpeed(Object.assign({}, g.ghost('blinky'), { x: 8, y: 11 })), 0.8);
  g.pellets.remaining = 10;
  assert.equal(g.elroy, 2);
  assert.equal(g.ghostSpeed(Object.assign({}, g.ghost('pinky'), { x: 8, y: 11 })), 0.75, 'only Blinky');
});

test('pause freezes everything; the buffered turn waits for the opening', () => {
  const g = new Game();
  g.start();
  untilPhase(g, 'playing');
  g.setPaused(true);
  const x = g.pacman.x;
  run(g, 2);
  assert.equal(g.pacman.x, x);
  g.setPaused(false);
  g.setDirection('up');
  run(g, 0.1);
  assert.equal(g.pacman.dir, 'left');
  assert.equal(g.pacman.next, 'up');
  run(g, 0.4);
  assert.equal(g.pacman.dir, 'up');
});

test('live stats report score, level, lives and whole seconds of play', () => {
  const g = new Game();
  g.start();
  run(g, 6.5);
  const s = g.stats();
  assert.equal(s.level, 1);
  assert.equal(s.lives, 3);
  assert.equal(s.elapsedTime, 6);
  assert.equal(s.score, g.score);
});

test('the same seed plays the same game', () => {
  const play = () => {
    const g = new Game({ seed: 42 });
    g.start();
    untilPhase(g, 'gameOver', 300);
    return [g.score, g.clock.toFixed(3)];
  };
  assert.deepEqual(play(), play());
});
