import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { AppDeps } from './context.ts';
import { downloadViewer, sendDownloadError } from './httpDownload.ts';
import { visibleSessionWhere } from './services/liveSessions.ts';

const ROUTE = /^\/sessions\/([a-z0-9_]+)\/(audio\/(source|main|light)|subtitles\.vtt)$/;

export function isSessionDownload(path: string): boolean {
  return ROUTE.test(path);
}

/**
 * GET /sessions/{id}/audio/{source|main|light} and /sessions/{id}/subtitles.vtt: the files of an
 * aggregated (READY) live session, with the same authentication and visibility as /graphql.
 */
export async function serveSessionFile(deps: AppDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const [, sessionId, , kind] = ROUTE.exec((req.url ?? '').split('?')[0])!;
  const viewer = await downloadViewer(deps, req, res);
  if (!viewer) return;
  const session = await deps.db.liveSession.findFirst({ where: { id: sessionId, ...visibleSessionWhere(viewer) } });
  if (!session) return sendDownloadError(res, 404, 'NOT_FOUND', 'Live session not found.');
  if (session.status !== 'READY') {
    return sendDownloadError(res, 409, 'CONFLICT', `The files are not ready: the session is ${session.status.toLowerCase()}.`);
  }
  const file = kind ? audioFile(session, kind as 'source' | 'main' | 'light') : { key: session.vttKey, type: 'text/vtt; charset=utf-8', name: 'subtitles.vtt' };
  if (!file.key) return sendDownloadError(res, 404, 'NOT_FOUND', 'The file does not exist.');
  let body;
  try {
    body = await deps.storage.get(file.key);
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND' || (error as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') {
      return sendDownloadError(res, 404, 'NOT_FOUND', 'The file does not exist.');
    }
    throw error;
  }
  res.writeHead(200, {
    'content-type': file.type,
    'content-disposition': `${kind ? 'inline' : 'attachment'}; filename="${session.id}-${file.name}"`,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    body.destroy();
    res.end();
    return;
  }
  await pipeline(body, res);
}

function audioFile(
  session: { encoding: string; sourceKey: string | null; mainKey: string | null; lightKey: string | null },
  kind: 'source' | 'main' | 'light',
): { key: string | null; type: string; name: string } {
  if (kind === 'main') return { key: session.mainKey, type: 'audio/flac', name: 'main.flac' };
  if (kind === 'light') return { key: session.lightKey, type: 'audio/ogg', name: 'light.ogg' };
  if (session.encoding === 'WEBM_OPUS') return { key: session.sourceKey, type: 'audio/webm', name: 'source.webm' };
  if (session.encoding === 'OGG_OPUS') return { key: session.sourceKey, type: 'audio/ogg', name: 'source.ogg' };
  return { key: session.sourceKey, type: 'audio/wav', name: 'source.wav' };
}

