/**
 * LOCAL speech engine: PocketSphinx (Debian's libpocketsphinx3 + pocketsphinx-en-us) decoding
 * each chunk on its own worker thread. English only; output is lowercase words without
 * punctuation, with word timings and confidences.
 */
import type { Env } from '../../env.ts';
import {
  ProviderError,
  type Segment,
  type SpeechProvider,
  type TranscribeRequest,
  type TranscribeResult,
} from '../types.ts';
import { hasVocabulary } from '../vocabulary.ts';
import { pocketSphinxAvailability } from './binding.ts';
import { planLocalVocabularyFor, respell, withRefusedWords } from './pronunciation.ts';
import { SAMPLE_RATE } from './recognizer.ts';
import { DecoderPool, type DecoderLease } from './decoderPool.ts';
import { StreamingDecoder } from './streamingDecoder.ts';
import { readWav, WavFormatError, type WavAudio } from './wav.ts';

export interface LocalProviderOptions {
  /** Soname or path of libpocketsphinx.so.3. */
  library: string;
  /** Directory with the acoustic model folder, `*.lm.bin` and `*.dict`. */
  modelDir: string;
  /** Extra PocketSphinx options, e.g. `{ '-vad_threshold': '3.0' }`. */
  decoderArgs?: Record<string, string>;
  /** Decoders decoding at once in this process (LOCAL_DECODERS; default 1). */
  decoders?: number;
}

/** Whose decoders a request without a holder counts against. */
const ANONYMOUS_HOLDER = 'anonymous';

/** Bytes handed to the decoder per message: 500 ms of 16 kHz s16le. */
const PIECE_BYTES = SAMPLE_RATE;

export class LocalProvider implements SpeechProvider {
  readonly name = 'LOCAL' as const;
  readonly maxChunkSeconds = 300;
  readonly #options: LocalProviderOptions;
  readonly #pool: DecoderPool;

  constructor(options: LocalProviderOptions) {
    this.#options = options;
    this.#pool = new DecoderPool({
      size: options.decoders ?? 1,
      open: (extra) => StreamingDecoder.open({ ...options, ...extra }),
    });
  }

  /** This engine's decoders (LOCAL_DECODERS), shared by the jobs of this process. */
  get decoders(): DecoderPool {
    return this.#pool;
  }

  /** Opens the library (no decoder) and checks the model files. Never throws. */
  availability(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return pocketSphinxAvailability(this.#options.library, this.#options.modelDir);
  }

  /**
   * Decodes one 16 kHz mono s16le WAV chunk on a decoder of the pool (its worker thread), passing
   * each utterance to `request.onSegment` as it is decoded.
   * @throws ProviderError 'unavailable' (library or model missing, or a language other than
   *   English asked for), 'bad_media' (not a 16 kHz mono 16-bit PCM WAV), 'transient' (the
   *   decoder failed); the signal's reason when aborted.
   */
  async transcribe(request: TranscribeRequest): Promise<TranscribeResult> {
    const { signal } = request;
    signal?.throwIfAborted();
    if (request.language && !/^en(?:-|$)/i.test(request.language)) {
      throw new ProviderError('unavailable', `The local engine recognises English only, not ${request.language}`);
    }
    const audio = await this.#readAudio(request.wavPath);
    signal?.throwIfAborted();

    const vocabulary = hasVocabulary(request.vocabulary) ? await planLocalVocabularyFor(this.#options.modelDir, request.vocabulary) : null;
    let lease: DecoderLease;
    try {
      lease = await this.#pool.acquire(request.holder ?? ANONYMOUS_HOLDER, {
        signal,
        ...(vocabulary?.words.length ? { words: vocabulary.words } : {}),
      });
    } catch (error) {
      throw toProviderError(error, signal);
    }
    const { decoder } = lease;
    if (signal?.aborted) {
      await lease.discard();
      throw signal.reason;
    }
    const spell = (segment: Segment): Segment => (vocabulary ? respell(segment, vocabulary.spellings) : segment);
    const segments: Segment[] = [];
    const onFinal = (recognized: Segment) => {
      const segment = spell(recognized);
      segments.push(segment);
      request.onSegment?.(segment);
    };
    const onProgress = (seconds: number) => request.onProgress?.(seconds);
    decoder.on('final', onFinal);
    decoder.on('progress', onProgress);
    const onAbort = () => void lease.discard();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let offset = 0; offset < audio.data.length; offset += PIECE_BYTES) {
        decoder.write(audio.data.subarray(offset, offset + PIECE_BYTES));
      }
      await lease.finish();
    } catch (error) {
      await lease.discard();
      throw toProviderError(error, signal);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      decoder.off('final', onFinal);
      decoder.off('progress', onProgress);
    }
    if (!vocabulary) return { segments, language: 'en' };
    return {
      segments,
      language: 'en',
      vocabularyApplied: withRefusedWords(vocabulary, decoder.refusedWords),
    };
  }

  async #readAudio(wavPath: string): Promise<WavAudio> {
    let audio: WavAudio;
    try {
      audio = await readWav(wavPath);
    } catch (error) {
      if (error instanceof WavFormatError) throw new ProviderError('bad_media', `${wavPath}: ${error.message}`);
      throw error;
    }
    if (audio.sampleRate !== SAMPLE_RATE || audio.channels !== 1 || audio.bitsPerSample !== 16) {
      throw new ProviderError(
        'bad_media',
        `The local engine needs 16 kHz mono 16-bit PCM, got ${audio.sampleRate} Hz, ${audio.channels} channel(s), ${audio.bitsPerSample}-bit`,
      );
    }
    return audio;
  }
}

function toProviderError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof ProviderError) return error;
  return new ProviderError('transient', (error as Error).message ?? String(error));
}

/** The LOCAL provider configured from POCKETSPHINX_LIBRARY, POCKETSPHINX_MODEL_DIR and LOCAL_DECODERS. */
export function createLocalProvider(
  env: Pick<Env, 'POCKETSPHINX_LIBRARY' | 'POCKETSPHINX_MODEL_DIR'> & Partial<Pick<Env, 'LOCAL_DECODERS'>>,
): LocalProvider {
  return new LocalProvider({ library: env.POCKETSPHINX_LIBRARY, modelDir: env.POCKETSPHINX_MODEL_DIR, decoders: env.LOCAL_DECODERS });
}
