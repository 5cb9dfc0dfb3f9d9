import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import { addJob, removeJobs, taskJobKey, type TaskName } from '../db/queue.ts';
import { isUniqueViolation, type Job, type Prisma, type Provider, type TranslationEngine } from '../db/db.ts';
import { AppError, badInput, conflict } from '../errors.ts';
import { newId } from '../ids.ts';
import { topics, type TopicEvent } from '../pubsub/pubsub.ts';
import { inspectMedia } from './mediaCheck.ts';
import { findChangeableJob } from './access/jobs.ts';
import { assertMaySubmitWork } from './access/work.ts';
import { recordAudit } from './audit.ts';
import { requireProject } from './projectAccess.ts';
import { assertWithinQuota } from './quotas.ts';
import { assertSentimentUsable, sentimentFromEnginesOnly } from './jobSentiment.ts';
import { submittedKinds } from './redaction.ts';
import type { RedactionKind } from '../transcripts/redaction/index.ts';
import { assertChatUsable } from './jobSummary.ts';
import { assertTranslationUsable, translationEngineFor } from './translationEngines.ts';
import { planEngines, requestedEngines, type SkippedEngine } from './providerRouting.ts';
import { assertJobSubmissionRate } from './rateLimit.ts';
import { assertPublicUrl, parseMediaUrl } from './urlFetch.ts';
import { optionalLanguage, optionalModel } from './validation.ts';
import { discardUploadFile, releaseUpload, takeUpload } from './uploads.ts';
import { resolveJobVocabulary } from './vocabulary.ts';

export const TRANSCRIBE_TASK = 'transcribe' satisfies TaskName;
const MAX_ATTEMPTS = 5;
export const jobKey = (jobId: string) => taskJobKey(TRANSCRIBE_TASK, jobId);
export const sourceKey = (jobId: string) => `jobs/${jobId}/source`;

/** A file from a GraphQL multipart request: staged on disk by our parser, or Yoga's File. */
export interface UploadedFile {
  name: string;
  size: number;
  stream(): AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
}

export interface CreateJobInput {
  file?: UploadedFile | null;
  uploadId?: string | null;
  url?: string | null;
  provider?: Provider | null;
  /** Engines to try in order (README, "Provider routing and fallback"); `provider` is the one-element form. */
  providers?: Provider[] | null;
  model?: string | null;
  language?: string | null;
  diarize?: boolean | null;
  translateTo?: string | null;
  /** CHAT or GOOGLE; default TRANSLATION_ENGINE (README, "Translation engines"). */
  translationEngine?: TranslationEngine | null;
  /** Sentiment per segment and overall, after the transcript (README, "Sentiment"). */
  sentiment?: boolean | null;
  /** A summary with key points and action items, after the transcript (README, "Summaries and questions"). */
  summarize?: boolean | null;
  /** Vocabulary sets to favour (README, "Vocabulary and context"); none given: the project's default sets. */
  vocabularySetIds?: string[] | null;
  contextPrompt?: string | null;
  /** Redact these kinds (and the project's policy's) from what others read (README, "Redaction"). */
  redact?: RedactionKind[] | null;
  projectId?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Validates the request, stores the media (uploads are checked by magic bytes and ffprobe first,
 * so bad media fails here with nothing left behind), then writes the Job row and its
 * graphile-worker job in one transaction.
 */
export async function createTranscriptionJob(deps: AppDeps, viewer: Viewer, input: CreateJobInput): Promise<Job> {
  const sources = [input.file, input.uploadId, input.url].filter((value) => value !== null && value !== undefined);
  if (sources.length !== 1) throw badInput('Give exactly one of file, uploadId or url.');
  const idempotencyKey = input.idempotencyKey?.trim() || null;
  if (idempotencyKey && idempotencyKey.length > 200) throw badInput('idempotencyKey is too long.', 'idempotencyKey');
  if (idempotencyKey) {
    const existing = await deps.db.job.findUnique({
      where: { ownerId_idempotencyKey: { ownerId: viewer.user.id, idempotencyKey } },
    });
    if (existing) return existing;
  }
  assertMaySubmitWork(deps.env, viewer);
  await assertJobSubmissionRate(deps, viewer.user.id);
  const { skipped, ...options } = await validateOptions(deps, viewer, input);
  const id = newId('Job');
  const workDir = path.join(os.tmpdir(), 'parlance-submit', id);
  let storedKey: string | null = null;
  let uploadId: string | null = null;
  let jobCreated = false;
  try {
    let source: { filename: string | null; sourceUrl: string | null; bytes: bigint | null; duration: number | null };
    if (input.file) {
      await mkdir(workDir, { recursive: true });
      const local = path.join(workDir, 'media');
      const bytes = await saveFile(input.file, local, deps.env.MAX_UPLOAD_BYTES);
      const media = await inspectMedia(local, deps.env);
      await precheckQuota(deps, viewer, media.durationSeconds);
      await deps.storage.put(sourceKey(id), await openFile(local));
      storedKey = sourceKey(id);
      source = { filename: cleanFilename(input.file.name), sourceUrl: null, bytes: BigInt(bytes), duration: media.durationSeconds };
    } else if (input.uploadId) {
      await mkdir(workDir, { recursive: true });
      const upload = await takeUpload(deps, viewer, input.uploadId, workDir);
      uploadId = upload.id;
      const media = await inspectMedia(upload.path, deps.env);
      await precheckQuota(deps, viewer, media.durationSeconds);
      await deps.storage.put(sourceKey(id), await openFile(upload.path));
      storedKey = sourceKey(id);
      source = { filename: upload.filename, sourceUrl: null, bytes: BigInt(upload.size), duration: media.durationSeconds };
    } else {
      const url = parseMediaUrl(input.url!);
      await assertPublicUrl(url, { allowHosts: deps.env.URL_FETCH_ALLOW_HOSTS });
      // The duration is unknown until the worker fetches it: some quota must be left (checked again there).
      await precheckQuota(deps, viewer, null);
      source = { filename: cleanFilename(decodeURIComponent(url.pathname.split('/').pop() || '')) || url.hostname, sourceUrl: url.toString(), bytes: null, duration: null };
    }

    const job = await deps.db.$transaction(async (tx) => {
      // Again under the owner's quota lock, so parallel submissions cannot overshoot together.
      await assertWithinQuota(deps, viewer.user.id, source.duration, { tx });
      const created = await tx.job.create({
        data: {
          id,
          ownerId: viewer.user.id,
          ...options,
          filename: source.filename,
          sourceUrl: source.sourceUrl,
          sourceKey: storedKey,
          sourceBytes: source.bytes,
          mediaDurationSeconds: source.duration,
          idempotencyKey,
        },
      });
      await recordSkippedEngines(tx, id, skipped);
      await enqueueTranscription(tx, id);
      return created;
    });
    jobCreated = true;
    if (uploadId) await discardUploadFile(deps, uploadId);
    await publishJobChange(deps, job);
    return job;
  } catch (error) {
    if (storedKey) await deps.storage.delete(storedKey).catch(() => {});
    if (uploadId && !jobCreated) await releaseUpload(deps, uploadId).catch(() => {});
    if (idempotencyKey && isUniqueViolation(error)) {
      // A concurrent request with the same key won the race: answer with its job.
      const existing = await deps.db.job.findUnique({
        where: { ownerId_idempotencyKey: { ownerId: viewer.user.id, idempotencyKey } },
      });
      if (existing) return existing;
    }
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Fails fast, before the media is stored, when the owner's quota cannot take it. The check that
 * counts runs again in the job's transaction under the quota lock; a viewer whose row (as resolved
 * for this request) has no quota skips this one, and its media is deleted again if that check refuses.
 */
async function precheckQuota(deps: AppDeps, viewer: Viewer, seconds: number | null): Promise<void> {
  if (viewer.user.monthlyAudioMinutes === null) return;
  await assertWithinQuota(deps, viewer.user.id, seconds);
}

export async function validateOptions(deps: AppDeps, viewer: Viewer, input: CreateJobInput) {
  const language = optionalLanguage(input.language);
  const translateTo = optionalLanguage(input.translateTo, 'translateTo');
  const model = optionalModel(input.model);
  const diarize = input.diarize ?? false;
  // Into a project: OWNER, ADMIN and CONTRIBUTOR may submit (NOT_FOUND when the project is not visible).
  const project = input.projectId ? (await requireProject(deps.db, viewer, input.projectId, 'record')).project : null;
  const requested = requestedEngines(deps, input, project?.providerOrder);
  const { providers, skipped } = await planEngines(deps, viewer.user.id, requested, { language, model, diarize });
  const translationEngine = translationEngineFor(deps, translateTo, input.translationEngine);
  if (translationEngine) await assertTranslationUsable(deps, viewer.user.id, translationEngine);
  const sentimentRequested = input.sentiment ?? false;
  // AssemblyAI gives its own sentiment: a job on it alone needs no chat endpoint.
  if (sentimentRequested && !sentimentFromEnginesOnly(providers)) await assertSentimentUsable(deps, viewer.user.id);
  const summaryRequested = input.summarize ?? false;
  if (summaryRequested) await assertChatUsable(deps, viewer.user.id, 'Summaries');
  const vocabulary = await resolveJobVocabulary(deps, viewer, input, project?.id ?? null);
  const provider = providers[0];
  return {
    ...vocabulary,
    provider,
    providers,
    currentProvider: provider,
    model,
    language,
    diarize,
    translateTo,
    translationEngine,
    sentimentRequested,
    summaryRequested,
    redact: submittedKinds(input.redact, project),
    projectId: project?.id ?? null,
    skipped,
  };
}

/** The engines of the request that cannot honour its options, as PROVIDER_SKIPPED events. */
export async function recordSkippedEngines(tx: Prisma.TransactionClient, jobId: string, skipped: SkippedEngine[]): Promise<void> {
  if (skipped.length === 0) return;
  await tx.jobEvent.createMany({
    data: skipped.map((engine) => ({ id: newId('JobEvent'), jobId, kind: 'PROVIDER_SKIPPED' as const, fromProvider: engine.provider, reason: engine.reason })),
  });
}

/** Adds the worker job; de-duplicated by job key, so enqueueing twice runs it once. */
export async function enqueueTranscription(tx: Prisma.TransactionClient, jobId: string): Promise<void> {
  await addJob(tx, TRANSCRIBE_TASK, { jobId }, { maxAttempts: MAX_ATTEMPTS, jobKey: jobKey(jobId) });
}

export async function cancelJob(deps: AppDeps, viewer: Viewer, id: string): Promise<Job> {
  const job = await findChangeableJob(deps, viewer, id);
  if (job.status !== 'QUEUED' && job.status !== 'PROCESSING') {
    throw conflict(`The job is already ${job.status.toLowerCase()}.`);
  }
  const cancelled = await deps.db.$transaction(async (tx) => {
    // A queued job is taken off the queue; a running one stops at its next chunk.
    await removeJobs(tx, [jobKey(id)]);
    const { count } = await tx.job.updateMany({
      where: { id, status: { in: ['QUEUED', 'PROCESSING'] } },
      data: { status: 'CANCELLED', completedAt: new Date() },
    });
    if (count === 0) throw conflict('The job finished meanwhile.');
    return tx.job.findUniqueOrThrow({ where: { id } });
  });
  await publishJobChange(deps, cancelled);
  return cancelled;
}

export async function retryJob(deps: AppDeps, viewer: Viewer, id: string): Promise<Job> {
  const job = await findChangeableJob(deps, viewer, id);
  assertMaySubmitWork(deps.env, viewer);
  if (job.status !== 'FAILED' && job.status !== 'CANCELLED') {
    throw conflict('Only failed or cancelled jobs can be retried.');
  }
  if (!job.sourceKey && !job.sourceUrl) throw conflict('The job has no media left to retry with.');
  const retried = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id, status: { in: ['FAILED', 'CANCELLED'] } },
      data: {
        status: 'QUEUED',
        progress: 0,
        error: null,
        chunksDone: 0,
        chunksTotal: null,
        text: null,
        translatedText: null,
        translationStatus: null,
        translationError: null,
        sentimentStatus: null,
        sentimentError: null,
        sentiment: null,
        sentimentScore: null,
        summaryStatus: null,
        summaryError: null,
        startedAt: null,
        completedAt: null,
        currentProvider: job.providers[0] ?? job.provider,
      },
    });
    if (count === 0) throw conflict('The job changed meanwhile.');
    await tx.jobChunk.deleteMany({ where: { jobId: id } });
    await assertWithinQuota(deps, job.ownerId, job.mediaDurationSeconds, { tx, excludeJobId: id });
    await tx.transcriptSegment.deleteMany({ where: { jobId: id } });
    await enqueueTranscription(tx, id);
    return tx.job.findUniqueOrThrow({ where: { id } });
  });
  await publishJobChange(deps, retried);
  return retried;
}

/** Removes the job's rows, its queue entry and its stored media. Usage already recorded stays. */
export async function deleteJob(deps: AppDeps, viewer: Viewer, id: string): Promise<boolean> {
  const job = await findChangeableJob(deps, viewer, id);
  await deps.db.$transaction(async (tx) => {
    await removeJobs(tx, [jobKey(id)]);
    await tx.job.delete({ where: { id } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'job.deleted',
      targetType: 'Job',
      targetId: id,
      details: { ownerId: job.ownerId, projectId: job.projectId, status: job.status },
    });
  });
  await deps.storage.deletePrefix(`jobs/${id}/`);
  await publishJobChange(deps, { ...job, status: 'CANCELLED' });
  return true;
}

/** Announces a job's new status and progress on its own topic and its owner's, in one round trip. */
export async function publishJobChange(deps: CoreDeps, job: Pick<Job, 'id' | 'ownerId' | 'status' | 'progress'>) {
  await deps.publisher
    .publishAll(jobChangeEvents(job))
    .catch((error: unknown) => deps.logger.warn({ err: error, jobId: job.id }, 'could not publish job change'));
}

/** The events of one job change (publishJobChange), for callers that send them with others of the same commit. */
export function jobChangeEvents(job: Pick<Job, 'id' | 'ownerId' | 'status' | 'progress'>): TopicEvent[] {
  const payload = { jobId: job.id, status: job.status, progress: job.progress };
  return [
    { topic: topics.job(job.id), payload },
    { topic: topics.userJobs(job.ownerId), payload },
  ];
}

async function saveFile(file: UploadedFile, to: string, maxBytes: number): Promise<number> {
  if (file.size > maxBytes) throw tooLarge(maxBytes);
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(bytes > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
  // Yoga's File streams are async-iterable ponyfills, not Node's own web streams.
  await pipeline(Readable.from(file.stream() as unknown as AsyncIterable<Uint8Array>), limit, createWriteStream(to));
  return bytes;
}

const tooLarge = (maxBytes: number) =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; use a resumable upload (/uploads) for large files.`,
  );

async function openFile(filePath: string): Promise<Readable> {
  return createReadStream(filePath);
}

function cleanFilename(name: string | null | undefined): string | null {
  // eslint-disable-next-line no-control-regex
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f/\\]/g, '').trim().slice(0, 255);
  return cleaned || null;
}
