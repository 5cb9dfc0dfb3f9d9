/**
 * The in-process side of one live session: the streaming engine, the PCM decoder in front of it,
 * chunk ordering, the rate limit and the idle timer. It lives in the API process that receives the
 * session's audio (see registry.ts); the database stays the source of truth:
 *
 * - Chunks are stored (live_audio_chunks) and applied strictly in `seq` order. Applying chunk k
 *   is one conditional UPDATE (`next_seq = k + 1 WHERE next_seq = k`), so a chunk is fed to an
 *   engine exactly once even with several processes. A chunk that arrives early is stored and
 *   waits (up to LIVE_GAP_WAIT_MS) for the missing ones; it is applied as soon as they arrive.
 * - Final segments are stored (live_segments) and published; interim ones are only published.
 *   Events of a session go out through one chain, in order, so an interim never overtakes the
 *   final that replaces it.
 * - When an engine fails (or after a restart, when no runtime exists), the next append recreates
 *   it and replays the stored audio from the end of the last final segment, so nothing heard
 *   since then is lost. Audio is stored even while no engine runs.
 */
import type { CoreDeps } from '../context.ts';
import type { AudioEncoding, Provider } from '../db/db.ts';
import { isUniqueViolation } from '../db/db.ts';
import { AppError, conflict } from '../errors.ts';
import { mediaToolsFromEnv } from '../media/run.ts';
import { serverKeyFor } from '../providers/registry.ts';
import { ProviderError, type Segment } from '../providers/types.ts';
import { topics, type EventPayload } from '../pubsub/pubsub.ts';
import { revealProviderKey } from '../services/providerKeys.ts';
import { liveClock } from './clock.ts';
import { openLiveEngine } from './engines.ts';
import { createPcmSource, type PcmSource } from './pcmSource.ts';
import { LIVE_SAMPLE_RATE, type LiveEngine, type LivePartial } from './types.ts';

/** Chunks beyond next_seq + MAX_AHEAD are refused. */
export const MAX_AHEAD = 32;
const POLL_MS = 200;
const ENGINE_RETRY_MS = 3_000;
const END_TIMEOUT_MS = 60_000;
/** NOTIFY refuses 8000 bytes; interim text beyond this is stored on the row and re-read. */
const MAX_INLINE_EVENT_BYTES = 7_000;
/** Bytes per second assumed for Opus when rate-limiting (128 kbit/s: generous for speech). */
const OPUS_BYTES_PER_SECOND = 16_000;

export interface SessionInfo {
  id: string;
  ownerId: string;
  provider: Provider;
  encoding: AudioEncoding;
  sampleRate: number;
  language: string | null;
  model: string | null;
  nextSeq: number;
}

export interface RuntimeHooks {
  onIdle(sessionId: string): void;
  acquireLocalSlot(): boolean;
  releaseLocalSlot(): void;
  onDispose(sessionId: string): void;
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

export class SessionRuntime {
  readonly info: SessionInfo;
  /** This process's knowledge of next_seq (the database is authoritative). */
  nextSeq: number;
  closing = false;
  disposed = false;
  readonly #deps: CoreDeps;
  readonly #hooks: RuntimeHooks;
  #engine: LiveEngine | null = null;
  #source: PcmSource | null = null;
  #hasSlot = false;
  #engineRetryAt = 0;
  #starting: Promise<void> | null = null;
  /** Session sample (16 kHz) of the current PCM source's first output sample. */
  #sourceStart = 0;
  #sourceSamples = 0;
  /** The engine is fed samples from here on; engine time 0 is this sample. */
  #resumeSample = 0;
  #nextIndex = 0;
  #lastFinalEnd = 0;
  #events: Promise<void> = Promise.resolve();
  #partialSlot: { value: LivePartial; offset: number } | null = null;
  #lock: Promise<unknown> = Promise.resolve();
  /** Stored chunks beyond next_seq that this process knows of. */
  readonly #pending = new Set<number>();
  readonly #waiters = new Set<() => void>();
  #tokens: number;
  #tokensAt = liveClock.now();
  #idleTimer: NodeJS.Timeout | null = null;

  constructor(deps: CoreDeps, info: SessionInfo, hooks: RuntimeHooks) {
    this.#deps = deps;
    this.info = info;
    this.nextSeq = info.nextSeq;
    this.#hooks = hooks;
    this.#tokens = deps.env.LIVE_BURST_SECONDS;
    this.touch();
  }

  get hasEngine(): boolean {
    return this.#engine !== null;
  }

  /** Seconds of session audio decoded to PCM so far by this process. */
  get decodedSeconds(): number {
    return (this.#sourceStart + this.#sourceSamples) / LIVE_SAMPLE_RATE;
  }

  /** Opens the engine now (startLiveSession), reporting why it cannot. */
  open(): Promise<void> {
    if (this.#starting) return this.#starting;
    const starting = this.#startEngine(true).finally(() => {
      if (this.#starting === starting) this.#starting = null;
    });
    this.#starting = starting;
    return starting;
  }

  /** Restarts the idle timer. */
  touch(): void {
    if (this.disposed) return;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    // A little after the deadline, so last_audio_at (set when the chunk was applied) is past it too.
    this.#idleTimer = setTimeout(() => this.#hooks.onIdle(this.info.id), this.#deps.env.LIVE_IDLE_SECONDS * 1000 + 250);
    this.#idleTimer.unref();
  }

  /** Seconds of audio in a chunk, for the rate limit and the session's length. */
  chunkSeconds(bytes: number): number {
    return this.info.encoding === 'PCM_S16LE' ? bytes / 2 / this.info.sampleRate : bytes / OPUS_BYTES_PER_SECOND;
  }

  /**
   * Stores chunk `seq` and applies it once every earlier chunk has been applied. The caller has
   * checked that the session is visible and ACTIVE, that `seq >= next_seq` (earlier ones are
   * repeats) and that it is not too far ahead.
   * @throws RATE_LIMITED, or CONFLICT when the session ends or a gap is not filled in time.
   */
  async append(seq: number, bytes: Buffer): Promise<void> {
    if (this.closing || this.disposed) throw conflict('The live session is ending.');
    this.touch();
    this.#charge(this.chunkSeconds(bytes.length));
    const applied = await this.#withLock(async () => {
      if (this.closing || this.disposed) throw conflict('The live session is ending.');
      if (seq < this.nextSeq) return true;
      this.#kickEngine();
      const seconds = this.info.encoding === 'PCM_S16LE' ? bytes.length / 2 / this.info.sampleRate : 0;
      const rows = await this.#deps.db.$queryRaw<{ next_seq: number }[]>`
        WITH stored AS (
          INSERT INTO live_audio_chunks (session_id, seq, bytes) VALUES (${this.info.id}, ${seq}::int, ${bytes})
          ON CONFLICT DO NOTHING
        )
        UPDATE live_sessions
        SET next_seq = ${seq + 1}::int, received_bytes = received_bytes + ${bytes.length}::bigint,
            received_seconds = GREATEST(received_seconds + ${seconds}::float8, ${this.decodedSeconds}::float8),
            last_audio_at = now(), updated_at = now()
        WHERE id = ${this.info.id} AND next_seq = ${seq}::int AND status = 'ACTIVE'
        RETURNING next_seq`;
      if (rows.length === 0) {
        this.#pending.add(seq);
        return false;
      }
      this.nextSeq = seq + 1;
      this.#source?.write(bytes);
      if (this.#pending.size > 0) await this.#drainStored();
      return true;
    });
    this.#wake();
    if (!applied) await this.#awaitTurn(seq);
  }

  /**
   * Ends the stream: waits for appends in flight, flushes the decoder and the engine (its last
   * finals are stored and published), then frees everything.
   */
  async finish(): Promise<void> {
    this.closing = true;
    this.#wake();
    try {
      await this.#starting?.catch(() => {}); // an engine being started hears the stored audio before the end
      await this.#withLock(async () => {
        const flush = async () => {
          await this.#source?.end().catch(() => {});
          await this.#engine?.end().catch((error: unknown) => this.#deps.logger.warn({ err: error, sessionId: this.info.id }, 'live engine failed while ending'));
        };
        await Promise.race([flush(), new Promise((resolve) => setTimeout(resolve, END_TIMEOUT_MS).unref())]);
        await this.#events;
      });
    } finally {
      await this.dispose();
    }
  }

  /** Frees the engine, the decoder and the LOCAL slot; no further events. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.closing = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#wake();
    await this.#dropEngine();
    if (this.#hasSlot) {
      this.#hasSlot = false;
      this.#hooks.releaseLocalSlot();
    }
    this.#hooks.onDispose(this.info.id);
  }

  // ---- ordering -------------------------------------------------------------------------------

  #withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  async #awaitTurn(seq: number): Promise<void> {
    const waitMs = this.#deps.env.LIVE_GAP_WAIT_MS;
    const deadline = liveClock.now() + waitMs;
    while (this.nextSeq <= seq) {
      if (this.closing || this.disposed) throw conflict('The live session has ended.');
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
        const timer = setTimeout(done, Math.min(POLL_MS, left)); // re-reads the clock at least this often
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(done);
      });
      if (this.nextSeq <= seq && !this.closing) await this.#withLock(() => this.#drainStored());
    }
  }

  /**
   * Applies stored chunks that are next in line: ones that arrived early here, ones another
   * process stored, and ones whose request died after storing them.
   */
  async #drainStored(): Promise<void> {
    const db = this.#deps.db;
    this.#kickEngine();
    const [state] = await db.$queryRaw<{ next_seq: number; status: string }[]>`
      SELECT next_seq, status::text AS status FROM live_sessions WHERE id = ${this.info.id}`;
    if (!state || state.status !== 'ACTIVE') {
      this.closing = true;
      return;
    }
    if (state.next_seq > this.nextSeq) this.nextSeq = state.next_seq;
    for (;;) {
      const from = this.nextSeq;
      const rows = await db.$queryRaw<{ seq: number; bytes: Uint8Array }[]>`
        SELECT seq, bytes FROM live_audio_chunks
        WHERE session_id = ${this.info.id} AND seq >= ${from}::int AND seq <= ${from + MAX_AHEAD}::int ORDER BY seq`;
      const run: Buffer[] = [];
      for (const row of rows) {
        if (row.seq !== from + run.length) break;
        run.push(Buffer.from(row.bytes));
      }
      if (run.length === 0) break;
      const total = run.reduce((sum, bytes) => sum + bytes.length, 0);
      const seconds = this.info.encoding === 'PCM_S16LE' ? total / 2 / this.info.sampleRate : 0;
      const updated = await db.$queryRaw<{ next_seq: number }[]>`
        UPDATE live_sessions
        SET next_seq = ${from + run.length}::int, received_bytes = received_bytes + ${total}::bigint,
            received_seconds = GREATEST(received_seconds + ${seconds}::float8, ${this.decodedSeconds}::float8),
            last_audio_at = now(), updated_at = now()
        WHERE id = ${this.info.id} AND next_seq = ${from}::int AND status = 'ACTIVE'
        RETURNING next_seq`;
      if (updated.length === 0) break;
      for (const bytes of run) this.#source?.write(bytes);
      this.nextSeq = from + run.length;
      if (run.length < rows.length || run.length <= MAX_AHEAD) break;
    }
    for (const seq of this.#pending) if (seq < this.nextSeq) this.#pending.delete(seq);
    this.#wake();
  }

  #charge(seconds: number): void {
    const { LIVE_MAX_SPEED: speed, LIVE_BURST_SECONDS: burst } = this.#deps.env;
    const now = liveClock.now();
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#tokensAt) / 1000) * speed);
    this.#tokensAt = now;
    if (seconds > this.#tokens) {
      const retryAfterSeconds = Math.max(1, Math.ceil((seconds - this.#tokens) / speed));
      throw new AppError(
        'RATE_LIMITED',
        `Audio is arriving faster than ${speed}x real time; send it at the pace it is recorded. Try again in ${retryAfterSeconds} s.`,
        { retryAfterSeconds },
      );
    }
    this.#tokens -= seconds;
  }

  // ---- engine ---------------------------------------------------------------------------------

  /**
   * Starts an engine in the background when none runs. Appends never wait for it: their audio is
   * stored and applied meanwhile, and the new engine replays it once it is ready.
   */
  #kickEngine(): void {
    if (this.#engine || this.#starting || this.disposed || this.closing || Date.now() < this.#engineRetryAt) return;
    const starting = this.#startEngine(false).finally(() => {
      if (this.#starting === starting) this.#starting = null;
    });
    this.#starting = starting;
    // Nobody may await a background start: its failure is logged here, never left unhandled.
    starting.catch((error: unknown) =>
      this.#deps.logger.warn({ err: error, sessionId: this.info.id }, 'live engine could not start'),
    );
  }

  /**
   * Opens the engine (outside the lock: a LOCAL decoder takes about 0.5 s to load), then, under
   * the lock, makes it current and replays what it has not heard. With `strict`, reports why it
   * cannot start; otherwise logs, and the next append tries again after a pause.
   */
  async #startEngine(strict: boolean): Promise<void> {
    if (this.#engine || this.disposed) return;
    const { env, db, logger } = this.#deps;
    if (this.info.provider === 'LOCAL' && !this.#hasSlot) {
      if (!this.#hooks.acquireLocalSlot()) {
        this.#engineRetryAt = Date.now() + ENGINE_RETRY_MS;
        if (strict) throw localSessionsExhausted(env.LIVE_MAX_LOCAL_SESSIONS);
        return;
      }
      this.#hasSlot = true;
    }
    let engine: LiveEngine | null = null;
    try {
      const apiKey =
        this.info.provider === 'LOCAL'
          ? null
          : ((await revealProviderKey(this.#deps, this.info.ownerId, this.info.provider)) ?? serverKeyFor(env, this.info.provider));
      engine = await openLiveEngine(this.#deps, this.info.provider, {
        language: this.info.language,
        model: this.info.model,
        apiKey,
      });
      const opened = engine;
      await this.#withLock(async () => {
        if (this.disposed) throw new Error('The live session was closed while its engine started.');
        if (this.#engine) {
          await opened.destroy();
          return;
        }
        const [state] = await db.$queryRaw<{ next_seq: number; next_idx: number; last_end: number }[]>`
          SELECT s.next_seq,
            COALESCE((SELECT MAX(idx) + 1 FROM live_segments WHERE session_id = s.id), 0)::int AS next_idx,
            COALESCE((SELECT MAX(end_seconds) FROM live_segments WHERE session_id = s.id), 0)::float8 AS last_end
          FROM live_sessions s WHERE s.id = ${this.info.id}`;
        const nextSeq = Math.max(this.nextSeq, state?.next_seq ?? 0);
        this.nextSeq = nextSeq;
        this.#nextIndex = Math.max(this.#nextIndex, state?.next_idx ?? 0);
        this.#lastFinalEnd = Math.max(this.#lastFinalEnd, state?.last_end ?? 0);
        this.#resumeSample = Math.round(this.#lastFinalEnd * LIVE_SAMPLE_RATE);
        const offset = this.#resumeSample / LIVE_SAMPLE_RATE;
        opened.on('partial', (partial) => {
          if (this.#engine === opened) this.#queuePartial(partial, offset);
        });
        opened.on('final', (segment) => {
          if (this.#engine === opened || this.closing) this.#queueFinal(segment, offset);
        });
        opened.on('error', (error) => void this.#engineFailed(opened, error));
        this.#engine = opened;
        this.#source = createPcmSource(
          { encoding: this.info.encoding, sampleRate: this.info.sampleRate },
          {
            pcm: (pcm) => this.#onPcm(pcm),
            error: (error) => void this.#engineFailed(opened, error),
          },
          { ffmpegPath: mediaToolsFromEnv(env).ffmpegPath },
        );
        await this.#replay(nextSeq);
      });
    } catch (error) {
      if (engine && this.#engine === engine) await this.#dropEngine();
      else await engine?.destroy().catch(() => {});
      this.#engineRetryAt = Date.now() + ENGINE_RETRY_MS;
      if (strict) throw engineError(this.info.provider, error);
      if (!this.disposed) logger.warn({ err: error, sessionId: this.info.id }, 'live engine could not start; audio is stored and the engine retried later');
    }
  }

  /** Feeds the stored audio that the new engine has not heard: from the end of the last final on. */
  async #replay(nextSeq: number): Promise<void> {
    const db = this.#deps.db;
    this.#sourceSamples = 0;
    this.#sourceStart = 0;
    if (nextSeq === 0) return;
    let fromSeq = 0;
    if (this.info.encoding === 'PCM_S16LE') {
      const rate = this.info.sampleRate;
      const lengths = await db.$queryRaw<{ seq: number; n: number }[]>`
        SELECT seq, length(bytes)::int AS n FROM live_audio_chunks
        WHERE session_id = ${this.info.id} AND seq < ${nextSeq}::int ORDER BY seq`;
      const resumeByte = Math.floor((this.#resumeSample * rate) / LIVE_SAMPLE_RATE) * 2;
      let offset = 0;
      fromSeq = nextSeq;
      for (const row of lengths) {
        if (offset + row.n > resumeByte) {
          fromSeq = row.seq;
          break;
        }
        offset += row.n;
      }
      if (offset % 2 === 1) {
        fromSeq = 0; // odd-sized chunks: sample boundaries are only known from the start
        offset = 0;
      }
      this.#sourceStart = Math.round(((offset / 2) * LIVE_SAMPLE_RATE) / rate);
      if (fromSeq >= nextSeq) return;
    }
    // Containers are decoded from their first byte (the header); the decoded PCM before the
    // resume point is dropped in #onPcm.
    for (let seq = fromSeq; seq < nextSeq; ) {
      const rows = await db.$queryRaw<{ seq: number; bytes: Uint8Array }[]>`
        SELECT seq, bytes FROM live_audio_chunks
        WHERE session_id = ${this.info.id} AND seq >= ${seq}::int AND seq < ${nextSeq}::int ORDER BY seq LIMIT 64`;
      if (rows.length === 0) break;
      for (const row of rows) this.#source?.write(Buffer.from(row.bytes));
      seq = rows[rows.length - 1].seq + 1;
    }
  }

  #onPcm(pcm: Buffer): void {
    const first = this.#sourceStart + this.#sourceSamples;
    const samples = pcm.length / 2;
    this.#sourceSamples += samples;
    const engine = this.#engine;
    if (!engine) return;
    const skip = this.#resumeSample - first;
    if (skip >= samples) return;
    engine.write(skip > 0 ? pcm.subarray(skip * 2) : pcm);
  }

  async #engineFailed(engine: LiveEngine, error: Error): Promise<void> {
    if (this.#engine !== engine || this.disposed) return;
    this.#deps.logger.warn({ err: error, sessionId: this.info.id }, 'live engine failed; it is recreated on the next append');
    this.#engineRetryAt = Date.now() + ENGINE_RETRY_MS;
    await this.#dropEngine();
  }

  async #dropEngine(): Promise<void> {
    const engine = this.#engine;
    const source = this.#source;
    this.#engine = null;
    this.#source = null;
    this.#partialSlot = null;
    source?.destroy();
    await engine?.destroy().catch(() => {});
  }

  // ---- events ---------------------------------------------------------------------------------

  #chain(step: () => Promise<void>): void {
    this.#events = this.#events.then(step).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error, sessionId: this.info.id }, 'could not store or publish a live transcript event');
    });
  }

  /** Interims coalesce: while one waits to go out, a newer one replaces its text. */
  #queuePartial(partial: LivePartial, offset: number): void {
    if (this.#partialSlot) {
      this.#partialSlot.value = partial;
      return;
    }
    const slot = { value: partial, offset };
    this.#partialSlot = slot;
    this.#chain(async () => {
      if (this.#partialSlot === slot) this.#partialSlot = null;
      await this.#publishPartial(slot.value, slot.offset);
    });
  }

  #queueFinal(segment: Segment, offset: number): void {
    this.#partialSlot = null; // a later interim belongs to the next segment
    this.#chain(() => this.#storeFinal(segment, offset));
  }

  async #publishPartial(partial: LivePartial, offset: number): Promise<void> {
    const start = partial.start !== undefined ? offset + partial.start : this.#lastFinalEnd;
    const end = partial.end !== undefined ? offset + partial.end : this.decodedSeconds;
    const payload: EventPayload = {
      sessionId: this.info.id,
      index: this.#nextIndex,
      isFinal: false,
      start: round(start),
      end: round(Math.max(start, end)),
      text: partial.text,
    };
    if (Buffer.byteLength(JSON.stringify(payload)) > MAX_INLINE_EVENT_BYTES) {
      await this.#deps.db.liveSession.update({
        where: { id: this.info.id },
        data: { interim: { index: payload.index, start: payload.start, end: payload.end, text: partial.text } },
      });
      payload.text = null;
    }
    await this.#deps.publisher.publish(topics.sessionChunks(this.info.id), payload);
  }

  async #storeFinal(segment: Segment, offset: number): Promise<void> {
    const text = segment.text.trim();
    if (!text) return;
    const data = {
      sessionId: this.info.id,
      startSeconds: round(offset + segment.start),
      endSeconds: round(offset + segment.end),
      text,
      speaker: segment.speaker ?? null,
      words: segment.words.map((word) => ({
        ...word,
        start: round(offset + word.start),
        end: round(offset + word.end),
      })),
    };
    let idx = this.#nextIndex;
    try {
      await this.#deps.db.liveSegment.create({ data: { ...data, idx } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another process stored a segment of this session meanwhile (no sticky routing).
      const last = await this.#deps.db.liveSegment.findFirst({ where: { sessionId: this.info.id }, orderBy: { idx: 'desc' } });
      idx = (last?.idx ?? -1) + 1;
      await this.#deps.db.liveSegment.create({ data: { ...data, idx } });
    }
    this.#nextIndex = idx + 1;
    this.#lastFinalEnd = Math.max(this.#lastFinalEnd, data.endSeconds);
    await this.#deps.publisher.publish(topics.sessionChunks(this.info.id), { sessionId: this.info.id, index: idx, isFinal: true });
  }
}

export function localSessionsExhausted(max: number): AppError {
  if (max === 0) return new AppError('PROVIDER_UNAVAILABLE', 'Live sessions with the LOCAL engine are turned off on this server.');
  return new AppError(
    'RATE_LIMITED',
    `This server already runs its maximum of ${max} live LOCAL sessions (each holds its own decoder). ` +
      'Try again when one ends, or use another provider.',
    { retryAfterSeconds: 30 },
  );
}

function engineError(provider: Provider, error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof ProviderError) {
    const why = error.kind === 'auth' ? `the provider refused the key (${error.message})` : error.message;
    return new AppError('PROVIDER_UNAVAILABLE', `The ${provider} live engine could not start: ${why}`);
  }
  return error;
}
