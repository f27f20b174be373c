// The fixed-timestep clock: the game advances in equal steps however often the display
// refreshes, and the renderer gets how far the clock is between two steps.

export class FixedStep {
  constructor(step = 1 / 60, { maxFrame = 0.25 } = {}) {
    this.step = step;
    this.maxFrame = maxFrame;
    this.acc = 0;
  }

  /**
   * Adds `seconds` of real time and calls update(step) as many times as it covers. A frame
   * within half a millisecond of a whole number of steps counts as exactly that (display
   * timers jitter; without this a 60 Hz screen would sometimes get 0 or 2 steps a frame).
   * A long gap (a stalled tab) is cut to maxFrame. Returns the leftover as a fraction of a step.
   */
  advance(seconds, update) {
    let dt = Math.min(Math.max(0, seconds), this.maxFrame);
    const whole = Math.round(dt / this.step);
    if (whole >= 1 && Math.abs(dt - whole * this.step) < 0.0005) dt = whole * this.step;
    this.acc += dt;
    let steps = 0;
    while (this.acc >= this.step - 1e-9) {
      update(this.step);
      this.acc -= this.step;
      steps++;
    }
    if (this.acc < 0) this.acc = 0;
    this.lastSteps = steps;
    return this.acc / this.step;
  }

  reset() {
    this.acc = 0;
  }
}
