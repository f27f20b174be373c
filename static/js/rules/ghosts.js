// Who the ghosts are and where they want to go: start positions, scatter corners, each ghost's
// chase target, and the choice of direction at a tile (made one tile ahead: ghost-motion.js).
import { isOpen, isRedZone } from './maze.js';
import { DIRECTIONS, DIRECTION_ORDER, OPPOSITE } from './movement.js';

export const GHOST_NAMES = Object.freeze(['blinky', 'pinky', 'inky', 'clyde']);

// The house's release order: the first one of these still inside is the "preferred" ghost.
export const HOUSE_ORDER = Object.freeze(['pinky', 'inky', 'clyde']);

export const GHOST_STARTS = Object.freeze({
  blinky: Object.freeze({ x: 13.5, y: 11, dir: 'left', inHouse: false }),
  pinky: Object.freeze({ x: 13.5, y: 14, dir: 'down', inHouse: true }),
  inky: Object.freeze({ x: 11.5, y: 14, dir: 'up', inHouse: true }),
  clyde: Object.freeze({ x: 15.5, y: 14, dir: 'up', inHouse: true }),
});

// Scatter targets lie outside the maze, one beyond each corner.
export const SCATTER_TARGETS = Object.freeze({
  blinky: Object.freeze({ col: 25, row: -3 }),
  pinky: Object.freeze({ col: 2, row: -3 }),
  inky: Object.freeze({ col: 27, row: 32 }),
  clyde: Object.freeze({ col: 0, row: 32 }),
});

// Clyde chases only while he is at least this many tiles from Pacman.
export const CLYDE_SHY_DISTANCE = 8;

/**
 * The tile n tiles ahead of Pacman as the arcade computes it: facing up, its arithmetic
 * overflows into the column too, so "ahead" is n up and n to the left. Pinky's target (and
 * Inky's pivot) keep that quirk; the well-known ways of shaking Pinky off depend on it.
 */
export function tilesAhead(pac, n) {
  const v = DIRECTIONS[pac.dir] || { x: 0, y: 0 };
  const overflow = pac.dir === 'up' ? -n : 0;
  return { col: pac.col + n * v.x + overflow, row: pac.row + n * v.y };
}

/**
 * The chase target of a ghost.
 * pac: {col, row, dir} Pacman's tile and direction; blinky: {col, row} Blinky's tile;
 * self: {col, row} the ghost's own tile (Clyde's shyness depends on it).
 */
export function chaseTarget(name, pac, blinky, self) {
  switch (name) {
    case 'blinky':
      return { col: pac.col, row: pac.row };
    case 'pinky':
      return tilesAhead(pac, 4);
    case 'inky': {
      const pivot = tilesAhead(pac, 2);
      return { col: 2 * pivot.col - blinky.col, row: 2 * pivot.row - blinky.row };
    }
    case 'clyde': {
      const d2 = (self.col - pac.col) ** 2 + (self.row - pac.row) ** 2;
      return d2 >= CLYDE_SHY_DISTANCE ** 2 ? { col: pac.col, row: pac.row } : SCATTER_TARGETS.clyde;
    }
    default:
      throw new Error(`unknown ghost ${name}`);
  }
}

/** The target for a ghost in 'scatter' or 'chase'; "Cruise Elroy" Blinky chases in scatter too. */
export function targetFor(name, mode, pac, blinky, self, elroy = false) {
  if (mode === 'scatter' && !(name === 'blinky' && elroy)) return SCATTER_TARGETS[name];
  return chaseTarget(name, pac, blinky, self);
}

/** The directions a ghost may take from a tile centre: open, not back, not up in a red zone. */
export function exitsFrom(col, row, dir, { restrictUp = true } = {}) {
  const exits = [];
  for (const d of DIRECTION_ORDER) {
    if (d === OPPOSITE[dir]) continue;
    if (d === 'up' && restrictUp && isRedZone(col, row)) continue;
    const v = DIRECTIONS[d];
    if (isOpen(col + v.x, row + v.y)) exits.push(d);
  }
  return exits;
}

// A frightened ghost whose random direction is closed tries the next one clockwise.
const CLOCKWISE = Object.freeze(['up', 'right', 'down', 'left']);

/**
 * The direction a ghost takes at the centre of (col, row), arriving heading `dir`:
 * with a target, the exit whose next tile is nearest to it (ties: up, left, down, right);
 * frightened (random given), as the arcade does: a random one of the four directions, and if
 * that is closed (or back), the next open one clockwise. A dead end turns it back.
 */
export function chooseDirection(col, row, dir, target, { random = null, restrictUp = true } = {}) {
  const exits = exitsFrom(col, row, dir, { restrictUp: restrictUp && !random });
  if (exits.length === 0) return OPPOSITE[dir];
  if (random) {
    const first = Math.floor(random() * CLOCKWISE.length);
    for (let i = 0; ; i++) {
      const d = CLOCKWISE[(first + i) % CLOCKWISE.length];
      if (exits.includes(d)) return d;
    }
  }
  let best = exits[0];
  let bestD = Infinity;
  for (const d of exits) {
    const v = DIRECTIONS[d];
    const dist = (col + v.x - target.col) ** 2 + (row + v.y - target.row) ** 2;
    if (dist < bestD) {
      bestD = dist;
      best = d;
    }
  }
  return best;
}
