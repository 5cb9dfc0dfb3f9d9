import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { runSummary, summaryFailure } from '../../server/services/jobSummary.ts';
import { assertTranslatePayload } from '../payloads.ts';
import { settleFailure } from '../taskFailure.ts';

/** The summary step of a completed job (see server/services/jobSummary.ts). */
export function createSummarizeTranscriptTask(deps: CoreDeps): Task<'summarizeTranscript'> {
  return async (payload, helpers) => {
    const { jobId } = assertTranslatePayload(payload);
    try {
      await runSummary(deps, jobId, helpers.abortSignal);
    } catch (error) {
      await settleFailure(error, helpers, summaryFailure(deps, jobId));
    }
  };
}
