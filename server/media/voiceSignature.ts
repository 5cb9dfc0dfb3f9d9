// A small voice signature from 16 kHz mono PCM: the pitch of voiced frames (normalised autocorrelation)
// and the average spectral shape of those frames (log energies of mel-spaced bands, level removed).
// Enough to tell voices apart that differ in pitch or timbre (a low and a high voice, two flite voices);
// not a speaker-recognition model: similar voices look alike to it.
import { readMonoPcmInfo, readPcmBlocks } from './wav.ts';

const RATE = 16_000;
const FRAME = 512; // 32 ms analysis window
const HOP = 320; // 20 ms
const PITCH_MIN_HZ = 60;
const PITCH_MAX_HZ = 400;
/** Normalised autocorrelation a frame's best lag must reach to count as voiced. */
const VOICED_CORRELATION = 0.6;
/** Frames quieter than this (RMS, full scale 1) are not analysed. */
const SILENCE_RMS = 0.005;
export const BANDS = 16;
const FRAMES_PER_YIELD = 25;
const BAND_LOW_HZ = 100;
const BAND_HIGH_HZ = 7000;

/** Pitch histogram resolution: 1/96 octave (12.5 cents) from PITCH_MIN_HZ to PITCH_MAX_HZ. */
const BINS_PER_OCTAVE = 96;
const LOG_PITCH_MIN = Math.log2(PITCH_MIN_HZ);
const PITCH_BINS = Math.ceil((Math.log2(PITCH_MAX_HZ) - LOG_PITCH_MIN) * BINS_PER_OCTAVE) + 1;

/**
 * Voiced-frame statistics of one stretch of audio (or several pooled): fixed-size, so pooling a whole
 * speaker's hour costs the same as pooling one sentence.
 */
export interface VoiceStats {
  /** Voiced frames (20 ms each). */
  frames: number;
  /** Voiced frames by pitch (log2 Hz, in bins of 1/96 octave). */
  pitchCounts: Float64Array;
  /** Sum over voiced frames of their band shape (log band energies minus their mean). */
  shapeSum: Float64Array;
}

export function emptyVoiceStats(): VoiceStats {
  return { frames: 0, pitchCounts: new Float64Array(PITCH_BINS), shapeSum: new Float64Array(BANDS) };
}

/** Adds one voiced frame: its pitch in Hz and its band shape (none: a flat one). */
export function addVoicedFrame(stats: VoiceStats, pitchHz: number, shape?: ArrayLike<number>): void {
  const bin = Math.round((Math.log2(pitchHz) - LOG_PITCH_MIN) * BINS_PER_OCTAVE);
  stats.pitchCounts[Math.max(0, Math.min(PITCH_BINS - 1, bin))] += 1;
  stats.frames += 1;
  if (shape) for (let b = 0; b < BANDS; b++) stats.shapeSum[b] += shape[b];
}

export function poolVoiceStats(into: VoiceStats, from: VoiceStats): VoiceStats {
  into.frames += from.frames;
  for (let i = 0; i < PITCH_BINS; i++) into.pitchCounts[i] += from.pitchCounts[i];
  for (let b = 0; b < BANDS; b++) into.shapeSum[b] += from.shapeSum[b];
  return into;
}

export interface VoiceSignature {
  /** Median log2 pitch of the voiced frames. */
  pitch: number;
  /** Mean band shape. */
  shape: Float64Array;
  /** Voiced frames behind it (20 ms each). */
  frames: number;
}

/** The signature of pooled statistics, or null when fewer than `minFrames` voiced frames. */
export function signatureOf(stats: VoiceStats, minFrames = 10): VoiceSignature | null {
  const { frames } = stats;
  if (frames < minFrames) return null;
  let bin = 0;
  for (let seen = stats.pitchCounts[0]; seen <= frames / 2 && bin < PITCH_BINS - 1; ) seen += stats.pitchCounts[++bin];
  const shape = new Float64Array(BANDS);
  for (let b = 0; b < BANDS; b++) shape[b] = stats.shapeSum[b] / frames;
  return { pitch: LOG_PITCH_MIN + bin / BINS_PER_OCTAVE, shape, frames };
}

/**
 * How unalike two voices are: pitch apart in units of a fifth of an octave, combined with the
 * spectral shapes' RMS difference in units of 3 dB-ish (natural log energy 0.7). Same voice over
 * different sentences measured well under 1 on flite voices; slt against rms well over 3.
 */
export function voiceDistance(a: VoiceSignature, b: VoiceSignature): number {
  const pitch = Math.abs(a.pitch - b.pitch) / 0.2;
  let squares = 0;
  for (let i = 0; i < BANDS; i++) squares += (a.shape[i] - b.shape[i]) ** 2;
  const shape = Math.sqrt(squares / BANDS) / 0.7;
  return Math.sqrt(pitch * pitch + shape * shape);
}

/**
 * Voiced-frame statistics of the time ranges (seconds) of a 16 kHz mono 16-bit WAV, one per range.
 * At most `maxSecondsPerRange` of each range is read, so a long range costs no more than that.
 */
export async function voiceStatsOfRanges(
  wavPath: string,
  ranges: ReadonlyArray<{ start: number; end: number }>,
  options: { maxSecondsPerRange?: number; signal?: AbortSignal } = {},
): Promise<VoiceStats[]> {
  const info = await readMonoPcmInfo(wavPath);
  if (info.sampleRate !== RATE) throw new Error(`Expected ${RATE} Hz audio, got ${info.sampleRate}`);
  const maxSamples = Math.round((options.maxSecondsPerRange ?? 30) * RATE);
  const analyser = new FrameAnalyser();
  const out: VoiceStats[] = [];
  for (const range of ranges) {
    options.signal?.throwIfAborted();
    const first = Math.max(0, Math.floor(range.start * RATE));
    const last = Math.min(info.samples, Math.ceil(range.end * RATE), first + maxSamples);
    const samples = new Float32Array(Math.max(0, last - first));
    let filled = 0;
    for await (const block of readPcmBlocks(wavPath, info, { startSample: first, endSample: last })) {
      for (let i = 0; i < block.length; i++) samples[filled + i] = block[i] / 32768;
      filled += block.length;
    }
    out.push(await analyser.analyse(samples.subarray(0, filled)));
  }
  return out;
}

/** Pitch and band shape frame by frame; holds its scratch buffers between calls. */
class FrameAnalyser {
  private readonly window = hann(FRAME);
  private readonly re = new Float64Array(FRAME);
  private readonly im = new Float64Array(FRAME);
  private readonly bandEdges = melBandEdges();
  private readonly minLag = Math.floor(RATE / 2 / PITCH_MAX_HZ); // pitch search runs at 8 kHz
  private readonly maxLag = Math.ceil(RATE / 2 / PITCH_MIN_HZ);
  private readonly decimated = new Float64Array(FRAME / 2 + Math.ceil(RATE / 2 / PITCH_MIN_HZ) + 1);

  async analyse(samples: Float32Array): Promise<VoiceStats> {
    const stats = emptyVoiceStats();
    const span = FRAME + 2 * (this.maxLag + 1); // the pitch search reads past the window's end
    for (let at = 0, frame = 0; at + span <= samples.length; at += HOP, frame++) {
      // A few milliseconds at a time: in a single-process install the API shares this event loop.
      if (frame % FRAMES_PER_YIELD === FRAMES_PER_YIELD - 1) await new Promise<void>((resolve) => setImmediate(resolve));
      let energy = 0;
      for (let i = 0; i < FRAME; i++) energy += samples[at + i] * samples[at + i];
      if (Math.sqrt(energy / FRAME) < SILENCE_RMS) continue;
      const pitch = this.pitchAt(samples, at);
      if (pitch === null) continue;
      addVoicedFrame(stats, pitch, this.bandShapeAt(samples, at));
    }
    return stats;
  }

  /** Pitch in Hz, or null when the frame is not voiced. Searched at 8 kHz (pairs averaged). */
  private pitchAt(samples: Float32Array, at: number): number | null {
    const d = this.decimated;
    for (let i = 0; i < d.length; i++) d[i] = (samples[at + 2 * i] + samples[at + 2 * i + 1]) / 2;
    const n = FRAME / 2;
    let e0 = 0;
    for (let i = 0; i < n; i++) e0 += d[i] * d[i];
    if (e0 === 0) return null;
    const correlations = new Float64Array(this.maxLag + 1);
    let best = 0;
    for (let lag = this.minLag; lag <= this.maxLag; lag++) {
      let cross = 0;
      let el = 0;
      for (let i = 0; i < n; i++) {
        cross += d[i] * d[i + lag];
        el += d[i + lag] * d[i + lag];
      }
      const r = el > 0 ? cross / Math.sqrt(e0 * el) : 0;
      correlations[lag] = r;
      if (r > best) best = r;
    }
    if (best < VOICED_CORRELATION) return null;
    // The shortest lag at a local peak close to the best: multiples of the period score nearly as well.
    for (let lag = this.minLag + 1; lag < this.maxLag; lag++) {
      const r = correlations[lag];
      if (r >= 0.9 * best && r >= correlations[lag - 1] && r >= correlations[lag + 1]) {
        const shift = parabolicShift(correlations[lag - 1], r, correlations[lag + 1]);
        return RATE / 2 / (lag + shift);
      }
    }
    return null;
  }

  private bandShapeAt(samples: Float32Array, at: number): Float64Array {
    const { re, im, window } = this;
    for (let i = 0; i < FRAME; i++) {
      re[i] = samples[at + i] * window[i];
      im[i] = 0;
    }
    fft(re, im);
    const bands = new Float64Array(BANDS);
    for (let b = 0; b < BANDS; b++) {
      let power = 1e-10;
      for (let k = this.bandEdges[b]; k < this.bandEdges[b + 1]; k++) power += re[k] * re[k] + im[k] * im[k];
      bands[b] = Math.log(power / (this.bandEdges[b + 1] - this.bandEdges[b]));
    }
    const mean = bands.reduce((sum, v) => sum + v, 0) / BANDS;
    for (let b = 0; b < BANDS; b++) bands[b] -= mean;
    return bands;
  }
}

function parabolicShift(left: number, middle: number, right: number): number {
  const denominator = left - 2 * middle + right;
  return denominator === 0 ? 0 : Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / denominator));
}

function hann(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
  return w;
}

/** FFT bin edges of BANDS bands evenly spaced on the mel scale; every band at least one bin wide. */
function melBandEdges(): number[] {
  const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const low = mel(BAND_LOW_HZ);
  const high = mel(BAND_HIGH_HZ);
  const edges: number[] = [];
  for (let b = 0; b <= BANDS; b++) {
    const bin = Math.round((hz(low + ((high - low) * b) / BANDS) * FRAME) / RATE);
    edges.push(b === 0 ? bin : Math.max(bin, edges[b - 1] + 1));
  }
  return edges;
}

/** In-place iterative radix-2 FFT (length a power of two). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const cos = Math.cos(angle * k);
        const sin = Math.sin(angle * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b] * cos - im[b] * sin;
        const ti = re[b] * sin + im[b] * cos;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}
