// Wires the game together: rules (Game), screen (Renderer), input, sound, the page's text and
// tables, and the server (API client, score queue, live stats). Owns the animation loop.
import { Game } from './rules/game.js';
import { makesTopTen } from './rules/scoring.js';
import { Renderer } from './ui/render.js';
import { bindKeyboard, bindSwipe, bindDirectionButtons } from './ui/input.js';
import { Sound } from './ui/sound.js';
import { Hud, setStatus } from './ui/hud.js';
import { fillHighScores, fillLivePlayers, formatNumber } from './ui/tables.js';
import { askForName } from './ui/name-dialog.js';
import { createApi } from './net/api.js';
import { ScoreQueue, STORAGE_KEY } from './net/score-queue.js';
import { StatsReporter } from './net/live-stats.js';
import { FixedStep } from './loop.js';
import { readSettings } from './config.js';

const $ = (id) => document.getElementById(id);
const BEST_KEY = 'pacman.best';
const SCORES_REFRESH_MS = 20000;
const SCORES_RETRY_MS = 5000;
const LIVE_REFRESH_MS = 5000;

/** localStorage, or a stand-in in memory where the browser refuses it (private modes). */
function openStorage() {
  try {
    const s = window.localStorage;
    const probe = '__pacman_probe__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    const m = new Map();
    return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) };
  }
}

const storage = openStorage();
const settings = readSettings(window.location.search);
const api = createApi();
const pod = { cloud: 'unknown', zone: 'unknown', host: 'unknown' };
const gameEl = $('game');
const els = {
  scoresBody: $('scores-body'),
  scoresStatus: $('scores-status'),
  liveBody: $('live-body'),
  liveStatus: $('live-status'),
  announce: $('game-status'),
  start: $('start-button'),
  pause: $('pause-button'),
  mute: $('mute-button'),
};

let best = Number(storage.getItem(BEST_KEY)) || 0;
let topTen = [];
let scoresReachable = true;
let savedMessage = '';
let markSubmission = null;
let naming = false;
const touch = { on: window.matchMedia('(pointer: coarse)').matches };

const game = new Game({
  lives: settings.lives,
  startLevel: settings.startLevel,
  keepDots: settings.keepDots,
  seed: settings.seed ?? (Date.now() >>> 0),
  highScore: best,
});
const renderer = new Renderer($('screen'));
const sound = new Sound(storage);
const hud = new Hud({ score: $('score'), high: $('high-score'), lives: $('lives'), level: $('level') });
const clock = new FixedStep();

// ---- the server ----

function announce(text) {
  els.announce.textContent = text;
}

function showPod() {
  $('pod-host').textContent = pod.host;
  $('pod-zone').textContent = pod.zone;
  $('pod-cloud').textContent = pod.cloud;
}

async function loadLocation(attempt = 0) {
  try {
    const where = await api.location();
    for (const key of ['cloud', 'zone', 'host']) if (typeof where[key] === 'string' && where[key]) pod[key] = where[key];
    showPod();
  } catch {
    if (attempt < 5) setTimeout(() => loadLocation(attempt + 1), 3000);
  }
}

function refreshScoresStatus() {
  const waiting = queue.pending().length;
  if (!scoresReachable || queue.waiting) {
    const kept = waiting
      ? ` Your score is kept in this browser and will be submitted automatically when the database is back (${waiting} waiting).`
      : ' The game works as usual.';
    setStatus(els.scoresStatus, `High scores are unavailable right now: the database may be restarting.${kept}`, 'warn');
  } else if (waiting) {
    setStatus(els.scoresStatus, 'Submitting your score…', 'info');
  } else {
    setStatus(els.scoresStatus, savedMessage, 'ok');
  }
}

let scoresTimer = null;
async function loadHighScores() {
  clearTimeout(scoresTimer);
  try {
    const list = await api.highScores();
    topTen = Array.isArray(list) ? list : [];
    scoresReachable = true;
    let mark = -1;
    if (markSubmission) mark = topTen.findIndex((e) => e.name === markSubmission.name && e.score === markSubmission.score);
    fillHighScores(els.scoresBody, topTen, mark);
    const top = topTen.length ? topTen[0].score : 0;
    if (top > game.highScore) game.highScore = top;
    // The database answers again: whatever waits can go now.
    if (queue.waiting) queue.retryNow();
  } catch {
    scoresReachable = false;
  }
  refreshScoresStatus();
  scoresTimer = setTimeout(loadHighScores, scoresReachable ? SCORES_REFRESH_MS : SCORES_RETRY_MS);
}

const queue = new ScoreQueue({
  storage,
  send: (entry) => api.postHighScore(entry),
  onChange(event) {
    if (event.type === 'sent') {
      markSubmission = event.entry;
      savedMessage = `Score saved: ${event.entry.name}, ${formatNumber(event.entry.score)} points.`;
      announce(savedMessage);
      loadHighScores();
    }
    if (event.type === 'rejected') {
      savedMessage = `The server did not accept the score: ${event.error.message}`;
    }
    refreshScoresStatus();
  },
});

async function loadLivePlayers() {
  if (!document.hidden) {
    try {
      const list = await api.liveStats();
      fillLivePlayers(els.liveBody, Array.isArray(list) ? list : []);
      setStatus(els.liveStatus, '', 'ok');
    } catch {
      setStatus(els.liveStatus, 'Live players are unavailable right now.', 'warn');
    }
  }
  setTimeout(loadLivePlayers, LIVE_REFRESH_MS);
}

const stats = new StatsReporter({ api, where: () => pod, stats: () => game.stats() });

async function onGameOver({ score }) {
  if (score > best) {
    best = score;
    storage.setItem(BEST_KEY, String(best));
  }
  announce(`Game over. Final score ${formatNumber(score)}.`);
  if (score <= 0) return;
  naming = true;
  try {
    await new Promise((r) => setTimeout(r, 1200)); // let GAME OVER show first
    try {
      const list = await api.highScores();
      topTen = Array.isArray(list) ? list : topTen;
      scoresReachable = true;
    } catch {
      scoresReachable = false; // decide with the last list we saw
    }
    refreshScoresStatus();
    if (!makesTopTen(score, topTen)) return;
    const name = await askForName({
      dialog: $('name-dialog'), form: $('name-form'), input: $('player-name'),
      error: $('name-error'), scoreText: $('name-score'), skip: $('name-skip'),
    }, { score, storage });
    if (name) queue.add({ name, cloud: pod.cloud, zone: pod.zone, host: pod.host, score, level: game.level });
  } finally {
    naming = false;
  }
}

// ---- controls ----

function startGame() {
  if (naming || game.inGame) return false;
  sound.unlock();
  markSubmission = null;
  game.start();
  return true;
}

function togglePause() {
  if (!game.inGame) return false;
  game.togglePause();
  return true;
}

function toggleMute() {
  sound.unlock();
  sound.setMuted(!sound.muted);
  updateButtons();
  return true;
}

function updateButtons() {
  els.mute.setAttribute('aria-pressed', String(sound.muted));
  els.mute.textContent = sound.muted ? 'Sound off' : 'Sound on';
  els.pause.setAttribute('aria-pressed', String(game.paused));
  els.pause.textContent = game.paused ? 'Resume' : 'Pause';
  els.pause.disabled = !game.inGame;
  els.start.disabled = game.inGame || naming;
}

const actions = {
  direction(dir) {
    if (game.phase === 'intermission') game.skipIntermission();
    if (!game.inGame || game.paused) return false;
    game.setDirection(dir);
    return true;
  },
  pause: togglePause,
  mute: toggleMute,
  start: startGame,
  tap() {
    if (game.paused) return togglePause();
    return startGame();
  },
};

bindKeyboard(window, actions);
bindSwipe($('stage'), actions);
bindDirectionButtons($('touchpad'), actions);
els.start.addEventListener('click', startGame);
els.pause.addEventListener('click', togglePause);
els.mute.addEventListener('click', toggleMute);
window.addEventListener('pointerdown', (e) => {
  if (e.pointerType === 'touch' && !touch.on) {
    touch.on = true;
    document.body.classList.add('touch');
  }
}, { passive: true });
if (touch.on) document.body.classList.add('touch');

// ---- the loop ----

const PHASE_TEXT = {
  ready: 'Get ready!',
  levelComplete: 'Level complete!',
};

function handleEvents() {
  for (const e of game.drainEvents()) {
    switch (e.type) {
      case 'start':
        sound.play('tune');
        stats.start();
        announce(`New game. Level ${e.level}, ${e.lives} lives. Get ready!`);
        break;
      case 'dot': sound.play('dot'); break;
      case 'energizer': sound.play('energizer'); break;
      case 'ghostEaten': sound.play('ghost'); break;
      case 'fruitEaten': sound.play('fruit'); break;
      case 'extraLife':
        sound.play('extraLife');
        announce('Extra life!');
        stats.report();
        break;
      case 'deathAnimation': sound.play('death'); break;
      case 'lifeLost':
        stats.report();
        if (e.lives > 0) announce(`Life lost. ${e.lives} ${e.lives === 1 ? 'life' : 'lives'} left.`);
        break;
      case 'levelComplete':
        sound.play('levelUp');
        announce(PHASE_TEXT.levelComplete);
        break;
      case 'levelStart':
        stats.report();
        announce(`Level ${e.level}. Get ready!`);
        break;
      case 'gameOver':
        stats.report();
        stats.stop();
        onGameOver(e);
        break;
      case 'pause': announce('Paused. Press P to resume.'); break;
      case 'resume': announce('Resumed.'); break;
      default: break;
    }
  }
}

function backgroundSound() {
  if (game.phase !== 'playing' || game.paused) return sound.setLoop(null);
  if (game.ghosts.some((g) => g.state === 'eyes' || g.state === 'entering')) return sound.setLoop('eyes');
  if (game.frightLeft > 0) return sound.setLoop('fright');
  const p = game.pellets;
  return sound.setLoop('siren', 1 - p.remaining / Math.max(1, p.total));
}

let lastPhase = null;
let lastPaused = null;
function reflectState() {
  hud.update({ score: game.score, high: Math.max(game.highScore, best), lives: game.lives, level: game.level });
  if (game.phase !== lastPhase || game.paused !== lastPaused) {
    lastPhase = game.phase;
    lastPaused = game.paused;
    gameEl.dataset.phase = game.phase;
    gameEl.dataset.paused = String(game.paused);
    updateButtons();
  }
}

let last = null;
let rafId = 0;
function frame(now) {
  rafId = requestAnimationFrame(frame);
  const seconds = last === null ? 0 : (now - last) / 1000;
  last = now;
  const alpha = clock.advance(seconds, (dt) => game.update(dt));
  handleEvents();
  backgroundSound();
  reflectState();
  renderer.draw(game, alpha, { touch: touch.on, pod });
}

function startLoop() {
  if (rafId) return;
  last = null;
  clock.reset();
  rafId = requestAnimationFrame(frame);
}

function stopLoop() {
  cancelAnimationFrame(rafId);
  rafId = 0;
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    game.setPaused(true);
    handleEvents();
    reflectState();
    sound.setLoop(null);
    sound.suspend();
    stopLoop();
  } else {
    sound.resume();
    startLoop();
  }
});

const stage = $('stage');
function fit() {
  renderer.resize(stage.clientWidth, stage.clientHeight, window.devicePixelRatio || 1);
}
new ResizeObserver(fit).observe(stage);
window.addEventListener('resize', fit);
fit();

window.addEventListener('online', () => queue.retryNow());
window.addEventListener('storage', (e) => {
  if (e.key === STORAGE_KEY) refreshScoresStatus();
});

updateButtons();
reflectState();
showPod();
loadLocation();
loadHighScores();
loadLivePlayers();
if (queue.pending().length) queue.flush();
if (!document.hidden) startLoop();
