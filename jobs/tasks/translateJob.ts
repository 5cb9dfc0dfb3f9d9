import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { translateJob } from '../../server/services/jobTranslation.ts';
import { assertTranslatePayload } from '../payloads.ts';

/** The translation step of a completed job (see server/services/jobTranslation.ts). */
export function createTranslateJobTask(deps: CoreDeps): Task {
  return async (payload, helpers) => {
    const { jobId } = assertTranslatePayload(payload);
    await translateJob(deps, jobId, {
      attempts: helpers.job.attempts,
      maxAttempts: helpers.job.max_attempts,
      signal: helpers.abortSignal,
    });
  };
}
