// How the maze walls look: outlines traced through the middle of the wall tiles, with rounded
// corners; the outer wall and the ghost house drawn as double lines, inner blocks as single
// ones. wallPieces() is pure geometry; paintMaze() draws it once into an offscreen canvas.
import { COLS, ROWS, TUNNEL_ROW, tileAt, HOUSE_DOOR } from '../rules/maze.js';

// Outside the grid counts as wall, except beyond the tunnel's mouths.
function solid(col, row) {
  if ((col < 0 || col >= COLS) && row === TUNNEL_ROW) return false;
  return tileAt(col, row) === '#';
}

const SIDES = [
  { name: 'up', dx: 0, dy: -1 },
  { name: 'right', dx: 1, dy: 0 },
  { name: 'down', dx: 0, dy: 1 },
  { name: 'left', dx: -1, dy: 0 },
];

// The segment between the centres of two neighbouring wall tiles is part of an outline unless
// wall fills the whole 2x2 block of tiles on both sides of it (then it is inside a thick wall).
function outlineSegment(col, row, dx, dy) {
  const px = dy; // perpendicular
  const py = dx;
  const sideFull = (s) => solid(col + s * px, row + s * py) && solid(col + dx + s * px, row + dy + s * py);
  return !(sideFull(-1) && sideFull(1));
}

function isHouseWall(col, row) {
  return row >= 12 && row <= 16 && col >= 10 && col <= 17;
}

/**
 * For every wall tile with an outline through it: {col, row, sides: [...], double}. sides lists
 * the neighbours ('up', 'right', 'down', 'left') the outline runs to. double is true for the
 * outer wall (tiles connected to the edge of the grid) and the ghost house.
 */
export function wallPieces() {
  const outer = new Set();
  const stack = [];
  for (let c = 0; c < COLS; c++) stack.push([c, 0], [c, ROWS - 1]);
  for (let r = 0; r < ROWS; r++) stack.push([0, r], [COLS - 1, r]);
  while (stack.length) {
    const [c, r] = stack.pop();
    const key = r * COLS + c;
    if (c < 0 || c >= COLS || r < 0 || r >= ROWS || outer.has(key) || !solid(c, r)) continue;
    outer.add(key);
    stack.push([c + 1, r], [c - 1, r], [c, r + 1], [c, r - 1]);
  }
  const doorKeys = new Set(HOUSE_DOOR.map((d) => `${d.col},${d.row}`));
  const pieces = [];
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLS; col++) {
      if (!solid(col, row)) continue;
      const sides = [];
      for (const s of SIDES) {
        const nc = col + s.dx;
        const nr = row + s.dy;
        if (doorKeys.has(`${nc},${nr}`)) sides.push(s.name); // the wall meets the door
        else if (solid(nc, nr) && outlineSegment(col, row, s.dx, s.dy)) sides.push(s.name);
      }
      if (sides.length) pieces.push({ col, row, sides, double: outer.has(row * COLS + col) || isHouseWall(col, row) });
    }
  }
  return pieces;
}

const OFFSETS = { up: [0, -0.5], right: [0.5, 0], down: [0, 0.5], left: [-0.5, 0] };

function tracePiece(ctx, { col, row, sides }) {
  const cx = col + 0.5;
  const cy = row + 0.5;
  const has = (s) => sides.includes(s);
  const corner = sides.length === 2 && !(has('up') && has('down')) && !(has('left') && has('right'));
  if (corner) {
    // A quarter circle through the tile instead of a sharp bend.
    const [ax, ay] = OFFSETS[sides[0]];
    const [bx, by] = OFFSETS[sides[1]];
    ctx.moveTo(cx + ax, cy + ay);
    ctx.arcTo(cx, cy, cx + bx, cy + by, 0.5);
    ctx.lineTo(cx + bx, cy + by);
    return;
  }
  for (const s of sides) {
    const [ox, oy] = OFFSETS[s];
    ctx.moveTo(cx, cy);
    ctx.lineTo(cx + ox, cy + oy);
  }
}

const PIECES = wallPieces();

/**
 * Paints the walls and the door into a new canvas of COLS x ROWS tiles of `tile` device pixels.
 * color: the wall colour (the level-clear flash paints a white copy).
 */
export function paintMaze(tile, color, { glow = true, doc = globalThis.document } = {}) {
  const canvas = doc.createElement('canvas');
  canvas.width = COLS * tile;
  canvas.height = ROWS * tile;
  const ctx = canvas.getContext('2d');
  ctx.scale(tile, tile);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.shadowColor = color;
  const stroke = (double, width, style, blur) => {
    ctx.beginPath();
    for (const p of PIECES) if (p.double === double) tracePiece(ctx, p);
    ctx.strokeStyle = style;
    ctx.lineWidth = width;
    ctx.shadowBlur = glow && blur ? tile * 0.35 : 0;
    ctx.stroke();
  };
  // Double lines: a wide stroke hollowed out by a narrower black one.
  stroke(true, 0.44, color, true);
  stroke(true, 0.2, '#000', false);
  stroke(false, 0.14, color, true);
  // The door: a pink bar across the top of the house.
  ctx.shadowBlur = 0;
  ctx.fillStyle = '#ffb8de';
  const door = HOUSE_DOOR;
  ctx.fillRect(door[0].col, door[0].row + 0.38, door.length, 0.24);
  return canvas;
}
