// The page's text around the game: score, high score, lives and level as plain DOM text
// (readable by screen readers and tests), written only when a value changes.

export class Hud {
  /** els: {score, high, lives, level} elements. */
  constructor(els) {
    this.els = els;
    this.shown = {};
  }

  update(values) {
    for (const [key, value] of Object.entries(values)) {
      const el = this.els[key];
      const text = String(value);
      if (el && this.shown[key] !== text) {
        el.textContent = text;
        this.shown[key] = text;
      }
    }
  }
}

/**
 * Mirrors values into an element's data-* attributes (the page's state, for tests and
 * styles), writing only when one changed. update() returns whether one did.
 */
export class DatasetMirror {
  constructor(el) {
    this.el = el;
    this.shown = {};
  }

  update(values) {
    if (!Object.keys(values).some((k) => values[k] !== this.shown[k])) return false;
    this.shown = { ...values };
    Object.assign(this.el.dataset, values);
    return true;
  }
}

/** Sets the text of a status element (empty hides it through CSS) and its tone. */
export function setStatus(el, text, tone = 'info') {
  if (el.textContent !== text) el.textContent = text;
  el.dataset.tone = tone;
  el.hidden = !text;
}

/**
 * The note by the game: a line over the bottom of the maze that tells what became of the
 * player's score (saved, waiting, not saved), where the player looks. It goes away by itself
 * after showMs, or when the next game starts (clear()).
 */
export class GameNote {
  constructor(el, { showMs = 10000, schedule = (fn, ms) => setTimeout(fn, ms), cancel = (t) => clearTimeout(t) } = {}) {
    Object.assign(this, { el, showMs, schedule, cancel });
    this.timer = null;
  }

  /** Shows `text` in `tone` (ok, info, warn); '' hides the note. */
  show(text, tone = 'info') {
    this.cancel(this.timer);
    this.timer = null;
    setStatus(this.el, text, tone);
    if (text) this.timer = this.schedule(() => this.show(''), this.showMs);
  }

  clear() {
    this.show('');
  }
}
