/**
 * A stand-in for Deepgram's speech-to-text API v1, on loopback:
 *
 * - Prerecorded `POST /v1/listen`: the body is the audio (any content type), options are query
 *   parameters (`model`, `language`, `detect_language`, `diarize`, `smart_format`, `punctuate`,
 *   `utterances`, `utt_split`, `paragraphs`, …). The answer has Deepgram's shape: `metadata`,
 *   `results.channels[0].alternatives[0]` (`transcript`, `confidence`, `words` with `speaker`,
 *   `speaker_confidence` and `punctuated_word` when those features are on, `paragraphs`),
 *   `results.channels[0].detected_language`, and `results.utterances`. A JSON body `{"url": …}`
 *   (transcribe by URL) is accepted too.
 * - Live `GET /v1/listen` upgraded to a WebSocket: binary frames are audio; the fake keeps an audio
 *   clock from the byte count (`encoding`, `sample_rate`, `channels`, or a WAV header), "hears" the
 *   scripted words whose end the clock has passed, and sends `Results` messages: interim ones
 *   (`is_final: false`) when `interim_results=true`, finals (`is_final: true`) with
 *   `speech_final: true` at an endpoint (a pause of at least `endpointing` ms, default 10) or
 *   `speech_final: false` when a window grows long; `SpeechStarted` with `vad_events=true`;
 *   `UtteranceEnd` with `utterance_end_ms`. Text frames `{"type":"KeepAlive"}`, `{"type":"Finalize"}`
 *   (flush, `from_finalize: true`) and `{"type":"CloseStream"}` (flush, `Metadata`, close 1000) are
 *   handled; silence longer than `liveIdleTimeoutMs` closes the socket with 1011 (NET-0001) like the
 *   real service.
 *
 * Authentication: `Authorization: Token <key>` (or the browser form, `Sec-WebSocket-Protocol: token, <key>`).
 * Errors use Deepgram's shape: `{"err_code","err_msg","request_id"}`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { realTimers, type Timers } from '../helpers/manualTimers.ts';
import {
  headerValue,
  HeldRequest,
  Interceptors,
  looksLikeAudio,
  playInterceptor,
  readBody,
  round,
  wavDurationSeconds,
  wavHeader,
  type RecordedRequest,
} from './httpFake.ts';

export type { RecordedRequest } from './httpFake.ts';
export { wavDurationSeconds } from './httpFake.ts';

export interface ScriptedWord {
  /** As spoken, with punctuation and case ("Hello,"); `word` in answers is the lowercased bare form. */
  word: string;
  start: number;
  end: number;
  /** Deepgram's 0-based speaker number. Default 0. */
  speaker?: number;
  confidence?: number;
}

export interface DeepgramScript {
  words: ScriptedWord[];
  /** What `detect_language=true` reports. Default: the `language` parameter, else "en". */
  detectedLanguage?: string;
  /** Audio duration for `metadata.duration` when the body is not a WAV file. */
  durationSeconds?: number;
}

export interface RecordedListen {
  model: string | null;
  language: string | null;
  /** Every query parameter (repeated ones joined by commas). */
  query: Record<string, string>;
  /** Every query parameter with all its values, in order (a repeated `keyterm` or `keywords` keeps each term whole). */
  queryAll: Record<string, string[]>;
  detectLanguage: boolean;
  diarize: boolean;
  smartFormat: boolean;
  punctuate: boolean;
  utterances: boolean;
  contentType: string | null;
  bodyBytes: number;
  /** The source URL when the request was `{"url": …}`. */
  url: string | null;
  durationSeconds: number | null;
  authorization: string | null;
}

export interface LiveSession {
  id: string;
  query: Record<string, string>;
  /** Every query parameter with all its values, in order (a repeated `keyterm` or `keywords` keeps each term whole). */
  queryAll: Record<string, string[]>;
  authorization: string | null;
  bytesReceived: number;
  /** Seconds of audio received, from the byte count. */
  audioSeconds: number;
  /** Text frames received (`KeepAlive`, `Finalize`, `CloseStream`, …), parsed. */
  controlMessages: Array<{ type?: string; [key: string]: unknown }>;
  /** Every message the fake sent, in order. */
  sent: Array<{ type: string; [key: string]: unknown }>;
  /** Resolves when the socket has closed. */
  closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
  /** Sends any message (for scripting what the automatic recogniser does not). */
  send(message: object): void;
  close(code?: number, reason?: string): void;
}

/** `audio`: the request's body when it carried audio (a WAV file from the pipeline), else null. */
export type ListenScript = (request: RecordedListen, audio: Buffer | null) => ScriptedWord[] | DeepgramScript;
export type LiveScript = (session: { query: Record<string, string> }) => ScriptedWord[];

export interface FakeDeepgramOptions {
  /** The key clients must send as `Authorization: Token <key>`; `null` accepts anything (self-hosted). */
  apiKey?: string | null;
  transcript?: ListenScript;
  live?: LiveScript;
  /** Close a live socket that receives neither audio nor a text message for this long. Default 10 s. */
  liveIdleTimeoutMs?: number;
  /** The timers that idle timeout runs on (tests/helpers/manualTimers.ts: time moved by the test). Default real ones. */
  liveIdleTimers?: Timers;
  /** Seconds of audio between interim results. Default 1. */
  interimEverySeconds?: number;
  /** A final (`speech_final: false`) is forced once the unfinalised window is this long. Default 8 s. */
  maxWindowSeconds?: number;
}

export interface FakeDeepgramServer {
  /** `http://127.0.0.1:<port>`: the SDK's `baseUrl` (it appends `/v1/listen`; `ws` accepts http URLs). */
  baseUrl: string;
  /** `ws://127.0.0.1:<port>`: for `environment.production` when REST and WS must differ. */
  wsUrl: string;
  port: number;
  apiKey: string | null;
  listens: RecordedListen[];
  requests: RecordedRequest[];
  liveSessions: LiveSession[];
  failNext(status: number, times?: number, headers?: Record<string, string>, options?: { body?: unknown }): void;
  dropNext(times?: number): void;
  delayNext(ms: number, times?: number): void;
  /** The next request is answered only once the test releases it (a slow engine). */
  holdNext(): HeldRequest;
  /** The next `times` live handshakes are refused with this HTTP status. */
  failNextLive(status: number, times?: number, headers?: Record<string, string>): void;
  setTranscript(script: ListenScript): void;
  setLive(script: LiveScript): void;
  /** Resolves with the `index`-th live session once it exists. */
  waitForLiveSession(index?: number, timeoutMs?: number): Promise<LiveSession>;
  reset(): void;
  close(): Promise<void>;
}

const MODEL_UUID = '1abfe86b-e047-4eed-858a-35e5625b41ee';
const MODEL_INFO = { name: '2-general-nova', version: '2024-12-20.0', arch: 'nova-3' };
const NET_0001 =
  'Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001';

/** Words for `text`, spoken from `start` at a steady pace, with a longer pause after each sentence. */
export function wordsFromText(
  text: string,
  options: { start?: number; wordSeconds?: number; gapSeconds?: number; pauseSeconds?: number; speaker?: number } = {},
): ScriptedWord[] {
  const { start = 0.5, wordSeconds = 0.35, gapSeconds = 0.1, pauseSeconds = 0.8, speaker } = options;
  const words: ScriptedWord[] = [];
  let t = start;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    words.push({ word, start: round(t), end: round(t + wordSeconds), ...(speaker !== undefined ? { speaker } : {}) });
    t += wordSeconds + (/[.?!]$/.test(word) ? pauseSeconds : gapSeconds);
  }
  return words;
}

const DEFAULT_TEXT =
  'The quick brown fox jumps over the lazy dog. She sells sea shells by the sea shore. ' +
  'How much wood would a woodchuck chuck if a woodchuck could chuck wood?';

function defaultWords(durationSeconds: number): ScriptedWord[] {
  const words: ScriptedWord[] = [];
  let offset = 0.5;
  while (offset < durationSeconds) {
    const batch = wordsFromText(DEFAULT_TEXT, { start: offset }).filter((w) => w.end <= durationSeconds);
    if (batch.length === 0) break;
    words.push(...batch);
    offset = batch[batch.length - 1].end + 1;
  }
  return words;
}

export async function startFakeDeepgram(options: FakeDeepgramOptions = {}): Promise<FakeDeepgramServer> {
  const apiKey = options.apiKey === undefined ? `dg-test-${randomUUID()}` : options.apiKey;
  const idleTimeoutMs = options.liveIdleTimeoutMs ?? 10_000;
  const idleTimers = options.liveIdleTimers ?? realTimers;
  const interimEvery = options.interimEverySeconds ?? 1;
  const maxWindow = options.maxWindowSeconds ?? 8;
  let transcript: ListenScript = options.transcript ?? ((request) => defaultWords(request.durationSeconds ?? 10));
  let live: LiveScript = options.live ?? (() => defaultWords(600));
  const interceptors = new Interceptors();
  let liveFailures: Array<{ status: number; headers: Record<string, string> }> = [];
  const listens: RecordedListen[] = [];
  const requests: RecordedRequest[] = [];
  const liveSessions: LiveSession[] = [];
  const sessionWaiters: Array<() => void> = [];

  function send(res: ServerResponse, record: RecordedRequest, status: number, body: unknown, headers: Record<string, string> = {}) {
    record.status = status;
    res.writeHead(status, {
      'content-type': 'application/json',
      'dg-request-id': randomUUID(),
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  function sendError(res: ServerResponse, record: RecordedRequest, status: number, errCode: string, errMsg: string, headers: Record<string, string> = {}) {
    send(res, record, status, { err_code: errCode, err_msg: errMsg, request_id: randomUUID() }, { 'dg-error': errMsg, ...headers });
  }

  function checkAuth(authorization: string | null, protocols: string[]): boolean {
    if (apiKey === null) return true;
    const match = /^token\s+(.+)$/i.exec(authorization ?? '');
    if (match) return match[1] === apiKey;
    const tokenIndex = protocols.findIndex((p) => p.toLowerCase() === 'token');
    return tokenIndex >= 0 && protocols[tokenIndex + 1] === apiKey;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, status: 0 };
    requests.push(record);
    const body = await readBody(req);

    const played = await playInterceptor(interceptors.take(url.pathname), req, res, record);
    if (played === 'done') return;
    if (played) {
      if (played.body !== undefined) return send(res, record, played.status, played.body, played.headers);
      const [code, message] = defaultError(played.status);
      return sendError(res, record, played.status, code, message, played.headers);
    }

    const authorization = headerValue(req.headers.authorization);
    if (!checkAuth(authorization, [])) {
      return sendError(res, record, 401, 'INVALID_AUTH', 'Invalid credentials.');
    }
    if (url.pathname !== '/v1/listen' || req.method !== 'POST') {
      return sendError(res, record, 404, 'NOT_FOUND', `Not found: ${req.method} ${url.pathname}`);
    }

    const query = queryRecord(url.searchParams);
    const flag = (name: string) => query[name] === 'true';
    const contentType = headerValue(req.headers['content-type']);
    let sourceUrl: string | null = null;
    let audio: Buffer | null = body;
    if (contentType?.startsWith('application/json')) {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { url?: unknown };
        sourceUrl = typeof parsed.url === 'string' ? parsed.url : null;
      } catch {
        // handled below
      }
      audio = null;
      if (!sourceUrl) return sendError(res, record, 400, 'Bad Request', 'Bad Request: failed to parse JSON body, expected {"url": "..."}');
    }
    const recorded: RecordedListen = {
      model: query.model ?? null,
      language: query.language ?? null,
      query,
      queryAll: queryAll(url.searchParams),
      detectLanguage: flag('detect_language'),
      diarize: flag('diarize'),
      smartFormat: flag('smart_format'),
      punctuate: flag('punctuate') || flag('smart_format'),
      utterances: flag('utterances'),
      contentType,
      bodyBytes: body.length,
      url: sourceUrl,
      durationSeconds: audio ? wavDurationSeconds(audio) : null,
      authorization,
    };
    listens.push(recorded);
    if (audio && audio.length === 0) {
      return sendError(res, record, 400, 'Bad Request', 'Bad Request: payload is empty. Please provide audio data.');
    }
    if (audio && !looksLikeAudio(audio) && !query.encoding) {
      return sendError(res, record, 400, 'Bad Request', 'Bad Request: failed to process audio: corrupt or unsupported data');
    }

    const scripted = transcript(recorded, audio);
    const script: DeepgramScript = Array.isArray(scripted) ? { words: scripted } : scripted;
    const duration =
      recorded.durationSeconds ?? script.durationSeconds ?? Math.max(0, ...script.words.map((w) => w.end));
    const format = { punctuate: recorded.punctuate, diarize: recorded.diarize };
    const words = script.words.map((w) => formatWord(w, format, true));
    const transcriptText = words.map((w) => w.punctuated_word ?? w.word).join(' ');
    const confidence = words.length ? round(words.reduce((sum, w) => sum + w.confidence, 0) / words.length, 4) : 0;
    const alternative: Record<string, unknown> = { transcript: transcriptText, confidence, words };
    if (flag('paragraphs') || recorded.smartFormat) alternative.paragraphs = paragraphsFor(script.words, format);
    const channel: Record<string, unknown> = { alternatives: [alternative] };
    if (recorded.detectLanguage) {
      channel.detected_language = script.detectedLanguage ?? recorded.language ?? 'en';
      channel.language_confidence = 0.9871;
    }
    const results: Record<string, unknown> = { channels: [channel] };
    if (recorded.utterances) {
      const split = Number(query.utt_split ?? 0.8);
      results.utterances = groupWords(script.words, split).map((group) => {
        const groupWords = group.map((w) => formatWord(w, format, true));
        return {
          start: group[0].start,
          end: group[group.length - 1].end,
          confidence: round(groupWords.reduce((sum, w) => sum + w.confidence, 0) / groupWords.length, 4),
          channel: 0,
          transcript: groupWords.map((w) => w.punctuated_word ?? w.word).join(' '),
          words: groupWords,
          speaker: group[0].speaker ?? 0,
          id: randomUUID(),
        };
      });
    }
    const metadata: Record<string, unknown> = {
      transaction_key: 'deprecated',
      request_id: randomUUID(),
      sha256: createHash('sha256').update(audio ?? Buffer.from(sourceUrl ?? '')).digest('hex'),
      created: new Date().toISOString(),
      duration: round(duration, 6),
      channels: 1,
      models: [MODEL_UUID],
      model_info: { [MODEL_UUID]: MODEL_INFO },
    };
    if (recorded.diarize) metadata.diarize_info = { model_uuid: randomUUID(), arch: 'v2' };
    return send(res, record, 200, { metadata, results });
  }

  const server: Server = createServer((req, res) => {
    res.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ err_code: 'INTERNAL_SERVER_ERROR', err_msg: String(error), request_id: randomUUID() }));
      }
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => {
      for (const p of protocols) if (p.toLowerCase() === 'token' || p.toLowerCase() === 'bearer') return p;
      return false;
    },
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = { method: 'GET (websocket)', path: url.pathname, status: 0 };
    requests.push(record);
    const reject = (status: number, errCode: string, message: string, headers: Record<string, string> = {}) => {
      record.status = status;
      rejectUpgrade(socket, status, { err_code: errCode, err_msg: message, request_id: randomUUID() }, { 'dg-error': message, ...headers });
    };
    const failure = liveFailures.shift();
    if (failure) {
      const [code, message] = defaultError(failure.status);
      return reject(failure.status, code, message, failure.headers);
    }
    if (url.pathname !== '/v1/listen') return reject(404, 'NOT_FOUND', `Not found: ${url.pathname}`);
    const authorization = headerValue(req.headers.authorization);
    const protocols = (headerValue(req.headers['sec-websocket-protocol']) ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (!checkAuth(authorization, protocols)) return reject(401, 'INVALID_AUTH', 'Invalid credentials.');
    const query = queryRecord(url.searchParams);
    if (query.encoding && !query.sample_rate) {
      return reject(400, 'Bad Request', 'Bad Request: sample_rate must be specified when encoding is set.');
    }
    record.status = 101;
    wss.handleUpgrade(req, socket, head, (ws) => startLiveSession(ws, query, queryAll(url.searchParams), authorization));
  });

  function startLiveSession(ws: WebSocket, query: Record<string, string>, queryValues: Record<string, string[]>, authorization: string | null) {
    const requestId = randomUUID();
    const flag = (name: string) => query[name] === 'true';
    const format = { punctuate: flag('punctuate') || flag('smart_format'), diarize: flag('diarize') };
    const interim = flag('interim_results');
    const vadEvents = flag('vad_events');
    const endpointing = query.endpointing === 'false' ? null : Number(query.endpointing ?? 10) / 1000;
    const utteranceEnd = query.utterance_end_ms ? Number(query.utterance_end_ms) / 1000 : null;
    const channels = Number(query.channels ?? 1);
    const words = [...live({ query })].sort((a, b) => a.start - b.start);
    let bytesPerSecond = query.encoding ? Number(query.sample_rate) * channels * bytesPerSample(query.encoding) : 0;
    let headerPending = !query.encoding;

    let next = 0; // first word not yet finalised
    let windowStart = 0;
    let lastInterimAt = 0;
    let inSpeech = false;
    let pendingUtteranceEnd: number | null = null;
    let closing = false;
    let idleTimer: unknown;
    let resolveClosed!: (value: { code: number; reason: string }) => void;

    const session: LiveSession = {
      id: requestId,
      query,
      queryAll: queryValues,
      authorization,
      bytesReceived: 0,
      audioSeconds: 0,
      controlMessages: [],
      sent: [],
      closed: new Promise((resolve) => (resolveClosed = resolve)),
      isOpen: () => ws.readyState === ws.OPEN,
      send(message) {
        session.sent.push(message as { type: string });
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      close(code = 1000, reason = '') {
        closing = true;
        idleTimers.clear(idleTimer);
        if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
      },
    };
    liveSessions.push(session);
    for (const wake of sessionWaiters.splice(0)) wake();

    const armIdle = () => {
      idleTimers.clear(idleTimer);
      idleTimer = idleTimers.set(() => session.close(1011, NET_0001), idleTimeoutMs);
    };
    armIdle();

    const results = (heard: ScriptedWord[], isFinal: boolean, speechFinal: boolean, fromFinalize = false) => {
      const formatted = heard.map((w) => formatWord(w, format, false));
      const start = windowStart;
      const end = session.audioSeconds;
      session.send({
        type: 'Results',
        channel_index: [0, 1],
        duration: round(Math.max(0, end - start), 3),
        start: round(start, 3),
        is_final: isFinal,
        speech_final: speechFinal,
        channel: {
          alternatives: [
            {
              transcript: formatted.map((w) => w.punctuated_word ?? w.word).join(' '),
              confidence: formatted.length ? round(formatted.reduce((s, w) => s + w.confidence, 0) / formatted.length, 4) : 0,
              words: formatted,
            },
          ],
        },
        metadata: { request_id: requestId, model_info: MODEL_INFO, model_uuid: MODEL_UUID },
        from_finalize: fromFinalize,
      });
      if (isFinal) {
        next += heard.length;
        windowStart = end;
        lastInterimAt = end;
      }
    };

    /** Words heard so far in the open window: ended ones, or (on flush) also ones already begun. */
    const heardWords = (includeStarted: boolean) => {
      const now = session.audioSeconds;
      const heard: ScriptedWord[] = [];
      for (let i = next; i < words.length; i += 1) {
        const w = words[i];
        if (w.end <= now || (includeStarted && w.start < now)) heard.push(w);
        else break;
      }
      return heard;
    };

    const step = () => {
      const now = session.audioSeconds;
      const heard = heardWords(false);
      const upcoming = words[next + heard.length];
      const started = upcoming !== undefined && upcoming.start <= now;
      if (vadEvents && !inSpeech && (heard.length > 0 || started)) {
        session.send({ type: 'SpeechStarted', channel: [0, 1], timestamp: round((heard[0] ?? upcoming).start, 3) });
      }
      if (heard.length > 0 || started) {
        inSpeech = true;
        pendingUtteranceEnd = null;
      }
      const last = heard[heard.length - 1];
      if (last && endpointing !== null && !started && now - last.end >= endpointing) {
        results(heard, true, true);
        inSpeech = false;
        pendingUtteranceEnd = last.end;
      } else if (last && now - windowStart >= maxWindow) {
        results(heard, true, false);
      } else if (interim && (heard.length > 0 || started) && now - lastInterimAt >= interimEvery) {
        results(heardWords(true), false, false);
        lastInterimAt = now;
      }
      if (interim && utteranceEnd !== null && pendingUtteranceEnd !== null && !started && now - pendingUtteranceEnd >= utteranceEnd) {
        session.send({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: round(pendingUtteranceEnd, 3) });
        pendingUtteranceEnd = null;
      }
    };

    const flush = (fromFinalize: boolean) => {
      const heard = heardWords(true);
      results(heard, true, !fromFinalize && heard.length > 0, fromFinalize);
      inSpeech = false;
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (closing) return;
      armIdle();
      const buffer = toBuffer(data);
      if (isBinary) {
        let audio = buffer;
        if (headerPending) {
          headerPending = false;
          const header = wavHeader(buffer);
          bytesPerSecond = header?.byteRate ?? 32_000;
          if (header) audio = buffer.subarray(header.dataOffset);
        }
        session.bytesReceived += buffer.length;
        // Advance the clock in small steps so one large frame still yields every result in it.
        let remaining = audio.length / bytesPerSecond;
        while (remaining > 1e-9) {
          const delta = Math.min(0.1, remaining);
          session.audioSeconds += delta;
          remaining -= delta;
          step();
        }
        return;
      }
      let message: { type?: string; [key: string]: unknown };
      try {
        message = JSON.parse(buffer.toString('utf8')) as typeof message;
      } catch {
        session.close(1008, 'DATA-0000: Invalid JSON in text message');
        return;
      }
      session.controlMessages.push(message);
      switch (message.type) {
        case 'KeepAlive':
          return;
        case 'Finalize':
          flush(true);
          return;
        case 'CloseStream':
          flush(false);
          session.send({
            type: 'Metadata',
            transaction_key: 'deprecated',
            request_id: requestId,
            sha256: createHash('sha256').update(requestId).digest('hex'),
            created: new Date().toISOString(),
            duration: round(session.audioSeconds, 6),
            channels,
            models: [MODEL_UUID],
            model_info: { [MODEL_UUID]: MODEL_INFO },
          });
          session.close(1000, '');
          return;
        default:
          session.close(1008, `DATA-0000: Unrecognized message type ${JSON.stringify(message.type ?? null)}`);
      }
    });
    ws.on('error', () => {});
    ws.on('close', (code, reason) => {
      closing = true;
      idleTimers.clear(idleTimer);
      resolveClosed({ code, reason: reason.toString('utf8') });
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    apiKey,
    listens,
    requests,
    liveSessions,
    failNext(status, times = 1, headers = {}, extra = {}) {
      interceptors.push({ kind: 'fail', status, headers, body: extra.body }, times);
    },
    dropNext(times = 1) {
      interceptors.push({ kind: 'drop' }, times);
    },
    delayNext(ms, times = 1) {
      interceptors.push({ kind: 'delay', ms }, times);
    },
    holdNext() {
      const held = new HeldRequest();
      interceptors.push({ kind: 'hold', held }, 1);
      return held;
    },
    failNextLive(status, times = 1, headers = {}) {
      for (let i = 0; i < times; i += 1) liveFailures.push({ status, headers });
    },
    setTranscript(script) {
      transcript = script;
    },
    setLive(script) {
      live = script;
    },
    async waitForLiveSession(index = 0, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!liveSessions[index]) {
        if (Date.now() > deadline) throw new Error(`no live session #${index} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 50);
          sessionWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return liveSessions[index];
    },
    reset() {
      interceptors.clear();
      liveFailures = [];
      listens.length = 0;
      requests.length = 0;
      liveSessions.length = 0;
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

interface FormattedWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
  speaker?: number;
  speaker_confidence?: number;
  punctuated_word?: string;
}

function formatWord(w: ScriptedWord, format: { punctuate: boolean; diarize: boolean }, prerecorded: boolean): FormattedWord {
  const out: FormattedWord = {
    word: bare(w.word).toLowerCase(),
    start: w.start,
    end: w.end,
    confidence: w.confidence ?? 0.98,
  };
  if (format.diarize) {
    out.speaker = w.speaker ?? 0;
    if (prerecorded) out.speaker_confidence = 0.87;
  }
  if (format.punctuate) out.punctuated_word = w.word;
  return out;
}

/** Utterances: a new one when the speaker changes or after a pause of `split` seconds. */
function groupWords(words: ScriptedWord[], split: number): ScriptedWord[][] {
  const groups: ScriptedWord[][] = [];
  let current: ScriptedWord[] = [];
  for (const word of words) {
    const previous = current[current.length - 1];
    if (previous && ((previous.speaker ?? 0) !== (word.speaker ?? 0) || word.start - previous.end >= split - 1e-6)) {
      groups.push(current);
      current = [];
    }
    current.push(word);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function paragraphsFor(words: ScriptedWord[], format: { punctuate: boolean; diarize: boolean }) {
  const paragraphs = groupWords(words, 1.5).map((group) => {
    const sentences: Array<{ text: string; start: number; end: number }> = [];
    let sentence: ScriptedWord[] = [];
    for (const word of group) {
      sentence.push(word);
      if (/[.?!]$/.test(word.word)) {
        sentences.push({ text: sentence.map((w) => w.word).join(' '), start: sentence[0].start, end: word.end });
        sentence = [];
      }
    }
    if (sentence.length) sentences.push({ text: sentence.map((w) => w.word).join(' '), start: sentence[0].start, end: sentence[sentence.length - 1].end });
    return {
      sentences,
      ...(format.diarize ? { speaker: group[0].speaker ?? 0 } : {}),
      num_words: group.length,
      start: group[0].start,
      end: group[group.length - 1].end,
    };
  });
  const transcript = paragraphs
    .map((p) => `\n${format.diarize ? `Speaker ${p.speaker}: ` : ''}${p.sentences.map((s) => s.text).join(' ')}`)
    .join('\n');
  return { transcript, paragraphs };
}

function defaultError(status: number): [string, string] {
  switch (status) {
    case 400:
      return ['Bad Request', 'Bad Request: failed to process audio: corrupt or unsupported data'];
    case 401:
      return ['INVALID_AUTH', 'Invalid credentials.'];
    case 402:
      return ['ASR_PAYMENT_REQUIRED', 'Project does not have enough credits for an ASR request and does not have an overage agreement.'];
    case 403:
      return ['INSUFFICIENT_PERMISSIONS', 'You do not have permission to access the requested resource.'];
    case 429:
      return ['TOO_MANY_REQUESTS', 'Too many requests. Please try again later.'];
    case 503:
      return ['SERVICE_UNAVAILABLE', 'The service is temporarily unavailable. Please try again later.'];
    default:
      return status >= 500 ? ['INTERNAL_SERVER_ERROR', 'An internal server error occurred.'] : ['Bad Request', `Request failed with status ${status}`];
  }
}

function rejectUpgrade(socket: Duplex, status: number, body: object, headers: Record<string, string>) {
  const payload = JSON.stringify(body);
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' }[status] ?? 'Error';
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(payload)}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${payload}`);
  (socket as Socket).destroySoon?.();
}

function bytesPerSample(encoding: string): number {
  if (encoding === 'linear32') return 4;
  if (encoding === 'mulaw' || encoding === 'alaw') return 1;
  return 2;
}

function bare(word: string): string {
  return word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

function queryAll(params: URLSearchParams): Record<string, string[]> {
  return Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key)]));
}

function queryRecord(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(params.keys())) out[key] = params.getAll(key).join(',');
  return out;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

