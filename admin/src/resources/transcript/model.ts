// The transcript view's data: the words as shown (with their times), which word is playing, and
// where a search matches. Pure functions over the API's job; no React.
import type { TranscriptViewFieldsFragment } from '../../gql/graphql.ts';

export type TranscriptJob = TranscriptViewFieldsFragment;
export type TranscriptSegment = TranscriptJob['segments'][number];
export type TranscriptRevision = TranscriptJob['revisions'][number];

/** One word as the view shows it: the segment text's spelling, the engine's (or the correction's) times. */
export interface ShownWord {
  /** Position in the whole transcript (all segments' words in order). */
  at: number;
  segmentIndex: number;
  text: string;
  start: number;
  end: number;
}

/**
 * The words of each segment, numbered across the transcript. The segment's text gives the spelling
 * when it has as many words as the timed words (punctuation, casing); a segment without timed words
 * has its text spread evenly over its span.
 */
export function shownWords(segments: readonly TranscriptSegment[]): ShownWord[][] {
  let at = 0;
  return segments.map((segment) => {
    const parts = segment.text.split(/\s+/).filter(Boolean);
    const timed = segment.words.filter((w) => w.word.trim() !== '');
    if (timed.length > 0) {
      const spelling = parts.length === timed.length ? parts : timed.map((w) => w.word.trim());
      return timed.map((w, i) => ({ at: at++, segmentIndex: segment.index, text: spelling[i], start: w.start, end: w.end }));
    }
    const step = parts.length > 0 ? (segment.end - segment.start) / parts.length : 0;
    return parts.map((text, i) => ({
      at: at++,
      segmentIndex: segment.index,
      text,
      start: segment.start + step * i,
      end: segment.start + step * (i + 1),
    }));
  });
}

/** The word playing at `time`: the last one started by then (it stays lit through the pause after it); -1 before the first. */
export function wordAt(words: readonly ShownWord[], time: number): number {
  let low = 0;
  let high = words.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (words[mid].start <= time + 1e-3) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found === -1 ? -1 : words[found].at;
}

/** Case and punctuation do not matter when searching ("Hello," matches "hello"). */
export function searchable(text: string): string {
  return text.toLocaleLowerCase().replace(/[^\p{L}\p{N}'\s]+/gu, '').trim();
}

export interface SearchMatch {
  /** ShownWord.at of its first word. */
  first: number;
  count: number;
}

/** Word `j` of an `n`-word query against one word: a phrase may start and end inside words. */
function wordMatches(word: string, part: string, j: number, n: number): boolean {
  if (n === 1) return word.includes(part);
  if (j === 0) return word.endsWith(part);
  if (j === n - 1) return word.startsWith(part);
  return word === part;
}

/**
 * Where `query` occurs: runs of consecutive words of one segment, each containing the query's word
 * at that place (a one-word query matches inside words: "morn" finds "morning").
 */
export function findMatches(segments: readonly ShownWord[][], query: string): SearchMatch[] {
  const wanted = searchable(query).split(/\s+/).filter(Boolean);
  if (wanted.length === 0) return [];
  const matches: SearchMatch[] = [];
  for (const words of segments) {
    const plain = words.map((w) => searchable(w.text));
    for (let i = 0; i + wanted.length <= words.length; i++) {
      if (wanted.every((part, j) => wordMatches(plain[i + j], part, j, wanted.length))) {
        matches.push({ first: words[i].at, count: wanted.length });
      }
    }
  }
  return matches;
}

/** The newest revision of each segment (revisions come newest first). */
export function latestRevisionBySegment(revisions: readonly TranscriptRevision[]): Map<number, TranscriptRevision> {
  const latest = new Map<number, TranscriptRevision>();
  for (const revision of revisions) if (!latest.has(revision.segmentIndex)) latest.set(revision.segmentIndex, revision);
  return latest;
}

/** A link of the API as a path on the page's own origin (the web app is served by the API server). */
export function sameOriginPath(link: string): string {
  const url = new URL(link, window.location.href);
  return `${url.pathname}${url.search}`;
}
