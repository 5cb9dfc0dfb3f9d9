import type { CoreDeps } from '../server/context.ts';
import { topics, type Subscriber } from '../server/pubsub/pubsub.ts';
import { openSubscriber } from '../server/pubsub/transport.ts';
import { JobCancelledError } from '../server/services/workFailure.ts';

export { JobCancelledError };


/** One running job's cancel signal; `release` stops listening (call it when the task ends). */
export interface CancelWatch {
  signal: AbortSignal;
  release: () => void;
}

/**
 * Tells running tasks at once that their job was cancelled or deleted: cancelJob and deleteJob
 * publish the job's change (status CANCELLED) over the event transport (LISTEN/NOTIFY or Redis), and the watch's signal aborts on
 * it, which kills ffmpeg, stops the LOCAL decoder thread and aborts in-flight provider requests.
 * One LISTEN connection per job runner.
 */
export interface JobCancellations {
  watch(jobId: string): Promise<CancelWatch>;
  close(): Promise<void>;
}

export async function createJobCancellations(
  connectionString: string,
  deps: Pick<CoreDeps, 'db' | 'logger' | 'env'>,
): Promise<JobCancellations> {
  const subscriber: Subscriber = await openSubscriber(deps.env, connectionString, deps.logger);
  return {
    async watch(jobId) {
      const cancelled = new AbortController();
      const listening = new AbortController();
      const cancel = () => cancelled.abort(new JobCancelledError());
      // Listening starts before the row is read, so a cancel between the two is not missed.
      const events = subscriber.subscribe(topics.job(jobId), listening.signal);
      (async () => {
        for await (const event of events) {
          if (event.status === 'CANCELLED') return cancel();
        }
      })().catch((error: unknown) => deps.logger.warn({ err: error, jobId }, 'job cancel listener failed'));
      try {
        const row = await deps.db.job.findUnique({ where: { id: jobId }, select: { status: true } });
        if (!row || row.status === 'CANCELLED') cancel();
      } catch (error) {
        listening.abort();
        throw error;
      }
      return { signal: cancelled.signal, release: () => listening.abort() };
    },
    close: () => subscriber.close(),
  };
}
