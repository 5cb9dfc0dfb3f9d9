// How a transcription ends: COMPLETED with its transcript and usage, FAILED with a reason, or back
// in the queue when the runner stops. Each end is written once (conditional on the status) and published.
import type { CoreDeps } from '../../context.ts';
import { Prisma, type Job, type JobChunk, type Provider } from '../../db/db.ts';
import { AppError } from '../../errors.ts';
import { observeFinishedJob } from '../../observability/metrics.ts';
import { ProviderError } from '../../providers/types.ts';
import { newId } from '../../ids.ts';
import { enqueueTranscription, publishJobChange } from '../jobs.ts';
import { enqueueSentiment } from '../jobSentiment.ts';
import { enqueueSummary } from '../jobSummary.ts';
import { enqueueTranslation } from '../jobTranslation.ts';
import { redactedTranscriptPayload } from '../redaction.ts';
import { estimateCostUsd } from '../pricing.ts';
import { emitEvent } from '../webhooks/emit.ts';
import type { FailureRecord } from '../workFailure.ts';

/**
 * Completes a job whose chunks are all stored (and speakers linked): its transcript, usage and
 * job.completed webhook in one transaction, then its event. `job` is the row the task started with.
 */
export async function completeTranscription(deps: CoreDeps, job: Job, durationSeconds: number): Promise<void> {
  const { text, chunks } = await transcriptAndChunks(deps, job.id);
  const completedAt = new Date();
  const completed = await deps.db.$transaction((tx) => writeCompletion(deps, tx, job, { text, chunks, durationSeconds, completedAt }));
  if (!completed) return;
  observeFinishedJob(deps.metrics, completed, completedAt);
  await publishJobChange(deps, completed);
}

export interface CompletionInput {
  /** The whole transcript: every segment's text in order, joined by spaces. */
  text: string;
  /** Every chunk's range and engine (usage is billed from these). */
  chunks: Array<Pick<JobChunk, 'startSeconds' | 'endSeconds' | 'provider'>>;
  durationSeconds: number;
  /** Also the usage record's time, so usage and jobStats agree over any range. */
  completedAt: Date;
  /** More of the job's columns for the completing update (the last chunk's, when its commit completes). */
  alsoSet?: Pick<Prisma.JobUpdateInput, 'chunksDone' | 'chunksTotal' | 'detectedLanguage'>;
  /** The job.completed endpoints, when a statement of this transaction read them already (emitEvent). */
  endpointIds?: readonly string[];
}

/**
 * The completing writes, in the caller's transaction (completeTranscription's own, or the last
 * chunk's commit: storeChunk): COMPLETED with the transcript, the steps that follow it queued, one
 * usage record per engine, the job.completed webhook. `job` is the row the task started with: what
 * this reads of it (the steps requested) is fixed at submission; the rest comes from the update's
 * own row. Null when the job is no longer PROCESSING (a cancel or a second run got here first).
 */
export async function writeCompletion(deps: CoreDeps, tx: Prisma.TransactionClient, job: Job, input: CompletionInput): Promise<Job | null> {
  const jobId = job.id;
  const { text, chunks, durationSeconds, completedAt } = input;
  // The transcript is the product: the job completes with it, and its translation follows as a
  // step of its own, whose failure fails only the translation.
  const translationStatus = job.translateTo ? 'PENDING' : null;
  const sentimentStatus = job.sentimentRequested ? 'PENDING' : null;
  const summaryStatus = job.summaryRequested ? 'PENDING' : null;
  // Conditional on PROCESSING; the updated row comes back from the same statement.
  const row = await tx.job
    .update({
      where: { id: jobId, status: 'PROCESSING' },
      data: { ...input.alsoSet, status: 'COMPLETED', progress: 1, text, translationStatus, translationError: null, sentimentStatus, sentimentError: null, summaryStatus, summaryError: null, completedAt },
    })
    .catch((error: unknown) => {
      if (isRecordNotFound(error)) return null;
      throw error;
    });
  if (!row) return null;
  if (translationStatus) await enqueueTranslation(deps, tx, jobId);
  if (sentimentStatus) await enqueueSentiment(deps, tx, jobId);
  if (summaryStatus) await enqueueSummary(deps, tx, jobId);
  // One record per engine, written once: a record already there (an earlier run of this step) stays.
  await tx.usageRecord.createMany({
    data: [...secondsByEngine(row, chunks, durationSeconds)].map(([provider, audioSeconds]) => ({
      id: newId('UsageRecord'),
      userId: row.ownerId,
      projectId: row.projectId,
      jobId,
      provider,
      model: row.model,
      audioSeconds,
      costUsd: estimateCostUsd(deps.prices, provider, row.model, audioSeconds),
      createdAt: completedAt,
    })),
    skipDuplicates: true,
  });
  const redacted = await redactedTranscriptPayload(tx, row);
  await emitEvent(deps, { type: 'job.completed', ownerId: row.ownerId, projectId: row.projectId, payload: { job: { ...jobEventData(row), ...redacted } } }, tx, input.endpointIds);
  return row;
}

/**
 * The job's transcript text (its segments' text in order, joined by spaces) and its chunk ranges
 * (usage is billed from these), in one read.
 */
async function transcriptAndChunks(deps: CoreDeps, jobId: string) {
  const [row] = await deps.db.$queryRaw<{ text: string | null; chunks: string | null }[]>`
    SELECT ${transcriptTextSql(jobId)} AS text, ${chunkRangesSql(jobId)} AS chunks`;
  return { text: row.text ?? '', chunks: parseChunkRanges(row.chunks) };
}

/**
 * SQL for the transcript text as a completed job stores it: its segments' text in order, joined by
 * spaces, up to chunk `throughChunk` when given; NULL without segments.
 */
export function transcriptTextSql(jobId: string, throughChunk?: number): Prisma.Sql {
  const upTo = throughChunk === undefined ? Prisma.empty : Prisma.sql`AND s.chunk_index <= ${throughChunk}`;
  return Prisma.sql`(SELECT string_agg(s.text, ' ' ORDER BY s.idx) FROM transcript_segments s WHERE s.job_id = ${jobId} ${upTo})`;
}

type ChunkRange = Pick<JobChunk, 'startSeconds' | 'endSeconds' | 'provider'>;

/** SQL for the job's chunk ranges and engines in order, as JSON text, before chunk `beforeChunk` when given; NULL without any. */
export function chunkRangesSql(jobId: string, beforeChunk?: number): Prisma.Sql {
  const before = beforeChunk === undefined ? Prisma.empty : Prisma.sql`AND c.idx < ${beforeChunk}`;
  return Prisma.sql`(SELECT json_agg(json_build_object('startSeconds', c.start_seconds, 'endSeconds', c.end_seconds, 'provider', c.provider) ORDER BY c.idx)::text
    FROM job_chunks c WHERE c.job_id = ${jobId} ${before})`;
}

export function parseChunkRanges(json: string | null): ChunkRange[] {
  return json === null ? [] : (JSON.parse(json) as ChunkRange[]);
}

/** Prisma's answer to an update whose where matched no row. */
export function isRecordNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2025';
}

/**
 * The audio seconds each engine transcribed (one usage record each), in the order the job used
 * them. They add up to the whole duration: what the chunk ranges miss (rounding, or chunks stored
 * before chunk ranges were recorded) goes to the engine of the last chunk, else the job's engine.
 */
function secondsByEngine(
  job: Pick<Job, 'provider' | 'currentProvider'>,
  chunks: Array<Pick<JobChunk, 'startSeconds' | 'endSeconds' | 'provider'>>,
  durationSeconds: number,
): Map<Provider, number> {
  const seconds = new Map<Provider, number>();
  for (const chunk of chunks) seconds.set(chunk.provider, (seconds.get(chunk.provider) ?? 0) + (chunk.endSeconds - chunk.startSeconds));
  const counted = [...seconds.values()].reduce((sum, value) => sum + value, 0);
  const rest = chunks.at(-1)?.provider ?? job.currentProvider ?? job.provider;
  seconds.set(rest, Math.max(0, (seconds.get(rest) ?? 0) + durationSeconds - counted));
  return seconds;
}

/**
 * What the failure policy (jobs/taskFailure.ts) does with a transcription's errors: only a
 * transient provider error is retried; anything else fails the job with a reason at once, and media
 * that cannot be transcribed is not kept. A stopping runner puts the job back in the queue.
 */
export function transcriptionFailure(deps: CoreDeps, jobId: string): FailureRecord {
  return {
    isFinal: (error) => !(error instanceof ProviderError && error.kind === 'transient'),
    fail: async (error) => {
      await failTranscription(deps, jobId, failureReason(error));
      if (error instanceof AppError && error.code === 'UNSUPPORTED_MEDIA') await dropMedia(deps, jobId);
      if (!(error instanceof AppError) && !(error instanceof ProviderError)) {
        deps.logger.error({ err: error, jobId }, 'transcription failed unexpectedly');
      }
    },
    requeue: () => requeueTranscription(deps, jobId),
  };
}

async function failTranscription(deps: CoreDeps, jobId: string, reason: string): Promise<void> {
  const failed = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: { in: ['QUEUED', 'PROCESSING'] } },
      data: { status: 'FAILED', error: reason, completedAt: new Date() },
    });
    if (count === 0) return null;
    const row = await tx.job.findUnique({ where: { id: jobId } });
    if (row) await emitEvent(deps, { type: 'job.failed', ownerId: row.ownerId, projectId: row.projectId, payload: { job: jobEventData(row) } }, tx);
    return row;
  });
  if (!failed) return;
  observeFinishedJob(deps.metrics, failed, failed.completedAt ?? new Date());
  await publishJobChange(deps, failed);
}

/**
 * The runner is stopping (helpers.abortSignal): the job goes back to the queue, with a fresh
 * graphile-worker job (no attempt used up), and resumes after its last stored chunk.
 */
async function requeueTranscription(deps: CoreDeps, jobId: string): Promise<void> {
  const queued = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: 'PROCESSING' },
      data: { status: 'QUEUED' },
    });
    if (count === 0) return null;
    await enqueueTranscription(tx, jobId);
    return tx.job.findUnique({ where: { id: jobId } });
  });
  if (queued) await publishJobChange(deps, queued);
}

/** What job.completed and job.failed webhooks carry: facts and ids; the transcript is fetched through the API. */
function jobEventData(job: Job) {
  return {
    id: job.id,
    status: job.status,
    ownerId: job.ownerId,
    projectId: job.projectId,
    provider: job.provider,
    model: job.model,
    filename: job.filename,
    mediaDurationSeconds: job.mediaDurationSeconds,
    detectedLanguage: job.detectedLanguage,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    completedAt: job.completedAt?.toISOString() ?? null,
  };
}

/** Media that cannot be transcribed is not kept: nothing is left behind but the failed job row. */
async function dropMedia(deps: CoreDeps, jobId: string): Promise<void> {
  await deps.storage.deletePrefix(`jobs/${jobId}/`);
  await deps.db.job.updateMany({ where: { id: jobId }, data: { sourceKey: null } });
}

function failureReason(error: unknown): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof ProviderError) {
    if (error.kind === 'auth') return `The provider rejected the key: ${error.message}`;
    return error.message;
  }
  return 'Transcription failed unexpectedly.';
}
