import type { CoreDeps } from '../../context.ts';
import { Prisma, type Job, type Tx } from '../../db/db.ts';
import type { ProviderName, Segment } from '../../providers/types.ts';
import { topics } from '../../pubsub/pubsub.ts';
import { roundTo } from '../../rounding.ts';
import { storedSegmentAt } from '../../transcripts/storedSegments.ts';
import { jobChangeEvents } from '../jobs.ts';
import { storeRedactions, type RedactedJob } from '../redaction.ts';
import { subscribedEndpoints } from '../webhooks/emit.ts';
import { observeFinishedJob } from '../../observability/metrics.ts';
import { chunkRangesSql, parseChunkRanges, transcriptTextSql, writeCompletion } from './outcome.ts';

type Chunk = { index: number; start: number; end: number };
/** The job's fields storing needs: who owns it and what its transcript is redacted for (fixed at submission). */
type StoredJob = RedactedJob & { ownerId: string };
type LastSegment = { idx: number; chunkIndex: number; endSeconds: number };

/**
 * Stores the segments of one chunk (each marked with the engine that produced it), records the
 * chunk's range and engine (usage is billed from these) and advances the chunk counter in one
 * transaction, then publishes each stored segment. Segments of this chunk already stored as they
 * were decoded (storeStreamedSegments) stay, and only the segments after them are added, so none is
 * stored or published twice (after a resume, or an engine switch, mid-chunk). Returns false when the
 * job was cancelled or deleted meanwhile.
 *
 * With `complete` (the job's last chunk, when nothing is left to do between it and completion), the
 * same transaction also completes the job (./outcome.ts, writeCompletion), and the chunk's events are
 * followed by the completion's, in the order separate commits would have sent them.
 */
export async function storeChunk(
  deps: CoreDeps,
  jobId: string,
  chunk: Chunk,
  provider: ProviderName,
  segments: Segment[],
  update: { progress: number; detectedLanguage: string | null; chunksTotal?: number; complete?: { job: Job; durationSeconds: number } },
): Promise<boolean> {
  const chunkIndex = chunk.index;
  const { complete } = update;
  const progress = Math.min(1, update.progress);
  const chunkFields = { chunksDone: chunkIndex + 1, chunksTotal: update.chunksTotal, detectedLanguage: update.detectedLanguage };
  const completedAt = new Date();
  const stored = await deps.db.$transaction(async (tx) => {
    const recorded = await recordChunk(tx, jobId, chunk, provider, complete !== undefined);
    if (!recorded) return null;
    const { job } = recorded;
    const rows = await appendSegments(tx, job, chunk, provider, segments, recorded.last);
    const change = { id: jobId, ownerId: job.ownerId, status: 'PROCESSING' as const, progress };
    if (!complete) {
      await tx.job.updateMany({ where: { id: jobId }, data: { ...chunkFields, progress } });
      return { change, rows, completed: null };
    }
    const completed = await writeCompletion(deps, tx, complete.job, {
      text: [...(recorded.keptText === null ? [] : [recorded.keptText]), ...rows.map((row) => row.text)].join(' '),
      chunks: [...recorded.earlierChunks, { startSeconds: chunk.start, endSeconds: chunk.end, provider }],
      durationSeconds: complete.durationSeconds,
      completedAt,
      alsoSet: chunkFields,
      endpointIds: recorded.completedEndpoints,
    });
    // The row is locked and PROCESSING since this transaction's first statement.
    if (!completed) throw new Error(`Job ${jobId} could not be completed with its last chunk`);
    return { change, rows, completed };
  });
  if (!stored) return false;
  if (stored.completed) observeFinishedJob(deps.metrics, stored.completed, completedAt);
  await publishStored(deps, stored.change, stored.rows, stored.completed);
  return true;
}

interface RecordedChunk {
  /** The job's row as storing needs it (locked until the commit). */
  job: StoredJob;
  /** The job's last segment that stays. */
  last: LastSegment | null;
  /** When completing: the text of the segments that stay, in order, joined by spaces (null: none). */
  keptText: string | null;
  /** When completing: the ranges and engines of the chunks before this one. */
  earlierChunks: Array<{ startSeconds: number; endSeconds: number; provider: ProviderName }>;
  /** When completing: the endpoints job.completed goes to. */
  completedEndpoints: string[] | undefined;
}

/**
 * The chunk commit's first statement. It locks the job's row while the job is PROCESSING (a cancel
 * or deletion that got there first leaves nothing written: null; a later one waits for the commit),
 * drops what a stopped run left after this chunk (segments of later chunks, later chunk ranges),
 * records this chunk's range and engine, and answers the job's last segment that stays (the
 * deletions are not visible to the statement's own reads, hence their `<=` and `<`), with what
 * completing needs when the job completes with this chunk.
 */
async function recordChunk(tx: Tx, jobId: string, chunk: Chunk, provider: ProviderName, completing: boolean): Promise<RecordedChunk | null> {
  const [row] = await tx.$queryRaw<
    {
      owner_id: string | null;
      project_id: string | null;
      redact: string[] | null;
      last: string | null;
      kept_text: string | null;
      earlier_chunks: string | null;
      endpoints: string | null;
    }[]
  >`
    WITH locked AS (
      SELECT id, owner_id, project_id, redact::text[] AS redact FROM jobs WHERE id = ${jobId} AND status = 'PROCESSING' FOR UPDATE
    ), later_segments AS (
      DELETE FROM transcript_segments WHERE job_id = (SELECT id FROM locked) AND chunk_index > ${chunk.index}
    ), later_chunks AS (
      DELETE FROM job_chunks WHERE job_id = (SELECT id FROM locked) AND idx > ${chunk.index}
    ), this_chunk AS (
      INSERT INTO job_chunks (job_id, idx, start_seconds, end_seconds, provider)
      SELECT id, ${chunk.index}, ${chunk.start}, ${chunk.end}, ${provider}::provider FROM locked
      ON CONFLICT (job_id, idx) DO UPDATE
        SET start_seconds = EXCLUDED.start_seconds, end_seconds = EXCLUDED.end_seconds, provider = EXCLUDED.provider
    )
    SELECT
      (SELECT owner_id FROM locked) AS owner_id,
      (SELECT project_id FROM locked) AS project_id,
      (SELECT redact FROM locked) AS redact,
      (SELECT json_build_object('idx', s.idx, 'chunkIndex', s.chunk_index, 'endSeconds', s.end_seconds)::text
         FROM transcript_segments s WHERE s.job_id = ${jobId} AND s.chunk_index <= ${chunk.index}
         ORDER BY s.idx DESC LIMIT 1) AS last,
      CASE WHEN ${completing}::boolean THEN ${transcriptTextSql(jobId, chunk.index)} END AS kept_text,
      CASE WHEN ${completing}::boolean THEN ${chunkRangesSql(jobId, chunk.index)} END AS earlier_chunks,
      CASE WHEN ${completing}::boolean THEN
        (SELECT coalesce(json_agg(endpoint.id ORDER BY endpoint.id), '[]')::text
           FROM (${subscribedEndpoints('job.completed', Prisma.sql`(SELECT owner_id FROM locked)`, Prisma.sql`(SELECT project_id FROM locked)`)}) AS endpoint)
      END AS endpoints`;
  if (!row || row.owner_id === null) return null;
  return {
    job: { id: jobId, ownerId: row.owner_id, projectId: row.project_id, redact: row.redact ?? [] },
    last: row.last === null ? null : (JSON.parse(row.last) as LastSegment),
    keptText: row.kept_text,
    earlierChunks: parseChunkRanges(row.earlier_chunks) as RecordedChunk['earlierChunks'],
    completedEndpoints: row.endpoints === null ? undefined : (JSON.parse(row.endpoints) as string[]),
  };
}

/**
 * Stores segments of the chunk being decoded as the engine finishes them (README, "Live from the
 * first second"), with the job's progress, and publishes them. The chunk's commit (storeChunk) adds
 * what follows them. Returns false when the job was cancelled or deleted meanwhile.
 */
export async function storeStreamedSegments(
  deps: CoreDeps,
  job: StoredJob,
  chunk: Chunk,
  provider: ProviderName,
  segments: Segment[],
  progress: number,
): Promise<boolean> {
  const jobId = job.id;
  const rows = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({ where: { id: jobId, status: 'PROCESSING' }, data: { progress: Math.min(1, progress) } });
    if (count === 0) return null;
    const last = await tx.transcriptSegment.findFirst({
      where: { jobId },
      orderBy: { idx: 'desc' },
      select: { idx: true, chunkIndex: true, endSeconds: true },
    });
    return appendSegments(tx, job, chunk, provider, segments, last);
  });
  if (!rows) return false;
  await publishStored(deps, { id: jobId, ownerId: job.ownerId, status: 'PROCESSING', progress: Math.min(1, progress) }, rows);
  return true;
}

/**
 * Appends `segments` of `chunk` after the job's last stored segment, leaving out those that begin
 * before the end of a segment of this chunk already stored (streamed earlier, or by a run that
 * stopped mid-chunk: a decoder given the same audio gives the same utterances).
 */
async function appendSegments(
  tx: Tx,
  job: StoredJob,
  chunk: Chunk,
  provider: ProviderName,
  segments: Segment[],
  last: LastSegment | null,
) {
  const jobId = job.id;
  const chunkIndex = chunk.index;
  const before = last ? last.idx + 1 : 0;
  const storedEnd = last?.chunkIndex === chunkIndex ? last.endSeconds : null;
  const rows = segments
    .filter((segment) => segment.text.trim().length > 0)
    .map((segment) => ({ segment, stored: storedSegmentAt(segment, chunk.start) }))
    .filter(({ stored }) => storedEnd === null || stored.startSeconds >= storedEnd)
    .map(({ stored, segment }, i) => ({
      jobId,
      idx: before + i,
      chunkIndex,
      provider,
      ...stored,
      // An engine's own sentiment (AssemblyAI's); the sentiment step keeps it and derives the whole's.
      sentiment: segment.sentiment?.label ?? null,
      sentimentScore: segment.sentiment ? roundTo(segment.sentiment.score, 3) : null,
    }));
  if (rows.length === 0) return rows;
  await tx.transcriptSegment.createMany({ data: rows });
  await storeRedactions(tx, job, before);
  return rows;
}

/** The stored segments' events, then the job's change (and its completion), in one round trip, in that order. */
async function publishStored(
  deps: CoreDeps,
  job: Pick<Job, 'id' | 'ownerId' | 'status' | 'progress'>,
  rows: Array<{ idx: number }>,
  completed: Job | null = null,
): Promise<void> {
  const jobId = job.id;
  await deps.publisher
    .publishAll([
      ...rows.map((row) => ({ topic: topics.jobChunks(jobId), payload: { jobId, index: row.idx, isFinal: true } })),
      ...jobChangeEvents(job),
      ...(completed ? jobChangeEvents(completed) : []),
    ])
    .catch((error: unknown) => deps.logger.warn({ err: error, jobId }, 'could not publish stored segments'));
}
