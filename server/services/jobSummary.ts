/**
 * A job's summary (`summarize: true` at submission, or summarizeJob on a finished job): a step of
 * its own after the transcript, like its sentiment (jobSentiment.ts). The transcribe task completes
 * the job and enqueues this step (summaryStatus PENDING); the task marks it RUNNING while the chat
 * endpoint works. Transient failures (timeouts, 5xx, unreadable answers) are retried by
 * graphile-worker up to SUMMARY_MAX_ATTEMPTS; when they run out, or on a failure retrying cannot fix
 * (a refusal, a rejected key), only the summary fails (FAILED with a reason), the job stays
 * COMPLETED, and a summary stored before stays as it was. Tokens spent are recorded as chat usage
 * (purpose SUMMARY) whether the run succeeds or not.
 */
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Job, JobSummary, Prisma } from '../db/db.ts';
import { addJob, taskJobKey, type TaskName } from '../db/queue.ts';
import { AppError, conflict } from '../errors.ts';
import { ChatMeter } from '../providers/chatJson.ts';
import { summarizeTranscript, type SummaryPoint } from '../providers/transcriptSummary.ts';
import { ProviderError } from '../providers/types.ts';
import { findChangeableJob } from './access/jobs.ts';
import { chatServer, hasChatEndpoint, resolveChatEndpoint } from './chatEndpoint.ts';
import { recordChatUsage } from './chatUsage.ts';
import { publishJobChange } from './jobs.ts';
import type { FailureRecord } from './workFailure.ts';

const SUMMARY_TASK = 'summarizeTranscript' satisfies TaskName;
const summaryJobKey = (jobId: string) => taskJobKey(SUMMARY_TASK, jobId);
const UNFINISHED = ['PENDING', 'RUNNING'] as const;

/** Adds the summary step of a job; de-duplicated by job key. Call inside the transaction that sets summaryStatus PENDING. */
export async function enqueueSummary(deps: Pick<CoreDeps, 'env'>, tx: Prisma.TransactionClient, jobId: string): Promise<void> {
  await addJob(tx, SUMMARY_TASK, { jobId }, { maxAttempts: deps.env.SUMMARY_MAX_ATTEMPTS, jobKey: summaryJobKey(jobId) });
}

/** Refuses (PROVIDER_UNAVAILABLE) a summary or a question when the chat endpoint has no key for `userId`. */
export async function assertChatUsable(deps: Pick<CoreDeps, 'db' | 'env'>, userId: string, what: 'Summaries' | 'Questions'): Promise<void> {
  if (!(await hasChatEndpoint(deps, userId))) {
    throw new AppError('PROVIDER_UNAVAILABLE', `${what} need the chat endpoint: add an OPENAI key with setProviderKey, or ask the operator to configure CHAT_API_KEY.`);
  }
}

/**
 * Summarises a completed job (again): the owner, or an admin. Refused while one runs; a FAILED one is
 * retried, a COMPLETED one made anew (after corrections, say); the stored summary stays until the new
 * one replaces it.
 */
export async function summarizeJob(deps: AppDeps, viewer: Viewer, id: string): Promise<Job> {
  const job = await findChangeableJob(deps, viewer, id);
  if (job.status !== 'COMPLETED') throw conflict(`A summary needs a completed transcript: the job is ${job.status.toLowerCase()}.`);
  if (job.summaryStatus === 'PENDING' || job.summaryStatus === 'RUNNING') throw conflict('The summary is already being made.');
  await assertChatUsable(deps, job.ownerId, 'Summaries');
  const queued = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id, status: 'COMPLETED', OR: [{ summaryStatus: null }, { summaryStatus: { notIn: [...UNFINISHED] } }] },
      data: { summaryStatus: 'PENDING', summaryError: null },
    });
    if (count === 0) throw conflict('The job changed meanwhile.');
    await enqueueSummary(deps, tx, id);
    return tx.job.findUniqueOrThrow({ where: { id } });
  });
  await publishJobChange(deps, queued);
  return queued;
}

/** Makes and stores a completed job's summary. Errors are thrown for summaryFailure. */
export async function runSummary(deps: CoreDeps, jobId: string, signal?: AbortSignal): Promise<void> {
  const { count } = await deps.db.job.updateMany({
    where: { id: jobId, status: 'COMPLETED', summaryStatus: { in: [...UNFINISHED] } },
    data: { summaryStatus: 'RUNNING' },
  });
  if (count === 0) return;
  const job = await deps.db.job.findUniqueOrThrow({ where: { id: jobId } });
  await publishJobChange(deps, job);
  const segments = await deps.db.transcriptSegment.findMany({
    where: { jobId },
    orderBy: { idx: 'asc' },
    select: { idx: true, startSeconds: true, endSeconds: true, text: true, speaker: true },
  });
  const endpoint = await resolveChatEndpoint(deps, job.ownerId);
  const meter = new ChatMeter();
  const owner = { userId: job.ownerId, projectId: job.projectId, jobId };
  let result;
  try {
    result = await summarizeTranscript(
      segments.map((s) => ({ index: s.idx, start: s.startSeconds, end: s.endSeconds, text: s.text, speaker: s.speaker })),
      { ...endpoint, timeoutMs: deps.env.CHAT_TIMEOUT_MS, contextTokens: deps.env.CHAT_CONTEXT_TOKENS, signal, meter },
    );
  } catch (error) {
    await recordChatUsage(deps, deps.db, owner, 'SUMMARY', endpoint.model, meter);
    throw error;
  }
  const settled = await deps.db.$transaction(async (tx) => {
    const updated = await tx.job.updateMany({
      where: { id: jobId, status: 'COMPLETED', summaryStatus: 'RUNNING' },
      data: { summaryStatus: 'COMPLETED', summaryError: null },
    });
    await recordChatUsage(deps, tx, owner, 'SUMMARY', endpoint.model, meter);
    if (updated.count === 0) return null;
    const stored = {
      text: result.summary,
      keyPoints: result.keyPoints as unknown as Prisma.InputJsonValue,
      actionItems: result.actionItems as unknown as Prisma.InputJsonValue,
      model: endpoint.model,
      revision: job.revision,
      createdAt: new Date(),
    };
    await tx.jobSummary.upsert({ where: { jobId }, create: { jobId, ...stored }, update: stored });
    return tx.job.findUnique({ where: { id: jobId } });
  });
  if (settled) await publishJobChange(deps, settled);
}

/** Only the summary fails (FAILED with a reason); a refusal or a rejected key is not retried. */
export function summaryFailure(deps: CoreDeps, jobId: string): FailureRecord {
  return {
    isFinal: (error) => error instanceof ProviderError && error.kind !== 'transient',
    fail: async (error, attempts) => {
      if (error instanceof ProviderError) {
        deps.logger.warn({ jobId, kind: error.kind, status: error.details.status }, 'summary failed');
      } else {
        deps.logger.error({ err: error, jobId }, 'summary failed unexpectedly');
      }
      const { count } = await deps.db.job.updateMany({
        where: { id: jobId, status: 'COMPLETED', summaryStatus: { in: [...UNFINISHED] } },
        data: { summaryStatus: 'FAILED', summaryError: summaryFailureReason(deps, error, attempts) },
      });
      if (count === 0) return;
      const job = await deps.db.job.findUnique({ where: { id: jobId } });
      if (job) await publishJobChange(deps, job);
    },
  };
}

/** Built from the failure's kind and HTTP status only: no provider text (a key, an address) reaches the row. */
function summaryFailureReason(deps: CoreDeps, error: unknown, attempts: number): string {
  if (!(error instanceof ProviderError)) return 'The summary failed unexpectedly.';
  const { label, keyHint } = chatServer(deps.env);
  const status = error.details.status ? ` (HTTP ${error.details.status})` : '';
  switch (error.kind) {
    case 'auth':
      return status
        ? `The summary failed: ${label} rejected the key${status}; check the ${keyHint}, then run summarizeJob again.`
        : `The summary failed: no ${keyHint} is configured; add one, then run summarizeJob again.`;
    case 'transient':
      return `The summary failed: ${label} could not be reached, timed out, was overloaded or answered unreadably${status}, ${attempts} attempt${attempts === 1 ? '' : 's'}; run summarizeJob again later.`;
    case 'bad_media':
      return 'The summary failed: the model refused to summarise this transcript.';
    case 'unavailable':
      return `The summary failed: ${label} refused the request${status}.`;
  }
}

/** The stored summary's points, defensively read from JSON. */
export function summaryPoints(value: Prisma.JsonValue): SummaryPoint[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const point = entry as Record<string, unknown> | null;
    if (!point || typeof point.text !== 'string') return [];
    const segments = Array.isArray(point.segments) ? point.segments.filter((n): n is number => typeof n === 'number') : [];
    const ranges = Array.isArray(point.ranges)
      ? (point.ranges as Array<Record<string, unknown>>).filter((r) => typeof r?.start === 'number' && typeof r?.end === 'number').map((r) => ({ start: r.start as number, end: r.end as number }))
      : [];
    return [{ text: point.text, segments, ranges }];
  });
}

/** The summary as the JSON export carries it. */
export function summaryExport(summary: JobSummary | null) {
  if (!summary) return null;
  return {
    text: summary.text,
    keyPoints: summaryPoints(summary.keyPoints),
    actionItems: summaryPoints(summary.actionItems),
    model: summary.model,
    revision: summary.revision,
    createdAt: summary.createdAt.toISOString(),
  };
}

/** Whole seconds as [h:]mm:ss. */
function clock(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const mmss = `${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** The summary as the Word and PDF documents show it: paragraphs (blank-line separated), each point one with its times. */
export function summaryDocumentText(summary: JobSummary | null): string | null {
  if (!summary) return null;
  const list = (title: string, points: SummaryPoint[]) =>
    points.length === 0
      ? []
      : [`${title}:`, ...points.map((p) => `• ${p.text}${p.ranges.length ? ` (${p.ranges.map((r) => `${clock(Math.floor(r.start))}–${clock(Math.ceil(r.end))}`).join(', ')})` : ''}`)];
  return [summary.text, ...list('Key points', summaryPoints(summary.keyPoints)), ...list('Action items', summaryPoints(summary.actionItems))].join('\n\n');
}
