// A small stand-in for the DOM, enough for the page's view modules (tables, status lines,
// panels) to run in Node: elements with children, text, attributes, classes and dataset.
// Not a test file itself (node --test runs *.test.js).

export class FakeElement {
  constructor(tagName, ownerDocument) {
    this.tagName = tagName.toUpperCase();
    this.ownerDocument = ownerDocument;
    this.children = [];
    this.attributes = {};
    this.dataset = {};
    this.className = '';
    this.hidden = false;
    this.ownText = '';
  }

  get firstChild() {
    return this.children[0] ?? null;
  }

  get textContent() {
    return this.ownText + this.children.map((c) => c.textContent).join('');
  }

  set textContent(text) {
    this.children = [];
    this.ownText = String(text);
  }

  append(...nodes) {
    this.children.push(...nodes);
  }

  replaceChildren(...nodes) {
    this.ownText = '';
    this.children = [...nodes];
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  getAttribute(name) {
    return name in this.attributes ? this.attributes[name] : null;
  }

  removeAttribute(name) {
    delete this.attributes[name];
  }

  /** Descendants with `className` among their classes, in document order. */
  byClass(className) {
    const found = [];
    for (const c of this.children) {
      if (c.className.split(' ').includes(className)) found.push(c);
      found.push(...c.byClass(className));
    }
    return found;
  }
}

/** A text node: only its text. */
class FakeText {
  constructor(text) {
    this.textContent = String(text);
    this.className = '';
    this.children = [];
  }

  byClass() {
    return [];
  }
}

export class FakeDocument {
  constructor() {
    this.hidden = false;
  }

  createElement(tagName) {
    return new FakeElement(tagName, this);
  }

  createTextNode(text) {
    return new FakeText(text);
  }
}

/** A new element of a new document: a tbody, a list, a status line... */
export function fakeElement(tagName = 'div') {
  return new FakeDocument().createElement(tagName);
}

/** The rows of a filled tbody as arrays of their cells' text. */
export function rowTexts(tbody) {
  return tbody.children.map((tr) => tr.children.map((cell) => cell.textContent));
}

/** localStorage in memory. */
export class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}
