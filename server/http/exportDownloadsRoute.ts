import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { downloadAccess, sendStoredFile } from './httpDownload.ts';
import { sendError } from './httpError.ts';
import { mayExport } from '../services/datasetExports.ts';
import { visibleProjectWhere } from '../services/projectAccess.ts';

const ROUTE = /^\/exports\/([a-z0-9_]+)\/dataset\.tar$/;

export function isExportDownload(path: string): boolean {
  return ROUTE.test(path);
}

/**
 * GET /exports/{id}/dataset.tar: a COMPLETED dataset export, for OWNERs and ADMINs of its project
 * and site admins (credentials as for /graphql), or through the signed DatasetExport.downloadUrl.
 */
export async function serveExportArchive(deps: AppDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const [, exportId] = ROUTE.exec((req.url ?? '').split('?')[0])!;
  const access = await downloadAccess(deps, req, res);
  if (!access) return;
  const found = await deps.db.datasetExport.findFirst({
    where: { id: exportId, ...(access === 'signed' ? {} : { project: visibleProjectWhere(access) }) },
  });
  if (!found) return sendError(res, 'NOT_FOUND', 'Dataset export not found.');
  if (access !== 'signed') {
    const member = await deps.db.projectMember.findUnique({
      where: { projectId_userId: { projectId: found.projectId, userId: access.user.id } },
      select: { role: true },
    });
    if (!mayExport(access, member?.role ?? null)) {
      return sendError(res, 'FORBIDDEN', 'Only OWNERs and ADMINs of the project download its dataset.');
    }
  }
  if (found.status !== 'COMPLETED') {
    return sendError(res, 'CONFLICT', `The archive is not ready: the export is ${found.status.toLowerCase()}.`);
  }
  await sendStoredFile(deps, req, res, found.archiveKey, {
    contentType: 'application/x-tar',
    disposition: `attachment; filename="${found.projectId}-${found.id}.tar"`,
  });
}
