/**
 * A job's transcript as a Word or PDF document: the facts from the job row, the speakers from one
 * query, and the segments read a page at a time, so a long transcript is never loaded whole.
 */
import type { Readable } from 'node:stream';
import type { CoreDeps } from '../context.ts';
import type { Job } from '../db/db.ts';
import { renderDocx } from '../transcripts/documents/docx.ts';
import type { DocumentSegment, TranscriptDocument } from '../transcripts/documents/model.ts';
import { renderPdf } from '../transcripts/documents/pdf.ts';
import { speakerDisplayName, type DocumentFormat, type SpeakerNames } from '../transcripts/formats.ts';
import { summaryDocumentText } from './jobSummary.ts';
import { speakerNamesOf } from './transcripts.ts';
import { redactedRows } from './redaction.ts';
import type { RedactionKind } from '../transcripts/redaction/index.ts';

const PAGE_ROWS = 500;
let fallbackReported = false;

type DocumentJob = Pick<
  Job,
  'id' | 'filename' | 'createdAt' | 'completedAt' | 'mediaDurationSeconds' | 'detectedLanguage' | 'language' | 'sentiment' | 'sentimentScore'
>;

interface DocumentOptions {
  /** A summary to show before the transcript; default: the job's stored one (services/jobSummary.ts), none when redacting. */
  summary?: string | null;
  /** Redact these kinds from the text (access/redaction.ts says for whom); none: the original. */
  redact?: readonly RedactionKind[];
}

/** The document as a stream (PDF) or a buffer (DOCX, a zip written at its end). */
export async function renderJobDocument(
  deps: Pick<CoreDeps, 'db' | 'env' | 'logger'>,
  job: DocumentJob,
  format: DocumentFormat,
  options: DocumentOptions = {},
): Promise<Readable | Buffer> {
  const document = await jobDocument(deps, job, options);
  if (format === 'DOCX') return renderDocx(document);
  return renderPdf(document, {
    fontPath: deps.env.DOCUMENT_FONT,
    fontFallback: (reason) => {
      if (fallbackReported) return;
      fallbackReported = true;
      deps.logger.warn({ font: deps.env.DOCUMENT_FONT }, `${reason}: PDFs use Helvetica, which prints characters outside Latin-1 as "?"`);
    },
  });
}

/** The whole document in memory (for GraphQL's base64 answer). */
export async function jobDocumentBytes(
  deps: Pick<CoreDeps, 'db' | 'env' | 'logger'>,
  job: DocumentJob,
  format: DocumentFormat,
  options: DocumentOptions = {},
): Promise<Buffer> {
  const rendered = await renderJobDocument(deps, job, format, options);
  if (Buffer.isBuffer(rendered)) return rendered;
  const chunks: Buffer[] = [];
  for await (const chunk of rendered) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function jobDocument(deps: Pick<CoreDeps, 'db'>, job: DocumentJob, options: DocumentOptions): Promise<TranscriptDocument> {
  const names = speakerNamesOf(await deps.db.jobSpeaker.findMany({ where: { jobId: job.id } }));
  const speakerIds = await speakersInOrder(deps, job.id);
  return {
    title: job.filename ?? job.id,
    date: job.completedAt ?? job.createdAt,
    durationSeconds: job.mediaDurationSeconds,
    language: job.detectedLanguage ?? job.language,
    speakers: speakerIds.map((id) => speakerDisplayName(id, names)),
    // A summary is made from the original: a redacted document goes without it.
    summary: (options.redact?.length ?? 0) > 0 ? null : options.summary !== undefined ? options.summary : await storedSummary(deps, job.id, options),
    sentiment: job.sentiment ? { label: job.sentiment, score: job.sentimentScore ?? 0 } : null,
    segments: segmentPages(deps, job.id, names, options.redact ?? []),
  };
}

/** The job's summary as document text; none for a redacted document (the summary is made from the original text). */
async function storedSummary(deps: Pick<CoreDeps, 'db'>, jobId: string, options: DocumentOptions): Promise<string | null> {
  if ((options as { redact?: readonly unknown[] }).redact?.length) return null;
  return summaryDocumentText(await deps.db.jobSummary.findUnique({ where: { jobId } }));
}

/** Every speaker id of the transcript (segments', else their words'), in order of first appearance. */
async function speakersInOrder(deps: Pick<CoreDeps, 'db'>, jobId: string): Promise<string[]> {
  const rows = await deps.db.$queryRaw<Array<{ speaker: string }>>`
    SELECT speaker FROM (
      SELECT speaker, idx FROM transcript_segments WHERE job_id = ${jobId} AND speaker IS NOT NULL AND btrim(speaker) <> ''
      UNION ALL
      SELECT w->>'speaker' AS speaker, s.idx
        FROM transcript_segments s, jsonb_array_elements(s.words) AS w
       WHERE s.job_id = ${jobId} AND s.speaker IS NULL AND jsonb_typeof(s.words) = 'array'
         AND w->>'speaker' IS NOT NULL AND btrim(w->>'speaker') <> ''
    ) AS all_speakers
    GROUP BY speaker ORDER BY min(idx), speaker`;
  return rows.map((row) => row.speaker);
}

async function* segmentPages(deps: Pick<CoreDeps, 'db'>, jobId: string, names: SpeakerNames, redact: readonly RedactionKind[]): AsyncGenerator<DocumentSegment> {
  let after = -1;
  for (;;) {
    const rows = await deps.db.transcriptSegment.findMany({
      where: { jobId, idx: { gt: after } },
      orderBy: { idx: 'asc' },
      take: PAGE_ROWS,
      select: { idx: true, startSeconds: true, endSeconds: true, text: true, speaker: true, words: true, redaction: true },
    });
    for (const row of redactedRows(rows, redact)) {
      const words = Array.isArray(row.words) ? (row.words as Array<{ speaker?: unknown }>) : [];
      const wordSpeaker = words.find((w) => typeof w?.speaker === 'string' && w.speaker.trim() !== '')?.speaker as string | undefined;
      const speaker = row.speaker?.trim() ? row.speaker : (wordSpeaker ?? null);
      const text = row.text.replace(/\s+/g, ' ').trim();
      if (text) yield { start: row.startSeconds, end: row.endSeconds, speaker: speaker === null ? null : speakerDisplayName(speaker, names), text };
    }
    if (rows.length < PAGE_ROWS) return;
    after = rows[rows.length - 1].idx;
  }
}
