import type pg from 'pg';
import type { Job, TranscriptSegment } from './db.ts';

/**
 * Each column of `jobs` as SQL that pg hands back in the form Prisma gives it (enums and lists of
 * enums as text, the BigInt as text converted below). Typed by Prisma's Job, so a column added to the
 * model and not here fails the type check; tests/jobRows.test.ts compares a full row with Prisma's.
 */
const jobColumns: Record<keyof Job, string> = {
  id: 'id',
  ownerId: 'owner_id',
  projectId: 'project_id',
  status: 'status::text',
  progress: 'progress',
  provider: 'provider::text',
  model: 'model',
  language: 'language',
  detectedLanguage: 'detected_language',
  diarize: 'diarize',
  translateTo: 'translate_to',
  filename: 'filename',
  sourceUrl: 'source_url',
  sourceKey: 'source_key',
  sourceBytes: 'source_bytes::text',
  mediaDurationSeconds: 'media_duration_seconds',
  chunksTotal: 'chunks_total',
  chunksDone: 'chunks_done',
  error: 'error',
  attempts: 'attempts',
  text: 'text',
  translatedText: 'translated_text',
  translationStatus: 'translation_status::text',
  translationError: 'translation_error',
  translationEngine: 'translation_engine::text',
  sentimentRequested: 'sentiment_requested',
  sentimentStatus: 'sentiment_status::text',
  sentimentError: 'sentiment_error',
  sentiment: 'sentiment::text',
  sentimentScore: 'sentiment_score',
  summaryRequested: 'summary_requested',
  summaryStatus: 'summary_status::text',
  summaryError: 'summary_error',
  idempotencyKey: 'idempotency_key',
  legalHold: 'legal_hold',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  startedAt: 'started_at',
  completedAt: 'completed_at',
  revision: 'revision',
  providers: 'providers::text[]',
  currentProvider: 'current_provider::text',
  redact: 'redact::text[]',
  vocabularyTerms: 'vocabulary_terms',
  contextPrompt: 'context_prompt',
  vocabularyApplied: 'vocabulary_applied',
  rerunOfId: 'rerun_of_id',
};

/** The same for `transcript_segments`. */
const segmentColumns: Record<keyof TranscriptSegment, string> = {
  jobId: 's.job_id',
  idx: 's.idx',
  chunkIndex: 's.chunk_index',
  provider: 's.provider::text',
  startSeconds: 's.start_seconds',
  endSeconds: 's.end_seconds',
  text: 's.text',
  speaker: 's.speaker',
  words: 's.words',
  sentiment: 's.sentiment::text',
  sentimentScore: 's.sentiment_score',
  redaction: 's.redaction',
};

const selectList = (columns: Record<string, string>) =>
  Object.entries(columns)
    .map(([field, sql]) => `${sql} AS "${field}"`)
    .join(', ');

const selectJobById = {
  name: 'parlance_job_by_id',
  text: `SELECT ${selectList(jobColumns)} FROM jobs WHERE id = $1`,
};

const selectSegmentWithJobAccess = {
  name: 'parlance_segment_with_job_access',
  text: `SELECT j.owner_id AS "ownerId", j.project_id AS "projectId", j.redact::text[] AS "redact", (s.job_id IS NOT NULL) AS "found", ${selectList(segmentColumns)}
    FROM jobs j LEFT JOIN transcript_segments s ON s.job_id = j.id AND s.idx = $2 WHERE j.id = $1`,
};

export interface SegmentWithJobAccess {
  /** What deciding a reader's right to the job and their redaction kinds needs; null when the job is gone. */
  job: Pick<Job, 'ownerId' | 'projectId' | 'redact'> | null;
  /** The stored segment, equal to Prisma's row; null when there is none at that index. */
  segment: TranscriptSegment | null;
}

/**
 * A job's segment by index and what judging a reader of it needs, in one statement: what every
 * `transcriptChunks` event is delivered with (read once per event, schema/jobSubscriptions.ts).
 */
export async function readSegmentWithJobAccess(pool: pg.Pool, jobId: string, idx: number): Promise<SegmentWithJobAccess> {
  const { rows } = await pool.query<Record<string, unknown>>({ ...selectSegmentWithJobAccess, values: [jobId, idx] });
  const row = rows[0];
  if (!row) return { job: null, segment: null };
  const { ownerId, projectId, redact, found, ...segment } = row;
  return {
    job: { ownerId, projectId, redact } as SegmentWithJobAccess['job'],
    segment: found ? (segment as unknown as TranscriptSegment) : null,
  };
}

/**
 * One job row by its key, equal to Prisma's `job.findUnique({ where: { id } })`, read with pg alone:
 * for the hottest reads (`job(id)`, each subscriber's re-read of a changed job), where Prisma's own
 * per-query work costs more CPU than the rest of the request (README, "Performance").
 */
export async function readJobById(pool: pg.Pool, id: string): Promise<Job | null> {
  const { rows } = await pool.query<Record<string, unknown>>({ ...selectJobById, values: [id] });
  const row = rows[0];
  if (!row) return null;
  row.sourceBytes = row.sourceBytes === null ? null : BigInt(row.sourceBytes as string);
  return row as unknown as Job;
}
