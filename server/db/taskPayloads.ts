/**
 * Job payloads, checked by assertion functions before a task uses them. Payloads hold ids only:
 * never secrets, never data that can go stale (tasks re-read rows).
 */

/** A payload holding one row id under `field`, with the id's prefix checked. */
function idPayload<F extends string>(task: string, field: F, pattern: RegExp) {
  return (payload: unknown): Record<F, string> => {
    const id = (payload as Record<string, unknown> | null)?.[field];
    if (typeof payload !== 'object' || payload === null || typeof id !== 'string' || !pattern.test(id)) {
      throw new Error(`Invalid ${task} payload: ${JSON.stringify(payload)}`);
    }
    return { [field]: id } as Record<F, string>;
  };
}

export const assertTranscribePayload = idPayload('transcribe', 'jobId', /^job_/);
export type TranscribePayload = ReturnType<typeof assertTranscribePayload>;

/** The translation step of a job carries the same payload as its transcription. */
export const assertTranslatePayload: (payload: unknown) => TranslatePayload = assertTranscribePayload;
export type TranslatePayload = TranscribePayload;

export const assertAggregateSessionPayload = idPayload('aggregateSession', 'sessionId', /^ses_[0-9a-z]{26}$/);
export type AggregateSessionPayload = ReturnType<typeof assertAggregateSessionPayload>;

export const assertDeliverWebhookPayload = idPayload('deliverWebhook', 'deliveryId', /^whd_[0-9a-z]{26}$/);
export type DeliverWebhookPayload = ReturnType<typeof assertDeliverWebhookPayload>;

export const assertExportDatasetPayload = idPayload('exportDataset', 'exportId', /^dsx_[0-9a-z]{26}$/);
export type ExportDatasetPayload = ReturnType<typeof assertExportDatasetPayload>;

/**
 * A password reset to mail: the id its row will have, and the account's id, or null when no account
 * with a password has the address asked for (the job then ends: the request did the same work).
 */
export interface SendPasswordResetPayload {
  resetId: string;
  userId: string | null;
}

export function assertSendPasswordResetPayload(payload: unknown): SendPasswordResetPayload {
  const { resetId, userId } = (payload ?? {}) as Record<string, unknown>;
  const valid =
    typeof resetId === 'string' && /^pwr_[0-9a-z]{26}$/.test(resetId) && (userId === null || (typeof userId === 'string' && /^usr_[0-9a-z]{26}$/.test(userId)));
  if (!valid) throw new Error(`Invalid sendPasswordReset payload: ${JSON.stringify(payload)}`);
  return { resetId: resetId as string, userId: userId as string | null };
}

/**
 * The stored files of an erased account (services/accountErasure.ts): storage prefixes of its jobs,
 * sessions and exports ("jobs/<id>/", "sessions/<id>/", "exports/<id>/"), and its staged upload ids.
 */
export interface EraseStoredFilesPayload {
  prefixes: string[];
  uploadIds: string[];
}

const ERASABLE_PREFIX = /^(jobs\/job_|sessions\/ses_|exports\/dsx_)[0-9A-Za-z_-]+\/$/;
const UPLOAD_ID = /^[0-9A-Za-z_-]{1,100}$/;

export function assertEraseStoredFilesPayload(payload: unknown): EraseStoredFilesPayload {
  const { prefixes, uploadIds } = (payload ?? {}) as Record<string, unknown>;
  const valid =
    Array.isArray(prefixes) &&
    prefixes.every((prefix) => typeof prefix === 'string' && ERASABLE_PREFIX.test(prefix)) &&
    Array.isArray(uploadIds) &&
    uploadIds.every((id) => typeof id === 'string' && UPLOAD_ID.test(id));
  if (!valid) throw new Error(`Invalid eraseStoredFiles payload: ${JSON.stringify(payload)}`);
  return { prefixes: prefixes as string[], uploadIds: uploadIds as string[] };
}

/** What graphile-worker's crontab passes (`_cron`: the scheduled time); the sweep reads nothing of it. */
export type CronPayload = Record<string, unknown>;
