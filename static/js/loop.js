// The fixed-timestep clock: the game advances in equal steps however often the display
// refreshes, and the renderer gets where the display's moment lies between the last two steps.
//
// The game is stepped up to (or just past) the present, never left behind it: the renderer
// then blends from the step before towards the newest one. A 60 Hz display, one step a frame,
// draws each step in the frame that computed it (alpha 1), not a frame late.

export class FixedStep {
  constructor(step = 1 / 60, { maxFrame = 0.25 } = {}) {
    this.step = step;
    this.maxFrame = maxFrame;
    this.acc = 0; // real time not yet covered by steps; <= 0: the game is that far ahead
  }

  /**
   * Adds `seconds` of real time and calls update(step) until the game has caught up with it.
   * A frame within half a millisecond of a whole number of steps counts as exactly that
   * (display timers jitter; without this a 60 Hz screen would sometimes get 0 or 2 steps a
   * frame). A long gap (a stalled tab) is cut to maxFrame. Returns alpha in (0, 1]: where the
   * present lies between the step before the newest and the newest (1: the newest itself).
   */
  advance(seconds, update) {
    let dt = Math.min(Math.max(0, seconds), this.maxFrame);
    const whole = Math.round(dt / this.step);
    if (whole >= 1 && Math.abs(dt - whole * this.step) < 0.0005) dt = whole * this.step;
    this.acc += dt;
    let steps = 0;
    while (this.acc > 1e-9) {
      update(this.step);
      this.acc -= this.step;
      steps++;
    }
    if (this.acc < -this.step) this.acc = -this.step;
    this.lastSteps = steps;
    return 1 + this.acc / this.step;
  }

  reset() {
    this.acc = 0;
  }
}

/**
 * The animation loop: calls frame(seconds since the last frame) once per display frame
 * (requestAnimationFrame) between start() and stop(). The first frame after a start gets 0:
 * a hidden tab's pause is not played back.
 */
export class AnimationLoop {
  constructor(frame, { request = (fn) => requestAnimationFrame(fn), cancel = (id) => cancelAnimationFrame(id) } = {}) {
    Object.assign(this, { frame, request, cancel });
    this.id = 0;
    this.last = null;
    this.tick = (now) => {
      this.id = this.request(this.tick);
      const seconds = this.last === null ? 0 : (now - this.last) / 1000;
      this.last = now;
      this.frame(seconds);
    };
  }

  get running() {
    return this.id !== 0;
  }

  start() {
    if (this.id) return;
    this.last = null;
    this.id = this.request(this.tick);
  }

  stop() {
    this.cancel(this.id);
    this.id = 0;
  }
}
