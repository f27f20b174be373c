// How a ghost moves in each of its states: pacing in the house, leaving it, roaming the maze,
// racing home as eyes, and sinking into the house to revive.
//   house -> leaving -> active -> (eaten) eyes -> entering -> leaving -> active ...
import { HOUSE_EXIT, HOUSE_CENTER } from './maze.js';
import { stepGhost, tilesPerSecond } from './movement.js';
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

function leave(g, dist) {
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
  g.state = 'active';
  g.dir = 'left';
  return 'out';
}

function goHome(g, dist, choose) {
  stepGhost(g, dist, choose);
  if (g.y === HOUSE_EXIT.y && Math.abs(g.x - HOUSE_EXIT.x) <= DOOR_CATCH) {
    g.x = HOUSE_EXIT.x;
    g.state = 'entering';
    g.dir = 'down';
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
 * Moves ghost g {x, y, dir, state} for dt seconds. roamSpeed: fraction of full speed when it
 * roams the maze (state 'active'); choose(g, col, row): its direction at each tile centre.
 * Returns what happened: null, 'out' (left the house), 'atDoor' (eyes reached the house) or
 * 'revived'.
 */
export function moveGhost(g, dt, { roamSpeed = 0, choose }) {
  switch (g.state) {
    case 'house': return pace(g, tilesPerSecond(HOUSE_SPEED) * dt);
    case 'leaving': return leave(g, tilesPerSecond(HOUSE_SPEED) * dt);
    case 'active': stepGhost(g, tilesPerSecond(roamSpeed) * dt, choose); return null;
    case 'eyes': return goHome(g, tilesPerSecond(EYES_SPEED) * dt, choose);
    case 'entering': return enter(g, tilesPerSecond(EYES_SPEED) * dt);
    default: return null;
  }
}
