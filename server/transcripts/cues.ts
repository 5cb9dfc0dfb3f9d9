import type { Segment } from '../providers/types.ts';
import { toMilliseconds } from './timecode.ts';
import { breakQuality, joinTokens, segmentTokens, sortSegments, type Token } from './tokens.ts';

export interface CueOptions {
  /** Longest line, in characters (code points), the speaker prefix included. Default 42. */
  maxLineLength?: number;
  /** Most lines per cue. Default 2. */
  maxLines?: number;
  /** Longest time a cue stays on screen. Default 7 s. */
  maxDurationSeconds?: number;
  /** Shortest time a cue stays on screen unless the next cue starts sooner. Default 0.7 s. */
  minDurationSeconds?: number;
  /**
   * Text put before the first line of a cue whose speaker is known (SRT: "Speaker 1: "). Its
   * length counts against the first line; it is returned in `Cue.prefix`, not in `Cue.lines`.
   */
  firstLinePrefix?: ((speaker: string) => string) | null;
  /** The media's length: no cue is stretched past it (when it lies after the cue's start). */
  endLimitSeconds?: number | null;
}

export interface Cue {
  /** 1-based position. */
  index: number;
  /** Seconds, whole milliseconds; 0 <= start < end <= next cue's start. */
  start: number;
  end: number;
  speaker: string | null;
  /** Goes before `lines[0]` when displayed ('' when none). */
  prefix: string;
  /** The wrapped text, without the prefix; at most `maxLines` lines of `maxLineLength`. */
  lines: string[];
  /** The cue's text on one line, without the prefix. */
  text: string;
}

interface Settings {
  maxLineLength: number;
  maxLines: number;
  maxMs: number;
  minMs: number;
  prefixFor: (speaker: string | null) => string;
  endLimitMs: number | null;
}

export const DEFAULT_CUE_OPTIONS = {
  maxLineLength: 42,
  maxLines: 2,
  maxDurationSeconds: 7,
  minDurationSeconds: 0.7,
} as const;

function settings(options: CueOptions): Settings {
  const int = (value: number | undefined, fallback: number) =>
    value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
  const maxLineLength = int(options.maxLineLength, DEFAULT_CUE_OPTIONS.maxLineLength);
  const maxLines = int(options.maxLines, DEFAULT_CUE_OPTIONS.maxLines);
  const maxSeconds =
    options.maxDurationSeconds !== undefined && options.maxDurationSeconds > 0
      ? options.maxDurationSeconds
      : DEFAULT_CUE_OPTIONS.maxDurationSeconds;
  const maxMs = Math.max(1, toMilliseconds(maxSeconds));
  const minSeconds =
    options.minDurationSeconds !== undefined && options.minDurationSeconds >= 0
      ? options.minDurationSeconds
      : DEFAULT_CUE_OPTIONS.minDurationSeconds;
  const minMs = Math.min(maxMs, Math.max(1, toMilliseconds(minSeconds)));
  const prefix = options.firstLinePrefix ?? null;
  const endLimit = options.endLimitSeconds;
  return {
    maxLineLength,
    maxLines,
    maxMs,
    minMs,
    prefixFor: (speaker) => (speaker !== null && prefix ? prefix(speaker) : ''),
    endLimitMs: endLimit !== null && endLimit !== undefined && Number.isFinite(endLimit) ? toMilliseconds(endLimit) : null,
  };
}

/** Where each line starts when every line takes as many tokens as fit (the fewest lines). */
function greedyLines(tokens: readonly Token[], from: number, to: number, firstBudget: number, maxLen: number): number[] {
  const starts: number[] = [];
  let width = 0;
  for (let k = from; k < to; k++) {
    const add = (tokens[k].spaceBefore ? 1 : 0) + tokens[k].len;
    if (starts.length > 0 && width + add <= (starts.length === 1 ? firstBudget : maxLen)) {
      width += add;
    } else {
      starts.push(k);
      width = tokens[k].len;
    }
  }
  return starts;
}

// Line-break preferences: a break after a sentence or clause is worth some imbalance.
// Indexed by breakQuality + 1.
const LINE_BREAK_BONUS = [-60, 0, 100, 180] as const;

/**
 * Wraps one cue's tokens: a single line when it fits, else the fewest lines, balanced in length
 * (sum of squared lengths) and preferring breaks after punctuation.
 */
function wrapTokens(tokens: readonly Token[], maxLineLength: number, prefixLength = 0): string[] {
  const n = tokens.length;
  if (n === 0) return [];
  const firstBudget = maxLineLength - prefixLength;
  const starts = greedyLines(tokens, 0, n, firstBudget, maxLineLength);
  const count = starts.length;
  if (count === 1) return [joinTokens(tokens)];

  // best[k][b]: cheapest way to put tokens [0, b) on k lines.
  const best: number[][] = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const from: number[][] = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(-1));
  best[0][0] = 0;
  for (let k = 1; k <= count; k++) {
    const budget = k === 1 ? firstBudget : maxLineLength;
    const extra = k === 1 ? prefixLength : 0;
    for (let b = 1; b <= n; b++) {
      let width = 0; // of tokens [a, b)
      for (let a = b - 1; a >= 0; a--) {
        width += tokens[a].len + (a < b - 1 && tokens[a + 1].spaceBefore ? 1 : 0);
        if (width > budget && b - a > 1) break;
        if (best[k - 1][a] === Infinity) continue;
        let cost = best[k - 1][a] + (width + extra) ** 2;
        if (b < n) cost -= LINE_BREAK_BONUS[breakQuality(tokens[b - 1]) + 1];
        if (cost < best[k][b]) {
          best[k][b] = cost;
          from[k][b] = a;
        }
      }
    }
  }
  if (best[count][n] === Infinity) {
    // Cannot happen with a feasible greedy layout; fall back to it anyway.
    return starts.map((s, i) => joinTokens(tokens.slice(s, starts[i + 1] ?? n)));
  }
  const lines: string[] = [];
  let b = n;
  for (let k = count; k >= 1; k--) {
    const a = from[k][b];
    lines.unshift(joinTokens(tokens.slice(a, b)));
    b = a;
  }
  return lines;
}

// Cue-splitting preferences (arbitrary units): fewer cues first, then breaks at punctuation,
// evenly filled cues, and breaks at pauses.
const CUE_COST = 100;
// Indexed by breakQuality + 1.
const CUE_END_PENALTY = [70, 45, 20, 0] as const;
const FILL_WEIGHT = 60;
const PAUSE_ALLOWANCE_SECONDS = 0.4;
const PAUSE_WEIGHT_PER_SECOND = 80;

/** Splits one run of tokens (one segment, one speaker) into cue-sized ranges. */
function splitRun(tokens: readonly Token[], s: Settings, prefixLength: number): Array<[number, number]> {
  const n = tokens.length;
  const firstBudget = s.maxLineLength - prefixLength;
  const capacity = s.maxLines * s.maxLineLength;
  const maxSeconds = s.maxMs / 1000;
  const pauseCost = [0];
  for (let k = 1; k < n; k++) {
    const pause = tokens[k].start - tokens[k - 1].end - PAUSE_ALLOWANCE_SECONDS;
    pauseCost.push(pauseCost[k - 1] + (pause > 0 ? pause * PAUSE_WEIGHT_PER_SECOND : 0));
  }

  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(-1);
  best[0] = 0;
  for (let i = 1; i <= n; i++) {
    let width = 0; // of tokens [j, i) on one line
    for (let j = i - 1; j >= 0; j--) {
      width += tokens[j].len + (j < i - 1 && tokens[j + 1].spaceBefore ? 1 : 0);
      if (i - j > 1) {
        if (tokens[i - 1].end - tokens[j].start > maxSeconds + 1e-9) break;
        if (width + prefixLength > capacity) break;
        if (width > firstBudget && greedyLines(tokens, j, i, firstBudget, s.maxLineLength).length > s.maxLines) break;
      }
      const fill = Math.min(1, (width + prefixLength) / capacity);
      const cost =
        best[j] +
        CUE_COST +
        (i === n ? 0 : CUE_END_PENALTY[breakQuality(tokens[i - 1]) + 1]) +
        FILL_WEIGHT * (1 - fill) ** 2 +
        (pauseCost[i - 1] - pauseCost[j]);
      if (cost < best[i]) {
        best[i] = cost;
        from[i] = j;
      }
    }
  }
  const ranges: Array<[number, number]> = [];
  for (let i = n; i > 0; i = from[i]) ranges.unshift([from[i], i]);
  return ranges;
}

interface DraftCue {
  startMs: number;
  endMs: number;
  speaker: string | null;
  tokens: Token[];
}

/**
 * Subtitle cues for segments: cues break at word boundaries (using word timings), never span a
 * segment boundary or a speaker change, hold at most `maxLines` lines of `maxLineLength`
 * characters and last at most `maxDurationSeconds`. Each cue runs from its first word's start to
 * its last word's end, stretched to `minDurationSeconds` where the next cue leaves room; cues
 * never overlap and their times increase.
 */
export function splitIntoCues(segments: readonly Segment[], options: CueOptions = {}): Cue[] {
  const s = settings(options);
  const drafts: DraftCue[] = [];
  for (const segment of sortSegments(segments)) {
    const tokens = segmentTokens(segment, (speaker) =>
      Math.max(1, s.maxLineLength - [...s.prefixFor(speaker)].length),
    );
    let runStart = 0;
    for (let k = 1; k <= tokens.length; k++) {
      if (k < tokens.length && tokens[k].speaker === tokens[runStart].speaker) continue;
      const run = tokens.slice(runStart, k);
      const speaker = run[0].speaker;
      for (const [a, b] of splitRun(run, s, [...s.prefixFor(speaker)].length)) {
        const cueTokens = run.slice(a, b);
        drafts.push({
          startMs: toMilliseconds(cueTokens[0].start),
          endMs: toMilliseconds(cueTokens[cueTokens.length - 1].end),
          speaker,
          tokens: cueTokens,
        });
      }
      runStart = k;
    }
  }
  // Overlapping segments (two people talking at once) interleave by start time.
  drafts.sort((a, b) => a.startMs - b.startMs);

  const cues: Cue[] = [];
  let previousEnd = 0;
  drafts.forEach((draft, i) => {
    const start = Math.max(draft.startMs, previousEnd);
    let end = Math.min(Math.max(draft.endMs, start + s.minMs), start + s.maxMs);
    const next = drafts[i + 1];
    if (next) {
      // Give way to the next cue; when it starts at the same moment, it waits for this one.
      end = next.startMs > start ? Math.min(end, next.startMs) : Math.min(end, start + s.minMs);
    }
    if (s.endLimitMs !== null && s.endLimitMs > start) end = Math.min(end, Math.max(s.endLimitMs, draft.endMs));
    end = Math.max(end, start + 1);
    previousEnd = end;
    const prefix = s.prefixFor(draft.speaker);
    cues.push({
      index: i + 1,
      start: start / 1000,
      end: end / 1000,
      speaker: draft.speaker,
      prefix,
      lines: wrapTokens(draft.tokens, s.maxLineLength, [...prefix].length),
      text: joinTokens(draft.tokens),
    });
  });
  return cues;
}
