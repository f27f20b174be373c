// Reports this player's live stats (score, level, lives, time) to the server every few
// seconds while a game runs, and at once on a level or life change. Gets a player id first.

export class StatsReporter {
  /**
   * api: from createApi(). where(): {cloud, zone, host} of the serving pod.
   * stats(): {score, level, lives, elapsedTime} of the current game.
   */
  constructor({ api, where, stats, intervalMs = 5000, schedule = (fn, ms) => setInterval(fn, ms), cancel = (t) => clearInterval(t) }) {
    Object.assign(this, { api, where, stats, intervalMs, schedule, cancel });
    this.userId = null;
    this.timer = null;
    this.busy = false;
    this.pendingReport = false;
  }

  /** Starts reporting for a new game (keeps the player id of earlier games in this page). */
  start() {
    this.stop();
    this.report();
    this.timer = this.schedule(() => this.report(), this.intervalMs);
  }

  stop() {
    if (this.timer !== null) this.cancel(this.timer);
    this.timer = null;
  }

  /** Sends the current stats now; a call while one is in flight sends once more afterwards. */
  async report() {
    if (this.busy) {
      this.pendingReport = true;
      return;
    }
    this.busy = true;
    try {
      if (!this.userId) this.userId = await this.api.newUserId();
      const w = this.where();
      await this.api.postStats({ userId: this.userId, cloud: w.cloud, zone: w.zone, host: w.host, ...this.stats() });
    } catch (err) {
      // Unknown id (database reset): ask for a new one next time. Otherwise just try again later.
      if (err && err.status === 404) this.userId = null;
    } finally {
      this.busy = false;
      if (this.pendingReport) {
        this.pendingReport = false;
        this.report();
      }
    }
  }
}
