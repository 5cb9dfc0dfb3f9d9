// What a job's status allows: one rule for the lists, the job page and the actions.
export const JOB_STATUSES = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export const STATUS_CHOICES = JOB_STATUSES.map((id) => ({ id, name: id }));

const TERMINAL = new Set<string>(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Nothing more happens to the job by itself. */
export const isTerminal = (status: unknown): boolean => TERMINAL.has(String(status));
/** cancelJob takes a queued or running job. */
export const mayCancel = (status: unknown): boolean => status === 'QUEUED' || status === 'PROCESSING';
/** retryJob takes a failed or cancelled job. */
export const mayRetry = (status: unknown): boolean => status === 'FAILED' || status === 'CANCELLED';
