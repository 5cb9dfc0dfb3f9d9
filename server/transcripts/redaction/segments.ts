/**
 * The rules run over a transcript's segments together (a phone number said across a pause that
 * split it into two segments is still one number), each span cut back to its segments and timed
 * by the words it covers.
 */
import type { Word } from '../../providers/types.ts';
import { roundTo } from '../../rounding.ts';
import { placeholderOf, type RedactionKind } from './kinds.ts';
import { applySpans, findSpans, type TextSpan } from './spans.ts';

export interface RedactableSegment {
  text: string;
  start: number;
  end: number;
  words: readonly Word[];
}

/** A span of one segment: characters [from, to) of its text, and the seconds [start, end] its words take. */
export interface RedactedSpan extends TextSpan {
  start: number;
  end: number;
}

/** A segment as the rules leave it: what is stored per segment (transcript_segments.redaction). */
export interface SegmentRedaction {
  kinds: RedactionKind[];
  spans: RedactedSpan[];
  /** The redacted text and words; absent when no span was found (they are the original's). */
  text?: string;
  words?: Word[];
}

const SEPARATOR = '\n';

export function redactSegments(segments: readonly RedactableSegment[], kinds: readonly RedactionKind[]): SegmentRedaction[] {
  const offsets: number[] = [];
  let joined = '';
  for (const segment of segments) {
    offsets.push(joined.length);
    joined += segment.text + SEPARATOR;
  }
  const perSegment: TextSpan[][] = segments.map(() => []);
  for (const span of findSpans(joined, kinds)) {
    segments.forEach((segment, i) => {
      const from = Math.max(span.from, offsets[i]) - offsets[i];
      const to = Math.min(span.to, offsets[i] + segment.text.length) - offsets[i];
      const part = trimmed(segment.text, from, to);
      if (part) perSegment[i].push({ kind: span.kind, ...part });
    });
  }
  return segments.map((segment, i) => redactOne(segment, perSegment[i], kinds));
}

function trimmed(text: string, from: number, to: number): { from: number; to: number } | null {
  while (from < to && /\s/.test(text[from])) from += 1;
  while (to > from && /\s/.test(text[to - 1])) to -= 1;
  return from < to ? { from, to } : null;
}

function redactOne(segment: RedactableSegment, spans: TextSpan[], kinds: readonly RedactionKind[]): SegmentRedaction {
  if (spans.length === 0) return { kinds: [...kinds], spans: [] };
  const places = wordPlaces(segment.text, segment.words);
  const timed: RedactedSpan[] = spans.map((span) => {
    const covered = segment.words.filter((_, w) => overlaps(places[w], span));
    // Without the words' times the whole segment is treated as the span's: silence too much, never too little.
    if (covered.length === 0) return { ...span, start: segment.start, end: segment.end };
    return { ...span, start: roundTo(Math.min(...covered.map((w) => w.start)), 3), end: roundTo(Math.max(...covered.map((w) => w.end)), 3) };
  });
  const words: Word[] = [];
  const placed = new Set<RedactedSpan>();
  segment.words.forEach((word, w) => {
    const span = timed.find((candidate) => overlaps(places[w], candidate));
    if (!span) return words.push(word);
    if (placed.has(span)) return;
    placed.add(span);
    words.push({ ...word, word: placeholderOf(span.kind), start: span.start, end: span.end, confidence: null });
  });
  return { kinds: [...kinds], spans: timed, text: applySpans(segment.text, spans), words };
}

function overlaps(place: { from: number; to: number } | null, span: TextSpan): boolean {
  return place !== null && place.from < span.to && span.from < place.to;
}

/** Where each word is in the text, found in order (null for a word the text does not spell alike). */
function wordPlaces(text: string, words: readonly Word[]): Array<{ from: number; to: number } | null> {
  const lower = text.toLowerCase();
  let cursor = 0;
  return words.map((word) => {
    const forms = [word.word.trim().toLowerCase(), word.word.trim().toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')];
    for (const form of forms) {
      if (!form) continue;
      const at = wholeWordAt(lower, form, cursor);
      if (at >= 0) {
        cursor = at + form.length;
        return { from: at, to: at + form.length };
      }
    }
    return null;
  });
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

function wholeWordAt(text: string, form: string, from: number): number {
  for (let at = text.indexOf(form, from); at >= 0; at = text.indexOf(form, at + 1)) {
    const before = at > 0 ? text[at - 1] : ' ';
    const after = at + form.length < text.length ? text[at + form.length] : ' ';
    if (!(WORD_CHAR.test(before) && WORD_CHAR.test(form[0])) && !(WORD_CHAR.test(after) && WORD_CHAR.test(form.at(-1)!))) return at;
  }
  return -1;
}
