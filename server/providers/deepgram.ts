/**
 * Speech to text through Deepgram's prerecorded API (`POST /v1/listen`), via @deepgram/sdk.
 *
 * Each chunk is streamed from disk with `smart_format`, `punctuate` and `utterances` on, `diarize`
 * when asked, and `language` when known, else `detect_language`. Deepgram's utterances become the
 * segments (with their words, written as `punctuated_word`); without utterances the channel's words
 * are grouped into segments at speaker changes, sentence ends and pauses.
 *
 * Speakers: Deepgram numbers them from 0 within one request; they are named "Speaker 1",
 * "Speaker 2", … (1-based, as people count). The numbering is per chunk: "Speaker 1" of one chunk
 * need not be the same person as "Speaker 1" of the next.
 *
 * The SDK's retries are off (`maxRetries: 0`): the job system retries with backoff, and the SDK
 * would re-send the file stream it has already consumed. Errors become {@link ProviderError}s, see
 * mapDeepgramError (deepgramErrors.ts).
 */
import path from 'node:path';
import { DeepgramClient } from '@deepgram/sdk';
import { cloudAvailability, cloudKey } from './cloudKey.ts';
import { mapDeepgramError } from './deepgramErrors.ts';
import { deepgramRedact } from './deepgramRedaction.ts';
import { deepgramVocabulary } from './deepgramVocabulary.ts';
import { hasVocabulary } from './vocabulary.ts';
import { clampTime } from './timing.ts';
import { ProviderError, type Segment, type SpeechProvider, type TranscribeRequest, type TranscribeResult, type Word } from './types.ts';

const DEEPGRAM_DEFAULT_BASE_URL = 'https://api.deepgram.com';

interface DeepgramProviderConfig {
  /** Deepgram's origin without `/v1`, e.g. a self-hosted `http://deepgram:8080`. Default api.deepgram.com. */
  baseURL?: string | null;
  /** Used when a request names no model (DEEPGRAM_MODEL). */
  defaultModel: string;
  /** Per-request timeout (DEEPGRAM_TIMEOUT_MS). The SDK's own default would be 60 s. */
  timeoutMs: number;
  /** The server's own key (DEEPGRAM_API_KEY), for `availability()` and when a request carries none. */
  apiKey?: string | null;
}

/** A client that reads nothing from the environment; without a key (self-hosted) it sends no Authorization. */
export function createDeepgramClient(options: { apiKey: string | null; baseURL?: string | null; timeoutMs: number }): DeepgramClient {
  return new DeepgramClient({
    ...(options.apiKey ? { apiKey: options.apiKey } : { auth: false }),
    baseUrl: options.baseURL || DEEPGRAM_DEFAULT_BASE_URL,
    timeoutInSeconds: options.timeoutMs / 1000,
    maxRetries: 0,
  });
}

/** A word as Deepgram sends it (prerecorded and live alike). */
export interface DgWord {
  word?: string;
  punctuated_word?: string;
  start?: number;
  end?: number;
  confidence?: number;
  speaker?: number;
}

interface DgUtterance {
  start?: number;
  end?: number;
  transcript?: string;
  speaker?: number;
  words?: DgWord[];
}

interface DgResponse {
  metadata?: { duration?: number };
  results?: {
    channels?: Array<{ detected_language?: string; alternatives?: Array<{ transcript?: string; words?: DgWord[] }> }>;
    utterances?: DgUtterance[];
  };
}

export class DeepgramProvider implements SpeechProvider {
  readonly name = 'DEEPGRAM' as const;
  readonly maxChunkSeconds = 1800;

  constructor(readonly config: DeepgramProviderConfig) {}

  async availability(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return cloudAvailability(this.config, 'Deepgram is not configured: set DEEPGRAM_API_KEY (or DEEPGRAM_BASE_URL for a self-hosted server)');
  }

  async transcribe(request: TranscribeRequest): Promise<TranscribeResult> {
    const apiKey = cloudKey('DEEPGRAM', request.apiKey, this.config);
    const client = createDeepgramClient({ apiKey, baseURL: this.config.baseURL, timeoutMs: this.config.timeoutMs });
    const model = request.model || this.config.defaultModel;
    const vocabulary = hasVocabulary(request.vocabulary) ? deepgramVocabulary(request.vocabulary, model) : null;
    let body: DgResponse;
    try {
      body = (await client.listen.v1.media.transcribeFile(
        { path: request.wavPath, filename: path.basename(request.wavPath), contentType: 'audio/wav' },
        {
          model,
          smart_format: true,
          punctuate: true,
          utterances: true,
          diarize: request.diarize,
          ...(request.language ? { language: request.language } : { detect_language: true }),
          ...vocabulary?.params,
          ...deepgramRedact(request.redact),
        },
        { abortSignal: request.signal, maxRetries: 0, timeoutInSeconds: this.config.timeoutMs / 1000 },
      )) as DgResponse;
    } catch (error) {
      throw mapDeepgramError(error, request.signal, apiKey);
    }
    if (!body.results) {
      // A callback request is acknowledged with only a request_id; this provider never asks for one.
      throw new ProviderError('transient', 'Deepgram accepted the request without returning results');
    }
    const duration = request.durationSeconds > 0 ? request.durationSeconds : (body.metadata?.duration ?? 0);
    const channel = body.results.channels?.[0];
    const utterances = body.results.utterances ?? [];
    const segments =
      utterances.length > 0
        ? utterances.map((u) => utteranceSegment(u, request.diarize, duration)).filter((s) => s.text.length > 0)
        : segmentsFromWords(channel?.alternatives?.[0]?.words ?? [], request.diarize, duration);
    return {
      segments,
      language: channel?.detected_language ?? request.language ?? null,
      ...(vocabulary ? { vocabularyApplied: vocabulary.report } : {}),
    };
  }
}

export function createDeepgramProvider(config: DeepgramProviderConfig): DeepgramProvider {
  return new DeepgramProvider(config);
}

/** Deepgram's 0-based speaker number as a label: 0 → "Speaker 1". */
export function deepgramSpeakerLabel(speaker: number | undefined | null): string | null {
  return typeof speaker === 'number' ? `Speaker ${speaker + 1}` : null;
}

function toWord(w: DgWord, diarize: boolean, duration: number): Word {
  const start = clampTime(w.start, duration);
  return {
    word: w.punctuated_word ?? w.word ?? '',
    start,
    end: Math.max(start, clampTime(w.end, duration)),
    confidence: w.confidence ?? null,
    speaker: diarize ? deepgramSpeakerLabel(w.speaker) : null,
  };
}

function utteranceSegment(u: DgUtterance, diarize: boolean, duration: number): Segment {
  const words = (u.words ?? []).map((w) => toWord(w, diarize, duration)).filter((w) => w.word.length > 0);
  const start = clampTime(u.start ?? words[0]?.start, duration);
  return {
    start,
    end: Math.max(start, clampTime(u.end ?? words[words.length - 1]?.end, duration)),
    text: (u.transcript ?? words.map((w) => w.word).join(' ')).trim(),
    speaker: diarize ? deepgramSpeakerLabel(u.speaker) : null,
    words,
  };
}

/** Fallback when no utterances came back: new segment at a speaker change, after a sentence, or a 0.8 s pause. */
function segmentsFromWords(raw: DgWord[], diarize: boolean, duration: number): Segment[] {
  const segments: Segment[] = [];
  let current: Word[] = [];
  let currentSpeaker: number | undefined;
  const flush = () => {
    if (current.length === 0) return;
    segments.push({
      start: current[0].start,
      end: current[current.length - 1].end,
      text: current.map((w) => w.word).join(' '),
      speaker: diarize ? deepgramSpeakerLabel(currentSpeaker) : null,
      words: current,
    });
    current = [];
  };
  for (const w of raw) {
    const word = toWord(w, diarize, duration);
    if (!word.word) continue;
    const previous = current[current.length - 1];
    if (previous && ((diarize && w.speaker !== currentSpeaker) || /[.?!]$/.test(previous.word) || word.start - previous.end >= 0.8 - 1e-6)) {
      flush();
    }
    if (current.length === 0) currentSpeaker = w.speaker;
    current.push(word);
  }
  flush();
  return segments;
}
