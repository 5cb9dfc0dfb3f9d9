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
 *
 * The watch covers changes from the moment watch() resolves; a cancel from before is the caller's to
 * see in the row it reads next (the transcribe task's first statement reads it, and its conditional
 * start leaves a cancelled or deleted job alone), so the watch reads nothing itself.
 */
export interface JobCancellations {
  watch(jobId: string): Promise<CancelWatch>;
  close(): Promise<void>;
}

export async function createJobCancellations(
  connectionString: string,
  deps: Pick<CoreDeps, 'logger' | 'env'>,
): Promise<JobCancellations> {
  const subscriber: Subscriber = await openSubscriber(deps.env, connectionString, deps.logger);
  return {
    async watch(jobId) {
      const cancelled = new AbortController();
      const listening = new AbortController();
      const cancel = () => cancelled.abort(new JobCancelledError());
      // Listening starts here (subscribe() does not wait for the first read), before the caller reads the row.
      const events = subscriber.subscribe(topics.job(jobId), listening.signal);
      (async () => {
        for await (const event of events) {
          if (event.status === 'CANCELLED') return cancel();
        }
      })().catch((error: unknown) => deps.logger.warn({ err: error, jobId }, 'job cancel listener failed'));
      return { signal: cancelled.signal, release: () => listening.abort() };
    },
    close: () => subscriber.close(),
  };
}
