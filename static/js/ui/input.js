// Player input: keyboard (arrows, WASD, P/Esc, M, Enter/Space), touch swipes on the game,
// and the on-screen buttons. Turns raw events into calls on an `actions` object:
// direction(dir), pause(), mute(), start(), tap(). Each returns true when it used the input.
// actions.steering() says whether the arrows steer Pacman right now (a game on, not paused).
//
// The game's keys work wherever the focus is, except in a field that takes text (the name
// dialog). A slider (the volume) keeps its arrows only while they do not steer: clicked in
// the middle of a game it must not take Pacman's turns, and once the game is paused or over
// a keyboard user can set the volume with them.
//
// Before those, every fresh press calls actions.press(kind) (kind: 'direction', 'pause',
// 'mute', 'start', 'tap' or 'other'): a new key press, not the keyboard's auto-repeat of a
// held key, or the touch that starts a gesture, never the rest of a swipe. That is what may
// skip an intermission or end the attract show; when press() returns true the press was
// used up by it.

const KEY_DIRECTIONS = {
  ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right',
  KeyW: 'up', KeyS: 'down', KeyA: 'left', KeyD: 'right',
};

// <input> types that take no typed text.
const KEYLESS_INPUTS = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file', 'image']);

function isTextField(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !KEYLESS_INPUTS.has(String(el.type || 'text').toLowerCase());
}

function isSlider(el) {
  return !!el && el.tagName === 'INPUT' && String(el.type).toLowerCase() === 'range';
}

function inDialog(el) {
  return el && el.closest ? el.closest('dialog') : null;
}

/** Listens for keys on `target` (window). Returns a function that removes the listener. */
export function bindKeyboard(target, actions) {
  const onKey = (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const dialog = inDialog(e.target);
    if (dialog && dialog.open) return;
    // A field or button of a dialog just closed may hold the focus until the browser's next
    // rendering update: it is gone, the key is the game's.
    const target = dialog ? null : e.target;
    if (isTextField(target)) return;
    const dir = KEY_DIRECTIONS[e.code] || KEY_DIRECTIONS[e.key];
    // The slider's own arrows (not WASD), while they do not steer: it moves, nothing else.
    if (isSlider(target) && /^Arrow/.test(e.key) && !(actions.steering && actions.steering())) return;
    let kind = 'other';
    if (dir) kind = 'direction';
    else if (e.code === 'KeyP' || e.key === 'Escape') kind = 'pause';
    else if (e.code === 'KeyM') kind = 'mute';
    else if (e.key === 'Enter' || e.key === ' ') {
      // A focused button activates itself; do not start a game on top of that.
      if (target && /^(BUTTON|A|SUMMARY)$/.test(target.tagName)) return;
      kind = 'start';
    }
    if (!e.repeat && actions.press && actions.press(kind)) {
      if (kind !== 'other') e.preventDefault(); // Tab and the like keep their meaning
      return;
    }
    let used = false;
    if (kind === 'direction') used = actions.direction(dir);
    else if (kind === 'pause') used = actions.pause();
    else if (kind === 'mute') used = actions.mute();
    else if (kind === 'start') used = actions.start();
    if (used) e.preventDefault();
  };
  target.addEventListener('keydown', onKey);
  return () => target.removeEventListener('keydown', onKey);
}

/** The direction of a swipe from (dx, dy), or null while it is shorter than `threshold`. */
export function swipeDirection(dx, dy, threshold) {
  if (Math.max(Math.abs(dx), Math.abs(dy)) < threshold) return null;
  if (Math.abs(dx) > Math.abs(dy)) return dx > 0 ? 'right' : 'left';
  return dy > 0 ? 'down' : 'up';
}

/**
 * Swipes on `el` steer; a short tap calls actions.tap(). A long swipe can chain several turns:
 * each turn restarts the measurement from where the finger is.
 */
export function bindSwipe(el, actions) {
  let origin = null;
  let moved = false;
  const threshold = () => Math.max(14, el.clientWidth * 0.035);
  el.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse') return;
    origin = null;
    if (actions.press && actions.press('tap')) return; // this gesture is used up
    origin = { x: e.clientX, y: e.clientY, t: e.timeStamp };
    moved = false;
    el.setPointerCapture?.(e.pointerId);
  });
  el.addEventListener('pointermove', (e) => {
    if (!origin) return;
    const dir = swipeDirection(e.clientX - origin.x, e.clientY - origin.y, threshold());
    if (dir) {
      actions.direction(dir);
      origin = { x: e.clientX, y: e.clientY, t: e.timeStamp };
      moved = true;
    }
  });
  const end = (e) => {
    if (origin && !moved && e.type === 'pointerup' && e.timeStamp - origin.t < 400) actions.tap();
    origin = null;
  };
  el.addEventListener('pointerup', end);
  el.addEventListener('pointercancel', end);
}

/** On-screen direction buttons ([data-dir]) react on press, not on release. */
export function bindDirectionButtons(root, actions) {
  for (const btn of root.querySelectorAll('[data-dir]')) {
    btn.addEventListener('pointerdown', (e) => {
      e.preventDefault(); // no focus ring flash, no double-tap zoom
      if (actions.press && actions.press('direction')) return;
      actions.direction(btn.dataset.dir);
    });
    // Keyboard and assistive technology activate buttons with a click.
    btn.addEventListener('click', (e) => {
      if (e.detail === 0) actions.direction(btn.dataset.dir);
    });
  }
}
