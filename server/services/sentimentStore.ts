/**
 * The one place that stores sentiment: each segment's, and the whole transcript's, which is derived
 * here from the segments' (the label with the most confidence-weighted speaking time; its score is
 * that label's share of it). Any engine's sentiment comes through here: the chat endpoint's
 * (jobSentiment.ts), and an engine's own when it reports one.
 */
import type { Prisma, SentimentLabel } from '../db/db.ts';
import type { Sentiment } from '../providers/sentiment.ts';
import { roundTo } from '../rounding.ts';

type Db = Pick<Prisma.TransactionClient, '$executeRaw' | 'transcriptSegment' | 'job'>;

/**
 * Writes the segments' sentiments (by segment index; segments left out are cleared) and the job's
 * overall one, in the caller's transaction. Returns the overall sentiment (null without any).
 */
export async function storeSentiment(tx: Db, jobId: string, bySegment: ReadonlyMap<number, Sentiment>): Promise<Sentiment | null> {
  const indexes = [...bySegment.keys()];
  const labels = indexes.map((index) => bySegment.get(index)!.label);
  const scores = indexes.map((index) => roundTo(bySegment.get(index)!.score, 3));
  await tx.$executeRaw`UPDATE transcript_segments SET sentiment = NULL, sentiment_score = NULL WHERE job_id = ${jobId}`;
  if (indexes.length > 0) {
    await tx.$executeRaw`
      UPDATE transcript_segments AS s
         SET sentiment = v.label::sentiment_label, sentiment_score = v.score
        FROM unnest(${indexes}::int[], ${labels}::text[], ${scores}::float8[]) AS v(idx, label, score)
       WHERE s.job_id = ${jobId} AND s.idx = v.idx`;
  }
  const segments = await tx.transcriptSegment.findMany({
    where: { jobId, sentiment: { not: null } },
    select: { startSeconds: true, endSeconds: true, sentiment: true, sentimentScore: true },
  });
  const overall = overallSentiment(
    segments.map((s) => ({ seconds: s.endSeconds - s.startSeconds, label: s.sentiment!, score: s.sentimentScore ?? 0 })),
  );
  await tx.job.update({ where: { id: jobId }, data: { sentiment: overall?.label ?? null, sentimentScore: overall?.score ?? null } });
  return overall;
}

/** The whole transcript's sentiment from its segments' (see the module comment); null without any. */
export function overallSentiment(segments: ReadonlyArray<{ seconds: number; label: SentimentLabel; score: number }>): Sentiment | null {
  if (segments.length === 0) return null;
  const weights: Record<SentimentLabel, number> = { POSITIVE: 0, NEUTRAL: 0, NEGATIVE: 0 };
  for (const segment of segments) {
    // A segment without duration (a word-less engine's) still counts a little.
    weights[segment.label] += Math.max(segment.seconds, 0.1) * Math.max(segment.score, 0.05);
  }
  const total = weights.POSITIVE + weights.NEUTRAL + weights.NEGATIVE;
  const label = (['NEUTRAL', 'POSITIVE', 'NEGATIVE'] as const).reduce((best, next) => (weights[next] > weights[best] ? next : best));
  return { label, score: roundTo(weights[label] / total, 3) };
}
