/**
 * Speech to text through the OpenAI audio API, or any OpenAI-compatible server (a local whisper.cpp or
 * faster-whisper server, a proxy) reached through `baseURL`.
 *
 * - Whisper-class models (`whisper-1`, `whisper-large-v3`, …) are asked for `verbose_json` with word
 *   and segment timestamps; words are distributed into the segments by time, and take their
 *   punctuation from the segment text when the two line up. Segments Whisper itself would drop as
 *   silence (no_speech_prob > 0.6 and avg_logprob < -1) are dropped.
 * - `gpt-4o(-mini)-transcribe` models only answer `json`: the chunk becomes one segment without words.
 * - `gpt-4o-transcribe-diarize` answers `diarized_json`: one segment per speaker turn, speakers named
 *   "Speaker 1", "Speaker 2", … in order of appearance (labels are per chunk).
 *
 * The SDK's own retries are off (`maxRetries: 0`): the job system retries with backoff, and an SDK
 * retry inside a job would multiply attempts and hide a 429's retry-after from it. Errors become
 * {@link ProviderError}s, see mapOpenAIError (openaiErrors.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { openaiVocabularyPrompt } from './openaiVocabulary.ts';
import { hasVocabulary } from './vocabulary.ts';
import { cloudAvailability, cloudKey } from './cloudKey.ts';
import { mapOpenAIError } from './openaiErrors.ts';
import { clampTime } from './timing.ts';
import { ProviderError, type Segment, type SpeechProvider, type TranscribeRequest, type TranscribeResult, type Word } from './types.ts';

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

interface OpenAIProviderConfig {
  /** An OpenAI-compatible endpoint including its version path, e.g. `http://localhost:8000/v1`. Default api.openai.com. */
  baseURL?: string | null;
  /** Used when a request names no model (OPENAI_TRANSCRIBE_MODEL). */
  defaultModel: string;
  /** Per-request timeout (OPENAI_TIMEOUT_MS). */
  timeoutMs: number;
  /**
   * The server's own key (OPENAI_API_KEY). Only consulted by `availability()` and when a request
   * carries no key; requests normally arrive with the key already resolved.
   */
  apiKey?: string | null;
}

/** A transcription request may carry a prompt (e.g. the previous chunk's last sentence) for continuity. */
interface OpenAITranscribeRequest extends TranscribeRequest {
  prompt?: string | null;
}

interface OpenAIClientOptions {
  apiKey: string | null;
  baseURL?: string | null;
  timeoutMs: number;
}

/**
 * An SDK client that reads nothing from the environment (OPENAI_BASE_URL, OPENAI_ORG_ID, … are the
 * SDK's defaults otherwise). Without a key the Authorization header is left out entirely, which is
 * what keyless local servers expect.
 */
export function createOpenAIClient({ apiKey, baseURL, timeoutMs }: OpenAIClientOptions): OpenAI {
  return new OpenAI({
    apiKey: apiKey ?? 'no-key',
    baseURL: baseURL || OPENAI_DEFAULT_BASE_URL,
    organization: null,
    project: null,
    webhookSecret: null,
    timeout: timeoutMs,
    maxRetries: 0,
    logLevel: 'off',
    ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
  });
}

type ResponseFormat = 'verbose_json' | 'json' | 'diarized_json';

function responseFormatFor(model: string): ResponseFormat {
  if (/diarize/.test(model)) return 'diarized_json';
  if (/^gpt-4o.*transcribe/.test(model)) return 'json';
  return 'verbose_json';
}

interface VerboseSegment {
  start: number;
  end: number;
  text: string;
  avg_logprob?: number;
  no_speech_prob?: number;
}

interface TranscriptionBody {
  text?: string;
  language?: string;
  duration?: number;
  segments?: Array<VerboseSegment & { speaker?: string }>;
  words?: Array<{ word: string; start: number; end: number }>;
}

export class OpenAIProvider implements SpeechProvider {
  readonly name = 'OPENAI' as const;
  /** 600 s of 16 kHz mono s16le is 19.2 MB, well under OpenAI's 25 MB upload limit. */
  readonly maxChunkSeconds = 600;

  constructor(readonly config: OpenAIProviderConfig) {}

  async availability(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return cloudAvailability(this.config, 'OpenAI is not configured: set OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)');
  }

  async transcribe(request: OpenAITranscribeRequest): Promise<TranscribeResult> {
    const apiKey = cloudKey('OPENAI', request.apiKey, this.config);
    const model = request.model || this.config.defaultModel;
    const format = responseFormatFor(model);
    const language = request.language ? request.language.split(/[-_]/)[0].toLowerCase() : undefined;
    const audio = await readFile(request.wavPath);
    const file = new File([audio], path.basename(request.wavPath), { type: 'audio/wav' });
    const client = createOpenAIClient({ apiKey, baseURL: this.config.baseURL, timeoutMs: this.config.timeoutMs });
    const vocabulary = hasVocabulary(request.vocabulary)
      ? openaiVocabularyPrompt(request.vocabulary, { acceptsPrompt: format !== 'diarized_json', model })
      : null;
    const prompt = [vocabulary?.prompt, request.prompt].filter(Boolean).join(' ');

    let body: TranscriptionBody;
    try {
      body = (await client.audio.transcriptions.create(
        {
          file,
          model,
          response_format: format,
          ...(format === 'verbose_json' ? { timestamp_granularities: ['word', 'segment'] as Array<'word' | 'segment'>, temperature: 0 } : {}),
          ...(format === 'diarized_json' ? { chunking_strategy: 'auto' as const } : {}),
          ...(language ? { language } : {}),
          ...(prompt && format !== 'diarized_json' ? { prompt } : {}),
        },
        { signal: request.signal, timeout: this.config.timeoutMs, maxRetries: 0 },
      )) as TranscriptionBody;
    } catch (error) {
      throw mapOpenAIError(error, { signal: request.signal, purpose: 'transcription', apiKey });
    }

    const duration = request.durationSeconds > 0 ? request.durationSeconds : (body.duration ?? 0);
    const detected = body.language ? whisperLanguageToCode(body.language) : null;
    const result = { language: detected ?? request.language ?? null, ...(vocabulary ? { vocabularyApplied: vocabulary.report } : {}) };
    if (format === 'diarized_json') return { ...result, segments: diarizedSegments(body, duration) };
    if (format === 'json' || (!body.segments && !body.words)) {
      const text = (body.text ?? '').trim();
      return { ...result, segments: text ? [{ start: 0, end: duration, text, speaker: null, words: [] }] : [] };
    }
    return { ...result, segments: verboseSegments(body, duration) };
  }
}

export function createOpenAIProvider(config: OpenAIProviderConfig): OpenAIProvider {
  return new OpenAIProvider(config);
}

function verboseSegments(body: TranscriptionBody, duration: number): Segment[] {
  const raw = (body.segments ?? []).map((s) => ({
    start: clampTime(s.start, duration),
    end: clampTime(Math.max(s.end, s.start), duration),
    text: s.text.trim(),
    dropped: (s.no_speech_prob ?? 0) > 0.6 && (s.avg_logprob ?? 0) < -1,
    words: [] as Word[],
  }));
  const words: Word[] = (body.words ?? [])
    .map((w) => ({ word: w.word.trim(), start: clampTime(w.start, duration), end: clampTime(Math.max(w.end, w.start), duration), confidence: null, speaker: null }))
    .filter((w) => w.word.length > 0);

  if (raw.length === 0) {
    // Word timestamps only: one segment holding them all.
    if (words.length === 0) return [];
    const text = (body.text ?? words.map((w) => w.word).join(' ')).trim();
    return [{ start: words[0].start, end: words[words.length - 1].end, text, speaker: null, words }];
  }
  for (const word of words) raw[segmentIndexFor(raw, word)].words.push(word);
  return raw
    .filter((s) => !s.dropped && s.text.length > 0)
    .map((s) => ({ start: s.start, end: s.end, text: s.text, speaker: null, words: punctuate(s.text, s.words) }));
}

/** The segment a word belongs to: the one it overlaps most, else the nearest. */
function segmentIndexFor(segments: Array<{ start: number; end: number }>, word: { start: number; end: number }): number {
  let best = 0;
  let bestOverlap = -Infinity;
  for (let i = 0; i < segments.length; i += 1) {
    const s = segments[i];
    const overlap = Math.min(s.end, word.end) - Math.max(s.start, word.start);
    // Negative overlap is minus the distance, so the nearest segment wins when none overlaps.
    if (overlap > bestOverlap + 1e-9) {
      best = i;
      bestOverlap = overlap;
    }
  }
  return best;
}

const normalise = (token: string) => token.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** Whisper's words carry no punctuation; take each word's written form from the segment text when they match. */
function punctuate(text: string, words: Word[]): Word[] {
  const tokens = text.split(/\s+/).filter(Boolean);
  let cursor = 0;
  return words.map((word) => {
    const target = normalise(word.word);
    for (let look = cursor; look < Math.min(tokens.length, cursor + 3); look += 1) {
      if (target && normalise(tokens[look]) === target) {
        cursor = look + 1;
        return { ...word, word: tokens[look] };
      }
    }
    return word;
  });
}

function diarizedSegments(body: TranscriptionBody, duration: number): Segment[] {
  const names = new Map<string, string>();
  return (body.segments ?? [])
    .filter((s) => s.text.trim().length > 0)
    .map((s) => {
      const label = s.speaker ?? '?';
      if (!names.has(label)) names.set(label, `Speaker ${names.size + 1}`);
      return {
        start: clampTime(s.start, duration),
        end: clampTime(Math.max(s.end, s.start), duration),
        text: s.text.trim(),
        speaker: names.get(label) ?? null,
        words: [],
      };
    });
}

/** Whisper reports the language by name ("english"); compatible servers often by code. */
const WHISPER_LANGUAGES: Record<string, string> = {
  english: 'en', chinese: 'zh', german: 'de', spanish: 'es', russian: 'ru', korean: 'ko', french: 'fr',
  japanese: 'ja', portuguese: 'pt', turkish: 'tr', polish: 'pl', catalan: 'ca', dutch: 'nl', arabic: 'ar',
  swedish: 'sv', italian: 'it', indonesian: 'id', hindi: 'hi', finnish: 'fi', vietnamese: 'vi', hebrew: 'he',
  ukrainian: 'uk', greek: 'el', malay: 'ms', czech: 'cs', romanian: 'ro', danish: 'da', hungarian: 'hu',
  tamil: 'ta', norwegian: 'no', thai: 'th', urdu: 'ur', croatian: 'hr', bulgarian: 'bg', lithuanian: 'lt',
  latin: 'la', maori: 'mi', malayalam: 'ml', welsh: 'cy', slovak: 'sk', telugu: 'te', persian: 'fa',
  latvian: 'lv', bengali: 'bn', serbian: 'sr', azerbaijani: 'az', slovenian: 'sl', kannada: 'kn',
  estonian: 'et', macedonian: 'mk', breton: 'br', basque: 'eu', icelandic: 'is', armenian: 'hy',
  nepali: 'ne', mongolian: 'mn', bosnian: 'bs', kazakh: 'kk', albanian: 'sq', swahili: 'sw', galician: 'gl',
  marathi: 'mr', punjabi: 'pa', sinhala: 'si', khmer: 'km', shona: 'sn', yoruba: 'yo', somali: 'so',
  afrikaans: 'af', occitan: 'oc', georgian: 'ka', belarusian: 'be', tajik: 'tg', sindhi: 'sd', gujarati: 'gu',
  amharic: 'am', yiddish: 'yi', lao: 'lo', uzbek: 'uz', faroese: 'fo', 'haitian creole': 'ht', pashto: 'ps',
  turkmen: 'tk', nynorsk: 'nn', maltese: 'mt', sanskrit: 'sa', luxembourgish: 'lb', myanmar: 'my',
  tibetan: 'bo', tagalog: 'tl', malagasy: 'mg', assamese: 'as', tatar: 'tt', hawaiian: 'haw', lingala: 'ln',
  hausa: 'ha', bashkir: 'ba', javanese: 'jv', sundanese: 'su', cantonese: 'yue',
  // Whisper's aliases
  burmese: 'my', valencian: 'ca', flemish: 'nl', haitian: 'ht', letzeburgesch: 'lb', pushto: 'ps',
  panjabi: 'pa', moldavian: 'ro', moldovan: 'ro', sinhalese: 'si', castilian: 'es', mandarin: 'zh',
};

/** "english" → "en"; a code ("en", "pt-BR") is kept; anything else → null. */
export function whisperLanguageToCode(language: string): string | null {
  const value = language.trim();
  const byName = WHISPER_LANGUAGES[value.toLowerCase()];
  if (byName) return byName;
  if (/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(value)) return value;
  return null;
}
