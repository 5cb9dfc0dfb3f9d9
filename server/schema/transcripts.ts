/** Transcript shapes shared by jobs and live sessions: words, segments, chunks, formats. */
import type { Word } from '../providers/types.ts';
import type { IndexedSegment } from '../transcripts/storedSegments.ts';
import type { Provider } from '../db/db.ts';
import { builder } from './builder.ts';
import { SentimentRef } from './jobOutputs.ts';
import { ProviderEnum } from './root.ts';

export const TranscriptFormatEnum = builder.enumType('TranscriptFormat', {
  values: ['TXT', 'SRT', 'VTT', 'JSON', 'DOCX', 'PDF'] as const,
  description: 'DOCX (Word) and PDF are documents: binary, so Job.transcript answers them base64-encoded; downloadUrl serves the bytes.',
});

const WordRef = builder.objectRef<Word>('Word').implement({
  fields: (t) => ({
    word: t.exposeString('word'),
    start: t.exposeFloat('start'),
    end: t.exposeFloat('end'),
    confidence: t.float({ nullable: true, resolve: (word) => word.confidence ?? null }),
    speaker: t.string({ nullable: true, resolve: (word) => word.speaker ?? null }),
  }),
});

export const SegmentRef = builder.objectRef<IndexedSegment>('TranscriptSegment').implement({
  fields: (t) => ({
    index: t.exposeInt('index'),
    start: t.exposeFloat('start', { description: 'Seconds from the start of the audio.' }),
    end: t.exposeFloat('end'),
    text: t.exposeString('text'),
    speaker: t.exposeString('speaker', { nullable: true }),
    words: t.field({ type: [WordRef], resolve: (segment) => segment.words }),
    sentiment: t.field({
      type: SentimentRef,
      nullable: true,
      description: "This segment's sentiment, once analysed (Job.sentimentStatus).",
      resolve: (segment) => segment.sentiment ?? null,
    }),
    provider: t.field({
      type: ProviderEnum,
      nullable: true,
      description: 'The engine that produced this segment (a job or session may fall back to its next engine midway).',
      resolve: (segment) => (segment.provider ?? null) as Provider | null,
    }),
  }),
});

/** One segment of a job's or a live session's transcript, as `transcriptChunks` delivers it. */
export interface TranscriptChunk {
  jobId: string | null;
  sessionId: string | null;
  segment: IndexedSegment;
  isFinal: boolean;
}

export const TranscriptChunkRef = builder.objectRef<TranscriptChunk>('TranscriptChunk').implement({
  fields: (t) => ({
    jobId: t.exposeID('jobId', { nullable: true }),
    sessionId: t.exposeID('sessionId', { nullable: true }),
    segment: t.field({ type: SegmentRef, resolve: (chunk) => chunk.segment }),
    isFinal: t.exposeBoolean('isFinal', {
      description: 'false: interim text that a later chunk with the same index replaces.',
    }),
  }),
});
