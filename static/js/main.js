// Wires the game together: rules (Game, and the title screen's show: Attract), the session
// around a game (game over, names, test games: session.js), screen (Renderer), input, sound,
// the page's text and tables, and the server (API client, score queue, live stats), and runs
// them from the animation loop.
import { Game, ARCADE_SEED } from './rules/game.js';
import { Attract } from './rules/attract.js';
import { Renderer } from './ui/render.js';
import { bindKeyboard, bindSwipe, bindDirectionButtons } from './ui/input.js';
import { Sound } from './ui/sound.js';
import { DatasetMirror, GameNote, Hud } from './ui/hud.js';
import { askForName } from './ui/name-dialog.js';
import { Scoreboard } from './ui/scoreboard.js';
import { watchLivePlayers } from './ui/live-players.js';
import { ClusterPanel } from './ui/cluster-panel.js';
import { LessonPanel } from './ui/lesson-panel.js';
import { createClusterClient } from './net/cluster.js';
import { createApi } from './net/api.js';
import { STORAGE_KEY } from './net/score-queue.js';
import { StatsReporter } from './net/live-stats.js';
import { AnimationLoop, FixedStep } from './loop.js';
import { normalGameUrl, readSettings } from './config.js';
import { Session } from './session.js';

const $ = (id) => document.getElementById(id);

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

const touch = { on: window.matchMedia('(pointer: coarse)').matches };
const note = new GameNote($('game-note'));

const seed = settings.seed ?? ARCADE_SEED;
const game = new Game({
  lives: settings.lives,
  startLevel: settings.startLevel,
  keepDots: settings.keepDots,
  seed,
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

const lesson = new LessonPanel({ root: $('lesson'), storage, search: window.location.search });
const readCluster = createClusterClient();
const cluster = new ClusterPanel({
  readCluster: async () => {
    const reply = await readCluster();
    lesson.observeCluster(reply);
    return reply;
  },
  els: {
    dbSummary: $('database-summary'), dbStatus: $('database-status'), members: $('database-members'),
    events: $('database-events'), announce: $('database-announce'),
    dbView: $('database-view'),
    webSummary: $('web-summary'), webStatus: $('web-status'), pods: $('web-pods'), webView: $('web-view'),
  },
});

const scoreboard = new Scoreboard({
  api,
  storage,
  body: $('scores-body'),
  status: $('scores-status'),
  table: $('scores-table'),
  announce,
  tell: (text, tone) => note.show(text, tone),
  onTopScore(score) {
    if (score > game.highScore) game.highScore = score;
  },
  describeSaved: async (entry) => {
    const note = await cluster.describeSaved(entry);
    lesson.scoreSaved(entry);
    return note;
  },
});

const stats = new StatsReporter({ api, where: () => pod, stats: () => game.stats() });

const session = new Session({
  game,
  scoreboard,
  storage,
  where: () => pod,
  switches: settings.switches,
  askName: ({ score }) => askForName({
    dialog: $('name-dialog'), form: $('name-form'), input: $('player-name'),
    error: $('name-error'), scoreText: $('name-score'), skip: $('name-skip'),
  }, { score, storage }),
  tell: (text, tone) => note.show(text, tone),
  announce,
  changed: () => updateButtons(),
});
game.highScore = session.best;

// A test game says so from the start, with the way to the normal game.
if (session.testMode) {
  $('test-switches').textContent = settings.switches.join(', ');
  $('normal-game').href = normalGameUrl(window.location.href);
  $('test-note').hidden = false;
}

// ---- controls ----

function startGame() {
  if (!session.canStart()) return false;
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
// Pause is an action whose name says what it does (Pause, Resume). It holds both names, one
// shown (pacman.css, .two-names), so it keeps its width and the row does not move.
function updateButtons() {
  els.mute.setAttribute('aria-pressed', String(sound.muted));
  els.pause.dataset.name = game.paused ? 'second' : 'first';
  els.pause.disabled = !game.inGame;
  els.start.disabled = !session.canStart();
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
  steering: () => game.inGame && !game.paused,
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
        session.started();
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
        session.gameOver(e);
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

const pageState = new DatasetMirror(gameEl);
function reflectState() {
  hud.update({ score: game.score, high: Math.max(game.highScore, session.best), lives: game.lives, level: game.level });
  // The page's state for tests and styles: the game's phase, the attract show's stage, the act.
  const changed = pageState.update({
    phase: game.phase,
    paused: String(game.paused),
    attract: game.phase === 'attract' ? attract.stage : '',
    act: game.phase === 'intermission' ? String(game.act) : '',
    canStart: String(session.canStart()),
  });
  if (changed) updateButtons();
}

function update(dt) {
  game.update(dt);
  if (game.phase === 'attract') attract.update(dt);
}

const loop = new AnimationLoop((seconds) => {
  const alpha = clock.advance(seconds, update);
  handleEvents();
  backgroundSound();
  reflectState();
  renderer.draw(game, alpha, { touch: touch.on, pod, attract, canStart: session.canStart() });
});

function startLoop() {
  if (loop.running) return;
  clock.reset();
  loop.start();
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
    loop.stop();
  } else {
    sound.resume();
    startLoop();
  }
});

const stage = $('stage');
function fit() {
  renderer.resize(stage.clientWidth, stage.clientHeight, window.devicePixelRatio || 1);
  // The score line above the maze is as wide as the maze, the note by the game sits on it
  // (pacman.css, .hud and .game-note).
  gameEl.style.setProperty('--maze-width', renderer.canvas.style.width);
  gameEl.style.setProperty('--maze-height', renderer.canvas.style.height);
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
lesson.start();
cluster.start();
watchLivePlayers({ api, body: $('live-body'), status: $('live-status'), table: $('live-table') });
if (!document.hidden) startLoop();
