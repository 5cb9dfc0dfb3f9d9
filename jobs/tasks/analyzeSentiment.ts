import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { runSentiment, sentimentFailure } from '../../server/services/jobSentiment.ts';
import { assertTranslatePayload } from '../payloads.ts';
import { settleFailure } from '../taskFailure.ts';

/** The sentiment step of a completed job (see server/services/jobSentiment.ts). */
export function createAnalyzeSentimentTask(deps: CoreDeps): Task<'analyzeSentiment'> {
  return async (payload, helpers) => {
    const { jobId } = assertTranslatePayload(payload);
    try {
      await runSentiment(deps, jobId, helpers.abortSignal);
    } catch (error) {
      await settleFailure(error, helpers, sentimentFailure(deps, jobId));
    }
  };
}
