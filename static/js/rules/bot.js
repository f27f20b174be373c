// The demo game's player: a simple bot that heads for the nearest pellet by the shortest path
// that keeps clear of the ghosts, chases a frightened ghost when one is close, and runs from
// the nearest ghost when it is cornered. Pure: reads a Game, returns a direction.
import { COLS, ROWS, isOpen, wrapCol } from './maze.js';
import { DIRECTIONS, OPPOSITE, tileOf } from './movement.js';

// Tiles this close (in steps through the maze) to a roaming ghost are off limits.
const KEEP_CLEAR = 3;
const CHASE_FRIGHTENED = 6;

const key = (col, row) => `${col},${row}`;

function neighbours(col, row, first) {
  const order = first ? [first, ...Object.keys(DIRECTIONS).filter((d) => d !== first)] : Object.keys(DIRECTIONS);
  const out = [];
  for (const dir of order) {
    const v = DIRECTIONS[dir];
    const c = wrapCol(col + v.x);
    const r = row + v.y;
    if (isOpen(c, r)) out.push({ dir, col: c, row: r });
  }
  return out;
}

/** Steps through the maze from each of `sources` to every tile within `limit`. */
function distances(sources, limit) {
  const dist = new Map();
  let frontier = sources.map((s) => ({ col: s.col, row: s.row }));
  for (const s of frontier) dist.set(key(s.col, s.row), 0);
  for (let d = 1; d <= limit && frontier.length; d++) {
    const next = [];
    for (const t of frontier) {
      for (const n of neighbours(t.col, t.row)) {
        const k = key(n.col, n.row);
        if (!dist.has(k)) {
          dist.set(k, d);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return dist;
}

/** Breadth-first from Pacman's tile; returns the first step towards the nearest tile where goal() holds. */
function firstStepTo(start, dir, goal, blocked) {
  const seen = new Set([key(start.col, start.row)]);
  let frontier = neighbours(start.col, start.row, dir)
    .filter((n) => !blocked.has(key(n.col, n.row)))
    .map((n) => ({ ...n, first: n.dir }));
  for (const n of frontier) seen.add(key(n.col, n.row));
  while (frontier.length) {
    const next = [];
    for (const t of frontier) {
      if (goal(t.col, t.row)) return t.first;
      for (const n of neighbours(t.col, t.row, t.dir)) {
        const k = key(n.col, n.row);
        if (seen.has(k) || blocked.has(k)) continue;
        seen.add(k);
        next.push({ ...n, first: t.first });
      }
    }
    frontier = next;
  }
  return null;
}

/** The direction the bot wants Pacman to take now (for game.setDirection), or null. */
export function botDirection(game) {
  const p = game.pacman;
  const here = tileOf(p);
  here.col = wrapCol(here.col);
  const roaming = game.ghosts.filter((g) => g.state === 'active' || g.state === 'leaving');
  const danger = roaming.filter((g) => !g.frightened).map(tileOf);
  const prey = roaming.filter((g) => g.frightened).map(tileOf);
  const near = distances(danger, KEEP_CLEAR);
  const blocked = new Set(near.keys());
  blocked.delete(key(here.col, here.row));

  if (prey.length) {
    const preyKeys = new Set(prey.map((t) => key(wrapCol(t.col), t.row)));
    const reach = distances([here], CHASE_FRIGHTENED);
    if ([...preyKeys].some((k) => reach.has(k))) {
      const step = firstStepTo(here, p.dir, (c, r) => preyKeys.has(key(c, r)), blocked);
      if (step) return step;
    }
  }
  const pellets = game.pellets;
  const step = firstStepTo(here, p.dir, (c, r) => c >= 0 && c < COLS && r >= 0 && r < ROWS && pellets.at(c, r) !== null, blocked);
  if (step) return step;
  // Cornered: the open way that leads furthest from the nearest ghost.
  const away = distances(danger, 40);
  let best = null;
  let bestD = -1;
  for (const n of neighbours(here.col, here.row, p.dir)) {
    const d = away.get(key(n.col, n.row)) ?? 99;
    if (d > bestD) {
      bestD = d;
      best = n.dir;
    }
  }
  return best ?? OPPOSITE[p.dir];
}
