// Draws a Game onto a canvas: the maze (painted once per size), pellets, fruit, characters,
// messages, the title screen and the intermission. Reads the game, never changes it.
import { COLS, ROWS, FRUIT_POSITION } from '../rules/maze.js';
import { TIMING } from '../rules/game.js';
import { fruitForLevel } from '../rules/scoring.js';
import { paintMaze } from './maze-art.js';
import { drawPacman, drawPacmanDeath, drawGhost, drawFruit, mouthFor, COLORS } from './sprites.js';
import { drawText, textWidth } from './font.js';

// The screen: the maze plus two rows below it for lives and level fruit.
export const VIEW_COLS = COLS;
export const VIEW_ROWS = ROWS + 2;
const WALL_COLOR = '#2942ff';
const TEXT_PIXEL = 1 / 7; // font pixel: one glyph is a tile tall
const GHOST_BLURBS = [
  ['blinky', 'BLINKY', 'HUNTS YOU DOWN'],
  ['pinky', 'PINKY', 'CUTS YOU OFF'],
  ['inky', 'INKY', 'TEAMS UP'],
  ['clyde', 'CLYDE', 'KEEPS HIS DISTANCE'],
];
const GHOST_ORDER = ['blinky', 'pinky', 'inky', 'clyde'];

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
   * info: {touch: boolean, pod: {host, zone, cloud} | null}.
   */
  draw(game, alpha, info) {
    const ctx = this.ctx;
    if (!this.tile) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const onBoard = game.phase !== 'attract' && game.phase !== 'intermission';
    ctx.fillStyle = '#000';
    if (onBoard) ctx.fillRect(0, ROWS * this.tile, this.canvas.width, this.canvas.height - ROWS * this.tile);
    else ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (game.phase === 'attract') {
      ctx.setTransform(this.tile, 0, 0, this.tile, 0, 0);
      this.drawTitle(game, info);
      return;
    }
    if (game.phase === 'intermission') {
      ctx.setTransform(this.tile, 0, 0, this.tile, 0, 0);
      this.drawIntermission(game);
      this.drawStatusBar(game);
      return;
    }
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
    ctx.rect(0, 0, COLS, ROWS);
    ctx.clip();
    this.drawGhosts(game, a);
    this.drawPacman(game, a);
    this.drawPopups(game);
    ctx.restore();
    this.drawMessages(game, info);
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
      this.withWrap(pos.x, (x) => drawGhost(this.ctx, x + 0.5, pos.y + 0.5, COLORS[g.name], g.dir, look, wave));
    }
  }

  drawPacman(game, alpha) {
    const p = game.pacman;
    const phase = game.phase;
    if (phase === 'gameOver' || phase === 'ghostEaten') return;
    const pos = blend(p, alpha);
    if (phase === 'dying') {
      const t = (game.phaseTime - TIMING.dyingFreeze) / TIMING.dyingAnimation;
      if (t < 0) this.withWrap(pos.x, (x) => drawPacman(this.ctx, x + 0.5, pos.y + 0.5, p.dir, 0.35));
      else if (t <= 1) drawPacmanDeath(this.ctx, pos.x + 0.5, pos.y + 0.5, t);
      return;
    }
    const open = phase === 'ready' || phase === 'levelComplete' ? 0 : mouthFor(p.travel);
    this.withWrap(pos.x, (x) => drawPacman(this.ctx, x + 0.5, pos.y + 0.5, p.dir, open));
  }

  /** Draws at x, and again one maze-width away when the sprite hangs over a tunnel mouth. */
  withWrap(x, paint) {
    paint(x);
    if (x < 1) paint(x + COLS);
    else if (x > COLS - 2) paint(x - COLS);
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
      const prompt = game.phaseTime > 3 && Math.floor(game.phaseTime / 1.5) % 2 === 1;
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

  drawChase(t, duration, y, scale = 1) {
    // First half: the ghosts chase Pacman to the left; second half: a giant Pacman chases
    // the frightened ghosts back to the right.
    const ctx = this.ctx;
    const half = duration / 2;
    const span = COLS + 14 * scale;
    const wave = Math.floor(t * 7) % 2 === 0;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, y - 3 * scale, COLS, 6 * scale);
    ctx.clip();
    if (t < half) {
      const k = t / half;
      const x = COLS + 1 - k * span;
      ctx.save();
      ctx.translate(x, y);
      ctx.scale(scale, scale);
      drawPacman(ctx, 0, 0, 'left', mouthFor(k * 40));
      GHOST_ORDER.forEach((name, i) => drawGhost(ctx, 3 + i * 2, 0, COLORS[name], 'left', 'normal', wave));
      ctx.restore();
    } else {
      const k = (t - half) / half;
      const x = -9 * scale + k * span;
      ctx.save();
      ctx.translate(x, y);
      ctx.scale(scale, scale);
      GHOST_ORDER.forEach((name, i) => drawGhost(ctx, i * 2, 0, COLORS[name], 'right', 'frightened', wave));
      drawPacman(ctx, -4.5, -0.2, 'right', mouthFor(k * 40), 1.9);
      ctx.restore();
    }
    ctx.restore();
  }

  drawIntermission(game) {
    drawText(this.ctx, `LEVEL ${game.level} CLEAR!`, COLS / 2, 8, { pixel: TEXT_PIXEL, color: COLORS.pacman, align: 'center' });
    this.drawChase(game.phaseTime, TIMING.intermission, 15.5);
  }

  drawTitle(game, info) {
    const ctx = this.ctx;
    const t = game.phaseTime;
    const title = 'PACMAN';
    const big = 3 / 7;
    drawText(ctx, title, COLS / 2 + 0.12, 2.12, { pixel: big, color: '#b33b00', align: 'center' });
    drawText(ctx, title, COLS / 2, 2, { pixel: big, color: COLORS.pacman, align: 'center' });
    drawText(ctx, 'A KUBERNETES DEMO GAME', COLS / 2, 6, { pixel: TEXT_PIXEL * 0.8, color: '#9fb4ff', align: 'center' });
    const wave = Math.floor(t * 4) % 2 === 0;
    GHOST_BLURBS.forEach(([name, label, blurb], i) => {
      const y = 9 + i * 2.2;
      drawGhost(ctx, 4.5, y, COLORS[name], 'right', 'normal', wave);
      drawText(ctx, label, 7, y - 0.8, { pixel: TEXT_PIXEL, color: COLORS[name] });
      drawText(ctx, blurb, 7, y + 0.35, { pixel: TEXT_PIXEL * 0.7, color: '#d8d8e8' });
    });
    // Points legend.
    ctx.fillStyle = COLORS.pellet;
    ctx.fillRect(9.4, 18.4, 0.25, 0.25);
    ctx.beginPath();
    ctx.arc(9.5, 20.0, 0.42, 0, Math.PI * 2);
    ctx.fill();
    drawText(ctx, '10 PTS', 11, 18.05, { pixel: TEXT_PIXEL * 0.8, color: '#fff' });
    drawText(ctx, '50 PTS', 11, 19.6, { pixel: TEXT_PIXEL * 0.8, color: '#fff' });
    this.drawChase(t % 8, 8, 22.5, 0.8);
    if (Math.floor(t / 0.6) % 2 === 0 || t < 0.6) {
      drawText(ctx, info.touch ? 'TAP TO START' : 'PRESS ENTER TO START', COLS / 2, 25, { pixel: TEXT_PIXEL, color: COLORS.pacman, align: 'center' });
    }
    const help = info.touch ? 'SWIPE OR USE THE ARROWS' : 'ARROWS/WASD MOVE  P PAUSE  M SOUND';
    drawText(ctx, help, COLS / 2, 26.8, { pixel: TEXT_PIXEL * 0.7, color: '#d8d8e8', align: 'center' });
    if (info.pod) {
      const line1 = `SERVED BY POD ${info.pod.host}`;
      const fit = (s) => Math.min(TEXT_PIXEL * 0.7, (COLS - 1) / Math.max(1, textWidth(s, 1)));
      drawText(ctx, line1, COLS / 2, 28.6, { pixel: fit(line1), color: COLORS.inky, align: 'center' });
      const line2 = `ZONE ${info.pod.zone}  CLOUD ${info.pod.cloud}`;
      drawText(ctx, line2, COLS / 2, 29.8, { pixel: fit(line2), color: COLORS.inky, align: 'center' });
    }
  }
}
