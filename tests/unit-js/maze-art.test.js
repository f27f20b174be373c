import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wallPieces } from '../../static/js/ui/maze-art.js';
import { COLS, isWall } from '../../static/js/rules/maze.js';

const pieces = wallPieces();
const at = (col, row) => pieces.find((p) => p.col === col && p.row === row);

test('outlines run only through wall tiles and join up (no loose ends except at the door)', () => {
  const key = (c, r) => `${c},${r}`;
  const map = new Map(pieces.map((p) => [key(p.col, p.row), p]));
  const step = { up: [0, -1, 'down'], down: [0, 1, 'up'], left: [-1, 0, 'right'], right: [1, 0, 'left'] };
  for (const p of pieces) {
    assert.ok(isWall(p.col, p.row));
    for (const s of p.sides) {
      const [dx, dy, back] = step[s];
      const n = map.get(key(p.col + dx, p.row + dy));
      const offGrid = p.col + dx < 0 || p.col + dx >= COLS;
      const door = p.row === 12 && (p.col + dx === 13 || p.col + dx === 14);
      if (offGrid || door) continue;
      assert.ok(n && n.sides.includes(back), `${key(p.col, p.row)} ${s} has a partner`);
    }
  }
});

test('the outer wall and the ghost house are double, inner blocks single', () => {
  assert.equal(at(0, 0).double, true);
  assert.deepEqual(at(0, 0).sides.sort(), ['down', 'right']);
  assert.equal(at(10, 12).double, true, 'house corner');
  assert.equal(at(2, 2).double, false, 'the top-left block');
  assert.equal(at(3, 3), undefined, 'the inside of a thick block has no outline');
});

test('the walls along the tunnel run out to the edge of the screen', () => {
  assert.ok(at(0, 13).sides.includes('left'));
  assert.ok(at(27, 15).sides.includes('right'));
});
