import type { Segment } from '../providers/types.ts';

/**
 * One displayable unit of a segment: a word with its time span and speaker. Renderers split and
 * wrap subtitles at token boundaries only.
 */
export interface Token {
  text: string;
  /** Length in code points. */
  len: number;
  /** Seconds. start <= end; starts never decrease within a segment. */
  start: number;
  end: number;
  speaker: string | null;
  /** Whether a space separates this token from the one before it on the same line. */
  spaceBefore: boolean;
}

/** Whitespace collapsed to single spaces and trimmed. */
export function normalizeText(text: unknown): string {
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '';
}

/** A usable speaker id or null (blank and non-string ids count as none). */
export function normalizeSpeaker(speaker: unknown): string | null {
  if (typeof speaker === 'number' && Number.isFinite(speaker)) return String(speaker);
  const text = normalizeText(speaker);
  return text === '' ? null : text;
}

/**
 * The name shown for a speaker: the id itself, except that a bare number n reads "Speaker n".
 * Engines that number speakers should store display ids such as "Speaker 1".
 */
export function speakerLabel(speaker: string): string {
  const id = normalizeSpeaker(speaker) ?? '';
  return /^\d+$/.test(id) ? `Speaker ${id}` : id;
}

/** Segments ordered by start time; the sort is stable, so ordered input is left as it is. */
export function sortSegments(segments: readonly Segment[]): Segment[] {
  const key = (s: Segment) => (Number.isFinite(s.start) ? s.start : 0);
  return [...segments].sort((a, b) => key(a) - key(b));
}

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// Scripts written without spaces between words: tokens in them join without a space.
const NO_SPACE_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\u3000-\u303f\uff00-\uffef]/u;
// A token made only of these attaches to the previous one ("word ," -> "word,").
const CLOSING_PUNCTUATION = /^[.,!?;:…%)\]}»”’、。，．！？；：」』】〕）]+$/u;

function lastChar(text: string): string {
  const chars = [...text];
  return chars[chars.length - 1] ?? '';
}
function firstChar(text: string): string {
  return [...text][0] ?? '';
}

interface RawToken {
  text: string;
  start: number;
  end: number;
  speaker: string | null;
}

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/** Spread words over [start, end] in proportion to their length (spaces included). */
function proportional(parts: string[], start: number, end: number, speaker: string | null): RawToken[] {
  const lengths = parts.map(codePointLength);
  const total = lengths.reduce((a, b) => a + b, 0) + parts.length - 1;
  const span = end - start;
  let cursor = 0;
  return parts.map((text, i) => {
    const from = start + (total > 0 ? (span * cursor) / total : 0);
    const to = start + (total > 0 ? (span * (cursor + lengths[i])) / total : 0);
    cursor += lengths[i] + 1;
    return { text, start: from, end: to, speaker };
  });
}

/**
 * The tokens of one segment. Word timings are used when every word has them; the segment's own
 * text supplies the spelling when it splits into as many words (it usually carries the
 * punctuation and casing). A segment without usable words has its text spread proportionally over
 * its time span. Words of scripts written without spaces (Chinese, Japanese, Thai...) become one
 * token per character, and words longer than `maxTokenLength(speaker)` code points are cut into
 * pieces, so every token fits on a subtitle line; closing punctuation stays with what precedes it.
 */
export function segmentTokens(segment: Segment, maxTokenLength: (speaker: string | null) => number): Token[] {
  const segStart = finite(segment.start) ? Math.max(0, segment.start) : 0;
  const segEnd = finite(segment.end) ? Math.max(segment.end, segStart) : segStart;
  const segSpeaker = normalizeSpeaker(segment.speaker);
  const textParts = normalizeText(segment.text).split(' ').filter(Boolean);
  const words = (Array.isArray(segment.words) ? segment.words : []).filter((w) => normalizeText(w?.word) !== '');

  let raw: RawToken[];
  if (words.length > 0 && words.every((w) => finite(w.start) && finite(w.end))) {
    const spellings = textParts.length === words.length ? textParts : words.map((w) => normalizeText(w.word));
    raw = words.map((w, i) => ({
      text: spellings[i],
      start: w.start,
      end: w.end,
      speaker: normalizeSpeaker(w.speaker) ?? segSpeaker,
    }));
  } else if (textParts.length > 0) {
    raw = proportional(textParts, segStart, segEnd, segSpeaker);
  } else {
    return [];
  }

  // Times: never negative, end >= start, starts never going backwards.
  let floor = 0;
  for (const t of raw) {
    t.start = Math.max(0, t.start, floor);
    t.end = Math.max(t.end, t.start);
    floor = t.start;
  }

  // Punctuation that came as its own word joins the word before it.
  const merged: RawToken[] = [];
  for (const t of raw) {
    const prev = merged[merged.length - 1];
    if (prev && CLOSING_PUNCTUATION.test(t.text)) {
      prev.text += t.text;
      prev.end = Math.max(prev.end, t.end);
    } else {
      merged.push({ ...t });
    }
  }

  const tokens: Token[] = [];
  for (const t of merged) {
    const prev = tokens[tokens.length - 1];
    const spaceBefore =
      prev !== undefined && !(NO_SPACE_SCRIPT.test(lastChar(prev.text)) && NO_SPACE_SCRIPT.test(firstChar(t.text)));
    // Pieces that may go on different lines: single characters of scripts without spaces, and
    // stretches of at most `limit` characters of anything else; closing punctuation stays
    // with the character before it.
    const limit = Math.max(1, Math.floor(maxTokenLength(t.speaker)));
    const pieces: string[] = [];
    let run = '';
    let runLength = 0;
    const flush = () => {
      if (run) pieces.push(run);
      run = '';
      runLength = 0;
    };
    for (const ch of t.text) {
      if (CLOSING_PUNCTUATION.test(ch) && (run || pieces.length > 0)) {
        if (run && runLength >= limit && runLength >= 2) {
          // Full: the last character moves on with the punctuation.
          const chars = [...run];
          const last = chars.pop() ?? '';
          pieces.push(chars.join(''));
          run = last + ch;
          runLength = 2;
        } else if (run) {
          run += ch;
          runLength++;
        } else {
          pieces[pieces.length - 1] += ch;
        }
      } else if (NO_SPACE_SCRIPT.test(ch)) {
        flush();
        run = ch;
        runLength = 1;
        flush();
      } else {
        if (runLength >= limit) flush();
        run += ch;
        runLength++;
      }
    }
    flush();
    const total = codePointLength(t.text);
    const span = t.end - t.start;
    let done = 0;
    pieces.forEach((piece, i) => {
      const len = codePointLength(piece);
      tokens.push({
        text: piece,
        len,
        start: t.start + (span * done) / total,
        end: t.start + (span * (done + len)) / total,
        speaker: t.speaker,
        spaceBefore: i === 0 ? spaceBefore : false,
      });
      done += len;
    });
  }
  return tokens;
}

/** The tokens' text on one line. */
export function joinTokens(tokens: readonly Token[]): string {
  let out = '';
  tokens.forEach((t, i) => {
    out += (i > 0 && t.spaceBefore ? ' ' : '') + t.text;
  });
  return out;
}

const SENTENCE_END = /[.!?…。！？]["'”’)\]]*$/u;
const CLAUSE_END = /[,;:—–、，；：]["'”’)\]]*$/u;

// Short words that bind to the word after them (English, plus a few that read the same elsewhere):
// a line or cue should not end on one.
const BINDING_WORDS = new Set(
  'a an the of to in on at by for from with and or but nor as if than that this these those my your his her its our their de la le les el los las du des et'.split(
    ' ',
  ),
);

/**
 * How well a break after this token reads: 2 after a sentence, 1 after a clause, 0 elsewhere,
 * -1 after an article, preposition or conjunction.
 */
export function breakQuality(token: Token): -1 | 0 | 1 | 2 {
  if (SENTENCE_END.test(token.text)) return 2;
  if (CLAUSE_END.test(token.text)) return 1;
  if (BINDING_WORDS.has(token.text.toLowerCase())) return -1;
  return 0;
}
