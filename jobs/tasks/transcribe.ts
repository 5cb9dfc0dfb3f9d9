import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { transcribeJob, transcriptionFailure } from '../../server/services/transcription/index.ts';
import type { CancelWatch, JobCancellations } from '../cancellation.ts';
import { assertTranscribePayload } from '../payloads.ts';
import { settleFailure } from '../taskFailure.ts';

const noWatch: CancelWatch = { signal: new AbortController().signal, release: () => {} };

/**
 * A job's transcription (server/services/transcription/). A cancel (or the job's deletion) stops
 * the work at once: ffmpeg, the engine call, the decoder; without a watch it is noticed at the next
 * chunk. A stopping runner aborts too (helpers.abortSignal) and the job is queued again.
 */
export function createTranscribeTask(deps: CoreDeps, cancellations: JobCancellations | null = null): Task<'transcribe'> {
  return async (payload, helpers) => {
    const { jobId } = assertTranscribePayload(payload);
    const cancel = cancellations ? await cancellations.watch(jobId) : noWatch;
    try {
      await transcribeJob(deps, jobId, {
        signal: AbortSignal.any([cancel.signal, helpers.abortSignal]),
        debug: (message) => helpers.logger.debug(message),
      });
    } catch (error) {
      await settleFailure(error, helpers, transcriptionFailure(deps, jobId), cancel.signal);
    } finally {
      cancel.release();
    }
  };
}
