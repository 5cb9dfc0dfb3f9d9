/**
 * The streaming engine of one live session and the PCM decoder in front of it. The engine starts
 * in the background on the first applied chunk (or at once for startLiveSession, which reports why
 * it cannot); appends never wait for it. A new engine (the first, one after a failure, or one after
 * a restart of the process) replays the stored audio from the end of the last final segment, so
 * nothing heard since then is lost.
 *
 * Fallback (README, "Provider routing and fallback"): when the engine in use fails (at its start or
 * mid-session) and the session has a next engine, that one takes over at once, from the same point:
 * the end of the last final, an utterance boundary. Finals already stored stay; nothing after them
 * is lost or heard twice. The last engine of the list is retried after a pause, as before. Every
 * engine the session starts (a fallback's too) gets the session's vocabulary; what each applied is
 * recorded on the session (LiveSession.vocabularyApplied), once per engine.
 */
import type { CoreDeps } from '../context.ts';
import type { Provider } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { mediaToolsFromEnv } from '../media/run.ts';
import { ProviderError, type ProviderName } from '../providers/types.ts';
import type { Vocabulary } from '../providers/vocabulary.ts';
import { VocabularyReports } from '../services/vocabularyApplied.ts';
import type { AudioFormat } from './audioSeconds.ts';
import type { ChunkOrder } from './chunkOrder.ts';
import { openLiveEngine } from './engines.ts';
import { localSessionsExhausted, type LocalDecoderSlots } from './localSlots.ts';
import { createPcmSource, type PcmSource } from './pcmSource.ts';
import type { StoredSessionAudio } from './storedAudio.ts';
import type { TranscriptEvents } from './transcriptEvents.ts';
import { LIVE_SAMPLE_RATE, type LiveEngine } from './types.ts';

/** After an engine failed or could not start, the next try waits this long. */
const ENGINE_RETRY_MS = 3_000;

interface EngineSession extends AudioFormat {
  id: string;
  /** The engine to start with. */
  provider: Provider;
  /** The engines to fall back through, in order. */
  providers: Provider[];
  language: string | null;
  model: string | null;
  /** The terms and context prompt the session was started with. */
  vocabulary: Vocabulary | null;
}

interface EngineHostParts {
  slots: LocalDecoderSlots;
  /** The key an engine uses (services/providerKeys.ts resolves it). */
  resolveKey(provider: Provider): Promise<string | null>;
  order: ChunkOrder;
  stored: StoredSessionAudio;
  transcript: TranscriptEvents;
}

export class EngineHost {
  readonly #deps: Pick<CoreDeps, 'env' | 'providers' | 'logger' | 'db'>;
  readonly #session: EngineSession;
  /** The engine in use (or to start next). */
  #provider: Provider;
  readonly #parts: EngineHostParts;
  readonly #vocabularyReports: VocabularyReports;
  #engine: LiveEngine | null = null;
  #source: PcmSource | null = null;
  #hasSlot = false;
  #retryAt = 0;
  #starting: Promise<void> | null = null;
  #disposed = false;
  /** Session sample (16 kHz) of the current PCM source's first output sample. */
  #sourceStart = 0;
  #sourceSamples = 0;
  /** The engine is fed samples from here on; engine time 0 is this sample. */
  #resumeSample = 0;

  constructor(deps: Pick<CoreDeps, 'env' | 'providers' | 'logger' | 'db'>, session: EngineSession, parts: EngineHostParts) {
    this.#deps = deps;
    this.#session = session;
    this.#provider = session.provider;
    this.#parts = parts;
    this.#vocabularyReports = new VocabularyReports(deps.db, { table: 'live_sessions', id: session.id });
  }

  /** Seconds of session audio decoded to PCM so far by this process. */
  get decodedSeconds(): number {
    return (this.#sourceStart + this.#sourceSamples) / LIVE_SAMPLE_RATE;
  }

  /** Opens the engine now, reporting why it cannot (PROVIDER_UNAVAILABLE, RATE_LIMITED). */
  open(): Promise<void> {
    if (this.#starting) return this.#starting;
    return this.#track(this.#start(true));
  }

  /** Starts an engine in the background when none runs (and the last failure is not too recent). */
  kick(): void {
    if (this.#engine || this.#starting || this.#disposed || this.#parts.order.closed || Date.now() < this.#retryAt) return;
    // Nobody awaits a background start: its failure is logged here, never left unhandled.
    this.#track(this.#start(false)).catch((error: unknown) =>
      this.#deps.logger.warn({ err: error, sessionId: this.#session.id }, 'live engine could not start'),
    );
  }

  /** Decodes applied audio for the engine (dropped while no engine runs: a new one replays it). */
  write(bytes: Buffer): void {
    this.#source?.write(bytes);
  }

  /** Waits for an engine start in progress, whatever its outcome. */
  async started(): Promise<void> {
    await this.#starting?.catch(() => {});
  }

  /** Decodes what is left and ends the engine: its last finals are emitted before this resolves. */
  async flush(): Promise<void> {
    await this.#source?.end().catch(() => {});
    await this.#engine
      ?.end()
      .catch((error: unknown) => this.#deps.logger.warn({ err: error, sessionId: this.#session.id }, 'live engine failed while ending'));
  }

  /** Frees the engine, the decoder and the LOCAL slot; no engine starts any more. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.#drop();
    if (this.#hasSlot) {
      this.#hasSlot = false;
      this.#parts.slots.release();
    }
  }

  #track(starting: Promise<void>): Promise<void> {
    const tracked = starting.finally(() => {
      if (this.#starting === tracked) this.#starting = null;
    });
    this.#starting = tracked;
    return tracked;
  }

  /**
   * Opens the engine (outside the lock: a LOCAL decoder takes about 0.5 s to load), then, under
   * the lock, makes it current and replays what it has not heard. With `strict`, reports why it
   * cannot start; otherwise logs, and a later append tries again after a pause.
   */
  async #start(strict: boolean): Promise<void> {
    if (this.#engine || this.#disposed) return;
    const { env, logger } = this.#deps;
    const { order, stored, transcript, slots } = this.#parts;
    const session = this.#session;
    const provider = this.#provider;
    if (provider === 'LOCAL' && !this.#hasSlot) {
      if (!slots.tryAcquire()) {
        this.#retryAt = Date.now() + ENGINE_RETRY_MS;
        if (strict) throw localSessionsExhausted(slots.max);
        return;
      }
      this.#hasSlot = true;
    }
    let engine: LiveEngine | null = null;
    try {
      const apiKey = await this.#parts.resolveKey(provider);
      engine = await openLiveEngine(this.#deps, provider, {
        language: session.language,
        model: session.model,
        apiKey,
        vocabulary: session.vocabulary,
        onVocabularyApplied: (report) =>
          void this.#vocabularyReports
            .record(provider as ProviderName, report) // openLiveEngine opens speech engines only
            .catch((error: unknown) => logger.warn({ err: error, sessionId: session.id }, 'could not record what the live engine applied of the vocabulary')),
      });
      const opened = engine;
      await order.withLock(async () => {
        if (this.#disposed) throw new Error('The live session was closed while its engine started.');
        if (this.#engine) {
          await opened.destroy();
          return;
        }
        const point = await stored.resumePoint();
        const nextSeq = Math.max(order.nextSeq, point?.nextSeq ?? 0);
        order.nextSeq = nextSeq;
        if (point) transcript.resume(point);
        this.#resumeSample = Math.round(transcript.lastFinalEnd * LIVE_SAMPLE_RATE);
        const offset = this.#resumeSample / LIVE_SAMPLE_RATE;
        opened.on('partial', (partial) => {
          if (this.#engine === opened) transcript.partial(partial, offset);
        });
        opened.on('final', (segment) => {
          if (this.#engine === opened || order.closed || this.#disposed) transcript.final(segment, offset, provider);
        });
        opened.on('error', (error) => void this.#failed(opened, error));
        this.#engine = opened;
        this.#source = createPcmSource(
          session,
          { pcm: (pcm) => this.#onPcm(pcm), error: (error) => void this.#failed(opened, error) },
          { ffmpegPath: mediaToolsFromEnv(env).ffmpegPath },
        );
        await this.#replay(nextSeq);
      });
    } catch (error) {
      if (engine && this.#engine === engine) await this.#drop();
      else await engine?.destroy().catch(() => {});
      if (error instanceof ProviderError && (await this.#fallBack(provider, error))) return this.#start(strict);
      this.#retryAt = Date.now() + ENGINE_RETRY_MS;
      if (strict) throw engineError(provider, error);
      if (!this.#disposed) logger.warn({ err: error, sessionId: session.id }, 'live engine could not start; audio is stored and the engine retried later');
    }
  }

  /** Feeds the stored audio that the new engine has not heard: from the end of the last final on. */
  async #replay(nextSeq: number): Promise<void> {
    this.#sourceSamples = 0;
    this.#sourceStart = 0;
    if (nextSeq === 0) return;
    let fromSeq = 0;
    if (this.#session.encoding === 'PCM_S16LE') {
      const rate = this.#session.sampleRate;
      const resumeByte = Math.floor((this.#resumeSample * rate) / LIVE_SAMPLE_RATE) * 2;
      let offset = 0;
      fromSeq = nextSeq;
      for (const row of await this.#parts.stored.chunkLengths(nextSeq)) {
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
    for await (const bytes of this.#parts.stored.chunks(fromSeq, nextSeq)) this.#source?.write(bytes);
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

  async #failed(engine: LiveEngine, error: Error): Promise<void> {
    if (this.#engine !== engine || this.#disposed) return;
    this.#retryAt = Date.now() + ENGINE_RETRY_MS;
    await this.#drop();
    if (await this.#fallBack(engine.name, error)) {
      this.#retryAt = 0;
      this.kick();
      return;
    }
    this.#deps.logger.warn({ err: error, sessionId: this.#session.id }, 'live engine failed; it is recreated on the next append');
  }

  /**
   * Moves on to the engine after `from` when there is one: recorded on the session (currentProvider)
   * and logged with the engine's (scrubbed) reason. A LOCAL decoder slot is given back on leaving LOCAL.
   */
  async #fallBack(from: Provider, error: Error): Promise<boolean> {
    const { providers, id } = this.#session;
    const next = providers[providers.indexOf(from) + 1];
    if (this.#disposed || from !== this.#provider || !next) return false;
    this.#provider = next;
    if (from === 'LOCAL' && this.#hasSlot) {
      this.#hasSlot = false;
      this.#parts.slots.release();
    }
    const reason = error instanceof ProviderError ? error.message : 'the engine stopped';
    this.#deps.logger.warn({ sessionId: id, from, to: next, reason }, 'live engine failed; the session falls back to its next engine');
    await this.#deps.db.liveSession
      .updateMany({ where: { id }, data: { currentProvider: next } })
      .catch((failure: unknown) => this.#deps.logger.warn({ err: failure, sessionId: id }, 'could not record the live engine switch'));
    return true;
  }

  async #drop(): Promise<void> {
    const engine = this.#engine;
    const source = this.#source;
    this.#engine = null;
    this.#source = null;
    this.#parts.transcript.dropPartial();
    source?.destroy();
    await engine?.destroy().catch(() => {});
  }
}

function engineError(provider: Provider, error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof ProviderError) {
    const why = error.kind === 'auth' ? `the provider refused the key (${error.message})` : error.message;
    return new AppError('PROVIDER_UNAVAILABLE', `The ${provider} live engine could not start: ${why}`);
  }
  return error;
}
