import type { Job, JobSpeaker, JobSummary, TranscriptSegment } from '../db/db.ts';
import type { Segment, Word } from '../providers/types.ts';
import { speakerDisplayName, type SpeakerNames, type TranscriptFormat } from '../transcripts/formats.ts';
import { segmentFromStored } from '../transcripts/storedSegments.ts';
import { summaryExport } from './jobSummary.ts';

/** What the renderers need of a job: its (latest) segments, the names of its speakers and its revision. */
export function transcriptFromRows(
  job: Pick<Job, 'id' | 'detectedLanguage' | 'language' | 'mediaDurationSeconds' | 'translatedText' | 'revision' | 'sentiment' | 'sentimentScore'>,
  rows: TranscriptSegment[],
  speakers: Pick<JobSpeaker, 'speaker' | 'name'>[] = [],
  summary: JobSummary | null = null,
) {
  const segments: Segment[] = rows.map(segmentFromStored);
  return {
    jobId: job.id,
    segments,
    language: job.detectedLanguage ?? job.language,
    durationSeconds: job.mediaDurationSeconds,
    translatedText: job.translatedText,
    speakerNames: speakerNamesOf(speakers),
    revision: job.revision,
    sentiment: job.sentiment ? { label: job.sentiment, score: job.sentimentScore ?? 0 } : null,
    summary: summaryExport(summary),
  };
}

export function speakerNamesOf(speakers: Pick<JobSpeaker, 'speaker' | 'name'>[]): SpeakerNames {
  return Object.fromEntries(speakers.map((s) => [s.speaker, s.name]));
}

export function transcriptUrl(publicUrl: string, jobId: string, format: TranscriptFormat): string {
  return `${publicUrl}/jobs/${encodeURIComponent(jobId)}/transcript.${format.toLowerCase()}`;
}

export interface TranscriptSpeaker {
  /** The id segments carry. */
  speaker: string;
  /** The name given to it, or null. */
  name: string | null;
  /** How it is shown: the name, else "Speaker n". */
  displayName: string;
}

/** The speakers of a transcript in order of first appearance (segments' and words' speakers). */
export function speakersOf(rows: Pick<TranscriptSegment, 'speaker' | 'words'>[], speakers: Pick<JobSpeaker, 'speaker' | 'name'>[]): TranscriptSpeaker[] {
  const names = speakerNamesOf(speakers);
  const seen = new Set<string>();
  for (const row of rows) {
    const ids = [row.speaker, ...(((row.words as Word[] | null) ?? []).map((w) => w.speaker))];
    for (const id of ids) if (typeof id === 'string' && id.trim() !== '') seen.add(id);
  }
  return [...seen].map((speaker) => ({
    speaker,
    name: Object.hasOwn(names, speaker) ? names[speaker] : null,
    displayName: speakerDisplayName(speaker, names),
  }));
}
