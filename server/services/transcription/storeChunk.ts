import type { CoreDeps } from '../../context.ts';
import type { Tx } from '../../db/db.ts';
import type { ProviderName, Segment } from '../../providers/types.ts';
import { topics } from '../../pubsub/pubsub.ts';
import { roundTo } from '../../rounding.ts';
import { storedSegmentAt } from '../../transcripts/storedSegments.ts';
import { publishJobChange } from '../jobs.ts';
import { storeJobRedactions } from '../redaction.ts';

type Chunk = { index: number; start: number; end: number };

/**
 * Stores the segments of one chunk (each marked with the engine that produced it), records the
 * chunk's range and engine (usage is billed from these) and advances the chunk counter in one
 * transaction, then publishes each stored segment. Segments of this chunk already stored as they
 * were decoded (storeStreamedSegments) stay, and only the segments after them are added, so none is
 * stored or published twice (after a resume, or an engine switch, mid-chunk). Returns false when the
 * job was cancelled or deleted meanwhile.
 */
export async function storeChunk(
  deps: CoreDeps,
  jobId: string,
  chunk: Chunk,
  provider: ProviderName,
  segments: Segment[],
  update: { progress: number; detectedLanguage: string | null },
): Promise<boolean> {
  const chunkIndex = chunk.index;
  const stored = await deps.db.$transaction(async (tx) => {
    const job = await tx.job.findUnique({ where: { id: jobId } });
    if (!job || job.status !== 'PROCESSING') return null;
    await tx.transcriptSegment.deleteMany({ where: { jobId, chunkIndex: { gt: chunkIndex } } });
    const rows = await appendSegments(tx, jobId, chunk, provider, segments);
    await tx.jobChunk.deleteMany({ where: { jobId, idx: { gte: chunkIndex } } });
    await tx.jobChunk.create({ data: { jobId, idx: chunkIndex, startSeconds: chunk.start, endSeconds: chunk.end, provider } });
    const updated = await tx.job.update({
      where: { id: jobId },
      data: {
        chunksDone: chunkIndex + 1,
        progress: Math.min(1, update.progress),
        detectedLanguage: update.detectedLanguage,
      },
    });
    return { job: updated, rows };
  });
  if (!stored) return false;
  await publishSegments(deps, jobId, stored.rows);
  await publishJobChange(deps, stored.job);
  return true;
}

/**
 * Stores segments of the chunk being decoded as the engine finishes them (README, "Live from the
 * first second"), with the job's progress, and publishes them. The chunk's commit (storeChunk) adds
 * what follows them. Returns false when the job was cancelled or deleted meanwhile.
 */
export async function storeStreamedSegments(
  deps: CoreDeps,
  job: { id: string; ownerId: string },
  chunk: Chunk,
  provider: ProviderName,
  segments: Segment[],
  progress: number,
): Promise<boolean> {
  const jobId = job.id;
  const rows = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({ where: { id: jobId, status: 'PROCESSING' }, data: { progress: Math.min(1, progress) } });
    if (count === 0) return null;
    return appendSegments(tx, jobId, chunk, provider, segments);
  });
  if (!rows) return false;
  await publishSegments(deps, jobId, rows);
  await publishJobChange(deps, { id: jobId, ownerId: job.ownerId, status: 'PROCESSING', progress: Math.min(1, progress) });
  return true;
}

/**
 * Appends `segments` of `chunk` after the job's last stored segment, leaving out those that begin
 * before the end of a segment of this chunk already stored (streamed earlier, or by a run that
 * stopped mid-chunk: a decoder given the same audio gives the same utterances).
 */
async function appendSegments(tx: Tx, jobId: string, chunk: Chunk, provider: ProviderName, segments: Segment[]) {
  const chunkIndex = chunk.index;
  const last = await tx.transcriptSegment.findFirst({
    where: { jobId },
    orderBy: { idx: 'desc' },
    select: { idx: true, chunkIndex: true, endSeconds: true },
  });
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
  await storeJobRedactions(tx, jobId, before);
  return rows;
}

async function publishSegments(deps: CoreDeps, jobId: string, rows: Array<{ idx: number }>): Promise<void> {
  for (const row of rows) {
    await deps.publisher
      .publish(topics.jobChunks(jobId), { jobId, index: row.idx, isFinal: true })
      .catch((error: unknown) => deps.logger.warn({ err: error, jobId }, 'could not publish chunk'));
  }
}
