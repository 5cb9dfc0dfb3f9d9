/**
 * A streaming PocketSphinx decoder whose C calls all run on its own worker thread (one thread and
 * about 100 MB per decoder), so the caller's event loop never blocks. Shared by file
 * transcription and live sessions.
 *
 * ```ts
 * const decoder = await StreamingDecoder.open({ library, modelDir });
 * decoder.on('partial', ({ text }) => ...);   // text so far of the current utterance
 * decoder.on('final', (segment) => ...);      // a finished utterance with word timings
 * decoder.write(pcm);                         // 16 kHz mono s16le, any length
 * await decoder.end();                        // flushes the last utterance, frees the decoder
 * ```
 *
 * Times are seconds from the first sample written. Errors reject `open`, `flush` and `end`, and
 * are emitted as 'error' when someone listens for it (never thrown at an unlistened emitter).
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ProviderError } from '../types.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { MAX_PIECE_SAMPLES, SAMPLE_RATE, type RecognizedSegment } from './recognizer.ts';

export type { RecognizedSegment, RecognizedWord } from './recognizer.ts';

export interface StreamingDecoderOptions {
  /** Soname or path of libpocketsphinx (env POCKETSPHINX_LIBRARY). */
  library: string;
  /** Model directory (env POCKETSPHINX_MODEL_DIR). */
  modelDir: string;
  /** Extra PocketSphinx options, e.g. `{ '-vad_threshold': '3.0' }`. */
  decoderArgs?: Record<string, string>;
  /** An utterance still in speech after this long is cut (default 30 s). */
  maxUtteranceSeconds?: number;
  /** Words to add to the dictionary, with their phones (vocabulary; see pronunciation.ts). */
  words?: ReadonlyArray<{ word: string; phones: string }>;
  /** Aborting before the decoder is ready stops the worker and rejects `open`. */
  signal?: AbortSignal;
}

export interface PartialHypothesis {
  /** Words recognised so far in the current utterance. */
  text: string;
}

export interface StreamingDecoderEvents {
  partial: [PartialHypothesis];
  final: [RecognizedSegment];
  /** Seconds of the stream decoded so far (after each 500 ms piece). */
  progress: [number];
  error: [Error];
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const STOP_TIMEOUT_MS = 5_000;
const WORKER_URL = new URL('./decoderWorker.ts', import.meta.url);

let threadsRunning = 0;

/** Decoder threads running in this process now (each holds about 100 MB until it exits). */
export function decoderThreadCount(): number {
  return threadsRunning;
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class StreamingDecoder extends EventEmitter<StreamingDecoderEvents> {
  readonly #worker: Worker;
  readonly #cancel: Int32Array;
  readonly #exited: Promise<void>;
  #stopping: Promise<void> | null = null;
  #samplesWritten = 0;
  #samplesDecoded = 0;
  /** A trailing odd byte from the last `write` of bytes. */
  #carry: number | null = null;
  #failure: Error | null = null;
  #ending: Promise<void> | null = null;
  #closed = false;
  #nextFlushId = 1;
  readonly #flushes = new Map<number, Pending>();
  #endPending: Pending | null = null;
  /** Words of `options.words` the decoder refused (known once open). */
  refusedWords: readonly string[] = [];
  /** Whether `restart` works on this decoder (known once open). */
  restartable = false;

  private constructor(worker: Worker, cancel: Int32Array) {
    super();
    this.#worker = worker;
    this.#cancel = cancel;
    threadsRunning += 1;
    this.#exited = new Promise((resolve) =>
      worker.once('exit', () => {
        threadsRunning -= 1;
        resolve();
      }),
    );
  }

  /**
   * Starts a worker thread and loads the model in it (about 0.5 s).
   * @throws ProviderError kind 'unavailable' when the library or the model is missing.
   */
  static open(options: StreamingDecoderOptions): Promise<StreamingDecoder> {
    const { signal } = options;
    signal?.throwIfAborted();
    const cancel = new SharedArrayBuffer(4);
    const init: WorkerInit = {
      library: options.library,
      modelDir: options.modelDir,
      decoderArgs: options.decoderArgs,
      maxUtteranceSeconds: options.maxUtteranceSeconds,
      words: options.words,
      cancel,
    };
    const worker = new Worker(WORKER_URL, { workerData: init, name: 'pocketsphinx-decoder' });
    const decoder = new StreamingDecoder(worker, new Int32Array(cancel));
    return new Promise<StreamingDecoder>((resolve, reject) => {
      // Rejects once the thread has exited, so an aborted caller leaves no decoder behind.
      let aborted = false;
      const onAbort = () => {
        aborted = true;
        const reason: unknown = signal?.reason ?? new DOMException('The operation was aborted', 'AbortError');
        void decoder.destroy().then(() => reject(reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      decoder.#start((error) => {
        if (aborted) return; // the abort's reason is what the caller gets
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(decoder);
      });
    });
  }

  /** Seconds of audio written so far. */
  get secondsWritten(): number {
    return this.#samplesWritten / SAMPLE_RATE;
  }

  /** Seconds of audio the worker has decoded so far (lags `secondsWritten` while it works). */
  get secondsDecoded(): number {
    return this.#samplesDecoded / SAMPLE_RATE;
  }

  /** Seconds written but not yet decoded: a measure of back-pressure for live callers. */
  get secondsQueued(): number {
    return (this.#samplesWritten - this.#samplesDecoded) / SAMPLE_RATE;
  }

  /**
   * Queues 16 kHz mono s16le audio: an Int16Array of samples, or little-endian bytes (a Buffer
   * or Uint8Array; an odd trailing byte waits for the next write). The input is copied.
   */
  write(pcm: Int16Array | Uint8Array): void {
    if (this.#failure) throw this.#failure;
    if (this.#ending || this.#closed) throw new Error('write after end');
    const samples = pcm instanceof Int16Array ? pcm : this.#samplesFromBytes(pcm);
    for (let offset = 0; offset < samples.length; offset += MAX_PIECE_SAMPLES) {
      const piece = samples.slice(offset, offset + MAX_PIECE_SAMPLES); // a copy we can transfer
      this.#samplesWritten += piece.length;
      this.#post({ type: 'audio', samples: piece.buffer }, [piece.buffer]);
    }
  }

  /**
   * Ends the stream (its last 'final' is emitted before this resolves) and starts a new one on the
   * same decoder, which then decodes as a newly opened one would (streamReset.ts): a pool reuses
   * decoders this way, saving the thread start and model load. Only when `restartable`.
   */
  restart(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ending || this.#closed) return Promise.reject(new Error('The decoder is closed'));
    if (!this.restartable) return Promise.reject(new Error('This decoder cannot be restarted'));
    const id = this.#nextFlushId++;
    this.#carry = null;
    // The counters start again once the new stream has begun (write only after this resolves).
    return new Promise<void>((resolve, reject) => {
      const restarted = () => {
        this.#samplesWritten = 0;
        this.#samplesDecoded = 0;
        resolve();
      };
      this.#flushes.set(id, { resolve: restarted, reject });
      this.#post({ type: 'restart', id });
    });
  }

  /** Whether the worker thread keeps the process alive (an idle pooled decoder does not). */
  keepProcessAlive(keep: boolean): void {
    if (keep) this.#worker.ref();
    else this.#worker.unref();
  }

  /** Resolves once everything written so far has been decoded (and its events emitted). */
  flush(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error('The decoder is closed'));
    const id = this.#nextFlushId++;
    return new Promise<void>((resolve, reject) => {
      this.#flushes.set(id, { resolve, reject });
      this.#post({ type: 'flush', id });
    });
  }

  /**
   * Ends the stream: decodes the last utterance, emits its 'final', frees the decoder and stops
   * the worker. Calling it again returns the same promise.
   */
  end(): Promise<void> {
    if (!this.#ending) {
      this.#ending = this.#failure
        ? Promise.reject(this.#failure)
        : this.#closed
          ? Promise.reject(new Error('The decoder is closed'))
          : new Promise<void>((resolve, reject) => {
              this.#endPending = { resolve, reject };
              this.#post({ type: 'end' });
            });
    }
    return this.#ending;
  }

  /**
   * Stops decoding at once: queued audio is dropped, the decoder is freed and the worker exits
   * (within about 0.1 s; the worker is terminated if it has not exited after 5 s). Pending
   * `flush`/`end` calls reject and no further events are emitted.
   */
  async destroy(): Promise<void> {
    this.#fail(new Error('The decoder was destroyed'), false);
    await this.#stop();
  }

  /** Asks the worker to free its decoder and exit; resolves when it has. */
  #stop(): Promise<void> {
    this.#stopping ??= (async () => {
      Atomics.store(this.#cancel, 0, 1);
      try {
        this.#worker.postMessage({ type: 'destroy' } satisfies ToWorker);
      } catch {
        // the worker has already gone
      }
      const timer = setTimeout(() => void this.#worker.terminate(), STOP_TIMEOUT_MS);
      await this.#exited;
      clearTimeout(timer);
    })();
    return this.#stopping;
  }

  #start(settle: (error?: Error) => void): void {
    let ready = false;
    this.#worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          ready = true;
          this.refusedWords = message.refusedWords ?? [];
          this.restartable = message.restartable === true;
          settle();
          break;
        case 'partial':
          if (!this.#closed) this.emit('partial', { text: message.text });
          break;
        case 'final':
          if (!this.#closed) this.emit('final', message.segment);
          break;
        case 'progress':
          this.#samplesDecoded = message.samples;
          if (!this.#closed) this.emit('progress', message.samples / SAMPLE_RATE);
          break;
        case 'flushed':
        case 'restarted':
          this.#flushes.get(message.id)?.resolve();
          this.#flushes.delete(message.id);
          break;
        case 'ended':
          this.#closed = true;
          this.#endPending?.resolve();
          this.#endPending = null;
          void this.#stop();
          break;
        case 'error': {
          const error =
            message.kind === 'unavailable'
              ? new ProviderError('unavailable', message.message)
              : new Error(`PocketSphinx decoder failed: ${message.message}`);
          if (!ready) {
            ready = true;
            settle(error);
          }
          this.#fail(error, ready);
          void this.#stop();
          break;
        }
      }
    });
    this.#worker.on('error', (cause) => {
      const error = new Error(`PocketSphinx worker crashed: ${cause.message}`, { cause });
      if (!ready) {
        ready = true;
        settle(error);
      }
      this.#fail(error, true);
    });
    this.#worker.on('exit', (code) => {
      const error = new Error(`PocketSphinx worker exited (code ${code})`);
      if (!ready) {
        ready = true;
        settle(error);
      }
      if (!this.#closed) this.#fail(error, true);
    });
  }

  #fail(error: Error, announce: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failure ??= error;
    for (const pending of this.#flushes.values()) pending.reject(error);
    this.#flushes.clear();
    this.#endPending?.reject(error);
    this.#endPending = null;
    if (announce && this.listenerCount('error') > 0) this.emit('error', error);
  }

  #post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  #samplesFromBytes(bytes: Uint8Array): Int16Array {
    let input = bytes;
    if (this.#carry !== null) {
      input = new Uint8Array(bytes.length + 1);
      input[0] = this.#carry;
      input.set(bytes, 1);
      this.#carry = null;
    }
    const even = input.length & ~1;
    if (even !== input.length) this.#carry = input[even];
    if (LITTLE_ENDIAN_HOST) {
      return new Int16Array(input.buffer.slice(input.byteOffset, input.byteOffset + even));
    }
    const samples = new Int16Array(even / 2);
    const view = new DataView(input.buffer, input.byteOffset, even);
    for (let index = 0; index < samples.length; index += 1) samples[index] = view.getInt16(index * 2, true);
    return samples;
  }
}
