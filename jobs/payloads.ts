/**
 * Job payloads, checked by assertion functions before a task uses them. Payloads hold ids only:
 * never secrets, never data that can go stale (tasks re-read rows).
 */
export interface TranscribePayload {
  jobId: string;
}

export function assertTranscribePayload(payload: unknown): TranscribePayload {
  if (
    typeof payload !== 'object' ||
    payload === null ||
    typeof (payload as { jobId?: unknown }).jobId !== 'string' ||
    !(payload as { jobId: string }).jobId.startsWith('job_')
  ) {
    throw new Error(`Invalid transcribe payload: ${JSON.stringify(payload)}`);
  }
  return { jobId: (payload as { jobId: string }).jobId };
}
