// The page's views in Node, on a small stand-in DOM (fake-dom.js): the tables' rows, which
// players count as live, what the panels say when the server is away (never "Loading…" for
// ever), the keys a focused volume slider leaves to the game, the name field's limit counted
// in characters, and the note by the game.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillHighScores, fillLivePlayers, livePlayers, SCORE_COLUMNS } from '../../static/js/ui/tables.js';
import { Scoreboard } from '../../static/js/ui/scoreboard.js';
import { ClusterPanel } from '../../static/js/ui/cluster-panel.js';
import { watchLivePlayers } from '../../static/js/ui/live-players.js';
import { bindKeyboard } from '../../static/js/ui/input.js';
import { clampName, nameLength, NAME_MAX, validateName } from '../../static/js/ui/name-dialog.js';
import { DatasetMirror, GameNote } from '../../static/js/ui/hud.js';
import { AnimationLoop } from '../../static/js/loop.js';
import { ApiError } from '../../static/js/net/api.js';
import { fakeElement, FakeDocument, MemoryStorage, rowTexts } from './fake-dom.js';

const LONG = {
  name: 'Maximiliana Featherstonehaugh-Ng', cloud: 'gcp', zone: 'us-central1-a',
  host: 'pacman-7f9c6d8b5-x2lq3', score: 3333360,
};

test('a high score is a row of six cells, one per column, each value whole', () => {
  assert.equal(LONG.name.length, 32);
  const body = fakeElement('tbody');
  fillHighScores(body, [LONG, { ...LONG, name: '👾'.repeat(20), score: 1230 }], 1);
  assert.deepEqual(rowTexts(body), [
    ['1', LONG.name, 'gcp', 'us-central1-a', 'pacman-7f9c6d8b5-x2lq3', '3,333,360'],
    ['2', '👾'.repeat(20), 'gcp', 'us-central1-a', 'pacman-7f9c6d8b5-x2lq3', '1,230'],
  ]);
  const [first, second] = body.children;
  assert.deepEqual(first.children.map((c) => c.className), SCORE_COLUMNS, 'the stylesheet lays the row out by these');
  assert.deepEqual(first.children.map((c) => c.getAttribute('role')), ['rowheader', 'cell', 'cell', 'cell', 'cell', 'cell']);
  assert.equal(first.getAttribute('role'), 'row');
  assert.equal(first.byClass('host')[0].title, 'pacman-7f9c6d8b5-x2lq3', 'a place cut short still shows whole as a tooltip');
  assert.equal(second.className, 'mine');
});

test('live players: finished games (no life left) are not live', () => {
  const playing = { cloud: 'gcp', zone: 'europe-west4-b', host: 'pacman-7f9c6d8b5-x2lq3', score: 1234567, level: 12, lives: 2, et: 3725, txncount: 745 };
  const finished = { ...playing, host: 'pacman-7f9c6d8b5-abcde', lives: 0 };
  assert.deepEqual(livePlayers([finished, playing, null]), [playing]);
  const body = fakeElement('tbody');
  fillLivePlayers(body, [finished, playing]);
  assert.deepEqual(rowTexts(body), [['pacman-7f9c6d8b5-x2lq3europe-west4-bgcp', '1,234,567', '12', '2', '1:02:05', '745']]);
  const row = body.children[0];
  assert.deepEqual(row.children.slice(2).map((c) => c.dataset.label), ['Level', 'Lives', 'Time', 'Updates']);
  assert.deepEqual(row.byClass('where-place')[0].children.map((c) => c.textContent), ['europe-west4-b', 'gcp'],
    'zone and cloud each kept whole, side by side');
  fillLivePlayers(body, [finished]);
  assert.deepEqual(rowTexts(body), [['Nobody is playing right now.']]);
});

const down = async () => { throw new ApiError('the server could not be reached', 0); };

test('high scores with the server away: the status says so and "Loading…" goes', async () => {
  const body = fakeElement('tbody');
  body.textContent = 'Loading…';
  const table = fakeElement('div');
  const status = fakeElement('p');
  let answer = down;
  const sb = new Scoreboard({ api: { highScores: () => answer() }, storage: new MemoryStorage(), body, status, table,
    schedule: () => 0, cancel: () => {} });
  await sb.load();
  assert.equal(table.hidden, true, 'no table of "Loading…" beside the note');
  assert.equal(status.hidden, false);
  assert.equal(status.textContent, 'High scores are unavailable right now: this page cannot reach its server. The game works as usual.');
  answer = async () => [LONG];
  await sb.load();
  assert.equal(table.hidden, false);
  assert.equal(status.hidden, true);
  // Away again: the list seen last stays, and the note says they are unavailable.
  answer = down;
  await sb.load();
  assert.equal(table.hidden, false);
  assert.equal(rowTexts(body)[0][1], LONG.name);
  assert.match(status.textContent, /^High scores are unavailable right now/);
});

function panelEls() {
  const doc = new FakeDocument();
  const els = {};
  for (const key of ['dbSummary', 'dbStatus', 'dbView', 'members', 'events', 'announce', 'webSummary', 'webStatus', 'webView', 'pods']) {
    els[key] = doc.createElement('div');
  }
  els.dbSummary.textContent = 'Loading…';
  els.webSummary.textContent = 'Loading…';
  els.dbView.hidden = true;
  els.webView.hidden = true;
  return { doc, els };
}

test('the Database and Web tier panels with the server away: each says so, none says "Loading…"', async () => {
  const { doc, els } = panelEls();
  const panel = new ClusterPanel({ readCluster: down, els, doc, schedule: () => 0, cancel: () => {} });
  await panel.refresh();
  for (const [summary, status] of [[els.dbSummary, els.dbStatus], [els.webSummary, els.webStatus]]) {
    assert.equal(summary.hidden, true, 'the "Loading…" line is gone');
    assert.equal(status.hidden, false);
    assert.equal(status.dataset.tone, 'warn');
    assert.match(status.textContent, /unavailable right now: this page cannot reach its server\.$/);
  }
  assert.equal(els.dbView.hidden, true);
});

test('live players with the server away: the status says so and "Loading…" goes', async () => {
  const body = fakeElement('tbody');
  body.textContent = 'Loading…';
  const table = fakeElement('div');
  const status = fakeElement('p');
  await watchLivePlayers({ api: { liveStats: down }, body, status, table, doc: new FakeDocument(), schedule: () => 0 });
  assert.equal(table.hidden, true);
  assert.equal(status.hidden, false);
  assert.match(status.textContent, /^Live players are unavailable right now/);
});

/** A keydown as the browser sends it, on `target`, and whether its default was prevented. */
function key(handler, keyName, target, code = keyName) {
  const e = { key: keyName, code, target, repeat: false, altKey: false, ctrlKey: false, metaKey: false,
    prevented: false, preventDefault() { this.prevented = true; } };
  handler(e);
  return e;
}

function keyboard(state) {
  const calls = [];
  let handler = null;
  bindKeyboard({ addEventListener: (type, fn) => { handler = fn; } }, {
    press: () => false,
    steering: () => state.playing,
    direction: (d) => { calls.push(`direction ${d}`); return state.playing; },
    pause: () => { calls.push('pause'); return true; },
    mute: () => { calls.push('mute'); return true; },
    start: () => { calls.push('start'); return true; },
  });
  return { calls, handler };
}

test('a focused volume slider leaves the game its keys in play, and keeps its arrows otherwise', () => {
  const slider = { tagName: 'INPUT', type: 'range' };
  const state = { playing: true };
  const { calls, handler } = keyboard(state);
  // Clicked in the middle of a game: the arrows steer Pacman, and the slider does not move.
  const up = key(handler, 'ArrowUp', slider);
  assert.deepEqual(calls, ['direction up']);
  assert.equal(up.prevented, true, 'the slider does not get the arrow');
  key(handler, 'p', slider, 'KeyP');
  key(handler, 'm', slider, 'KeyM');
  key(handler, 'Enter', slider);
  assert.deepEqual(calls, ['direction up', 'pause', 'mute', 'start']);
  // Paused or between games, its arrows set the volume.
  state.playing = false;
  calls.length = 0;
  const left = key(handler, 'ArrowLeft', slider);
  assert.deepEqual(calls, []);
  assert.equal(left.prevented, false, 'the slider moves');
  // A text field keeps every key.
  const field = { tagName: 'INPUT', type: 'text' };
  state.playing = true;
  key(handler, 'ArrowUp', field);
  key(handler, 'Enter', field);
  assert.deepEqual(calls, []);
});

test('a dialog keeps its keys while open; once closed, its field or button still focused is not the game\'s end', () => {
  // Chromium leaves the focus on a closed dialog's field until its next rendering update:
  // an Enter pressed at once after Esc must start the game, not vanish into the hidden field.
  const dialog = { open: true };
  const field = { tagName: 'INPUT', type: 'text', closest: () => dialog };
  const skip = { tagName: 'BUTTON', closest: () => dialog };
  const state = { playing: false };
  const { calls, handler } = keyboard(state);
  key(handler, 'Enter', field);
  key(handler, 'Escape', field);
  key(handler, 'Enter', skip);
  assert.deepEqual(calls, [], 'an open dialog keeps every key');
  dialog.open = false;
  const enter = key(handler, 'Enter', field);
  key(handler, 'Enter', skip);
  assert.deepEqual(calls, ['start', 'start']);
  assert.equal(enter.prevented, true);
});

test('the name field counts characters as the server does: 20 emoji are 20, not 40', () => {
  const aliens = '👾'.repeat(20);
  assert.equal(aliens.length, 40, 'UTF-16 units, what maxlength counts');
  assert.equal(nameLength(aliens), 20);
  assert.equal(clampName(aliens), aliens, 'kept whole while typing');
  assert.deepEqual(validateName(aliens), { ok: true, name: aliens });
  assert.equal(nameLength(clampName('👾'.repeat(40))), NAME_MAX);
  assert.equal(clampName('x'.repeat(40)), 'x'.repeat(32));
  // Joined emoji are printable (U+200D is a format character, which the server takes).
  assert.equal(validateName('👩‍🚀 Sally').ok, true);
  assert.equal(validateName('a\u202eb').ok, false, 'a bidi override, refused by the server too');
  assert.equal(validateName('a\ud800').ok, false, 'a lone surrogate has no UTF-8 form');
});

test('the note by the game goes by itself after a while, or when cleared', () => {
  const el = fakeElement('p');
  const timers = [];
  const note = new GameNote(el, { showMs: 10000, schedule: (fn, ms) => timers.push({ fn, ms }), cancel: () => {} });
  note.show('Score saved: Ada, 70 points.', 'ok');
  assert.equal(el.hidden, false);
  assert.equal(el.dataset.tone, 'ok');
  assert.equal(timers.at(-1).ms, 10000);
  timers.at(-1).fn();
  assert.equal(el.hidden, true);
  note.show('Saving your score…', 'info');
  note.clear();
  assert.equal(el.hidden, true);
});

test('the page state mirror writes data attributes only when a value changed', () => {
  const el = fakeElement('main');
  const mirror = new DatasetMirror(el);
  assert.equal(mirror.update({ phase: 'attract', paused: 'false' }), true);
  assert.equal(mirror.update({ phase: 'attract', paused: 'false' }), false);
  assert.equal(mirror.update({ phase: 'ready', paused: 'false' }), true);
  assert.deepEqual({ ...el.dataset }, { phase: 'ready', paused: 'false' });
});

test('the animation loop gives each frame the seconds since the last, and none after a restart', () => {
  const queued = [];
  const got = [];
  const loop = new AnimationLoop((s) => got.push(s), { request: (fn) => queued.push(fn), cancel: () => queued.splice(0) });
  loop.start();
  loop.start(); // once is enough
  assert.equal(queued.length, 1);
  queued.shift()(1000);
  queued.shift()(1016);
  loop.stop();
  assert.equal(loop.running, false);
  loop.start();
  queued.shift()(5000);
  assert.deepEqual(got.map((s) => Math.round(s * 1000)), [0, 16, 0]);
});
