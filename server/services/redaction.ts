/**
 * A job's redaction, stored per segment (transcript_segments.redaction) as segments are stored or
 * corrected, and read back for those who may not read the original (access/redaction.ts says who).
 * Stored redactions are used when they were made for the kinds in force; otherwise (a project
 * policy changed since) the rules run again as the text is read, so a reader never gets less
 * redaction than the policy asks for.
 */
import type { Prisma, TranscriptSegment } from '../db/db.ts';
import type { Word } from '../providers/types.ts';
import { normaliseKinds, redactSegments, sameKinds, type RedactionKind, type RedactedSpan, type SegmentRedaction } from '../transcripts/redaction/index.ts';
import { redactionKindsOf } from './access/redaction.ts';

/** Segments before the first changed one that are read again, so a number said across them is still found. */
const CONTEXT_SEGMENTS = 8;
/** …and of those, how many may have their stored redaction changed. */
const REWRITTEN_BEFORE = 4;

type Writer = Pick<Prisma.TransactionClient, 'job' | 'project' | 'transcriptSegment'>;

/** The kinds a project's jobs get at submission with `redact` of their own. */
export function submittedKinds(own: readonly string[] | null | undefined, project: { redact: readonly string[] } | null): RedactionKind[] {
  return normaliseKinds([...(own ?? []), ...(project?.redact ?? [])]);
}

/**
 * Runs the rules over a job's segments from `fromIdx` on (with a few before it for context) and
 * stores each segment's redaction (a job with no kinds in force is left alone).
 */
export async function storeJobRedactions(tx: Writer, jobId: string, fromIdx: number): Promise<void> {
  const job = await tx.job.findUnique({ where: { id: jobId }, select: { id: true, ownerId: true, projectId: true, redact: true } });
  if (job) await storeRedactions(tx, job, fromIdx);
}

/** A job as its redaction needs it; `redact` is fixed at submission, so a row read earlier in the task will do. */
export interface RedactedJob {
  id: string;
  ownerId: string;
  projectId: string | null;
  redact: readonly string[];
}

/** storeJobRedactions with the job's row at hand (the project's policy is still read now). */
export async function storeRedactions(tx: Writer, job: RedactedJob, fromIdx: number): Promise<void> {
  const jobId = job.id;
  const kinds = await redactionKindsOf(tx, job);
  // Without kinds a stored redaction is never read (segmentRedactions wants matching kinds): nothing to do.
  if (kinds.length === 0) return;
  const rows = await tx.transcriptSegment.findMany({
    where: { jobId, idx: { gte: Math.max(0, fromIdx - CONTEXT_SEGMENTS) } },
    orderBy: { idx: 'asc' },
    select: { idx: true, text: true, words: true, startSeconds: true, endSeconds: true, redaction: true },
  });
  const results = redactSegments(rows.map(redactable), kinds);
  for (const [i, row] of rows.entries()) {
    if (row.idx < fromIdx - REWRITTEN_BEFORE) continue;
    const next = results[i];
    if (JSON.stringify(next) === JSON.stringify(row.redaction)) continue;
    await tx.transcriptSegment.update({
      where: { jobId_idx: { jobId, idx: row.idx } },
      data: { redaction: next as unknown as Prisma.InputJsonValue },
    });
  }
}

function redactable(row: Pick<TranscriptSegment, 'text' | 'words' | 'startSeconds' | 'endSeconds'>) {
  return { text: row.text, words: (row.words as Word[] | null) ?? [], start: row.startSeconds, end: row.endSeconds };
}

type ReadRow = Pick<TranscriptSegment, 'text' | 'words' | 'startSeconds' | 'endSeconds'> & { redaction?: unknown };

/**
 * Each segment's redaction for `kinds`: the stored one when it was made for them, else the rules
 * run now over `rows` together (pass the whole transcript, or the rows around the one wanted).
 */
export function segmentRedactions(rows: readonly ReadRow[], kinds: readonly RedactionKind[]): SegmentRedaction[] {
  const stored = rows.map((row) => row.redaction as SegmentRedaction | null | undefined);
  if (stored.every((redaction) => redaction && Array.isArray(redaction.kinds) && sameKinds(redaction.kinds, kinds))) {
    return stored as SegmentRedaction[];
  }
  return redactSegments(rows.map(redactable), kinds);
}

/** The rows as `kinds` leave them to read: text and words redacted (the same rows when no kinds). */
export function redactedRows<Row extends ReadRow>(rows: readonly Row[], kinds: readonly RedactionKind[]): Row[] {
  if (kinds.length === 0) return [...rows];
  const redactions = segmentRedactions(rows, kinds);
  return rows.map((row, i) => {
    const redaction = redactions[i];
    if (!redaction.text) return row;
    return { ...row, text: redaction.text, words: (redaction.words ?? []) as unknown as Row['words'] };
  });
}

/** The time ranges playback audio is silenced over (a job's or a live session's segments), merged and in order. */
export function redactedRanges(rows: readonly ReadRow[], kinds: readonly RedactionKind[]): Array<{ start: number; end: number }> {
  if (kinds.length === 0) return [];
  const spans: RedactedSpan[] = segmentRedactions(rows, kinds).flatMap((redaction) => redaction.spans);
  const ranges = spans.map((span) => ({ start: span.start, end: span.end })).sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const range of ranges) {
    const previous = merged.at(-1);
    if (previous && range.start <= previous.end) previous.end = Math.max(previous.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/** The whole text as `kinds` leave it (Job.text's shape: segments joined by spaces). */
export function redactedJobText(rows: readonly ReadRow[], kinds: readonly RedactionKind[]): string {
  return redactedRows(rows, kinds).map((row) => row.text).join(' ');
}

/** A job's segment rows in order (for a redacted Job.text, read only when it is asked for). */
export function segmentRowsOf(db: Pick<Prisma.TransactionClient, 'transcriptSegment'>, jobId: string) {
  return db.transcriptSegment.findMany({ where: { jobId }, orderBy: { idx: 'asc' } });
}

/** The most of a redacted text a webhook carries (characters); the rest is fetched through the API. */
const WEBHOOK_TEXT_LIMIT = 100_000;

/**
 * What job.completed webhooks add for a job with redaction in force: its redacted text (webhooks
 * never carry the original). Nothing for other jobs, whose transcript is fetched through the API.
 */
export async function redactedTranscriptPayload(
  tx: Pick<Prisma.TransactionClient, 'project' | 'transcriptSegment'>,
  job: { id: string; ownerId: string; projectId: string | null; redact: readonly string[] },
): Promise<{ redactedText?: string; redactedTextTruncated?: boolean }> {
  const kinds = await redactionKindsOf(tx, job);
  if (kinds.length === 0) return {};
  const text = redactedJobText(await segmentRowsOf(tx, job.id), kinds);
  return text.length > WEBHOOK_TEXT_LIMIT ? { redactedText: text.slice(0, WEBHOOK_TEXT_LIMIT), redactedTextTruncated: true } : { redactedText: text };
}
