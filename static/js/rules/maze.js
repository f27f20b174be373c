// The arcade maze: its 28x31 layout, what each tile allows, and the pellets left to eat.
// Coordinates: a tile (col, row) has its centre at (col, row); actors move in tile units.
// The tunnel row goes on off screen, as in the arcade: two open tiles beyond each edge
// (columns -2, -1 and 28, 29), then it wraps round. Those four tiles are why a ghost spends
// about 4.2 s in the tunnel on level 1, not 3.2 s.

export const COLS = 28;
export const ROWS = 31;
export const TUNNEL_ROW = 14;
/** Open tunnel tiles beyond each side edge, off screen. */
export const TUNNEL_OFFSCREEN = 2;
/** How many columns an actor passes through before the tunnel row wraps round. */
export const WRAP_COLS = COLS + 2 * TUNNEL_OFFSCREEN;

// '#' wall (or outside the maze), '-' ghost-house door, '.' dot, 'o' energizer, ' ' open path.
const LAYOUT = [
  '############################',
  '#............##............#',
  '#.####.#####.##.#####.####.#',
  '#o####.#####.##.#####.####o#',
  '#.####.#####.##.#####.####.#',
  '#..........................#',
  '#.####.##.########.##.####.#',
  '#.####.##.########.##.####.#',
  '#......##....##....##......#',
  '######.##### ## #####.######',
  '######.##### ## #####.######',
  '######.##          ##.######',
  '######.## ###--### ##.######',
  '######.## #      # ##.######',
  '      .   #      #   .      ',
  '######.## #      # ##.######',
  '######.## ######## ##.######',
  '######.##          ##.######',
  '######.## ######## ##.######',
  '######.## ######## ##.######',
  '#............##............#',
  '#.####.#####.##.#####.####.#',
  '#.####.#####.##.#####.####.#',
  '#o..##.......  .......##..o#',
  '###.##.##.########.##.##.###',
  '###.##.##.########.##.##.###',
  '#......##....##....##......#',
  '#.##########.##.##########.#',
  '#.##########.##.##########.#',
  '#..........................#',
  '############################',
];

export const PACMAN_START = Object.freeze({ x: 13.5, y: 23 });
export const FRUIT_POSITION = Object.freeze({ x: 13.5, y: 17 });
// Ghosts leave the house through the door to this point, and eyes come back through it.
export const HOUSE_EXIT = Object.freeze({ x: 13.5, y: 11 });
export const HOUSE_CENTER = Object.freeze({ x: 13.5, y: 14 });
export const HOUSE_DOOR = Object.freeze([{ col: 13, row: 12 }, { col: 14, row: 12 }]);
// Ghosts in scatter or chase may not turn up from these four tiles.
const RED_ZONES = new Set(['12,11', '15,11', '12,23', '15,23']);

/** Column c folded into -2..29, the columns of the tunnel row (meaningful on that row). */
export function wrapCol(col) {
  const k = TUNNEL_OFFSCREEN;
  return ((((col + k) % WRAP_COLS) + WRAP_COLS) % WRAP_COLS) - k;
}

/**
 * The layout character at (col, row); '#' outside the grid except along the tunnel, whose
 * off-screen tiles are open (' ').
 */
export function tileAt(col, row) {
  if (row < 0 || row >= ROWS) return '#';
  if (col < 0 || col >= COLS) {
    if (row !== TUNNEL_ROW) return '#';
    col = wrapCol(col);
    if (col < 0 || col >= COLS) return ' ';
  }
  return LAYOUT[row][col];
}

export function isWall(col, row) {
  return tileAt(col, row) === '#';
}

export function isDoor(col, row) {
  return tileAt(col, row) === '-';
}

/** Whether Pacman, or a ghost roaming the maze, may enter the tile (the door is closed to both). */
export function isOpen(col, row) {
  const t = tileAt(col, row);
  return t !== '#' && t !== '-';
}

/**
 * The tunnel tiles where ghosts slow down: the tunnel row outside the side walls, off-screen
 * tiles included (8 a side).
 */
export function isTunnel(col, row) {
  if (row !== TUNNEL_ROW) return false;
  const c = wrapCol(col);
  return c <= 5 || c >= COLS - 6;
}

export function isRedZone(col, row) {
  return RED_ZONES.has(`${col},${row}`);
}

/** The pellets left in a level: a byte per tile, 0 none, 1 dot, 2 energizer. */
export class Pellets {
  constructor() {
    this.grid = new Uint8Array(COLS * ROWS);
    this.total = 0;
    for (let row = 0; row < ROWS; row++) {
      for (let col = 0; col < COLS; col++) {
        const t = LAYOUT[row][col];
        if (t === '.' || t === 'o') {
          this.grid[row * COLS + col] = t === '.' ? 1 : 2;
          this.total++;
        }
      }
    }
    this.remaining = this.total;
  }

  /** 'dot', 'energizer' or null for the tile (off-grid tiles hold nothing). */
  at(col, row) {
    if (col < 0 || col >= COLS || row < 0 || row >= ROWS) return null;
    const v = this.grid[row * COLS + col];
    return v === 1 ? 'dot' : v === 2 ? 'energizer' : null;
  }

  /** Removes the pellet on the tile; returns what was there ('dot', 'energizer') or null. */
  eat(col, row) {
    const what = this.at(col, row);
    if (what) {
      this.grid[row * COLS + col] = 0;
      this.remaining--;
    }
    return what;
  }

  get eaten() {
    return this.total - this.remaining;
  }

  /**
   * Test switch: keeps only the n pellets nearest to (x, y) on its row, those to the left first,
   * then the rest by distance: Pacman, who starts by running left, clears up to 7 of them
   * without any input, so a level can be finished in seconds.
   */
  keepNearest(n, x, y) {
    const all = [];
    for (let i = 0; i < this.grid.length; i++) {
      if (this.grid[i]) {
        const col = i % COLS;
        const row = (i - col) / COLS;
        const along = col <= x ? x - col : COLS + col - x;
        all.push({ i, key: Math.abs(row - y) * 1000 + along });
      }
    }
    all.sort((a, b) => a.key - b.key || a.i - b.i);
    for (const { i } of all.slice(n)) this.grid[i] = 0;
    this.total = this.remaining = Math.min(n, all.length);
  }
}
