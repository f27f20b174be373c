// The characters and fruit, drawn with canvas paths in tile units around a centre point.
// No state: every function takes a 2D context and what to draw.

export const COLORS = Object.freeze({
  pacman: '#ffe600',
  blinky: '#ff2a2a',
  pinky: '#ffa8f0',
  inky: '#1fe7ff',
  clyde: '#ffb347',
  frightened: '#2335ff',
  frightenedFace: '#ffcfa6',
  flash: '#f4f4ff',
  flashFace: '#ff2a2a',
  eyeWhite: '#ffffff',
  pupil: '#1b2fd9',
  pellet: '#ffc8b0',
  skin: '#ffb89a',
  patch: '#c01c3a',
  stitch: '#ffe9e0',
  peg: '#c9a27a',
});

const ANGLE = { right: 0, down: Math.PI / 2, left: Math.PI, up: -Math.PI / 2 };
const LOOK = { right: [1, 0], left: [-1, 0], up: [0, -1], down: [0, 1] };

/** Mouth opening 0..1 for a Pacman who has travelled `travel` tiles: one chomp per 0.6 tile. */
export function mouthFor(travel) {
  const t = (travel / 0.6) % 1;
  return t < 0.5 ? t * 2 : 2 - t * 2;
}

export function drawPacman(ctx, x, y, dir, open, radius = 0.8) {
  const a = 0.04 + open * 0.8; // half the mouth angle
  const rot = ANGLE[dir] ?? Math.PI;
  ctx.fillStyle = COLORS.pacman;
  ctx.beginPath();
  ctx.moveTo(x - Math.cos(rot) * radius * 0.15, y - Math.sin(rot) * radius * 0.15);
  ctx.arc(x, y, radius, rot + a, rot + Math.PI * 2 - a);
  ctx.closePath();
  ctx.fill();
}

/** Pacman shrivelling away, t from 0 to 1, then a little burst. */
export function drawPacmanDeath(ctx, x, y, t) {
  if (t < 0.8) {
    const k = t / 0.8;
    const a = 0.1 + k * Math.PI; // the mouth opens until nothing is left
    const rot = -Math.PI / 2;
    ctx.fillStyle = COLORS.pacman;
    ctx.beginPath();
    ctx.moveTo(x, y + 0.2 * k);
    ctx.arc(x, y + 0.2 * k, 0.8, rot + a, rot + Math.PI * 2 - a);
    ctx.closePath();
    ctx.fill();
    return;
  }
  const k = (t - 0.8) / 0.2;
  ctx.strokeStyle = COLORS.pacman;
  ctx.lineWidth = 0.12;
  ctx.lineCap = 'round';
  ctx.beginPath();
  for (let i = 0; i < 8; i++) {
    const ang = (i / 8) * Math.PI * 2;
    const r0 = 0.3 + k * 0.3;
    const r1 = 0.55 + k * 0.3;
    ctx.moveTo(x + Math.cos(ang) * r0, y + Math.sin(ang) * r0);
    ctx.lineTo(x + Math.cos(ang) * r1, y + Math.sin(ang) * r1);
  }
  ctx.stroke();
}

function ghostBody(ctx, x, y, wave) {
  const w = 0.78;
  const top = y - 0.12;
  const bottom = y + 0.78;
  ctx.beginPath();
  ctx.arc(x, top, w, Math.PI, 0);
  ctx.lineTo(x + w, bottom);
  // A skirt of four points that ripple between two shapes.
  const n = 4;
  const step = (2 * w) / n;
  for (let i = 0; i < n; i++) {
    const x0 = x + w - i * step;
    const dip = wave ? 0.25 : 0.15;
    ctx.lineTo(x0 - step * (wave ? 0.25 : 0.5), bottom - dip);
    ctx.lineTo(x0 - step * (wave ? 0.75 : 0.5), bottom - (wave ? dip : 0.02));
    ctx.lineTo(x0 - step, bottom);
  }
  ctx.closePath();
  ctx.fill();
}

function ghostEyes(ctx, x, y, dir) {
  const [lx, ly] = LOOK[dir] || [0, 0];
  for (const side of [-1, 1]) {
    const ex = x + side * 0.3 + lx * 0.1;
    const ey = y - 0.2 + ly * 0.1;
    ctx.fillStyle = COLORS.eyeWhite;
    ctx.beginPath();
    ctx.ellipse(ex, ey, 0.21, 0.27, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = COLORS.pupil;
    ctx.beginPath();
    ctx.arc(ex + lx * 0.1, ey + ly * 0.12, 0.12, 0, Math.PI * 2);
    ctx.fill();
  }
}

// The intermissions' Blinky: his cloak torn at the back (act 2), patched (act 3).
function tornCorner(ctx, x, y) {
  const bottom = y + 0.82;
  ctx.fillStyle = '#000';
  ctx.beginPath();
  ctx.moveTo(x + 0.04, bottom);
  const edge = [[0.16, 0.5], [0.28, 0.64], [0.4, 0.36], [0.52, 0.52], [0.63, 0.24], [0.72, 0.4], [0.84, 0.22]];
  for (const [dx, dy] of edge) ctx.lineTo(x + dx, y + dy);
  ctx.lineTo(x + 0.84, bottom);
  ctx.closePath();
  ctx.fill();
  // What the cloak hid: a leg.
  ctx.fillStyle = COLORS.skin;
  ctx.beginPath();
  ctx.ellipse(x + 0.46, y + 0.66, 0.12, 0.15, 0, 0, Math.PI * 2);
  ctx.fill();
}

function patch(ctx, x, y) {
  ctx.save();
  ctx.translate(x + 0.4, y + 0.38);
  ctx.rotate(-0.18);
  ctx.fillStyle = COLORS.patch;
  ctx.fillRect(-0.24, -0.2, 0.48, 0.4);
  ctx.strokeStyle = COLORS.stitch;
  ctx.lineWidth = 0.045;
  ctx.beginPath();
  for (let i = 0; i < 4; i++) {
    const s = -0.18 + i * 0.12;
    for (const [ax, ay, bx, by] of [[s, -0.25, s + 0.05, -0.15], [s, 0.15, s + 0.05, 0.25]]) {
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
    }
  }
  for (const side of [-1, 1]) {
    ctx.moveTo(side * 0.29, -0.1);
    ctx.lineTo(side * 0.19, -0.05);
    ctx.moveTo(side * 0.29, 0.08);
    ctx.lineTo(side * 0.19, 0.13);
  }
  ctx.stroke();
  ctx.restore();
}

/**
 * A ghost. look: 'normal' | 'frightened' | 'flash' | 'eyes', or for Blinky in the
 * intermissions 'torn' | 'patched'. wave: which of the two skirt frames to draw.
 */
export function drawGhost(ctx, x, y, color, dir, look, wave) {
  if (look === 'eyes') {
    ghostEyes(ctx, x, y, dir);
    return;
  }
  if (look === 'torn' || look === 'patched') {
    ctx.fillStyle = color;
    ghostBody(ctx, x, y, wave);
    if (look === 'torn') tornCorner(ctx, x, y);
    else patch(ctx, x, y);
    ghostEyes(ctx, x, y, dir);
    return;
  }
  if (look === 'frightened' || look === 'flash') {
    const white = look === 'flash';
    ctx.fillStyle = white ? COLORS.flash : COLORS.frightened;
    ghostBody(ctx, x, y, wave);
    const face = white ? COLORS.flashFace : COLORS.frightenedFace;
    ctx.fillStyle = face;
    ctx.fillRect(x - 0.36, y - 0.32, 0.2, 0.2);
    ctx.fillRect(x + 0.16, y - 0.32, 0.2, 0.2);
    ctx.strokeStyle = face;
    ctx.lineWidth = 0.09;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    const my = y + 0.25;
    ctx.moveTo(x - 0.55, my + 0.08);
    for (let i = 0; i < 6; i++) ctx.lineTo(x - 0.55 + (i + 1) * 0.183, my + (i % 2 === 0 ? -0.08 : 0.08));
    ctx.stroke();
    return;
  }
  ctx.fillStyle = color;
  ghostBody(ctx, x, y, wave);
  ghostEyes(ctx, x, y, dir);
}

// ---- props of the intermissions ----

/** A peg standing in the floor at x (act 2). */
export function drawPeg(ctx, x, y) {
  ctx.fillStyle = COLORS.peg;
  ctx.fillRect(x - 0.06, y + 0.32, 0.12, 0.5);
  ctx.beginPath();
  ctx.ellipse(x, y + 0.32, 0.16, 0.07, 0, 0, Math.PI * 2);
  ctx.fill();
}

/** Blinky's cloak caught on the peg at toX, stretched from the back of a ghost at x; k 0..1 how far. */
export function drawCloakStretch(ctx, x, y, toX, k) {
  const thick = 0.42 - 0.3 * k;
  ctx.fillStyle = COLORS.blinky;
  ctx.beginPath();
  ctx.moveTo(x + 0.5, y + 0.3);
  ctx.quadraticCurveTo((x + toX) / 2, y + 0.62 - thick / 2, toX, y + 0.42);
  ctx.lineTo(toX, y + 0.42 + Math.max(0.06, thick * 0.4));
  ctx.quadraticCurveTo((x + toX) / 2, y + 0.7 + thick / 3, x + 0.55, y + 0.82);
  ctx.closePath();
  ctx.fill();
}

/** The torn piece left on the peg at x, swinging a little (t: seconds since the tear). */
export function drawScrap(ctx, x, y, t) {
  const sway = Math.sin(t * 6) * Math.exp(-t * 0.8) * 0.15;
  ctx.fillStyle = COLORS.blinky;
  ctx.beginPath();
  ctx.moveTo(x - 0.05, y + 0.36);
  ctx.lineTo(x + 0.2, y + 0.4);
  ctx.lineTo(x + 0.12 + sway, y + 0.74);
  ctx.lineTo(x + 0.02 + sway, y + 0.6);
  ctx.lineTo(x - 0.08 + sway, y + 0.7);
  ctx.closePath();
  ctx.fill();
}

/** Blinky without his cloak (act 3): a small pink body on scampering legs, and his eyes. */
export function drawBareGhost(ctx, x, y, dir, t) {
  const step = Math.floor(t * 10) % 2;
  ctx.fillStyle = COLORS.skin;
  ctx.beginPath();
  ctx.ellipse(x, y + 0.22, 0.46, 0.44, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillRect(x - 0.3 + step * 0.1, y + 0.5, 0.14, 0.3);
  ctx.fillRect(x + 0.14 - step * 0.1, y + 0.5, 0.14, 0.3);
  ghostEyes(ctx, x, y + 0.28, dir);
}

/** His cloak, dragged along the floor behind him on a string held at fromX. */
export function drawDraggedCloak(ctx, x, y, fromX, t) {
  const ripple = (i) => 0.08 * Math.sin(t * 14 + i * 1.7);
  ctx.fillStyle = COLORS.blinky;
  ctx.beginPath();
  ctx.moveTo(x - 0.95, y + 0.82);
  for (let i = 0; i <= 6; i++) ctx.lineTo(x - 0.95 + i * 0.32, y + 0.3 + (i % 2 ? 0.12 : 0) + ripple(i));
  ctx.lineTo(x + 0.95, y + 0.82);
  ctx.closePath();
  ctx.fill();
  ctx.strokeStyle = COLORS.blinky;
  ctx.lineWidth = 0.06;
  ctx.beginPath();
  ctx.moveTo(x + 0.9, y + 0.56);
  ctx.lineTo(fromX - 0.4, y + 0.36);
  ctx.stroke();
}

// ---- fruit ----

function circle(ctx, x, y, r, color) {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fill();
}

function stem(ctx, x0, y0, x1, y1, width = 0.08) {
  ctx.strokeStyle = '#8a5a2b';
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

function leaf(ctx, x, y, angle, color = '#35c24a') {
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(angle);
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.ellipse(0.14, 0, 0.16, 0.07, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.restore();
}

const FRUIT_PAINTERS = {
  cherry(ctx, x, y) {
    ctx.strokeStyle = '#b5651d';
    ctx.lineWidth = 0.08;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(x - 0.3, y + 0.15);
    ctx.quadraticCurveTo(x - 0.05, y - 0.3, x + 0.35, y - 0.55);
    ctx.moveTo(x + 0.22, y + 0.25);
    ctx.quadraticCurveTo(x + 0.2, y - 0.2, x + 0.35, y - 0.55);
    ctx.stroke();
    circle(ctx, x - 0.3, y + 0.3, 0.3, '#ff1e3c');
    circle(ctx, x + 0.22, y + 0.4, 0.3, '#ff1e3c');
    circle(ctx, x - 0.4, y + 0.2, 0.07, '#ffd6dc');
    circle(ctx, x + 0.12, y + 0.3, 0.07, '#ffd6dc');
  },
  strawberry(ctx, x, y) {
    ctx.fillStyle = '#ff2a3d';
    ctx.beginPath();
    ctx.moveTo(x, y + 0.72);
    ctx.bezierCurveTo(x - 0.7, y + 0.2, x - 0.6, y - 0.45, x, y - 0.35);
    ctx.bezierCurveTo(x + 0.6, y - 0.45, x + 0.7, y + 0.2, x, y + 0.72);
    ctx.fill();
    ctx.fillStyle = '#fff6d0';
    for (const [dx, dy] of [[-0.25, -0.05], [0.05, -0.1], [0.28, 0], [-0.12, 0.2], [0.15, 0.25], [0, 0.48], [-0.3, 0.2]]) {
      ctx.fillRect(x + dx - 0.03, y + dy - 0.03, 0.06, 0.06);
    }
    for (const a of [-2.6, -1.57, -0.5]) leaf(ctx, x, y - 0.38, a);
  },
  orange(ctx, x, y) {
    circle(ctx, x, y + 0.1, 0.58, '#ff9d1a');
    circle(ctx, x - 0.2, y - 0.1, 0.1, '#ffd08a');
    stem(ctx, x, y - 0.45, x + 0.05, y - 0.62, 0.07);
    leaf(ctx, x + 0.04, y - 0.55, -0.4);
  },
  apple(ctx, x, y) {
    ctx.fillStyle = '#ff2331';
    ctx.beginPath();
    ctx.moveTo(x, y - 0.35);
    ctx.bezierCurveTo(x - 0.45, y - 0.65, x - 0.85, y + 0.1, x - 0.3, y + 0.65);
    ctx.quadraticCurveTo(x, y + 0.55, x + 0.3, y + 0.65);
    ctx.bezierCurveTo(x + 0.85, y + 0.1, x + 0.45, y - 0.65, x, y - 0.35);
    ctx.fill();
    circle(ctx, x - 0.28, y - 0.05, 0.09, '#ffd0d4');
    stem(ctx, x, y - 0.3, x + 0.08, y - 0.65);
    leaf(ctx, x + 0.06, y - 0.55, -0.5);
  },
  melon(ctx, x, y) {
    ctx.fillStyle = '#53d14d';
    ctx.beginPath();
    ctx.ellipse(x, y + 0.12, 0.55, 0.6, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.strokeStyle = '#1e7a2a';
    ctx.lineWidth = 0.07;
    ctx.beginPath();
    for (const dx of [-0.3, 0, 0.3]) {
      ctx.moveTo(x + dx * 0.6, y - 0.45);
      ctx.quadraticCurveTo(x + dx * 1.5, y + 0.12, x + dx * 0.6, y + 0.7);
    }
    ctx.stroke();
    stem(ctx, x, y - 0.48, x, y - 0.68, 0.07);
  },
  flagship(ctx, x, y) {
    ctx.fillStyle = '#2f5bff';
    ctx.beginPath();
    ctx.moveTo(x - 0.75, y - 0.2);
    ctx.lineTo(x - 0.15, y + 0.25);
    ctx.lineTo(x, y + 0.7);
    ctx.lineTo(x + 0.15, y + 0.25);
    ctx.lineTo(x + 0.75, y - 0.2);
    ctx.lineTo(x + 0.25, y + 0.05);
    ctx.lineTo(x, y - 0.25);
    ctx.lineTo(x - 0.25, y + 0.05);
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = '#ff3030';
    ctx.beginPath();
    ctx.moveTo(x, y - 0.4);
    ctx.lineTo(x + 0.2, y + 0.2);
    ctx.lineTo(x, y + 0.45);
    ctx.lineTo(x - 0.2, y + 0.2);
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = '#ffe600';
    ctx.fillRect(x - 0.06, y - 0.7, 0.12, 0.35);
  },
  bell(ctx, x, y) {
    ctx.fillStyle = '#ffe600';
    ctx.beginPath();
    ctx.moveTo(x - 0.6, y + 0.45);
    ctx.quadraticCurveTo(x - 0.45, y + 0.3, x - 0.45, y);
    ctx.bezierCurveTo(x - 0.45, y - 0.75, x + 0.45, y - 0.75, x + 0.45, y);
    ctx.quadraticCurveTo(x + 0.45, y + 0.3, x + 0.6, y + 0.45);
    ctx.closePath();
    ctx.fill();
    circle(ctx, x + 0.05, y + 0.55, 0.14, '#9ee8ff');
    ctx.fillStyle = '#fff8c0';
    ctx.fillRect(x - 0.3, y - 0.25, 0.09, 0.45);
  },
  key(ctx, x, y) {
    ctx.strokeStyle = '#7fe3ff';
    ctx.lineWidth = 0.16;
    ctx.beginPath();
    ctx.ellipse(x, y - 0.4, 0.26, 0.2, 0, 0, Math.PI * 2);
    ctx.stroke();
    ctx.strokeStyle = '#e8e8f0';
    ctx.lineWidth = 0.12;
    ctx.beginPath();
    ctx.moveTo(x, y - 0.2);
    ctx.lineTo(x, y + 0.72);
    ctx.moveTo(x, y + 0.35);
    ctx.lineTo(x + 0.2, y + 0.35);
    ctx.moveTo(x, y + 0.6);
    ctx.lineTo(x + 0.2, y + 0.6);
    ctx.stroke();
  },
};

export function drawFruit(ctx, kind, x, y, scale = 1) {
  const paint = FRUIT_PAINTERS[kind];
  if (!paint) return;
  ctx.save();
  ctx.translate(x, y);
  ctx.scale(scale, scale);
  paint(ctx, 0, 0);
  ctx.restore();
}
