/**
 * Word timings for a corrected segment text: words the correction left alone keep their timing,
 * confidence and speaker; new and changed words are spread evenly over the time between the kept
 * words around them (or the segment's edges). Pure functions; no I/O.
 */
import type { Segment, Word } from '../providers/types.ts';
import { roundTo } from '../rounding.ts';
import { normalizeSpeaker, normalizeText } from './tokens.ts';

/** How two words are compared: case and punctuation do not matter ("Hello," matches "hello"). */
function comparable(word: string): string {
  const letters = word.toLocaleLowerCase().replace(/[^\p{L}\p{N}']+/gu, '');
  return letters === '' ? word : letters;
}

/** Index pairs [old, new] of a longest common subsequence of the two word lists, in order. */
function keptWordPairs(before: readonly string[], after: readonly string[]): Array<[number, number]> {
  const a = before.map(comparable);
  const b = after.map(comparable);
  // lengths[i][j]: LCS length of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}

const at = (seconds: number) => roundTo(seconds, 3);

/**
 * The words of `segment` after its text becomes `text` (already normalised: single spaces, trimmed):
 * one word per space-separated token of `text`, spelled as there. A segment without word timings
 * gets its words spread evenly over its whole span.
 */
export function correctedWords(segment: Pick<Segment, 'start' | 'end' | 'speaker' | 'words'>, text: string): Word[] {
  const tokens = normalizeText(text).split(' ').filter(Boolean);
  const old = (Array.isArray(segment.words) ? segment.words : []).filter(
    (w) => normalizeText(w?.word) !== '' && Number.isFinite(w.start) && Number.isFinite(w.end),
  );
  const pairs = keptWordPairs(
    old.map((w) => normalizeText(w.word)),
    tokens,
  );
  const keptFor = new Map(pairs.map(([o, n]) => [n, old[o]]));
  const segmentSpeaker = normalizeSpeaker(segment.speaker);
  const words: Word[] = new Array(tokens.length);

  let gapStart = 0; // first token of the current run of new words
  let previous: Word | null = null;
  const fillGap = (until: number, next: Word | null) => {
    const count = until - gapStart;
    if (count <= 0) return;
    const from = previous ? previous.end : segment.start;
    const to = Math.max(from, next ? next.start : segment.end);
    const step = (to - from) / count;
    const speaker = previous?.speaker ?? next?.speaker ?? segmentSpeaker;
    for (let k = 0; k < count; k++) {
      const word: Word = { word: tokens[gapStart + k], start: at(from + step * k), end: at(from + step * (k + 1)), confidence: null };
      if (speaker) word.speaker = speaker;
      words[gapStart + k] = word;
    }
  };
  for (let n = 0; n <= tokens.length; n++) {
    const kept = n < tokens.length ? keptFor.get(n) : undefined;
    if (n < tokens.length && !kept) continue;
    fillGap(n, kept ?? null);
    if (kept) {
      words[n] = { ...kept, word: tokens[n] };
      previous = kept;
    }
    gapStart = n + 1;
  }
  return words;
}
