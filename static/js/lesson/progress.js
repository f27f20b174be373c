// The lesson's progress: which of the steps' checks (lesson/steps.js) the page has seen done,
// with the evidence, worked out from the answers of GET /cluster and GET
// /highscores/fingerprint and from what the page itself knows (the learner's saved score).
// Pure: no DOM, no timers, no storage; the caller passes every answer with the browser time it
// arrived, and keeps toJSON() wherever it likes (the panel: localStorage). Tested in Node by
// tests/unit-js/lesson-progress.test.js over recorded /cluster sequences.
//
// A check, once done, stays done until start over: the evidence is kept with it, so a reload
// that lands on another web pod (which may not have seen what happened) keeps the learner's
// progress. Times are the server's (each answer's "now"); the browser's own, for the learner's
// score, are moved onto the server's clock by the offset the last answer showed.
import { STEPS } from './steps.js';
import {
  absences, databaseOf, ELECTIONS, isUp, memberName, ordinalOf, podsAreCurrent,
  primaryChanges, timeOf, webPodsOf,
} from './watch.js';
import { durationText } from '../ui/cluster-view.js';

export const PROGRESS_VERSION = 1;

// A member the StatefulSet recreates is away for as long as mongod takes to stop, the pod to
// be made again and mongod to start: many seconds. The driver checks every member every 2 s
// and again half a second after a failure, so a member away for less than this was missed by a
// check or two, not deleted.
export const BLIP_MS = 5000;
// Two web pods' clocks (NTP) agree to well within this; a member's fall seen by one pod and its
// loss of the primary seen by another may differ by this much.
const SKEW_MS = 2000;
export const WEB_TARGET = 10;
export const SET_TARGET = 5;
const KEEP_FINGERPRINTS = 20;
const KEEP_SAVES = 10;
const MIN_WAIT_MS = 1000; // a score that waited less than this did not wait (savedNote agrees)

function number(n) {
  return Number(n || 0).toLocaleString('en-US');
}

function listNames(names) {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function shortHash(sha) {
  return typeof sha === 'string' && sha.length > 12 ? `${sha.slice(0, 6)}…${sha.slice(-4)}` : String(sha);
}

function byOrdinal(a, b) {
  return (ordinalOf(a.name) ?? 1e9) - (ordinalOf(b.name) ?? 1e9) || String(a.name).localeCompare(String(b.name));
}

function freshMemory() {
  return {
    v: PROGRESS_VERSION,
    since: null, // evidence from before this server time does not count (set by start over)
    sincePending: false, // start over before any answer: since is the next answer's "now"
    checks: {}, // check id -> {at, ...what it saw}
    firstLook: null, // the server time of the first answer (since start over)
    setBase: null, // the members before the set grew: [hosts]
    maxMembers: 0,
    downs: {}, // member host -> [times it was seen going away], the last few
    fingerprints: [], // distinct fingerprints seen: {sha256, count, at}
    unavailableSince: null, // the fingerprint could not be read since then (server time)
    saves: [], // the learner's stored scores: {name, score, queuedAt, savedAt, primary}
  };
}

export class LessonProgress {
  /** memory: what toJSON() gave earlier (anything else, or nothing, starts afresh). */
  constructor(memory = null) {
    this.memory = LessonProgress.valid(memory) ? memory : freshMemory();
    this.reply = null; // the last /cluster answer (not kept: the next one comes in 2 s)
    this.offsetMs = 0; // server clock minus browser clock, from the last answer
  }

  static valid(memory) {
    return Boolean(memory && typeof memory === 'object' && memory.v === PROGRESS_VERSION
      && memory.checks && typeof memory.checks === 'object' && Array.isArray(memory.fingerprints)
      && Array.isArray(memory.saves) && memory.downs && typeof memory.downs === 'object');
  }

  toJSON() {
    return this.memory;
  }

  /** Start over: every check undone, and what happened before now no longer counts. */
  reset() {
    const now = this.reply ? timeOf(this.reply.now) : null;
    this.memory = freshMemory();
    this.memory.since = now;
    this.memory.sincePending = now === null;
  }

  done(id) {
    return Boolean(this.memory.checks[id]);
  }

  counts(at) {
    return at !== null && (this.memory.since === null || at >= this.memory.since);
  }

  tick(id, at, data, ticks) {
    if (this.done(id)) return;
    this.memory.checks[id] = { at, ...data };
    ticks.push(id);
  }

  serverTime(browserMs) {
    return browserMs + this.offsetMs;
  }

  /**
   * A GET /cluster answer, received at browser time receivedAt. Returns the ids of the checks
   * it completed (for the panel to announce).
   */
  observeCluster(reply, receivedAt) {
    const now = timeOf(reply && reply.now);
    if (now === null || !reply.database || !reply.web) return [];
    this.reply = reply;
    this.offsetMs = now - receivedAt;
    const m = this.memory;
    if (m.sincePending) {
      m.since = now;
      m.sincePending = false;
    }
    if (m.firstLook === null) m.firstLook = now;
    const ticks = [];
    const db = databaseOf(reply);
    m.maxMembers = Math.max(m.maxMembers, db.members.length);
    this.tick('served', now, { self: reply.web.self, pods: webPodsOf(reply).length }, ticks);
    this.watchWebTier(reply, now, ticks);
    this.rememberAbsences(db);
    this.watchElection(reply, db, ticks);
    this.watchReturn(reply, db, ticks);
    this.watchSetSize(db, now, ticks);
    this.watchDisaster(now, ticks);
    return ticks;
  }

  /**
   * Ten web pods alive. The new ones are those started after the page first looked (or after
   * start over): the pods it was served by were there before the learner scaled. (Pods that
   * were still registering when it looked, as at a fresh start, would look new by a list
   * compared with the first one; by their start times they are not.)
   */
  watchWebTier(reply, now, ticks) {
    if (this.done('ten') || !podsAreCurrent(reply)) return;
    const pods = webPodsOf(reply);
    if (pods.length < WEB_TARGET) return;
    const added = pods.filter((p) => p.started !== null && p.started > this.memory.firstLook).sort((a, b) => a.started - b.started);
    const data = { pods: pods.length, added: added.length, tookMs: null, first: null };
    if (added.length) {
      data.first = added[0].name;
      data.tookMs = added[added.length - 1].started - added[0].started;
    }
    this.tick('ten', now, data, ticks);
  }

  rememberAbsences(db) {
    for (const e of db.events) {
      if (e.kind !== 'member_unreachable') continue;
      const at = timeOf(e.at);
      const list = this.memory.downs[e.member] || [];
      if (!this.counts(at) || list.includes(at)) continue;
      this.memory.downs[e.member] = [...list, at].sort((a, b) => a - b).slice(-5);
    }
  }

  watchElection(reply, db, ticks) {
    if (this.done('election')) return;
    const change = primaryChanges(db.events, db.members.length)
      .filter((c) => ELECTIONS.has(c.kind) && this.counts(c.electedAt)).pop();
    if (!change) return;
    this.tick('election', change.electedAt, {
      kind: change.kind, from: change.from, to: change.to,
      fromName: change.from ? memberName(reply, change.from) : null, toName: memberName(reply, change.to),
      lostAt: change.lostAt, gapMs: change.gapMs, members: db.members.length,
    }, ticks);
  }

  /** The member that was primary before the election, deleted, and back as a SECONDARY. */
  watchReturn(reply, db, ticks) {
    const election = this.memory.checks.election;
    if (this.done('back') || !election || !election.from || election.kind === 'restarted') return;
    const host = election.from;
    const member = db.members.find((x) => x.host === host);
    if (!member || member.state !== 'SECONDARY') return;
    const after = (election.lostAt ?? election.at) - SKEW_MS;
    // this pod's own record of the absence, else the fall another pod saw and the time this
    // pod has seen it SECONDARY since
    let span = absences(db.events, host).filter((s) => s.down >= after && s.back !== null && s.back - s.down >= BLIP_MS).pop();
    if (!span) {
      const since = timeOf(member.since);
      const down = (this.memory.downs[host] || []).find((d) => d >= after && since !== null && since - d >= BLIP_MS);
      if (down !== undefined) span = { down, back: since };
    }
    if (!span) return;
    this.tick('back', span.back, { host, name: member.name || host, awayMs: span.back - span.down }, ticks);
  }

  watchSetSize(db, now, ticks) {
    const m = this.memory;
    const up = db.members.filter((x) => isUp(x.state));
    if (!this.done('grown')) {
      if (db.members.length < SET_TARGET && (!m.setBase || db.members.length <= m.setBase.length)) m.setBase = db.members.map((x) => x.host);
      if (up.length < SET_TARGET) return;
      const base = new Set(m.setBase || []);
      let added = up.filter((x) => !base.has(x.host));
      if (!m.setBase) added = [...up].sort(byOrdinal).slice(3); // seen at five already: the ones past the first three
      added.sort(byOrdinal);
      this.tick('grown', now, { members: up.length, added: added.map((x) => ({ host: x.host, name: x.name || x.host })) }, ticks);
      return;
    }
    if (this.done('shrunk')) return;
    const added = new Set(m.checks.grown.added.map((x) => x.host));
    if (db.primary && db.members.length && !db.members.some((x) => added.has(x.host))) {
      this.tick('shrunk', now, { members: db.members.length, left: m.checks.grown.added.map((x) => x.name) }, ticks);
    }
  }

  /**
   * A GET /highscores/fingerprint answer ({count, sha256, newest}), or null when it could not
   * be read (503: no primary, or no database at all), received at browser time receivedAt.
   */
  observeFingerprint(fingerprint, receivedAt) {
    const now = this.serverTime(receivedAt);
    const ticks = [];
    const m = this.memory;
    const readable = fingerprint && typeof fingerprint.sha256 === 'string' && Number.isFinite(fingerprint.count);
    if (!readable || fingerprint.count === 0) {
      if (m.unavailableSince === null) m.unavailableSince = now;
      this.watchDisaster(now, ticks);
      return ticks;
    }
    m.unavailableSince = null;
    const { sha256, count } = fingerprint;
    const gone = m.checks.gone;
    if (gone && !this.done('same')) {
      const before = m.fingerprints.filter((f) => f.at < gone.at && f.sha256 === sha256).pop();
      if (before) this.tick('same', now, { sha256, count, beforeAt: before.at, awayMs: now - gone.at }, ticks);
      else m.checks.gone.differs = { sha256, count };
    }
    // distinct fingerprints, each with when it was last read: the one before a disaster is
    // the last read before it
    m.fingerprints = [...m.fingerprints.filter((f) => f.sha256 !== sha256), { sha256, count, at: now }].slice(-KEEP_FINGERPRINTS);
    return ticks;
  }

  /**
   * The database gone whole: the fingerprint unreadable while every member of a set of
   * several is away. (An election makes it unreadable for seconds too, but the other members
   * stay; a set of one that restarts keeps its files, and the page could not tell a restore
   * from a restart.)
   */
  watchDisaster(now, ticks) {
    const m = this.memory;
    if (this.done('gone') || !m.fingerprints.length || m.unavailableSince === null || !this.reply) return;
    const db = databaseOf(this.reply);
    if (m.maxMembers < 2 || !db.members.length || db.members.some((x) => isUp(x.state))) return;
    this.tick('gone', now, { members: db.members.length }, ticks);
  }

  /**
   * The learner's score was stored: entry as the score queue keeps it (name, score, queuedAt
   * in browser ms), savedAt in browser ms, primary: the name of the member that took it (the
   * primary at that moment), or null when unknown.
   */
  observeSave(entry, savedAt, primary) {
    const ticks = [];
    if (!entry || !Number.isFinite(entry.score)) return ticks;
    const at = this.serverTime(savedAt);
    const queuedAt = Number.isFinite(entry.queuedAt) ? this.serverTime(entry.queuedAt) : at;
    const save = { name: String(entry.name || ''), score: entry.score, queuedAt, savedAt: at, primary: primary || null };
    this.memory.saves = [...this.memory.saves, save].slice(-KEEP_SAVES);
    if (this.counts(at)) this.tick('saved', at, save, ticks);
    return ticks;
  }

  /** Whether the set the page sees has one member (FerretDB locally): it cannot show some checks. */
  oneMember() {
    const members = this.reply ? databaseOf(this.reply).members.length : 0;
    return Math.max(members, this.memory.maxMembers) === 1;
  }

  /** The steps as the panel shows them; see stepView. */
  steps() {
    return STEPS.map((step) => this.stepView(step));
  }

  /**
   * One step: {...step, status, why, evidence, checks: [{id, label, done, at, evidence, note}],
   * note}. A check a set of one member cannot show has done null and its note says why.
   * status: 'given' (the page cannot watch it; why says why it follows from the page being
   * served), 'done', 'limited' (done as far as a set of one member can show), 'partial',
   * 'waiting', or 'cannot' (none of its checks can be shown here).
   */
  stepView(step) {
    if (step.given) {
      return { ...step, status: 'given', why: step.given, evidence: this.givenEvidence(step.id), checks: [], note: null };
    }
    const checks = step.checks.map((c) => {
      const data = this.memory.checks[c.id];
      if (data) return { id: c.id, label: c.label, done: true, at: data.at, evidence: this.evidence(c.id, data), note: null };
      const pending = this.pending(c.id) || {};
      return { id: c.id, label: c.label, done: pending.cannot ? null : false, at: null, evidence: null, note: pending.text || null };
    });
    const applicable = checks.filter((c) => c.done !== null);
    const doneCount = applicable.filter((c) => c.done).length;
    let status = 'waiting';
    if (!applicable.length) status = 'cannot';
    else if (doneCount === applicable.length) status = applicable.length === checks.length ? 'done' : 'limited';
    else if (doneCount) status = 'partial';
    const evidence = step.id === 'restore' ? this.fingerprintEvidence() : null;
    return { ...step, status, why: null, evidence, checks, note: this.stepNote(step.id) };
  }

  /** The restore step's line: the fingerprint the page read last, the "before". */
  fingerprintEvidence() {
    const last = this.memory.fingerprints[this.memory.fingerprints.length - 1];
    if (!last) return null;
    return `The data's fingerprint, as the page read it last: ${number(last.count)} ${last.count === 1 ? 'score' : 'scores'}, sha256 ${shortHash(last.sha256)}.`;
  }

  givenEvidence(id) {
    if (!this.reply || (id !== 'apply' && id !== 'look')) return null;
    const pods = webPodsOf(this.reply).length;
    const db = databaseOf(this.reply);
    const set = this.reply.database.replicaSet;
    return `Seen from here: ${pods} web ${pods === 1 ? 'pod' : 'pods'} and ${set ? `the replica set ${set}, ` : ''}${db.members.length} ${db.members.length === 1 ? 'member' : 'members'}.`;
  }

  /** The sentence that says what a done check saw. */
  evidence(id, data) {
    switch (id) {
      case 'served': {
        const pods = this.reply ? webPodsOf(this.reply) : [];
        const self = pods.find((p) => p.self);
        const name = self ? self.name : data.self;
        const count = pods.length || data.pods;
        return count > 1 ? `This page came from ${name}, one of ${count} web pods.` : `This page came from ${name}, the only web pod.`;
      }
      case 'saved': {
        const who = data.primary ? `was taken by ${data.primary}, the primary` : 'was stored (which member took it, the page could not read)';
        const waited = data.savedAt - data.queuedAt >= MIN_WAIT_MS ? `, after waiting ${durationText(data.savedAt - data.queuedAt)} in this browser` : '';
        return `Your score, ${number(data.score)} as ${data.name || 'a player'}, ${who}${waited}.`;
      }
      case 'ten':
        if (data.tookMs === null) return `${data.pods} web pods alive (already when this page first looked, so how long the scale-up took is not known).`;
        if (data.added === 1) return `${data.pods} web pods alive: ${data.first} is new.`;
        if (data.tookMs < 100) return `${data.pods} web pods alive: the ${data.added} new ones started together, ${data.first} first.`;
        return `${data.pods} web pods alive: the ${data.added} new ones all started within ${durationText(data.tookMs)} of the first, ${data.first}.`;
      case 'election':
        return this.electionEvidence(data);
      case 'back':
        return `${data.name} is back as a SECONDARY under the same name (and its own volume), after ${durationText(data.awayMs)} away.`;
      case 'grown': {
        const names = data.added.map((x) => x.name);
        const ordinals = data.added.every((x) => ordinalOf(x.name) !== null);
        return `${data.members} members: ${listNames(names)} joined${ordinals ? ', named by the next ordinals' : ''}.`;
      }
      case 'shrunk':
        return `${listNames(data.left)} left the replica set: ${data.members} members again.`;
      case 'gone':
        return `All ${data.members} members away and the scores unreadable: the page is still served.`;
      case 'same':
        return `After ${durationText(data.awayMs)} without a database: ${number(data.count)} ${data.count === 1 ? 'score' : 'scores'}, sha256 ${shortHash(data.sha256)}, the same as before. Every score is back as it was.`;
      default:
        return '';
    }
  }

  electionEvidence(data) {
    const gap = data.gapMs !== null ? durationText(data.gapMs) : null;
    let text;
    if (data.kind === 'restarted') {
      text = `${data.toName} was the primary, went away, and was primary again after ${gap} without one. A replica set of one member has nobody else to elect: on the three members of the walkthrough another member takes over.`;
    } else if (data.kind === 'reelected') {
      text = `${data.toName} stepped down and was elected again, after ${gap} without a primary.`;
    } else if (data.kind === 'changed') {
      text = `${data.toName} is primary now${data.fromName ? `, instead of ${data.fromName}` : ''}, with no moment seen without one.`;
    } else {
      text = `${data.fromName ? `${data.fromName} was the primary; ` : ''}${data.toName} was elected${gap ? ` after ${gap} without a primary` : ''}.`;
    }
    const waited = this.memory.saves.filter((s) => s.savedAt - s.queuedAt >= MIN_WAIT_MS
      && s.queuedAt <= data.at && s.savedAt >= (data.lostAt ?? data.at)).pop();
    if (waited) text += ` Your score waited ${durationText(waited.savedAt - waited.queuedAt)} in this browser, then ${waited.primary || 'the new primary'} took it.`;
    return text;
  }

  /** What a check still waits for, when there is something to say: {text, cannot}. */
  pending(id) {
    const reply = this.reply;
    const db = databaseOf(reply);
    const one = this.oneMember();
    switch (id) {
      case 'saved':
        return { text: 'Play a round; when your score makes the table, save it with your name.' };
      case 'ten': {
        if (!reply) return null;
        const pods = webPodsOf(reply).length;
        return { text: `${pods} web ${pods === 1 ? 'pod' : 'pods'} alive now.` };
      }
      case 'election':
        if (!reply) return null;
        if (one) return { text: 'This replica set has one member: stop it and start it again, and the page shows the primary lost and back, as far as one member can.' };
        return db.primary ? { text: `${memberName(reply, db.primary)} is the primary now.` } : { text: 'No primary right now: the set is electing one.' };
      case 'back': {
        const election = this.memory.checks.election;
        if (one || (election && election.kind === 'restarted')) return { cannot: true, text: 'A set of one member cannot show this: there is no other member to take over while it is away, so it comes back as the primary, not as a SECONDARY.' };
        if (!election || !election.from || !reply) return null;
        const member = db.members.find((x) => x.host === election.from);
        if (!member) return { text: `${election.fromName} is not in the set's list right now.` };
        return { text: `${election.fromName} is ${member.state} now.` };
      }
      case 'grown':
      case 'shrunk': {
        if (one) return { cannot: true, text: 'The local database is one FerretDB process, not a StatefulSet: it cannot grow. On a cluster, the members appear here as they join.' };
        if (!reply) return null;
        if (id === 'shrunk' && this.done('grown')) {
          const added = this.memory.checks.grown.added.map((x) => x.host);
          const away = db.members.filter((x) => added.includes(x.host));
          if (away.length && away.every((x) => x.state === 'UNREACHABLE')) {
            return { text: `${listNames(away.map((x) => x.name || x.host))} stopped; the primary drops them from the set's configuration a minute or so after their pods are gone, and they leave this list then.` };
          }
        }
        const up = db.members.filter((x) => isUp(x.state)).length;
        return { text: `${db.members.length} ${db.members.length === 1 ? 'member' : 'members'} now, ${up} of them primary or secondary.` };
      }
      case 'gone':
      case 'same':
        if (one) return { cannot: true, text: 'A set of one member cannot show a restore: stopped and started again it keeps its files, so the page could not tell a restore from a restart.' };
        if (id === 'gone' && !this.memory.fingerprints.length) return { text: 'The page reads the fingerprint of the stored scores while this step is the next one or open; it needs at least one score.' };
        if (id === 'same' && this.memory.checks.gone && this.memory.checks.gone.differs) {
          const d = this.memory.checks.gone.differs;
          return { text: `The database is back with ${number(d.count)} ${d.count === 1 ? 'score' : 'scores'}, sha256 ${shortHash(d.sha256)}: not a fingerprint seen before it went away.` };
        }
        return null;
      default:
        return null;
    }
  }

  /** A step's live hint: what a teaching assistant would point out now. */
  stepNote(id) {
    if (id !== 'primary' || !this.reply || this.done('election')) return null;
    const db = databaseOf(this.reply);
    if (!db.primary || this.oneMember()) return null;
    const name = memberName(this.reply, db.primary);
    // a member that went away and came back while another stayed primary: not an election
    const other = Object.keys(this.memory.downs).filter((host) => host !== db.primary
      && db.members.some((x) => x.host === host && x.state === 'SECONDARY'));
    const parts = [];
    if (other.length) parts.push(`${listNames(other.map((h) => memberName(this.reply, h)))} went away and came back, but ${other.length === 1 ? 'was not the primary' : 'neither was the primary'}: no election.`);
    if (name !== 'mongo-0') parts.push(`The primary now is ${name}: delete that pod (put ${name} in place of mongo-0).`);
    return parts.length ? parts.join(' ') : null;
  }
}
