// When ghosts may leave the house: personal dot counters at the start of a level, a global
// counter after Pacman loses a life, and a timer that frees a ghost from an idle Pacman.
import { levelSpec } from './levels.js';

// After a lost life, the global counter lets each ghost out when it reaches its number.
const GLOBAL_LIMITS = Object.freeze({ pinky: 7, inky: 17, clyde: 32 });

export class HouseRelease {
  constructor(level) {
    this.startLevel(level);
  }

  startLevel(level) {
    const spec = levelSpec(level);
    this.limits = spec.dotLimits;
    this.idleLimit = spec.idleRelease;
    this.counters = { pinky: 0, inky: 0, clyde: 0 };
    this.globalActive = false;
    this.globalCount = 0;
    this.idle = 0;
  }

  lifeLost() {
    this.globalActive = true;
    this.globalCount = 0;
    this.idle = 0;
  }

  /** Pacman ate a pellet; `inHouse` lists the ghosts waiting inside, in release order. */
  dotEaten(inHouse) {
    this.idle = 0;
    if (this.globalActive) this.globalCount++;
    else if (inHouse.length) this.counters[inHouse[0]]++;
  }

  /** Time passes; returns the name of a ghost to let out now, or null. */
  tick(dt, inHouse) {
    this.idle += dt;
    if (!inHouse.length) return null;
    const preferred = inHouse[0];
    if (this.globalActive) {
      if (this.globalCount >= GLOBAL_LIMITS.clyde && inHouse.includes('clyde')) {
        // Back to the personal counters once Clyde's number comes up with him still inside.
        this.globalActive = false;
      }
      if (this.globalCount >= GLOBAL_LIMITS[preferred]) return this.release(preferred);
    } else if (this.counters[preferred] >= this.limits[preferred]) {
      return this.release(preferred);
    }
    if (this.idle >= this.idleLimit) return this.release(preferred);
    return null;
  }

  release(name) {
    this.idle = 0;
    return name;
  }
}
