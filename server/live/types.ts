/**
 * The one streaming interface every live engine implements. An engine is fed 16 kHz mono s16le
 * PCM (the session's audio after decoding/resampling) and reports what it hears:
 *
 * - `partial`: interim text of the utterance in progress (replaced by later partials and finally
 *   by a `final`); engines without interim results (OPENAI) never emit it.
 * - `final`: a finished segment with word timings where the engine gives them.
 * - `error`: the engine stopped working (the connection dropped, the decoder crashed). The session
 *   runtime drops the engine and recreates it on the next append.
 *
 * Times are seconds from the first sample written to this engine; the runtime adds the offset at
 * which the engine started within the session.
 */
import { EventEmitter } from 'node:events';
import type { Segment } from '../providers/types.ts';
import type { Vocabulary, VocabularyReport } from '../providers/vocabulary.ts';

export const LIVE_SAMPLE_RATE = 16_000;

export interface LivePartial {
  text: string;
  /** Engine time where the utterance began, when the engine knows it. */
  start?: number;
  /** Engine time of the audio heard so far, when the engine knows it. */
  end?: number;
}

interface LiveEngineEvents {
  partial: [LivePartial];
  final: [Segment];
  error: [Error];
}

export abstract class LiveEngine extends EventEmitter<LiveEngineEvents> {
  abstract readonly name: 'LOCAL' | 'OPENAI' | 'DEEPGRAM' | 'ASSEMBLYAI';
  /** Queues 16 kHz mono s16le PCM (an even number of bytes). */
  abstract write(pcm: Buffer): void;
  /** Finishes the stream: every final is emitted before this resolves; the engine is then closed. */
  abstract end(): Promise<void>;
  /** Stops at once, dropping queued audio; no further events. */
  abstract destroy(): Promise<void>;
}

/** What an engine needs to start. */
export interface LiveEngineOptions {
  language: string | null;
  model: string | null;
  /** The resolved key for cloud engines (the owner's own, else the server's). */
  apiKey: string | null;
  /** The session's terms and context prompt, passed as the same vendor's file engine passes them. */
  vocabulary?: Vocabulary | null;
  /** Told what the engine applied of `vocabulary` once it knows (at its start, or its first utterance for OPENAI). */
  onVocabularyApplied?: (report: VocabularyReport) => void;
}
