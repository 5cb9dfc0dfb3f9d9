/**
 * A job's sentiment (`sentiment: true` at submission, or analyzeSentiment on a finished job): a step
 * of its own after the transcript, like its translation (jobTranslation.ts). The transcribe task
 * completes the job and enqueues this step (sentimentStatus PENDING); transient chat failures are
 * retried by graphile-worker with its backoff, up to SENTIMENT_MAX_ATTEMPTS; when they run out, or on
 * a failure retrying cannot fix (a refusal, a rejected key), only the sentiment fails (FAILED with a
 * reason) and the job stays COMPLETED with its transcript.
 */
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Job, Prisma } from '../db/db.ts';
import { addJob, taskJobKey, type TaskName } from '../db/queue.ts';
import { AppError, conflict } from '../errors.ts';
import { classifySentiment, type Sentiment } from '../providers/sentiment.ts';
import { ProviderError } from '../providers/types.ts';
import { findChangeableJob } from './access/jobs.ts';
import { ChatMeter } from '../providers/chatJson.ts';
import { chatServer, hasChatEndpoint, resolveChatEndpoint } from './chatEndpoint.ts';
import { recordChatUsage } from './chatUsage.ts';
import { publishJobChange } from './jobs.ts';
import { enginesOf } from './transcription/engineRoute.ts';
import { storeSentiment } from './sentimentStore.ts';
import type { FailureRecord } from './workFailure.ts';

const SENTIMENT_TASK = 'analyzeSentiment' satisfies TaskName;
const sentimentJobKey = (jobId: string) => taskJobKey(SENTIMENT_TASK, jobId);

/** Adds the sentiment step of a job; de-duplicated by job key. Call inside the transaction that sets sentimentStatus PENDING. */
export async function enqueueSentiment(deps: CoreDeps, tx: Prisma.TransactionClient, jobId: string): Promise<void> {
  await addJob(tx, SENTIMENT_TASK, { jobId }, { maxAttempts: deps.env.SENTIMENT_MAX_ATTEMPTS, jobKey: sentimentJobKey(jobId) });
}

/** Refuses (PROVIDER_UNAVAILABLE) sentiment when the chat endpoint has no key for `userId`. */
export async function assertSentimentUsable(deps: Pick<CoreDeps, 'db' | 'env'>, userId: string): Promise<void> {
  if (!(await hasChatEndpoint(deps, userId))) {
    throw new AppError('PROVIDER_UNAVAILABLE', 'Sentiment needs an OPENAI key for the chat endpoint: add one with setProviderKey.');
  }
}

/**
 * Analyses a completed job's sentiment (again): the owner, or an admin. Refused while it runs; a
 * FAILED one is retried, a COMPLETED one re-analysed (after corrections, say).
 */
export async function analyzeSentiment(deps: AppDeps, viewer: Viewer, id: string): Promise<Job> {
  const job = await findChangeableJob(deps, viewer, id);
  if (job.status !== 'COMPLETED') throw conflict(`Sentiment needs a completed transcript: the job is ${job.status.toLowerCase()}.`);
  if (job.sentimentStatus === 'PENDING') throw conflict('The sentiment is already being analysed.');
  if (!(job.sentimentRequested && sentimentFromEnginesOnly(enginesOf(job)))) await assertSentimentUsable(deps, job.ownerId);
  const queued = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id, status: 'COMPLETED', OR: [{ sentimentStatus: null }, { sentimentStatus: { not: 'PENDING' } }] },
      data: { sentimentStatus: 'PENDING', sentimentError: null },
    });
    if (count === 0) throw conflict('The job changed meanwhile.');
    await enqueueSentiment(deps, tx, id);
    return tx.job.findUniqueOrThrow({ where: { id } });
  });
  await publishJobChange(deps, queued);
  return queued;
}

/** Engines whose own sentiment a job asking for it gets (server/providers/assemblyaiSentiment.ts). */
const OWN_SENTIMENT_ENGINES: ReadonlySet<string> = new Set(['ASSEMBLYAI']);

/** Whether a job on `engines` (in order) gets every segment's sentiment from its engine, so needs no chat endpoint. */
export function sentimentFromEnginesOnly(engines: readonly string[]): boolean {
  return engines.length > 0 && engines.every((engine) => OWN_SENTIMENT_ENGINES.has(engine));
}

/**
 * Classifies a completed job's segments and stores the result. Segments that already carry their
 * engine's own sentiment (an ASSEMBLYAI segment of a job submitted with sentiment: true) keep it;
 * only the others go to the chat endpoint, and with none left no chat request is made.
 * Errors are thrown for sentimentFailure.
 */
export async function runSentiment(deps: CoreDeps, jobId: string, signal?: AbortSignal): Promise<void> {
  const job = await deps.db.job.findUnique({ where: { id: jobId } });
  if (!job || job.status !== 'COMPLETED' || job.sentimentStatus !== 'PENDING') return;
  const segments = await deps.db.transcriptSegment.findMany({
    where: { jobId },
    orderBy: { idx: 'asc' },
    select: { idx: true, text: true, provider: true, sentiment: true, sentimentScore: true },
  });
  const results = new Map<number, Sentiment>();
  const toClassify: Array<{ index: number; text: string }> = [];
  for (const segment of segments) {
    if (job.sentimentRequested && segment.sentiment && segment.provider && OWN_SENTIMENT_ENGINES.has(segment.provider)) {
      results.set(segment.idx, { label: segment.sentiment, score: segment.sentimentScore ?? 0 });
    } else {
      toClassify.push({ index: segment.idx, text: segment.text });
    }
  }
  if (toClassify.length > 0) {
    const endpoint = await resolveChatEndpoint(deps, job.ownerId);
    const meter = new ChatMeter();
    try {
      const classified = await classifySentiment(toClassify, { ...endpoint, batchTokens: deps.env.SENTIMENT_BATCH_TOKENS, signal, meter });
      for (const [index, sentiment] of classified) results.set(index, sentiment);
    } finally {
      // Tokens spent count, analysed or not.
      await recordChatUsage(deps, deps.db, { userId: job.ownerId, projectId: job.projectId, jobId }, 'SENTIMENT', endpoint.model, meter);
    }
  }
  const settled = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: 'COMPLETED', sentimentStatus: 'PENDING' },
      data: { sentimentStatus: 'COMPLETED', sentimentError: null },
    });
    if (count === 0) return null;
    await storeSentiment(tx, jobId, results);
    return tx.job.findUnique({ where: { id: jobId } });
  });
  if (settled) await publishJobChange(deps, settled);
}

/** Only the sentiment fails (FAILED with a reason); a refusal or a rejected key is not retried. */
export function sentimentFailure(deps: CoreDeps, jobId: string): FailureRecord {
  return {
    isFinal: (error) => error instanceof ProviderError && error.kind !== 'transient',
    fail: async (error, attempts) => {
      if (error instanceof ProviderError) {
        deps.logger.warn({ jobId, kind: error.kind, status: error.details.status }, 'sentiment failed');
      } else {
        deps.logger.error({ err: error, jobId }, 'sentiment failed unexpectedly');
      }
      const { count } = await deps.db.job.updateMany({
        where: { id: jobId, status: 'COMPLETED', sentimentStatus: 'PENDING' },
        data: { sentimentStatus: 'FAILED', sentimentError: sentimentFailureReason(deps, error, attempts) },
      });
      if (count === 0) return;
      const job = await deps.db.job.findUnique({ where: { id: jobId } });
      if (job) await publishJobChange(deps, job);
    },
  };
}

/** Built from the failure's kind and HTTP status only: no provider text (a key, an address) reaches the row. */
function sentimentFailureReason(deps: CoreDeps, error: unknown, attempts: number): string {
  if (!(error instanceof ProviderError)) return 'Sentiment failed unexpectedly.';
  const { label, keyHint } = chatServer(deps.env);
  const status = error.details.status ? ` (HTTP ${error.details.status})` : '';
  switch (error.kind) {
    case 'auth':
      return status
        ? `Sentiment failed: ${label} rejected the key${status}; check the ${keyHint}, then run analyzeSentiment again.`
        : `Sentiment failed: no ${keyHint} is configured; add one, then run analyzeSentiment again.`;
    case 'transient':
      return `Sentiment failed: ${label} could not be reached, was overloaded or answered unreadably${status}, ${attempts} attempt${attempts === 1 ? '' : 's'}; run analyzeSentiment again later.`;
    case 'bad_media':
      return 'Sentiment failed: the model refused to analyse this transcript.';
    case 'unavailable':
      return `Sentiment failed: ${label} refused the request${status}.`;
  }
}
