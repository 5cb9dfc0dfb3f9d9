import type { Job, TranscriptSegment } from '../db/db.ts';
import type { Segment } from '../providers/types.ts';
import type { TranscriptFormat } from '../transcripts/formats.ts';
import { segmentFromStored } from '../transcripts/storedSegments.ts';

export function transcriptFromRows(
  job: Pick<Job, 'id' | 'detectedLanguage' | 'language' | 'mediaDurationSeconds' | 'translatedText'>,
  rows: TranscriptSegment[],
) {
  const segments: Segment[] = rows.map(segmentFromStored);
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
