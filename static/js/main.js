// Wires the game together: rules (Game), screen (Renderer), input, sound, the page's text and
// tables, and the server (API client, score queue, live stats). Owns the animation loop.
import { Game } from './rules/game.js';
import { Renderer } from './ui/render.js';
import { bindKeyboard, bindSwipe, bindDirectionButtons } from './ui/input.js';
import { Sound } from './ui/sound.js';
import { Hud } from './ui/hud.js';
import { formatNumber } from './ui/tables.js';
import { askForName } from './ui/name-dialog.js';
import { Scoreboard } from './ui/scoreboard.js';
import { watchLivePlayers } from './ui/live-players.js';
import { ClusterPanel } from './ui/cluster-panel.js';
import { createClusterClient } from './net/cluster.js';
import { createApi } from './net/api.js';
import { STORAGE_KEY } from './net/score-queue.js';
import { StatsReporter } from './net/live-stats.js';
import { FixedStep } from './loop.js';
import { readSettings } from './config.js';

const $ = (id) => document.getElementById(id);
const BEST_KEY = 'pacman.best';

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
  announce: $('game-status'),
  start: $('start-button'),
  pause: $('pause-button'),
  mute: $('mute-button'),
};

let best = Number(storage.getItem(BEST_KEY)) || 0;
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

const cluster = new ClusterPanel({
  readCluster: createClusterClient(),
  els: {
    dbSummary: $('database-summary'), dbStatus: $('database-status'), members: $('database-members'),
    events: $('database-events'), announce: $('database-announce'),
    webSummary: $('web-summary'), webStatus: $('web-status'), pods: $('web-pods'),
  },
});

const scoreboard = new Scoreboard({
  api,
  storage,
  body: $('scores-body'),
  status: $('scores-status'),
  announce,
  onTopScore(score) {
    if (score > game.highScore) game.highScore = score;
  },
  describeSaved: (entry) => cluster.describeSaved(entry),
});

const stats = new StatsReporter({ api, where: () => pod, stats: () => game.stats() });

async function onGameOver({ score, level }) {
  if (score > best) {
    best = score;
    storage.setItem(BEST_KEY, String(best));
  }
  announce(`Game over. Final score ${formatNumber(score)}.`);
  if (score <= 0) return;
  naming = true;
  updateButtons();
  try {
    await new Promise((r) => setTimeout(r, 1200)); // let GAME OVER show first
    await scoreboard.offer({
      score,
      level,
      where: pod,
      ask: () => askForName({
        dialog: $('name-dialog'), form: $('name-form'), input: $('player-name'),
        error: $('name-error'), scoreText: $('name-score'), skip: $('name-skip'),
      }, { score, storage }),
    });
  } finally {
    naming = false;
    updateButtons();
  }
}

// ---- controls ----

function startGame() {
  if (naming || game.inGame) return false;
  sound.unlock();
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
// Dragging the window to a screen with another pixel density changes devicePixelRatio.
function watchPixelRatio() {
  window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`)
    .addEventListener('change', () => { fit(); watchPixelRatio(); }, { once: true });
}
watchPixelRatio();
fit();

window.addEventListener('online', () => scoreboard.queue.retryNow());
window.addEventListener('storage', (e) => {
  if (e.key === STORAGE_KEY) scoreboard.showStatus();
});

updateButtons();
reflectState();
showPod();
loadLocation();
scoreboard.start();
cluster.start();
watchLivePlayers({ api, body: $('live-body'), status: $('live-status') });
if (!document.hidden) startLoop();
