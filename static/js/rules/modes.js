// Timers that rule the ghosts: the scatter/chase schedule of each level and how long
// frightened mode lasts (and flashes before it ends).

// Alternating scatter and chase durations in seconds, starting with scatter; the last chase
// has no end.
const SCHEDULES = [
  { upTo: 1, phases: [7, 20, 7, 20, 5, 20, 5] },
  { upTo: 4, phases: [7, 20, 7, 20, 5, 1033, 1 / 60] },
  { upTo: Infinity, phases: [5, 20, 5, 20, 5, 1037, 1 / 60] },
];

export function modeSchedule(level) {
  return SCHEDULES.find((s) => level <= s.upTo).phases;
}

/**
 * The mode at `t` seconds of scatter/chase time into a level (frightened time does not count).
 * Returns {mode: 'scatter'|'chase', index} where index counts the phases passed.
 */
export function modeAt(level, t) {
  const phases = modeSchedule(level);
  let end = 0;
  for (let i = 0; i < phases.length; i++) {
    end += phases[i];
    if (t < end) return { mode: i % 2 === 0 ? 'scatter' : 'chase', index: i };
  }
  return { mode: 'chase', index: phases.length };
}

// Seconds of fright for levels 1..19; from level 19 on, an energizer only turns the ghosts.
const FRIGHT_SECONDS = [6, 5, 4, 3, 2, 5, 2, 2, 1, 5, 2, 1, 1, 3, 1, 1, 0, 1, 0];
const SHORT_FLASH_LEVELS = new Set([9, 12, 13, 15, 16, 18]);

export function frightSeconds(level) {
  return level <= FRIGHT_SECONDS.length ? FRIGHT_SECONDS[level - 1] : 0;
}

/** How many times frightened ghosts flash white before they recover. */
export function flashCount(level) {
  return SHORT_FLASH_LEVELS.has(level) ? 3 : 5;
}

// One flash: white for 14 frames, then blue for 14, as in the arcade.
export const FLASH_FRAMES = 14;
export const FLASH_PERIOD = (2 * FLASH_FRAMES) / 60;

/** Whether frightened ghosts are drawn white now, with `remaining` seconds of fright left. */
export function frightFlashWhite(level, remaining) {
  const flashing = Math.min(flashCount(level) * FLASH_PERIOD, frightSeconds(level));
  if (remaining > flashing + 1e-9 || remaining <= 1e-9) return false;
  // Counted in whole frames back from the end, so the last flash ends (blue) exactly when
  // fright does; a fright shorter than its flashes cuts the first one short.
  const frame = flashCount(level) * 2 * FLASH_FRAMES - Math.round(remaining * 60);
  return frame % (2 * FLASH_FRAMES) < FLASH_FRAMES;
}
