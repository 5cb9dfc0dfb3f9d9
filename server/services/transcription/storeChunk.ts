import type { CoreDeps } from '../../context.ts';
import type { ProviderName, Segment } from '../../providers/types.ts';
import { topics } from '../../pubsub/pubsub.ts';
import { roundTo } from '../../rounding.ts';
import { storedSegmentAt } from '../../transcripts/storedSegments.ts';
import { publishJobChange } from '../jobs.ts';
import { storeJobRedactions } from '../redaction.ts';

/**
 * Replaces the segments of one chunk (each marked with the engine that produced it), records the
 * chunk's range and engine (usage is billed from these) and advances the chunk counter in one
 * transaction, then publishes each stored segment. Returns false when the job was cancelled or
 * deleted meanwhile.
 */
export async function storeChunk(
  deps: CoreDeps,
  jobId: string,
  chunk: { index: number; start: number; end: number },
  provider: ProviderName,
  segments: Segment[],
  update: { progress: number; detectedLanguage: string | null },
): Promise<boolean> {
  const chunkIndex = chunk.index;
  const offsetSeconds = chunk.start;
  const stored = await deps.db.$transaction(async (tx) => {
    const job = await tx.job.findUnique({ where: { id: jobId } });
    if (!job || job.status !== 'PROCESSING') return null;
    await tx.transcriptSegment.deleteMany({ where: { jobId, chunkIndex: { gte: chunkIndex } } });
    const before = await tx.transcriptSegment.count({ where: { jobId } });
    const rows = segments
      .filter((segment) => segment.text.trim().length > 0)
      .map((segment, i) => ({
        jobId,
        idx: before + i,
        chunkIndex,
        provider,
        ...storedSegmentAt(segment, offsetSeconds),
        // An engine's own sentiment (AssemblyAI's); the sentiment step keeps it and derives the whole's.
        sentiment: segment.sentiment?.label ?? null,
        sentimentScore: segment.sentiment ? roundTo(segment.sentiment.score, 3) : null,
      }));
    await tx.transcriptSegment.createMany({ data: rows });
    await storeJobRedactions(tx, jobId, before);
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
  for (const row of stored.rows) {
    await deps.publisher
      .publish(topics.jobChunks(jobId), { jobId, index: row.idx, isFinal: true })
      .catch((error: unknown) => deps.logger.warn({ err: error, jobId }, 'could not publish chunk'));
  }
  await publishJobChange(deps, stored.job);
  return true;
}
