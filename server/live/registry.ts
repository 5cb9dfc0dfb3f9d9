/**
 * The live sessions this API process serves: one SessionRuntime per session that received audio
 * here, the count of LOCAL decoders (capped by LIVE_MAX_LOCAL_SESSIONS, each is ~100 MB), and a
 * periodic sweep that ends ACTIVE sessions without audio for LIVE_IDLE_SECONDS, including ones
 * left behind by a process that stopped.
 *
 * A runtime holds in-process state only; after a restart the first append for a session creates
 * a new one (which replays the stored audio its engine has not transcribed yet).
 */
import type { CoreDeps } from '../context.ts';
import type { Provider } from '../db/db.ts';
import { LocalDecoderSlots } from './localSlots.ts';
import { SessionRuntime, type SessionInfo } from './runtime.ts';

interface LiveRegistryOptions {
  /** Ends an idle session (services/liveSessions.ts). */
  onIdle(sessionId: string): Promise<unknown>;
  /** The key a session's cloud engine uses (services/providerKeys.ts). */
  resolveKey(session: SessionInfo, provider: Provider): Promise<string | null>;
}

export class LiveRegistry {
  readonly #deps: CoreDeps;
  readonly #runtimes = new Map<string, SessionRuntime>();
  readonly #options: LiveRegistryOptions;
  /** LOCAL decoders held by this process. */
  readonly localSlots: LocalDecoderSlots;
  #sweepTimer: NodeJS.Timeout | null = null;
  #sweeping = false;
  #closed = false;

  constructor(deps: CoreDeps, options: LiveRegistryOptions) {
    this.#deps = deps;
    this.#options = options;
    this.localSlots = new LocalDecoderSlots(deps.env.LIVE_MAX_LOCAL_SESSIONS);
    const every = Math.max(1, Math.min(30, deps.env.LIVE_IDLE_SECONDS / 2)) * 1000;
    this.#sweepTimer = setInterval(() => void this.sweep(), every);
    this.#sweepTimer.unref();
  }

  get size(): number {
    return this.#runtimes.size;
  }

  get(sessionId: string): SessionRuntime | undefined {
    return this.#runtimes.get(sessionId);
  }

  /** The session's runtime in this process, created when missing. */
  runtimeFor(info: SessionInfo): SessionRuntime {
    let runtime = this.#runtimes.get(info.id);
    if (!runtime || runtime.disposed) {
      runtime = new SessionRuntime(this.#deps, info, {
        onIdle: (id) => void this.#endIdle(id),
        resolveKey: this.#options.resolveKey,
        localSlots: this.localSlots,
        onDispose: (id) => {
          if (this.#runtimes.get(id) === runtime) this.#runtimes.delete(id);
        },
      });
      this.#runtimes.set(info.id, runtime);
    }
    return runtime;
  }

  /** Ends ACTIVE sessions that have had no audio for LIVE_IDLE_SECONDS (any process's). */
  async sweep(): Promise<void> {
    if (this.#sweeping || this.#closed) return;
    this.#sweeping = true;
    try {
      const idle = await this.#deps.db.$queryRaw<{ id: string }[]>`
        SELECT id FROM live_sessions
        WHERE status = 'ACTIVE'
          AND COALESCE(last_audio_at, created_at) < now() - make_interval(secs => ${this.#deps.env.LIVE_IDLE_SECONDS}::float8)
        LIMIT 100`;
      for (const { id } of idle) await this.#endIdle(id);
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'live session sweep failed');
    } finally {
      this.#sweeping = false;
    }
  }

  async #endIdle(sessionId: string): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#options.onIdle(sessionId);
    } catch (error) {
      this.#deps.logger.warn({ err: error, sessionId }, 'could not end an idle live session');
    }
  }

  /** Frees every engine (sessions stay ACTIVE in the database; clients continue elsewhere). */
  async close(): Promise<void> {
    this.#closed = true;
    this.localSlots.close();
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    await Promise.all([...this.#runtimes.values()].map((runtime) => runtime.dispose()));
    this.#runtimes.clear();
  }
}
