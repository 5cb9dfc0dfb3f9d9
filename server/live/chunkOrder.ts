/**
 * Applies one session's audio chunks strictly in `seq` order. Every chunk is stored first
 * (StoredSessionAudio); one that arrives early waits (up to LIVE_GAP_WAIT_MS) for the missing ones
 * and is applied, with any others stored meanwhile (here, by another process, or by a request that
 * died), as soon as they arrive. Applying hands the bytes to the sink, under one lock per session.
 */
import { AppError, conflict } from '../errors.ts';
import { liveClock } from './clock.ts';
import type { StoredSessionAudio } from './storedAudio.ts';

/** Chunks beyond next_seq + MAX_AHEAD are refused. */
export const MAX_AHEAD = 32;
/** A waiting chunk re-reads the clock (and the stored chunks) at least this often. */
const POLL_MS = 200;

/** Where applied audio goes: the session's decoder and engine. */
interface AppliedAudioSink {
  /** Called before chunks are applied (the runtime starts an engine there when none runs). */
  beforeApply(): void;
  write(bytes: Buffer): void;
  /** Seconds of audio decoded so far, recorded with each applied chunk. */
  decodedSeconds(): number;
}

export class ChunkOrder {
  /** This process's knowledge of next_seq (the database is authoritative). */
  nextSeq: number;
  readonly #stored: StoredSessionAudio;
  readonly #sink: AppliedAudioSink;
  readonly #gapWaitMs: number;
  #closed = false;
  #lock: Promise<unknown> = Promise.resolve();
  /** Stored chunks beyond next_seq that this process knows of. */
  readonly #pending = new Set<number>();
  readonly #waiters = new Set<() => void>();

  constructor(stored: StoredSessionAudio, sink: AppliedAudioSink, options: { nextSeq: number; gapWaitMs: number }) {
    this.#stored = stored;
    this.#sink = sink;
    this.nextSeq = options.nextSeq;
    this.#gapWaitMs = options.gapWaitMs;
  }

  /** True once the session is ending (or found ended): no chunk is applied any more. */
  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** Runs `fn` after every earlier locked step of this session, alone. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  /**
   * Stores chunk `seq` and applies it once every earlier chunk has been applied. A repeat of an
   * applied chunk is ignored.
   * @throws CONFLICT when the session ends or a gap is not filled in time.
   */
  async append(seq: number, bytes: Buffer): Promise<void> {
    const applied = await this.withLock(async () => {
      if (this.#closed) throw conflict('The live session is ending.');
      if (seq < this.nextSeq) return true;
      this.#sink.beforeApply();
      if (!(await this.#stored.store(seq, bytes, this.#sink.decodedSeconds()))) {
        this.#pending.add(seq);
        return false;
      }
      this.nextSeq = seq + 1;
      this.#sink.write(bytes);
      if (this.#pending.size > 0) await this.#drainStored();
      return true;
    });
    this.#wake();
    if (!applied) await this.#awaitTurn(seq);
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  async #awaitTurn(seq: number): Promise<void> {
    const waitMs = this.#gapWaitMs;
    const deadline = liveClock.now() + waitMs;
    while (this.nextSeq <= seq) {
      if (this.#closed) throw conflict('The live session has ended.');
      const left = deadline - liveClock.now();
      if (left <= 0) {
        throw new AppError(
          'CONFLICT',
          `Chunk ${seq} is stored but waits for chunk ${this.nextSeq}, which did not arrive within ${waitMs / 1000} s. ` +
            `Send the missing chunks (from seq ${this.nextSeq}); chunk ${seq} is applied once they arrive.`,
          { reason: 'GAP', expectedSeq: this.nextSeq },
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(POLL_MS, left));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(done);
      });
      if (this.nextSeq <= seq && !this.#closed) await this.withLock(() => this.#drainStored());
    }
  }

  /** Applies stored chunks that are next in line (call under the lock). */
  async #drainStored(): Promise<void> {
    this.#sink.beforeApply();
    const progress = await this.#stored.progress();
    if (!progress?.active) {
      this.#closed = true;
      return;
    }
    if (progress.nextSeq > this.nextSeq) this.nextSeq = progress.nextSeq;
    for (;;) {
      const from = this.nextSeq;
      const run = await this.#stored.runFrom(from, MAX_AHEAD + 1);
      if (run.length === 0) break;
      if (!(await this.#stored.apply(from, run, this.#sink.decodedSeconds()))) break;
      for (const bytes of run) this.#sink.write(bytes);
      this.nextSeq = from + run.length;
      if (run.length <= MAX_AHEAD) break; // a shorter run ended at a gap or at the last stored chunk
    }
    for (const seq of this.#pending) if (seq < this.nextSeq) this.#pending.delete(seq);
    this.#wake();
  }
}
