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

/** The translation step of a job carries the same payload as its transcription. */
export type TranslatePayload = TranscribePayload;
export const assertTranslatePayload: (payload: unknown) => TranslatePayload = assertTranscribePayload;

export interface AggregateSessionPayload {
  sessionId: string;
}

export function assertAggregateSessionPayload(payload: unknown): AggregateSessionPayload {
  const sessionId = (payload as { sessionId?: unknown } | null)?.sessionId;
  if (typeof payload !== 'object' || payload === null || typeof sessionId !== 'string' || !/^ses_[0-9a-z]{26}$/.test(sessionId)) {
    throw new Error(`Invalid aggregate_session payload: ${JSON.stringify(payload)}`);
  }
  return { sessionId };
}

export interface DeliverWebhookPayload {
  deliveryId: string;
}

export function assertDeliverWebhookPayload(payload: unknown): DeliverWebhookPayload {
  const deliveryId = (payload as { deliveryId?: unknown } | null)?.deliveryId;
  if (typeof payload !== 'object' || payload === null || typeof deliveryId !== 'string' || !/^whd_[0-9a-z]{26}$/.test(deliveryId)) {
    throw new Error(`Invalid deliverWebhook payload: ${JSON.stringify(payload)}`);
  }
  return { deliveryId };
}

export interface ExportDatasetPayload {
  exportId: string;
}

export function assertExportDatasetPayload(payload: unknown): ExportDatasetPayload {
  const exportId = (payload as { exportId?: unknown } | null)?.exportId;
  if (typeof payload !== 'object' || payload === null || typeof exportId !== 'string' || !/^dsx_[0-9a-z]{26}$/.test(exportId)) {
    throw new Error(`Invalid export_dataset payload: ${JSON.stringify(payload)}`);
  }
  return { exportId };
}
