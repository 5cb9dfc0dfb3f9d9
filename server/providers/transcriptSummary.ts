/**
 * A transcript's summary, key points and action items through the chat endpoint, map-reduce style:
 * the transcript is packed into parts within the context budget (transcriptParts.ts); each part is
 * summarised on its own (map) and the partial summaries are merged (reduce, in several rounds when
 * they do not fit one request). A transcript that fits one request takes one call. Every point names
 * the segments it comes from; their time ranges are computed from the segments, not taken from the
 * model.
 */
import { chatJson, estimateTokens, type ChatCallOptions } from './chatJson.ts';
import { answerReserveTokens, knownIds, partBudgetTokens, rangesOf, reduceWithin, transcriptParts, type ChatSegment, type TimeRange } from './transcriptParts.ts';
import { ProviderError } from './types.ts';

export interface SummaryPoint {
  text: string;
  /** The indexes of the segments it comes from. */
  segments: number[];
  ranges: TimeRange[];
}

export interface TranscriptSummary {
  summary: string;
  keyPoints: SummaryPoint[];
  actionItems: SummaryPoint[];
}

const MAX_POINTS = 20;
const MAX_SUMMARY_CHARS = 8000;
const MAX_POINT_CHARS = 1000;

const SHAPE =
  'Answer with one JSON object only, no prose: {"summary":"<a few sentences>","keyPoints":[{"text":"<one sentence>","segments":[<ids>]}],' +
  '"actionItems":[{"text":"<who does what, by when if said>","segments":[<ids>]}]}. Each key point and action item lists the ids of the ' +
  'segments it comes from. Action items are tasks someone commits to or is asked to do; [] when there are none. At most 10 key points ' +
  'and 10 action items. Write in the language of the transcript.';

const MAP_SYSTEM = `You summarise a speech transcript (or one part of a longer one). Its segments are lines "[id] start-end speaker: text". ${SHAPE}`;
const REDUCE_SYSTEM =
  'You merge partial summaries of consecutive parts of one speech transcript into one summary of the whole. Keep what matters, ' +
  `remove repeats, and keep the segment ids the merged points come from (use only ids given). ${SHAPE}`;

export interface SummaryOptions extends ChatCallOptions {
  /** The model's context budget in tokens (CHAT_CONTEXT_TOKENS). */
  contextTokens: number;
}

export async function summarizeTranscript(segments: readonly ChatSegment[], options: SummaryOptions): Promise<TranscriptSummary> {
  const known = new Map(segments.map((segment) => [segment.index, segment]));
  const parts = transcriptParts(segments, partBudgetTokens(options.contextTokens, MAP_SYSTEM, 10));
  if (parts.length === 0) return { summary: '', keyPoints: [], actionItems: [] };
  const partials: TranscriptSummary[] = [];
  for (const [i, lines] of parts.entries()) {
    const heading = parts.length > 1 ? `Part ${i + 1} of ${parts.length}:\n` : '';
    partials.push(readSummary(await chatJson(options, MAP_SYSTEM, heading + lines.join('\n')), known));
  }
  const itemCap = answerReserveTokens(options.contextTokens);
  const rendered = (summary: TranscriptSummary, i: number) => renderPartial(summary, i, itemCap);
  return reduceWithin(
    partials,
    (summary) => estimateTokens(rendered(summary, 0)) + 1,
    partBudgetTokens(options.contextTokens, REDUCE_SYSTEM),
    async (group) => readSummary(await chatJson(options, REDUCE_SYSTEM, group.map(rendered).join('\n\n')), known),
  );
}

/** A partial summary as reduce input, cut to `capTokens`. */
function renderPartial(summary: TranscriptSummary, i: number, capTokens: number): string {
  const point = (p: SummaryPoint) => `- ${p.text} [segments: ${p.segments.join(', ')}]`;
  const text = [
    `Partial summary ${i + 1}: ${summary.summary}`,
    'Key points:',
    ...summary.keyPoints.map(point),
    'Action items:',
    ...summary.actionItems.map(point),
  ].join('\n');
  return text.slice(0, capTokens * 3);
}

function readSummary(answer: Record<string, unknown>, known: ReadonlyMap<number, ChatSegment>): TranscriptSummary {
  const summary = typeof answer.summary === 'string' ? answer.summary.trim().slice(0, MAX_SUMMARY_CHARS) : '';
  if (!summary) throw new ProviderError('transient', 'The model answered without a summary');
  return { summary, keyPoints: readPoints(answer.keyPoints ?? answer.key_points, known), actionItems: readPoints(answer.actionItems ?? answer.action_items, known) };
}

function readPoints(value: unknown, known: ReadonlyMap<number, ChatSegment>): SummaryPoint[] {
  if (!Array.isArray(value)) return [];
  const points: SummaryPoint[] = [];
  for (const entry of value) {
    const item = typeof entry === 'string' ? { text: entry } : (entry as Record<string, unknown> | null);
    const text = typeof item?.text === 'string' ? item.text.trim().slice(0, MAX_POINT_CHARS) : '';
    if (!text) continue;
    const segments = knownIds(item?.segments ?? item?.segmentIds ?? item?.ids, known);
    points.push({ text, segments, ranges: rangesOf(segments, known) });
    if (points.length === MAX_POINTS) break;
  }
  return points;
}
