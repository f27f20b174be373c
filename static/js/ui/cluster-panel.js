// The "Database" and "Web tier" panels: the replica set's members as tiles (name, role, a dot
// that turns red when unreachable, round-trip time, for how long), the timeline of what this
// replica's driver saw, with new events announced politely to screen readers, and the web
// pods alive now, the one answering highlighted. Refreshes every 2 s while the page is visible.
// Every value goes in as text (textContent), never as HTML. Until a first answer comes the
// panels say "Loading…"; if the server cannot be reached they say that instead, and a panel
// that has shown a view keeps it, marked as out of date, until the server answers again.
import {
  databaseSummary, freshEvents, memberTiles, podRows, primaryName, savedNote,
  sentence, webStaleness, webSummary,
} from './cluster-view.js';
import { clockText, el } from './dom.js';
import { setStatus } from './hud.js';

const EVENTS_SHOWN = 12;

function drawMembers(list, cluster) {
  const doc = list.ownerDocument;
  const tiles = memberTiles(cluster);
  if (!tiles.length) {
    list.replaceChildren(el(doc, 'li', 'member empty', 'No member known yet.'));
    return;
  }
  list.replaceChildren(...tiles.map((t) => {
    const li = el(doc, 'li', 'member');
    li.dataset.tone = t.tone;
    li.dataset.host = t.host;
    const dot = el(doc, 'span', 'dot');
    dot.setAttribute('aria-hidden', 'true');
    li.append(dot, el(doc, 'span', 'member-name', t.name), el(doc, 'span', 'member-state', t.state),
      el(doc, 'span', 'member-facts', t.facts));
    return li;
  }));
}

function drawEvents(list, cluster) {
  const doc = list.ownerDocument;
  const events = (cluster.database.events || []).slice(0, EVENTS_SHOWN);
  if (!events.length) {
    list.replaceChildren(el(doc, 'li', 'event empty', 'Nothing has happened yet.'));
    return;
  }
  list.replaceChildren(...events.map((e) => {
    const li = el(doc, 'li', 'event');
    li.dataset.kind = e.kind;
    const time = el(doc, 'time', '', clockText(e.at));
    time.dateTime = e.at;
    li.append(time, el(doc, 'span', 'event-text', e.text));
    return li;
  }));
}

function drawPods(list, cluster) {
  const doc = list.ownerDocument;
  list.replaceChildren(...podRows(cluster).map((p) => {
    const li = el(doc, 'li', p.self ? 'pod-row self' : 'pod-row');
    li.dataset.id = p.id;
    li.append(el(doc, 'span', 'pod-name', p.name));
    if (p.self) li.append(el(doc, 'span', 'pod-badge', 'serving this page'));
    li.append(el(doc, 'span', 'pod-row-facts', p.facts));
    return li;
  }));
}

export class ClusterPanel {
  /**
   * readCluster(): from createClusterClient(). els: {dbSummary, dbStatus, dbView, members,
   * events, announce, webSummary, webStatus, webView, pods} (dbView and webView: what shows
   * only once there is an answer). schedule/cancel and doc: timers and the document (tests
   * replace them).
   */
  constructor({ readCluster, els, intervalMs = 2000, doc = document,
    schedule = (fn, ms) => setTimeout(fn, ms), cancel = (t) => clearTimeout(t) }) {
    Object.assign(this, { readCluster, els, intervalMs, doc, schedule, cancel });
    this.last = null;
    this.seen = null;
    this.timer = null;
  }

  start() {
    this.doc.addEventListener('visibilitychange', () => { if (!this.doc.hidden) this.refresh(); });
    return this.refresh();
  }

  async refresh() {
    this.cancel(this.timer);
    if (!this.doc.hidden) {
      try {
        this.show(await this.readCluster());
      } catch {
        this.unavailable();
      }
    }
    this.timer = this.schedule(() => this.refresh(), this.intervalMs);
  }

  /** The server did not answer: say so in both panels, instead of "Loading…" if nothing came yet. */
  unavailable() {
    const { els } = this;
    const shown = this.last ? ' What shows below is from the last answer.' : '';
    setStatus(els.dbStatus, `The database view is unavailable right now: this page cannot reach its server.${shown}`, 'warn');
    setStatus(els.webStatus, `The web tier view is unavailable right now: this page cannot reach its server.${shown}`, 'warn');
    if (!this.last) {
      els.dbSummary.hidden = true;
      els.webSummary.hidden = true;
    }
  }

  show(cluster) {
    this.last = cluster;
    const { els } = this;
    els.dbSummary.textContent = databaseSummary(cluster);
    els.dbSummary.hidden = false;
    if (els.dbView) els.dbView.hidden = false;
    setStatus(els.dbStatus, '', 'ok');
    drawMembers(els.members, cluster);
    drawEvents(els.events, cluster);
    const { fresh, seen } = freshEvents(this.seen, cluster.database.events);
    this.seen = seen;
    if (fresh.length) els.announce.textContent = fresh.map((e) => sentence(e.text)).join(' ');
    els.webSummary.textContent = webSummary(cluster);
    els.webSummary.hidden = false;
    if (els.webView) els.webView.hidden = false;
    const stale = webStaleness(cluster);
    setStatus(els.webStatus, stale, stale ? 'warn' : 'ok');
    drawPods(els.pods, cluster);
  }

  /**
   * The note for a score just stored: which member took it (the primary right now, read
   * again for the purpose) and how long it waited in this browser (entry.queuedAt).
   */
  async describeSaved(entry, now = Date.now()) {
    const waitedMs = entry && Number.isFinite(entry.queuedAt) ? now - entry.queuedAt : 0;
    let primary = null;
    try {
      const cluster = await this.readCluster();
      this.show(cluster);
      primary = primaryName(cluster);
    } catch {
      primary = this.last ? primaryName(this.last) : null;
    }
    return savedNote({ primary, waitedMs });
  }
}
