// The high-score panel: the top-ten table, its status line (saved, waiting, unavailable), the
// queue of scores waiting for the server, and the offer of a place in the table at game over.
// What becomes of the player's own score is also told by the game (tell()), where a player on
// a phone sees it: the panel may be a screen or two below the maze.
import { makesTopTen } from '../rules/scoring.js';
import { ScoreQueue } from '../net/score-queue.js';
import { fillHighScores, formatNumber } from './tables.js';
import { setStatus } from './hud.js';

const REFRESH_MS = 20000;
const RETRY_MS = 5000; // while the list cannot be read
// At game over the decision waits this long at most for a fresh list, then goes by the last
// one seen: a slow database must not hold the player up (the request itself may take 8 s).
export const FRESH_LIST_WAIT_MS = 1500;

export class Scoreboard {
  /**
   * api: from createApi(); storage: localStorage; body, status: the table's tbody and status
   * line; table: what to hide while there is no list to show (the server never answered);
   * announce(text): tells screen readers; tell(text, tone): the note by the game about the
   * player's score ('' clears it); onTopScore(score): the best score in the list.
   * describeSaved(entry): resolves to more to say about a stored score (which member took it,
   * how long it waited: the cluster panel's). schedule/cancel: the timers for refreshing the
   * list and retrying scores (tests replace them).
   */
  constructor({ api, storage, body, status, table = null, announce = () => {}, tell = () => {},
    onTopScore = () => {}, describeSaved = async () => '', schedule = (fn, ms) => setTimeout(fn, ms),
    cancel = (t) => clearTimeout(t) }) {
    Object.assign(this, { api, body, status, table, announce, tell, onTopScore, describeSaved, schedule, cancel });
    this.list = [];
    this.loaded = false; // a list has been shown
    this.reachable = true;
    this.serverAway = false; // the last failure had no answer at all (not a 503 from the database)
    this.message = '';
    this.mine = null;
    this.timer = null;
    this.queue = new ScoreQueue({ storage, send: (entry) => api.postHighScore(entry),
      onChange: (e) => this.queueChanged(e), schedule, cancel });
  }

  /** Loads the table, keeps it fresh, and sends any score left waiting by an earlier visit. */
  start() {
    this.load();
    if (this.queue.pending().length) this.queue.flush();
  }

  async load() {
    this.cancel(this.timer);
    try {
      const list = await this.api.highScores();
      this.list = Array.isArray(list) ? list : [];
      this.reachable = true;
      this.loaded = true;
      if (this.table) this.table.hidden = false;
      const mark = this.mine ? this.list.findIndex((e) => e.name === this.mine.name && e.score === this.mine.score) : -1;
      fillHighScores(this.body, this.list, mark);
      if (this.list.length) this.onTopScore(this.list[0].score);
      // The database answers again: whatever waits can go now.
      if (this.queue.waiting) this.queue.retryNow();
    } catch (err) {
      this.unreachable(err);
      // Nothing to show yet: the status line says why, instead of "Loading…" for ever.
      if (!this.loaded && this.table) this.table.hidden = true;
    }
    this.showStatus();
    this.timer = this.schedule(() => this.load(), this.reachable ? REFRESH_MS : RETRY_MS);
  }

  /** The list could not be read: `err` (ApiError) says whether the server answered at all. */
  unreachable(err) {
    this.reachable = false;
    this.serverAway = !!err && err.status === 0;
  }

  /** The page says plainly when scores cannot be read or stored, and what happens to the player's. */
  showStatus() {
    const waiting = this.queue.pending().length;
    if (!this.reachable || this.queue.waiting) {
      const why = this.serverAway && !this.queue.waiting ? 'this page cannot reach its server' : 'the database may be restarting';
      const kept = waiting
        ? ` Your score is kept in this browser and will be submitted automatically when the database is back (${waiting} waiting).`
        : ' The game works as usual.';
      setStatus(this.status, `High scores are unavailable right now: ${why}.${kept}`, 'warn');
    } else if (waiting) {
      setStatus(this.status, 'Submitting your score…', 'info');
    } else {
      setStatus(this.status, this.message, 'ok');
    }
  }

  queueChanged(event) {
    if (event.type === 'queued') {
      this.tell('Saving your score…', 'info');
    } else if (event.type === 'sent') {
      this.mine = event.entry;
      const saved = `Score saved: ${event.entry.name}, ${formatNumber(event.entry.score)} points.`;
      this.message = saved;
      this.tell(saved, 'ok');
      this.load();
      // Told once, with the note when it comes (a read from memory, a few milliseconds).
      Promise.resolve().then(() => this.describeSaved(event.entry)).catch(() => '').then((note) => {
        if (note && this.message === saved) {
          this.message = `${saved} ${note}`;
          this.showStatus();
        }
        this.announce(this.message);
      });
    } else if (event.type === 'waiting' && this.toldWaiting !== event.entry.submissionId) {
      this.toldWaiting = event.entry.submissionId; // once, not at every retry
      this.tell('High scores are unavailable right now: your score is kept in this browser and will be saved when the database is back.', 'warn');
    } else if (event.type === 'rejected') {
      this.message = `The server did not accept the score: ${event.error.message}`;
      this.tell(this.message, 'warn');
    }
    this.showStatus();
  }

  /**
   * At game over: when `score` makes the top ten (by a list fetched now if it comes within
   * waitMs, else the last one seen), asks for a name with ask() (resolving to a name or null)
   * and queues the score with where it was played. Resolves to whether a score was queued.
   */
  async offer({ score, level, where, ask, waitMs = FRESH_LIST_WAIT_MS }) {
    const fresh = this.api.highScores().then((list) => {
      if (Array.isArray(list)) this.list = list;
      this.reachable = true;
    }, (err) => this.unreachable(err));
    let timer;
    const late = new Promise((resolve) => { timer = setTimeout(resolve, waitMs); });
    await Promise.race([fresh, late]);
    clearTimeout(timer);
    this.showStatus();
    if (!makesTopTen(score, this.list)) return false;
    const name = await ask();
    if (!name) return false;
    this.queue.add({ name, cloud: where.cloud, zone: where.zone, host: where.host, score, level });
    return true;
  }
}
