import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moveGhost, EYES_TARGET } from '../../static/js/rules/ghost-motion.js';
import { chooseDirection } from '../../static/js/rules/ghosts.js';

const STEP = 1 / 60;
const eyesDecide = (g, col, row, dir) => chooseDirection(col, row, dir, EYES_TARGET, { restrictUp: false });

function runUntilChange(g, opts, limit = 60 * 30) {
  const path = [];
  for (let i = 0; i < limit; i++) {
    const change = moveGhost(g, STEP, opts);
    path.push({ x: g.x, y: g.y });
    if (change) return { change, path };
  }
  return { change: null, path };
}

test('a ghost waiting in the house paces up and down around its spot', () => {
  const g = { x: 11.5, y: 14, dir: 'up', state: 'house' };
  const ys = [];
  for (let i = 0; i < 60 * 4; i++) {
    assert.equal(moveGhost(g, STEP, {}), null);
    ys.push(g.y);
  }
  assert.equal(Math.min(...ys), 13.5);
  assert.equal(Math.max(...ys), 14.5);
  assert.equal(g.x, 11.5);
});

test('a released ghost moves to the middle, goes up through the door and turns left', () => {
  const g = { x: 11.5, y: 14.2, dir: 'up', state: 'leaving' };
  const { change, path } = runUntilChange(g, {});
  assert.equal(change, 'out');
  assert.deepEqual({ x: g.x, y: g.y, dir: g.dir, state: g.state }, { x: 13.5, y: 11, dir: 'left', state: 'active' });
  // it never moves up before it is in the middle
  for (const p of path) if (p.y < 14.2) assert.equal(p.x, 13.5);
});

test('eyes find their way home from across the maze, enter and revive', () => {
  const g = { x: 26, y: 29, dir: 'left', state: 'eyes' };
  const first = runUntilChange(g, { decide: eyesDecide });
  assert.equal(first.change, 'atDoor');
  assert.equal(g.x, 13.5);
  assert.equal(g.state, 'entering');
  assert.ok(first.path.length < 60 * 5, `home in ${first.path.length} frames`);
  const second = runUntilChange(g, {});
  assert.equal(second.change, 'revived');
  assert.equal(g.y, 14);
  assert.equal(g.state, 'leaving');
});
