/**
 * A small energy-based voice-activity detector for engines without a streaming API: 20 ms frames,
 * speech when a frame's RMS rises 12 dB over an adaptive noise floor (and above -50 dBFS). An
 * utterance opens after 60 ms of speech (with 300 ms of audio before it kept as lead-in) and
 * closes after 600 ms without speech, or when it reaches `maxUtteranceSeconds`.
 */
import { LIVE_SAMPLE_RATE } from './types.ts';

const FRAME = LIVE_SAMPLE_RATE / 50; // 20 ms
const FRAME_SECONDS = FRAME / LIVE_SAMPLE_RATE;
const ONSET_FRAMES = 3;
const HANGOVER_FRAMES = 30; // 600 ms
const PREROLL_FRAMES = 15; // 300 ms
const TAIL_FRAMES = 10; // 200 ms kept after the last speech frame
const MIN_THRESHOLD_DB = -50;
const OVER_FLOOR_DB = 12;

export interface Utterance {
  /** Stream time of the first sample, seconds. */
  start: number;
  pcm: Int16Array;
}

export class EnergyVad {
  readonly #maxFrames: number;
  readonly #onUtterance: (utterance: Utterance) => void;
  #pending = new Int16Array(0);
  #framesSeen = 0;
  #floorDb = -70;
  /** Recent frames before an utterance (lead-in). */
  #recent: Int16Array[] = [];
  #utterance: Int16Array[] | null = null;
  #utteranceStartFrame = 0;
  #speechRun = 0;
  #silenceRun = 0;
  #lastSpeechIndex = 0;

  constructor(options: { maxUtteranceSeconds?: number; onUtterance: (utterance: Utterance) => void }) {
    this.#maxFrames = Math.round((options.maxUtteranceSeconds ?? 30) / FRAME_SECONDS);
    this.#onUtterance = options.onUtterance;
  }

  write(samples: Int16Array): void {
    let input = samples;
    if (this.#pending.length > 0) {
      input = new Int16Array(this.#pending.length + samples.length);
      input.set(this.#pending);
      input.set(samples, this.#pending.length);
    }
    let offset = 0;
    for (; offset + FRAME <= input.length; offset += FRAME) this.#frame(input.slice(offset, offset + FRAME));
    this.#pending = input.slice(offset);
  }

  /** Closes the open utterance, if any (end of stream). */
  flush(): void {
    if (this.#pending.length > 0 && this.#utterance) this.#utterance.push(this.#pending);
    this.#pending = new Int16Array(0);
    if (this.#utterance) this.#close(this.#utterance.length);
  }

  #frame(frame: Int16Array): void {
    const index = this.#framesSeen++;
    let sum = 0;
    for (let i = 0; i < frame.length; i++) sum += frame[i] * frame[i];
    const rms = Math.sqrt(sum / frame.length);
    const db = rms > 0 ? 20 * Math.log10(rms / 32768) : -120;
    const speech = db > Math.max(MIN_THRESHOLD_DB, this.#floorDb + OVER_FLOOR_DB);
    if (!speech) this.#floorDb = db < this.#floorDb ? db : this.#floorDb * 0.98 + db * 0.02;

    if (!this.#utterance) {
      this.#recent.push(frame);
      if (this.#recent.length > PREROLL_FRAMES + ONSET_FRAMES) this.#recent.shift();
      this.#speechRun = speech ? this.#speechRun + 1 : 0;
      if (this.#speechRun >= ONSET_FRAMES) {
        this.#utterance = this.#recent;
        this.#utteranceStartFrame = index + 1 - this.#recent.length;
        this.#recent = [];
        this.#silenceRun = 0;
        this.#lastSpeechIndex = this.#utterance.length;
      }
      return;
    }
    this.#utterance.push(frame);
    if (speech) {
      this.#silenceRun = 0;
      this.#lastSpeechIndex = this.#utterance.length;
    } else {
      this.#silenceRun += 1;
    }
    if (this.#silenceRun >= HANGOVER_FRAMES) this.#close(Math.min(this.#utterance.length, this.#lastSpeechIndex + TAIL_FRAMES));
    else if (this.#utterance.length >= this.#maxFrames) this.#close(this.#utterance.length);
  }

  #close(keepFrames: number): void {
    const frames = this.#utterance!.slice(0, keepFrames);
    const rest = this.#utterance!.slice(keepFrames);
    const start = this.#utteranceStartFrame * FRAME_SECONDS;
    this.#utterance = null;
    this.#speechRun = 0;
    this.#recent = rest.slice(-(PREROLL_FRAMES + ONSET_FRAMES));
    const length = frames.reduce((sum, frame) => sum + frame.length, 0);
    const pcm = new Int16Array(length);
    let at = 0;
    for (const frame of frames) {
      pcm.set(frame, at);
      at += frame.length;
    }
    if (length > 0) this.#onUtterance({ start, pcm });
  }
}
