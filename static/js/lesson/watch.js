// What the lesson watches for, read from one GET /cluster answer (API.md, "Additions"): pure
// functions, no DOM, no clock, no storage; lesson/progress.js keeps what they find.
//
// Behind a Service every answer may come from another web pod, and each pod keeps the events
// of its own MongoDB driver since it started (at most the last 50, newest first). So an event
// sequence is read within one answer, never stitched across pods: a pod that started after an
// election simply has none to show. Events of one change of the replica set carry the same
// time, the members' events first, then the primary's (server/replset.c).

/** Milliseconds since 1970 of an ISO time, or null. */
export function timeOf(iso) {
  const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : null;
}

/** Members that answer and hold the data: the ones a replica set counts on. */
export function isUp(state) {
  return state === 'PRIMARY' || state === 'SECONDARY';
}

/** Events oldest first (the server sends them newest first; those of one change keep their order). */
export function oldestFirst(events) {
  return [...events].reverse().sort((a, b) => timeOf(a.at) - timeOf(b.at));
}

/** The ordinal a StatefulSet gave a member's name ("mongo-3" -> 3), or null. */
export function ordinalOf(name) {
  const m = /-(\d+)$/.exec(String(name || ''));
  return m ? Number(m[1]) : null;
}

/** The database part of an answer, with its lists always arrays. */
export function databaseOf(reply) {
  const db = (reply && reply.database) || {};
  return {
    primary: typeof db.primary === 'string' ? db.primary : null,
    members: Array.isArray(db.members) ? db.members.filter((m) => m && typeof m.host === 'string') : [],
    events: Array.isArray(db.events) ? db.events.filter((e) => e && typeof e.kind === 'string' && timeOf(e.at) !== null) : [],
  };
}

/** The name a person knows a member by (the server's own, else its host). */
export function memberName(reply, host) {
  const m = databaseOf(reply).members.find((x) => x.host === host);
  return (m && m.name) || host || 'another member';
}

/**
 * The pods of an answer's web tier, each with the name the page shows (the host, or
 * host:port when pods share a host, as the local rehearsal's replicas do) and its start time.
 */
export function webPodsOf(reply) {
  const web = (reply && reply.web) || {};
  const pods = (Array.isArray(web.pods) ? web.pods : []).filter((p) => p && typeof p.id === 'string');
  const perHost = new Map();
  for (const p of pods) perHost.set(p.host, (perHost.get(p.host) || 0) + 1);
  return pods.map((p) => ({
    id: p.id,
    name: perHost.get(p.host) > 1 ? `${p.host}:${p.port}` : String(p.host || p.id),
    started: timeOf(p.started),
    self: p.id === web.selfId,
  }));
}

/**
 * Whether the answer's pod list is current: while the database is away each pod keeps the
 * list as it last read it (web.asOf), which may hold pods long gone.
 */
export function podsAreCurrent(reply, maxAgeMs = 10000) {
  const now = timeOf(reply && reply.now);
  const asOf = timeOf(reply && reply.web && reply.web.asOf);
  return now !== null && asOf !== null && now - asOf <= maxAgeMs;
}

/**
 * The changes of primary in one pod's events (newest first, as the server sends them), oldest
 * first: {kind, from, to, lostAt, electedAt, gapMs}, times in ms. kind says what the sequence
 * was, and only some are elections:
 * - 'elected': the primary was lost and another member took over;
 * - 'reelected': the primary stepped down (seen as a SECONDARY) and was elected again;
 * - 'changed': another member became primary with no moment seen without one;
 * - 'restarted': a set of one member lost its only member, which came back as primary (a set of
 *   one cannot hold an election; it is as far as it can show);
 * - 'outage': every member was away at once and the set came back (a restore, or the whole
 *   StatefulSet restarted): not an election the others held;
 * - 'blip': the driver lost sight of the primary for a moment and found it primary again,
 *   never seen as anything else: no member changed role.
 * The first primary a pod finds (primary_found) is none of these: a web pod that restarts sees
 * one, and nothing was elected. memberCount: members in the set (the answer's list).
 */
export function primaryChanges(events, memberCount) {
  const changes = [];
  const down = new Set();
  const steppedAt = new Map(); // member -> time of its last member_state (a role other than primary)
  let primary = null;
  let lost = null;
  for (const e of oldestFirst(events)) {
    const at = timeOf(e.at);
    switch (e.kind) {
      case 'primary_found':
        primary = e.member;
        break;
      case 'member_unreachable':
        down.add(e.member);
        if (lost) {
          lost.downs.add(e.member);
          if (down.size >= memberCount) lost.allDown = true;
        }
        break;
      case 'member_state':
        down.delete(e.member);
        steppedAt.set(e.member, at);
        if (lost) lost.stepped.add(e.member);
        break;
      case 'member_back':
        down.delete(e.member);
        if (lost) lost.backAt.set(e.member, at);
        break;
      case 'member_found':
      case 'member_joined':
      case 'member_left':
        down.delete(e.member);
        break;
      case 'no_primary':
        lost = {
          host: e.member, at, downs: new Set(down), backAt: new Map(), allDown: memberCount > 0 && down.size >= memberCount,
          // stepping down is told in the same change as the loss: "mongo-0 is now SECONDARY"
          stepped: new Set(steppedAt.get(e.member) === at ? [e.member] : []),
        };
        break;
      case 'new_primary': {
        const to = e.member;
        const change = { from: lost ? lost.host : null, to, lostAt: lost ? lost.at : null, electedAt: at, gapMs: lost ? Math.max(0, at - lost.at) : null };
        if (!lost) {
          change.kind = 'elected'; // its loss fell out of the pod's last 50 events
        } else if (memberCount <= 1) {
          change.kind = lost.downs.has(to) ? 'restarted' : 'blip';
        } else if (lost.allDown) {
          change.kind = 'outage';
        } else if (to !== lost.host) {
          change.kind = 'elected';
        } else if (lost.stepped.has(to) || (lost.backAt.has(to) && lost.backAt.get(to) < at)) {
          // back in an earlier change than its election: it was something else in between
          change.kind = 'reelected';
        } else {
          change.kind = 'blip';
        }
        changes.push(change);
        primary = to;
        lost = null;
        break;
      }
      case 'primary_changed':
        changes.push({ kind: 'changed', from: primary, to: e.member, lostAt: at, electedAt: at, gapMs: 0 });
        primary = e.member;
        lost = null;
        break;
      default:
        break;
    }
  }
  return changes;
}

/** The kinds of primaryChanges() that are elections for the lesson. */
export const ELECTIONS = new Set(['elected', 'reelected', 'changed', 'restarted']);

/**
 * The stretches a member was away in one pod's events: [{down, back}] in ms, oldest first;
 * back is null while it is still away.
 */
export function absences(events, host) {
  const spans = [];
  const mine = oldestFirst(events.filter((e) => e.member === host));
  for (const e of mine) {
    const at = timeOf(e.at);
    const open = spans.length && spans[spans.length - 1].back === null ? spans[spans.length - 1] : null;
    if (e.kind === 'member_unreachable' && !open) spans.push({ down: at, back: null });
    else if (open && (e.kind === 'member_back' || e.kind === 'member_state' || e.kind === 'member_joined')) open.back = at;
    else if (open && e.kind === 'member_left') spans.pop(); // it left the set: not away, gone
  }
  return spans;
}
