// The game as a state machine: phases (attract, ready, playing, a ghost eaten, dying, level
// complete, intermission, game over), one fixed time step at a time, with events for the
// layers around it (sound, network, page). No DOM: everything here runs in Node too.
import { Pellets, PACMAN_START, FRUIT_POSITION, isTunnel } from './maze.js';
import { stepPacman, tilesPerSecond, tileOf, collided, DIRECTIONS } from './movement.js';
import { GHOST_NAMES, HOUSE_ORDER, GHOST_STARTS, chooseDirection, targetFor } from './ghosts.js';
import { moveGhost, EYES_TARGET } from './ghost-motion.js';
import { modeAt, frightSeconds, frightFlashWhite } from './modes.js';
import { levelSpec, intermissionAfter, intermissionSeconds } from './levels.js';
import {
  DOT_POINTS, ENERGIZER_POINTS, FRUIT_AT_EATEN, ghostPoints, fruitForLevel, earnsExtraLife,
} from './scoring.js';
import { HouseRelease } from './house.js';
import { seededRandom } from './random.js';

/** The fixed simulation step, in seconds. */
export const STEP = 1 / 60;

/**
 * The seed of the frightened ghosts' random generator when none is given. Like the arcade's,
 * the generator starts over from it at each life and each level, so the same play gives the
 * same ghosts: patterns work.
 */
export const ARCADE_SEED = 0;

export const TIMING = Object.freeze({
  readyFirst: 4.2, // the opening tune plays
  ready: 2,
  ghostEatenFreeze: 1,
  dyingFreeze: 1,
  dyingAnimation: 1.6,
  dyingAfter: 0.5,
  levelFreeze: 1,
  levelFlash: 2,
  skipGrace: 0.5, // an intermission cannot be skipped sooner
  fruitMin: 9.33,
  fruitMax: 10,
  fruitPopup: 2,
});

// Pacman pauses for a frame on each dot and three on an energizer, as in the arcade.
const DOT_STALL = 1 / 60;
const ENERGIZER_STALL = 3 / 60;

function newPacman() {
  return { x: PACMAN_START.x, y: PACMAN_START.y, dir: 'left', next: null, stall: 0,
    moving: false, travel: 0, prevX: PACMAN_START.x, prevY: PACMAN_START.y };
}

function newGhost(name) {
  const s = GHOST_STARTS[name];
  return { name, x: s.x, y: s.y, dir: s.dir, state: s.inHouse ? 'house' : 'active',
    frightened: false, justEaten: false, target: null, prevX: s.x, prevY: s.y,
    reverse: false, exitRight: false, plan: null, nextPlan: null };
}

export class Game {
  /**
   * options: lives (3), startLevel (1), keepDots (null: all; n: test switch keeping only the n
   * pellets nearest Pacman's start), seed (for frightened ghosts' choices), highScore.
   */
  constructor({ lives = 3, startLevel = 1, keepDots = null, seed = ARCADE_SEED, highScore = 0 } = {}) {
    this.options = { lives, startLevel, keepDots };
    this.seed = seed;
    this.random = seededRandom(seed ^ 0x5eed); // fruit timers; the ghosts have their own
    this.highScore = highScore;
    this.events = [];
    this.paused = false;
    this.clock = 0;
    this.score = 0;
    this.lives = lives;
    this.level = startLevel;
    this.elapsed = 0;
    this.setupLevel();
    this.resetActors();
    this.setPhase('attract');
    this.decider = (g, col, row, dir) => this.decideFor(g, col, row, dir);
  }

  // ---- commands from the player ----

  /** Starts a new game (from the title screen or after game over). */
  start() {
    this.score = 0;
    this.lives = this.options.lives;
    this.level = this.options.startLevel;
    this.extraLifeGiven = false;
    this.elapsed = 0;
    this.paused = false;
    this.setupLevel();
    this.resetActors();
    this.readyDuration = TIMING.readyFirst;
    this.setPhase('ready');
    this.emit('start', { level: this.level, lives: this.lives });
  }

  /** Buffers a turn; it happens at the next opening (or at once if it reverses Pacman). */
  setDirection(dir) {
    if (!DIRECTIONS[dir]) return;
    const p = this.pacman;
    p.next = dir === p.dir ? null : dir;
  }

  get inGame() {
    return this.phase !== 'attract' && this.phase !== 'gameOver';
  }

  setPaused(paused) {
    if (!this.inGame || paused === this.paused) return;
    this.paused = paused;
    this.emit(paused ? 'pause' : 'resume');
  }

  togglePause() {
    this.setPaused(!this.paused);
  }

  /** Events since the last call ({type, ...}), oldest first. */
  drainEvents() {
    const out = this.events;
    this.events = [];
    return out;
  }

  /** What the live-stats report sends. */
  stats() {
    return { score: this.score, level: this.level, lives: this.lives,
      elapsedTime: Math.min(86400, Math.floor(this.elapsed)) };
  }

  /** Whether frightened ghosts are drawn in their white flash right now. */
  get frightWhite() {
    return frightFlashWhite(this.level, this.frightLeft);
  }

  // ---- the clock ----

  /** Advances the game by dt seconds (one fixed step; see STEP). */
  update(dt = STEP) {
    if (this.paused) return;
    this.clock += dt;
    this.phaseTime += dt;
    const p = this.pacman;
    p.prevX = p.x;
    p.prevY = p.y;
    for (const g of this.ghosts) {
      g.prevX = g.x;
      g.prevY = g.y;
    }
    if (this.inGame) this.elapsed += dt;
    for (const pop of this.popups) pop.ttl -= dt;
    this.popups = this.popups.filter((pop) => pop.ttl > 0);

    switch (this.phase) {
      case 'ready':
        if (this.phaseTime >= this.readyDuration) {
          this.setPhase('playing');
          this.emit('play');
        }
        break;
      case 'playing':
        this.stepPlaying(dt);
        break;
      case 'ghostEaten':
        // Everything freezes except eyes already on their way home.
        for (const g of this.ghosts) if (!g.justEaten && (g.state === 'eyes' || g.state === 'entering')) this.moveGhost(g, dt);
        if (this.phaseTime >= TIMING.ghostEatenFreeze) {
          for (const g of this.ghosts) g.justEaten = false;
          this.setPhase('playing');
        }
        break;
      case 'dying':
        if (!this.deathAnimationStarted && this.phaseTime >= TIMING.dyingFreeze) {
          this.deathAnimationStarted = true;
          this.emit('deathAnimation');
        }
        if (this.phaseTime >= TIMING.dyingFreeze + TIMING.dyingAnimation + TIMING.dyingAfter) this.afterDeath();
        break;
      case 'levelComplete':
        if (this.phaseTime >= TIMING.levelFreeze + TIMING.levelFlash) {
          const act = intermissionAfter(this.level);
          if (act) {
            this.act = act;
            this.setPhase('intermission');
            this.emit('intermission', { level: this.level, act });
          } else {
            this.nextLevel();
          }
        }
        break;
      case 'intermission':
        if (this.phaseTime >= intermissionSeconds(this.act)) this.nextLevel();
        break;
      default: // attract, gameOver: nothing moves
        break;
    }
  }

  /**
   * Skips an intermission (a fresh key press or tap), but not in its first half second: a key
   * hammered at the end of a level must not throw the scene away unseen. Returns whether it
   * skipped.
   */
  skipIntermission() {
    if (this.phase !== 'intermission' || this.paused || this.phaseTime < TIMING.skipGrace) return false;
    this.nextLevel();
    return true;
  }

  // ---- internals ----

  emit(type, data = {}) {
    this.events.push({ type, ...data });
  }

  setPhase(phase) {
    this.phase = phase;
    this.phaseTime = 0;
  }

  setupLevel() {
    this.spec = levelSpec(this.level);
    this.pellets = new Pellets();
    if (this.options.keepDots != null) this.pellets.keepNearest(this.options.keepDots, PACMAN_START.x, PACMAN_START.y);
    if (this.house) this.house.startLevel(this.level);
    else this.house = new HouseRelease(this.level);
    this.elroySuspended = false;
    this.fruitsShown = 0;
  }

  resetActors() {
    this.pacman = newPacman();
    this.ghosts = GHOST_NAMES.map(newGhost);
    // The arcade's generator restarts with each life and each level.
    this.frightRandom = seededRandom(this.seed);
    this.frightLeft = 0;
    this.modeTime = 0;
    this.modeIndex = 0;
    this.mode = 'scatter';
    this.ghostChain = 0;
    this.fruit = null;
    this.popups = [];
    this.deathAnimationStarted = false;
  }

  nextLevel() {
    this.level++;
    this.setupLevel();
    this.resetActors();
    this.readyDuration = TIMING.ready;
    this.setPhase('ready');
    this.emit('levelStart', { level: this.level });
  }

  afterDeath() {
    this.lives--;
    this.emit('lifeLost', { lives: this.lives });
    if (this.lives > 0) {
      this.house.lifeLost();
      this.elroySuspended = true;
      this.resetActors();
      this.readyDuration = TIMING.ready;
      this.setPhase('ready');
    } else {
      this.setPhase('gameOver');
      this.emit('gameOver', { score: this.score, level: this.level });
    }
  }

  ghost(name) {
    return this.ghosts.find((g) => g.name === name);
  }

  ghostsInHouse() {
    return HOUSE_ORDER.filter((name) => this.ghost(name).state === 'house');
  }

  /** 0, 1 or 2: how much Blinky has sped up as the dots run out. */
  get elroy() {
    if (this.elroySuspended) return 0;
    const left = this.pellets.remaining;
    if (left <= this.spec.elroy2.dots) return 2;
    if (left <= this.spec.elroy1.dots) return 1;
    return 0;
  }

  addScore(points) {
    const before = this.score;
    this.score += points;
    if (!this.extraLifeGiven && earnsExtraLife(before, this.score)) {
      this.extraLifeGiven = true;
      this.lives++;
      this.emit('extraLife', { lives: this.lives });
    }
    if (this.score > this.highScore) this.highScore = this.score;
  }

  stepPlaying(dt) {
    this.stepModeTimers(dt);

    const p = this.pacman;
    const p0 = { x: p.x, y: p.y };
    let moveTime = dt;
    if (p.stall > 0) {
      const s = Math.min(p.stall, dt);
      p.stall -= s;
      moveTime -= s;
    }
    const dist = tilesPerSecond(this.frightLeft > 0 ? this.spec.pacmanFright : this.spec.pacman) * moveTime;
    if (dist > 0) {
      p.moving = stepPacman(p, dist);
      if (p.moving) p.travel += dist;
    }
    this.eatPellet();
    if (this.pellets.remaining === 0) {
      this.setPhase('levelComplete');
      this.emit('levelComplete', { level: this.level });
      return;
    }
    this.stepFruit(dt);

    const released = this.house.tick(dt, this.ghostsInHouse());
    if (released) this.ghost(released).state = 'leaving';

    const g0 = this.ghosts.map((g) => ({ x: g.x, y: g.y }));
    for (const g of this.ghosts) this.moveGhost(g, dt);

    const p1 = { x: p.x, y: p.y };
    let eaten = false;
    for (let i = 0; i < this.ghosts.length; i++) {
      const g = this.ghosts[i];
      if (g.state === 'eyes' || g.state === 'entering' || g.state === 'house') continue;
      if (!collided(p0, p1, g0[i], g)) continue;
      if (g.frightened) {
        this.eatGhost(g);
        eaten = true;
      } else {
        this.setPhase('dying');
        this.fruit = null;
        this.emit('death');
        return;
      }
    }
    if (eaten) this.setPhase('ghostEaten');
  }

  stepModeTimers(dt) {
    if (this.frightLeft > 0) {
      this.frightLeft -= dt;
      if (this.frightLeft <= 1e-9) { // a whole number of steps: no extra frame from rounding
        this.frightLeft = 0;
        for (const g of this.ghosts) g.frightened = false;
        this.emit('frightEnd');
      }
      return; // the scatter/chase clock stands still while the ghosts are frightened
    }
    this.modeTime += dt;
    const m = modeAt(this.level, this.modeTime);
    if (m.index !== this.modeIndex) {
      this.modeIndex = m.index;
      this.mode = m.mode;
      this.orderReversal();
      this.emit('modeChange', { mode: m.mode });
    }
  }

  /**
   * A mode change (and the start of fright) tells the ghosts to reverse. Roaming ghosts latch
   * it and turn at the next tile they enter, once, however many changes come meanwhile (the
   * one-frame scatter of levels 2+ is two changes in a row). Ghosts in the house will leave
   * it to the right instead of the left.
   */
  orderReversal() {
    for (const g of this.ghosts) {
      if (g.state === 'active') g.reverse = true;
      else if (g.state === 'house' || g.state === 'leaving') g.exitRight = true;
    }
  }

  eatPellet() {
    const p = this.pacman;
    const { col, row } = tileOf(p);
    const inHouse = this.ghostsInHouse();
    const what = this.pellets.eat(col, row);
    if (!what) return;
    this.house.dotEaten(inHouse);
    if (what === 'dot') {
      p.stall = DOT_STALL;
      this.addScore(DOT_POINTS);
      this.emit('dot');
    } else {
      p.stall = ENERGIZER_STALL;
      this.addScore(ENERGIZER_POINTS);
      this.emit('energizer');
      this.frighten();
    }
    if (FRUIT_AT_EATEN.includes(this.pellets.eaten) && this.fruitsShown < FRUIT_AT_EATEN.length) {
      this.fruitsShown++;
      const f = fruitForLevel(this.level);
      const span = TIMING.fruitMax - TIMING.fruitMin;
      this.fruit = { kind: f.kind, points: f.points, timeLeft: TIMING.fruitMin + this.random() * span };
      this.emit('fruitShown', { kind: f.kind });
    }
  }

  frighten() {
    const seconds = frightSeconds(this.level);
    this.ghostChain = 0;
    this.orderReversal();
    for (const g of this.ghosts) {
      if (g.state === 'eyes' || g.state === 'entering') continue;
      if (seconds > 0) g.frightened = true;
    }
    if (seconds > 0) this.frightLeft = seconds;
  }

  stepFruit(dt) {
    const f = this.fruit;
    if (!f) return;
    f.timeLeft -= dt;
    const p = this.pacman;
    if (Math.abs(p.x - FRUIT_POSITION.x) < 0.75 && Math.abs(p.y - FRUIT_POSITION.y) < 0.5) {
      this.addScore(f.points);
      this.popups.push({ x: FRUIT_POSITION.x, y: FRUIT_POSITION.y, text: String(f.points), ttl: TIMING.fruitPopup, kind: 'fruit' });
      this.emit('fruitEaten', { points: f.points, kind: f.kind });
      this.fruit = null;
    } else if (f.timeLeft <= 0) {
      this.fruit = null;
    }
  }

  eatGhost(g) {
    const points = ghostPoints(this.ghostChain++);
    this.addScore(points);
    g.state = 'eyes';
    g.frightened = false;
    g.justEaten = true;
    this.popups.push({ x: g.x, y: g.y, text: String(points), ttl: TIMING.ghostEatenFreeze, kind: 'ghost' });
    this.emit('ghostEaten', { points, ghost: g.name });
  }

  ghostSpeed(g) {
    const { col, row } = tileOf(g);
    if (isTunnel(col, row)) return this.spec.ghostTunnel;
    if (g.frightened) return this.spec.ghostFright;
    if (g.name === 'blinky') {
      const e = this.elroy;
      if (e === 2) return this.spec.elroy2.speed;
      if (e === 1) return this.spec.elroy1.speed;
    }
    return this.spec.ghost;
  }

  /**
   * Which way ghost g will go at the centre of (col, row), arriving heading dir. Asked one
   * tile ahead, so targets are those of the moment the ghost enters the tile before.
   */
  decideFor(g, col, row, dir) {
    if (g.state === 'eyes') return chooseDirection(col, row, dir, EYES_TARGET, { restrictUp: false });
    if (g.frightened) return chooseDirection(col, row, dir, null, { random: this.frightRandom });
    const pac = { ...tileOf(this.pacman), dir: this.pacman.dir };
    const target = targetFor(g.name, this.mode, pac, tileOf(this.ghost('blinky')), tileOf(g), this.elroy > 0);
    g.target = target;
    return chooseDirection(col, row, dir, target);
  }

  moveGhost(g, dt) {
    const roamSpeed = g.state === 'active' ? this.ghostSpeed(g) : 0;
    const change = moveGhost(g, dt, { roamSpeed, decide: this.decider });
    if (change === 'out' && g.name === 'clyde') this.elroySuspended = false;
    if (change === 'revived') this.emit('ghostRevived', { ghost: g.name });
  }
}
