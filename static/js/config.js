// Settings read from the page address. The test switches shorten a game for demos and browser
// tests; without them the game is the normal one. A game with any of them is a test game: it
// plays as usual but its score is never stored (not in the high scores, not as this browser's
// best), and the page says so, so nobody fills the public table from the address bar.
//   ?lives=N   start with N lives (1-9)
//   ?dots=N    keep only N pellets per level (those on Pacman's way left first), to clear
//              levels in seconds
//   ?level=N   start at level N
//   ?seed=N    another random sequence for the frightened ghosts (patterns change)
// A switch set to what the normal game has anyway (?lives=3, ?level=1, ?seed=0, ?dots=244)
// changes nothing, and does not make a test game.
import { ARCADE_SEED } from './rules/game.js';

const NORMAL = Object.freeze({ lives: 3, level: 1, dots: 244, seed: ARCADE_SEED });

function intParam(params, name, min, max) {
  const raw = params.get(name);
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
}

/**
 * Game options from a query string such as location.search: {lives, startLevel, keepDots,
 * seed, switches, testMode}. switches lists the test switches in effect ("lives=9"), in the
 * order above, unless set to the normal game's value; testMode is whether there is any. A
 * switch out of range is ignored.
 */
export function readSettings(search) {
  const params = new URLSearchParams(search);
  const lives = intParam(params, 'lives', 1, 9);
  const keepDots = intParam(params, 'dots', 1, 244);
  const startLevel = intParam(params, 'level', 1, 255);
  const seed = intParam(params, 'seed', 0, 2 ** 31);
  const switches = [];
  for (const [name, value] of [['lives', lives], ['dots', keepDots], ['level', startLevel], ['seed', seed]]) {
    if (value !== undefined && value !== NORMAL[name]) switches.push(`${name}=${value}`);
  }
  return {
    lives: lives ?? NORMAL.lives,
    startLevel: startLevel ?? NORMAL.level,
    keepDots: keepDots ?? null,
    seed: seed ?? null,
    switches,
    testMode: switches.length > 0,
  };
}

/** The address of the normal game: `href` without its test switches (other parameters kept). */
export function normalGameUrl(href) {
  const url = new URL(href);
  for (const name of ['lives', 'dots', 'level', 'seed']) url.searchParams.delete(name);
  return url.href;
}
