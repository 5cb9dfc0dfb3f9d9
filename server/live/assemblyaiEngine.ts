/**
 * ASSEMBLYAI live engine: AssemblyAI's Universal Streaming v3 WebSocket
 * (`wss://streaming.assemblyai.com/v3/ws`, ASSEMBLYAI_STREAMING_URL), spoken with `ws` directly
 * (the SDK's streaming client builds its own URL), sent 16 kHz pcm_s16le with `format_turns=true`.
 *
 * Protocol: the key goes in the `Authorization` header; binary frames carry 50–1000 ms of audio
 * each (so PCM is gathered here into frames of that size); the server answers `Begin`, then `Turn`
 * messages (words with ms times), and `Termination` after the client's `{"type":"Terminate"}`.
 * A turn still in progress becomes a partial; with format_turns an ended turn comes twice, plain
 * then formatted, and the formatted one becomes the final. Failures arrive as close codes with a
 * reason: 1008 and 4001–4003 (key refused, no funds, no permission) map to `auth`, the rest
 * (dropped connections included) to `transient`, as the other engines do, so fallback applies.
 */
import WebSocket from 'ws';
import { ProviderError, type Segment, type Word } from '../providers/types.ts';
import { assemblyaiVocabulary } from '../providers/assemblyaiVocabulary.ts';
import { cloudKey } from '../providers/cloudKey.ts';
import { hasVocabulary } from '../providers/vocabulary.ts';
import { LIVE_SAMPLE_RATE, LiveEngine, type LiveEngineOptions } from './types.ts';

const OPEN_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 15_000;
const BYTES_PER_MS = (LIVE_SAMPLE_RATE * 2) / 1000;
/** Frames are sent once this much audio is gathered (AssemblyAI takes 50–1000 ms per frame). */
const FRAME_MIN_BYTES = 100 * BYTES_PER_MS;
const FRAME_MAX_BYTES = 1000 * BYTES_PER_MS;
const FRAME_FLOOR_BYTES = 50 * BYTES_PER_MS;
/** Close codes by which AssemblyAI refuses the caller (bad key, insufficient funds, no permission). */
const AUTH_CLOSE_CODES = new Set([1008, 4001, 4002, 4003]);

interface AaiStreamWord {
  start?: number;
  end?: number;
  text?: string;
  confidence?: number;
  word_is_final?: boolean;
}

interface AaiStreamMessage {
  type?: string;
  turn_order?: number;
  end_of_turn?: boolean;
  turn_is_formatted?: boolean;
  transcript?: string;
  words?: AaiStreamWord[];
}

interface AssemblyAILiveConfig {
  /** The v3 WebSocket URL without the query (ASSEMBLYAI_STREAMING_URL). */
  streamingURL: string;
}

/** The session's vocabulary as the file engine maps it (assemblyaiVocabulary.ts), or null without one. */
function streamingVocabulary(options: Pick<LiveEngineOptions, 'model' | 'vocabulary'>) {
  return hasVocabulary(options.vocabulary) ? assemblyaiVocabulary(options.vocabulary, options.model) : null;
}

/**
 * The v3 URL for this session: 16 kHz pcm_s16le, formatted turns, the model when one is named, and
 * the vocabulary's parameters (a list, such as `keyterms_prompt`, goes JSON-encoded, as v3 takes it).
 */
export function assemblyaiStreamingUrl(base: string, options: Pick<LiveEngineOptions, 'model' | 'vocabulary'>): string {
  const url = new URL(base);
  url.searchParams.set('sample_rate', String(LIVE_SAMPLE_RATE));
  url.searchParams.set('encoding', 'pcm_s16le');
  url.searchParams.set('format_turns', 'true');
  if (options.model) url.searchParams.set('speech_model', options.model);
  for (const [name, value] of Object.entries(streamingVocabulary(options)?.params ?? {})) {
    url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return url.toString();
}

/** Why the socket closed, as a ProviderError (the key cut out of the reason). */
export function mapAssemblyAIClose(code: number, reason: string, apiKey: string | null): ProviderError {
  const detail = `(${code}${reason ? ` ${reason}` : ''})`;
  if (AUTH_CLOSE_CODES.has(code)) return new ProviderError('auth', `AssemblyAI refused the session ${detail}`, {}, [apiKey]);
  return new ProviderError('transient', `AssemblyAI closed the stream ${detail}`, {}, [apiKey]);
}

export class AssemblyAILiveEngine extends LiveEngine {
  readonly name = 'ASSEMBLYAI' as const;
  readonly #socket: WebSocket;
  readonly #apiKey: string | null;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #closing = false;
  #closed = false;
  #onClosed: (() => void) | null = null;

  private constructor(socket: WebSocket, apiKey: string | null) {
    super();
    this.#socket = socket;
    this.#apiKey = apiKey;
  }

  /** Opens the stream and waits for `Begin`. @throws ProviderError ('auth' for a refused key, else 'transient'). */
  static async open(config: AssemblyAILiveConfig, options: LiveEngineOptions): Promise<AssemblyAILiveEngine> {
    const apiKey = cloudKey('ASSEMBLYAI', options.apiKey, {});
    const socket = new WebSocket(assemblyaiStreamingUrl(config.streamingURL, options), {
      headers: apiKey ? { Authorization: apiKey } : {},
      handshakeTimeout: OPEN_TIMEOUT_MS,
    });
    const engine = new AssemblyAILiveEngine(socket, apiKey);
    let began: ((error?: ProviderError) => void) | null = null;
    const opened = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => began?.(new ProviderError('transient', 'AssemblyAI did not begin the session in time.')), OPEN_TIMEOUT_MS);
      began = (error) => {
        clearTimeout(timer);
        began = null;
        if (error) {
          engine.#closed = true; // later socket events are the failed start's, not a running engine's
          reject(error);
        } else resolve();
      };
    });
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      const kind = status === 401 || status === 402 || status === 403 ? 'auth' : 'transient';
      began?.(new ProviderError(kind, `AssemblyAI refused the connection (HTTP ${status})`, { status }, [apiKey]));
      socket.terminate();
    });
    socket.on('error', (error) => {
      const failure = new ProviderError('transient', `Could not reach AssemblyAI: ${error.message}`, {}, [apiKey]);
      if (began) began(failure);
      else engine.#fail(failure);
    });
    socket.on('close', (code, reason) => {
      const failure = mapAssemblyAIClose(code, reason.toString('utf8'), apiKey);
      if (began) began(failure);
      else engine.#handleClose(failure);
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: AaiStreamMessage;
      try {
        message = JSON.parse(data.toString()) as AaiStreamMessage;
      } catch {
        return;
      }
      if (message.type === 'Begin') began?.();
      else if (!began) engine.#handleMessage(message);
    });
    try {
      await opened;
    } catch (error) {
      engine.#closed = true;
      socket.terminate();
      throw error;
    }
    const vocabulary = streamingVocabulary(options);
    if (vocabulary) options.onVocabularyApplied?.(vocabulary.report);
    return engine;
  }

  write(pcm: Buffer): void {
    if (this.#closed || this.#closing || pcm.length === 0) return;
    this.#pending.push(pcm);
    this.#pendingBytes += pcm.length;
    if (this.#pendingBytes >= FRAME_MIN_BYTES) this.#sendPending();
  }

  async end(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => {
      this.#onClosed = resolve;
      setTimeout(resolve, CLOSE_TIMEOUT_MS).unref();
    });
    try {
      if (this.#pendingBytes > 0) this.#sendPending(true);
      this.#socket.send(JSON.stringify({ type: 'Terminate' }));
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

  /** Sends the gathered audio in frames of at most 1000 ms; the last one padded to 50 ms when `final`. */
  #sendPending(final = false): void {
    let audio = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (final && audio.length < FRAME_FLOOR_BYTES) audio = Buffer.concat([audio, Buffer.alloc(FRAME_FLOOR_BYTES - audio.length)]);
    try {
      let offset = 0;
      while (offset < audio.length) {
        const rest = audio.length - offset;
        let size = Math.min(rest, FRAME_MAX_BYTES);
        // Never leave a tail shorter than 50 ms: split what is left in two instead.
        if (rest > FRAME_MAX_BYTES && rest - size < FRAME_FLOOR_BYTES) size = Math.floor(rest / 4) * 2;
        this.#socket.send(audio.subarray(offset, offset + size));
        offset += size;
      }
    } catch (error) {
      this.#fail(new ProviderError('transient', `AssemblyAI stream failed: ${error instanceof Error ? error.message : String(error)}`, {}, [this.#apiKey]));
    }
  }

  #shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close(1000);
    } catch {
      // already closed
    }
  }

  #handleMessage(message: AaiStreamMessage): void {
    if (this.#closed || message.type !== 'Turn') return;
    const words = (message.words ?? []).filter((w) => (w.text ?? '').trim().length > 0);
    if (!(message.end_of_turn && message.turn_is_formatted)) {
      const text = (words.length > 0 ? words.map((w) => w.text!.trim()).join(' ') : (message.transcript ?? '')).trim();
      if (!text) return;
      this.emit('partial', { text, start: seconds(words[0]?.start), end: seconds(words.at(-1)?.end) });
      return;
    }
    const text = (message.transcript ?? '').trim();
    if (!text) return;
    const timed: Word[] = words.map((w) => ({
      word: w.text!.trim(),
      start: seconds(w.start) ?? 0,
      end: seconds(w.end) ?? seconds(w.start) ?? 0,
      confidence: w.confidence ?? null,
      speaker: null,
    }));
    const segment: Segment = { start: timed[0]?.start ?? 0, end: timed.at(-1)?.end ?? 0, text, speaker: null, words: timed };
    this.emit('final', segment);
  }

  #handleClose(failure: ProviderError): void {
    const expected = this.#closing;
    this.#onClosed?.();
    this.#onClosed = null;
    if (expected || this.#closed) {
      this.#closed = true;
      return;
    }
    this.#fail(failure);
  }

  #fail(error: ProviderError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClosed?.();
    this.#onClosed = null;
    try {
      this.#socket.terminate();
    } catch {
      // already closed
    }
    this.emit('error', error);
  }
}

function seconds(ms: number | undefined): number | undefined {
  return typeof ms === 'number' ? ms / 1000 : undefined;
}
