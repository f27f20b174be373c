// What changes from level to level: speeds (fractions of full speed), "Cruise Elroy" thresholds,
// how many dots hold each ghost in the house, and how long an idle Pacman keeps them there.

const SPEEDS = [
  // upTo: last level of the band
  { upTo: 1, pacman: 0.8, pacmanFright: 0.9, ghost: 0.75, ghostFright: 0.5, ghostTunnel: 0.4, elroy: [0.8, 0.85] },
  { upTo: 4, pacman: 0.9, pacmanFright: 0.95, ghost: 0.85, ghostFright: 0.55, ghostTunnel: 0.45, elroy: [0.9, 0.95] },
  { upTo: 20, pacman: 1, pacmanFright: 1, ghost: 0.95, ghostFright: 0.6, ghostTunnel: 0.5, elroy: [1, 1.05] },
  { upTo: Infinity, pacman: 0.9, pacmanFright: 0.9, ghost: 0.95, ghostFright: 0.6, ghostTunnel: 0.5, elroy: [1, 1.05] },
];

// Dots left when Blinky becomes Elroy 1; Elroy 2 comes at half as many.
const ELROY_DOTS = [
  { upTo: 1, dots: 20 },
  { upTo: 2, dots: 30 },
  { upTo: 5, dots: 40 },
  { upTo: 8, dots: 50 },
  { upTo: 11, dots: 60 },
  { upTo: 14, dots: 80 },
  { upTo: 18, dots: 100 },
  { upTo: Infinity, dots: 120 },
];

// Eyes race home, and ghosts pace slowly inside the house.
export const EYES_SPEED = 1.6;
export const HOUSE_SPEED = 0.45;

/** Everything level-dependent except the mode timers (modes.js) and scoring (scoring.js). */
export function levelSpec(level) {
  const speeds = SPEEDS.find((s) => level <= s.upTo);
  const elroyDots = ELROY_DOTS.find((e) => level <= e.upTo).dots;
  return {
    pacman: speeds.pacman,
    pacmanFright: speeds.pacmanFright,
    ghost: speeds.ghost,
    ghostFright: speeds.ghostFright,
    ghostTunnel: speeds.ghostTunnel,
    elroy1: { dots: elroyDots, speed: speeds.elroy[0] },
    elroy2: { dots: elroyDots / 2, speed: speeds.elroy[1] },
    // Personal dot counters that keep each ghost in the house at the start of a level.
    dotLimits: level === 1 ? { pinky: 0, inky: 30, clyde: 60 }
      : level === 2 ? { pinky: 0, inky: 0, clyde: 50 }
        : { pinky: 0, inky: 0, clyde: 0 },
    // Seconds without eating after which the next ghost is let out anyway.
    idleRelease: level < 5 ? 4 : 3,
  };
}

// The intermissions, as in the arcade: act 1 after level 2, act 2 after 5, act 3 after 9, and
// act 3 again after 13 and 17.
const INTERMISSIONS = Object.freeze({ 2: 1, 5: 2, 9: 3, 13: 3, 17: 3 });
// How long each act plays, in seconds (ui/intermissions.js draws them on this clock).
const ACT_SECONDS = Object.freeze({ 1: 9, 2: 9, 3: 9.5 });

/** The intermission act (1-3) that plays after `level`, or 0 for none. */
export function intermissionAfter(level) {
  return INTERMISSIONS[level] || 0;
}

/** How long act `act` lasts, in seconds. */
export function intermissionSeconds(act) {
  return ACT_SECONDS[act] || 0;
}
