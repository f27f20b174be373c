// The animated scenes: the three intermission acts and the attract mode's roll-call of the
// ghosts. Each scene is a pure function of time giving what is on stage (actFrame,
// rollCallFrame: tested in Node); drawScene() paints such a frame with the sprites. Our own
// staging in the spirit of the arcade's acts, drawn with canvas paths.
import { COLS } from '../rules/maze.js';
import { intermissionSeconds } from '../rules/levels.js';
import {
  drawPacman, drawGhost, drawPeg, drawCloakStretch, drawScrap, drawBareGhost, drawDraggedCloak,
  mouthFor, COLORS,
} from './sprites.js';
import { drawText } from './font.js';

// Where the actors run: the floor under them and the size of the big Pacman.
export const STAGE_Y = 15.5;
const BIG = 3;
const PEG_X = 14;

/** Position along a straight run: from x0 at t0, `speed` tiles a second (negative: leftwards). */
function run(t, t0, x0, speed) {
  return x0 + speed * (t - t0);
}

function between(t, a, b) {
  return t >= a && t < b;
}

function pacman(t, t0, x0, speed, extra = {}) {
  const x = run(t, t0, x0, speed);
  return { kind: 'pacman', x, y: STAGE_Y, dir: speed < 0 ? 'left' : 'right', open: mouthFor(Math.abs(x - x0)), ...extra };
}

function ghost(name, t, t0, x0, speed, look = 'normal', extra = {}) {
  return { kind: 'ghost', name, x: run(t, t0, x0, speed), y: STAGE_Y, dir: speed < 0 ? 'left' : 'right', look, ...extra };
}

// ---- act 1: Blinky chases Pacman off the screen; a big Pacman chases him back ----

function act1(t) {
  const s = [];
  if (between(t, 0.3, 4.2)) s.push(pacman(t, 0.3, 29.5, -9.2));
  if (between(t, 0.3, 4.6)) s.push(ghost('blinky', t, 0.3, 32.5, -9.0));
  if (between(t, 4.6, 9)) {
    s.push(ghost('blinky', t, 4.6, -2, 7.2, 'frightened'));
    const big = pacman(t, 4.6, -9, 8, { scale: BIG });
    big.y = STAGE_Y + 0.8 - 0.8 * BIG; // standing on the same floor
    s.push(big);
  }
  return s;
}

// ---- act 2: a peg in the floor snags Blinky's cloak, which stretches and tears ----

const SNAG_X = PEG_X - 0.75; // Blinky's centre when the back of his skirt reaches the peg
const SNAG_T = 1.0 + (31 - SNAG_X) / 10;
const TEAR_T = 4.6;

function act2(t) {
  const s = [{ kind: 'peg', x: PEG_X, y: STAGE_Y }];
  if (between(t, 0.4, 4.3)) s.push(pacman(t, 0.4, 29.5, -9));
  if (between(t, 1.0, SNAG_T)) s.push(ghost('blinky', t, 1.0, 31, -10));
  else if (between(t, SNAG_T, TEAR_T)) {
    // Held back: he strains forward ever more slowly, the cloak stretching behind him.
    const k = (t - SNAG_T) / (TEAR_T - SNAG_T);
    const x = SNAG_X - 1.8 * (1 - (1 - k) ** 2);
    s.push({ kind: 'stretch', x, y: STAGE_Y, toX: PEG_X, k });
    s.push({ kind: 'ghost', name: 'blinky', x, y: STAGE_Y, dir: 'left', look: 'normal' });
  } else if (t >= TEAR_T) {
    // Torn free: a stumble forward, then he stands and looks back at what he lost.
    const lurch = Math.min(1, (t - TEAR_T) / 0.25);
    const x = SNAG_X - 1.8 - 0.7 * lurch;
    const dir = t < 5.4 ? 'left' : between(t, 5.4, 6.9) ? 'right' : between(t, 6.9, 8.1) ? 'down' : 'right';
    s.push({ kind: 'scrap', x: PEG_X, y: STAGE_Y, t: t - TEAR_T });
    s.push({ kind: 'ghost', name: 'blinky', x, y: STAGE_Y, dir, look: 'torn' });
  }
  return s;
}

// ---- act 3: Blinky, his cloak patched, chases Pacman; then comes back without it ----

function act3(t) {
  const s = [];
  if (between(t, 0.3, 4.2)) s.push(pacman(t, 0.3, 29.5, -9.2));
  if (between(t, 0.3, 4.6)) s.push(ghost('blinky', t, 0.3, 32.5, -9.0, 'patched'));
  if (between(t, 5.0, 9.5)) {
    const x = run(t, 5.0, -3, 7);
    s.push({ kind: 'cloak', x: x - 2.1, y: STAGE_Y, fromX: x, t });
    s.push({ kind: 'bare', x, y: STAGE_Y, dir: 'right', t });
  }
  return s;
}

const ACTS = { 1: act1, 2: act2, 3: act3 };

/** What is on stage `t` seconds into intermission act 1, 2 or 3: a list of sprites. */
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
const CHASE_Y = 23;
const ENERGIZER_X = 3;
const CHASE_SPEED = 8;

/**
 * The roll-call `t` seconds in: {cast: [{name, label, blurb, showName}], legend, chase: sprites}.
 * The ghosts step forward one a second, then the points, then a chase: Pacman runs for the
 * energizer with the ghosts behind him, eats it, and eats them in turn.
 */
export function rollCallFrame(t) {
  const cast = ROLL_CALL.filter((_, i) => t >= 0.5 + i).map((c, i) => ({ ...c, showName: t >= 1 + i }));
  const chase = [];
  const c = t - CHASE_START;
  const eatAt = (26 - ENERGIZER_X) / CHASE_SPEED; // Pacman reaches the energizer
  if (c >= 0) {
    if (c < eatAt) chase.push({ kind: 'energizer', x: ENERGIZER_X, y: CHASE_Y, lit: Math.floor(t * 4) % 2 === 0 });
    const before = c < eatAt;
    const px = before ? 26 - CHASE_SPEED * c : ENERGIZER_X + CHASE_SPEED * (c - eatAt);
    chase.push({ kind: 'pacman', x: px, y: CHASE_Y, dir: before ? 'left' : 'right', open: mouthFor(Math.abs(26 - px) + (before ? 0 : 30)) });
    ROLL_CALL.forEach((g, i) => {
      const start = 28.5 + 1.8 * i;
      if (before) {
        chase.push({ kind: 'ghost', name: g.name, x: start - CHASE_SPEED * c, y: CHASE_Y, dir: 'left', look: 'normal' });
        return;
      }
      // Frightened, they turn back at half speed; Pacman gains 4 tiles a second on them.
      const gx0 = start - CHASE_SPEED * eatAt;
      const caught = eatAt + (gx0 - ENERGIZER_X - 0.3) / (CHASE_SPEED / 2);
      const gx = gx0 + (CHASE_SPEED / 2) * (c - eatAt);
      if (c < caught) chase.push({ kind: 'ghost', name: g.name, x: gx, y: CHASE_Y, dir: 'right', look: 'frightened' });
      else if (c < caught + 0.9) {
        const at = gx0 + (CHASE_SPEED / 2) * (caught - eatAt);
        chase.push({ kind: 'points', x: at, y: CHASE_Y, text: String(200 * 2 ** i) });
      }
    });
  }
  return { cast, legend: t >= 4.5, chase };
}

// ---- drawing ----

/** Paints a list of sprites from actFrame or rollCallFrame(...).chase, in tile units. */
export function drawScene(ctx, sprites, { clock = 0 } = {}) {
  const wave = Math.floor(clock * 7) % 2 === 0;
  for (const s of sprites) {
    const x = s.x + 0.5;
    const y = s.y;
    switch (s.kind) {
      case 'pacman': {
        const scale = s.scale ?? 1;
        drawPacman(ctx, x, y, s.dir, s.open, 0.8 * scale);
        break;
      }
      case 'ghost':
        drawGhost(ctx, x, y, COLORS[s.name], s.dir, s.look, wave);
        break;
      case 'peg':
        drawPeg(ctx, s.x, y);
        break;
      case 'stretch':
        drawCloakStretch(ctx, x, y, s.toX, s.k);
        break;
      case 'scrap':
        drawScrap(ctx, s.x, y, s.t);
        break;
      case 'bare':
        drawBareGhost(ctx, x, y, s.dir, s.t);
        break;
      case 'cloak':
        drawDraggedCloak(ctx, x, y, s.fromX + 0.5, s.t);
        break;
      case 'energizer':
        if (s.lit) {
          ctx.fillStyle = COLORS.pellet;
          ctx.beginPath();
          ctx.arc(x, y, 0.42, 0, Math.PI * 2);
          ctx.fill();
        }
        break;
      case 'points':
        drawText(ctx, s.text, x, y - 0.35, { pixel: 0.1, color: COLORS.inky, align: 'center' });
        break;
      default:
        break;
    }
  }
}

/** Clips to the stage band and paints an act. */
export function drawAct(ctx, act, t) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, STAGE_Y - 8, COLS, 12);
  ctx.clip();
  drawScene(ctx, actFrame(act, t), { clock: t });
  ctx.restore();
}
