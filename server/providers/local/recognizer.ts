/**
 * The synchronous heart of the local engine: one PocketSphinx decoder fed 16 kHz mono s16le PCM,
 * split into utterances by the decoder's own voice-activity detector. It must run inside a worker
 * thread (every method makes blocking C calls); `StreamingDecoder` is the main-thread face.
 *
 * Times are seconds from the first sample fed. PocketSphinx numbers frames (10 ms) from the
 * start of the stream, except that it re-bases the current utterance on the latest speech onset:
 * an utterance kept open across a pause would report its words late by the frames searched before
 * that pause, so those frames are subtracted (see `#frameCorrection`).
 *
 * Runs under Node's built-in type stripping: erasable TypeScript only.
 */
import type { Pointer, PocketSphinxApi } from './binding.ts';
import { EngineUnavailableError } from './binding.ts';
import type { ModelFiles } from './model.ts';
import { cleanHypothesis, cleanWord } from './words.ts';
import { roundTo } from '../../rounding.ts';

export const SAMPLE_RATE = 16_000;
/** Longest piece handed to `ps_process_raw` at once (500 ms). */
export const MAX_PIECE_SAMPLES = SAMPLE_RATE / 2;
const FRAMES_PER_SECOND = 100;
/** How often the voice-activity state is read: every 20 ms of audio. */
const VAD_STEP_SAMPLES = SAMPLE_RATE / 50;

export interface RecognizedWord {
  word: string;
  start: number;
  end: number;
  /** Posterior probability of the word, 0..1. */
  confidence: number;
}

export interface RecognizedSegment {
  start: number;
  end: number;
  text: string;
  words: RecognizedWord[];
}

type RecognizerEvent =
  | { type: 'partial'; text: string }
  | { type: 'final'; segment: RecognizedSegment };

export interface RecognizerOptions {
  model: ModelFiles;
  /** Extra PocketSphinx options, e.g. `{ '-vad_threshold': '3.0' }`. */
  decoderArgs?: Record<string, string>;
  /** An utterance still in speech after this long is cut (default 30 s). */
  maxUtteranceSeconds?: number;
  /** Words to add to the dictionary (vocabulary; see pronunciation.ts). */
  words?: ReadonlyArray<{ word: string; phones: string }>;
}


export class Recognizer {
  readonly #api: PocketSphinxApi;
  readonly #emit: (event: RecognizerEvent) => void;
  readonly #maxUtteranceFrames: number;
  #decoder: Pointer | null;
  readonly #logmath: Pointer;
  #samplesFed = 0;
  /** The voice-activity detector has reported speech in the open utterance. */
  #heardSpeech = false;
  /** Frames searched in this utterance before its latest pause (see the file comment). */
  #frameCorrection = 0;
  #lastPartial = '';
  #lastWordEnd = 0;
  #ended = false;
  /** Words of `options.words` the decoder refused. */
  readonly refusedWords: string[];

  constructor(api: PocketSphinxApi, options: RecognizerOptions, emit: (event: RecognizerEvent) => void) {
    this.#api = api;
    this.#emit = emit;
    this.#maxUtteranceFrames = Math.round((options.maxUtteranceSeconds ?? 30) * FRAMES_PER_SECOND);
    const args = [
      '-hmm', options.model.hmm,
      '-lm', options.model.lm,
      '-dict', options.model.dict,
      '-logfn', '/dev/null',
    ];
    for (const [name, value] of Object.entries(options.decoderArgs ?? {})) {
      args.push(name.startsWith('-') ? name : `-${name}`, value);
    }
    const config = api.cmdLnInit(args);
    if (!config) throw new Error(`PocketSphinx rejected the decoder options ${JSON.stringify(args)}`);
    try {
      this.#decoder = api.ps_init(config);
    } finally {
      api.cmd_ln_free_r(config); // ps_init keeps its own reference
    }
    if (!this.#decoder) {
      throw new EngineUnavailableError(`PocketSphinx could not load the model ${options.model.hmm}`);
    }
    this.refusedWords = addWords(api, this.#decoder, options.words ?? []);
    this.#logmath = api.ps_get_logmath(this.#decoder);
    if (api.ps_start_utt(this.#decoder) < 0) throw new Error('ps_start_utt failed');
  }

  /** Samples fed so far. */
  get samplesFed(): number {
    return this.#samplesFed;
  }

  /** Seconds of audio fed so far. */
  get secondsFed(): number {
    return this.#samplesFed / SAMPLE_RATE;
  }

  /** Feeds PCM samples; longer input is cut into 500 ms pieces. Emits partial and final events. */
  process(samples: Int16Array): void {
    for (let offset = 0; offset < samples.length; offset += MAX_PIECE_SAMPLES) {
      this.#processPiece(samples.subarray(offset, offset + MAX_PIECE_SAMPLES));
    }
  }

  /** Ends the stream: the open utterance is decoded and emitted. */
  end(): void {
    const decoder = this.#open();
    this.#ended = true;
    if (this.#api.ps_end_utt(decoder) < 0) throw new Error('ps_end_utt failed');
    this.#emitFinal();
  }

  /** The C decoder, for `createStreamReset` (streamReset.ts). */
  get decoder(): Pointer {
    return this.#handle();
  }

  /**
   * After `end()`: starts a new stream on the same decoder, times counted from zero again;
   * `resetStream` puts back the state a fresh decoder has (see streamReset.ts).
   */
  restart(resetStream: () => void): void {
    if (!this.#ended) throw new Error('The stream has not ended');
    const decoder = this.#handle();
    resetStream();
    if (this.#api.ps_start_utt(decoder) < 0) throw new Error('ps_start_utt failed');
    this.#ended = false;
    this.#samplesFed = 0;
    this.#heardSpeech = false;
    this.#frameCorrection = 0;
    this.#lastPartial = '';
    this.#lastWordEnd = 0;
  }

  /** Frees the C decoder (about 100 MB). Safe to call twice. */
  free(): void {
    if (this.#decoder) this.#api.ps_free(this.#decoder);
    this.#decoder = null;
  }

  #handle(): Pointer {
    if (!this.#decoder) throw new Error('The decoder has been freed');
    return this.#decoder;
  }

  #open(): Pointer {
    if (this.#ended) throw new Error('The decoder has ended');
    return this.#handle();
  }

  #processPiece(piece: Int16Array): void {
    // The detector's state is read after every 20 ms so that no pause goes unseen: a pause and
    // the next onset can both fall inside one 500 ms piece, and a missed pause would leave the
    // frame correction wrong.
    for (let offset = 0; offset < piece.length; offset += VAD_STEP_SAMPLES) {
      this.#processStep(piece.subarray(offset, offset + VAD_STEP_SAMPLES));
    }
    if (this.#heardSpeech) this.#emitPartial();
  }

  #processStep(step: Int16Array): void {
    const decoder = this.#open();
    const api = this.#api;
    if (api.ps_process_raw(decoder, step, step.length, 0, 0) < 0) throw new Error('ps_process_raw failed');
    this.#samplesFed += step.length;

    if (api.ps_get_in_speech(decoder)) {
      this.#heardSpeech = true;
      if (api.ps_get_n_frames(decoder) - this.#frameCorrection > this.#maxUtteranceFrames) this.#cut();
      return;
    }
    if (!this.#heardSpeech) return;
    // The detector says the speech has stopped. An utterance without words (a noise, or the
    // detector settling at the start of the stream) stays open: ending it would fold silence
    // into the live cepstral mean and spoil the next utterance.
    this.#heardSpeech = false;
    if (this.#hypothesis()) this.#cut();
    else this.#frameCorrection = api.ps_get_n_frames(decoder);
  }

  #hypothesis(): string {
    return cleanHypothesis(this.#api.ps_get_hyp(this.#open(), [0]));
  }

  #emitPartial(): void {
    const text = this.#hypothesis();
    if (text && text !== this.#lastPartial) {
      this.#lastPartial = text;
      this.#emit({ type: 'partial', text });
    }
  }

  #cut(): void {
    const decoder = this.#open();
    if (this.#api.ps_end_utt(decoder) < 0) throw new Error('ps_end_utt failed');
    this.#emitFinal();
    if (this.#api.ps_start_utt(decoder) < 0) throw new Error('ps_start_utt failed');
    this.#heardSpeech = false;
    this.#frameCorrection = 0;
    this.#lastPartial = '';
  }

  #emitFinal(): void {
    const segment = this.#collectSegment();
    if (segment) this.#emit({ type: 'final', segment });
  }

  #collectSegment(): RecognizedSegment | null {
    const api = this.#api;
    const limit = this.secondsFed;
    const words: RecognizedWord[] = [];
    const startFrame = [0];
    const endFrame = [0];
    const scratch = [0];
    // Walk the whole list: ps_seg_next frees the iterator when it returns NULL.
    for (let seg = api.ps_seg_iter(this.#handle()); seg; seg = api.ps_seg_next(seg)) {
      const word = cleanWord(api.ps_seg_word(seg));
      if (!word) continue;
      api.ps_seg_frames(seg, startFrame, endFrame);
      const probability = api.logmath_exp(this.#logmath, api.ps_seg_prob(seg, scratch, scratch, scratch));
      const start = Math.min(
        Math.max((startFrame[0] - this.#frameCorrection) / FRAMES_PER_SECOND, this.#lastWordEnd),
        limit,
      );
      const end = Math.min(Math.max((endFrame[0] + 1 - this.#frameCorrection) / FRAMES_PER_SECOND, start), limit);
      this.#lastWordEnd = end;
      words.push({
        word,
        start: roundTo(start, 3),
        end: roundTo(end, 3),
        confidence: roundTo(Math.min(1, Math.max(0, probability)), 3),
      });
    }
    if (words.length === 0) return null;
    return {
      start: words[0].start,
      end: words[words.length - 1].end,
      text: words.map((word) => word.word).join(' '),
      words,
    };
  }
}

/**
 * Adds the words; only the last one rebuilds the search (each rebuild takes about 0.1 s). When that
 * last one is refused the search was not rebuilt, so every word counts as refused.
 */
function addWords(api: PocketSphinxApi, decoder: Pointer, words: ReadonlyArray<{ word: string; phones: string }>): string[] {
  const refused: string[] = [];
  words.forEach(({ word, phones }, index) => {
    const last = index === words.length - 1;
    if (api.ps_add_word(decoder, word, phones, last ? 1 : 0) < 0) {
      if (last) refused.splice(0, refused.length, ...words.map((entry) => entry.word));
      else refused.push(word);
    }
  });
  return refused;
}
