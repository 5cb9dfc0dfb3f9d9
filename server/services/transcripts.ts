import type { Job, TranscriptSegment } from '../db.ts';
import type { Segment } from '../providers/types.ts';

export type TranscriptFormat = 'TXT' | 'SRT' | 'VTT' | 'JSON';

export function transcriptFromRows(
  job: Pick<Job, 'id' | 'detectedLanguage' | 'language' | 'mediaDurationSeconds' | 'translatedText'>,
  rows: TranscriptSegment[],
) {
  const segments: Segment[] = rows.map((row) => ({
    start: row.startSeconds,
    end: row.endSeconds,
    text: row.text,
    speaker: row.speaker,
    words: (row.words as unknown as Segment['words']) ?? [],
  }));
  return {
    jobId: job.id,
    segments,
    language: job.detectedLanguage ?? job.language,
    durationSeconds: job.mediaDurationSeconds,
    translatedText: job.translatedText,
  };
}

export function transcriptUrl(publicUrl: string, jobId: string, format: TranscriptFormat): string {
  return `${publicUrl}/jobs/${encodeURIComponent(jobId)}/transcript.${format.toLowerCase()}`;
}
