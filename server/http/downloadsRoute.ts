import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { downloadViewer } from './httpDownload.ts';
import { sendError } from './httpError.ts';
import { visibleJobWhere } from '../services/access/jobs.ts';
import { transcriptFromRows } from '../services/transcripts.ts';
import { renderTranscript, transcriptContentType, type TranscriptFormat } from '../transcripts/formats.ts';

const ROUTE = /^\/jobs\/([a-z0-9_]+)\/transcript\.(txt|srt|vtt|json)$/;

export function isTranscriptDownload(path: string): boolean {
  return ROUTE.test(path);
}

/** GET /jobs/{id}/transcript.{txt|srt|vtt|json}, with the same authentication and visibility as /graphql. */
export async function serveTranscript(
  deps: AppDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const [, jobId, extension] = ROUTE.exec((req.url ?? '').split('?')[0])!;
  const viewer = await downloadViewer(deps, req, res);
  if (!viewer) return;
  const job = await deps.db.job.findFirst({
    where: { AND: [{ id: jobId }, visibleJobWhere(viewer)] },
    include: { segments: { orderBy: { idx: 'asc' } }, speakerNames: true },
  });
  if (!job) return sendError(res, 'NOT_FOUND', 'Job not found.');
  if (job.status !== 'COMPLETED') {
    return sendError(res, 'CONFLICT', `The transcript is not ready: the job is ${job.status.toLowerCase()}.`);
  }
  const format = extension.toUpperCase() as TranscriptFormat;
  const body = renderTranscript(format, transcriptFromRows(job, job.segments, job.speakerNames));
  const base = (job.filename ?? job.id).replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_') || job.id;
  res.writeHead(200, {
    'content-type': transcriptContentType(format),
    'content-length': Buffer.byteLength(body),
    'content-disposition': `attachment; filename="${base}.${extension}"`,
    'cache-control': 'private, no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

