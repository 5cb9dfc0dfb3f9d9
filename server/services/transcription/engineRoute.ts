/**
 * A job's way through its engines (README, "Provider routing and fallback"). Each chunk goes to the
 * engine in use; when that engine is unavailable (no key, a refused key, not installed) or keeps
 * failing after its retries (timeouts, 5xx, 429 beyond the backoff), the job moves on to the next
 * engine of its list, for this chunk and the rest; finished chunks stay as they are. The last engine
 * keeps the queue's policy: a transient failure there is retried by graphile-worker with its backoff
 * (the job resumes on that engine, `currentProvider`), anything else fails the job.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { CoreDeps } from '../../context.ts';
import type { Job } from '../../db/db.ts';
import { newId } from '../../ids.ts';
import { ProviderError, type ProviderName, type Segment, type TranscribeRequest, type TranscribeResult } from '../../providers/types.ts';
import { publishJobChange } from '../jobs.ts';
import { vocabularyOf, VocabularyReports } from '../vocabularyApplied.ts';
import type { Vocabulary } from '../../providers/vocabulary.ts';
import { resolveProviderKey } from '../providerKeys.ts';
import { JobCancelledError } from '../workFailure.ts';

type ChunkRequest = Omit<TranscribeRequest, 'apiKey' | 'model' | 'signal' | 'onSegment'> & {
  /** Each segment as the engine finishes it (engines that stream), with the engine it came from. */
  onSegment?: (segment: Segment, provider: ProviderName) => void;
};

/** The engines a job may use, in order: its list, or (rows from before routing) its provider alone. */
export function enginesOf(job: Pick<Job, 'provider' | 'providers'>): ProviderName[] {
  return (job.providers.length > 0 ? job.providers : [job.provider]) as ProviderName[];
}

export class EngineRoute {
  readonly #deps: CoreDeps;
  readonly #job: Job;
  readonly #engines: ProviderName[];
  readonly #signal: AbortSignal;
  #index: number;
  /** Keys resolved so far, by engine (an engine is asked for its key once per run). */
  readonly #keys = new Map<ProviderName, string | null>();
  readonly #vocabulary: Vocabulary | null;
  readonly #vocabularyReports: VocabularyReports;

  constructor(deps: CoreDeps, job: Job, signal: AbortSignal) {
    this.#deps = deps;
    this.#job = job;
    this.#signal = signal;
    this.#engines = enginesOf(job);
    this.#vocabulary = vocabularyOf(job);
    this.#vocabularyReports = new VocabularyReports(deps.db, { table: 'jobs', id: job.id });
    this.#index = Math.max(0, job.currentProvider ? this.#engines.indexOf(job.currentProvider as ProviderName) : 0);
  }

  /** The engine in use now. */
  get current(): ProviderName {
    return this.#engines[this.#index];
  }

  /** The longest chunk every engine of the list takes: chunks stay valid after a switch, and the same on a resume. */
  get maxChunkSeconds(): number {
    return Math.min(...this.#engines.map((name) => this.#deps.providers[name].maxChunkSeconds));
  }

  /** Transcribes one chunk on the engine in use, moving on to the next engines as needed; says which engine did it. */
  async transcribe(chunkIndex: number, request: ChunkRequest): Promise<{ result: TranscribeResult; provider: ProviderName }> {
    const { env } = this.#deps;
    let retries = 0;
    for (;;) {
      const index = this.#index;
      const provider = this.#engines[index];
      const isLast = index === this.#engines.length - 1;
      try {
        const apiKey = await this.#key(provider);
        const { onSegment } = request;
        const result = await this.#deps.providers[provider].transcribe({
          ...request,
          onSegment: onSegment && ((segment) => onSegment(segment, provider)),
          // Engines without a model choice were left out of the list at submission when a model was named.
          model: this.#job.model,
          vocabulary: this.#vocabulary,
          redact: this.#job.redact,
          apiKey,
          signal: this.#signal,
        });
        await this.#vocabularyReports.record(provider, result.vocabularyApplied);
        return { result, provider };
      } catch (error) {
        if (this.#signal.aborted || !(error instanceof ProviderError) || error.kind === 'bad_media' || isLast) throw error;
        // Chunks run side by side: another chunk moved the job on meanwhile, so this one follows it.
        if (this.#index !== index) {
          retries = 0;
          continue;
        }
        if (error.kind === 'transient' && retries < env.PROVIDER_RETRIES) {
          const wait = Math.max(env.PROVIDER_RETRY_DELAY_MS * 2 ** retries, error.details.retryAfterMs ?? 0);
          if (wait <= env.PROVIDER_RETRY_MAX_DELAY_MS) {
            retries += 1;
            await this.#record({ kind: 'PROVIDER_RETRIED', fromProvider: provider, reason: error.message, chunkIndex });
            await delay(wait, undefined, { signal: this.#signal }).catch(() => {
              throw new JobCancelledError();
            });
            continue;
          }
        }
        await this.#switch(chunkIndex, provider, this.#engines[this.#index + 1], reasonOf(error, retries));
        retries = 0;
      }
    }
  }

  async #key(provider: ProviderName): Promise<string | null> {
    if (!this.#keys.has(provider)) this.#keys.set(provider, await resolveProviderKey(this.#deps, this.#job.ownerId, provider));
    return this.#keys.get(provider) ?? null;
  }

  async #switch(chunkIndex: number, from: ProviderName, to: ProviderName, reason: string): Promise<void> {
    this.#index += 1;
    const updated = await this.#deps.db.$transaction(async (tx) => {
      const { count } = await tx.job.updateMany({ where: { id: this.#job.id, status: 'PROCESSING' }, data: { currentProvider: to } });
      if (count === 0) return null;
      await tx.jobEvent.create({
        data: { id: newId('JobEvent'), jobId: this.#job.id, kind: 'PROVIDER_SWITCHED', fromProvider: from, toProvider: to, reason, chunkIndex },
      });
      return tx.job.findUniqueOrThrow({ where: { id: this.#job.id } });
    });
    if (!updated) throw new JobCancelledError();
    this.#deps.logger.info({ jobId: this.#job.id, from, to, chunkIndex, reason }, 'job switched engine');
    await publishJobChange(this.#deps, updated);
  }

  async #record(event: { kind: 'PROVIDER_RETRIED'; fromProvider: ProviderName; reason: string; chunkIndex: number }): Promise<void> {
    await this.#deps.db.jobEvent.create({ data: { id: newId('JobEvent'), jobId: this.#job.id, ...event } });
  }
}

/** Why the job left an engine, for users: the engine's own (scrubbed) message, and the retries spent. */
function reasonOf(error: ProviderError, retries: number): string {
  const tried = retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
  if (error.kind === 'auth') return `The provider refused or lacks a key: ${error.message}`;
  if (error.kind === 'unavailable') return `The engine is unavailable: ${error.message}`;
  return `The engine kept failing${tried}: ${error.message}`;
}
