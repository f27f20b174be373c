// Scores waiting to be stored. A score is written to storage (localStorage) with its
// submissionId before the first attempt to send it, and stays there until the server has
// accepted it; failed attempts are retried with growing delays, after a reload too. The server
// stores a submissionId once however often it is sent, so no score is lost or stored twice.

export const STORAGE_KEY = 'pacman.pendingScores.v1';
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function cryptoBytes(n) {
  const c = globalThis.crypto;
  if (c && c.getRandomValues) return c.getRandomValues(new Uint8Array(n));
  // Only Node before 19 lacks a global crypto (unit tests); every browser has it.
  return Uint8Array.from({ length: n }, () => Math.floor(Math.random() * 256));
}

/** A random id of 24 characters from [A-Za-z0-9] (the server allows [A-Za-z0-9_-], <= 64). */
export function newSubmissionId(randomBytes = cryptoBytes) {
  const bytes = randomBytes(24);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** The delay before retry number `attempt` (0-based): doubling from base up to max, +-20%. */
export function backoffDelay(attempt, { baseMs = 1000, maxMs = 20000, random = Math.random } = {}) {
  const plain = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(plain * (0.8 + 0.4 * random()));
}

export class ScoreQueue {
  /**
   * storage: a localStorage-like object. send(entry): resolves to undefined when the server
   * accepted the entry, rejects with an error whose `retryable` says whether to try again.
   * onChange(event): {type: 'queued'|'sent'|'rejected'|'waiting'|'idle', entry?, error?, delayMs?}.
   */
  constructor({ storage, send, onChange = () => {}, schedule = (fn, ms) => setTimeout(fn, ms),
    cancel = (t) => clearTimeout(t), random = Math.random, randomBytes, baseMs = 1000, maxMs = 20000 }) {
    Object.assign(this, { storage, send, onChange, schedule, cancel, random, randomBytes, baseMs, maxMs });
    this.attempt = 0;
    this.timer = null;
    this.running = null;
    this.waiting = false; // the last attempt failed and a retry is scheduled
  }

  /** The entries waiting, oldest first (read from storage every time: other tabs share it). */
  pending() {
    try {
      const list = JSON.parse(this.storage.getItem(STORAGE_KEY) || '[]');
      return Array.isArray(list) ? list.filter((e) => e && typeof e.submissionId === 'string') : [];
    } catch {
      return [];
    }
  }

  write(list) {
    if (list.length) this.storage.setItem(STORAGE_KEY, JSON.stringify(list));
    else this.storage.removeItem(STORAGE_KEY);
  }

  remove(submissionId) {
    this.write(this.pending().filter((e) => e.submissionId !== submissionId));
  }

  /** Stores a new score ({name, score, level, cloud, zone, host}) and starts sending it. */
  add(score) {
    const entry = { ...score, submissionId: newSubmissionId(this.randomBytes), queuedAt: Date.now() };
    this.write([...this.pending(), entry]);
    this.onChange({ type: 'queued', entry });
    this.attempt = 0;
    this.flush();
    return entry;
  }

  /** Sends now whatever is waiting (cancelling a scheduled retry). */
  retryNow() {
    if (this.timer !== null) {
      this.cancel(this.timer);
      this.timer = null;
    }
    return this.flush();
  }

  /** Sends the waiting entries one by one; resolves when done or when a retry is scheduled. */
  flush() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.flush();
      }
    });
    return this.running;
  }

  async drain() {
    for (;;) {
      const entry = this.pending()[0];
      if (!entry) {
        this.attempt = 0;
        this.waiting = false;
        this.onChange({ type: 'idle' });
        return;
      }
      const { queuedAt, ...body } = entry;
      try {
        await this.send(body);
        this.remove(entry.submissionId);
        this.attempt = 0;
        this.waiting = false;
        this.onChange({ type: 'sent', entry });
      } catch (error) {
        if (error && error.retryable === false) {
          // The server will never take it (invalid): keeping it would block the queue forever.
          this.remove(entry.submissionId);
          this.onChange({ type: 'rejected', entry, error });
          continue;
        }
        const delayMs = backoffDelay(this.attempt++, { baseMs: this.baseMs, maxMs: this.maxMs, random: this.random });
        if (this.timer !== null) this.cancel(this.timer);
        this.timer = this.schedule(() => {
          this.timer = null;
          this.flush();
        }, delayMs);
        this.waiting = true;
        this.onChange({ type: 'waiting', entry, error, delayMs });
        return;
      }
    }
  }
}
