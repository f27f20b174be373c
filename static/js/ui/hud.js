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

/** Sets the text of a status element (empty hides it through CSS) and its tone. */
export function setStatus(el, text, tone = 'info') {
  if (el.textContent !== text) el.textContent = text;
  el.dataset.tone = tone;
  el.hidden = !text;
}
