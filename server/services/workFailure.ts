/**
 * How background work (the pipelines the worker's tasks call) says what a failure means. The task
 * side applies it in one place, jobs/taskFailure.ts: retry while attempts remain, store a reason
 * when retrying cannot help or attempts ran out, say nothing when the work was cancelled.
 */

/** A reason work cannot succeed that retrying does not change; its message is shown to users. */
export class FinalTaskError extends Error {}

/** The reason a running job's work stops with when the job is cancelled or deleted. */
export class JobCancelledError extends Error {
  constructor() {
    super('The job was cancelled.');
    this.name = 'JobCancelledError';
  }
}

/** What a service tells the failure policy about its work on one row. */
export interface FailureRecord {
  /** Errors retrying does not cure besides FinalTaskError (default: none). */
  isFinal?: (error: unknown) => boolean;
  /** Stores the failure on the row (and logs what users are not shown). `attempts` counts this one. */
  fail: (error: unknown, attempts: number) => Promise<void>;
  /** The runner is stopping: puts the work back without using an attempt (default: graphile-worker retries it). */
  requeue?: () => Promise<void>;
}

/** The message of a FinalTaskError; for anything else `unexpected`, after `logUnexpected`. */
export function finalReason(error: unknown, unexpected: string, logUnexpected: () => void): string {
  if (error instanceof FinalTaskError) return error.message;
  logUnexpected();
  return unexpected;
}
