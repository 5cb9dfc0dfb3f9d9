/**
 * DEEPGRAM live engine: Deepgram's live WebSocket (`/v1/listen`) through @deepgram/sdk, sent
 * 16 kHz linear16 with interim results, punctuation and endpointing on. Interim `Results`
 * (`is_final: false`) become partials, final ones finals.
 *
 * SDK notes: `listen.v1.connect()` returns a socket that is not open yet (call `connect()`, then
 * wait for open); `on()` replaces the handler for an event, so each event gets exactly one; a
 * close other than 1000 would trigger silent reconnects, so `reconnectAttempts: 0` (the session
 * runtime recreates the engine instead); `close()` fires a second, synthetic close event. Vocabulary
 * goes as the file engine sends it (deepgramVocabulary.ts): one `keyterm` (or `keywords`) query
 * parameter per term, through `queryParams` (the SDK's own `keyterm` argument would send a JSON array).
 */
import { ProviderError, type Segment, type Word } from '../providers/types.ts';
import { createDeepgramClient, deepgramSpeakerLabel, type DgWord } from '../providers/deepgram.ts';
import { cloudKey } from '../providers/cloudKey.ts';
import { mapDeepgramSocketError } from '../providers/deepgramErrors.ts';
import { deepgramVocabulary } from '../providers/deepgramVocabulary.ts';
import { hasVocabulary } from '../providers/vocabulary.ts';
import { LIVE_SAMPLE_RATE, LiveEngine, type LiveEngineOptions } from './types.ts';

const OPEN_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 15_000;
/** Deepgram closes a stream that hears nothing for 10 s; a KeepAlive every 4 s of silence keeps it. */
const KEEPALIVE_MS = 4_000;

interface DgMessage {
  type?: string;
  is_final?: boolean;
  start?: number;
  duration?: number;
  channel?: { alternatives?: Array<{ transcript?: string; words?: DgWord[] }> };
}

type V1Socket = Awaited<ReturnType<ReturnType<typeof createDeepgramClient>['listen']['v1']['connect']>>;

interface DeepgramLiveConfig {
  baseURL?: string | null;
  defaultModel: string;
  timeoutMs: number;
}

export class DeepgramLiveEngine extends LiveEngine {
  readonly name = 'DEEPGRAM' as const;
  readonly #socket: V1Socket;
  #closing = false;
  #closed = false;
  #onClosed: (() => void) | null = null;
  #lastSent = Date.now();
  readonly #keepAlive: NodeJS.Timeout;
  /** The key in use, cut out of any error text the socket reports. */
  readonly #apiKey: string | null;

  private constructor(socket: V1Socket, apiKey: string | null) {
    super();
    this.#socket = socket;
    this.#apiKey = apiKey;
    this.#keepAlive = setInterval(() => {
      if (this.#closed || this.#closing || Date.now() - this.#lastSent < KEEPALIVE_MS) return;
      try {
        socket.sendKeepAlive({ type: 'KeepAlive' });
        this.#lastSent = Date.now();
      } catch {
        // reported through the close handler
      }
    }, KEEPALIVE_MS / 2);
    this.#keepAlive.unref();
  }

  /** Opens the live socket. @throws ProviderError ('auth' for a refused key, else 'transient'). */
  static async open(config: DeepgramLiveConfig, options: LiveEngineOptions): Promise<DeepgramLiveEngine> {
    const apiKey = cloudKey('DEEPGRAM', options.apiKey, { baseURL: config.baseURL });
    const client = createDeepgramClient({ apiKey, baseURL: config.baseURL, timeoutMs: config.timeoutMs });
    const model = options.model || config.defaultModel;
    const vocabulary = hasVocabulary(options.vocabulary) ? deepgramVocabulary(options.vocabulary, model) : null;
    const socket = await client.listen.v1.connect({
      model,
      encoding: 'linear16',
      sample_rate: LIVE_SAMPLE_RATE,
      channels: 1,
      interim_results: 'true',
      punctuate: 'true',
      smart_format: 'true',
      endpointing: 300,
      ...(options.language ? { language: options.language } : {}),
      ...(vocabulary ? { queryParams: vocabulary.params } : {}),
      reconnectAttempts: 0,
      connectionTimeoutInSeconds: OPEN_TIMEOUT_MS / 1000,
    } as Parameters<ReturnType<typeof createDeepgramClient>['listen']['v1']['connect']>[0]);
    let engine: DeepgramLiveEngine | null = null;
    const opened = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ProviderError('transient', 'Deepgram did not answer in time.')), OPEN_TIMEOUT_MS);
      socket.on('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        if (engine) engine.#failed(error);
        else reject(mapDeepgramSocketError(error, options.apiKey));
      });
      socket.on('close', (event) => {
        clearTimeout(timer);
        if (engine) engine.#handleClose(event as { code?: number; reason?: string });
        else reject(new ProviderError('transient', `Deepgram closed the connection (${(event as { code?: number }).code ?? '?'}).`));
      });
      socket.on('message', (message) => {
        if (engine) engine.#handleMessage(message as DgMessage);
      });
    });
    try {
      socket.connect();
      await opened;
    } catch (error) {
      socket.close();
      throw error;
    }
    engine = new DeepgramLiveEngine(socket, options.apiKey);
    if (vocabulary) options.onVocabularyApplied?.(vocabulary.report);
    return engine;
  }

  write(pcm: Buffer): void {
    if (this.#closed || this.#closing) return;
    try {
      this.#socket.sendMedia(pcm);
      this.#lastSent = Date.now();
    } catch (error) {
      this.#failed(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async end(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => {
      this.#onClosed = resolve;
      setTimeout(resolve, CLOSE_TIMEOUT_MS).unref();
    });
    try {
      this.#socket.sendCloseStream({ type: 'CloseStream' });
      await closed;
    } catch {
      // already closed
    }
    this.#shutdown();
  }

  async destroy(): Promise<void> {
    this.#closing = true;
    this.#shutdown();
  }

  #shutdown(): void {
    clearInterval(this.#keepAlive);
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }

  #handleMessage(message: DgMessage): void {
    if (this.#closed || message.type !== 'Results') return;
    const alternative = message.channel?.alternatives?.[0];
    const text = (alternative?.transcript ?? '').trim();
    if (!text) return;
    const start = message.start ?? 0;
    const end = start + (message.duration ?? 0);
    if (!message.is_final) {
      this.emit('partial', { text, start, end });
      return;
    }
    const words: Word[] = (alternative?.words ?? [])
      .map((w) => ({
        word: w.punctuated_word ?? w.word ?? '',
        start: w.start ?? start,
        end: w.end ?? w.start ?? start,
        confidence: w.confidence ?? null,
        speaker: deepgramSpeakerLabel(w.speaker),
      }))
      .filter((w) => w.word.length > 0);
    const segment: Segment = {
      start: words[0]?.start ?? start,
      end: words[words.length - 1]?.end ?? end,
      text,
      speaker: null,
      words,
    };
    this.emit('final', segment);
  }

  #handleClose(event: { code?: number; reason?: string }): void {
    if (this.#closed && !this.#closing) return; // the SDK's second, synthetic close
    const expected = this.#closing;
    this.#onClosed?.();
    this.#onClosed = null;
    if (!expected) {
      this.#closed = true;
      clearInterval(this.#keepAlive);
      this.emit('error', new ProviderError('transient', `Deepgram closed the stream (${event.code ?? '?'} ${event.reason ?? ''})`.trim(), {}, [this.#apiKey]));
    }
  }

  #failed(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepAlive);
    this.#onClosed?.();
    this.#onClosed = null;
    this.emit('error', mapDeepgramSocketError(error, this.#apiKey));
  }
}
