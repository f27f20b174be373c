import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  stepPacman, stepGhost, wrapX, tilesPerSecond, closestApproach, collided, FULL_SPEED, OPPOSITE,
} from '../../static/js/rules/movement.js';
import { isOpen, TUNNEL_ROW, COLS } from '../../static/js/rules/maze.js';

const pac = (x, y, dir, next = null) => ({ x, y, dir, next });

/** Moves Pacman in small steps until pred is true; returns the distance travelled. */
function runUntil(p, pred, step = 0.05, limit = 200) {
  let travelled = 0;
  for (let i = 0; i < limit / step && !pred(p); i++) {
    stepPacman(p, step);
    travelled += step;
  }
  return travelled;
}

test('full speed is the arcade figure, 75.76 px/s over 8 px tiles', () => {
  assert.ok(Math.abs(FULL_SPEED - 9.4697) < 1e-3);
  assert.ok(Math.abs(tilesPerSecond(0.8) - 7.5758) < 1e-3);
});

test('Pacman stops at the centre of the tile before a wall', () => {
  const p = pac(13.5, 23, 'left');
  stepPacman(p, 20);
  assert.deepEqual({ x: p.x, y: p.y }, { x: 6, y: 23 });
  assert.equal(stepPacman(p, 1), false, 'no movement into the wall');
});

test('a turn pressed early is buffered and taken at the next opening', () => {
  // Moving left from the start, up is walled until column 12.
  const p = pac(13.5, 23, 'left', 'up');
  stepPacman(p, 0.1);
  assert.equal(p.dir, 'left');
  assert.equal(p.next, 'up', 'still buffered');
  runUntil(p, (q) => q.dir === 'up');
  assert.equal(p.next, null);
  assert.ok(p.x > 12, 'the turn starts before the centre of column 12');
  const yAtTurn = p.y;
  stepPacman(p, 2);
  assert.equal(p.x, 12, 'back on the column after cornering');
  assert.ok(Math.abs(p.y - (yAtTurn - 2)) < 1e-9, 'moving up at full speed while cornering');
});

test('cornering: turning before the centre saves distance', () => {
  // Pressed before the opening: Pacman cuts the corner diagonally.
  const early = pac(13.5, 23, 'left', 'up');
  const withCorner = runUntil(early, (q) => q.y <= 21);
  // Pressed only once he stands at the centre: no corner to cut.
  const late = pac(13.5, 23, 'left');
  const toCentre = runUntil(late, (q) => q.x <= 12);
  late.next = 'up';
  const withoutCorner = toCentre + runUntil(late, (q) => q.y <= 21);
  assert.ok(withCorner < withoutCorner - 0.3, `${withCorner} vs ${withoutCorner}`);
});

test('a turn just past the centre is still taken, further past it is not', () => {
  const near = pac(12 - 0.2, 23, 'left', 'up');
  stepPacman(near, 0.01);
  assert.equal(near.dir, 'up');
  const far = pac(12 - 0.45, 23, 'left', 'up');
  stepPacman(far, 0.01);
  assert.equal(far.dir, 'left');
  assert.equal(far.next, 'up', 'kept for the next opening');
});

test('reversing is immediate, anywhere', () => {
  const p = pac(10.3, 23, 'left', 'right');
  stepPacman(p, 0.1);
  assert.equal(p.dir, 'right');
  assert.ok(Math.abs(p.x - 10.4) < 1e-9);
});

test('Pacman never enters a wall, even moving many tiles in one step', () => {
  for (const dir of ['up', 'down', 'left', 'right']) {
    const p = pac(6, 14, dir);
    stepPacman(p, 37);
    assert.ok(isOpen(Math.round(p.x), Math.round(p.y)), `${dir}: ${p.x},${p.y}`);
  }
});

test('the tunnel takes Pacman through two off-screen tiles a side, then to the other edge and back', () => {
  const p = pac(1, TUNNEL_ROW, 'left');
  stepPacman(p, 3);
  assert.ok(Math.abs(p.x + 2) < 1e-9, `off screen: x=${p.x}`);
  stepPacman(p, 3);
  assert.ok(Math.abs(p.x - (COLS - 1)) < 1e-9, `x=${p.x}`);
  assert.equal(p.y, TUNNEL_ROW);
  p.dir = 'right';
  stepPacman(p, 6);
  assert.ok(Math.abs(p.x - 1) < 1e-9, `x=${p.x}`);
  assert.equal(wrapX(-2.6), 29.4);
  assert.equal(wrapX(29.5), -2.5);
  assert.equal(wrapX(-0.6), -0.6, 'off screen, not yet wrapped');
});

const straightOn = { enter: () => {}, centre: (ghost) => ghost.dir };

test('a ghost stops at every tile it enters and every centre it passes, even in one long step', () => {
  const g = { x: 13.5, y: 11, dir: 'left' };
  const events = [];
  stepGhost(g, 3.5, {
    enter: (ghost, col, row) => events.push(`enter ${col},${row} at ${ghost.x}`),
    centre: (ghost, col, row) => {
      events.push(`centre ${col},${row}`);
      return ghost.dir;
    },
  });
  assert.deepEqual(events, ['centre 13,11', 'enter 12,11 at 12.5', 'centre 12,11', 'enter 11,11 at 11.5',
    'centre 11,11', 'enter 10,11 at 10.5', 'centre 10,11']);
  assert.equal(g.x, 10);
});

test('a ghost that reverses as it enters a tile heads back to the centre of the one it left', () => {
  const g = { x: 13.2, y: 11, dir: 'right' };
  const centres = [];
  stepGhost(g, 1.0, {
    enter: (ghost) => { ghost.dir = 'left'; },
    centre: (ghost, col) => { centres.push(col); return ghost.dir; },
  });
  assert.deepEqual(centres, [13], 'back at the centre of 13, not 14');
  assert.ok(Math.abs(g.x - 12.8) < 1e-9, `x=${g.x}`);
});

test('a ghost goes through the tunnel and its off-screen tiles', () => {
  const g = { x: 2, y: TUNNEL_ROW, dir: 'left' };
  const entered = [];
  stepGhost(g, 8, { enter: (ghost, col) => entered.push(col), centre: (ghost) => ghost.dir });
  assert.deepEqual(entered, [1, 0, -1, -2, 29, 28, 27, 26]);
  assert.equal(g.x, 26);
  assert.equal(g.y, TUNNEL_ROW);
  stepGhost(g, 0.25, straightOn);
  assert.equal(g.x, 25.75);
});

test('collision: head-on at high speed, actors that swap places in one step still meet', () => {
  // Pacman 10 -> 12, ghost 12 -> 10: both end positions are 2 tiles apart, yet they crossed.
  const a0 = { x: 10, y: 5 };
  const a1 = { x: 12, y: 5 };
  const b0 = { x: 12, y: 5 };
  const b1 = { x: 10, y: 5 };
  assert.ok(Math.hypot(a1.x - b1.x, a1.y - b1.y) > 1, 'the end positions alone would miss it');
  assert.equal(closestApproach(a0, a1, b0, b1), 0);
  assert.ok(collided(a0, a1, b0, b1));
});

test('collision: a fast ghost overtaking through Pacman in one step is caught', () => {
  assert.ok(collided({ x: 5, y: 5 }, { x: 5.1, y: 5 }, { x: 4, y: 5 }, { x: 7, y: 5 }));
});

test('collision: actors on parallel corridors never meet', () => {
  assert.ok(!collided({ x: 1, y: 1 }, { x: 5, y: 1 }, { x: 5, y: 5 }, { x: 1, y: 5 }));
  assert.ok(!collided({ x: 3, y: 5 }, { x: 3.1, y: 5 }, { x: 4, y: 5 }, { x: 4.1, y: 5 }), 'a tile apart, same way');
});

test('collision across the tunnel wrap takes the short way round', () => {
  const a0 = { x: -2.4, y: TUNNEL_ROW };
  const a1 = { x: 29.4, y: TUNNEL_ROW }; // wrapped: moved 0.2 left
  const b0 = { x: 29.2, y: TUNNEL_ROW };
  const b1 = { x: 29.3, y: TUNNEL_ROW };
  assert.ok(collided(a0, a1, b0, b1));
  assert.ok(!collided({ x: 1, y: TUNNEL_ROW }, { x: 1, y: TUNNEL_ROW }, { x: 20, y: TUNNEL_ROW }, { x: 20, y: TUNNEL_ROW }));
});

test('opposites pair up', () => {
  for (const [a, b] of Object.entries(OPPOSITE)) assert.equal(OPPOSITE[b], a);
});
