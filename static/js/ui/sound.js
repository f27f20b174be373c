// Sound, synthesized with the Web Audio API in the manner of the arcade's three-voice wavetable
// chip: each voice is one oscillator playing a 32-step waveform whose pitch and volume are set
// once a 60 Hz frame (the programs are in tunes.js). Voice 1 plays the effects (the waka, fruit,
// a ghost eaten, the death), voice 2 the background (siren, fright siren, eyes returning) and
// the bass of the tunes, voice 3 their melody. No audio files.
import {
  FRAME, WAVES, TUNES, harmonics, chomp, siren, frightSiren, eyesReturning, ghostEaten,
  fruitEaten, extraLife, levelUp, death, tunePart,
} from './tunes.js';

const MUTE_KEY = 'pacman.muted';
const VOLUME_KEY = 'pacman.volume';
export const DEFAULT_VOLUME = 0.7;
const MASTER = 0.55; // full volume, below clipping with three voices
const AHEAD = 0.2; // seconds of a looping program scheduled in advance

// Effects on voice 1: one at a time, and a lesser one never cuts a greater one short.
const EFFECTS = {
  dot: { rank: 0 },
  fruit: { rank: 1, program: fruitEaten },
  extraLife: { rank: 1, program: extraLife },
  levelUp: { rank: 1, program: levelUp },
  ghost: { rank: 2, program: ghostEaten },
  death: { rank: 3, program: death },
};

/** One voice: an oscillator and its volume, driven frame by frame by a program. */
class Voice {
  constructor(ctx, out, waves) {
    this.ctx = ctx;
    this.waves = waves;
    this.osc = ctx.createOscillator();
    this.gain = ctx.createGain();
    this.gain.gain.value = 0;
    this.osc.connect(this.gain).connect(out);
    this.osc.start();
    this.program = null;
    this.rank = -1;
  }

  /** Starts `program` now, replacing whatever the voice played. */
  play(program, rank = 0) {
    const now = this.ctx.currentTime;
    this.osc.frequency.cancelScheduledValues(now);
    this.gain.gain.cancelScheduledValues(now);
    if (this.waveName !== program.wave) {
      this.osc.setPeriodicWave(this.waves[program.wave]);
      this.waveName = program.wave;
    }
    this.program = program;
    this.rank = rank;
    this.start = now;
    this.next = 0; // the next frame to schedule
    this.pump();
  }

  /** Schedules the program's frames up to AHEAD seconds from now (all of a finite one). */
  pump() {
    const p = this.program;
    if (!p) return;
    const now = this.ctx.currentTime;
    const last = p.frames === Infinity ? Math.ceil((now + AHEAD - this.start) / FRAME) : p.frames;
    for (; this.next < last; this.next++) {
      const t = this.start + this.next * FRAME;
      if (t < now - FRAME) continue; // a stalled page: skip what is past
      const [hz, volume] = p.at(this.next);
      this.osc.frequency.setValueAtTime(hz, t);
      this.gain.gain.setTargetAtTime(volume, t, 0.003);
    }
    if (p.frames !== Infinity && this.next >= p.frames) {
      this.gain.gain.setTargetAtTime(0, this.start + p.frames * FRAME, 0.005);
      this.endsAt = this.start + p.frames * FRAME;
      this.program = null;
    }
  }

  /** Whether a finite program is still sounding. */
  get busy() {
    return !!this.program || this.ctx.currentTime < (this.endsAt ?? 0);
  }

  stop() {
    const now = this.ctx.currentTime;
    this.osc.frequency.cancelScheduledValues(now);
    this.gain.gain.cancelScheduledValues(now);
    this.gain.gain.setTargetAtTime(0, now, 0.01);
    this.program = null;
    this.endsAt = 0;
    this.rank = -1;
  }
}

export class Sound {
  constructor(storage = globalThis.localStorage) {
    this.storage = storage;
    this.ctx = null;
    this.muted = this.read(MUTE_KEY) === '1';
    const v = Number(this.read(VOLUME_KEY));
    this.volume = this.read(VOLUME_KEY) !== null && Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : DEFAULT_VOLUME;
    this.loopName = null;
    this.loopStage = null;
    this.chompSecond = false;
  }

  read(key) {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  write(key, value) {
    try {
      this.storage?.setItem(key, value);
    } catch { /* private mode: not remembered */ }
  }

  /**
   * Creates the audio context, or resumes it: call from every user gesture that should make
   * sound (browsers start audio only from one; iOS Safari also keeps a context it suspended
   * until one resumes it).
   */
  unlock() {
    const AudioCtx = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!AudioCtx) return;
    if (!this.ctx) {
      this.ctx = new AudioCtx();
      this.master = this.ctx.createGain();
      this.master.gain.value = this.level();
      this.master.connect(this.ctx.destination);
      const waves = {};
      for (const [name, samples] of Object.entries(WAVES)) {
        const { real, imag } = harmonics(samples);
        waves[name] = this.ctx.createPeriodicWave(real, imag);
      }
      this.voices = [0, 1, 2].map(() => new Voice(this.ctx, this.master, waves));
    }
    if (this.ctx.state !== 'running') this.ctx.resume().catch(() => {});
  }

  /** The master gain for the volume and mute settings. */
  level() {
    return this.muted ? 0 : MASTER * this.volume * this.volume; // squared: even steps to the ear
  }

  applyLevel() {
    if (this.master) this.master.gain.setTargetAtTime(this.level(), this.ctx.currentTime, 0.02);
  }

  setMuted(muted) {
    this.muted = muted;
    this.write(MUTE_KEY, muted ? '1' : '0');
    this.applyLevel();
  }

  /** volume 0..1, remembered; 0 is silence (but not "muted": M still toggles). */
  setVolume(volume) {
    this.volume = Math.max(0, Math.min(1, Number(volume) || 0));
    this.write(VOLUME_KEY, String(this.volume));
    this.applyLevel();
  }

  suspend() {
    if (this.ctx && this.ctx.state === 'running') this.ctx.suspend().catch(() => {});
  }

  /** Resumes after a hidden tab (enough on desktop browsers; iOS needs unlock() in a gesture). */
  resume() {
    if (this.ctx && this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  }

  get running() {
    return !!this.ctx && this.ctx.state === 'running';
  }

  /**
   * The background on voice 2: 'siren' | 'fright' | 'eyes' | null. urgency 0..1 (how much of
   * the maze is eaten) raises the siren in five steps. Called every frame: it also keeps the
   * looping program scheduled ahead.
   */
  setLoop(name, urgency = 0) {
    if (!this.running) return;
    const bg = this.voices[1];
    if (this.music) {
      if (bg.busy) return; // a tune's bass has the voice
      this.music = false;
    }
    const stage = name === 'siren' ? Math.min(4, Math.floor(urgency * 5)) : null;
    if (name !== this.loopName || stage !== this.loopStage) {
      this.loopName = name;
      this.loopStage = stage;
      if (name === 'siren') bg.play(siren(stage));
      else if (name === 'fright') bg.play(frightSiren());
      else if (name === 'eyes') bg.play(eyesReturning());
      else bg.stop();
      return;
    }
    bg.pump();
  }

  /** A one-shot effect on voice 1 (see EFFECTS), or a tune: 'tune' (the opening), 'act1'..'act3'. */
  play(effect) {
    if (!this.running) return;
    if (effect === 'tune') return this.playTune(TUNES.opening);
    if (TUNES[effect]) return this.playTune(TUNES[effect]);
    const fx = EFFECTS[effect];
    if (!fx) return;
    const voice = this.voices[0];
    if (voice.busy && voice.rank > fx.rank) return;
    if (effect === 'dot') {
      this.chompSecond = !this.chompSecond;
      voice.play(chomp(this.chompSecond), 0);
    } else {
      voice.play(fx.program(), fx.rank);
    }
  }

  playTune(tune) {
    this.music = true;
    this.loopName = null;
    this.voices[2].play(tunePart(tune, 'lead', { wave: 'reed', volume: 0.42 }));
    this.voices[1].play(tunePart(tune, 'bass', { wave: 'round', volume: 0.62 }));
  }

  /** Stops a tune (a skipped intermission) and the effects. */
  stopMusic() {
    if (!this.ctx) return;
    for (const v of this.voices) v.stop();
    this.music = false;
    this.loopName = null;
  }
}
