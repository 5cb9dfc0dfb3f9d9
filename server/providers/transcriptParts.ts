/**
 * A transcript as chat input: numbered segment lines ("[12] 01:05-01:09 Speaker: text"), packed into
 * parts that fit the model's context budget with room for the system prompt and the answer, and the
 * time ranges of the segments an answer cites (consecutive segments make one range). Ids the model
 * makes up are dropped, so every range comes from a real segment's own times.
 */
import { estimateTokens, requestOverheadTokens } from './chatJson.ts';

export interface ChatSegment {
  /** The segment's index in the transcript (TranscriptSegment.index). */
  index: number;
  start: number;
  end: number;
  text: string;
  speaker?: string | null;
}

export interface TimeRange {
  start: number;
  end: number;
}

/** The tokens kept for the answer: a quarter of the budget, at most 4000. */
export function answerReserveTokens(contextTokens: number): number {
  return Math.min(4000, Math.floor(contextTokens / 4));
}

/** What one request may spend on the transcript (or on the partial results it merges). */
export function partBudgetTokens(contextTokens: number, system: string, framing = 0): number {
  return Math.max(20, contextTokens - requestOverheadTokens(system) - answerReserveTokens(contextTokens) - framing);
}

function clock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

export function segmentLine(segment: ChatSegment): string {
  const speaker = segment.speaker?.trim() ? ` ${segment.speaker.trim()}:` : '';
  return `[${segment.index}] ${clock(segment.start)}-${clock(segment.end)}${speaker} ${segment.text.replace(/\s+/g, ' ').trim()}`;
}

/** Consecutive segments as lines, each part within `budget` tokens (a segment too long alone is cut to fit). */
export function transcriptParts(segments: readonly ChatSegment[], budget: number): string[][] {
  const parts: string[][] = [];
  let current: string[] = [];
  let tokens = 0;
  for (const segment of segments) {
    if (!segment.text.trim()) continue;
    let line = segmentLine(segment);
    // +1: the newline joining it to the next line.
    if (estimateTokens(line) + 1 > budget) line = line.slice(0, Math.max(1, (budget - 1) * 3));
    const cost = estimateTokens(line) + 1;
    if (current.length > 0 && tokens + cost > budget) {
      parts.push(current);
      current = [];
      tokens = 0;
    }
    current.push(line);
    tokens += cost;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** Segment ids from the model's answer: integers of the transcript, in order, without repeats. */
export function knownIds(value: unknown, known: ReadonlyMap<number, ChatSegment>, limit = 50): number[] {
  if (!Array.isArray(value)) return [];
  const ids = new Set<number>();
  for (const item of value) {
    const id = typeof item === 'number' ? item : typeof item === 'string' ? Number(item.replace(/^\[|\]$/g, '')) : NaN;
    if (Number.isInteger(id) && known.has(id)) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b).slice(0, limit);
}

/** The time ranges of segments: runs of consecutive indexes become one range, from the first's start to the last's end. */
export function rangesOf(ids: readonly number[], known: ReadonlyMap<number, ChatSegment>): TimeRange[] {
  const ranges: TimeRange[] = [];
  let previous: number | null = null;
  for (const id of [...ids].sort((a, b) => a - b)) {
    const segment = known.get(id)!;
    const last = ranges[ranges.length - 1];
    if (last && previous !== null && id === previous + 1) last.end = Math.max(last.end, segment.end);
    else ranges.push({ start: segment.start, end: segment.end });
    previous = id;
  }
  return ranges;
}

/**
 * Merges items until one is left: packs them into groups within `budget` tokens and merges each group
 * (`final` for the last merge). Items are kept under a quarter of a request's context by their callers,
 * so every group holds two or more and the loop ends.
 */
export async function reduceWithin<T>(
  items: T[],
  cost: (item: T) => number,
  budget: number,
  merge: (group: T[], final: boolean) => Promise<T>,
): Promise<T> {
  let level = items;
  while (level.length > 1) {
    const groups: T[][] = [];
    let current: T[] = [];
    let tokens = 0;
    for (const item of level) {
      const itemCost = cost(item);
      if (current.length > 1 && tokens + itemCost > budget) {
        groups.push(current);
        current = [];
        tokens = 0;
      }
      current.push(item);
      tokens += itemCost;
    }
    if (current.length === 1 && groups.length > 0) groups[groups.length - 1].push(current[0]);
    else if (current.length > 0) groups.push(current);
    if (groups.length === 1) return merge(groups[0], true);
    const next: T[] = [];
    for (const group of groups) next.push(await merge(group, false));
    level = next;
  }
  return level[0];
}
