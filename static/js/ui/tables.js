// The high-score table and the live-players table. Every value goes in as text
// (textContent), never as HTML: a player's name is shown exactly as typed.

function row(doc, cells, { header = 0, className = '' } = {}) {
  const tr = doc.createElement('tr');
  if (className) tr.className = className;
  cells.forEach((value, i) => {
    const cell = doc.createElement(i < header ? 'th' : 'td');
    if (i < header) cell.scope = 'row';
    cell.textContent = value == null ? '' : String(value);
    tr.append(cell);
  });
  return tr;
}

function emptyRow(doc, columns, text) {
  const tr = doc.createElement('tr');
  const td = doc.createElement('td');
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

/** Fills the tbody with the top ten; `mark` (index) highlights the player's new entry. */
export function fillHighScores(tbody, list, mark = -1) {
  const doc = tbody.ownerDocument;
  if (!list.length) {
    tbody.replaceChildren(emptyRow(doc, 6, 'No scores yet. Be the first!'));
    return;
  }
  tbody.replaceChildren(...list.map((e, i) => row(doc,
    [i + 1, e.name, e.cloud, e.zone, e.host, formatNumber(e.score)],
    { header: 1, className: i === mark ? 'mine' : '' })));
}

/** Fills the tbody with players' live stats (at most `limit` rows). */
export function fillLivePlayers(tbody, list, limit = 20) {
  const doc = tbody.ownerDocument;
  if (!list.length) {
    tbody.replaceChildren(emptyRow(doc, 6, 'Nobody has played lately.'));
    return;
  }
  tbody.replaceChildren(...list.slice(0, limit).map((p) => {
    const tr = row(doc, ['', formatNumber(p.score), p.level, p.lives, formatDuration(p.et), p.txncount]);
    // Where the player's reports landed: the pod on one line, its zone and cloud under it.
    const where = tr.firstChild;
    const host = doc.createElement('span');
    host.className = 'where-host';
    host.textContent = p.host ?? '';
    const place = doc.createElement('span');
    place.className = 'where-place';
    place.textContent = `${p.zone ?? ''} · ${p.cloud ?? ''}`;
    where.append(host, place);
    return tr;
  }));
}
