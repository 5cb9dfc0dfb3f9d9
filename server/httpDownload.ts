import type http from 'node:http';
import { credentialFrom, resolveViewer } from './auth.ts';
import type { AppDeps, Viewer } from './context.ts';
import { AppError } from './errors.ts';

/**
 * Shared by the plain-HTTP download routes: only GET/HEAD, and the same credentials as /graphql.
 * Answers the error itself and returns null when the request may not go on.
 */
export async function downloadViewer(
  deps: AppDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<Viewer | null> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendDownloadError(res, 405, 'BAD_USER_INPUT', 'Use GET.');
    return null;
  }
  let viewer: Viewer | null;
  try {
    viewer = await resolveViewer(
      deps,
      credentialFrom({
        authorization: req.headers.authorization,
        apiKey: typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : null,
      }),
    );
  } catch (error) {
    sendDownloadError(res, 401, 'UNAUTHENTICATED', error instanceof AppError ? error.message : 'Authentication failed.');
    return null;
  }
  if (!viewer) sendDownloadError(res, 401, 'UNAUTHENTICATED', 'Authentication required.');
  return viewer;
}

export function sendDownloadError(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
