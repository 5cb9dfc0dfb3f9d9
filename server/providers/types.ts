/**
 * The one interface every speech engine implements. The pipeline hands an engine one chunk of
 * normalised audio at a time (16 kHz mono 16-bit PCM in a WAV file); times in the result are
 * seconds from the start of that chunk, and the pipeline shifts them to absolute times.
 */
import { scrubSecrets } from '../security/scrub.ts';
import type { Vocabulary, VocabularyReport } from './vocabulary.ts';

export type ProviderName = 'LOCAL' | 'OPENAI' | 'DEEPGRAM' | 'ASSEMBLYAI';

export interface Word {
  word: string;
  start: number;
  end: number;
  confidence?: number | null;
  speaker?: string | null;
}

export interface Segment {
  start: number;
  end: number;
  text: string;
  speaker?: string | null;
  words: Word[];
  /** Its sentiment, once analysed (services/sentimentStore.ts); an engine may report its own. */
  sentiment?: { label: 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE'; score: number } | null;
}

export interface TranscribeRequest {
  /** Path of a 16 kHz mono s16le WAV file holding this chunk. */
  wavPath: string;
  durationSeconds: number;
  /** BCP-47/ISO-639-1 language, or null to detect. */
  language: string | null;
  model: string | null;
  diarize: boolean;
  /** Ask for the engine's own sentiment of each segment, where it has one (ASSEMBLYAI); others ignore it. */
  sentiment?: boolean;
  /** Terms to favour and a context prompt (providers/vocabulary.ts); the engine reports what it applied. */
  vocabulary?: Vocabulary | null;
  /** Kinds to redact (transcripts/redaction); engines with redaction of their own (DEEPGRAM) apply it too. */
  redact?: readonly string[];
  /** The resolved secret for cloud providers (the user's own key, else the server's). */
  apiKey: string | null;
  signal?: AbortSignal;
  /** Who the engine's shared capacity counts against (a job's id): LOCAL shares its decoders fairly between holders. */
  holder?: string;
  /** Each segment as soon as the engine has it, in order (LOCAL: utterance by utterance); others deliver all at the end. */
  onSegment?: (segment: Segment) => void;
  /** Seconds of this chunk's audio processed so far, as the engine goes (LOCAL). */
  onProgress?: (seconds: number) => void;
}

export interface TranscribeResult {
  segments: Segment[];
  /** The language the engine detected or used, when it says. */
  language: string | null;
  /** What the engine did with the request's vocabulary (only when it had one). */
  vocabularyApplied?: VocabularyReport;
}

type ProviderErrorKind =
  /** Timeouts, 429, 5xx: worth retrying with backoff. */
  | 'transient'
  /** Missing or rejected key: do not retry. */
  | 'auth'
  /** The engine refused the audio itself: do not retry. */
  | 'bad_media'
  /** The engine is not installed or not configured. */
  | 'unavailable';

/**
 * A provider's failure. Its message is shown to users, stored on jobs and sessions and logged, so
 * it is scrubbed of credentials here: pass the keys in use as `secrets` whenever the message holds
 * text from the provider (some echo the key they were given).
 */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
    secrets: ReadonlyArray<string | null | undefined> = [],
  ) {
    super(scrubSecrets(message, secrets));
    this.name = 'ProviderError';
  }
}

export interface SpeechProvider {
  readonly name: ProviderName;
  /** Longest chunk, in seconds, the pipeline should hand this engine at once. */
  readonly maxChunkSeconds: number;
  /** Whether the engine can run at all here (library present, endpoint configured). */
  availability(): Promise<{ ok: true } | { ok: false; reason: string }>;
  transcribe(request: TranscribeRequest): Promise<TranscribeResult>;
}
