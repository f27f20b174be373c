// Draws a Game onto a canvas: the maze (painted once per size), pellets, fruit, characters,
// messages, the intermission acts, and the title screen's show (title, roll-call, demo game).
// Reads the game, never changes it.
import { COLS, ROWS, FRUIT_POSITION } from '../rules/maze.js';
import { TIMING } from '../rules/game.js';
import { fruitForLevel } from '../rules/scoring.js';
import { lookDirection } from '../rules/ghost-motion.js';
import { paintMaze } from './maze-art.js';
import { drawPacman, drawPacmanDeath, drawGhost, drawFruit, mouthFor, COLORS } from './sprites.js';
import { drawText, textWidth } from './font.js';
import { drawAct, drawScene, rollCallFrame, CHASE_FLOOR } from './scenes.js';

// The screen: the maze plus two rows below it for lives and level fruit.
export const VIEW_COLS = COLS;
export const VIEW_ROWS = ROWS + 2;
const WALL_COLOR = '#2942ff';
const TEXT_PIXEL = 1 / 7; // font pixel: one glyph is a tile tall

/** Where to draw an actor between its last two positions (no blending across the tunnel). */
function blend(actor, alpha) {
  const dx = actor.x - actor.prevX;
  const dy = actor.y - actor.prevY;
  if (Math.abs(dx) > 2 || Math.abs(dy) > 2) return { x: actor.x, y: actor.y };
  return { x: actor.prevX + dx * alpha, y: actor.prevY + dy * alpha };
}

export class Renderer {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.tile = 0;
    this.dpr = 1;
  }

  /**
   * Fits the screen into a box of cssWidth x cssHeight CSS pixels. Tiles are a whole number
   * of device pixels, so lines stay sharp on high-DPI screens.
   */
  resize(cssWidth, cssHeight, dpr) {
    const fit = Math.min(cssWidth / VIEW_COLS, cssHeight / VIEW_ROWS);
    const tile = Math.max(4, Math.floor(fit * dpr));
    if (tile === this.tile && dpr === this.dpr) return;
    this.tile = tile;
    this.dpr = dpr;
    this.canvas.width = VIEW_COLS * tile;
    this.canvas.height = VIEW_ROWS * tile;
    this.canvas.style.width = `${(VIEW_COLS * tile) / dpr}px`;
    this.canvas.style.height = `${(VIEW_ROWS * tile) / dpr}px`;
    this.mazeBlue = paintMaze(tile, WALL_COLOR);
    this.mazeWhite = paintMaze(tile, '#ffffff', { glow: false });
    this.board = null;
  }

  /**
   * Keeps `board` (walls and dots, COLS x ROWS tiles) in step with the game's pellets: an eaten
   * dot is erased from it, a new level repaints it. A frame then costs one copy of the board.
   */
  syncBoard(pellets) {
    const t = this.tile;
    const grid = pellets.grid;
    if (!this.board) {
      this.board = document.createElement('canvas');
      this.board.width = COLS * t;
      this.board.height = ROWS * t;
      this.boardCtx = this.board.getContext('2d', { alpha: false });
      this.boardSource = null;
    }
    const b = this.boardCtx;
    let repaint = this.boardSource !== pellets;
    if (!repaint) {
      for (let i = 0; i < grid.length; i++) {
        if (grid[i] === this.boardGrid[i]) continue;
        if (grid[i] !== 0) {
          repaint = true; // a pellet came back: a new level
          break;
        }
        const col = i % COLS;
        const row = (i - col) / COLS;
        b.fillStyle = '#000';
        b.fillRect(col * t, row * t, t, t);
        b.drawImage(this.mazeBlue, col * t, row * t, t, t, col * t, row * t, t, t);
        this.boardGrid[i] = 0;
      }
    }
    if (!repaint) return;
    b.setTransform(1, 0, 0, 1, 0, 0);
    b.fillStyle = '#000';
    b.fillRect(0, 0, this.board.width, this.board.height);
    b.drawImage(this.mazeBlue, 0, 0);
    b.setTransform(t, 0, 0, t, 0, 0);
    b.fillStyle = COLORS.pellet;
    b.beginPath();
    for (let row = 0; row < ROWS; row++) {
      for (let col = 0; col < COLS; col++) {
        if (grid[row * COLS + col] === 1) b.rect(col + 0.375, row + 0.375, 0.25, 0.25);
      }
    }
    b.fill();
    b.setTransform(1, 0, 0, 1, 0, 0);
    this.boardSource = pellets;
    this.boardGrid = grid.slice();
  }

  /**
   * Draws one frame. alpha (0..1): how far the clock is between the last two game steps.
   * info: {touch: boolean, pod: {host, zone, cloud} | null, attract: Attract (the title
   * screen's show), canStart: whether Enter starts a game now (the prompt shows only then)}.
   */
  draw(game, alpha, info) {
    const ctx = this.ctx;
    if (!this.tile) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#000';
    const stage = game.phase === 'attract' ? info.attract?.stage ?? 'title' : null;
    if (stage === 'demo') {
      this.drawPlay(info.attract.demo, alpha, info, { demo: true });
      return;
    }
    if (stage || game.phase === 'intermission') {
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      ctx.setTransform(this.tile, 0, 0, this.tile, 0, 0);
      if (stage === 'rollCall') this.drawRollCall(info.attract.time, info);
      else if (stage) this.drawTitle(info.attract?.time ?? game.phaseTime, info);
      else {
        drawAct(ctx, game.act, game.phaseTime);
        if (game.phaseTime >= TIMING.skipGrace) {
          const hint = info.touch ? 'TAP TO SKIP' : 'PRESS A KEY TO SKIP';
          drawText(ctx, hint, COLS / 2, 27, { pixel: TEXT_PIXEL * 0.7, color: '#8a8fb0', align: 'center' });
        }
        this.drawStatusBar(game);
      }
      return;
    }
    this.drawPlay(game, alpha, info);
  }

  /** The maze with everything on it: the game in play, or the attract mode's demo. */
  drawPlay(game, alpha, info, { demo = false } = {}) {
    const ctx = this.ctx;
    ctx.fillRect(0, ROWS * this.tile, this.canvas.width, this.canvas.height - ROWS * this.tile);
    // The board (walls and dots) covers the whole maze area: no need to clear it first.
    this.syncBoard(game.pellets);
    const flash = this.wallFlash(game);
    if (flash) {
      ctx.fillRect(0, 0, this.canvas.width, ROWS * this.tile);
      ctx.drawImage(this.mazeWhite, 0, 0);
    } else {
      ctx.drawImage(this.board, 0, 0);
    }
    ctx.setTransform(this.tile, 0, 0, this.tile, 0, 0);
    const moving = game.phase === 'playing' && !game.paused;
    const a = moving ? alpha : 1;
    this.drawEnergizers(game);
    if (game.fruit) drawFruit(ctx, game.fruit.kind, FRUIT_POSITION.x + 0.5, FRUIT_POSITION.y + 0.5);
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, COLS, ROWS); // the tunnel's off-screen tiles stay off screen
    ctx.clip();
    this.drawGhosts(game, a);
    this.drawPacman(game, a);
    this.drawPopups(game);
    ctx.restore();
    if (demo) this.drawDemoMessages(game, info);
    else this.drawMessages(game, info);
    this.drawStatusBar(game);
  }

  /** Whether the walls are white now: they flash when a level is cleared. */
  wallFlash(game) {
    if (game.phase !== 'levelComplete' || game.phaseTime < TIMING.levelFreeze) return false;
    return Math.floor((game.phaseTime - TIMING.levelFreeze) / 0.25) % 2 === 0;
  }

  drawEnergizers(game) {
    // They blink while the game runs and stay lit otherwise.
    if (game.phase === 'playing' && !game.paused && (game.clock % 0.4) >= 0.2) return;
    const ctx = this.ctx;
    const grid = game.pellets.grid;
    ctx.fillStyle = COLORS.pellet;
    ctx.beginPath();
    for (let i = 0; i < grid.length; i++) {
      if (grid[i] !== 2) continue;
      const col = i % COLS;
      const row = (i - col) / COLS;
      ctx.moveTo(col + 0.92, row + 0.5);
      ctx.arc(col + 0.5, row + 0.5, 0.42, 0, Math.PI * 2);
    }
    ctx.fill();
  }

  drawGhosts(game, alpha) {
    const phase = game.phase;
    if (phase === 'gameOver' || phase === 'levelComplete') return;
    if (phase === 'dying' && game.phaseTime >= TIMING.dyingFreeze) return;
    const wave = Math.floor(game.clock * 7) % 2 === 0;
    for (const g of game.ghosts) {
      if (g.justEaten && phase === 'ghostEaten') continue;
      const pos = blend(g, alpha);
      let look = 'normal';
      if (g.state === 'eyes' || g.state === 'entering') look = 'eyes';
      else if (g.frightened) look = game.frightWhite ? 'flash' : 'frightened';
      // The eyes look where the ghost means to turn, a moment before it does.
      drawGhost(this.ctx, pos.x + 0.5, pos.y + 0.5, COLORS[g.name], lookDirection(g), look, wave);
    }
  }

  drawPacman(game, alpha) {
    const p = game.pacman;
    const phase = game.phase;
    if (phase === 'gameOver' || phase === 'ghostEaten') return;
    const pos = blend(p, alpha);
    if (phase === 'dying') {
      const t = (game.phaseTime - TIMING.dyingFreeze) / TIMING.dyingAnimation;
      if (t < 0) drawPacman(this.ctx, pos.x + 0.5, pos.y + 0.5, p.dir, 0.35);
      else if (t <= 1) drawPacmanDeath(this.ctx, pos.x + 0.5, pos.y + 0.5, t);
      return;
    }
    const open = phase === 'ready' || phase === 'levelComplete' ? 0 : mouthFor(p.travel);
    drawPacman(this.ctx, pos.x + 0.5, pos.y + 0.5, p.dir, open);
  }

  drawPopups(game) {
    for (const pop of game.popups) {
      const color = pop.kind === 'ghost' ? COLORS.inky : COLORS.pinky;
      drawText(this.ctx, pop.text, pop.x + 0.5, pop.y + 0.15, { pixel: 0.1, color, align: 'center' });
    }
  }

  drawMessages(game, info) {
    const ctx = this.ctx;
    const row = FRUIT_POSITION.y; // the open row under the house
    if (game.phase === 'ready') {
      drawText(ctx, 'READY!', COLS / 2, row, { pixel: TEXT_PIXEL, color: COLORS.pacman, align: 'center' });
    } else if (game.phase === 'gameOver') {
      // "PRESS ENTER" alternates with GAME OVER, but only once Enter does start a game.
      const prompt = info.canStart && Math.floor(game.phaseTime / 1.5) % 2 === 1;
      const text = prompt ? (info.touch ? 'TAP TO PLAY' : 'PRESS ENTER') : 'GAME  OVER';
      drawText(ctx, text, COLS / 2, row, { pixel: TEXT_PIXEL, color: prompt ? COLORS.pacman : COLORS.blinky, align: 'center' });
    }
    if (game.paused) {
      ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
      ctx.fillRect(0, 0, COLS, ROWS);
      ctx.fillStyle = '#000';
      ctx.fillRect(3, 12, COLS - 6, 6);
      ctx.strokeStyle = WALL_COLOR;
      ctx.lineWidth = 0.15;
      ctx.strokeRect(3, 12, COLS - 6, 6);
      drawText(ctx, 'PAUSED', COLS / 2, 13, { pixel: 2 / 7, color: COLORS.pacman, align: 'center' });
      drawText(ctx, info.touch ? 'TAP TO RESUME' : 'PRESS P TO RESUME', COLS / 2, 16, { pixel: TEXT_PIXEL, color: '#fff', align: 'center' });
    }
  }

  drawStatusBar(game) {
    const ctx = this.ctx;
    const y = ROWS + 1;
    // Spare lives: the one in play is not shown.
    const spare = game.inGame ? Math.max(0, game.lives - 1) : 0;
    for (let i = 0; i < Math.min(spare, 6); i++) drawPacman(ctx, 2 + i * 2, y, 'left', 0.5, 0.7);
    const first = Math.max(1, game.level - 6);
    for (let level = game.level, i = 0; level >= first; level--, i++) {
      drawFruit(ctx, fruitForLevel(level).kind, COLS - 2 - i * 2, y - 0.1, 0.85);
    }
  }

  /** The demo game's message row: an invitation instead of READY! or GAME OVER. */
  drawDemoMessages(game, info) {
    const row = FRUIT_POSITION.y;
    const on = Math.floor(game.clock / 0.8) % 2 === 0;
    const text = on ? 'DEMO' : info.touch ? 'TAP TO PLAY' : 'PRESS ENTER';
    drawText(this.ctx, text, COLS / 2, row, { pixel: TEXT_PIXEL, color: on ? COLORS.blinky : COLORS.pacman, align: 'center' });
  }

  /** The roll-call: the ghosts step forward one by one, the points, then a chase. */
  drawRollCall(t, info) {
    const ctx = this.ctx;
    const frame = rollCallFrame(t);
    drawText(ctx, 'MEET THE GHOSTS', COLS / 2, 3, { pixel: TEXT_PIXEL, color: '#fff', align: 'center' });
    const wave = Math.floor(t * 4) % 2 === 0;
    frame.cast.forEach((c, i) => {
      const y = 7 + i * 2.4;
      drawGhost(ctx, 4.5, y, COLORS[c.name], 'right', 'normal', wave);
      if (!c.showName) return;
      drawText(ctx, c.label, 7, y - 0.8, { pixel: TEXT_PIXEL, color: COLORS[c.name] });
      drawText(ctx, c.blurb, 7, y + 0.35, { pixel: TEXT_PIXEL * 0.7, color: '#d8d8e8' });
    });
    if (frame.legend) {
      ctx.fillStyle = COLORS.pellet;
      ctx.fillRect(9.4, 17.4, 0.25, 0.25);
      ctx.beginPath();
      ctx.arc(9.5, 19.0, 0.42, 0, Math.PI * 2);
      ctx.fill();
      drawText(ctx, '10 PTS', 11, 17.05, { pixel: TEXT_PIXEL * 0.8, color: '#fff' });
      drawText(ctx, '50 PTS', 11, 18.6, { pixel: TEXT_PIXEL * 0.8, color: '#fff' });
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 20, COLS, 6);
    ctx.clip();
    drawScene(ctx, frame.chase, { clock: t, floor: CHASE_FLOOR });
    ctx.restore();
    this.drawPrompt(t, info, 27.5);
  }

  drawPrompt(t, info, y) {
    if (Math.floor(t / 0.6) % 2 === 0 || t < 0.6) {
      drawText(this.ctx, info.touch ? 'TAP TO START' : 'PRESS ENTER TO START', COLS / 2, y, { pixel: TEXT_PIXEL, color: COLORS.pacman, align: 'center' });
    }
  }

  drawTitle(t, info) {
    const ctx = this.ctx;
    const title = 'PACMAN';
    const big = 3 / 7;
    drawText(ctx, title, COLS / 2 + 0.12, 4.12, { pixel: big, color: '#b33b00', align: 'center' });
    drawText(ctx, title, COLS / 2, 4, { pixel: big, color: COLORS.pacman, align: 'center' });
    drawText(ctx, 'A KUBERNETES DEMO GAME', COLS / 2, 8, { pixel: TEXT_PIXEL * 0.8, color: '#9fb4ff', align: 'center' });
    // Pacman eating a row of dots across the middle, round and round.
    const x = ((t * 6) % (COLS + 6)) - 3;
    ctx.fillStyle = COLORS.pellet;
    for (let col = 1; col < COLS - 1; col += 2) if (col > x + 0.5) ctx.fillRect(col + 0.375, 14.375, 0.25, 0.25);
    drawPacman(ctx, x + 0.5, 14.5, 'right', Math.abs(Math.sin(t * 9)));
    this.drawPrompt(t, info, 19);
    const help = info.touch ? 'SWIPE OR USE THE ARROWS' : 'ARROWS/WASD MOVE  P PAUSE  M SOUND';
    drawText(ctx, help, COLS / 2, 21.5, { pixel: TEXT_PIXEL * 0.7, color: '#d8d8e8', align: 'center' });
    if (info.pod) {
      const line1 = `SERVED BY POD ${info.pod.host}`;
      const fit = (s) => Math.min(TEXT_PIXEL * 0.7, (COLS - 1) / Math.max(1, textWidth(s, 1)));
      drawText(ctx, line1, COLS / 2, 28.6, { pixel: fit(line1), color: COLORS.inky, align: 'center' });
      const line2 = `ZONE ${info.pod.zone}  CLOUD ${info.pod.cloud}`;
      drawText(ctx, line2, COLS / 2, 29.8, { pixel: fit(line2), color: COLORS.inky, align: 'center' });
    }
  }
}
