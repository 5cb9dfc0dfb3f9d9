/**
 * A stand-in for the OpenAI HTTP API (or any OpenAI-compatible server such as a local whisper.cpp or
 * faster-whisper server), on loopback, for the parts Parlance uses:
 *
 * - `POST /v1/audio/transcriptions`: multipart form (`file`, `model`, `response_format`,
 *   `timestamp_granularities[]`, `language`, `prompt`, `temperature`, `chunking_strategy`), answering
 *   `json`, `text`, `srt`, `vtt`, `verbose_json` (segments with Whisper's fields, words) and
 *   `diarized_json`, with the validation errors the real service gives (bad file format, audio too
 *   short, language not ISO-639-1, `verbose_json` on a gpt-4o transcribe model, …).
 * - `POST /v1/chat/completions`: a chat completion whose content the test decides (translation,
 *   sentiment, summaries, questions): its content, a `refusal`, or a cut-off (`finish_reason`), with
 *   `usage` token counts of about 4 characters a token (`chatTokens` says how they are counted).
 * - `GET /v1/models`: a model list.
 *
 * Bearer authentication is checked like the real service (401 with OpenAI's error JSON). Tests script
 * failures (`failNext`, `dropNext`, `delayNext`), decide the transcript (`setTranscript`) and the
 * chat answer (`setTranslator`), and assert on what arrived (`transcriptions`, `chats`, `requests`).
 * Errors use OpenAI's shape: `{"error":{"message","type","param","code"}}`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import {
  headerValue,
  HeldRequest,
  Interceptors,
  looksLikeAudio,
  playInterceptor,
  readBody,
  round,
  wavDurationSeconds,
  type RecordedRequest,
} from './httpFake.ts';

export type { RecordedRequest } from './httpFake.ts';
export { wavDurationSeconds } from './httpFake.ts';

export interface ScriptedWord {
  /** The word as spoken, with its punctuation ("Hello,"); the fake strips it where OpenAI does. */
  word: string;
  start: number;
  end: number;
  /** Used by `diarized_json` only; "A", "B", … by default order. */
  speaker?: string;
  /** 0..1, turned into the segment's `avg_logprob`. Default 0.92. */
  confidence?: number;
}

export interface VerboseSegment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
}

export interface OpenAIScript {
  words: ScriptedWord[];
  /** Whisper reports a language *name* ("english"). Default: the requested language's name, else "english". */
  language?: string;
  /** Segments to send as they are (missing fields get defaults), instead of deriving them from `words`. */
  segments?: Array<Partial<VerboseSegment> & { start: number; end: number; text: string }>;
}

export interface RecordedTranscription {
  model: string | null;
  language: string | null;
  prompt: string | null;
  responseFormat: string;
  timestampGranularities: string[];
  temperature: number | null;
  chunkingStrategy: string | null;
  file: { name: string; size: number; type: string; sha256: string; durationSeconds: number | null } | null;
  authorization: string | null;
  /** Every non-file form field, as received. */
  fields: Record<string, string[]>;
}

export interface ChatMessage {
  role: string;
  content: string | null;
}

export interface RecordedChat {
  model: string;
  messages: ChatMessage[];
  /** The first system message's text, if any. */
  system: string | null;
  /** The last user message's text, if any. */
  user: string | null;
  temperature: number | null;
  /** `response_format.type` (`json_object` when the client asks for JSON), or null. */
  responseFormat: string | null;
  authorization: string | null;
}

export type TranscriptScript = (request: RecordedTranscription) => ScriptedWord[] | OpenAIScript;
export type Translator = (
  request: RecordedChat,
) => string | { content: string | null; finishReason?: 'stop' | 'length' | 'content_filter'; refusal?: string };

export interface FakeOpenAIOptions {
  /** The key clients must send as `Authorization: Bearer <key>`; `null` accepts anything (a keyless local server). */
  apiKey?: string | null;
  transcript?: TranscriptScript;
  translator?: Translator;
  /** When set, a model outside this list gets 404 `model_not_found`. */
  models?: string[];
  /** Longest chat input (sum of message characters) before 400 `context_length_exceeded`. */
  maxChatChars?: number;
  /** Upload limit; larger bodies get 413 like the real service (25 MiB). */
  maxUploadBytes?: number;
  /**
   * How a 401 quotes the key it refused: `masked` like api.openai.com (its start and last four
   * characters), `whole` like OpenAI-compatible servers and proxies that echo the Authorization
   * header they were sent ("Incorrect API key provided: Bearer sk-…"). Default `masked`.
   */
  rejectedKeyEcho?: 'masked' | 'whole';
}

export interface FakeOpenAIServer {
  /** `http://127.0.0.1:<port>/v1`: what to give the SDK as `baseURL`. */
  baseURL: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  port: number;
  apiKey: string | null;
  transcriptions: RecordedTranscription[];
  chats: RecordedChat[];
  requests: RecordedRequest[];
  /** The next `times` requests (optionally only to `path`) answer `status` with OpenAI's error body. */
  failNext(
    status: number,
    times?: number,
    headers?: Record<string, string>,
    options?: { body?: unknown; path?: string },
  ): void;
  /** The next `times` requests have their connection destroyed without an answer. */
  dropNext(times?: number, options?: { path?: string }): void;
  /** The next `times` requests are answered only after `ms` milliseconds. */
  delayNext(ms: number, times?: number, options?: { path?: string }): void;
  /** The next request is answered only once the test releases it (a slow engine). */
  holdNext(options?: { path?: string }): HeldRequest;
  setTranscript(script: TranscriptScript): void;
  setTranslator(translator: Translator): void;
  /** Forgets recorded requests and pending scripted failures. */
  reset(): void;
  close(): Promise<void>;
}

const SUPPORTED_FORMATS = "['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']";
const RESPONSE_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt', 'diarized_json'];

/** Whisper's language names for the codes tests use (the service answers names, not codes). */
const WHISPER_NAMES: Record<string, string> = {
  en: 'english',
  de: 'german',
  fr: 'french',
  es: 'spanish',
  it: 'italian',
  pt: 'portuguese',
  nl: 'dutch',
  ja: 'japanese',
  zh: 'chinese',
  ru: 'russian',
  pl: 'polish',
  sv: 'swedish',
  uk: 'ukrainian',
  ko: 'korean',
  ar: 'arabic',
  hi: 'hindi',
  tr: 'turkish',
};

/** Words for `text`, spoken from `start` at a steady pace, with a longer pause after each sentence. */
export function wordsFromText(
  text: string,
  options: { start?: number; wordSeconds?: number; gapSeconds?: number; pauseSeconds?: number; speaker?: string } = {},
): ScriptedWord[] {
  const { start = 0.5, wordSeconds = 0.35, gapSeconds = 0.1, pauseSeconds = 0.8, speaker } = options;
  const words: ScriptedWord[] = [];
  let t = start;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    words.push({ word, start: round(t), end: round(t + wordSeconds), ...(speaker ? { speaker } : {}) });
    t += wordSeconds + (/[.?!]$/.test(word) ? pauseSeconds : gapSeconds);
  }
  return words;
}

const DEFAULT_TEXT =
  'The quick brown fox jumps over the lazy dog. She sells sea shells by the sea shore. ' +
  'How much wood would a woodchuck chuck if a woodchuck could chuck wood?';

function defaultScript(request: RecordedTranscription): ScriptedWord[] {
  const duration = request.file?.durationSeconds ?? 10;
  const words: ScriptedWord[] = [];
  let offset = 0.5;
  while (offset < duration) {
    const batch = wordsFromText(DEFAULT_TEXT, { start: offset }).filter((w) => w.end <= duration);
    if (batch.length === 0) break;
    words.push(...batch);
    offset = batch[batch.length - 1].end + 1;
  }
  return words;
}

function defaultTranslator(request: RecordedChat): string {
  return `[translated] ${request.user ?? ''}`;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAIServer> {
  const apiKey = options.apiKey === undefined ? `sk-test-${randomBytes(8).toString('hex')}` : options.apiKey;
  const maxUploadBytes = options.maxUploadBytes ?? 25 * 1024 * 1024;
  let transcript: TranscriptScript = options.transcript ?? defaultScript;
  let translator: Translator = options.translator ?? defaultTranslator;
  const interceptors = new Interceptors();
  const transcriptions: RecordedTranscription[] = [];
  const chats: RecordedChat[] = [];
  const requests: RecordedRequest[] = [];

  function send(res: ServerResponse, record: RecordedRequest, status: number, body: unknown, headers: Record<string, string> = {}) {
    record.status = status;
    const isText = typeof body === 'string';
    const payload = isText ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
      'x-request-id': `req_${randomBytes(16).toString('hex')}`,
      'openai-version': '2020-10-01',
      'openai-processing-ms': String(50 + Math.floor(Math.random() * 400)),
      ...headers,
    });
    res.end(payload);
  }

  function sendError(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    error: { message: string; type?: string; param?: string | null; code?: string | null },
    headers: Record<string, string> = {},
  ) {
    send(
      res,
      record,
      status,
      { error: { message: error.message, type: error.type ?? 'invalid_request_error', param: error.param ?? null, code: error.code ?? null } },
      headers,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const record: RecordedRequest = { method: req.method ?? 'GET', path, status: 0 };
    requests.push(record);
    const body = await readBody(req);

    const played = await playInterceptor(interceptors.take(path), req, res, record);
    if (played === 'done') return;
    if (played) {
      if (played.body !== undefined) send(res, record, played.status, played.body, played.headers);
      else sendError(res, record, played.status, defaultError(played.status), played.headers);
      return;
    }

    const authorization = headerValue(req.headers.authorization);
    if (apiKey !== null) {
      const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
      if (!match) {
        return sendError(res, record, 401, {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        });
      }
      if (match[1] !== apiKey) {
        return sendError(res, record, 401, {
          message: `Incorrect API key provided: ${options.rejectedKeyEcho === 'whole' ? authorization : redactKey(match[1])}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          code: 'invalid_api_key',
        });
      }
    }

    if (req.method === 'GET' && path === '/v1/models') {
      const ids = options.models ?? ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe', 'gpt-4o-mini'];
      return send(res, record, 200, {
        object: 'list',
        data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })),
      });
    }
    if (req.method === 'POST' && path === '/v1/audio/transcriptions') {
      return handleTranscription(req, res, record, body, authorization);
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      return handleChat(res, record, body, authorization);
    }
    return sendError(res, record, 404, { message: `Invalid URL (${req.method} ${path})` });
  }

  async function handleTranscription(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    body: Buffer,
    authorization: string | null,
  ) {
    if (body.length > maxUploadBytes) {
      return sendError(res, record, 413, {
        message: `Maximum content size limit (${maxUploadBytes}) exceeded (${body.length} bytes read)`,
        type: 'server_error',
      });
    }
    const contentType = headerValue(req.headers['content-type']) ?? '';
    if (!contentType.startsWith('multipart/form-data')) {
      return sendError(res, record, 400, {
        message: "Invalid Content-Type header (" + contentType + "), expected multipart/form-data. (HINT: If you're using curl, you can pass -H 'Content-Type: multipart/form-data')",
      });
    }
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    } catch {
      return sendError(res, record, 400, { message: 'Could not parse multipart form' });
    }
    const fields: Record<string, string[]> = {};
    let file: File | null = null;
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') (fields[key] ??= []).push(value);
      else if (key === 'file') file = value;
    }
    const field = (name: string) => fields[name]?.[0] ?? null;
    const bytes = file ? Buffer.from(await file.arrayBuffer()) : null;
    const model = field('model');
    const responseFormat = field('response_format') ?? 'json';
    const temperature = field('temperature');
    const recorded: RecordedTranscription = {
      model,
      language: field('language'),
      prompt: field('prompt'),
      responseFormat,
      timestampGranularities: fields['timestamp_granularities[]'] ?? [],
      temperature: temperature === null ? null : Number(temperature),
      chunkingStrategy: field('chunking_strategy'),
      file:
        file && bytes
          ? {
              name: file.name,
              size: bytes.length,
              type: file.type,
              sha256: createHash('sha256').update(bytes).digest('hex'),
              durationSeconds: wavDurationSeconds(bytes),
            }
          : null,
      authorization,
      fields,
    };
    transcriptions.push(recorded);

    if (!file || !bytes) {
      return sendError(res, record, 400, { message: "Missing required parameter: 'file'.", param: 'file', code: 'missing_required_parameter' });
    }
    if (!model) {
      return sendError(res, record, 400, { message: "Missing required parameter: 'model'.", param: 'model', code: 'missing_required_parameter' });
    }
    if (options.models && !options.models.includes(model)) {
      return sendError(res, record, 404, {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        code: 'model_not_found',
      });
    }
    if (!RESPONSE_FORMATS.includes(responseFormat)) {
      return sendError(res, record, 400, {
        message: `Invalid value: '${responseFormat}'. Supported values are: ${RESPONSE_FORMATS.map((f) => `'${f}'`).join(', ')}.`,
        param: 'response_format',
        code: 'invalid_value',
      });
    }
    const isGpt4o = /^gpt-4o.*transcribe/.test(model);
    const isDiarizeModel = model.includes('diarize');
    if ((isGpt4o && !isDiarizeModel && !['json', 'text'].includes(responseFormat)) || (responseFormat === 'diarized_json' && !isDiarizeModel)) {
      return sendError(res, record, 400, {
        message: `response_format '${responseFormat}' is not compatible with model '${model}'. Use 'json' or 'text' instead.`,
        param: 'response_format',
        code: 'unsupported_value',
      });
    }
    if (recorded.language !== null && !/^[a-z]{2,3}$/.test(recorded.language)) {
      return sendError(res, record, 400, {
        message: `Invalid language '${recorded.language}'. Language parameter must be specified in ISO-639-1 format.`,
        param: 'language',
        code: 'invalid_language_format',
      });
    }
    if (!looksLikeAudio(bytes)) {
      return sendError(res, record, 400, { message: `Invalid file format. Supported formats: ${SUPPORTED_FORMATS}` });
    }
    const duration = recorded.file?.durationSeconds ?? null;
    if (duration !== null && duration < 0.1) {
      return sendError(res, record, 400, {
        message: 'Audio file is too short. Minimum audio length is 0.1 seconds.',
        param: 'file',
        code: 'audio_too_short',
      });
    }
    if (isDiarizeModel && (duration ?? 0) > 30 && !recorded.chunkingStrategy) {
      return sendError(res, record, 400, {
        message: 'chunking_strategy is required for diarization models when the input is longer than 30 seconds.',
        param: 'chunking_strategy',
        code: 'invalid_value',
      });
    }

    const scripted = transcript(recorded);
    const script: OpenAIScript = Array.isArray(scripted) ? { words: scripted } : scripted;
    const segments = script.segments ? script.segments.map((s, i) => completeSegment(s, i)) : segmentsFromWords(script.words);
    const text = segments.map((s) => s.text).join('').trim();
    const audioSeconds = duration ?? Math.max(0, ...script.words.map((w) => w.end), ...segments.map((s) => s.end));
    const language = script.language ?? (recorded.language ? (WHISPER_NAMES[recorded.language] ?? recorded.language) : 'english');
    const usage = isGpt4o
      ? { type: 'tokens', input_tokens: Math.ceil(audioSeconds * 10), output_tokens: Math.ceil(text.length / 4), total_tokens: Math.ceil(audioSeconds * 10 + text.length / 4) }
      : { type: 'duration', seconds: Math.ceil(audioSeconds) };

    switch (responseFormat) {
      case 'text':
        return send(res, record, 200, `${text}\n`);
      case 'srt':
        return send(res, record, 200, toSrt(segments));
      case 'vtt':
        return send(res, record, 200, toVtt(segments));
      case 'verbose_json': {
        const granularities = recorded.timestampGranularities;
        const withSegments = granularities.length === 0 || granularities.includes('segment');
        const withWords = granularities.includes('word');
        return send(res, record, 200, {
          task: 'transcribe',
          language,
          duration: round(audioSeconds, 2),
          text,
          ...(withWords ? { words: script.words.map((w) => ({ word: stripPunctuation(w.word), start: w.start, end: w.end })) } : {}),
          ...(withSegments ? { segments } : {}),
          usage,
        });
      }
      case 'diarized_json': {
        const turns = turnsFromWords(script.words);
        return send(res, record, 200, {
          task: 'transcribe',
          duration: round(audioSeconds, 2),
          text: turns.map((t) => t.text).join(' '),
          segments: turns.map((t, i) => ({ type: 'transcript.text.segment', id: `seg_${i}`, ...t })),
          usage,
        });
      }
      default:
        return send(res, record, 200, { text, usage });
    }
  }

  async function handleChat(res: ServerResponse, record: RecordedRequest, body: Buffer, authorization: string | null) {
    let parsed: { model?: unknown; messages?: unknown; temperature?: unknown; response_format?: { type?: unknown } };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return sendError(res, record, 400, {
        message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.",
      });
    }
    if (typeof parsed.model !== 'string') {
      return sendError(res, record, 400, { message: 'you must provide a model parameter' });
    }
    if (!Array.isArray(parsed.messages) || parsed.messages.length === 0) {
      return sendError(res, record, 400, {
        message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        param: 'messages',
        code: 'empty_array',
      });
    }
    const messages = (parsed.messages as Array<{ role?: unknown; content?: unknown }>).map((m) => ({
      role: String(m.role),
      content: typeof m.content === 'string' ? m.content : m.content == null ? null : JSON.stringify(m.content),
    }));
    const chat: RecordedChat = {
      model: parsed.model,
      messages,
      system: messages.find((m) => m.role === 'system' || m.role === 'developer')?.content ?? null,
      user: [...messages].reverse().find((m) => m.role === 'user')?.content ?? null,
      temperature: typeof parsed.temperature === 'number' ? parsed.temperature : null,
      responseFormat: typeof parsed.response_format?.type === 'string' ? parsed.response_format.type : null,
      authorization,
    };
    chats.push(chat);
    if (options.models && !options.models.includes(chat.model)) {
      return sendError(res, record, 404, {
        message: `The model \`${chat.model}\` does not exist or you do not have access to it.`,
        code: 'model_not_found',
      });
    }
    const inputChars = messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0);
    if (options.maxChatChars !== undefined && inputChars > options.maxChatChars) {
      return sendError(res, record, 400, {
        message: `This model's maximum context length is ${options.maxChatChars} tokens. However, your messages resulted in ${inputChars} tokens. Please reduce the length of the messages.`,
        param: 'messages',
        code: 'context_length_exceeded',
      });
    }
    const answer = translator(chat);
    const { content, finishReason = 'stop', refusal } = typeof answer === 'string' ? { content: answer } : answer;
    const { promptTokens, completionTokens } = chatTokens(inputChars, content ?? refusal ?? '');
    return send(res, record, 200, {
      id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: chat.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: refusal ?? null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_fake0001',
    });
  }

  const server: Server = createServer((req, res) => {
    res.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(error), type: 'server_error', param: null, code: null } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    baseURL: `${origin}/v1`,
    origin,
    port,
    apiKey,
    transcriptions,
    chats,
    requests,
    failNext(status, times = 1, headers = {}, extra = {}) {
      interceptors.push({ kind: 'fail', status, headers, body: extra.body, path: extra.path }, times);
    },
    dropNext(times = 1, extra = {}) {
      interceptors.push({ kind: 'drop', path: extra.path }, times);
    },
    delayNext(ms, times = 1, extra = {}) {
      interceptors.push({ kind: 'delay', ms, path: extra.path }, times);
    },
    holdNext(extra = {}) {
      const held = new HeldRequest();
      interceptors.push({ kind: 'hold', held, path: extra.path }, 1);
      return held;
    },
    setTranscript(script) {
      transcript = script;
    },
    setTranslator(next) {
      translator = next;
    },
    reset() {
      interceptors.clear();
      transcriptions.length = 0;
      chats.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `usage` the fake reports: about 4 characters a token, input counted over every message's text. */
export function chatTokens(inputChars: number, answer: string): { promptTokens: number; completionTokens: number } {
  return { promptTokens: Math.ceil(inputChars / 4), completionTokens: Math.ceil(answer.length / 4) };
}

function defaultError(status: number): { message: string; type?: string; param?: string | null; code?: string | null } {
  switch (status) {
    case 400:
      return { message: 'Invalid request.' };
    case 401:
      return { message: 'Incorrect API key provided: sk-****. You can find your API key at https://platform.openai.com/account/api-keys.', code: 'invalid_api_key' };
    case 403:
      return { message: 'Country, region, or territory not supported', type: 'request_forbidden', code: 'unsupported_country_region_territory' };
    case 404:
      return { message: 'The model `whisper-1` does not exist or you do not have access to it.', code: 'model_not_found' };
    case 429:
      return {
        message: 'Rate limit reached for whisper-1 in organization org-fake on requests per min (RPM): Limit 50, Used 50, Requested 1. Please try again in 1.2s.',
        type: 'requests',
        code: 'rate_limit_exceeded',
      };
    case 503:
      return { message: 'The engine is currently overloaded, please try again later', type: 'server_error' };
    default:
      return status >= 500
        ? { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error' }
        : { message: `Request failed with status ${status}` };
  }
}

function completeSegment(s: Partial<VerboseSegment> & { start: number; end: number; text: string }, index: number): VerboseSegment {
  const text = s.text.startsWith(' ') ? s.text : ` ${s.text}`;
  return {
    id: s.id ?? index,
    seek: s.seek ?? Math.floor(s.start / 30) * 3000,
    start: s.start,
    end: s.end,
    text,
    tokens: s.tokens ?? tokensFor(text),
    temperature: s.temperature ?? 0,
    avg_logprob: s.avg_logprob ?? -0.18,
    compression_ratio: s.compression_ratio ?? compressionRatio(text),
    no_speech_prob: s.no_speech_prob ?? 0.012,
  };
}

/** Whisper-like segments: a new one after a sentence end, a pause of a second or more, or 30 s. */
function segmentsFromWords(words: ScriptedWord[]): VerboseSegment[] {
  const groups: ScriptedWord[][] = [];
  let current: ScriptedWord[] = [];
  for (const word of words) {
    const previous = current[current.length - 1];
    if (previous && (/[.?!]$/.test(previous.word) || word.start - previous.end >= 1 - 1e-6 || word.end - current[0].start > 30)) {
      groups.push(current);
      current = [];
    }
    current.push(word);
  }
  if (current.length > 0) groups.push(current);
  return groups.map((group, index) => {
    const confidence = group.reduce((sum, w) => sum + (w.confidence ?? 0.92), 0) / group.length;
    return completeSegment(
      {
        start: group[0].start,
        end: group[group.length - 1].end,
        text: ` ${group.map((w) => w.word).join(' ')}`,
        avg_logprob: round(Math.log(confidence), 4),
      },
      index,
    );
  });
}

/** Speaker turns for `diarized_json`: a new one when the speaker changes or after a 2 s pause. */
function turnsFromWords(words: ScriptedWord[]): Array<{ start: number; end: number; speaker: string; text: string }> {
  const turns: Array<{ start: number; end: number; speaker: string; text: string }> = [];
  for (const word of words) {
    const speaker = word.speaker ?? 'A';
    const last = turns[turns.length - 1];
    if (last && last.speaker === speaker && word.start - last.end < 2) {
      last.end = word.end;
      last.text += ` ${word.word}`;
    } else {
      turns.push({ start: word.start, end: word.end, speaker, text: word.word });
    }
  }
  return turns;
}

function tokensFor(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => 1000 + (createHash('md5').update(word).digest().readUInt32BE(0) % 49_000));
}

function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return round(bytes.length / Math.max(1, deflateSync(bytes).length), 6);
}

function stripPunctuation(word: string): string {
  return word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

function timestamp(seconds: number, separator: string): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

function toSrt(segments: VerboseSegment[]): string {
  return segments
    .map((s, i) => `${i + 1}\n${timestamp(s.start, ',')} --> ${timestamp(s.end, ',')}\n${s.text.trim()}\n`)
    .join('\n');
}

function toVtt(segments: VerboseSegment[]): string {
  return `WEBVTT\n\n${segments.map((s) => `${timestamp(s.start, '.')} --> ${timestamp(s.end, '.')}\n${s.text.trim()}\n`).join('\n')}`;
}

function redactKey(key: string): string {
  return key.length <= 8 ? '****' : `${key.slice(0, 3)}${'*'.repeat(Math.max(0, key.length - 7))}${key.slice(-4)}`;
}

