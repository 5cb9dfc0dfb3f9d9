import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { AppDeps } from '../context.ts';
import { downloadViewer } from './httpDownload.ts';
import { sendError } from './httpError.ts';
import { visibleJobWhere } from '../services/access/jobs.ts';
import { redactionFor } from '../services/access/redaction.ts';
import { redactedRows } from '../services/redaction.ts';
import { renderJobDocument } from '../services/transcriptDocuments.ts';
import { transcriptFromRows } from '../services/transcripts.ts';
import { isDocumentFormat, renderTranscript, transcriptContentType, type TranscriptFormat } from '../transcripts/formats.ts';

const ROUTE = /^\/jobs\/([a-z0-9_]+)\/transcript\.(txt|srt|vtt|json|docx|pdf)$/;

export function isTranscriptDownload(path: string): boolean {
  return ROUTE.test(path);
}

/**
 * GET /jobs/{id}/transcript.{txt|srt|vtt|json|docx|pdf}, with the same authentication and visibility
 * as /graphql; `?redacted=1` asks for the redacted transcript (README, "Redaction"). A PDF is streamed as it is written (no Content-Length); the others are sent whole.
 */
export async function serveTranscript(
  deps: AppDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const [path, query] = (req.url ?? '').split('?');
  const [, jobId, extension] = ROUTE.exec(path)!;
  const asked = new URLSearchParams(query ?? '').get('redacted');
  if (asked !== null && asked !== '0' && asked !== '1') return sendError(res, 'BAD_USER_INPUT', 'redacted must be 0 or 1.');
  const viewer = await downloadViewer(deps, req, res);
  if (!viewer) return;
  const format = extension.toUpperCase() as TranscriptFormat;
  const documentFormat = isDocumentFormat(format) ? format : null;
  const job = await deps.db.job.findFirst({ where: { AND: [{ id: jobId }, visibleJobWhere(viewer)] } });
  if (!job) return sendError(res, 'NOT_FOUND', 'Job not found.');
  if (job.status !== 'COMPLETED') {
    return sendError(res, 'CONFLICT', `The transcript is not ready: the job is ${job.status.toLowerCase()}.`);
  }
  const redact = await redactionFor(deps.db, viewer, job, asked === '1');
  const headers = {
    'content-type': transcriptContentType(format),
    'content-disposition': contentDisposition(job.filename, job.id, extension),
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  };
  if (documentFormat) {
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    const rendered = await renderJobDocument(deps, job, documentFormat, { redact });
    if (Buffer.isBuffer(rendered)) {
      res.writeHead(200, { ...headers, 'content-length': rendered.length });
      res.end(rendered);
      return;
    }
    res.writeHead(200, headers);
    await pipeline(rendered, res).catch((error: unknown) => {
      if (!res.destroyed) deps.logger.error({ err: error, jobId }, 'could not stream the transcript document');
      res.destroy();
    });
    return;
  }
  const [segments, speakerNames, summary] = await Promise.all([
    deps.db.transcriptSegment.findMany({ where: { jobId: job.id }, orderBy: { idx: 'asc' } }),
    deps.db.jobSpeaker.findMany({ where: { jobId: job.id } }),
    format === 'JSON' ? deps.db.jobSummary.findUnique({ where: { jobId: job.id } }) : null,
  ]);
  // Translations and summaries are made from the original: a redacted transcript goes without them.
  const redacted = redact.length > 0;
  const transcript = redacted
    ? transcriptFromRows({ ...job, translatedText: null }, redactedRows(segments, redact), speakerNames, null)
    : transcriptFromRows(job, segments, speakerNames, summary);
  const body = renderTranscript(format as Exclude<TranscriptFormat, 'DOCX' | 'PDF'>, transcript);
  res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * `attachment` with the job's file name (its extension replaced): an ASCII `filename` for old
 * clients and the exact name as RFC 5987 `filename*` (UTF-8), so "Интервью.mp3" downloads as
 * "Интервью.pdf".
 */
function contentDisposition(filename: string | null, jobId: string, extension: string): string {
  const stem = (filename ?? '').replace(/\.[^.]+$/, '').trim() || jobId;
  const ascii = stem.replace(/[^\w.-]+/g, '_') || jobId;
  const exact = `${stem}.${extension}`;
  return `attachment; filename="${ascii}.${extension}"; filename*=UTF-8''${encodeRFC5987(exact)}`;
}

function encodeRFC5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
