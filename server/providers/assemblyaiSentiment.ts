/**
 * AssemblyAI's own sentiment (`sentiment_analysis: true`): it answers `sentiment_analysis_results`,
 * one entry per sentence with `start`/`end` in milliseconds, a label and its confidence. Its
 * sentences need not match our segments, so each segment takes the label that covers most of its
 * time, scored with the time-weighted confidence of the sentences bearing that label. A segment no
 * sentence overlaps gets none (the sentiment step then asks the chat endpoint for it).
 */
import type { SentimentAnalysisResult } from 'assemblyai';
import type { Segment } from './types.ts';

type Label = 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE';
const LABELS = new Set<string>(['POSITIVE', 'NEUTRAL', 'NEGATIVE']);

/** The segments with the sentiment AssemblyAI gave to the sentences spoken during each (times in seconds, as the segments'). */
export function withAssemblyAISentiment(segments: Segment[], results: readonly SentimentAnalysisResult[] | null | undefined): Segment[] {
  const sentences = (results ?? [])
    .filter((r) => LABELS.has(r.sentiment) && Number.isFinite(r.start) && Number.isFinite(r.end))
    .map((r) => ({ start: r.start / 1000, end: r.end / 1000, label: r.sentiment as Label, confidence: clamp01(r.confidence) }));
  if (sentences.length === 0) return segments;
  return segments.map((segment) => ({ ...segment, sentiment: sentimentDuring(segment, sentences) }));
}

function sentimentDuring(
  segment: Pick<Segment, 'start' | 'end'>,
  sentences: ReadonlyArray<{ start: number; end: number; label: Label; confidence: number }>,
): Segment['sentiment'] {
  const time: Record<Label, number> = { POSITIVE: 0, NEUTRAL: 0, NEGATIVE: 0 };
  const weighted: Record<Label, number> = { POSITIVE: 0, NEUTRAL: 0, NEGATIVE: 0 };
  for (const sentence of sentences) {
    const overlap =
      segment.end > segment.start
        ? Math.min(segment.end, sentence.end) - Math.max(segment.start, sentence.start)
        : // A segment without duration counts as covered by the sentence around its instant.
          sentence.start <= segment.start && segment.start <= sentence.end ? 1 : 0;
    if (overlap <= 0) continue;
    time[sentence.label] += overlap;
    weighted[sentence.label] += overlap * sentence.confidence;
  }
  const label = (['NEUTRAL', 'POSITIVE', 'NEGATIVE'] as const).reduce((best, next) => (time[next] > time[best] ? next : best));
  if (time[label] <= 0) return null;
  return { label, score: weighted[label] / time[label] };
}

function clamp01(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
