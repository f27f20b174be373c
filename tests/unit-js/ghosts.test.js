import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chaseTarget, targetFor, chooseDirection, exitsFrom, SCATTER_TARGETS,
} from '../../static/js/rules/ghosts.js';

const pac = { col: 10, row: 20, dir: 'right' };
const blinky = { col: 5, row: 15 };

test('Blinky targets the tile Pacman is on', () => {
  assert.deepEqual(chaseTarget('blinky', pac, blinky, blinky), { col: 10, row: 20 });
});

test('Pinky targets four tiles ahead of Pacman; facing up, four up and four left (the arcade\'s overflow)', () => {
  const ahead = (dir) => chaseTarget('pinky', { ...pac, dir }, blinky, { col: 1, row: 1 });
  assert.deepEqual(ahead('right'), { col: 14, row: 20 });
  assert.deepEqual(ahead('left'), { col: 6, row: 20 });
  assert.deepEqual(ahead('down'), { col: 10, row: 24 });
  // The Dossier: with Pac-Man facing up, Pinky's target is 4 tiles up and 4 to the left.
  assert.deepEqual(ahead('up'), { col: 6, row: 16 });
});

test('Inky doubles the vector from Blinky to two tiles ahead of Pacman; facing up, the pivot is two up and two left', () => {
  // two ahead of (10,20) facing right is (12,20); from Blinky (5,15) that is (+7,+5); doubled -> (19,25)
  assert.deepEqual(chaseTarget('inky', pac, blinky, { col: 1, row: 1 }), { col: 19, row: 25 });
  // Facing up the pivot is (8,18), not (10,18): from Blinky (5,15) that is (+3,+3) -> (11,21).
  assert.deepEqual(chaseTarget('inky', { ...pac, dir: 'up' }, blinky, { col: 1, row: 1 }), { col: 11, row: 21 });
  // Blinky on the pivot itself: Inky targets the pivot
  assert.deepEqual(chaseTarget('inky', { col: 10, row: 20, dir: 'up' }, { col: 8, row: 18 }, blinky), { col: 8, row: 18 });
});

test('Clyde chases from 8 tiles away or more, and heads for his corner when closer', () => {
  const far = { col: 10, row: 12 }; // exactly 8 tiles above Pacman
  assert.deepEqual(chaseTarget('clyde', pac, blinky, far), { col: 10, row: 20 });
  const near = { col: 10, row: 13 }; // 7 tiles
  assert.deepEqual(chaseTarget('clyde', pac, blinky, near), SCATTER_TARGETS.clyde);
  const diagonal = { col: 16, row: 14 }; // sqrt(72) > 8
  assert.deepEqual(chaseTarget('clyde', pac, blinky, diagonal), { col: 10, row: 20 });
});

test('in scatter each ghost heads for its own corner outside the maze', () => {
  const targets = ['blinky', 'pinky', 'inky', 'clyde'].map((n) => targetFor(n, 'scatter', pac, blinky, blinky));
  assert.deepEqual(targets, [{ col: 25, row: -3 }, { col: 2, row: -3 }, { col: 27, row: 32 }, { col: 0, row: 32 }]);
});

test('"Cruise Elroy" Blinky keeps chasing during scatter', () => {
  assert.deepEqual(targetFor('blinky', 'scatter', pac, blinky, blinky, true), { col: 10, row: 20 });
  assert.deepEqual(targetFor('pinky', 'scatter', pac, blinky, blinky, true), SCATTER_TARGETS.pinky);
});

test('a ghost picks the exit nearest its target and never turns back', () => {
  // At (6,5), heading right: exits right, down (6,6), up (6,4). Target far left: reversing is not allowed.
  assert.deepEqual(exitsFrom(6, 5, 'right'), ['up', 'down', 'right']);
  assert.equal(chooseDirection(6, 5, 'right', { col: 0, row: 5 }), 'up');
  assert.equal(chooseDirection(6, 5, 'right', { col: 6, row: 30 }), 'down');
  assert.equal(chooseDirection(6, 5, 'right', { col: 27, row: 5 }), 'right');
});

test('ties are broken up, left, down, right', () => {
  // At (6,8) heading down ... exits left (5,8) and right? (7,8) is wall; use (1,5) crossing instead.
  // At (6,5) heading down, exits: left (5,5), down (6,6), right (7,5). Target (6,5)+... equidistant:
  // target (6,7): left -> (5,5) d=1+4=5, down (6,6) d=1, right (7,5) d=5 -> down.
  assert.equal(chooseDirection(6, 5, 'down', { col: 6, row: 7 }), 'down');
  // target (6,3) from heading down: left d=1+4=5, right d=5, down d=9 -> tie left/right -> left.
  assert.equal(chooseDirection(6, 5, 'down', { col: 6, row: 3 }), 'left');
});

test('red zones forbid turning up, except when frightened', () => {
  // (12,11) heading left: up (12,10) is open but forbidden.
  assert.deepEqual(exitsFrom(12, 11, 'left'), ['left']);
  assert.equal(chooseDirection(12, 11, 'left', { col: 12, row: -3 }), 'left');
  const always = () => 0; // first exit in order
  assert.equal(chooseDirection(12, 11, 'left', null, { random: always }), 'up');
  assert.deepEqual(exitsFrom(12, 11, 'left', { restrictUp: false }), ['up', 'left']);
});

test('frightened ghosts pick a random direction, and the next open one clockwise when it is closed', () => {
  // At (6,5) heading right the exits are up, down and right; left is back.
  const pick = (r) => chooseDirection(6, 5, 'right', null, { random: () => r });
  assert.equal(pick(0), 'up');
  assert.equal(pick(0.25), 'right');
  assert.equal(pick(0.5), 'down');
  assert.equal(pick(0.75), 'up', 'left is back: clockwise from left comes up');
  // At (1,1) heading left only down is open: up, right (back) and left are closed.
  assert.equal(chooseDirection(1, 1, 'left', null, { random: () => 0 }), 'down');
  assert.equal(chooseDirection(1, 1, 'left', null, { random: () => 0.8 }), 'down');
});
