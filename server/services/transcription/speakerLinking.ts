import type { CoreDeps } from '../../context.ts';
import type { Word } from '../../providers/types.ts';
import { emptyVoiceStats, poolVoiceStats, voiceStatsOfRanges } from '../../media/voiceSignature.ts';
import { clusterSpeakers, type SpeakerUnit } from './speakerClustering.ts';
import { storeJobRedactions } from '../redaction.ts';

/** Seconds of one unit's audio analysed at most: a speaker's signature settles long before. */
const MAX_SECONDS_PER_UNIT = 120;
/** Most speakers one file is given. */
const MAX_SPEAKERS = 20;
/** Segments relabelled per statement. */
const UPDATE_BATCH = 500;

interface SegmentRow {
  idx: number;
  chunkIndex: number;
  startSeconds: number;
  endSeconds: number;
  speaker: string | null;
  words: unknown;
}

/**
 * Gives a diarized job's speakers one set of labels across its chunks. Engines label speakers per
 * request ("Speaker 1" of one chunk need not be "Speaker 1" of the next), and LOCAL labels none: once
 * every chunk is stored, each chunk's labels (and each unlabelled segment) get a voice signature from
 * the job's normalised audio, and clusterSpeakers decides who is who; the segments (and their words)
 * are relabelled "Speaker 1", "Speaker 2", … in order of first appearance. Idempotent: linking linked
 * labels again gives the same answer. A job without diarize, or of one chunk whose engine labelled
 * every segment, is left as the engine gave it.
 */
export async function linkSpeakers(
  deps: CoreDeps,
  job: { id: string; diarize: boolean },
  wavPath: string,
  signal?: AbortSignal,
): Promise<void> {
  if (!job.diarize) return;
  const rows: SegmentRow[] = await deps.db.transcriptSegment.findMany({
    where: { jobId: job.id },
    orderBy: { idx: 'asc' },
    select: { idx: true, chunkIndex: true, startSeconds: true, endSeconds: true, speaker: true, words: true },
  });
  if (rows.length === 0) return;
  const chunks = new Set(rows.map((row) => row.chunkIndex));
  const unlabelled = rows.some((row) => labelsOf(row).length === 0);
  if (chunks.size === 1 && !unlabelled) return;

  const units = unitsOf(rows);
  const ranges = units.flatMap((unit) => unit.ranges);
  const stats = await voiceStatsOfRanges(wavPath, ranges, { signal });
  let next = 0;
  const speakerUnits: SpeakerUnit[] = units.map((unit) => {
    const pooled = emptyVoiceStats();
    for (let i = 0; i < unit.ranges.length; i++) poolVoiceStats(pooled, stats[next++]);
    return { key: unit.key, chunk: unit.chunk, label: unit.label, start: unit.start, stats: pooled };
  });
  const speakerOf = clusterSpeakers(speakerUnits, { threshold: deps.env.SPEAKER_MATCH_THRESHOLD, maxSpeakers: MAX_SPEAKERS });
  const labelFor = (row: SegmentRow, label: string | null) => {
    const number = speakerOf.get(label === null ? segmentKey(row) : labelKey(row.chunkIndex, label));
    return number === undefined ? label : `Speaker ${number + 1}`;
  };

  const changes: Array<{ idx: number; speaker: string | null; words: Word[] }> = [];
  for (const row of rows) {
    const words = wordsOf(row);
    const labelled = labelsOf(row).length > 0;
    const speaker = row.speaker !== null ? labelFor(row, row.speaker) : labelled ? null : labelFor(row, null);
    const relabelled = words.map((word) => ({ ...word, speaker: labelled ? (word.speaker ? labelFor(row, word.speaker) : word.speaker ?? null) : speaker }));
    const same = speaker === row.speaker && relabelled.every((word, i) => (word.speaker ?? null) === (words[i].speaker ?? null));
    if (!same) changes.push({ idx: row.idx, speaker, words: relabelled });
  }
  if (changes.length === 0) return;
  signal?.throwIfAborted();
  // One statement per batch (not one per segment): hours of audio relabel thousands of segments.
  await deps.db.$transaction(async (tx) => {
    for (let i = 0; i < changes.length; i += UPDATE_BATCH) {
      const batch = changes.slice(i, i + UPDATE_BATCH);
      await tx.$executeRaw`
        UPDATE transcript_segments AS s
           SET speaker = v.speaker, words = v.words::jsonb
          FROM unnest(${batch.map((c) => c.idx)}::int[], ${batch.map((c) => c.speaker)}::text[], ${batch.map((c) => JSON.stringify(c.words))}::text[])
               AS v(idx, speaker, words)
         WHERE s.job_id = ${job.id} AND s.idx = v.idx`;
    }
    // Stored redactions hold copies of the words: they take the new labels too.
    await storeJobRedactions(tx, job.id, changes[0].idx);
  });
}

interface Unit {
  key: string;
  chunk: number;
  label: string | null;
  start: number;
  ranges: Array<{ start: number; end: number }>;
}

const labelKey = (chunk: number, label: string) => `${chunk}:${label}`;
const segmentKey = (row: SegmentRow) => `segment:${row.idx}`;

function wordsOf(row: SegmentRow): Word[] {
  return Array.isArray(row.words) ? (row.words as Word[]) : [];
}

/** The engine's speaker labels in a segment: its own, else its words'. */
function labelsOf(row: SegmentRow): string[] {
  if (row.speaker !== null) return [row.speaker];
  return [...new Set(wordsOf(row).flatMap((word) => (word.speaker ? [word.speaker] : [])))];
}

/** One unit per (chunk, engine label), with the time ranges that label spoke; one per unlabelled segment. */
function unitsOf(rows: SegmentRow[]): Unit[] {
  const units = new Map<string, Unit & { seconds: number }>();
  const add = (key: string, chunk: number, label: string | null, start: number, end: number) => {
    let unit = units.get(key);
    if (!unit) units.set(key, (unit = { key, chunk, label, start, ranges: [], seconds: 0 }));
    if (end <= start || unit.seconds >= MAX_SECONDS_PER_UNIT) return;
    const last = unit.ranges[unit.ranges.length - 1];
    if (last && start - last.end < 0.05) last.end = Math.max(last.end, end);
    else unit.ranges.push({ start, end });
    unit.seconds += end - start;
  };
  for (const row of rows) {
    if (row.speaker !== null) {
      add(labelKey(row.chunkIndex, row.speaker), row.chunkIndex, row.speaker, row.startSeconds, row.endSeconds);
      continue;
    }
    const labelledWords = wordsOf(row).filter((word) => word.speaker);
    if (labelledWords.length === 0) {
      add(segmentKey(row), row.chunkIndex, null, row.startSeconds, row.endSeconds);
      continue;
    }
    for (const word of labelledWords) add(labelKey(row.chunkIndex, word.speaker!), row.chunkIndex, word.speaker!, word.start, word.end);
  }
  return [...units.values()].map(({ seconds: _seconds, ...unit }) => unit);
}
