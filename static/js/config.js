// Settings read from the page address. The test switches shorten a game for demos and browser
// tests; without them the game is the normal one.
//   ?lives=N   start with N lives (1-9)
//   ?dots=N    keep only N pellets per level (those on Pacman's way left first), to clear
//              levels in seconds
//   ?level=N   start at level N
//   ?seed=N    fixed random seed for the frightened ghosts

function intParam(params, name, min, max) {
  const raw = params.get(name);
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
}

/** Game options from a query string such as location.search. */
export function readSettings(search) {
  const params = new URLSearchParams(search);
  const settings = {
    lives: intParam(params, 'lives', 1, 9) ?? 3,
    startLevel: intParam(params, 'level', 1, 255) ?? 1,
    keepDots: intParam(params, 'dots', 1, 244) ?? null,
    seed: intParam(params, 'seed', 0, 2 ** 31) ?? null,
  };
  settings.testMode = settings.lives !== 3 || settings.startLevel !== 1 || settings.keepDots !== null;
  return settings;
}
