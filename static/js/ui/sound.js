// Sound effects synthesized with the Web Audio API: no audio files. One-shot effects (chomp,
// ghost eaten, fruit, death, extra life, the opening tune) and looping backgrounds (siren,
// frightened, eyes going home) that the game state switches between every frame.

const MUTE_KEY = 'pacman.muted';

function midi(n) {
  return 440 * 2 ** ((n - 69) / 12);
}

// An original opening tune: [midi note or 0 for a rest, length in eighths].
const TUNE_LEAD = [
  [72, 1], [76, 1], [79, 1], [84, 1], [83, 1], [79, 1], [76, 2],
  [74, 1], [77, 1], [81, 1], [86, 1], [84, 1], [81, 1], [77, 2],
  [76, 1], [79, 1], [83, 1], [88, 1], [86, 1], [83, 1], [79, 1], [76, 1],
  [77, 1], [79, 1], [81, 1], [83, 1], [84, 4],
];
const TUNE_BASS = [[48, 4], [43, 4], [50, 4], [45, 4], [52, 4], [47, 4], [53, 2], [55, 2], [48, 4]];
const EIGHTH = 0.13;

export class Sound {
  constructor(storage = globalThis.localStorage) {
    this.storage = storage;
    this.ctx = null;
    this.muted = this.readMuted();
    this.loops = {};
    this.activeLoop = null;
    this.chompToggle = false;
    this.lastChomp = 0;
  }

  readMuted() {
    try {
      return this.storage?.getItem(MUTE_KEY) === '1';
    } catch {
      return false;
    }
  }

  /** Creates or resumes the audio context; call from a user gesture (browsers require it). */
  unlock() {
    const AudioCtx = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!AudioCtx) return;
    if (!this.ctx) {
      this.ctx = new AudioCtx();
      this.master = this.ctx.createGain();
      this.master.gain.value = this.muted ? 0 : 0.5;
      this.master.connect(this.ctx.destination);
      this.buildLoops();
    }
    if (this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  }

  setMuted(muted) {
    this.muted = muted;
    try {
      this.storage?.setItem(MUTE_KEY, muted ? '1' : '0');
    } catch { /* private mode: not remembered */ }
    if (this.master) this.master.gain.setTargetAtTime(muted ? 0 : 0.5, this.ctx.currentTime, 0.02);
  }

  suspend() {
    if (this.ctx && this.ctx.state === 'running') this.ctx.suspend().catch(() => {});
  }

  resume() {
    if (this.ctx && this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  }

  // ---- building blocks ----

  tone({ type = 'square', from, to = from, start = 0, length, volume = 0.2, curve = 'exp' }) {
    const ctx = this.ctx;
    const t0 = ctx.currentTime + start;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = type;
    osc.frequency.setValueAtTime(from, t0);
    if (to !== from) {
      if (curve === 'exp') osc.frequency.exponentialRampToValueAtTime(to, t0 + length);
      else osc.frequency.linearRampToValueAtTime(to, t0 + length);
    }
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(volume, t0 + 0.005);
    gain.gain.setValueAtTime(volume, t0 + Math.max(0.005, length - 0.02));
    gain.gain.linearRampToValueAtTime(0, t0 + length);
    osc.connect(gain).connect(this.master);
    osc.start(t0);
    osc.stop(t0 + length + 0.02);
  }

  buildLoops() {
    const ctx = this.ctx;
    const make = (type, base, lfoType, lfoRate, depth, volume) => {
      const osc = ctx.createOscillator();
      osc.type = type;
      osc.frequency.value = base;
      const lfo = ctx.createOscillator();
      lfo.type = lfoType;
      lfo.frequency.value = lfoRate;
      const lfoGain = ctx.createGain();
      lfoGain.gain.value = depth;
      lfo.connect(lfoGain).connect(osc.frequency);
      const gain = ctx.createGain();
      gain.gain.value = 0;
      osc.connect(gain).connect(this.master);
      osc.start();
      lfo.start();
      return { osc, lfo, lfoGain, gain, volume };
    };
    this.loops = {
      siren: make('triangle', 380, 'triangle', 3.2, 90, 0.11),
      fright: make('square', 260, 'sawtooth', 9, 80, 0.035),
      eyes: make('sawtooth', 900, 'sawtooth', 14, 380, 0.03),
    };
  }

  /** Picks the background loop: 'siren' | 'fright' | 'eyes' | null. urgency 0..1 raises the siren. */
  setLoop(name, urgency = 0) {
    if (!this.ctx) return;
    const now = this.ctx.currentTime;
    if (name === 'siren' && Math.abs(urgency - (this.urgency ?? -1)) > 0.02) {
      // The siren climbs as the maze empties (in small steps: this runs every frame).
      this.urgency = urgency;
      const s = this.loops.siren;
      s.osc.frequency.setTargetAtTime(360 + urgency * 260, now, 0.1);
      s.lfo.frequency.setTargetAtTime(3.2 + urgency * 3, now, 0.1);
    }
    if (name === this.activeLoop) return;
    for (const [key, loop] of Object.entries(this.loops)) {
      loop.gain.gain.setTargetAtTime(key === name ? loop.volume : 0, now, 0.03);
    }
    this.activeLoop = name;
  }

  // ---- effects ----

  play(effect) {
    if (!this.ctx || this.ctx.state !== 'running') return;
    const fx = this[`fx_${effect}`];
    if (fx) fx.call(this);
  }

  fx_dot() {
    // "Waka": alternating falling and rising sweeps, never faster than the chomps can sound.
    const now = this.ctx.currentTime;
    if (now - this.lastChomp < 0.11) return;
    this.lastChomp = now;
    this.chompToggle = !this.chompToggle;
    const [from, to] = this.chompToggle ? [520, 230] : [230, 520];
    this.tone({ type: 'triangle', from, to, length: 0.1, volume: 0.32 });
  }

  fx_energizer() {
    this.tone({ type: 'square', from: 150, to: 600, length: 0.25, volume: 0.1 });
  }

  fx_ghost() {
    this.tone({ type: 'square', from: 180, to: 1400, length: 0.45, volume: 0.12 });
    this.tone({ type: 'triangle', from: 360, to: 2400, length: 0.45, volume: 0.12 });
  }

  fx_fruit() {
    [0, 0.07, 0.14, 0.21].forEach((start, i) => this.tone({ type: 'square', from: midi(79 + i * 4), start, length: 0.07, volume: 0.1 }));
  }

  fx_extraLife() {
    for (let i = 0; i < 6; i++) this.tone({ type: 'square', from: midi(96), start: i * 0.16, length: 0.1, volume: 0.07 });
  }

  fx_death() {
    // A falling warble, then two short pops.
    for (let i = 0; i < 9; i++) {
      const f = 900 - i * 80;
      this.tone({ type: 'square', from: f, to: f * 0.55, start: i * 0.12, length: 0.12, volume: 0.1 });
    }
    this.tone({ type: 'square', from: 120, to: 700, start: 1.15, length: 0.1, volume: 0.12 });
    this.tone({ type: 'square', from: 120, to: 700, start: 1.3, length: 0.1, volume: 0.12 });
  }

  fx_levelUp() {
    [72, 76, 79, 84, 88].forEach((n, i) => this.tone({ type: 'square', from: midi(n), start: i * 0.09, length: 0.12, volume: 0.09 }));
  }

  fx_tune() {
    let t = 0;
    for (const [note, len] of TUNE_LEAD) {
      if (note) this.tone({ type: 'square', from: midi(note), start: t, length: len * EIGHTH * 0.9, volume: 0.08 });
      t += len * EIGHTH;
    }
    t = 0;
    for (const [note, len] of TUNE_BASS) {
      this.tone({ type: 'triangle', from: midi(note), start: t, length: len * EIGHTH * 0.95, volume: 0.25 });
      t += len * EIGHTH;
    }
  }
}
