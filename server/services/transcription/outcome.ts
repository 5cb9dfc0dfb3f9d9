// How a transcription ends: COMPLETED with its transcript and usage, FAILED with a reason, or back
// in the queue when the runner stops. Each end is written once (conditional on the status) and published.
import type { CoreDeps } from '../../context.ts';
import type { Job, JobChunk, Provider } from '../../db/db.ts';
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

export async function completeTranscription(deps: CoreDeps, jobId: string, durationSeconds: number): Promise<void> {
  const job = await deps.db.job.findUniqueOrThrow({ where: { id: jobId } });
  const segments = await deps.db.transcriptSegment.findMany({ where: { jobId }, orderBy: { idx: 'asc' } });
  const text = segments.map((segment) => segment.text).join(' ');
  // The transcript is the product: the job completes with it, and its translation follows as a
  // step of its own, whose failure fails only the translation.
  const translationStatus = job.translateTo ? 'PENDING' : null;
  const sentimentStatus = job.sentimentRequested ? 'PENDING' : null;
  const summaryStatus = job.summaryRequested ? 'PENDING' : null;
  // The usage record carries the completion time, so usage and jobStats agree over any range.
  const completedAt = new Date();
  const completed = await deps.db.$transaction(async (tx) => {
    // Conditional on PROCESSING (a cancel or a second run that got here first wins); the updated
    // row comes back from the same statement.
    const row = await tx.job
      .update({
        where: { id: jobId, status: 'PROCESSING' },
        data: { status: 'COMPLETED', progress: 1, text, translationStatus, translationError: null, sentimentStatus, sentimentError: null, summaryStatus, summaryError: null, completedAt },
      })
      .catch((error: unknown) => {
        if (isRecordNotFound(error)) return null;
        throw error;
      });
    if (!row) return null;
    if (translationStatus) await enqueueTranslation(deps, tx, jobId);
    if (sentimentStatus) await enqueueSentiment(deps, tx, jobId);
    if (summaryStatus) await enqueueSummary(deps, tx, jobId);
    const chunks = await tx.jobChunk.findMany({ where: { jobId }, orderBy: { idx: 'asc' } });
    // One record per engine, written once: a record already there (an earlier run of this step) stays.
    await tx.usageRecord.createMany({
      data: [...secondsByEngine(job, chunks, durationSeconds)].map(([provider, audioSeconds]) => ({
        id: newId('UsageRecord'),
        userId: job.ownerId,
        projectId: job.projectId,
        jobId,
        provider,
        model: job.model,
        audioSeconds,
        costUsd: estimateCostUsd(deps.prices, provider, job.model, audioSeconds),
        createdAt: completedAt,
      })),
      skipDuplicates: true,
    });
    const redacted = await redactedTranscriptPayload(tx, row);
    await emitEvent(deps, { type: 'job.completed', ownerId: row.ownerId, projectId: row.projectId, payload: { job: { ...jobEventData(row), ...redacted } } }, tx);
    return row;
  });
  if (!completed) return;
  observeFinishedJob(deps.metrics, completed, completedAt);
  await publishJobChange(deps, completed);
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
