import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ghostPoints, fruitForLevel, earnsExtraLife, makesTopTen, DOT_POINTS, ENERGIZER_POINTS,
} from '../../static/js/rules/scoring.js';
import { Game, STEP } from '../../static/js/rules/game.js';

test('pellets score 10 and 50', () => {
  assert.equal(DOT_POINTS, 10);
  assert.equal(ENERGIZER_POINTS, 50);
});

test('successive ghosts on one energizer score 200, 400, 800, 1600', () => {
  assert.deepEqual([0, 1, 2, 3].map(ghostPoints), [200, 400, 800, 1600]);
  assert.equal(ghostPoints(7), 1600);
});

test('fruit by level: cherry 100 up to the key at 5000', () => {
  const table = [1, 2, 3, 5, 7, 9, 11, 13, 30].map((l) => `${fruitForLevel(l).kind}:${fruitForLevel(l).points}`);
  assert.deepEqual(table, ['cherry:100', 'strawberry:300', 'orange:500', 'apple:700', 'melon:1000',
    'flagship:2000', 'bell:3000', 'key:5000', 'key:5000']);
});

test('the extra life comes when crossing 10,000, once', () => {
  assert.ok(earnsExtraLife(9990, 10000));
  assert.ok(earnsExtraLife(9800, 11400));
  assert.ok(!earnsExtraLife(10000, 10010));
  assert.ok(!earnsExtraLife(5000, 9990));
});

test('a score makes the top ten when the list is short or it beats the tenth', () => {
  const list = Array.from({ length: 10 }, (_, i) => ({ score: 1000 - i * 100 })); // 1000 .. 100
  assert.ok(makesTopTen(101, list));
  assert.ok(!makesTopTen(100, list), 'a tie goes to the earlier score');
  assert.ok(makesTopTen(10, list.slice(0, 9)));
  assert.ok(!makesTopTen(0, []), 'nothing to save');
});

function frightenedGame() {
  const g = new Game({ seed: 5 });
  g.start();
  while (g.phase !== 'playing') g.update(STEP);
  g.frighten();
  g.ghosts.forEach((gh) => Object.assign(gh, { state: 'active', frightened: true }));
  g.drainEvents();
  return g;
}

test('eating frightened ghosts in a row scores the chain, freezes, and sends them home as eyes', () => {
  const g = frightenedGame();
  const points = [];
  for (const gh of g.ghosts) {
    // Put the ghost just in front of Pacman, coming his way.
    Object.assign(gh, { x: g.pacman.x - 0.4, y: g.pacman.y, dir: 'right' });
    const score = g.score;
    g.update(STEP);
    const events = g.drainEvents();
    const eaten = events.find((e) => e.type === 'ghostEaten');
    assert.ok(eaten, `${gh.name} eaten`);
    points.push(eaten.points);
    assert.ok(g.score - score >= eaten.points);
    assert.equal(g.phase, 'ghostEaten', 'the game freezes on each ghost');
    assert.equal(gh.state, 'eyes');
    assert.equal(gh.frightened, false);
    const x = g.pacman.x;
    while (g.phase === 'ghostEaten') g.update(STEP);
    assert.equal(g.pacman.x, x, 'Pacman waited during the freeze');
  }
  assert.deepEqual(points, [200, 400, 800, 1600]);
});

test('eyes go home, revive in the house and come out again', () => {
  const g = frightenedGame();
  const blinky = g.ghost('blinky');
  Object.assign(blinky, { x: 1, y: 29, dir: 'right', state: 'eyes', frightened: false });
  const states = new Set();
  for (let i = 0; i < 60 * 20 && !(states.has('leaving') && blinky.state === 'active'); i++) {
    g.pacman.x = 6; g.pacman.y = 23; g.pacman.dir = 'left'; // keep him parked out of the way
    g.update(STEP);
    states.add(blinky.state);
  }
  assert.deepEqual([...states], ['eyes', 'entering', 'leaving', 'active']);
  assert.equal(blinky.frightened, false, 'revived ghosts are no longer frightened');
  assert.ok(g.drainEvents().some((e) => e.type === 'ghostRevived'));
});

test('a new energizer restarts the chain at 200', () => {
  const g = frightenedGame();
  g.ghostChain = 3;
  g.frighten();
  assert.equal(g.ghostChain, 0);
});

test('the game grants one extra life at 10,000', () => {
  const g = new Game();
  g.start();
  g.addScore(9990);
  assert.equal(g.lives, 3);
  g.addScore(10);
  assert.equal(g.lives, 4);
  g.addScore(10000);
  assert.equal(g.lives, 4, 'only one');
  assert.deepEqual(g.drainEvents().filter((e) => e.type === 'extraLife'), [{ type: 'extraLife', lives: 4 }]);
});
