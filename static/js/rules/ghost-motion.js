// How a ghost moves in each of its states: pacing in the house, leaving it, roaming the maze,
// racing home as eyes, and sinking into the house to revive.
//   house -> leaving -> active -> (eaten) eyes -> entering -> leaving -> active ...
//
// Roaming ghosts think one tile ahead, as the arcade's do: when a ghost's centre crosses into
// a new tile it already knows which way it will turn at that tile's centre (g.plan, decided
// one tile earlier), and now decides the turn for the tile after it (g.nextPlan). A reversal
// ordered by the game (g.reverse, latched by a mode change) is carried out at the next tile
// the ghost enters, however many times it was ordered meanwhile.
import { HOUSE_EXIT, HOUSE_CENTER, wrapCol } from './maze.js';
import { stepGhost, tilesPerSecond, DIRECTIONS, OPPOSITE } from './movement.js';
import { EYES_SPEED, HOUSE_SPEED } from './levels.js';

const BOB_TOP = HOUSE_CENTER.y - 0.5;
const BOB_BOTTOM = HOUSE_CENTER.y + 0.5;
// Eyes aim for the tile left of the door's middle and dive in when they pass over it.
export const EYES_TARGET = Object.freeze({ col: Math.floor(HOUSE_EXIT.x), row: HOUSE_EXIT.y });
const DOOR_CATCH = 0.3;

function approach(value, goal, step) {
  return value < goal ? Math.min(goal, value + step) : Math.max(goal, value - step);
}

function pace(g, dist) {
  if (g.dir !== 'up' && g.dir !== 'down') g.dir = 'up';
  g.y = approach(g.y, g.dir === 'up' ? BOB_TOP : BOB_BOTTOM, dist);
  if (g.y === BOB_TOP) g.dir = 'down';
  else if (g.y === BOB_BOTTOM) g.dir = 'up';
  return null;
}

/** The decision for (col, row), arriving heading `dir`: {col, row, dir}. */
function planFor(g, col, row, dir, decide) {
  return { col, row, dir: decide(g, col, row, dir) };
}

/** Plans afresh for the tile the ghost is heading into, and for the one after it. */
function planFrom(g, col, row, decide) {
  g.plan = planFor(g, col, row, g.dir, decide);
  const v = DIRECTIONS[g.plan.dir];
  g.nextPlan = planFor(g, wrapCol(col + v.x), row + v.y, g.plan.dir, decide);
}

function samePlace(plan, col, row) {
  return !!plan && plan.col === col && plan.row === row;
}

/** The ghost's centre has just crossed into (col, row). */
function enterTile(g, col, row, decide) {
  if (g.reverse) {
    // The latched reversal: turn round on the spot, back towards the tile just left. There is
    // no time to look ahead, so it decides for that tile at once.
    g.reverse = false;
    const v = DIRECTIONS[g.dir];
    g.dir = OPPOSITE[g.dir];
    planFrom(g, wrapCol(col - v.x), row - v.y, decide);
    return;
  }
  if (!samePlace(g.nextPlan, col, row)) {
    planFrom(g, col, row, decide);
    return;
  }
  g.plan = g.nextPlan;
  const v = DIRECTIONS[g.plan.dir];
  g.nextPlan = planFor(g, wrapCol(col + v.x), row + v.y, g.plan.dir, decide);
}

/** The ghost is at the centre of (col, row): it turns the way it planned. */
function atCentre(g, col, row, decide) {
  if (!samePlace(g.plan, col, row)) g.plan = planFor(g, col, row, g.dir, decide);
  return g.plan.dir;
}

function roam(g, dist, decide) {
  stepGhost(g, dist, {
    enter: (ghost, col, row) => enterTile(ghost, col, row, decide),
    centre: (ghost, col, row) => atCentre(ghost, col, row, decide),
  });
}

function leave(g, dist, decide) {
  // First to the middle of the house, then up through the door.
  if (g.x !== HOUSE_EXIT.x) {
    g.dir = g.x < HOUSE_EXIT.x ? 'right' : 'left';
    const x = approach(g.x, HOUSE_EXIT.x, dist);
    dist -= Math.abs(x - g.x);
    g.x = x;
  }
  if (g.x !== HOUSE_EXIT.x || dist <= 0) return null;
  g.dir = 'up';
  g.y = approach(g.y, HOUSE_EXIT.y, dist);
  if (g.y !== HOUSE_EXIT.y) return null;
  // Out to the left, unless the ghosts were told to reverse while this one was inside.
  g.state = 'active';
  g.dir = g.exitRight ? 'right' : 'left';
  g.exitRight = false;
  g.reverse = false;
  g.plan = null;
  g.nextPlan = null;
  // It stands on the line between the two tiles under the door: entering one of them.
  if (decide) enterTile(g, Math.round(g.x + DIRECTIONS[g.dir].x * 0.5), g.y, decide);
  return 'out';
}

function goHome(g, dist, decide) {
  roam(g, dist, decide);
  if (g.y === HOUSE_EXIT.y && Math.abs(g.x - HOUSE_EXIT.x) <= DOOR_CATCH) {
    g.x = HOUSE_EXIT.x;
    g.state = 'entering';
    g.dir = 'down';
    g.plan = null;
    g.nextPlan = null;
    return 'atDoor';
  }
  return null;
}

function enter(g, dist) {
  g.y = approach(g.y, HOUSE_CENTER.y, dist);
  if (g.y !== HOUSE_CENTER.y) return null;
  g.state = 'leaving'; // revived: straight back out
  return 'revived';
}

/**
 * Moves ghost g {x, y, dir, state, reverse, exitRight, plan, nextPlan} for dt seconds.
 * roamSpeed: fraction of full speed when it roams the maze (state 'active').
 * decide(g, col, row, dir): the direction it will take at the centre of (col, row), arriving
 * there heading dir (asked one tile ahead).
 * Returns what happened: null, 'out' (left the house), 'atDoor' (eyes reached the house) or
 * 'revived'.
 */
export function moveGhost(g, dt, { roamSpeed = 0, decide }) {
  switch (g.state) {
    case 'house': return pace(g, tilesPerSecond(HOUSE_SPEED) * dt);
    case 'leaving': return leave(g, tilesPerSecond(HOUSE_SPEED) * dt, decide);
    case 'active': roam(g, tilesPerSecond(roamSpeed) * dt, decide); return null;
    case 'eyes': return goHome(g, tilesPerSecond(EYES_SPEED) * dt, decide);
    case 'entering': return enter(g, tilesPerSecond(EYES_SPEED) * dt);
    default: return null;
  }
}

/** Which way a ghost looks: where it means to turn (the arcade's eyes give that away). */
export function lookDirection(g) {
  return g.state === 'active' && g.plan ? g.plan.dir : g.dir;
}
