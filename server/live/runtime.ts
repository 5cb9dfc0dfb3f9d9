/**
 * The in-process side of one live session, put together from parts with one job each; it lives in
 * the API process that receives the session's audio (see registry.ts), and the database stays the
 * source of truth. An appended chunk goes:
 *
 * 1. AudioPace (audioPace.ts): refused when audio arrives much faster than real time;
 * 2. ChunkOrder (chunkOrder.ts): stored (storedAudio.ts) and applied strictly in `seq` order,
 *    exactly once even with several processes; an early chunk waits for the missing ones;
 * 3. EngineHost (engineHost.ts): decoded to 16 kHz PCM and fed to the streaming engine, which is
 *    (re)started in the background and replays the stored audio it has not heard;
 * 4. TranscriptEvents (transcriptEvents.ts): the engine's finals are stored and, with its interims,
 *    published in order.
 *
 * The IdleTimer (idleTimer.ts) asks the registry to end the session when no audio comes.
 */
import type { CoreDeps } from '../context.ts';
import type { AudioEncoding, Provider } from '../db/db.ts';
import type { Vocabulary } from '../providers/vocabulary.ts';
import { conflict } from '../errors.ts';
import { AudioPace } from './audioPace.ts';
import { chunkSeconds } from './audioSeconds.ts';
import { ChunkOrder } from './chunkOrder.ts';
import { EngineHost } from './engineHost.ts';
import { IdleTimer } from './idleTimer.ts';
import type { LocalDecoderSlots } from './localSlots.ts';
import { StoredSessionAudio } from './storedAudio.ts';
import { TranscriptEvents } from './transcriptEvents.ts';

/** An ending session waits at most this long for its decoder and engine to flush. */
const END_TIMEOUT_MS = 60_000;
/** The idle timer fires a little after LIVE_IDLE_SECONDS, so last_audio_at (set when the chunk was applied) is past it too. */
const IDLE_MARGIN_MS = 250;

export interface SessionInfo {
  id: string;
  ownerId: string;
  /** The engine to start with: the one in use (currentProvider). */
  provider: Provider;
  /** The engines to fall back through, in order (README, "Provider routing and fallback"). */
  providers: Provider[];
  encoding: AudioEncoding;
  sampleRate: number;
  language: string | null;
  model: string | null;
  /** The terms and context prompt the session was started with (null: none). */
  vocabulary: Vocabulary | null;
  nextSeq: number;
}

interface RuntimeHooks {
  onIdle(sessionId: string): void;
  onDispose(sessionId: string): void;
  /** The key a cloud engine of the session uses. */
  resolveKey(session: SessionInfo, provider: Provider): Promise<string | null>;
  localSlots: LocalDecoderSlots;
}

export class SessionRuntime {
  readonly info: SessionInfo;
  disposed = false;
  readonly #hooks: RuntimeHooks;
  readonly #idle: IdleTimer;
  readonly #pace: AudioPace;
  readonly #order: ChunkOrder;
  readonly #engine: EngineHost;
  readonly #transcript: TranscriptEvents;

  constructor(deps: CoreDeps, info: SessionInfo, hooks: RuntimeHooks) {
    const { env } = deps;
    this.info = info;
    this.#hooks = hooks;
    this.#pace = new AudioPace({ maxSpeed: env.LIVE_MAX_SPEED, burstSeconds: env.LIVE_BURST_SECONDS });
    const stored = new StoredSessionAudio(deps.db, info.id, info);
    this.#transcript = new TranscriptEvents(deps, info.id, () => this.decodedSeconds);
    this.#order = new ChunkOrder(
      stored,
      {
        beforeApply: () => this.#engine.kick(),
        write: (bytes) => this.#engine.write(bytes),
        decodedSeconds: () => this.decodedSeconds,
      },
      { nextSeq: info.nextSeq, gapWaitMs: env.LIVE_GAP_WAIT_MS },
    );
    this.#engine = new EngineHost(deps, info, {
      slots: hooks.localSlots,
      resolveKey: (provider) => hooks.resolveKey(info, provider),
      order: this.#order,
      stored,
      transcript: this.#transcript,
    });
    this.#idle = new IdleTimer(env.LIVE_IDLE_SECONDS * 1000 + IDLE_MARGIN_MS, () => hooks.onIdle(info.id));
  }

  /** Seconds of session audio decoded to PCM so far by this process. */
  get decodedSeconds(): number {
    return this.#engine.decodedSeconds;
  }

  /** Opens the engine now (startLiveSession), reporting why it cannot. */
  open(): Promise<void> {
    return this.#engine.open();
  }

  /** Restarts the idle timer. */
  touch(): void {
    this.#idle.touch();
  }

  /** Seconds of audio in a chunk, for the pace, the session's length and the quota. */
  chunkSeconds(bytes: number): number {
    return chunkSeconds(this.info, bytes);
  }

  /**
   * Stores chunk `seq` and applies it once every earlier chunk has been applied. The caller has
   * checked that the session is visible and ACTIVE, that `seq >= next_seq` (earlier ones are
   * repeats) and that it is not too far ahead.
   * @throws RATE_LIMITED, or CONFLICT when the session ends or a gap is not filled in time.
   */
  async append(seq: number, bytes: Buffer): Promise<void> {
    if (this.#order.closed) throw conflict('The live session is ending.');
    this.touch();
    this.#pace.charge(this.chunkSeconds(bytes.length));
    await this.#order.append(seq, bytes);
  }

  /**
   * Ends the stream: waits for appends in flight, flushes the decoder and the engine (its last
   * finals are stored and published), then frees everything.
   */
  async finish(): Promise<void> {
    this.#order.close();
    try {
      await this.#engine.started(); // an engine being started hears the stored audio before the end
      await this.#order.withLock(async () => {
        await Promise.race([this.#engine.flush(), new Promise((resolve) => setTimeout(resolve, END_TIMEOUT_MS).unref())]);
        await this.#transcript.settled();
      });
    } finally {
      await this.dispose();
    }
  }

  /** Frees the engine, the decoder and the LOCAL slot; no further events. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.#order.close();
    this.#idle.stop();
    await this.#engine.dispose();
    this.#hooks.onDispose(this.info.id);
  }
}
