/**
 * jobUpdated, myJobUpdated, and the job side of transcriptChunks. Events name a job; each is
 * re-read with the subscriber's right to see it as of that event (services/access/jobs.ts).
 */
import type { SignedInContext } from '../context.ts';
import type { Job } from '../db/db.ts';
import { readSegmentWithJobAccess } from '../db/jobRows.ts';
import { canSeeJob, findVisibleJob, visibleJobById } from '../services/access/jobs.ts';
import { redactionFor } from '../services/access/redaction.ts';
import { redactedRows } from '../services/redaction.ts';
import { abortable } from '../pubsub/abortableStream.ts';
import { sharedPayload, sharedRead } from '../pubsub/eventShare.ts';
import { topics } from '../pubsub/pubsub.ts';
import { decideAtDelivery, viewerAtDelivery } from '../pubsub/subscriptionViewer.ts';
import { indexedSegmentFromStored } from '../transcripts/storedSegments.ts';
import { builder } from './builder.ts';
import { JobRef } from './jobs.ts';
import type { TranscriptChunk } from './transcripts.ts';

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Nothing more will happen to the job: it is terminal and no translation or sentiment of it is still to come. */
const isSettled = (job: Pick<Job, 'status' | 'translationStatus' | 'sentimentStatus' | 'summaryStatus'>) =>
  TERMINAL.has(job.status) &&
  !(
    job.status === 'COMPLETED' &&
    (job.translationStatus === 'PENDING' || job.sentimentStatus === 'PENDING' || job.summaryStatus === 'PENDING' || job.summaryStatus === 'RUNNING')
  );

/**
 * Job events for one topic, each re-read with the authorization of the subscriber as of that event,
 * ending after a terminal status (for one job) or when the subscriber may no longer see it.
 */
function jobEvents(context: SignedInContext, topic: string, onlyJobId: string | null): AsyncGenerator<Job> {
  return abortable((signal) => jobEventStream(context, topic, onlyJobId, signal));
}

async function* jobEventStream(
  context: SignedInContext,
  topic: string,
  onlyJobId: string | null,
  signal: AbortSignal,
): AsyncGenerator<Job> {
  const subscriber = context.deps.subscriber;
  if (!subscriber) throw new Error('This process does not serve subscriptions.');
  const events = subscriber.subscribe(topic, signal);
  if (onlyJobId) {
    // A new subscriber gets the job as it is now first (listening has already begun, so no change
    // is missed in between). A job that finished before the subscription started is reported once,
    // then the stream ends; a completed job whose translation is still PENDING stays followed.
    const current = await findVisibleJob(context.deps, context.viewer, onlyJobId);
    yield current;
    if (isSettled(current)) return;
  }
  for await (const event of events) {
    const viewer = await viewerAtDelivery(context);
    const job = await visibleJobById(context.deps, viewer, String(event.jobId));
    if (!job) {
      if (onlyJobId) return;
      continue;
    }
    yield job;
    if (onlyJobId && isSettled(job)) return;
  }
}

/** transcriptChunks(jobId:): the final segments of a job as the worker stores them. */
export function jobChunkEvents(context: SignedInContext, jobId: string): AsyncGenerator<TranscriptChunk> {
  return abortable((signal) => jobChunkStream(context, jobId, signal));
}

async function* jobChunkStream(context: SignedInContext, jobId: string, signal: AbortSignal): AsyncGenerator<TranscriptChunk> {
  const { subscriber, db, pool } = context.deps;
  if (!subscriber) throw new Error('This process does not serve subscriptions.');
  const chunkTopic = topics.jobChunks(jobId);
  const events = subscriber.subscribeMany([chunkTopic, topics.job(jobId)], signal);
  await findVisibleJob(context.deps, context.viewer, jobId);
  for await (const { topic, payload: event } of events) {
    if (topic !== chunkTopic) {
      if (TERMINAL.has(String(event.status))) return;
      continue;
    }
    // Every subscriber of this job got the same event object: they share one read of the segment
    // and of the job's access columns, one statement (eventShare.ts, db/jobRows.ts), and those
    // holding one credential share one decision; each subscriber's right to see the job is decided
    // as of now.
    const read = sharedRead(event, 'segment-with-job-access', () => readSegmentWithJobAccess(pool, jobId, Number(event.index)));
    const redact = await decideAtDelivery(context, event, `job-chunks:${jobId}`, async (viewer) => {
      const { job } = await read;
      if (!job || !(await canSeeJob(db, viewer, job))) return null;
      return redactionFor(db, viewer, job);
    });
    if (!redact) return; // gone or no longer visible: ends like a missing job
    const { segment: row } = await read;
    if (row) {
      // What this subscriber reads of the segment is decided by its redaction kinds alone: everyone
      // with the same kinds gets one chunk, built and executed once for this event.
      yield sharedPayload(event, redact.join(','), () => {
        const [readable] = redactedRows([row], redact);
        return { jobId, sessionId: null, segment: indexedSegmentFromStored(readable), isFinal: true };
      });
    }
  }
}

builder.subscriptionFields((t) => ({
  jobUpdated: t.withAuth({ authenticated: true }).field({
    type: JobRef,
    description: 'The job as it is now, then its status and progress changes; ends after it completes, fails or is cancelled.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_root, args, context) => jobEvents(context, topics.job(args.id), args.id),
    resolve: (job) => job,
  }),
  myJobUpdated: t.withAuth({ authenticated: true }).field({
    type: JobRef,
    description: 'Any job of the viewer.',
    subscribe: (_root, _args, context) => jobEvents(context, topics.userJobs(context.viewer.user.id), null),
    resolve: (job) => job,
  }),
}));
