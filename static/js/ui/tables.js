// The high-score table and the live-players table. Every value goes in as text
// (textContent), never as HTML: a player's name is shown exactly as typed.
//
// Each cell gets a class naming its column: the side panel is too narrow for six columns of
// long values (a 32-character name, a zone like us-central1-a, a pod like
// pacman-7f9c6d8b5-x2lq3), so the stylesheet lays a row out on two or three lines by column
// (pacman.css, "tables"). The roles are explicit because a table whose rows are restyled that
// way loses its table semantics in some browsers.

// The columns, in the order of the tables' headers (index.html).
export const SCORE_COLUMNS = Object.freeze(['rank', 'name', 'cloud', 'zone', 'host', 'score']);
export const LIVE_COLUMNS = Object.freeze(['pod', 'score', 'level', 'lives', 'time', 'updates']);
// The labels the live table shows before its numbers (its header row is for screen readers).
const LIVE_LABELS = Object.freeze({ level: 'Level', lives: 'Lives', time: 'Time', updates: 'Updates' });

/**
 * A row of `cells` (values) in `columns` (their class names). The first `header` cells are
 * row headers; a cell of a column in `titled` has its value as tooltip too (for a value cut
 * with an ellipsis); `labels` maps a column to the label shown before its value.
 */
function row(doc, cells, columns, { header = 0, className = '', titled = [], labels = {} } = {}) {
  const tr = doc.createElement('tr');
  tr.setAttribute('role', 'row');
  if (className) tr.className = className;
  cells.forEach((value, i) => {
    const cell = doc.createElement(i < header ? 'th' : 'td');
    if (i < header) cell.scope = 'row';
    cell.setAttribute('role', i < header ? 'rowheader' : 'cell');
    cell.className = columns[i];
    cell.textContent = value == null ? '' : String(value);
    if (titled.includes(columns[i])) cell.title = cell.textContent;
    if (labels[columns[i]]) cell.dataset.label = labels[columns[i]];
    tr.append(cell);
  });
  return tr;
}

function emptyRow(doc, columns, text) {
  const tr = doc.createElement('tr');
  tr.setAttribute('role', 'row');
  const td = doc.createElement('td');
  td.setAttribute('role', 'cell');
  td.colSpan = columns;
  td.className = 'empty';
  td.textContent = text;
  tr.append(td);
  return tr;
}

export function formatNumber(n) {
  return Number(n || 0).toLocaleString('en-US');
}

/** "m:ss" or "h:mm:ss" for a number of seconds. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Puts `text` into `cell` a word to a span (class "word"), the spaces between them as text:
 * the cell reads the same, and the stylesheet keeps each word on one line (a name wraps
 * between its words, not at the hyphen of "Featherstonehaugh-Ng").
 */
function wordsInto(cell, text) {
  const doc = cell.ownerDocument;
  cell.textContent = '';
  for (const part of String(text ?? '').split(/(\s+)/)) {
    if (!part) continue;
    if (/^\s+$/.test(part)) {
      cell.append(doc.createTextNode(part));
    } else {
      const word = doc.createElement('span');
      word.className = 'word';
      word.textContent = part;
      cell.append(word);
    }
  }
}

/** Fills the tbody with the top ten; `mark` (index) highlights the player's new entry. */
export function fillHighScores(tbody, list, mark = -1) {
  const doc = tbody.ownerDocument;
  if (!list.length) {
    tbody.replaceChildren(emptyRow(doc, SCORE_COLUMNS.length, 'No scores yet. Be the first!'));
    return;
  }
  // A place too long for the panel even on a line of its own ends in an ellipsis: the whole
  // of it is the cell's tooltip.
  tbody.replaceChildren(...list.map((e, i) => {
    const tr = row(doc, [i + 1, e.name, e.cloud, e.zone, e.host, formatNumber(e.score)], SCORE_COLUMNS,
      { header: 1, className: i === mark ? 'mine' : '', titled: ['cloud', 'zone', 'host'] });
    wordsInto(tr.children[SCORE_COLUMNS.indexOf('name')], e.name);
    return tr;
  }));
}

/**
 * The players to list as live: those who still have a life. A finished game (0 lives) reports
 * once more at game over and stays in the server's list until it expires; it is not live.
 */
export function livePlayers(list) {
  return (Array.isArray(list) ? list : []).filter((p) => p && Number(p.lives) > 0);
}

/** Fills the tbody with the live players of `list` (at most `limit` rows). */
export function fillLivePlayers(tbody, list, limit = 20) {
  const doc = tbody.ownerDocument;
  const live = livePlayers(list);
  if (!live.length) {
    tbody.replaceChildren(emptyRow(doc, LIVE_COLUMNS.length, 'Nobody is playing right now.'));
    return;
  }
  tbody.replaceChildren(...live.slice(0, limit).map((p) => {
    const tr = row(doc, ['', formatNumber(p.score), p.level, p.lives, formatDuration(p.et), p.txncount],
      LIVE_COLUMNS, { labels: LIVE_LABELS });
    // Where the player's reports landed: the pod on one line, its zone and cloud under it,
    // each value kept whole.
    const where = tr.firstChild;
    const host = doc.createElement('span');
    host.className = 'where-host';
    host.textContent = p.host ?? '';
    host.title = host.textContent;
    const place = doc.createElement('span');
    place.className = 'where-place';
    for (const value of [p.zone, p.cloud]) {
      const part = doc.createElement('span');
      part.textContent = value ?? '';
      place.append(part);
    }
    where.append(host, place);
    return tr;
  }));
}
