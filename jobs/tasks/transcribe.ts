import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JobHelpers, Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import type { Job } from '../../server/db/db.ts';
import { AppError } from '../../server/errors.ts';
import { extractChunk, planChunks } from '../../server/media/chunks.ts';
import { diskSpaceShortage, mediaStagingBytes } from '../../server/media/diskSpace.ts';
import { prepareAudio } from '../../server/media/prepare.ts';
import { mediaToolsFromEnv } from '../../server/media/run.ts';
import { isKeylessServer, serverKeyFor } from '../../server/providers/registry.ts';
import { ProviderError, type Segment } from '../../server/providers/types.ts';
import { topics } from '../../server/pubsub/pubsub.ts';
import { observeFinishedJob } from '../../server/observability/metrics.ts';
import { enqueueTranscription, publishJobChange } from '../../server/services/jobs.ts';
import { enqueueTranslation } from '../../server/services/jobTranslation.ts';
import { revealProviderKey } from '../../server/services/providerKeys.ts';
import { estimateCostUsd } from '../../server/services/pricing.ts';
import { fetchToFile } from '../../server/services/urlFetch.ts';
import { newId } from '../../server/ids.ts';
import { assertWithinQuota } from '../../server/services/quotas.ts';
import { emitEvent } from '../../server/services/webhooks/emit.ts';
import { JobCancelledError, type CancelWatch, type JobCancellations } from '../cancellation.ts';
import { assertTranscribePayload } from '../payloads.ts';

/** Share of progress given to transcription; the rest covers finishing. */
const TRANSCRIBE_SHARE = 0.95;

/**
 * Turns one Job into a transcript: fetch or download the media, normalise it to 16 kHz mono,
 * cut it into chunks at quiet points, transcribe chunk by chunk (each chunk's segments and the
 * chunk counter are written in one transaction, so a worker killed mid-job resumes after the last
 * finished chunk with no duplicates), then record usage and complete; a translation (translateTo)
 * follows as its own task (server/services/jobTranslation.ts).
 */
export function createTranscribeTask(deps: CoreDeps, cancellations: JobCancellations | null = null): Task {
  return async (payload, helpers) => {
    const { jobId } = assertTranscribePayload(payload);
    const job = await deps.db.job.findUnique({ where: { id: jobId } });
    if (!job || job.status === 'COMPLETED' || job.status === 'CANCELLED') return;
    // A cancel (or the job's deletion) stops the work at once: ffmpeg, the engine call, the decoder.
    // Without a watch it is noticed at the next chunk. A stopping runner aborts too (helpers.abortSignal).
    const cancel: CancelWatch = cancellations ? await cancellations.watch(jobId) : { signal: new AbortController().signal, release: () => {} };
    const signal = AbortSignal.any([cancel.signal, helpers.abortSignal]);
    const workDir = path.join(os.tmpdir(), 'parlance-jobs', jobId);
    try {
      await rm(workDir, { recursive: true, force: true });
      await mkdir(workDir, { recursive: true });
      await run(deps, job, workDir, helpers, signal);
    } catch (error) {
      if (cancel.signal.aborted || error instanceof JobCancelledError) return;
      if (helpers.abortSignal.aborted) return requeue(deps, jobId);
      const transient = error instanceof ProviderError && error.kind === 'transient';
      const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
      if (transient && !lastAttempt) {
        helpers.logger.warn(`job ${jobId}: transient error, will retry: ${(error as Error).message}`);
        throw error;
      }
      await fail(deps, jobId, failureReason(error));
      if (error instanceof AppError && error.code === 'UNSUPPORTED_MEDIA') await dropMedia(deps, jobId);
      if (!(error instanceof AppError) && !(error instanceof ProviderError)) {
        deps.logger.error({ err: error, jobId }, 'transcription failed unexpectedly');
      }
    } finally {
      cancel.release();
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

/**
 * The runner is stopping (helpers.abortSignal): the job goes back to the queue, with a fresh
 * graphile-worker job (no attempt used up), and resumes after its last stored chunk.
 */
async function requeue(deps: CoreDeps, jobId: string): Promise<void> {
  const queued = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: 'PROCESSING' },
      data: { status: 'QUEUED', updatedAt: new Date() },
    });
    if (count === 0) return null;
    await enqueueTranscription(tx, jobId);
    return tx.job.findUnique({ where: { id: jobId } });
  });
  if (queued) await publishJobChange(deps, queued);
}

async function run(deps: CoreDeps, initial: Job, workDir: string, helpers: JobHelpers, signal: AbortSignal): Promise<void> {
  // Conditional, so a cancel that came after the task read the row is not overwritten.
  const { count } = await deps.db.job.updateMany({
    where: { id: initial.id, status: { in: ['QUEUED', 'PROCESSING'] } },
    data: {
      status: 'PROCESSING',
      startedAt: initial.startedAt ?? new Date(),
      attempts: { increment: 1 },
      error: null,
      updatedAt: new Date(),
    },
  });
  if (count === 0) throw new JobCancelledError();
  const job = await deps.db.job.findUniqueOrThrow({ where: { id: initial.id } });
  await publishJobChange(deps, job);
  const provider = deps.providers[job.provider];
  const apiKey = job.provider === 'LOCAL' ? null : await resolveKey(deps, job.ownerId, job.provider);

  // Uploaded media's size and duration are known: its staging is checked before the download. A
  // URL's are not: the reserve is checked now, and the decode's needs once the probe has answered.
  await assertStagingSpace(deps, workDir, mediaStagingBytes(Number(job.sourceBytes ?? 0), job.mediaDurationSeconds ?? 0));
  const media = path.join(workDir, 'media');
  if (job.sourceKey) {
    await deps.storage.download(job.sourceKey, media);
  } else if (job.sourceUrl) {
    const { bytes } = await fetchToFile(new URL(job.sourceUrl), media, {
      allowHosts: deps.env.URL_FETCH_ALLOW_HOSTS,
      maxBytes: deps.env.URL_FETCH_MAX_BYTES,
      timeoutMs: deps.env.URL_FETCH_TIMEOUT_MS,
    });
    await deps.db.job.update({ where: { id: job.id }, data: { sourceBytes: BigInt(bytes) } });
  } else {
    throw new AppError('UNSUPPORTED_MEDIA', 'The job has no media.');
  }
  signal.throwIfAborted();
  const wav = path.join(workDir, 'audio.wav');
  // Uploaded media was probed at submission; a URL's is probed now, and its duration reserved
  // against the owner's quota (or the job fails) while the decode goes on.
  const { wav: decoded } = await prepareAudio(media, wav, {
    maxSeconds: deps.env.MAX_MEDIA_SECONDS,
    timeoutMs: deps.env.FFMPEG_TIMEOUT_MS,
    signal,
    tools: mediaToolsFromEnv(deps.env),
    probed: job.sourceKey !== null && job.mediaDurationSeconds !== null,
    afterProbe:
      job.mediaDurationSeconds === null
        ? async (probe) => {
            await assertStagingSpace(deps, workDir, mediaStagingBytes(0, probe.durationSeconds));
            await deps.db.$transaction(async (tx) => {
              await assertWithinQuota(deps, job.ownerId, probe.durationSeconds, { tx, excludeJobId: job.id });
              await tx.job.update({ where: { id: job.id }, data: { mediaDurationSeconds: probe.durationSeconds } });
            });
          }
        : undefined,
  });
  const { durationSeconds } = decoded;
  await rm(media, { force: true });
  const targetSeconds = Math.min(provider.maxChunkSeconds, deps.env.CHUNK_SECONDS ?? Infinity);
  const chunks = await planChunks(wav, { targetSeconds, searchSeconds: Math.min(5, targetSeconds / 4) });
  await deps.db.job.update({
    where: { id: job.id },
    data: { mediaDurationSeconds: durationSeconds, chunksTotal: chunks.length, updatedAt: new Date() },
  });

  let detectedLanguage = job.detectedLanguage;
  for (const chunk of chunks) {
    signal.throwIfAborted();
    const current = await deps.db.job.findUnique({ where: { id: job.id } });
    if (!current || current.status === 'CANCELLED') throw new JobCancelledError();
    if (chunk.index < current.chunksDone) continue;
    const chunkPath = path.join(workDir, `chunk-${chunk.index}.wav`);
    await extractChunk(wav, chunk, chunkPath);
    const result = await provider.transcribe({
      wavPath: chunkPath,
      durationSeconds: chunk.end - chunk.start,
      language: job.language,
      model: job.model,
      diarize: job.diarize,
      apiKey,
      signal,
    });
    await rm(chunkPath, { force: true });
    detectedLanguage ??= result.language;
    const stored = await storeChunk(deps, job.id, chunk.index, chunk.start, result.segments, {
      progress: (TRANSCRIBE_SHARE * (chunk.index + 1)) / chunks.length,
      detectedLanguage,
    });
    if (!stored) throw new JobCancelledError();
    helpers.logger.debug(`job ${job.id}: chunk ${chunk.index + 1}/${chunks.length} done`);
  }
  await finish(deps, job.id, durationSeconds);
}

/** Fails the job (an AppError is not retried) when the disk cannot hold what it is about to write. */
async function assertStagingSpace(deps: CoreDeps, workDir: string, neededBytes: number): Promise<void> {
  const shortage = await diskSpaceShortage({
    dir: workDir,
    neededBytes,
    reserveBytes: deps.env.MIN_FREE_DISK_BYTES,
    readFree: deps.freeDiskBytes,
    purpose: 'process this media',
  });
  if (shortage) throw new AppError('UNAVAILABLE', shortage);
}

/**
 * Replaces the segments of one chunk and advances the chunk counter in one transaction, then
 * publishes each stored segment. Returns false when the job was cancelled or deleted meanwhile.
 */
async function storeChunk(
  deps: CoreDeps,
  jobId: string,
  chunkIndex: number,
  offsetSeconds: number,
  segments: Segment[],
  update: { progress: number; detectedLanguage: string | null },
): Promise<boolean> {
  const stored = await deps.db.$transaction(async (tx) => {
    const job = await tx.job.findUnique({ where: { id: jobId } });
    if (!job || job.status !== 'PROCESSING') return null;
    await tx.transcriptSegment.deleteMany({ where: { jobId, chunkIndex: { gte: chunkIndex } } });
    const before = await tx.transcriptSegment.count({ where: { jobId } });
    const rows = segments
      .filter((segment) => segment.text.trim().length > 0)
      .map((segment, i) => ({
        jobId,
        idx: before + i,
        chunkIndex,
        startSeconds: round(offsetSeconds + segment.start),
        endSeconds: round(offsetSeconds + segment.end),
        text: segment.text.trim(),
        speaker: segment.speaker ?? null,
        words: segment.words.map((word) => ({
          ...word,
          start: round(offsetSeconds + word.start),
          end: round(offsetSeconds + word.end),
        })),
      }));
    await tx.transcriptSegment.createMany({ data: rows });
    const updated = await tx.job.update({
      where: { id: jobId },
      data: {
        chunksDone: chunkIndex + 1,
        progress: Math.min(1, update.progress),
        detectedLanguage: update.detectedLanguage,
        updatedAt: new Date(),
      },
    });
    return { job: updated, rows };
  });
  if (!stored) return false;
  for (const row of stored.rows) {
    await deps.publisher
      .publish(topics.jobChunks(jobId), { jobId, index: row.idx, isFinal: true })
      .catch((error: unknown) => deps.logger.warn({ err: error, jobId }, 'could not publish chunk'));
  }
  await publishJobChange(deps, stored.job);
  return true;
}

async function finish(deps: CoreDeps, jobId: string, durationSeconds: number): Promise<void> {
  const job = await deps.db.job.findUniqueOrThrow({ where: { id: jobId } });
  const segments = await deps.db.transcriptSegment.findMany({ where: { jobId }, orderBy: { idx: 'asc' } });
  const text = segments.map((segment) => segment.text).join(' ');
  // The transcript is the product: the job completes with it, and its translation follows as a
  // step of its own, whose failure fails only the translation.
  const translationStatus = job.translateTo ? 'PENDING' : null;
  // The usage record carries the completion time, so usage and jobStats agree over any range.
  const completedAt = new Date();
  const completed = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: 'PROCESSING' },
      data: { status: 'COMPLETED', progress: 1, text, translationStatus, translationError: null, completedAt, updatedAt: completedAt },
    });
    if (count === 0) return null;
    if (translationStatus) await enqueueTranslation(deps, tx, jobId);
    await tx.usageRecord.upsert({
      where: { jobId },
      create: {
        id: newId('UsageRecord'),
        userId: job.ownerId,
        projectId: job.projectId,
        jobId,
        provider: job.provider,
        model: job.model,
        audioSeconds: durationSeconds,
        costUsd: estimateCostUsd(deps.prices, job.provider, job.model, durationSeconds),
        createdAt: completedAt,
      },
      update: {},
    });
    const row = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
    await emitEvent(deps, { type: 'job.completed', ownerId: row.ownerId, projectId: row.projectId, payload: { job: jobEventData(row) } }, tx);
    return row;
  });
  if (!completed) return;
  observeFinishedJob(deps.metrics, completed, completedAt);
  await publishJobChange(deps, completed);
}

async function fail(deps: CoreDeps, jobId: string, reason: string): Promise<void> {
  const failed = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: { in: ['QUEUED', 'PROCESSING'] } },
      data: { status: 'FAILED', error: reason, completedAt: new Date(), updatedAt: new Date() },
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

async function resolveKey(deps: CoreDeps, userId: string, provider: 'OPENAI' | 'DEEPGRAM'): Promise<string | null> {
  const key = (await revealProviderKey(deps, userId, provider)) ?? serverKeyFor(deps.env, provider);
  if (!key && !isKeylessServer(deps.env, provider)) {
    throw new ProviderError('auth', `No ${provider} key is configured for this job's owner.`);
  }
  return key;
}

function failureReason(error: unknown): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof ProviderError) {
    if (error.kind === 'auth') return `The provider rejected the key: ${error.message}`;
    return error.message;
  }
  return 'Transcription failed unexpectedly.';
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
