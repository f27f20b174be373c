// The Lesson panel: the walkthrough's steps beside the game (lesson/steps.js), each with its
// commands to copy, what to notice, and a state that changes by itself from what the page sees
// (lesson/progress.js), with the evidence. Collapsed until opened by its button or by ?lesson=1
// in the address (?lesson=present also enlarges it, for a projector). Progress is kept in
// localStorage; "Start over" clears it. Each tick is announced politely while the panel is open.
// Every value goes in as text (textContent), never as HTML.
//
// It reads what the page reads already: main.js hands it every GET /cluster answer the
// Database panel gets (observeCluster) and every score the page stores (scoreSaved). The one
// request of its own is GET highscores/fingerprint, every 5 s while the restore step is the
// one in view, because the fingerprint reads every score on the primary.
import { LessonProgress } from '../lesson/progress.js';
import { databaseOf, memberName } from '../lesson/watch.js';
import { createFingerprintReader } from '../net/fingerprint.js';
import { clockText, el } from './dom.js';

export const PROGRESS_KEY = 'pacman.lesson.v1';
export const OPEN_KEY = 'pacman.lesson.open';
const FINGERPRINT_MS = 5000;
const COPIED_MS = 2000;

const STATUS_TEXT = {
  given: 'done: follows from this page',
  done: 'done',
  limited: 'done, as far as one member can show',
  partial: 'partly done',
  waiting: 'to do',
  cannot: 'cannot be shown here',
};
const STATUS_MARK = { given: '✓', done: '✓', limited: '✓', partial: '◐', waiting: '○', cannot: '–' };
const FINISHED = new Set(['given', 'done', 'limited', 'cannot']);

/** What ?lesson= asks for: {open, present}. */
export function lessonRequest(search) {
  const value = new URLSearchParams(search || '').get('lesson');
  if (value === null) return { open: false, present: false };
  return { open: value !== '0' && value !== 'false', present: value === 'present' };
}

function readJson(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

export class LessonPanel {
  /**
   * root: the panel's empty section (index.html). storage: localStorage-like. search: the
   * address's query. readFingerprint(): from createFingerprintReader(). now(): browser ms.
   * schedule/cancel: timers. clipboard: {writeText(text)} (navigator.clipboard).
   */
  constructor({ root, storage, search = '', readFingerprint = createFingerprintReader(), now = () => Date.now(),
    schedule = (fn, ms) => setTimeout(fn, ms), cancel = (t) => clearTimeout(t),
    clipboard = globalThis.navigator && globalThis.navigator.clipboard }) {
    Object.assign(this, { root, storage, readFingerprint, now, schedule, cancel, clipboard });
    this.doc = root.ownerDocument;
    this.request = lessonRequest(search);
    this.progress = new LessonProgress(readJson(storage, PROGRESS_KEY));
    this.steps = new Map(); // step id -> its elements
    this.current = null;
    this.fingerprintTimer = null;
  }

  start() {
    this.build();
    const open = this.request.open || readJson(this.storage, OPEN_KEY) === true;
    this.setPresent(this.request.present);
    this.setOpen(open, { focus: false });
    this.render();
    if (this.request.open) this.root.scrollIntoView({ block: 'start' });
    this.doc.addEventListener('visibilitychange', () => this.pollFingerprint());
    return this;
  }

  // ---- what the page sees ----

  /** Every GET /cluster answer the page reads. */
  observeCluster(reply) {
    this.after(this.progress.observeCluster(reply, this.now()));
  }

  /** A score of this browser's was stored (the score queue's entry: name, score, queuedAt). */
  scoreSaved(entry) {
    const reply = this.progress.reply;
    const primary = reply && databaseOf(reply).primary ? memberName(reply, databaseOf(reply).primary) : null;
    this.after(this.progress.observeSave(entry, this.now(), primary));
  }

  after(ticks) {
    this.save();
    this.render();
    if (ticks.length && this.isOpen()) this.announce(ticks.map((id) => this.tickSentence(id)).join(' '));
  }

  save() {
    try {
      this.storage.setItem(PROGRESS_KEY, JSON.stringify(this.progress));
    } catch {
      // storage full or refused: progress lasts as long as the page
    }
  }

  tickSentence(id) {
    for (const step of this.progress.steps()) {
      const check = step.checks.find((c) => c.id === id);
      if (check) return `Step ${step.number}, ${check.label}, ticked. ${check.evidence}`;
    }
    return '';
  }

  announce(text) {
    this.live.textContent = text;
  }

  // ---- the fingerprint, while the restore step is in view ----

  wantsFingerprint() {
    const restore = this.steps.get('restore');
    if (!this.isOpen() || this.doc.hidden || !restore) return false;
    const status = restore.li.dataset.status;
    return !FINISHED.has(status) && (this.current === 'restore' || restore.details.open);
  }

  async pollFingerprint() {
    this.cancel(this.fingerprintTimer);
    this.fingerprintTimer = null;
    if (!this.wantsFingerprint()) return;
    try {
      const fingerprint = await this.readFingerprint();
      this.after(this.progress.observeFingerprint(fingerprint, this.now()));
    } catch {
      // the server did not answer: the Database panel says so; try again at the next turn
    }
    if (this.wantsFingerprint()) this.fingerprintTimer = this.schedule(() => this.pollFingerprint(), FINGERPRINT_MS);
  }

  // ---- open, closed, presenting ----

  isOpen() {
    return this.toggle.getAttribute('aria-expanded') === 'true';
  }

  setOpen(open, { focus = true } = {}) {
    this.toggle.setAttribute('aria-expanded', String(open));
    this.toggleText.textContent = open ? 'Hide the lesson' : 'Show the lesson';
    this.body.hidden = !open;
    this.root.dataset.open = String(open);
    try {
      this.storage.setItem(OPEN_KEY, JSON.stringify(open));
    } catch {
      // not kept: it opens closed next time
    }
    if (open && focus) this.heading.focus();
    this.pollFingerprint();
  }

  setPresent(present) {
    this.presentButton.setAttribute('aria-pressed', String(present));
    this.doc.body.classList.toggle('lesson-present', present);
  }

  // ---- the panel's elements ----

  build() {
    const { doc, root } = this;
    root.replaceChildren();
    root.classList.add('lesson');
    const header = el(doc, 'div', 'lesson-header');
    this.heading = el(doc, 'h2', '', 'Lesson');
    this.heading.id = 'lesson-title';
    this.heading.tabIndex = -1;
    this.toggle = el(doc, 'button', 'lesson-toggle');
    this.toggle.type = 'button';
    this.toggle.id = 'lesson-toggle';
    this.toggle.setAttribute('aria-controls', 'lesson-body');
    this.toggleText = el(doc, 'span', '', 'Show the lesson');
    this.summary = el(doc, 'span', 'lesson-count');
    this.summary.id = 'lesson-count';
    this.toggle.append(this.toggleText, el(doc, 'span', 'visually-hidden', ', '), this.summary);
    this.toggle.addEventListener('click', () => this.setOpen(!this.isOpen()));
    header.append(this.heading, this.toggle);

    this.body = el(doc, 'div', 'lesson-body');
    this.body.id = 'lesson-body';
    const intro = el(doc, 'p', 'hint', 'The Kubernetes walkthrough, step by step (docs/kubernetes.md). Run each command in a terminal; this page ticks a step by itself when it sees it done, and says what it saw.');
    const tools = el(doc, 'div', 'lesson-tools');
    this.presentButton = el(doc, 'button', '', 'Larger text');
    this.presentButton.type = 'button';
    this.presentButton.id = 'lesson-present';
    this.presentButton.addEventListener('click', () => this.setPresent(this.presentButton.getAttribute('aria-pressed') !== 'true'));
    this.resetButton = el(doc, 'button', '', 'Start over');
    this.resetButton.type = 'button';
    this.resetButton.id = 'lesson-reset';
    this.resetButton.setAttribute('aria-controls', 'lesson-confirm');
    this.resetButton.setAttribute('aria-expanded', 'false');
    this.resetButton.addEventListener('click', () => this.askReset(true));
    tools.append(this.presentButton, this.resetButton);
    this.confirm = this.buildConfirm();
    this.list = el(doc, 'ol', 'lesson-steps');
    this.list.setAttribute('aria-labelledby', 'lesson-title');
    for (const step of this.progress.steps()) this.list.append(this.buildStep(step));
    this.live = el(doc, 'p', 'visually-hidden');
    this.live.id = 'lesson-announce';
    this.live.setAttribute('aria-live', 'polite');
    this.body.append(intro, tools, this.confirm, this.list);
    root.append(header, this.body, this.live);
  }

  buildConfirm() {
    const { doc } = this;
    const box = el(doc, 'div', 'status lesson-confirm');
    box.dataset.tone = 'warn';
    box.id = 'lesson-confirm';
    box.hidden = true;
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', 'Start over?');
    const yes = el(doc, 'button', 'primary', 'Start over');
    yes.type = 'button';
    yes.id = 'lesson-reset-yes';
    yes.addEventListener('click', () => this.reset());
    const no = el(doc, 'button', '', 'Keep my progress');
    no.type = 'button';
    no.addEventListener('click', () => this.askReset(false));
    box.append(el(doc, 'p', '', 'Untick every step? From now on only what happens next counts.'), yes, no);
    this.confirmYes = yes;
    return box;
  }

  askReset(asking) {
    this.confirm.hidden = !asking;
    this.resetButton.setAttribute('aria-expanded', String(asking));
    (asking ? this.confirmYes : this.resetButton).focus();
  }

  reset() {
    this.progress.reset();
    this.save();
    this.current = null;
    for (const { details } of this.steps.values()) details.open = false;
    this.askReset(false);
    this.render();
    this.announce('Started over: every step is to do again.');
  }

  /**
   * A step: its title and state, its checks with their evidence (always in view: that is
   * what the learner and a projected room look at), the live note, and a disclosure with its
   * commands and what to notice (open for the step to do next).
   */
  buildStep(step) {
    const { doc } = this;
    const li = el(doc, 'li', 'lesson-step');
    li.dataset.step = step.id;
    const head = el(doc, 'div', 'lesson-step-head');
    const mark = el(doc, 'span', 'lesson-mark');
    mark.setAttribute('aria-hidden', 'true');
    const title = el(doc, 'h3', 'lesson-step-title', `${step.number}. ${step.title}`);
    const state = el(doc, 'span', 'lesson-state');
    title.append(el(doc, 'span', 'visually-hidden', ': '), state);
    head.append(mark, title);
    const evidence = el(doc, 'p', 'lesson-evidence');
    const checks = el(doc, 'ul', 'lesson-checks');
    checks.hidden = !step.checks;
    const checkEls = new Map();
    for (const check of step.checks || []) {
      const item = el(doc, 'li', 'lesson-check');
      item.dataset.check = check.id;
      const label = el(doc, 'span', 'lesson-check-label', check.label);
      const stateText = el(doc, 'span', 'visually-hidden');
      const time = el(doc, 'time', 'lesson-time');
      const text = el(doc, 'span', 'lesson-check-text');
      item.append(label, stateText, time, text);
      checks.append(item);
      checkEls.set(check.id, { item, stateText, time, text });
    }
    const note = el(doc, 'p', 'lesson-note');
    const details = el(doc, 'details', 'lesson-more');
    details.addEventListener('toggle', () => this.pollFingerprint());
    const summary = el(doc, 'summary', '', step.given ? 'Why it is done, and its commands' : 'Commands, and what to notice');
    const where = step.through ? `steps ${step.number} to ${step.through}` : `step ${step.number}`;
    const source = el(doc, 'p', 'lesson-source', `${step.doc}, ${where}`);
    const why = el(doc, 'p', 'lesson-why');
    const commands = el(doc, 'div', 'lesson-commands');
    step.commands.forEach((command, i) => commands.append(this.buildCommand(step, command, i)));
    const notice = el(doc, 'p', 'lesson-notice');
    notice.append(el(doc, 'strong', '', 'What to notice. '), doc.createTextNode(step.notice));
    details.append(summary, why, source, commands, notice);
    li.append(head, evidence, checks, note, details);
    this.steps.set(step.id, { li, details, mark, state, why, evidence, checks: checkEls, note });
    return li;
  }

  buildCommand(step, command, index) {
    const { doc } = this;
    const box = el(doc, 'div', 'lesson-command');
    const id = `lesson-cmd-${step.id}-${index}`;
    const pre = el(doc, 'pre');
    const code = el(doc, 'code', '', command.text);
    code.id = id;
    pre.append(code);
    const button = el(doc, 'button', 'lesson-copy', 'Copy');
    button.type = 'button';
    button.dataset.command = command.text;
    button.setAttribute('aria-describedby', id);
    button.addEventListener('click', () => this.copy(button, code, command.text));
    box.append(pre, button);
    if (command.note) box.append(el(doc, 'p', 'lesson-command-note', command.note));
    return box;
  }

  /** Copies a command: the clipboard API, else the selection and the copy command. */
  async copy(button, code, text) {
    let copied = false;
    try {
      if (this.clipboard && this.clipboard.writeText) {
        await this.clipboard.writeText(text);
        copied = true;
      }
    } catch {
      copied = false;
    }
    if (!copied) {
      const range = this.doc.createRange();
      range.selectNodeContents(code);
      const selection = this.doc.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      copied = this.doc.execCommand ? this.doc.execCommand('copy') : false;
    }
    button.textContent = copied ? 'Copied' : 'Selected: press Ctrl+C';
    this.announce(copied ? 'Command copied.' : 'The command is selected: copy it with Ctrl+C (Cmd+C on a Mac).');
    this.schedule(() => { button.textContent = 'Copy'; }, COPIED_MS);
  }

  // ---- drawing the state ----

  render() {
    const views = this.progress.steps();
    let current = null;
    for (const view of views) {
      const parts = this.steps.get(view.id);
      if (!parts) continue;
      if (!FINISHED.has(view.status) && !current) current = view.id;
      this.drawStep(parts, view);
    }
    setText(this.summary, progressText(views));
    if (current !== this.current) {
      // the step to do next opens by itself; the learner's own opening and closing stay
      if (current) this.steps.get(current).details.open = true;
      for (const [id, parts] of this.steps) parts.li.classList.toggle('current', id === current);
      this.current = current;
    }
  }

  drawStep(parts, view) {
    parts.li.dataset.status = view.status;
    setText(parts.mark, STATUS_MARK[view.status]);
    setText(parts.state, STATUS_TEXT[view.status]);
    setText(parts.why, view.why || '');
    parts.why.hidden = !view.why;
    setText(parts.evidence, view.evidence || '');
    parts.evidence.hidden = !view.evidence;
    setText(parts.note, view.note || '');
    parts.note.hidden = !view.note;
    for (const check of view.checks) {
      const c = parts.checks.get(check.id);
      const state = check.done === null ? 'cannot' : String(check.done);
      c.item.dataset.done = state;
      setText(c.stateText, check.done ? ': done. ' : check.done === null ? ': cannot be shown here. ' : ': to do. ');
      setText(c.time, check.at ? clockText(check.at) : '');
      if (check.at) c.time.dateTime = new Date(check.at).toISOString();
      c.time.hidden = !check.at;
      setText(c.text, check.evidence || check.note || '');
    }
  }
}

/** "5 of 10 steps done", and how many cannot be shown here (a set of one member). */
export function progressText(views) {
  const done = views.filter((v) => v.status === 'given' || v.status === 'done' || v.status === 'limited').length;
  const cannot = views.filter((v) => v.status === 'cannot').length;
  return `${done} of ${views.length} steps done${cannot ? `, ${cannot} cannot be shown here` : ''}`;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
