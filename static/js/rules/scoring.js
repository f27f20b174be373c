// Points: pellets, the ghost chain of one energizer, fruit per level, the extra life and
// whether a final score earns a place in the top ten.

export const DOT_POINTS = 10;
export const ENERGIZER_POINTS = 50;
export const GHOST_CHAIN = Object.freeze([200, 400, 800, 1600]);
export const EXTRA_LIFE_SCORE = 10000;
export const TOP_TEN = 10;

/** Points for the next ghost eaten when `eatenSoFar` were already eaten on this energizer. */
export function ghostPoints(eatenSoFar) {
  return GHOST_CHAIN[Math.min(eatenSoFar, GHOST_CHAIN.length - 1)];
}

const FRUITS = [
  { kind: 'cherry', points: 100 },
  { kind: 'strawberry', points: 300 },
  { kind: 'orange', points: 500 },
  { kind: 'orange', points: 500 },
  { kind: 'apple', points: 700 },
  { kind: 'apple', points: 700 },
  { kind: 'melon', points: 1000 },
  { kind: 'melon', points: 1000 },
  { kind: 'flagship', points: 2000 },
  { kind: 'flagship', points: 2000 },
  { kind: 'bell', points: 3000 },
  { kind: 'bell', points: 3000 },
];
const KEY = { kind: 'key', points: 5000 };

export function fruitForLevel(level) {
  return FRUITS[level - 1] || KEY;
}

// Fruit shows up when this many pellets of the level have been eaten.
export const FRUIT_AT_EATEN = Object.freeze([70, 170]);

/** Whether going from `before` to `after` points crosses the extra-life score. */
export function earnsExtraLife(before, after) {
  return before < EXTRA_LIFE_SCORE && after >= EXTRA_LIFE_SCORE;
}

/** Whether `score` would enter a top-ten list sorted best first ({score} objects). */
export function makesTopTen(score, list) {
  if (!(score > 0)) return false;
  if (list.length < TOP_TEN) return true;
  return score > list[TOP_TEN - 1].score;
}
