// The animated scenes: the three intermission acts and the attract mode's roll-call of the
// ghosts. Each scene is a pure function of time giving what is on stage (actFrame,
// rollCallFrame: tested in Node); drawScene() paints such a frame with the sprites. Our own
// staging in the spirit of the arcade's acts, drawn with canvas paths.
import { COLS } from '../rules/maze.js';
import { intermissionSeconds } from '../rules/levels.js';
import { TIMING } from '../rules/game.js';
import {
  drawPacman, drawGhost, drawPeg, drawCloakStretch, drawScrap, drawBareGhost, drawDraggedCloak,
  mouthFor, COLORS,
} from './sprites.js';
import { drawText } from './font.js';

// The acts are played big: the actors at twice their size in the maze, on one floor line.
export const SCALE = 2;
export const FLOOR = 19;
const HALF = 0.8 * SCALE; // half an actor's width
const OFF_RIGHT = COLS + HALF + 0.5; // just off the right edge
const OFF_LEFT = -HALF - 0.5;
const BIG = 2.5; // the big Pacman of act 1, times an actor's size
const PEG_X = 15;

/** Position along a straight run: from x0 at t0, `speed` tiles a second (negative: leftwards). */
function run(t, t0, x0, speed) {
  return x0 + speed * (t - t0);
}

function between(t, a, b) {
  return t >= a && t < b;
}

function pacman(t, t0, x0, speed, extra = {}) {
  const x = run(t, t0, x0, speed);
  return { kind: 'pacman', x, dir: speed < 0 ? 'left' : 'right', open: mouthFor(Math.abs(x - x0) / SCALE), ...extra };
}

function ghost(name, t, t0, x0, speed, look = 'normal', extra = {}) {
  return { kind: 'ghost', name, x: run(t, t0, x0, speed), dir: speed < 0 ? 'left' : 'right', look, ...extra };
}

// ---- act 1: Blinky chases Pacman off the screen; a big Pacman chases him back ----

function act1(t) {
  const s = [];
  if (between(t, 0.3, 4.6)) s.push(pacman(t, 0.3, OFF_RIGHT, -8.5));
  if (between(t, 0.3, 5)) s.push(ghost('blinky', t, 0.3, OFF_RIGHT + 4.5, -8.6));
  if (between(t, 5, 9)) {
    s.push(ghost('blinky', t, 5, OFF_LEFT, 8, 'frightened'));
    s.push(pacman(t, 5, OFF_LEFT - HALF * BIG - 2.5, 8.5, { scale: BIG }));
  }
  return s;
}

// ---- act 2: a peg in the floor snags Blinky's cloak, which stretches and tears ----

const SNAG_X = PEG_X - 0.75 * SCALE; // Blinky's centre when the back of his skirt reaches the peg
const BLINKY2_X0 = OFF_RIGHT + 2;
const SNAG_T = 1.0 + (BLINKY2_X0 - SNAG_X) / 10;
const TEAR_T = 4.6;
const STRAIN = 1.3 * SCALE; // how far he gets with the cloak held

function act2(t) {
  const s = [{ kind: 'peg', x: PEG_X }];
  if (between(t, 0.4, 4.6)) s.push(pacman(t, 0.4, OFF_RIGHT, -8.5));
  if (between(t, 1.0, SNAG_T)) s.push(ghost('blinky', t, 1.0, BLINKY2_X0, -10));
  else if (between(t, SNAG_T, TEAR_T)) {
    // Held back: he strains forward ever more slowly, the cloak stretching behind him.
    const k = (t - SNAG_T) / (TEAR_T - SNAG_T);
    const x = SNAG_X - STRAIN * (1 - (1 - k) ** 2);
    s.push({ kind: 'stretch', x, toX: PEG_X, k });
    s.push({ kind: 'ghost', name: 'blinky', x, dir: 'left', look: 'normal' });
  } else if (t >= TEAR_T) {
    // Torn free: a stumble forward, then he stands and looks back at what he lost.
    const lurch = Math.min(1, (t - TEAR_T) / 0.25);
    const x = SNAG_X - STRAIN - 0.6 * SCALE * lurch;
    const dir = t < 5.4 ? 'left' : between(t, 5.4, 6.9) ? 'right' : between(t, 6.9, 8.1) ? 'down' : 'right';
    s.push({ kind: 'scrap', x: PEG_X, t: t - TEAR_T });
    s.push({ kind: 'ghost', name: 'blinky', x, dir, look: 'torn' });
  }
  return s;
}

// ---- act 3: Blinky, his cloak patched, chases Pacman; then comes back without it ----

function act3(t) {
  const s = [];
  if (between(t, 0.3, 4.6)) s.push(pacman(t, 0.3, OFF_RIGHT, -8.5));
  if (between(t, 0.3, 5)) s.push(ghost('blinky', t, 0.3, OFF_RIGHT + 4.5, -8.6, 'patched'));
  if (between(t, 5.2, 9.5)) {
    const x = run(t, 5.2, OFF_LEFT - 2, 8);
    s.push({ kind: 'cloak', x: x - 2.2 * SCALE, fromX: x, t });
    s.push({ kind: 'bare', x, dir: 'right', t });
  }
  return s;
}

const ACTS = { 1: act1, 2: act2, 3: act3 };

/**
 * What is on stage `t` seconds into intermission act 1, 2 or 3: a list of sprites
 * {kind, x (centre, in tiles), dir, look, scale, ...} standing on the FLOOR line.
 */
export function actFrame(act, t) {
  const scene = ACTS[act];
  if (!scene || t < 0 || t > intermissionSeconds(act)) return [];
  return scene(t);
}

// ---- the roll-call ----

export const ROLL_CALL = Object.freeze([
  { name: 'blinky', label: 'BLINKY', blurb: 'HUNTS YOU DOWN' },
  { name: 'pinky', label: 'PINKY', blurb: 'CUTS YOU OFF' },
  { name: 'inky', label: 'INKY', blurb: 'TEAMS UP' },
  { name: 'clyde', label: 'CLYDE', blurb: 'KEEPS HIS DISTANCE' },
]);
const CHASE_START = 5.5;
export const CHASE_FLOOR = 24;
const ENERGIZER_X = 3.5;
const CHASE_SPEED = 8;

// Pacman gets to the energizer, the ghosts behind him; from then on the chase's own clock.
const EAT_AT = (26 - ENERGIZER_X) / CHASE_SPEED;
// Where each ghost is when Pacman eats the energizer; frightened, they turn back at half
// speed and Pacman gains 4 tiles a second on them: when (chase clock) he reaches each.
const CHASED = ROLL_CALL.map((g, i) => {
  const x0 = 28.5 + 1.8 * i - CHASE_SPEED * EAT_AT;
  return { x0, caught: (x0 - ENERGIZER_X - 0.3) / (CHASE_SPEED / 2) };
});
// Each catch freezes the stage as a ghost eaten does in the game: Pacman hidden, the points
// where the ghost was, everyone else still.
const FREEZE = TIMING.ghostEatenFreeze;

/** The roll-call's length: the last catch, its freeze, and Pacman running off to the right. */
export const ROLL_CALL_SECONDS = CHASE_START + EAT_AT + CHASED[CHASED.length - 1].caught
  + FREEZE * CHASED.length + (COLS + 2 - (ENERGIZER_X + CHASE_SPEED * CHASED[CHASED.length - 1].caught)) / CHASE_SPEED;

/**
 * The roll-call `t` seconds in: {cast: [{name, label, blurb, showName}], legend, chase: sprites}.
 * The ghosts step forward one a second, then the points, then a chase: Pacman runs for the
 * energizer with the ghosts behind him, eats it, and eats them in turn, the stage freezing
 * on each catch with the points in Pacman's place, as the arcade's does.
 */
export function rollCallFrame(t) {
  const cast = ROLL_CALL.filter((_, i) => t >= 0.5 + i).map((c, i) => ({ ...c, showName: t >= 1 + i }));
  const chase = [];
  const c = t - CHASE_START;
  if (c >= 0 && c < EAT_AT) {
    chase.push({ kind: 'energizer', x: ENERGIZER_X, lit: Math.floor(t * 4) % 2 === 0 });
    const px = 26 - CHASE_SPEED * c;
    chase.push({ kind: 'pacman', x: px, dir: 'left', open: mouthFor(26 - px) });
    ROLL_CALL.forEach((g, i) => {
      chase.push({ kind: 'ghost', name: g.name, x: 28.5 + 1.8 * i - CHASE_SPEED * c, dir: 'left', look: 'normal' });
    });
  } else if (c >= EAT_AT) {
    // The chase's clock stands still during the freezes: `run` is the time it has moved.
    const real = c - EAT_AT;
    let run = real;
    let frozen = -1; // the ghost whose points show now
    CHASED.forEach((g, i) => {
      const at = g.caught + FREEZE * i; // real time of catch i (after the freezes before it)
      if (real >= at + FREEZE) run -= FREEZE;
      else if (real >= at) {
        run = g.caught;
        frozen = i;
      }
    });
    const px = ENERGIZER_X + CHASE_SPEED * run;
    if (frozen < 0) chase.push({ kind: 'pacman', x: px, dir: 'right', open: mouthFor(Math.abs(26 - px) + 30) });
    ROLL_CALL.forEach((g, i) => {
      const { x0, caught } = CHASED[i];
      if (run < caught) chase.push({ kind: 'ghost', name: g.name, x: x0 + (CHASE_SPEED / 2) * run, dir: 'right', look: 'frightened' });
      else if (i === frozen) chase.push({ kind: 'points', x: x0 + (CHASE_SPEED / 2) * caught, text: String(200 * 2 ** i) });
    });
  }
  return { cast, legend: t >= 4.5, chase };
}

// ---- drawing ----

/**
 * Paints sprites from actFrame() or rollCallFrame().chase, in tile units: each `scale` times
 * an actor's size in the maze (times its own scale), standing on the line y = floor.
 */
export function drawScene(ctx, sprites, { clock = 0, scale = 1, floor = FLOOR } = {}) {
  const wave = Math.floor(clock * 7) % 2 === 0;
  for (const s of sprites) {
    const size = scale * (s.scale ?? 1);
    ctx.save();
    ctx.translate(s.x, floor - 0.8 * size);
    ctx.scale(size, size);
    // From here on the actor's centre is (0, 0) and an actor is 1.6 wide, as in sprites.js.
    switch (s.kind) {
      case 'pacman':
        drawPacman(ctx, 0, 0, s.dir, s.open);
        break;
      case 'ghost':
        drawGhost(ctx, 0, 0, COLORS[s.name], s.dir, s.look, wave);
        break;
      case 'peg':
        drawPeg(ctx, 0, 0);
        break;
      case 'stretch':
        drawCloakStretch(ctx, 0, 0, (s.toX - s.x) / size, s.k);
        break;
      case 'scrap':
        drawScrap(ctx, 0, 0, s.t);
        break;
      case 'bare':
        drawBareGhost(ctx, 0, 0, s.dir, s.t);
        break;
      case 'cloak':
        drawDraggedCloak(ctx, 0, 0, (s.fromX - s.x) / size, s.t);
        break;
      case 'energizer':
        if (s.lit) {
          ctx.fillStyle = COLORS.pellet;
          ctx.beginPath();
          ctx.arc(0, 0, 0.42, 0, Math.PI * 2);
          ctx.fill();
        }
        break;
      case 'points':
        drawText(ctx, s.text, 0, -0.35, { pixel: 0.1, color: COLORS.inky, align: 'center' });
        break;
      default:
        break;
    }
    ctx.restore();
  }
}

/** Paints act 1, 2 or 3 at `t` seconds. */
export function drawAct(ctx, act, t) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, FLOOR - 12, COLS, 14);
  ctx.clip();
  drawScene(ctx, actFrame(act, t), { clock: t, scale: SCALE });
  ctx.restore();
}
