import { test } from 'node:test';
import assert from 'node:assert/strict';
import { askForName } from '../../static/js/ui/name-dialog.js';
import { MemoryStorage } from './fake-dom.js';

// The dialog's parts as event targets (Node has EventTarget): what askForName listens to. The
// dialog's close() fires 'close' the way a browser's does (later, as a task).
class Part extends EventTarget {
  constructor() {
    super();
    this.value = '';
    this.textContent = '';
    this.attributes = {};
  }

  setAttribute(name, value) { this.attributes[name] = String(value); }

  removeAttribute(name) { delete this.attributes[name]; }

  focus() { if (this.doc) this.doc.activeElement = this; }

  blur() { if (this.doc && this.doc.activeElement === this) this.doc.activeElement = null; }

  select() {}
}

class Dialog extends Part {
  constructor(inside = []) {
    super();
    this.open = false;
    this.inside = inside;
    this.ownerDocument = { activeElement: null };
  }

  contains(el) { return this.inside.includes(el); }

  showModal() { this.open = true; }

  close() {
    if (!this.open) return;
    this.open = false;
    setTimeout(() => this.dispatchEvent(new Event('close')), 0);
  }
}

function parts() {
  const input = new Part();
  const skip = new Part();
  const dialog = new Dialog([input, skip]);
  input.doc = dialog.ownerDocument;
  skip.doc = dialog.ownerDocument;
  return { dialog, form: new Part(), input, error: new Part(), scoreText: new Part(), skip };
}

const settled = (promise) => Promise.race([promise.then((v) => ({ value: v })), new Promise((r) => setTimeout(() => r('pending'), 50))]);

test('Save with a name resolves to the name, trimmed, and keeps it for next time', async () => {
  const els = parts();
  const storage = new MemoryStorage();
  const asked = askForName(els, { score: 1234, storage });
  assert.equal(els.dialog.open, true);
  assert.equal(els.scoreText.textContent, '1,234');
  els.input.value = '  Ada  ';
  els.form.dispatchEvent(new Event('submit', { cancelable: true }));
  assert.deepEqual(await settled(asked), { value: 'Ada' });
  assert.equal(els.dialog.open, false);
  assert.equal(storage.getItem('pacman.lastName'), 'Ada');
});

test('Save with no name keeps the dialog open with the error', async () => {
  const els = parts();
  const asked = askForName(els, { score: 10, storage: new MemoryStorage() });
  els.input.value = '   ';
  els.form.dispatchEvent(new Event('submit', { cancelable: true }));
  assert.equal(await settled(asked), 'pending');
  assert.equal(els.dialog.open, true);
  assert.equal(els.error.textContent, 'Please type a name.');
  els.skip.dispatchEvent(new Event('click'));
  assert.deepEqual(await settled(asked), { value: null });
});

test('Esc with a cancel event first skips, and the dialog closes', async () => {
  const els = parts();
  const asked = askForName(els, { score: 10, storage: new MemoryStorage() });
  const cancel = new Event('cancel', { cancelable: true });
  els.dialog.dispatchEvent(cancel);
  assert.equal(cancel.defaultPrevented, true);
  assert.deepEqual(await settled(asked), { value: null });
  assert.equal(els.dialog.open, false);
});

test('the focus leaves with the dialog: no key after it goes to a hidden field', async () => {
  const els = parts();
  const asked = askForName(els, { score: 10, storage: new MemoryStorage() });
  assert.equal(els.dialog.ownerDocument.activeElement, els.input, 'the field has the focus while it asks');
  els.dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
  assert.deepEqual(await settled(asked), { value: null });
  assert.equal(els.dialog.ownerDocument.activeElement, null);
});

test('a close with no cancel before it (Chromium, no user activation since the last) skips too', async () => {
  // Without the close listener the promise would never settle, and the page would wait for
  // ever for a name: Enter would start no game.
  const els = parts();
  const asked = askForName(els, { score: 10, storage: new MemoryStorage() });
  els.dialog.close();
  assert.deepEqual(await settled(asked), { value: null });
});

test('after it settles, a later close of the same dialog answers nothing twice', async () => {
  const els = parts();
  const first = askForName(els, { score: 10, storage: new MemoryStorage() });
  els.skip.dispatchEvent(new Event('click'));
  assert.deepEqual(await settled(first), { value: null });
  // The next game's dialog: the first one's listeners are gone, so only this one answers.
  const second = askForName(els, { score: 20, storage: new MemoryStorage() });
  await new Promise((r) => setTimeout(r, 5)); // the first close's event, late, must not end it
  assert.equal(await settled(second), 'pending');
  els.input.value = 'Bo';
  els.form.dispatchEvent(new Event('submit', { cancelable: true }));
  assert.deepEqual(await settled(second), { value: 'Bo' });
});
