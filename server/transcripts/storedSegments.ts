import type { Segment, Word } from '../providers/types.ts';

/** The columns a stored segment has, in transcript_segments (jobs) and live_segments (sessions) alike. */
export interface StoredSegmentRow {
  startSeconds: number;
  endSeconds: number;
  text: string;
  speaker: string | null;
  words: unknown;
}

/** A stored segment row as the engines' Segment (for rendering TXT/SRT/VTT/JSON). */
export function segmentFromStored(row: StoredSegmentRow): Segment {
  return {
    start: row.startSeconds,
    end: row.endSeconds,
    text: row.text,
    speaker: row.speaker,
    words: (row.words as Word[] | null) ?? [],
  };
}

/** A segment with its position in the transcript, as the API shows it (TranscriptSegment). */
export interface IndexedSegment extends Segment {
  index: number;
  speaker: string | null;
}

export function indexedSegmentFromStored(row: StoredSegmentRow & { idx: number }): IndexedSegment {
  return { index: row.idx, ...segmentFromStored(row), speaker: row.speaker };
}
