// How actors move through the maze: directions, speeds, Pacman's cornering and buffered turns,
// ghosts' tile-by-tile stepping, the tunnel wrap and collision between moving actors.
import { TUNNEL_OFFSCREEN, WRAP_COLS, isOpen, wrapCol } from './maze.js';

export const DIRECTIONS = Object.freeze({
  up: Object.freeze({ x: 0, y: -1 }),
  left: Object.freeze({ x: -1, y: 0 }),
  down: Object.freeze({ x: 0, y: 1 }),
  right: Object.freeze({ x: 1, y: 0 }),
});
// The arcade's tie-break order when two directions are equally good.
export const DIRECTION_ORDER = Object.freeze(['up', 'left', 'down', 'right']);
export const OPPOSITE = Object.freeze({ up: 'down', down: 'up', left: 'right', right: 'left' });

// 100% speed in the arcade is 75.76 pixels per second, with 8-pixel tiles.
export const FULL_SPEED = 75.75757625 / 8;

/** Tiles per second for a speed given as a fraction of full speed. */
export function tilesPerSecond(fraction) {
  return fraction * FULL_SPEED;
}

// Pacman may start a turn anywhere in the half tile before a centre (cornering) and up to
// this far past it; the turn is then made diagonally until he is back on the new axis.
export const POST_TURN_WINDOW = 0.3;
// Movement is split into pieces no longer than this, so no speed skips a tile's decision.
const MAX_PIECE = 0.25;
const EPS = 1e-9;

const WRAP_LOW = -TUNNEL_OFFSCREEN - 0.5;
const WRAP_HIGH = WRAP_LOW + WRAP_COLS;

/**
 * x folded into [-2.5, 29.5): leaving the tunnel's last off-screen tile on one side enters the
 * first one on the other.
 */
export function wrapX(x) {
  if (x < WRAP_LOW) return x + WRAP_COLS;
  if (x >= WRAP_HIGH) return x - WRAP_COLS;
  return x;
}

/** The tile an actor is in: its position rounded to the nearest tile centre. */
export function tileOf(actor) {
  return { col: Math.round(actor.x), row: Math.round(actor.y) };
}

function approach(value, goal, step) {
  if (value < goal) return Math.min(goal, value + step);
  return Math.max(goal, value - step);
}

function applyBufferedTurn(p, col, row) {
  const want = p.next;
  if (!want || want === p.dir) return;
  if (want === OPPOSITE[p.dir]) {
    p.dir = want;
    p.next = null;
    return;
  }
  const v = DIRECTIONS[want];
  if (!isOpen(col + v.x, row + v.y)) return; // stays buffered until an opening comes
  const cur = DIRECTIONS[p.dir];
  const pastCentre = cur.x !== 0 ? (p.x - col) * cur.x : (p.y - row) * cur.y;
  if (pastCentre <= POST_TURN_WINDOW) {
    p.dir = want;
    p.next = null;
  }
}

function pacmanPiece(p, d) {
  const { col, row } = tileOf(p);
  applyBufferedTurn(p, col, row);
  const v = DIRECTIONS[p.dir];
  const blocked = !isOpen(col + v.x, row + v.y);
  const x0 = p.x;
  const y0 = p.y;
  if (v.x !== 0) {
    let x = p.x + v.x * d;
    // A wall ahead stops him at the centre of his tile.
    if (blocked && (x - col) * v.x > 0) x = (p.x - col) * v.x > 0 ? p.x : col;
    p.x = wrapX(x);
    p.y = approach(p.y, row, d); // cornering: drift back onto the row while moving along it
  } else {
    let y = p.y + v.y * d;
    if (blocked && (y - row) * v.y > 0) y = (p.y - row) * v.y > 0 ? p.y : row;
    p.y = y;
    p.x = approach(p.x, col, d);
  }
  return p.x !== x0 || p.y !== y0;
}

/**
 * Moves Pacman `dist` tiles: applies his buffered turn (p.next) as soon as it is allowed,
 * corners diagonally, stops at walls. Mutates p {x, y, dir, next}; returns whether he moved.
 */
export function stepPacman(p, dist) {
  let moved = false;
  while (dist > EPS) {
    const d = Math.min(dist, MAX_PIECE);
    dist -= d;
    if (pacmanPiece(p, d)) moved = true;
  }
  return moved;
}

/**
 * Moves a ghost `dist` tiles along g.dir, stopping on the way at every half tile:
 * - where its centre crosses into a new tile it calls enter(g, col, row) with that tile (the
 *   arcade's ghosts decide there, one tile ahead; enter may reverse g.dir);
 * - at a tile's centre it takes the direction centre(g, col, row) returns.
 * No speed skips either. Ghosts stay centred across their direction of travel. Mutates g.
 */
export function stepGhost(g, dist, { enter, centre }) {
  while (dist > EPS) {
    const v = DIRECTIONS[g.dir];
    const horizontal = v.x !== 0;
    const sign = horizontal ? v.x : v.y;
    const along = horizontal ? g.x : g.y;
    // The next half tile ahead: a boundary between tiles (k + 0.5) or a centre (k).
    const ahead = sign > 0 ? (Math.floor(along * 2 + EPS) + 1) / 2 : (Math.ceil(along * 2 - EPS) - 1) / 2;
    const gap = Math.abs(ahead - along);
    if (dist < gap) {
      if (horizontal) g.x = wrapX(g.x + sign * dist);
      else g.y += sign * dist;
      return;
    }
    dist -= gap;
    if (horizontal) g.x = ahead;
    else g.y = ahead;
    if (Number.isInteger(ahead)) {
      const col = Math.round(g.x);
      const row = Math.round(g.y);
      g.x = wrapX(g.x);
      g.dir = centre(g, wrapCol(col), row);
    } else {
      const col = horizontal ? ahead + sign * 0.5 : Math.round(g.x);
      const row = horizontal ? Math.round(g.y) : ahead + sign * 0.5;
      g.x = wrapX(g.x);
      enter(g, wrapCol(col), row);
    }
  }
}

/**
 * The smallest distance between two actors during a step in which each moved in a straight
 * line from its first to its second position (a0 -> a1, b0 -> b1). Used so that no speed lets
 * Pacman and a ghost pass through each other between frames. A jump through the tunnel counts
 * as the short way round.
 */
export function closestApproach(a0, a1, b0, b1) {
  const shortest = (dx) => {
    if (dx > WRAP_COLS / 2) return dx - WRAP_COLS;
    if (dx < -WRAP_COLS / 2) return dx + WRAP_COLS;
    return dx;
  };
  const unwrap = (from, to) => ({ x: from.x + shortest(to.x - from.x), y: to.y });
  const a1u = unwrap(a0, a1);
  const b1u = unwrap(b0, b1);
  const rx = shortest(b0.x - a0.x);
  const ry = b0.y - a0.y;
  // relative motion of b as seen from a
  const vx = (b1u.x - b0.x) - (a1u.x - a0.x);
  const vy = (b1u.y - b0.y) - (a1u.y - a0.y);
  const vv = vx * vx + vy * vy;
  let t = vv > 0 ? -(rx * vx + ry * vy) / vv : 0;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(rx + vx * t, ry + vy * t);
}

// Pacman and a ghost meet when their centres come this close (in tiles).
export const CATCH_DISTANCE = 0.5;

export function collided(a0, a1, b0, b1, within = CATCH_DISTANCE) {
  return closestApproach(a0, a1, b0, b1) < within;
}
