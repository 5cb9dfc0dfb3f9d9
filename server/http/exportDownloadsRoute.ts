import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { downloadAccess, sendStoredFile } from './httpDownload.ts';
import { sendError } from './httpError.ts';
import { mayExport, visibleExportWhere } from '../services/access/projectContent.ts';
import { viewerRoleIn } from '../services/projectAccess.ts';

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
    where: { AND: [{ id: exportId }, access === 'signed' ? {} : visibleExportWhere(access)] },
  });
  if (!found) return sendError(res, 'NOT_FOUND', 'Dataset export not found.');
  if (access !== 'signed') {
    if (!mayExport(access, await viewerRoleIn(deps.db, access, found.projectId))) {
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
