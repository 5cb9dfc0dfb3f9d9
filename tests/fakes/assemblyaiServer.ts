/**
 * A stand-in for AssemblyAI's asynchronous speech-to-text API v2, on loopback:
 *
 * - `POST /v2/upload`: the body is the audio (`application/octet-stream`); answers `{upload_url}`.
 * - `POST /v2/transcript`: a JSON body with `audio_url` and options (`speaker_labels`,
 *   `language_code`, `language_detection`, `speech_model`, …); answers the transcript with
 *   `{id, status: "queued", …}`.
 * - `GET /v2/transcript/{id}`: `queued`, then `processing`, then (after `pollsUntilDone` polls)
 *   `completed` with `text`, `words` (times in ms, `speaker` letters when `speaker_labels`),
 *   `utterances` (with `speaker_labels`), `language_code` (the one asked for, else the detected one,
 *   with `language_confidence`), `audio_duration`, and with `sentiment_analysis: true` its
 *   `sentiment_analysis_results` (one per sentence, ms, a label from the words: see fakeSentiment);
 *   or `status: "error"` with an `error` sentence, as
 *   AssemblyAI does for audio it cannot read ("Transcoding failed…") or URLs it cannot download.
 *
 * Authentication: `Authorization: <key>` (the bare key). A wrong or missing key gets 401
 * `{"error": "Authentication error, API token missing/invalid"}`; other errors are `{"error": …}`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { headerValue, HeldRequest, Interceptors, looksLikeAudio, playInterceptor, readBody, round, wavDurationSeconds, type RecordedRequest } from './httpFake.ts';

export interface AaiScriptedWord {
  /** As spoken, with punctuation and case. */
  text: string;
  /** Seconds (the fake answers milliseconds, as AssemblyAI does). */
  start: number;
  end: number;
  /** AssemblyAI's speaker letter ("A", "B", …). Default "A". */
  speaker?: string;
  confidence?: number;
}

export interface RecordedTranscript {
  id: string;
  audioUrl: string;
  speakerLabels: boolean;
  languageCode: string | null;
  languageDetection: boolean;
  speechModel: string | null;
  /** Every field of the request body. */
  body: Record<string, unknown>;
  authorization: string | null;
  durationSeconds: number | null;
}

export type AaiTranscriptScript = (request: RecordedTranscript) => { words: AaiScriptedWord[]; detectedLanguage?: string };

export interface FakeAssemblyAIOptions {
  apiKey?: string;
  transcript?: AaiTranscriptScript;
  /** GETs answered `queued`/`processing` before `completed`. Default 2. */
  pollsUntilDone?: number;
}

export interface FakeAssemblyAIServer {
  /** `http://127.0.0.1:<port>`: the SDK's `baseUrl`. */
  baseUrl: string;
  apiKey: string;
  requests: RecordedRequest[];
  uploads: Array<{ url: string; bytes: number }>;
  transcripts: RecordedTranscript[];
  /** The next `times` requests (for `path` only, when given) are answered with `status` and `{error}` (or `body`). */
  failNext(status: number, times?: number, headers?: Record<string, string>, options?: { body?: unknown; path?: string }): void;
  dropNext(times?: number): void;
  holdNext(): HeldRequest;
  /** The next `times` transcripts end with status "error" and this sentence. */
  failTranscriptNext(message: string, times?: number): void;
  setTranscript(script: AaiTranscriptScript): void;
  reset(): void;
  close(): Promise<void>;
}

const AUTH_ERROR = 'Authentication error, API token missing/invalid';

/** Words for `text` from `start` at a steady pace, a longer pause after each sentence. */
export function aaiWordsFromText(text: string, options: { start?: number; speaker?: string } = {}): AaiScriptedWord[] {
  let t = options.start ?? 0.5;
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const w = { text: word, start: round(t), end: round(t + 0.35), speaker: options.speaker ?? 'A' };
      t += 0.35 + (/[.?!]$/.test(word) ? 0.8 : 0.1);
      return w;
    });
}

const DEFAULT_TEXT = 'The quick brown fox jumps over the lazy dog. She sells sea shells by the sea shore.';

function defaultScript(request: RecordedTranscript): { words: AaiScriptedWord[] } {
  const duration = request.durationSeconds ?? 10;
  return { words: aaiWordsFromText(DEFAULT_TEXT).filter((w) => w.end <= duration) };
}

/** The fake's sentiment of a sentence: NEGATIVE with a word of complaint, POSITIVE with one of praise, else NEUTRAL. */
export function fakeSentiment(text: string): { sentiment: 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE'; confidence: number } {
  if (/\b(hate|terrible|awful|bad|angry|sad|wrong)\b/i.test(text)) return { sentiment: 'NEGATIVE', confidence: 0.91 };
  if (/\b(love|nice|great|good|happy|wonderful|thanks)\b/i.test(text)) return { sentiment: 'POSITIVE', confidence: 0.88 };
  return { sentiment: 'NEUTRAL', confidence: 0.74 };
}

/** AssemblyAI's `sentiment_analysis_results`: one entry per sentence (ends at . ? ! or a speaker change), times in ms. */
function sentimentResults(words: AaiScriptedWord[], speakerLabels: boolean): unknown[] {
  const results: unknown[] = [];
  let sentence: AaiScriptedWord[] = [];
  const flush = () => {
    if (sentence.length === 0) return;
    const text = sentence.map((w) => w.text).join(' ');
    results.push({
      text,
      start: Math.round(sentence[0].start * 1000),
      end: Math.round(sentence.at(-1)!.end * 1000),
      ...fakeSentiment(text),
      speaker: speakerLabels ? (sentence[0].speaker ?? 'A') : null,
    });
    sentence = [];
  };
  for (const word of words) {
    if (sentence.length > 0 && (sentence[0].speaker ?? 'A') !== (word.speaker ?? 'A')) flush();
    sentence.push(word);
    if (/[.?!]$/.test(word.text)) flush();
  }
  flush();
  return results;
}

function defaultMessage(status: number): string {
  if (status === 401) return AUTH_ERROR;
  if (status === 429) return 'Too Many Requests';
  if (status >= 500) return 'Internal server error';
  return 'Bad request';
}

interface StoredTranscript {
  record: RecordedTranscript;
  polls: number;
  failure: string | null;
  audio: Buffer | null;
}

export async function startFakeAssemblyAI(options: FakeAssemblyAIOptions = {}): Promise<FakeAssemblyAIServer> {
  const apiKey = options.apiKey ?? `aai-test-${randomUUID()}`;
  const pollsUntilDone = options.pollsUntilDone ?? 2;
  let script: AaiTranscriptScript = options.transcript ?? defaultScript;
  const interceptors = new Interceptors();
  let transcriptFailures: string[] = [];
  const requests: RecordedRequest[] = [];
  const uploads: Array<{ url: string; bytes: number }> = [];
  const uploaded = new Map<string, Buffer>();
  const transcripts: RecordedTranscript[] = [];
  const stored = new Map<string, StoredTranscript>();
  let baseUrl = '';

  function send(res: ServerResponse, record: RecordedRequest, status: number, body: unknown, headers: Record<string, string> = {}) {
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  function transcriptBody(entry: StoredTranscript): Record<string, unknown> {
    const { record } = entry;
    const common = {
      id: record.id,
      audio_url: record.audioUrl,
      speaker_labels: record.speakerLabels,
      language_detection: record.languageDetection,
      speech_model: record.speechModel,
      webhook_url: null,
    };
    entry.polls += 1;
    if (entry.polls <= pollsUntilDone) return { ...common, status: entry.polls === 1 ? 'queued' : 'processing', text: null, words: null, utterances: null };
    if (entry.failure) return { ...common, status: 'error', error: entry.failure, text: null, words: null };
    const scripted = script(record);
    const toWord = (w: AaiScriptedWord) => ({
      text: w.text,
      start: Math.round(w.start * 1000),
      end: Math.round(w.end * 1000),
      confidence: w.confidence ?? 0.97,
      speaker: record.speakerLabels ? (w.speaker ?? 'A') : null,
    });
    const words = scripted.words.map(toWord);
    const utterances: unknown[] = [];
    if (record.speakerLabels) {
      let group: AaiScriptedWord[] = [];
      const flush = () => {
        if (group.length === 0) return;
        const groupWords = group.map(toWord);
        utterances.push({
          speaker: group[0].speaker ?? 'A',
          text: group.map((w) => w.text).join(' '),
          start: groupWords[0].start,
          end: groupWords.at(-1)!.end,
          confidence: 0.97,
          words: groupWords,
        });
        group = [];
      };
      for (const w of scripted.words) {
        if (group.length > 0 && (group[0].speaker ?? 'A') !== (w.speaker ?? 'A')) flush();
        group.push(w);
      }
      flush();
    }
    const sentiments = record.body.sentiment_analysis === true ? sentimentResults(scripted.words, record.speakerLabels) : null;
    const languageCode = record.languageCode ?? (record.languageDetection ? (scripted.detectedLanguage ?? 'en') : 'en_us');
    return {
      ...common,
      status: 'completed',
      text: words.map((w) => w.text).join(' '),
      words,
      utterances: record.speakerLabels ? utterances : null,
      confidence: 0.97,
      audio_duration: record.durationSeconds === null ? null : Math.round(record.durationSeconds),
      language_code: languageCode,
      ...(record.languageDetection ? { language_confidence: 0.9871 } : {}),
      sentiment_analysis: record.body.sentiment_analysis === true,
      sentiment_analysis_results: sentiments,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, status: 0 };
    requests.push(record);
    const body = await readBody(req);

    const played = await playInterceptor(interceptors.take(url.pathname), req, res, record);
    if (played === 'done') return;
    if (played) return send(res, record, played.status, played.body ?? { error: defaultMessage(played.status) }, played.headers);

    const authorization = headerValue(req.headers.authorization);
    if (authorization !== apiKey) return send(res, record, 401, { error: AUTH_ERROR });

    if (req.method === 'POST' && url.pathname === '/v2/upload') {
      if (body.length === 0) return send(res, record, 400, { error: 'Upload failed, please try again. The file is empty.' });
      const uploadUrl = `https://cdn.assemblyai.com/upload/${randomUUID()}`;
      uploaded.set(uploadUrl, body);
      uploads.push({ url: uploadUrl, bytes: body.length });
      return send(res, record, 200, { upload_url: uploadUrl });
    }
    if (req.method === 'POST' && url.pathname === '/v2/transcript') {
      let params: Record<string, unknown>;
      try {
        params = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(res, record, 400, { error: 'Invalid JSON' });
      }
      if (typeof params.audio_url !== 'string') return send(res, record, 400, { error: 'audio_url is required' });
      if (params.language_code && params.language_detection) {
        return send(res, record, 400, { error: 'language_code and language_detection cannot both be set' });
      }
      const audio = uploaded.get(params.audio_url) ?? null;
      const recorded: RecordedTranscript = {
        id: randomUUID(),
        audioUrl: params.audio_url,
        speakerLabels: params.speaker_labels === true,
        languageCode: typeof params.language_code === 'string' ? params.language_code : null,
        languageDetection: params.language_detection === true,
        speechModel: typeof params.speech_model === 'string' ? params.speech_model : null,
        body: params,
        authorization,
        durationSeconds: audio ? wavDurationSeconds(audio) : null,
      };
      transcripts.push(recorded);
      let failure = transcriptFailures.shift() ?? null;
      if (!failure && !audio) failure = `Download error, unable to download ${params.audio_url}. Please make sure the file exists and is accessible from the internet.`;
      if (!failure && audio && !looksLikeAudio(audio)) failure = 'Transcoding failed. File does not appear to contain audio. File type is text/plain (ASCII text).';
      const entry: StoredTranscript = { record: recorded, polls: 0, failure, audio };
      stored.set(recorded.id, entry);
      return send(res, record, 200, { ...transcriptBody({ ...entry }), status: 'queued' });
    }
    const match = /^\/v2\/transcript\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      const entry = stored.get(match[1]);
      if (!entry) return send(res, record, 404, { error: 'Transcript not found' });
      return send(res, record, 200, transcriptBody(entry));
    }
    return send(res, record, 404, { error: `Not found: ${req.method} ${url.pathname}` });
  }

  const server: Server = createServer((req, res) => {
    res.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    apiKey,
    requests,
    uploads,
    transcripts,
    failNext(status, times = 1, headers = {}, failOptions = {}) {
      interceptors.push({ kind: 'fail', status, headers, body: failOptions.body, path: failOptions.path }, times);
    },
    dropNext(times = 1) {
      interceptors.push({ kind: 'drop' }, times);
    },
    holdNext() {
      const held = new HeldRequest();
      interceptors.push({ kind: 'hold', held }, 1);
      return held;
    },
    failTranscriptNext(message, times = 1) {
      for (let i = 0; i < times; i += 1) transcriptFailures.push(message);
    },
    setTranscript(next) {
      script = next;
    },
    reset() {
      interceptors.clear();
      transcriptFailures = [];
      requests.length = 0;
      uploads.length = 0;
      transcripts.length = 0;
      script = options.transcript ?? defaultScript;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
