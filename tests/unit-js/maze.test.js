import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COLS, ROWS, TUNNEL_ROW, Pellets, tileAt, isOpen, isWall, isDoor, isTunnel, isRedZone, wrapCol,
  PACMAN_START,
} from '../../static/js/rules/maze.js';

test('the maze is 28x31 with 240 dots and 4 energizers', () => {
  assert.equal(COLS, 28);
  assert.equal(ROWS, 31);
  const p = new Pellets();
  let dots = 0;
  let energizers = 0;
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      if (p.at(c, r) === 'dot') dots++;
      if (p.at(c, r) === 'energizer') energizers++;
    }
  }
  assert.equal(dots, 240);
  assert.equal(energizers, 4);
  assert.equal(p.total, 244);
  assert.deepEqual(['1,3', '26,3', '1,23', '26,23'].map((k) => p.at(...k.split(',').map(Number))),
    ['energizer', 'energizer', 'energizer', 'energizer']);
});

test('the maze is left-right symmetric', () => {
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) assert.equal(tileAt(c, r), tileAt(COLS - 1 - c, r), `tile ${c},${r}`);
  }
});

test('the tunnel is open at both ends and two tiles past each edge, off screen, then wraps; elsewhere outside is wall', () => {
  for (const col of [0, 27, -1, -2, 28, 29, -3, 30]) assert.ok(isOpen(col, TUNNEL_ROW), `column ${col}`);
  assert.ok(isWall(-1, TUNNEL_ROW - 1));
  assert.ok(isWall(5, -1));
  assert.ok(isWall(5, ROWS));
  assert.equal(wrapCol(-1), -1);
  assert.equal(wrapCol(-2), -2);
  assert.equal(wrapCol(-3), 29, 'past the last off-screen tile on the left: the last one on the right');
  assert.equal(wrapCol(30), -2);
  assert.equal(wrapCol(28), 28);
  assert.equal(wrapCol(5), 5);
  // Ghosts are slow on 6 visible and 2 off-screen tiles a side.
  const slow = [];
  for (let col = -2; col < 30; col++) if (isTunnel(col, TUNNEL_ROW)) slow.push(col);
  assert.deepEqual(slow, [-2, -1, 0, 1, 2, 3, 4, 5, 22, 23, 24, 25, 26, 27, 28, 29]);
  assert.ok(!isTunnel(0, 13));
});

test('the ghost-house door is closed to roaming actors; red zones are the four known tiles', () => {
  assert.ok(isDoor(13, 12) && isDoor(14, 12));
  assert.ok(!isOpen(13, 12));
  assert.ok(isOpen(13, 14), 'inside the house');
  const zones = [];
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) if (isRedZone(c, r)) zones.push(`${c},${r}`);
  assert.deepEqual(zones, ['12,11', '15,11', '12,23', '15,23']);
});

test('Pacman starts between two open tiles with no pellet under him', () => {
  const p = new Pellets();
  assert.ok(isOpen(13, PACMAN_START.y) && isOpen(14, PACMAN_START.y));
  assert.equal(p.at(13, PACMAN_START.y), null);
  assert.equal(p.at(14, PACMAN_START.y), null);
});

test('eating removes a pellet once and counts it', () => {
  const p = new Pellets();
  assert.equal(p.eat(1, 1), 'dot');
  assert.equal(p.eat(1, 1), null);
  assert.equal(p.eat(1, 3), 'energizer');
  assert.equal(p.eaten, 2);
  assert.equal(p.remaining, 242);
  assert.equal(p.eat(-1, TUNNEL_ROW), null);
});

test('the test switch keeps only the pellets on Pacman\'s way left from the start', () => {
  const p = new Pellets();
  p.keepNearest(4, PACMAN_START.x, PACMAN_START.y);
  assert.equal(p.remaining, 4);
  assert.equal(p.total, 4);
  const kept = [];
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) if (p.at(c, r)) kept.push(`${c},${r}`);
  assert.deepEqual(kept, ['9,23', '10,23', '11,23', '12,23']);
});
