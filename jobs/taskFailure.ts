import type { JobHelpers } from 'graphile-worker';

/** A reason a task cannot succeed that retrying does not change; its message is shown to users. */
export class FinalTaskError extends Error {}

/**
 * What a task does with a failure: rethrows it (graphile-worker retries later) while it is
 * unexpected and attempts remain; otherwise answers the message to store on the failed row: the
 * error's own for a FinalTaskError, else `unexpected` (after `logUnexpected`).
 */
export function finalFailureMessage(
  error: unknown,
  helpers: Pick<JobHelpers, 'job'>,
  unexpected: string,
  logUnexpected: () => void,
): string {
  if (error instanceof FinalTaskError) return error.message;
  if (helpers.job.attempts < helpers.job.max_attempts) throw error;
  logUnexpected();
  return unexpected;
}
