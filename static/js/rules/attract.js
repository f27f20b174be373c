// The title screen's show, the arcade's "attract mode": the title; after a while the
// roll-call of the four ghosts; then a short demo game played by a bot (bot.js); and round
// again, until a key or a tap. Silent, and nothing it does counts. Pure: runs in Node too.
import { Game, STEP, ARCADE_SEED } from './game.js';
import { botDirection } from './bot.js';

export const ATTRACT_SECONDS = Object.freeze({
  title: 12, // then the roll-call
  rollCall: 16, // then the demo (the chase freezes a second on each ghost eaten: scenes.js)
  demoMax: 25, // a demo ends sooner if the bot loses its life or clears the maze
  demoReady: 1.5,
});

export class Attract {
  constructor({ seed = ARCADE_SEED } = {}) {
    this.seed = seed;
    this.demos = 0;
    this.show('title');
  }

  show(stage) {
    this.stage = stage;
    this.time = 0;
    this.demo = null;
    if (stage === 'demo') {
      // Each demo a little different: the bot meets the ghosts at other moments.
      this.demo = new Game({ lives: 1, seed: this.seed + this.demos++ });
      this.demo.start();
      this.demo.readyDuration = ATTRACT_SECONDS.demoReady;
      this.demo.drainEvents();
    }
  }

  /** Advances the show by dt seconds (a fixed step). */
  update(dt = STEP) {
    this.time += dt;
    switch (this.stage) {
      case 'title':
        if (this.time >= ATTRACT_SECONDS.title) this.show('rollCall');
        break;
      case 'rollCall':
        if (this.time >= ATTRACT_SECONDS.rollCall) this.show('demo');
        break;
      case 'demo': {
        const d = this.demo;
        if (d.phase === 'playing') {
          const dir = botDirection(d);
          if (dir) d.setDirection(dir);
        }
        d.update(dt);
        d.drainEvents();
        const over = d.phase === 'gameOver' || d.phase === 'levelComplete' || d.phase === 'intermission';
        if (over || this.time >= ATTRACT_SECONDS.demoMax) this.show('title');
        break;
      }
      default:
        break;
    }
  }

  /**
   * A fresh key press or tap. During the roll-call or the demo it ends the show (back to the
   * title) and returns true; on the title it only restarts the wait and returns false.
   */
  interrupt() {
    if (this.stage === 'title') {
      this.time = 0;
      return false;
    }
    this.show('title');
    return true;
  }
}
