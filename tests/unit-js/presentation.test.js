// The presentation layer's pure parts: which presses may skip a scene (input.js), the
// intermission acts and the roll-call as frames (scenes.js), the attract show and its bot
// (attract.js, bot.js), and the sound settings and programs (sound.js, tunes.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindKeyboard, bindSwipe, bindDirectionButtons } from '../../static/js/ui/input.js';
import * as scenes from '../../static/js/ui/scenes.js';
import * as tunes from '../../static/js/ui/tunes.js';
import { Sound } from '../../static/js/ui/sound.js';
import { Game, STEP } from '../../static/js/rules/game.js';

function recorder() {
  const calls = [];
  const actions = {};
  for (const name of ['press', 'direction', 'pause', 'mute', 'start', 'tap']) {
    actions[name] = (arg) => {
      calls.push(arg === undefined ? name : `${name} ${arg}`);
      return false;
    };
  }
  return { actions, calls };
}

function key(target, code, { repeat = false, keyName = code } = {}) {
  const e = Object.assign(new Event('keydown', { cancelable: true }), { code, key: keyName, repeat });
  target.dispatchEvent(e);
  return e;
}

test('a held key\'s repeats steer but never count as a fresh press (no skipping on them)', () => {
  const target = new EventTarget();
  const { actions, calls } = recorder();
  bindKeyboard(target, actions);
  key(target, 'ArrowUp');
  key(target, 'ArrowUp', { repeat: true });
  key(target, 'ArrowUp', { repeat: true });
  assert.deepEqual(calls, ['press direction', 'direction up', 'direction up', 'direction up']);
  calls.length = 0;
  key(target, 'KeyP', { keyName: 'p' });
  key(target, 'Enter', { keyName: 'Enter', repeat: true });
  assert.deepEqual(calls, ['press pause', 'pause', 'start']);
});

test('a fresh press that skips is used up: nothing else happens with it', () => {
  const target = new EventTarget();
  const { actions, calls } = recorder();
  actions.press = (kind) => {
    calls.push(`press ${kind}`);
    return true;
  };
  bindKeyboard(target, actions);
  const e = key(target, 'ArrowLeft');
  assert.deepEqual(calls, ['press direction']);
  assert.equal(e.defaultPrevented, true);
  const tab = key(target, 'Tab', { keyName: 'Tab' });
  assert.equal(tab.defaultPrevented, false, 'Tab still moves the focus');
});

function pointer(type, x, y, t = 0) {
  const e = Object.assign(new Event(type), { pointerType: 'touch', clientX: x, clientY: y, pointerId: 1 });
  Object.defineProperty(e, 'timeStamp', { value: t });
  return e;
}

test('a swipe is one fresh press, at its start; the rest of it only steers', () => {
  const el = Object.assign(new EventTarget(), { clientWidth: 400 });
  const { actions, calls } = recorder();
  bindSwipe(el, actions);
  el.dispatchEvent(pointer('pointerdown', 100, 100));
  el.dispatchEvent(pointer('pointermove', 160, 100)); // right
  el.dispatchEvent(pointer('pointermove', 160, 40)); // then up
  el.dispatchEvent(pointer('pointerup', 160, 40, 500));
  assert.deepEqual(calls, ['press tap', 'direction right', 'direction up']);
});

test('a touch that skipped a scene neither steers nor taps', () => {
  const el = Object.assign(new EventTarget(), { clientWidth: 400 });
  const { actions, calls } = recorder();
  actions.press = (kind) => {
    calls.push(`press ${kind}`);
    return true;
  };
  bindSwipe(el, actions);
  el.dispatchEvent(pointer('pointerdown', 100, 100, 0));
  el.dispatchEvent(pointer('pointermove', 160, 100, 50));
  el.dispatchEvent(pointer('pointerup', 160, 100, 100));
  assert.deepEqual(calls, ['press tap']);
});

test('a direction button press is a fresh press first', () => {
  const btn = Object.assign(new EventTarget(), { dataset: { dir: 'left' } });
  const root = { querySelectorAll: () => [btn] };
  const { actions, calls } = recorder();
  bindDirectionButtons(root, actions);
  btn.dispatchEvent(Object.assign(new Event('pointerdown', { cancelable: true }), { pointerType: 'touch' }));
  assert.deepEqual(calls, ['press direction', 'direction left']);
});

// ---- scenes ----

const kinds = (frame) => frame.map((s) => (s.kind === 'ghost' ? `${s.name}:${s.look}:${s.dir}` : `${s.kind}${s.dir ? `:${s.dir}` : ''}`));

test('act 1: Blinky chases Pacman off to the left, then a big Pacman chases a frightened Blinky back', () => {
  const early = scenes.actFrame(1, 2);
  assert.deepEqual(kinds(early), ['pacman:left', 'blinky:normal:left']);
  const [pac, blinky] = early;
  assert.ok(pac.x < blinky.x && pac.x > 0 && blinky.x < 28, 'both on screen, Blinky behind');
  const late = scenes.actFrame(1, 7);
  assert.deepEqual(kinds(late), ['blinky:frightened:right', 'pacman:right']);
  assert.ok(late[1].scale > 2, 'the big one');
  assert.ok(late[1].x < late[0].x, 'Pacman behind him now');
  const between = scenes.actFrame(1, 4.8);
  assert.ok(between.every((s) => s.x < -scenes.SCALE * 0.8 || s.x > 28 + scenes.SCALE * 0.8), 'an empty stage between the halves');
});

test('act 2: the peg snags Blinky\'s cloak, it stretches, tears, and a scrap stays on the peg', () => {
  assert.deepEqual(kinds(scenes.actFrame(2, 2)), ['peg', 'pacman:left', 'blinky:normal:left']);
  const stretched = scenes.actFrame(2, 4);
  assert.deepEqual(kinds(stretched), ['peg', 'pacman:left', 'stretch', 'blinky:normal:left']);
  const s1 = scenes.actFrame(2, 3.5).find((s) => s.kind === 'stretch');
  const s2 = stretched.find((s) => s.kind === 'stretch');
  assert.ok(s2.k > s1.k && s2.x < s1.x, 'more stretched as he strains on');
  const after = scenes.actFrame(2, 6);
  assert.deepEqual(kinds(after), ['peg', 'scrap', 'blinky:torn:right'], 'he looks back at it');
});

test('act 3: the patched Blinky chases Pacman, then comes back without his cloak, dragging it', () => {
  assert.deepEqual(kinds(scenes.actFrame(3, 2)), ['pacman:left', 'blinky:patched:left']);
  const back = scenes.actFrame(3, 7);
  assert.deepEqual(kinds(back), ['cloak', 'bare:right']);
  assert.ok(back[0].x < back[1].x, 'the cloak trails behind him');
});

test('scenes: nothing outside an act\'s time, and no act 4', () => {
  assert.deepEqual(scenes.actFrame(1, -1), []);
  assert.deepEqual(scenes.actFrame(4, 1), []);
  assert.deepEqual(scenes.actFrame(2, 60), []);
});

test('the roll-call brings the ghosts on one a second, then the points, then a chase in which all four are eaten', () => {
  assert.deepEqual(scenes.rollCallFrame(0.2).cast, []);
  const two = scenes.rollCallFrame(2.7);
  assert.deepEqual(two.cast.map((c) => [c.name, c.showName]), [['blinky', true], ['pinky', true], ['inky', false]]);
  assert.equal(two.legend, false);
  assert.equal(scenes.rollCallFrame(5).legend, true);
  const points = new Set();
  for (let t = 5.5; t < scenes.ROLL_CALL_SECONDS; t += 1 / 30) {
    for (const s of scenes.rollCallFrame(t).chase) if (s.kind === 'points') points.add(s.text);
  }
  assert.deepEqual([...points], ['200', '400', '800', '1600']);
});

test('in the roll-call, each ghost eaten freezes the chase a second with its points in Pacman\'s place', async () => {
  const { ATTRACT_SECONDS } = await import('../../static/js/rules/attract.js');
  let frozenFrames = 0;
  let last = null;
  for (let t = 5.5; t < scenes.ROLL_CALL_SECONDS; t += 1 / 60) {
    const chase = scenes.rollCallFrame(t).chase;
    const points = chase.filter((s) => s.kind === 'points');
    const pacman = chase.filter((s) => s.kind === 'pacman');
    if (points.length) {
      frozenFrames++;
      assert.equal(points.length, 1, `t=${t}: one score at a time`);
      assert.deepEqual(pacman, [], `t=${t}: Pacman is hidden while ${points[0].text} shows`);
      // Everyone still: the ghosts left stand where they were a frame ago.
      const ghosts = chase.filter((s) => s.kind === 'ghost').map((s) => s.x);
      if (last && last.points === points[0].text) assert.deepEqual(ghosts, last.ghosts, `t=${t}`);
      last = { points: points[0].text, ghosts };
    } else {
      assert.equal(pacman.length, 1, `t=${t}: Pacman is on stage between the catches`);
      last = null;
    }
  }
  assert.ok(Math.abs(frozenFrames / 60 - 4) < 0.1, `four freezes of a second: ${frozenFrames} frames`);
  assert.ok(scenes.rollCallFrame(scenes.ROLL_CALL_SECONDS).chase[0].x > 28, 'Pacman has run off the stage');
  assert.ok(ATTRACT_SECONDS.rollCall >= scenes.ROLL_CALL_SECONDS, 'the show gives the roll-call its time');
});

// ---- the attract show ----

test('the attract show: title, roll-call, a demo game the bot plays, round again; a key or tap ends it', async () => {
  const { Attract, ATTRACT_SECONDS } = await import('../../static/js/rules/attract.js');
  const show = new Attract();
  const run = (seconds) => {
    for (let t = 0; t < seconds - 1e-9; t += STEP) show.update(STEP);
  };
  assert.equal(show.stage, 'title');
  run(ATTRACT_SECONDS.title - 0.1);
  assert.equal(show.interrupt(), false, 'on the title a key only restarts the wait');
  run(ATTRACT_SECONDS.title - 0.1);
  assert.equal(show.stage, 'title');
  run(0.2);
  assert.equal(show.stage, 'rollCall');
  run(ATTRACT_SECONDS.rollCall);
  assert.equal(show.stage, 'demo');
  const demo = show.demo;
  run(8);
  assert.equal(demo.phase === 'playing' || demo.phase === 'dying', true, demo.phase);
  assert.ok(demo.score >= 200, `the bot eats: ${demo.score}`);
  assert.equal(show.interrupt(), true);
  assert.equal(show.stage, 'title');
  assert.equal(show.demo, null);
});

test('a demo ends by itself when the bot loses its life, or after demoMax', async () => {
  const { Attract, ATTRACT_SECONDS } = await import('../../static/js/rules/attract.js');
  const show = new Attract();
  show.show('demo');
  let t = 0;
  while (show.stage === 'demo') {
    show.update(STEP);
    t += STEP;
    assert.ok(t <= ATTRACT_SECONDS.demoMax + STEP, 'bounded');
  }
  assert.equal(show.stage, 'title');
});

test('the bot keeps clear of ghosts better than a Pacman left alone', async () => {
  const { botDirection } = await import('../../static/js/rules/bot.js');
  const survive = (bot) => {
    const g = new Game({ lives: 1 });
    g.start();
    let t = 0;
    while (g.phase !== 'gameOver' && t < 90) {
      if (bot && g.phase === 'playing') {
        const dir = botDirection(g);
        if (dir) g.setDirection(dir);
      }
      g.update(STEP);
      g.drainEvents();
      t += STEP;
    }
    return { t, eaten: g.pellets.eaten };
  };
  const alone = survive(false);
  const played = survive(true);
  assert.ok(played.eaten > alone.eaten * 5, `${played.eaten} pellets vs ${alone.eaten}`);
  assert.ok(played.t > alone.t, `${played.t.toFixed(1)} s vs ${alone.t.toFixed(1)} s`);
});

// ---- sound ----

class MemoryStorage {
  constructor(entries = {}) { this.map = new Map(Object.entries(entries)); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
}

test('the volume and mute settings are remembered', () => {
  const storage = new MemoryStorage();
  const s = new Sound(storage);
  assert.equal(s.volume, 0.7, 'a default for a first visit');
  assert.equal(s.muted, false);
  s.setVolume(0.35);
  s.setMuted(true);
  const again = new Sound(storage);
  assert.equal(again.volume, 0.35);
  assert.equal(again.muted, true);
  assert.equal(new Sound(new MemoryStorage({ 'pacman.volume': 'loud' })).volume, 0.7, 'nonsense ignored');
  assert.equal(new Sound(new MemoryStorage({ 'pacman.volume': '7' })).volume, 1, 'clamped');
  s.setVolume(-1);
  assert.equal(s.volume, 0);
  assert.doesNotThrow(() => s.play('dot'), 'no audio context yet: silent, no error');
});

test('the wavetables are 32 steps of 4 bits, as on the arcade\'s chip', () => {
  for (const [name, samples] of Object.entries(tunes.WAVES)) {
    assert.equal(samples.length, 32, name);
    assert.ok(samples.every((v) => Number.isInteger(v) && v >= 0 && v <= 15), name);
    const { real, imag } = tunes.harmonics(samples);
    assert.ok(Math.hypot(real[1], imag[1]) > 0.2, `${name}: a fundamental`);
  }
});

test('the siren rises in five steps as the dots run out, and quickens', () => {
  const range = (stage) => {
    const p = tunes.siren(stage);
    const hz = Array.from({ length: 120 }, (_, f) => p.at(f)[0]);
    return { low: Math.min(...hz), high: Math.max(...hz) };
  };
  const stages = [0, 1, 2, 3, 4].map(range);
  for (let i = 1; i < 5; i++) {
    assert.ok(stages[i].low > stages[i - 1].low && stages[i].high > stages[i - 1].high, `stage ${i}`);
  }
  assert.deepEqual(range(9), stages[4], 'no sixth step');
});

test('the waka alternates two tones: one chomp falls, the next rises', () => {
  const a = tunes.chomp(false);
  const b = tunes.chomp(true);
  assert.ok(a.at(0)[0] > a.at(a.frames - 1)[0], 'falling');
  assert.ok(b.at(0)[0] < b.at(b.frames - 1)[0], 'rising');
  assert.ok(a.frames * tunes.FRAME <= 0.14, 'short enough for one a dot at full speed');
});

test('the death sound falls and lasts about as long as the animation; the eyes and fright sirens loop', () => {
  const d = tunes.death();
  const seconds = d.frames * tunes.FRAME;
  assert.ok(seconds > 1.3 && seconds < 2.1, `${seconds} s`);
  assert.ok(d.at(0)[0] > d.at(80)[0], 'falling');
  assert.equal(tunes.eyesReturning().frames, Infinity);
  assert.equal(tunes.frightSiren().frames, Infinity);
});

test('each act has its own tune, no longer than the act; the opening tune fits READY', async () => {
  const { intermissionSeconds } = await import('../../static/js/rules/levels.js');
  const { TIMING } = await import('../../static/js/rules/game.js');
  for (const act of [1, 2, 3]) {
    const tune = tunes.TUNES[`act${act}`];
    const seconds = tunes.tuneSeconds(tune);
    assert.ok(seconds > 5 && seconds <= intermissionSeconds(act), `act ${act}: ${seconds} s`);
  }
  assert.ok(tunes.tuneSeconds(tunes.TUNES.opening) <= TIMING.readyFirst);
  const leads = [1, 2, 3].map((a) => JSON.stringify(tunes.TUNES[`act${a}`].lead));
  assert.equal(new Set(leads).size, 3);
  // A part as a program: silent in rests and in the gap that ends each note.
  const p = tunes.tunePart(tunes.TUNES.act1, 'lead');
  assert.equal(p.at(9)[1], 0, 'the rest after the first note');
  assert.ok(p.at(2)[1] > 0);
});
