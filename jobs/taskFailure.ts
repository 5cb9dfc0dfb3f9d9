import type { JobHelpers } from 'graphile-worker';
import { FinalTaskError, JobCancelledError, type FailureRecord } from '../server/services/workFailure.ts';

/**
 * The one failure policy of every task. A cancelled job (its watch aborted, or the work saw the
 * row cancelled) ends quietly. A stopping runner (helpers.abortSignal) puts the work back: through
 * the record's `requeue` when it has one (no attempt used), else by rethrowing. Without a record
 * (the task keeps no failure on a row) every error is rethrown and graphile-worker retries with its
 * backoff. With one, an error is retried while attempts remain unless it is final (FinalTaskError
 * or the record's `isFinal`); then the record stores it.
 */
export async function settleFailure(
  error: unknown,
  helpers: Pick<JobHelpers, 'job' | 'abortSignal' | 'logger'>,
  record: FailureRecord | null,
  cancelled?: AbortSignal,
): Promise<void> {
  if (cancelled?.aborted || error instanceof JobCancelledError) return;
  if (helpers.abortSignal.aborted) {
    if (record?.requeue) return record.requeue();
    throw error;
  }
  if (!record) throw error;
  const final = error instanceof FinalTaskError || (record.isFinal?.(error) ?? false);
  if (!final && helpers.job.attempts < helpers.job.max_attempts) {
    helpers.logger.warn(`attempt ${helpers.job.attempts} failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  await record.fail(error, helpers.job.attempts);
}
