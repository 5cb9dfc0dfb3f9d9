import type { CoreDeps } from '../../context.ts';
import type { Job, Tx } from '../../db/db.ts';
import type { ProviderName, Segment } from '../../providers/types.ts';
import { topics } from '../../pubsub/pubsub.ts';
import { roundTo } from '../../rounding.ts';
import { storedSegmentAt } from '../../transcripts/storedSegments.ts';
import { jobChangeEvents } from '../jobs.ts';
import { storeRedactions, type RedactedJob } from '../redaction.ts';
import { observeFinishedJob } from '../../observability/metrics.ts';
import { isRecordNotFound, writeCompletion } from './outcome.ts';

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
  const completedAt = new Date();
  const stored = await deps.db.$transaction(async (tx) => {
    // The job's row first, conditional on PROCESSING: a cancel or deletion that got here first leaves
    // nothing written, and the row stays locked until this commit (a cancel waits for it).
    const job = await tx.job
      .update({
        where: { id: jobId, status: 'PROCESSING' },
        data: {
          chunksDone: chunkIndex + 1,
          chunksTotal: update.chunksTotal,
          progress: Math.min(1, update.progress),
          detectedLanguage: update.detectedLanguage,
        },
      })
      .catch((error: unknown) => {
        if (isRecordNotFound(error)) return null;
        throw error;
      });
    if (!job) return null;
    const recorded = await recordChunk(tx, jobId, chunk, provider, complete !== undefined);
    const rows = await appendSegments(tx, job, chunk, provider, segments, recorded.last);
    if (!complete) return { job, rows, completed: null };
    const completed = await writeCompletion(deps, tx, complete.job, {
      text: [...(recorded.keptText === null ? [] : [recorded.keptText]), ...rows.map((row) => row.text)].join(' '),
      chunks: [...recorded.earlierChunks, { startSeconds: chunk.start, endSeconds: chunk.end, provider }],
      durationSeconds: complete.durationSeconds,
      completedAt,
    });
    // The row is locked and PROCESSING since this transaction's first statement.
    if (!completed) throw new Error(`Job ${jobId} could not be completed with its last chunk`);
    return { job, rows, completed };
  });
  if (!stored) return false;
  if (stored.completed) observeFinishedJob(deps.metrics, stored.completed, completedAt);
  await publishStored(deps, stored.job, stored.rows, stored.completed);
  return true;
}

interface RecordedChunk {
  /** The job's last segment that stays. */
  last: LastSegment | null;
  /** When completing: the text of the segments that stay, in order, joined by spaces (null: none). */
  keptText: string | null;
  /** When completing: the ranges and engines of the chunks before this one. */
  earlierChunks: Array<{ startSeconds: number; endSeconds: number; provider: ProviderName }>;
}

/**
 * In one statement: drops what a stopped run left after this chunk (segments of later chunks, later
 * chunk ranges), records this chunk's range and engine, and answers the job's last segment that
 * stays (the deletions are not visible to the statement's own reads, hence their `<=` and `<`), with
 * what completing needs when the job completes with this chunk.
 */
async function recordChunk(tx: Tx, jobId: string, chunk: Chunk, provider: ProviderName, completing: boolean): Promise<RecordedChunk> {
  const [row] = await tx.$queryRaw<{ last: string | null; kept_text: string | null; earlier_chunks: string | null }[]>`
    WITH later_segments AS (
      DELETE FROM transcript_segments WHERE job_id = ${jobId} AND chunk_index > ${chunk.index}
    ), later_chunks AS (
      DELETE FROM job_chunks WHERE job_id = ${jobId} AND idx > ${chunk.index}
    ), this_chunk AS (
      INSERT INTO job_chunks (job_id, idx, start_seconds, end_seconds, provider)
      VALUES (${jobId}, ${chunk.index}, ${chunk.start}, ${chunk.end}, ${provider}::provider)
      ON CONFLICT (job_id, idx) DO UPDATE
        SET start_seconds = EXCLUDED.start_seconds, end_seconds = EXCLUDED.end_seconds, provider = EXCLUDED.provider
    )
    SELECT
      (SELECT json_build_object('idx', s.idx, 'chunkIndex', s.chunk_index, 'endSeconds', s.end_seconds)::text
         FROM transcript_segments s WHERE s.job_id = ${jobId} AND s.chunk_index <= ${chunk.index}
         ORDER BY s.idx DESC LIMIT 1) AS last,
      CASE WHEN ${completing}::boolean THEN
        (SELECT string_agg(s.text, ' ' ORDER BY s.idx) FROM transcript_segments s WHERE s.job_id = ${jobId} AND s.chunk_index <= ${chunk.index})
      END AS kept_text,
      CASE WHEN ${completing}::boolean THEN
        (SELECT json_agg(json_build_object('startSeconds', c.start_seconds, 'endSeconds', c.end_seconds, 'provider', c.provider) ORDER BY c.idx)::text
           FROM job_chunks c WHERE c.job_id = ${jobId} AND c.idx < ${chunk.index})
      END AS earlier_chunks`;
  return {
    last: row.last === null ? null : (JSON.parse(row.last) as LastSegment),
    keptText: row.kept_text,
    earlierChunks: row.earlier_chunks === null ? [] : (JSON.parse(row.earlier_chunks) as RecordedChunk['earlierChunks']),
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
