// Helpers shared by the rule tests (not a test file itself: node --test runs *.test.js).
import { Game, STEP } from '../../static/js/rules/game.js';

/** A game started and stepped through READY: the ghosts are about to move. */
export function playing(options = {}) {
  const g = new Game({ seed: 3, ...options });
  g.start();
  while (g.phase !== 'playing') g.update(STEP);
  g.drainEvents();
  return g;
}
