/**
 * The job queue (graphile-worker) as services see it: the task identifiers with their payloads,
 * typed through graphile-worker's `GraphileWorker.Tasks` declaration merging, and `addJob`, the one
 * way to enqueue. Jobs are added in the caller's transaction, so a job exists exactly when the row it
 * works on does. The tasks themselves live in jobs/tasks/ (one file per identifier).
 */
import type { Prisma } from './db.ts';
import type {
  AggregateSessionPayload,
  CronPayload,
  DeliverWebhookPayload,
  EraseStoredFilesPayload,
  ExportDatasetPayload,
  SendPasswordResetPayload,
  TranscribePayload,
  TranslatePayload,
} from './taskPayloads.ts';

declare global {
  namespace GraphileWorker {
    /** Every task identifier (camelCase, as the task's file in jobs/tasks/ is named) and its payload. */
    interface Tasks {
      transcribe: TranscribePayload;
      translateJob: TranslatePayload;
      /** A job's sentiment step; the same payload as its translation. */
      analyzeSentiment: TranslatePayload;
      /** A job's summary step; the same payload as its translation. */
      summarizeTranscript: TranslatePayload;
      aggregateSession: AggregateSessionPayload;
      exportDataset: ExportDatasetPayload;
      deliverWebhook: DeliverWebhookPayload;
      housekeeping: CronPayload;
      eraseStoredFiles: EraseStoredFilesPayload;
      sendPasswordReset: SendPasswordResetPayload;
    }
  }
}

export type TaskName = keyof GraphileWorker.Tasks;

/**
 * Identifiers earlier versions queued under, and the task that now runs them: rows already in a
 * queue when the names became camelCase still run (and keep their old job keys until they do).
 */
export const LEGACY_TASK_NAMES = {
  translate_job: 'translateJob',
  aggregate_session: 'aggregateSession',
  export_dataset: 'exportDataset',
} as const satisfies Record<string, TaskName>;

/** The job key of the one queued job of `task` for row `id` (de-duplication, removal). */
export const taskJobKey = (task: TaskName, id: string) => `${task}:${id}`;

interface AddJobOptions {
  maxAttempts: number;
  /** At most one queued job per key; `jobKeyMode` (graphile-worker's, default replace) says what a second add does. */
  jobKey?: string;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  /** Not before this many milliseconds from now (default: at once). */
  delayMs?: number;
}

/** Anything that runs raw SQL: a transaction client (the usual case) or the client itself. */
type QueueClient = Pick<Prisma.TransactionClient, '$executeRaw'>;

/** Enqueues one job of `task`; call it inside the transaction that writes the row the job works on. */
export async function addJob<T extends TaskName>(
  tx: QueueClient,
  task: T,
  payload: GraphileWorker.Tasks[T],
  options: AddJobOptions,
): Promise<void> {
  const delaySeconds = (options.delayMs ?? 0) / 1000;
  await tx.$executeRaw`
    SELECT graphile_worker.add_job(
      ${task}::text, ${JSON.stringify(payload)}::json,
      max_attempts := ${options.maxAttempts}::int, job_key := ${options.jobKey ?? null}::text,
      job_key_mode := ${options.jobKeyMode ?? 'replace'}::text,
      run_at := CASE WHEN ${delaySeconds}::float8 > 0 THEN now() + make_interval(secs => ${delaySeconds}::float8) END)`;
}

/**
 * Takes the queued jobs with these keys off the queue, in the caller's transaction. A job a worker
 * holds right now is not stopped: graphile-worker lets it finish and never retries it.
 */
export async function removeJobs(tx: QueueClient, jobKeys: readonly string[]): Promise<void> {
  if (jobKeys.length === 0) return;
  await tx.$executeRaw`SELECT graphile_worker.remove_job(key) FROM unnest(${[...jobKeys]}::text[]) AS key`;
}
