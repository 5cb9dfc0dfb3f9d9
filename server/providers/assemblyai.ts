/**
 * Speech to text through AssemblyAI's asynchronous API, via the `assemblyai` SDK: the chunk is
 * uploaded (`POST /v2/upload`), a transcript is submitted for its `upload_url` (`POST /v2/transcript`)
 * and polled (`GET /v2/transcript/{id}`) every ASSEMBLYAI_POLL_INTERVAL_MS until it is `completed`
 * or `error`, within ASSEMBLYAI_TIMEOUT_MS.
 *
 * Options: `speaker_labels` when diarizing, `language_code` when the language is known, else
 * `language_detection`; a model names the `speech_model` ("universal", "slam-1", "nano", …);
 * `sentiment_analysis` when the job asked for sentiment (its results land on the segments, see
 * assemblyaiSentiment.ts).
 * Segments are AssemblyAI's utterances (with speaker labels), else its words grouped at sentence
 * ends and pauses. Times come in milliseconds. Speakers "A", "B", … are named "Speaker 1",
 * "Speaker 2", … (per chunk, as with the other engines).
 *
 * The SDK's services throw a plain Error holding only the body's `error` text, so the status a
 * retry decision needs is lost; the services here are the SDK's own with `fetch` overridden to keep
 * the status and `retry-after` (AssemblyAIHttpError), to honour the job's abort signal and to bound
 * each request. The SDK does not retry; the job system does. Errors become ProviderErrors, see
 * mapAssemblyAIError (assemblyaiErrors.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { FileService, TranscriptService, type BaseServiceParams, type Transcript, type TranscriptParams, type TranscriptWord } from 'assemblyai';
import { cloudKey } from './cloudKey.ts';
import { AssemblyAIHttpError, AssemblyAITimeoutError, AssemblyAITranscriptError, mapAssemblyAIError } from './assemblyaiErrors.ts';
import { withAssemblyAISentiment } from './assemblyaiSentiment.ts';
import { assemblyaiVocabulary } from './assemblyaiVocabulary.ts';
import { retryAfterMs } from './httpErrors.ts';
import { clampTime } from './timing.ts';
import { hasVocabulary } from './vocabulary.ts';
import { ProviderError, type Segment, type SpeechProvider, type TranscribeRequest, type TranscribeResult, type Word } from './types.ts';

const ASSEMBLYAI_DEFAULT_BASE_URL = 'https://api.assemblyai.com';

interface AssemblyAIProviderConfig {
  /** AssemblyAI's origin, e.g. `https://api.eu.assemblyai.com`. Default api.assemblyai.com. */
  baseURL?: string | null;
  /** Bound for each request and for a transcript to be ready (ASSEMBLYAI_TIMEOUT_MS). */
  timeoutMs: number;
  /** Time between two polls of a transcript (ASSEMBLYAI_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  /** The server's own key (ASSEMBLYAI_API_KEY), for `availability()` and when a request carries none. */
  apiKey?: string | null;
}

interface RequestBounds {
  signal?: AbortSignal;
  timeoutMs: number;
}

/** The status-keeping, abortable, time-bounded response check both services share. */
async function boundedFetch(send: (init: RequestInit) => Promise<Response>, init: RequestInit | undefined, bounds: RequestBounds): Promise<Response> {
  const timeout = AbortSignal.timeout(bounds.timeoutMs);
  const signal = bounds.signal ? AbortSignal.any([bounds.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await send({ ...init, signal });
  } catch (error) {
    if (timeout.aborted && !bounds.signal?.aborted) throw new AssemblyAITimeoutError();
    throw error;
  }
  if (response.status < 400) return response;
  const text = await response.text().catch(() => '');
  let message = text.trim() || `HTTP ${response.status} ${response.statusText}`;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body?.error === 'string') message = body.error;
  } catch {
    // not JSON: keep the text
  }
  throw new AssemblyAIHttpError(response.status, message, retryAfterMs(response.headers));
}

class BoundedFileService extends FileService {
  constructor(
    params: BaseServiceParams,
    private readonly bounds: RequestBounds,
  ) {
    super(params);
  }

  protected override fetch(input: string, init?: RequestInit): Promise<Response> {
    return boundedFetch((bounded) => this.fetchResponse(input, bounded), init, this.bounds);
  }
}

class BoundedTranscriptService extends TranscriptService {
  constructor(
    params: BaseServiceParams,
    files: FileService,
    private readonly bounds: RequestBounds,
  ) {
    super(params, files);
  }

  protected override fetch(input: string, init?: RequestInit): Promise<Response> {
    return boundedFetch((bounded) => this.fetchResponse(input, bounded), init, this.bounds);
  }
}

/** The SDK's file and transcript services for one request (key, origin, abort signal, per-request bound). */
export function createAssemblyAIServices(options: { apiKey: string; baseURL?: string | null } & RequestBounds) {
  const params: BaseServiceParams = { apiKey: options.apiKey, baseUrl: (options.baseURL || ASSEMBLYAI_DEFAULT_BASE_URL).replace(/\/+$/, '') };
  const bounds = { signal: options.signal, timeoutMs: options.timeoutMs };
  const files = new BoundedFileService(params, bounds);
  return { files, transcripts: new BoundedTranscriptService(params, files, bounds) };
}

export class AssemblyAIProvider implements SpeechProvider {
  readonly name = 'ASSEMBLYAI' as const;
  readonly maxChunkSeconds = 1800;

  constructor(readonly config: AssemblyAIProviderConfig) {}

  async availability(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return this.config.apiKey ? { ok: true } : { ok: false, reason: 'AssemblyAI is not configured: set ASSEMBLYAI_API_KEY or add your own key' };
  }

  async transcribe(request: TranscribeRequest): Promise<TranscribeResult> {
    // AssemblyAI always needs a key (there is no keyless self-hosted server).
    const apiKey = cloudKey('ASSEMBLYAI', request.apiKey, { apiKey: this.config.apiKey });
    if (!apiKey) throw new ProviderError('auth', 'No AssemblyAI API key: set ASSEMBLYAI_API_KEY or add your own key');
    const { files, transcripts } = createAssemblyAIServices({
      apiKey,
      baseURL: this.config.baseURL,
      signal: request.signal,
      timeoutMs: this.config.timeoutMs,
    });
    const vocabulary = hasVocabulary(request.vocabulary) ? assemblyaiVocabulary(request.vocabulary, request.model) : null;
    let transcript: Transcript;
    try {
      const uploadUrl = await files.upload(request.wavPath);
      const params: TranscriptParams = {
        audio_url: uploadUrl,
        speaker_labels: request.diarize,
        ...(request.sentiment ? { sentiment_analysis: true } : {}),
        ...(request.model ? { speech_model: request.model as TranscriptParams['speech_model'] } : {}),
        ...(request.language ? { language_code: assemblyLanguageCode(request.language) } : { language_detection: true }),
        ...vocabulary?.params,
      };
      const queued = await transcripts.submit(params);
      transcript = await this.#waitUntilReady(transcripts, queued, request.signal);
      if (transcript.status === 'error') throw new AssemblyAITranscriptError(transcript.error || 'the transcript failed without a reason');
    } catch (error) {
      throw mapAssemblyAIError(error, request.signal, apiKey);
    }
    const duration = request.durationSeconds > 0 ? request.durationSeconds : (transcript.audio_duration ?? 0);
    const utterances = transcript.utterances ?? [];
    const segments =
      request.diarize && utterances.length > 0
        ? utterances
            .map((u) => toSegment(u.words ?? [], duration, { start: u.start, end: u.end, text: u.text, speaker: speakerLabel(u.speaker) }))
            .filter((s) => s.text.length > 0)
        : segmentsFromWords(transcript.words ?? [], request.diarize, duration);
    return {
      segments: request.sentiment ? withAssemblyAISentiment(segments, transcript.sentiment_analysis_results) : segments,
      language: ourLanguageCode(transcript.language_code) ?? request.language ?? null,
      ...(vocabulary ? { vocabularyApplied: vocabulary.report } : {}),
    };
  }

  /** Polls until "completed" or "error"; the job's signal stops the wait, ASSEMBLYAI_TIMEOUT_MS bounds it. */
  async #waitUntilReady(transcripts: TranscriptService, queued: Transcript, signal?: AbortSignal): Promise<Transcript> {
    const deadline = Date.now() + this.config.timeoutMs;
    let transcript = queued;
    while (transcript.status !== 'completed' && transcript.status !== 'error') {
      if (Date.now() >= deadline) throw new AssemblyAITimeoutError();
      await delay(this.config.pollIntervalMs, undefined, signal ? { signal } : undefined);
      transcript = await transcripts.get(queued.id);
    }
    return transcript;
  }
}

export function createAssemblyAIProvider(config: AssemblyAIProviderConfig): AssemblyAIProvider {
  return new AssemblyAIProvider(config);
}

/** AssemblyAI's speaker letter as a label: "A" → "Speaker 1"; other labels are kept ("Speaker X1"). */
export function speakerLabel(speaker: string | null | undefined): string | null {
  if (!speaker) return null;
  return /^[A-Z]$/.test(speaker) ? `Speaker ${speaker.charCodeAt(0) - 64}` : `Speaker ${speaker}`;
}

/** Our BCP-47 tag as AssemblyAI's code: "en-US" → "en_us", "en-GB" → "en_uk", "fr-CA" → "fr". */
export function assemblyLanguageCode(language: string): string {
  const [primary, region] = language.toLowerCase().split(/[-_]/);
  if (primary === 'en' && region) return { us: 'en_us', gb: 'en_uk', uk: 'en_uk', au: 'en_au' }[region] ?? 'en';
  return primary;
}

/** AssemblyAI's code as ours: "en_us" → "en-US", "fr" → "fr". */
function ourLanguageCode(code: string | null | undefined): string | null {
  if (!code) return null;
  const [primary, region] = code.split('_');
  return region ? `${primary.toLowerCase()}-${region === 'uk' ? 'GB' : region.toUpperCase()}` : primary.toLowerCase();
}

function toWord(w: TranscriptWord, diarize: boolean, duration: number): Word {
  const start = clampTime(w.start / 1000, duration);
  return {
    word: (w.text ?? '').trim(),
    start,
    end: Math.max(start, clampTime(w.end / 1000, duration)),
    confidence: w.confidence ?? null,
    speaker: diarize ? speakerLabel(w.speaker) : null,
  };
}

function toSegment(
  raw: TranscriptWord[],
  duration: number,
  span: { start?: number; end?: number; text?: string; speaker: string | null },
): Segment {
  const words = raw.map((w) => toWord(w, span.speaker !== null, duration)).filter((w) => w.word.length > 0);
  const start = clampTime(span.start !== undefined ? span.start / 1000 : words[0]?.start, duration);
  const end = clampTime(span.end !== undefined ? span.end / 1000 : words.at(-1)?.end, duration);
  return { start, end: Math.max(start, end), text: (span.text ?? words.map((w) => w.word).join(' ')).trim(), speaker: span.speaker, words };
}

/** Without utterances: a new segment at a speaker change, after a sentence, or after a 0.8 s pause. */
function segmentsFromWords(raw: TranscriptWord[], diarize: boolean, duration: number): Segment[] {
  const segments: Segment[] = [];
  let current: TranscriptWord[] = [];
  const flush = () => {
    if (current.length === 0) return;
    segments.push(toSegment(current, duration, { speaker: diarize ? speakerLabel(current[0].speaker) : null }));
    current = [];
  };
  for (const word of raw) {
    if (!word.text?.trim()) continue;
    const previous = current.at(-1);
    if (previous && ((diarize && word.speaker !== previous.speaker) || /[.?!]$/.test(previous.text) || word.start - previous.end >= 800)) flush();
    current.push(word);
  }
  flush();
  return segments;
}
