// What the sound chip plays, as data and pure functions (no Web Audio: tested in Node):
// 32-step 4-bit waveforms, the effects as frame-by-frame programs (pitch and volume set once
// a 60 Hz frame, as on the arcade's three-voice chip), and the tunes. Every waveform, sweep and
// melody here is our own; nothing is taken from the arcade's sound ROM or its music.

export const FRAME = 1 / 60;

/** Hz of MIDI note n (69 = A4 = 440 Hz). */
export function midi(n) {
  return 440 * 2 ** ((n - 69) / 12);
}

// ---- waveforms: 32 samples of 0..15 each, like the chip's wavetable RAM ----

function table(fn) {
  return Object.freeze(Array.from({ length: 32 }, (_, i) => {
    const v = fn((2 * Math.PI * i) / 32, i);
    return Math.max(0, Math.min(15, Math.round(7.5 + 7.5 * v)));
  }));
}

export const WAVES = Object.freeze({
  // Round and soft: the siren and the bass.
  round: table((a) => Math.sin(a) * 0.85 + Math.sin(2 * a) * 0.15),
  // Hollow, with odd harmonics: the chomps.
  hollow: table((a) => (Math.sin(a) + Math.sin(3 * a) / 3 + Math.sin(5 * a) / 6) / 1.2),
  // A buzzing ramp with a notch: the fright siren and the eyes.
  buzz: table((a, i) => (1 - i / 15.5) * 0.8 + (i % 8 < 2 ? 0.15 : 0)),
  // A narrow pulse with a rounded top: melodies.
  reed: table((a, i) => (i < 10 ? 0.9 - ((i - 5) ** 2) / 60 : -0.7)),
  // Bright and ringing: fruit, the extra life.
  bell: table((a) => (Math.sin(a) + 0.6 * Math.sin(2 * a) + 0.35 * Math.sin(5 * a)) / 1.5),
});

/**
 * The Fourier coefficients of a 32-step table, for a Web Audio PeriodicWave: {real, imag},
 * index 0 the (dropped) constant term.
 */
export function harmonics(samples) {
  const n = samples.length;
  const real = new Float32Array(n / 2);
  const imag = new Float32Array(n / 2);
  for (let k = 1; k < n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const s = (samples[i] - 7.5) / 7.5;
      re += s * Math.cos((2 * Math.PI * k * i) / n);
      im += s * Math.sin((2 * Math.PI * k * i) / n);
    }
    real[k] = (2 * re) / n;
    imag[k] = (2 * im) / n;
  }
  return { real, imag };
}

// ---- effects: programs of frames ----
// A program is {wave, frames: n | Infinity, at(frame) -> [hz, volume 0..1]}.

function sweep(from, to, k) {
  return from * (to / from) ** k;
}

/** One chomp of the "waka": the two halves alternate, one falling and one rising. */
export function chomp(second) {
  const [from, to] = second ? [190, 470] : [470, 190];
  return {
    wave: 'hollow',
    frames: 8,
    at: (f) => [sweep(from, to, f / 7), f < 6 ? 0.75 : 0.3],
  };
}

/**
 * The siren while the ghosts chase or scatter. `stage` 0..4 rises as the dots run out: a
 * higher, quicker sweep each stage.
 */
export function siren(stage) {
  const s = Math.max(0, Math.min(4, stage));
  const low = 300 * 1.13 ** s;
  const high = low * 1.45;
  const period = 26 - 3 * s; // frames per rise and fall
  return {
    wave: 'round',
    frames: Infinity,
    at: (f) => {
      const k = (f % period) / period;
      const tri = k < 0.6 ? k / 0.6 : (1 - k) / 0.4;
      return [sweep(low, high, tri), 0.5];
    },
  };
}

/** The ghosts are frightened: a low, buzzing, quickly repeated upward swoop. */
export function frightSiren() {
  return {
    wave: 'buzz',
    frames: Infinity,
    at: (f) => [sweep(150, 330, (f % 9) / 8), 0.32],
  };
}

/** Eyes racing home: a high whistle falling again and again. */
export function eyesReturning() {
  return {
    wave: 'buzz',
    frames: Infinity,
    at: (f) => [sweep(1500, 700, (f % 6) / 5), 0.26],
  };
}

export function ghostEaten() {
  return { wave: 'buzz', frames: 32, at: (f) => [sweep(110, 1700, f / 31), 0.55] };
}

export function fruitEaten() {
  // Two quick upward hops.
  return { wave: 'bell', frames: 22, at: (f) => [sweep(f < 11 ? 330 : 500, f < 11 ? 880 : 1300, (f % 11) / 10), 0.5] };
}

export function extraLife() {
  // A ringing tone, six times.
  return { wave: 'bell', frames: 60, at: (f) => [midi(93), f % 10 < 6 ? 0.45 : 0] };
}

export function levelUp() {
  const notes = [72, 76, 79, 84, 88];
  return { wave: 'reed', frames: 30, at: (f) => [midi(notes[Math.min(4, Math.floor(f / 6))]), 0.45] };
}

/**
 * Pacman's end: eleven falling wails, each starting lower and shorter, then two dry pops.
 * About 1.5 s, the length of the animation.
 */
export function death() {
  const wails = [];
  let start = 0;
  for (let i = 0; i < 11; i++) {
    const length = 9 - Math.floor(i / 3);
    wails.push({ start, length, from: 950 - i * 65, to: 520 - i * 38 });
    start += length;
  }
  const pops = [start + 6, start + 14];
  return {
    wave: 'hollow',
    frames: pops[1] + 6,
    at: (f) => {
      const w = wails.find((x) => f >= x.start && f < x.start + x.length);
      if (w) {
        const k = (f - w.start) / (w.length - 1);
        return [sweep(w.from, w.to, k) * (1 + 0.03 * Math.sin(f * 2.1)), 0.55];
      }
      const pop = pops.find((p) => f >= p && f < p + 6);
      if (pop !== undefined) return [sweep(90, 600, (f - pop) / 5), 0.6];
      return [100, 0];
    },
  };
}

// ---- tunes: [MIDI note or 0 for a rest, length in eighths] ----

export const TUNES = Object.freeze({
  // The opening tune (4.2 s).
  opening: Object.freeze({
    eighth: 0.13,
    lead: [
      [72, 1], [76, 1], [79, 1], [84, 1], [83, 1], [79, 1], [76, 2],
      [74, 1], [77, 1], [81, 1], [86, 1], [84, 1], [81, 1], [77, 2],
      [76, 1], [79, 1], [83, 1], [88, 1], [86, 1], [83, 1], [79, 1], [76, 1],
      [77, 1], [79, 1], [81, 1], [83, 1], [84, 4],
    ],
    bass: [[48, 4], [43, 4], [50, 4], [45, 4], [52, 4], [47, 4], [53, 2], [55, 2], [48, 4]],
  }),
  // Act 1, the chase and the big Pacman: a bouncing march in F.
  act1: Object.freeze({
    eighth: 0.14,
    lead: [
      [65, 1], [0, 1], [69, 1], [72, 1], [77, 2], [76, 1], [74, 1],
      [72, 2], [69, 1], [0, 1], [70, 1], [72, 1], [74, 2],
      [72, 1], [0, 1], [70, 1], [69, 1], [67, 2], [64, 1], [67, 1],
      [65, 2], [0, 2], [60, 1], [64, 1], [67, 2],
      [65, 1], [0, 1], [69, 1], [72, 1], [77, 2], [79, 1], [81, 1],
      [82, 2], [81, 1], [79, 1], [77, 2], [74, 2],
      [72, 1], [74, 1], [76, 1], [79, 1], [77, 2], [76, 2],
      [77, 4], [0, 4],
    ],
    bass: [
      [41, 2], [48, 2], [41, 2], [48, 2], [46, 2], [53, 2], [48, 2], [43, 2],
      [48, 2], [43, 2], [41, 2], [48, 2], [41, 2], [45, 2], [48, 2], [36, 2],
      [41, 2], [48, 2], [41, 2], [48, 2], [46, 2], [50, 2], [46, 2], [50, 2],
      [48, 2], [43, 2], [48, 2], [36, 2], [41, 4], [0, 4],
    ],
  }),
  // Act 2, the snag: tiptoeing in D minor, then a tear and a sigh.
  act2: Object.freeze({
    eighth: 0.15,
    lead: [
      [62, 1], [0, 1], [65, 1], [0, 1], [69, 1], [0, 1], [68, 1], [69, 1],
      [70, 1], [0, 1], [69, 1], [0, 1], [65, 2], [0, 2],
      [62, 1], [0, 1], [65, 1], [0, 1], [69, 1], [0, 1], [73, 1], [74, 1],
      [76, 1], [77, 1], [76, 1], [74, 1], [73, 2], [0, 2],
      [81, 1], [80, 1], [79, 1], [78, 1], [77, 1], [76, 1], [75, 1], [74, 1],
      [73, 4], [69, 2], [0, 2],
      [62, 2], [65, 2], [64, 2], [61, 2], [62, 4],
    ],
    bass: [
      [38, 2], [45, 2], [38, 2], [45, 2], [34, 2], [41, 2], [33, 2], [40, 2],
      [38, 2], [45, 2], [38, 2], [45, 2], [34, 2], [41, 2], [33, 2], [40, 2],
      [41, 4], [40, 4], [33, 4], [37, 4],
      [38, 4], [33, 4], [38, 4],
    ],
  }),
  // Act 3, the patched ghost: a swaggering shuffle in G, then a scamper.
  act3: Object.freeze({
    eighth: 0.14,
    lead: [
      [67, 2], [71, 1], [74, 2], [71, 1], [72, 1], [74, 1],
      [76, 2], [74, 1], [71, 2], [67, 1], [69, 2],
      [67, 2], [71, 1], [74, 2], [79, 1], [78, 1], [76, 1],
      [74, 4], [0, 4],
      [79, 1], [78, 1], [76, 1], [74, 1], [72, 1], [71, 1], [69, 1], [67, 1],
      [69, 1], [71, 1], [72, 1], [74, 1], [76, 1], [78, 1], [79, 2],
      [83, 1], [81, 1], [79, 1], [76, 1], [74, 2], [78, 2],
      [79, 4], [0, 4],
    ],
    bass: [
      [43, 3], [50, 3], [43, 2], [48, 3], [52, 3], [50, 2],
      [43, 3], [50, 3], [43, 2], [50, 3], [45, 3], [38, 2],
      [43, 2], [47, 2], [48, 2], [50, 2], [45, 2], [47, 2], [48, 2], [50, 2],
      [48, 2], [50, 2], [38, 2], [42, 2], [43, 4], [0, 4],
    ],
  }),
});

/** Seconds a tune lasts: its longer part. */
export function tuneSeconds(tune) {
  const length = (part) => part.reduce((sum, [, eighths]) => sum + eighths, 0);
  return Math.max(length(tune.lead), length(tune.bass)) * tune.eighth;
}

/** A part of a tune as a program: each note held for most of its length, then a short gap. */
export function tunePart(tune, part, { wave = 'reed', volume = 0.5 } = {}) {
  const notes = [];
  let frame = 0;
  for (const [note, eighths] of tune[part]) {
    const frames = Math.round(eighths * tune.eighth * 60);
    notes.push({ note, start: frame, end: frame + frames });
    frame += frames;
  }
  return {
    wave,
    frames: frame,
    at: (f) => {
      const n = notes.find((x) => f >= x.start && f < x.end);
      if (!n || !n.note) return [midi(60), 0];
      const into = f - n.start;
      const gap = n.end - f <= 2;
      // A quick attack and a slight decay, as the chip's volume steps did by hand.
      const v = gap ? 0 : volume * (into < 1 ? 0.8 : Math.max(0.55, 1 - into * 0.02));
      return [midi(n.note), v];
    },
  };
}
