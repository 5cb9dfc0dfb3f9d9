import type { Segment, Word } from '../providers/types.ts';
import { roundTo } from '../rounding.ts';
import { speakerDisplayName, type SpeakerNames } from './formats.ts';

/** The columns a stored segment has, in transcript_segments (jobs) and live_segments (sessions) alike. */
interface StoredSegmentRow {
  startSeconds: number;
  endSeconds: number;
  text: string;
  speaker: string | null;
  words: unknown;
  /** The engine that produced it (absent where a caller did not read it). */
  provider?: string | null;
  /** Its sentiment (job segments; absent on live segments). */
  sentiment?: 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE' | null;
  sentimentScore?: number | null;
}

/** A stored segment row as the engines' Segment (for rendering TXT/SRT/VTT/JSON). */
export function segmentFromStored(row: StoredSegmentRow): Segment {
  return {
    start: row.startSeconds,
    end: row.endSeconds,
    text: row.text,
    speaker: row.speaker,
    words: (row.words as Word[] | null) ?? [],
    sentiment: row.sentiment ? { label: row.sentiment, score: row.sentimentScore ?? 0 } : null,
  };
}

/** A segment with its position in the transcript, as the API shows it (TranscriptSegment). */
export interface IndexedSegment extends Segment {
  index: number;
  speaker: string | null;
  /** How the speaker is shown: its given name, else "Speaker n"; null without a speaker (absent: not named). */
  speakerName?: string | null;
  /** The engine that produced it; null for segments stored before provider routing had none to record. */
  provider?: string | null;
}

export function indexedSegmentFromStored(row: StoredSegmentRow & { idx: number }): IndexedSegment {
  return namedSegmentFromStored(row, {});
}

/** A job's segments with the names given to its speakers (live sessions have none). */
export function indexedSegmentsFromStored(rows: Array<StoredSegmentRow & { idx: number }>, speakerNames: SpeakerNames): IndexedSegment[] {
  return rows.map((row) => namedSegmentFromStored(row, speakerNames));
}

function namedSegmentFromStored(row: StoredSegmentRow & { idx: number }, speakerNames: SpeakerNames): IndexedSegment {
  const speakerName = row.speaker === null ? null : speakerDisplayName(row.speaker, speakerNames);
  return { index: row.idx, ...segmentFromStored(row), speaker: row.speaker, speakerName, provider: row.provider ?? null };
}

/**
 * The columns to store for a segment an engine returned for audio that starts `offsetSeconds` into
 * the whole (a job's chunk, a live engine's resume point): times shifted and rounded to whole
 * milliseconds, text trimmed.
 */
export function storedSegmentAt(segment: Segment, offsetSeconds: number) {
  const at = (seconds: number) => roundTo(offsetSeconds + seconds, 3);
  return {
    startSeconds: at(segment.start),
    endSeconds: at(segment.end),
    text: segment.text.trim(),
    speaker: segment.speaker ?? null,
    words: segment.words.map((word) => ({ ...word, start: at(word.start), end: at(word.end) })),
  } satisfies StoredSegmentRow;
}
