// Wires the game together: rules (Game, and the title screen's show: Attract), screen
// (Renderer), input, sound, the page's text and tables, and the server (API client, score
// queue, live stats). Owns the animation loop.
import { Game, ARCADE_SEED } from './rules/game.js';
import { Attract } from './rules/attract.js';
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
  volume: $('volume'),
};

let best = Number(storage.getItem(BEST_KEY)) || 0;
let deciding = false; // game over: finding out whether the score makes the top ten
let naming = false; // the name dialog is open
const touch = { on: window.matchMedia('(pointer: coarse)').matches };
// GAME OVER stays this long before Enter starts the next game (and the name dialog opens).
const GAME_OVER_HOLD = 1.2;

const seed = settings.seed ?? ARCADE_SEED;
const game = new Game({
  lives: settings.lives,
  startLevel: settings.startLevel,
  keepDots: settings.keepDots,
  seed,
  highScore: best,
});
const attract = new Attract({ seed });
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

/**
 * Game over: decide (within FRESH_LIST_WAIT_MS) whether the score makes the top ten, and if
 * it does, ask for a name once GAME OVER has shown for a moment. Enter starts the next game as
 * soon as neither is going on, and the canvas says PRESS ENTER only then.
 */
async function onGameOver({ score, level }) {
  if (score > best) {
    best = score;
    storage.setItem(BEST_KEY, String(best));
  }
  announce(`Game over. Final score ${formatNumber(score)}.`);
  if (score <= 0) return;
  const over = performance.now();
  deciding = true;
  updateButtons();
  try {
    await scoreboard.offer({
      score,
      level,
      where: pod,
      ask: async () => {
        const shown = performance.now() - over;
        if (shown < GAME_OVER_HOLD * 1000) await new Promise((r) => setTimeout(r, GAME_OVER_HOLD * 1000 - shown));
        deciding = false;
        naming = true;
        updateButtons();
        return askForName({
          dialog: $('name-dialog'), form: $('name-form'), input: $('player-name'),
          error: $('name-error'), scoreText: $('name-score'), skip: $('name-skip'),
        }, { score, storage });
      },
    });
  } finally {
    deciding = false;
    naming = false;
    updateButtons();
  }
}

// ---- controls ----

/** Whether Enter (or a tap, or the button) starts a game now. */
function canStart() {
  if (naming || deciding || game.inGame) return false;
  return game.phase !== 'gameOver' || game.phaseTime >= GAME_OVER_HOLD;
}

function startGame() {
  if (!canStart()) return false;
  sound.unlock();
  game.start();
  attract.show('title');
  return true;
}

function togglePause() {
  if (!game.inGame) return false;
  // Resuming is a user gesture: the moment to wake audio a hidden tab or iOS suspended.
  if (game.paused) sound.unlock();
  game.togglePause();
  return true;
}

function toggleMute() {
  sound.unlock();
  sound.setMuted(!sound.muted);
  updateButtons();
  return true;
}

// Each button says its state one way only: Mute is a toggle (aria-pressed) with a fixed name;
// Pause is an action whose name says what it does (Pause, Resume).
function updateButtons() {
  els.mute.setAttribute('aria-pressed', String(sound.muted));
  els.pause.textContent = game.paused ? 'Resume' : 'Pause';
  els.pause.disabled = !game.inGame;
  els.start.disabled = !canStart();
  els.volume.value = String(Math.round(sound.volume * 100));
  els.volume.setAttribute('aria-valuetext', sound.muted ? `${els.volume.value} %, muted` : `${els.volume.value} %`);
}

const actions = {
  /**
   * A fresh key press or touch (not a held key's repeats, not the rest of a swipe). It skips
   * an intermission (after its first half second), and ends the attract show (Enter and the
   * sound keys keep their meaning). Returns whether it used the press up.
   */
  press(kind) {
    if (sound.ctx) sound.unlock(); // every gesture may wake audio a browser suspended
    if (kind === 'mute') return false;
    if (game.phase === 'intermission' && !game.paused) {
      if (game.skipIntermission()) sound.stopMusic();
      return true; // in the first half second the press does nothing at all
    }
    if (game.phase === 'attract' && kind !== 'start') return attract.interrupt();
    return false;
  },
  direction(dir) {
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
els.volume.addEventListener('input', () => {
  sound.unlock();
  sound.setVolume(Number(els.volume.value) / 100);
  if (sound.muted && sound.volume > 0) sound.setMuted(false); // moving the slider means "I want sound"
  updateButtons();
});
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
      case 'intermission':
        sound.play(`act${e.act}`);
        announce(`Level ${e.level} complete. Intermission: press a key to skip.`);
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

let shown = {};
function reflectState() {
  hud.update({ score: game.score, high: Math.max(game.highScore, best), lives: game.lives, level: game.level });
  // The page's state for tests and styles: the game's phase, the attract show's stage, the act.
  const now = {
    phase: game.phase,
    paused: String(game.paused),
    attract: game.phase === 'attract' ? attract.stage : '',
    act: game.phase === 'intermission' ? String(game.act) : '',
    canStart: String(canStart()),
  };
  if (Object.keys(now).some((k) => now[k] !== shown[k])) {
    shown = now;
    Object.assign(gameEl.dataset, now);
    updateButtons();
  }
}

function update(dt) {
  game.update(dt);
  if (game.phase === 'attract') attract.update(dt);
}

let last = null;
let rafId = 0;
function frame(now) {
  rafId = requestAnimationFrame(frame);
  const seconds = last === null ? 0 : (now - last) / 1000;
  last = now;
  const alpha = clock.advance(seconds, update);
  handleEvents();
  backgroundSound();
  reflectState();
  renderer.draw(game, alpha, { touch: touch.on, pod, attract, canStart: canStart() });
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

function pauseGame() {
  game.setPaused(true);
  handleEvents();
  reflectState();
}

// A window that loses focus (another window, an alert, a click outside) pauses the game too.
window.addEventListener('blur', pauseGame);

document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    pauseGame();
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
