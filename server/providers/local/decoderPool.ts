/**
 * The LOCAL engine's decoders in one process: at most `size` (LOCAL_DECODERS) at once, each about
 * DECODER_MEMORY_BYTES, shared fairly between holders (jobs). When a decoder frees up it goes to the
 * waiting holder that has the fewest now (the earliest asker on a tie), so a second job gets its
 * share as soon as a chunk of the first one ends; a holder never waits while a slot is free.
 *
 * Decoders are reused: a finished one is restarted (StreamingDecoder.restart, which decodes as a
 * fresh decoder would) and kept idle for the next chunk, sparing the thread start and model load;
 * idle ones are freed after `idleMs` and never keep the process alive. A decoder with added words
 * (vocabulary) is used once and freed.
 */
import { StreamingDecoder, type StreamingDecoderOptions } from './streamingDecoder.ts';

/** Measured resident memory of one decoder thread with the en-us model (README, "Performance"). */
export const DECODER_MEMORY_BYTES = 100 * 2 ** 20;

const DEFAULT_IDLE_MS = 30_000;

let idleInProcess = 0;

/** Pooled decoders of this process waiting for work (their threads still hold their memory). */
export function idleDecoderCount(): number {
  return idleInProcess;
}

export interface DecoderLease {
  decoder: StreamingDecoder;
  /** Ends the stream (its last 'final' is emitted before this resolves) and gives the decoder back for reuse. */
  finish(): Promise<void>;
  /** Gives the decoder back to be freed (after a failure or an abort). Safe after `finish`. */
  discard(): Promise<void>;
}

interface Waiter {
  holder: string;
  words: StreamingDecoderOptions['words'];
  signal: AbortSignal | undefined;
  resolve: (lease: DecoderLease) => void;
  reject: (error: unknown) => void;
  onAbort: () => void;
}

type OpenOptions = Pick<StreamingDecoderOptions, 'words' | 'signal'>;

export class DecoderPool {
  readonly size: number;
  readonly #open: (options: OpenOptions) => Promise<StreamingDecoder>;
  readonly #idleMs: number;
  readonly #idle: Array<{ decoder: StreamingDecoder; timer: NodeJS.Timeout }> = [];
  readonly #waiting: Waiter[] = [];
  readonly #busyBy = new Map<string, number>();
  #busy = 0;

  constructor(options: { size: number; open: (options: OpenOptions) => Promise<StreamingDecoder>; idleMs?: number }) {
    if (!(options.size >= 1)) throw new RangeError('A decoder pool needs at least one decoder');
    this.size = options.size;
    this.#open = options.open;
    this.#idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  }

  /** Decoders decoding now, and idle ones kept for reuse. */
  get stats(): { busy: number; idle: number; waiting: number } {
    return { busy: this.#busy, idle: this.#idle.length, waiting: this.#waiting.length };
  }

  /** How many decoders `holder` holds now. */
  heldBy(holder: string): number {
    return this.#busyBy.get(holder) ?? 0;
  }

  /** A decoder for `holder`, when its turn comes. Rejects with the signal's reason when aborted while waiting. */
  acquire(holder: string, options: OpenOptions = {}): Promise<DecoderLease> {
    options.signal?.throwIfAborted();
    return new Promise<DecoderLease>((resolve, reject) => {
      const waiter: Waiter = {
        holder,
        words: options.words,
        signal: options.signal,
        resolve,
        reject,
        onAbort: () => {
          const at = this.#waiting.indexOf(waiter);
          if (at < 0) return;
          this.#waiting.splice(at, 1);
          reject(options.signal?.reason);
        },
      };
      options.signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
      this.#grant();
    });
  }

  /** Frees the idle decoders now (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all(this.#idle.splice(0).map(({ decoder, timer }) => this.#dropIdle(decoder, timer)));
  }

  #grant(): void {
    while (this.#busy < this.size && this.#waiting.length > 0) {
      let next = 0;
      for (let at = 1; at < this.#waiting.length; at += 1) {
        if (this.heldBy(this.#waiting[at].holder) < this.heldBy(this.#waiting[next].holder)) next = at;
      }
      const [waiter] = this.#waiting.splice(next, 1);
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      this.#busy += 1;
      this.#busyBy.set(waiter.holder, this.heldBy(waiter.holder) + 1);
      void this.#decoderFor(waiter).then(
        (decoder) => waiter.resolve(this.#lease(waiter.holder, decoder, !waiter.words?.length)),
        (error: unknown) => {
          this.#free(waiter.holder);
          waiter.reject(error);
        },
      );
    }
  }

  async #decoderFor(waiter: Waiter): Promise<StreamingDecoder> {
    if (!waiter.words?.length) {
      const reused = this.#idle.pop();
      if (reused) {
        clearTimeout(reused.timer);
        idleInProcess -= 1;
        reused.decoder.keepProcessAlive(true);
        return reused.decoder;
      }
    } else if (this.#busy + this.#idle.length > this.size) {
      // Its own decoder: an idle one makes room, so the process never holds more than `size`.
      const oldest = this.#idle.shift();
      if (oldest) await this.#dropIdle(oldest.decoder, oldest.timer);
    }
    return this.#open({ words: waiter.words, signal: waiter.signal });
  }

  #lease(holder: string, decoder: StreamingDecoder, poolable: boolean): DecoderLease {
    let released = false;
    const giveBack = () => {
      if (released) return false;
      released = true;
      this.#free(holder);
      return true;
    };
    return {
      decoder,
      finish: async () => {
        if (released) throw new Error('The decoder was given back');
        try {
          if (poolable && decoder.restartable) {
            await decoder.restart();
            if (released) await decoder.destroy(); // discarded meanwhile
            else this.#keepIdle(decoder);
          } else {
            await decoder.end();
            await decoder.destroy();
          }
        } catch (error) {
          await decoder.destroy();
          throw error;
        } finally {
          giveBack();
        }
      },
      discard: async () => {
        if (!released) {
          await decoder.destroy();
          giveBack();
        }
      },
    };
  }

  #keepIdle(decoder: StreamingDecoder): void {
    decoder.keepProcessAlive(false);
    idleInProcess += 1;
    const entry = {
      decoder,
      timer: setTimeout(() => {
        const at = this.#idle.indexOf(entry);
        if (at >= 0) {
          this.#idle.splice(at, 1);
          void this.#dropIdle(decoder, entry.timer);
        }
      }, this.#idleMs).unref(),
    };
    this.#idle.push(entry);
  }

  async #dropIdle(decoder: StreamingDecoder, timer: NodeJS.Timeout): Promise<void> {
    clearTimeout(timer);
    idleInProcess -= 1;
    await decoder.destroy();
  }

  #free(holder: string): void {
    this.#busy -= 1;
    const held = this.heldBy(holder) - 1;
    if (held > 0) this.#busyBy.set(holder, held);
    else this.#busyBy.delete(holder);
    this.#grant();
  }
}
