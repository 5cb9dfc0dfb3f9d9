import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { translateJob, translationFailure } from '../../server/services/jobTranslation.ts';
import { assertTranslatePayload } from '../payloads.ts';
import { settleFailure } from '../taskFailure.ts';

/** The translation step of a completed job (see server/services/jobTranslation.ts). */
export function createTranslateJobTask(deps: CoreDeps): Task<'translateJob'> {
  return async (payload, helpers) => {
    const { jobId } = assertTranslatePayload(payload);
    try {
      await translateJob(deps, jobId, helpers.abortSignal);
    } catch (error) {
      await settleFailure(error, helpers, translationFailure(deps, jobId));
    }
  };
}
