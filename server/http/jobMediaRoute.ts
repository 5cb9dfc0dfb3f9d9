import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { downloadAccess, sendStoredFile } from './httpDownload.ts';
import { sendError } from './httpError.ts';
import { visibleJobWhere } from '../services/access/jobs.ts';
import { jobMediaType } from '../services/jobMedia.ts';
import { playbackRedaction } from '../services/access/redaction.ts';
import { redactedRanges } from '../services/redaction.ts';
import { REDACTED_MEDIA_TYPE, redactedMediaKey } from '../services/redactedMedia.ts';

const ROUTE = /^\/jobs\/([a-z0-9_]+)\/media(\/redacted)?$/;

export function isJobMedia(path: string): boolean {
  return ROUTE.test(path);
}

/**
 * GET /jobs/{id}/media: the file a job was transcribed from (uploads only; a URL job keeps none),
 * with Range support for players; the same authentication and visibility as /graphql, or a signed
 * link from the API (Job.mediaUrl). Whoever reads the transcript redacted hears it redacted: the audio with
 * the redacted words silenced (/media/redacted asks for that; README, "Redaction").
 */
export async function serveJobMedia(deps: AppDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const [, jobId, redactedPath] = ROUTE.exec((req.url ?? '').split('?')[0])!;
  const access = await downloadAccess(deps, req, res);
  if (!access) return;
  const job = await deps.db.job.findFirst({
    where: { AND: [{ id: jobId }, access === 'signed' ? {} : visibleJobWhere(access)] },
    select: { id: true, filename: true, sourceKey: true, ownerId: true, projectId: true, redact: true },
  });
  if (!job) return sendError(res, 'NOT_FOUND', 'Job not found.');
  const redact = await playbackRedaction(deps.db, access, job, Boolean(redactedPath));
  if (redact.length > 0) {
    const rows = await deps.db.transcriptSegment.findMany({ where: { jobId: job.id }, orderBy: { idx: 'asc' } });
    const key = await redactedMediaKey(deps, { prefix: `jobs/${job.id}/`, sourceKey: job.sourceKey }, redactedRanges(rows, redact));
    return sendStoredFile(deps, req, res, key, {
      contentType: REDACTED_MEDIA_TYPE,
      disposition: `inline; filename="${(job.filename ?? job.id).replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_')}-redacted.ogg"`,
    });
  }
  await sendStoredFile(deps, req, res, job.sourceKey, {
    contentType: jobMediaType(job.filename),
    disposition: `inline; filename="${(job.filename ?? job.id).replace(/[^\w.-]+/g, '_')}"`,
  });
}
