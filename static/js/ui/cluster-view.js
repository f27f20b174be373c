// What the "Database" and "Web tier" panels say, worked out from a GET /cluster answer: pure
// functions, no DOM (tested in Node by tests/unit-js/cluster-view.test.js). The panel that
// draws them is cluster-panel.js.

/** "0.4 s", "6.1 s", "14 s", "2 min", "2 min 5 s" for the first minutes, "1 h 5 min". */
export function durationText(ms) {
  const s = Math.max(0, Number(ms) || 0) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    const rest = Math.floor(s % 60);
    return minutes < 5 && rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** Milliseconds from ISO time `from` to ISO time `to` (both from the server's clock); 0 if unreadable. */
export function between(from, to) {
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Number.isFinite(a) && Number.isFinite(b) ? Math.max(0, b - a) : 0;
}

/** How a member's state reads on its tile: the driver's word, except "not checked yet". */
export function stateLabel(state) {
  return state === 'UNKNOWN' ? 'CHECKING' : String(state || 'UNKNOWN');
}

/** The tone of a state, for its dot and border (the text says it too). */
export function stateTone(state) {
  switch (state) {
    case 'PRIMARY': return 'primary';
    case 'SECONDARY': return 'secondary';
    case 'UNREACHABLE': return 'down';
    case 'UNKNOWN': return 'checking';
    default: return 'other';
  }
}

/** The members as tiles: name, state text, tone and the facts line ("0.3 ms · for 2 min"). */
export function memberTiles(cluster) {
  const db = (cluster && cluster.database) || {};
  const now = cluster && cluster.now;
  return (Array.isArray(db.members) ? db.members : []).map((m) => {
    const facts = [];
    if (typeof m.rttMs === 'number') facts.push(`${m.rttMs < 10 ? m.rttMs.toFixed(1) : Math.round(m.rttMs)} ms`);
    if (m.since && now) facts.push(`for ${durationText(between(m.since, now))}`);
    return { host: m.host, name: m.name || m.host, state: stateLabel(m.state), tone: stateTone(m.state), facts: facts.join(' · ') };
  });
}

/** The short name of the member that is primary now, or null. */
export function primaryName(cluster) {
  const db = (cluster && cluster.database) || {};
  if (!db.primary) return null;
  const m = (db.members || []).find((x) => x.host === db.primary);
  return (m && m.name) || db.primary;
}

/** The line under the panel's title. */
export function databaseSummary(cluster) {
  const db = (cluster && cluster.database) || {};
  const set = db.replicaSet ? `Replica set ${db.replicaSet}` : 'The database';
  const count = (db.members || []).length;
  const members = `${count} ${count === 1 ? 'member' : 'members'}`;
  const primary = primaryName(cluster);
  if (primary) return `${set}, ${members}: ${primary} is primary and takes every write.`;
  if (typeof db.noPrimarySeconds === 'number') {
    return `${set}, ${members}: no primary for ${durationText(db.noPrimarySeconds * 1000)}; writes wait until one is elected.`;
  }
  return `${set}, ${members}: no primary reachable.`;
}

/** What an event is about, whichever pod saw it: its kind, member and text (not its time). */
export function eventKey(e) {
  return `${e.kind}|${e.member}|${e.text}`;
}

/**
 * The events of an answer not told before, oldest first, to announce; `seen` is what was
 * told (from the previous call; null on the first answer, whose events are history and are
 * not announced). Behind an ingress each refresh may come from another pod, and every pod's
 * driver sees the same change at a slightly different time, so an event counts as told when
 * one like it (same kind, member and text) was told within windowMs of it.
 */
export function freshEvents(seen, events, windowMs = 10000) {
  const list = Array.isArray(events) ? events : [];
  const told = seen ? [...seen] : [];
  const fresh = [];
  for (const e of [...list].reverse()) {
    const at = Date.parse(e.at) || 0;
    const known = told.some((t) => t.key === eventKey(e) && Math.abs(t.at - at) <= windowMs);
    if (!known) {
      told.push({ key: eventKey(e), at });
      if (seen) fresh.push(e);
    }
  }
  return { fresh, seen: told.slice(-200) };
}

/** The event's text as a sentence: capitalised, with a full stop. */
export function sentence(text) {
  const t = String(text || '').trim();
  if (!t) return '';
  return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/**
 * The pods as rows: their name (the host, or host:port when several pods share a host, as
 * replicas run on one machine do), whether it is the one answering, and the facts line.
 */
export function podRows(cluster) {
  const web = (cluster && cluster.web) || {};
  const now = cluster && cluster.now;
  const pods = Array.isArray(web.pods) ? web.pods : [];
  const perHost = new Map();
  for (const p of pods) perHost.set(p.host, (perHost.get(p.host) || 0) + 1);
  return pods.map((p) => {
    const facts = [];
    if (p.zone) facts.push(`zone ${p.zone}`);
    if (p.started && now) facts.push(`up ${durationText(between(p.started, now))}`);
    if (p.lastSeen && now) {
      const age = between(p.lastSeen, now);
      facts.push(age < 1000 ? 'seen just now' : `seen ${durationText(age)} ago`);
    }
    return {
      id: p.id,
      name: perHost.get(p.host) > 1 ? `${p.host}:${p.port}` : p.host,
      self: p.id === web.selfId,
      facts: facts.join(' · '),
    };
  });
}

/** The line under the web tier's title. */
export function webSummary(cluster) {
  const n = podRows(cluster).length;
  return `${n} ${n === 1 ? 'pod' : 'pods'} alive, each recording itself in the database every 2 s.`;
}

/** A warning when the pod list could not be read again lately (the database is away), else ''. */
export function webStaleness(cluster, staleMs = 10000) {
  const web = (cluster && cluster.web) || {};
  if (!cluster || !cluster.now) return '';
  if (!web.asOf) return 'The list of pods has not been read from the database yet.';
  const age = between(web.asOf, cluster.now);
  return age > staleMs ? `The list of pods could not be read again for ${durationText(age)}: it shows the pods as they were then.` : '';
}

/**
 * What to add when a score has been stored: which member took it (the primary at that
 * moment) and, when it waited in this browser, for how long.
 */
export function savedNote({ primary, waitedMs }) {
  const parts = [];
  if (primary) parts.push(`Stored by ${primary}, the primary.`);
  if (waitedMs >= 1000) parts.push(`It waited ${durationText(waitedMs)} in this browser before the database took it.`);
  return parts.join(' ');
}
