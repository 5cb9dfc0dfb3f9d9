import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { downloadAccess, sendStoredFile } from './httpDownload.ts';
import { sendError } from './httpError.ts';
import { visibleJobWhere } from '../services/access/jobs.ts';
import { jobMediaType } from '../services/jobMedia.ts';

const ROUTE = /^\/jobs\/([a-z0-9_]+)\/media$/;

export function isJobMedia(path: string): boolean {
  return ROUTE.test(path);
}

/**
 * GET /jobs/{id}/media: the file a job was transcribed from (uploads only; a URL job keeps none),
 * with Range support for players; the same authentication and visibility as /graphql, or a signed
 * link from the API (Job.mediaUrl).
 */
export async function serveJobMedia(deps: AppDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const [, jobId] = ROUTE.exec((req.url ?? '').split('?')[0])!;
  const access = await downloadAccess(deps, req, res);
  if (!access) return;
  const job = await deps.db.job.findFirst({
    where: { AND: [{ id: jobId }, access === 'signed' ? {} : visibleJobWhere(access)] },
    select: { id: true, filename: true, sourceKey: true },
  });
  if (!job) return sendError(res, 'NOT_FOUND', 'Job not found.');
  await sendStoredFile(deps, req, res, job.sourceKey, {
    contentType: jobMediaType(job.filename),
    disposition: `inline; filename="${(job.filename ?? job.id).replace(/[^\w.-]+/g, '_')}"`,
  });
}
