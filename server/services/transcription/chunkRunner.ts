/**
 * Transcribes a job's chunks side by side and stores them in order (README, "Performance"): up to
 * LOCAL_DECODERS chunks at once on LOCAL (whose decoders the jobs of a process share fairly, see
 * providers/local/decoderPool.ts), PROVIDER_CONCURRENCY on a cloud engine. Whatever order they finish
 * in, chunk n is committed (storeChunk: its segments, its job_chunks row, chunksDone = n + 1) only after
 * chunk n - 1, so a resume starts after the last committed chunk exactly as with one chunk at a time.
 *
 * The chunk at the head of the order (the next to commit) is live: each utterance the engine
 * finishes is stored and published at once (storeStreamedSegments); the utterances of later chunks
 * wait in memory until their chunk is the head. Progress moves with the audio decoded in every chunk
 * in flight, never backwards. All writes go through one queue, so segments keep their order.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { CoreDeps } from '../../context.ts';
import type { Job } from '../../db/db.ts';
import { chunkWav, type Chunk } from '../../media/chunks.ts';
import type { ProviderName, Segment, TranscribeResult } from '../../providers/types.ts';
import { publishJobChange } from '../jobs.ts';
import { JobCancelledError } from '../workFailure.ts';
import type { EngineRoute } from './engineRoute.ts';
import { storeChunk, storeStreamedSegments } from './storeChunk.ts';

/** Share of progress given to transcription; the rest covers finishing. */
export const TRANSCRIBE_SHARE = 0.95;
/** A progress-only write waits until progress has moved this much (and PROGRESS_STEP_SECONDS of audio). */
const PROGRESS_STEP = 0.02;
const PROGRESS_STEP_SECONDS = 2;
/** Chunks started beyond the head, per lane: bounds what waits in memory behind a slow head chunk. */
const LOOKAHEAD_PER_LANE = 2;

export interface ChunkRunInput {
  deps: CoreDeps;
  job: Job;
  route: EngineRoute;
  wav: string;
  workDir: string;
  chunks: Chunk[];
  durationSeconds: number;
  signal: AbortSignal;
  /** Aborted once a chunk has failed, so the others stop: the route's signal must follow it. */
  stop: AbortController;
  debug: (message: string) => void;
  /** Nothing is left to do after the last chunk: its commit completes the job (storeChunk's `complete`). */
  completes: boolean;
}

interface ChunkState {
  chunk: Chunk;
  decodedSeconds: number;
  /** Utterances decoded before the chunk became the head. */
  early: StreamedSegment[];
  outcome: { result: TranscribeResult; provider: ProviderName } | null;
  commitQueued: boolean;
}

interface StreamedSegment {
  segment: Segment;
  provider: ProviderName;
}

/** How many chunks of a job run at once on `engine`. */
export function chunkLanes(env: CoreDeps['env'], engine: ProviderName): number {
  return engine === 'LOCAL' ? env.LOCAL_DECODERS : env.PROVIDER_CONCURRENCY;
}

/** Resolves true when the last chunk's commit completed the job (`completes`), else false. */
export async function transcribeChunks(input: ChunkRunInput): Promise<boolean> {
  return new ChunkRun(input).run();
}

class ChunkRun {
  readonly #input: ChunkRunInput;
  readonly #states = new Map<number, ChunkState>();
  #failure: { error: unknown } | null = null;
  /** Index of the next chunk to commit. */
  #head: number;
  #committedSeconds = 0;
  #detectedLanguage: string | null;
  /** Serialised writes: streamed segments, progress, commits. */
  #writes: Promise<void> = Promise.resolve();
  #pending: StreamedSegment[] = [];
  #streamQueued = false;
  #progressQueued = false;
  #progressWritten: number;
  readonly #headMoved = new Set<() => void>();
  #completed = false;

  constructor(input: ChunkRunInput) {
    this.#input = input;
    this.#head = input.job.chunksDone;
    this.#detectedLanguage = input.job.detectedLanguage;
    this.#progressWritten = input.job.progress;
    for (const chunk of input.chunks) {
      if (chunk.index < this.#head) this.#committedSeconds += chunk.end - chunk.start;
      else this.#states.set(chunk.index, { chunk, decodedSeconds: 0, early: [], outcome: null, commitQueued: false });
    }
  }

  async run(): Promise<boolean> {
    const { deps, route, signal } = this.#input;
    const todo = [...this.#states.values()].map((state) => state.chunk);
    const lanes = Math.max(1, Math.min(chunkLanes(deps.env, route.current), todo.length));
    const onAbort = () => this.#fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      let next = 0;
      const lane = async () => {
        while (!this.#failure && next < todo.length) {
          const chunk = todo[next++];
          await this.#untilWithinLookahead(chunk.index, lanes * LOOKAHEAD_PER_LANE);
          if (this.#failure) return;
          await this.#transcribe(chunk).catch((error: unknown) => this.#fail(error));
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
      // A commit may queue the next one: wait until the queue stays empty.
      for (let writes = this.#writes; ; writes = this.#writes) {
        await writes;
        if (writes === this.#writes) break;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (this.#failure) throw this.#failure.error;
    if (this.#head <= (todo.at(-1)?.index ?? -1)) throw new Error('Chunks were left uncommitted'); // a bug, not a user error
    return this.#completed;
  }

  async #transcribe(chunk: Chunk): Promise<void> {
    const { route, job, workDir, wav } = this.#input;
    const ownFile = path.join(workDir, `chunk-${chunk.index}.wav`);
    // A one-chunk job hands the engine the normalised WAV itself when it is exactly the chunk's bytes.
    let chunkPath = ownFile;
    try {
      chunkPath = await chunkWav(wav, chunk, ownFile);
      const outcome = await route.transcribe(chunk.index, {
        wavPath: chunkPath,
        durationSeconds: chunk.end - chunk.start,
        language: job.language,
        diarize: job.diarize,
        sentiment: job.sentimentRequested,
        holder: job.id,
        onSegment: (segment, provider) => this.#streamed(chunk.index, { segment, provider }),
        onProgress: (seconds) => this.#decoded(chunk.index, seconds),
      });
      const state = this.#state(chunk.index);
      state.outcome = outcome;
      state.decodedSeconds = chunk.end - chunk.start;
      // The head's commit is waited for (a few ms), so its segments are stored before this lane sends
      // the next chunk, as with one chunk at a time; a chunk ahead of the head is committed later.
      if (chunk.index === this.#head) await this.#queueCommit(state);
    } finally {
      if (chunkPath === ownFile) await rm(ownFile, { force: true });
    }
  }

  #streamed(index: number, streamed: StreamedSegment): void {
    if (this.#failure || !this.#states.has(index)) return;
    if (index !== this.#head) {
      this.#state(index).early.push(streamed);
      return;
    }
    this.#pending.push(streamed);
    if (this.#streamQueued) return;
    this.#streamQueued = true;
    this.#enqueue(() => this.#writeStreamed());
  }

  #decoded(index: number, seconds: number): void {
    if (this.#failure || !this.#states.has(index)) return;
    this.#state(index).decodedSeconds = seconds;
    const progress = this.#progress();
    const stepSeconds = (TRANSCRIBE_SHARE * PROGRESS_STEP_SECONDS) / Math.max(this.#input.durationSeconds, 1e-6);
    if (this.#progressQueued || progress - this.#progressWritten < Math.max(PROGRESS_STEP, stepSeconds)) return;
    this.#progressQueued = true;
    this.#enqueue(() => this.#writeProgress());
  }

  /** The share of the job done: committed chunks plus what the chunks in flight have decoded; never less than written. */
  #progress(): number {
    let seconds = this.#committedSeconds;
    for (const state of this.#states.values()) if (state.chunk.index >= this.#head) seconds += state.decodedSeconds;
    const share = (TRANSCRIBE_SHARE * seconds) / Math.max(this.#input.durationSeconds, 1e-6);
    return Math.max(this.#progressWritten, Math.min(TRANSCRIBE_SHARE, share));
  }

  async #writeStreamed(): Promise<void> {
    this.#streamQueued = false;
    const batch = this.#pending;
    this.#pending = [];
    const state = this.#state(this.#head);
    // One write per run of segments from the same engine (an engine switch mid-chunk starts a new run).
    for (let from = 0; from < batch.length; ) {
      let to = from + 1;
      while (to < batch.length && batch[to].provider === batch[from].provider) to += 1;
      const progress = this.#progress();
      const stored = await storeStreamedSegments(
        this.#input.deps,
        this.#input.job,
        state.chunk,
        batch[from].provider,
        batch.slice(from, to).map(({ segment }) => segment),
        progress,
      );
      if (!stored) throw new JobCancelledError();
      this.#progressWritten = progress;
      from = to;
    }
  }

  async #writeProgress(): Promise<void> {
    this.#progressQueued = false;
    const progress = this.#progress();
    if (progress <= this.#progressWritten) return;
    const { deps, job } = this.#input;
    const { count } = await deps.db.job.updateMany({ where: { id: job.id, status: 'PROCESSING' }, data: { progress } });
    if (count === 0) throw new JobCancelledError();
    this.#progressWritten = progress;
    await publishJobChange(deps, { id: job.id, ownerId: job.ownerId, status: 'PROCESSING', progress });
  }

  #queueCommit(state: ChunkState): Promise<void> {
    if (state.commitQueued) return Promise.resolve();
    state.commitQueued = true;
    return this.#enqueue(() => this.#commit(state));
  }

  async #commit(state: ChunkState): Promise<void> {
    const { deps, job, chunks, debug, completes, durationSeconds } = this.#input;
    const { chunk } = state;
    const { result, provider } = state.outcome!;
    // The chunk's own result holds every segment still waiting to be streamed.
    this.#pending = [];
    this.#detectedLanguage ??= result.language;
    const progress = Math.max(
      this.#progressWritten,
      (TRANSCRIBE_SHARE * (this.#committedSeconds + chunk.end - chunk.start)) / Math.max(this.#input.durationSeconds, 1e-6),
    );
    const completing = completes && chunk.index === chunks.at(-1)?.index;
    const stored = await storeChunk(deps, job.id, chunk, provider, result.segments, {
      progress: Math.min(TRANSCRIBE_SHARE, progress),
      detectedLanguage: this.#detectedLanguage,
      chunksTotal: chunks.length,
      complete: completing ? { job, durationSeconds } : undefined,
    });
    if (!stored) throw new JobCancelledError();
    this.#completed = completing;
    this.#progressWritten = Math.min(TRANSCRIBE_SHARE, progress);
    this.#committedSeconds += chunk.end - chunk.start;
    this.#states.delete(chunk.index);
    this.#head = chunk.index + 1;
    debug(`job ${job.id}: chunk ${chunk.index + 1}/${chunks.length} done`);
    for (const wake of this.#headMoved) wake();
    const next = this.#states.get(this.#head);
    if (!next) return;
    if (next.outcome) {
      void this.#queueCommit(next);
    } else {
      for (const streamed of next.early.splice(0)) this.#streamed(this.#head, streamed);
    }
  }

  #enqueue(write: () => Promise<void>): Promise<void> {
    this.#writes = this.#writes.then(async () => {
      if (this.#failure) return;
      try {
        await write();
      } catch (error) {
        this.#fail(error);
      }
    });
    return this.#writes;
  }

  #fail(error: unknown): void {
    if (this.#failure) return;
    this.#failure = { error };
    this.#input.stop.abort(error);
    for (const wake of this.#headMoved) wake();
  }

  /** Waits until `index` is within `lookahead` chunks of the head (or the run has failed). */
  async #untilWithinLookahead(index: number, lookahead: number): Promise<void> {
    while (!this.#failure && index >= this.#head + lookahead) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#headMoved.delete(wake);
          resolve();
        };
        this.#headMoved.add(wake);
      });
    }
  }

  #state(index: number): ChunkState {
    const state = this.#states.get(index);
    if (!state) throw new Error(`Chunk ${index} is not in flight`);
    return state;
  }
}
