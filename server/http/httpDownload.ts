import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { credentialFrom, resolveViewer } from '../services/authentication.ts';
import type { AppDeps, Viewer } from '../context.ts';
import { AppError } from '../errors.ts';
import { sendError } from './httpError.ts';
import { hasValidSignature } from '../security/signedUrls.ts';
import { isMissingObject, type ByteRange } from '../storage/index.ts';

/**
 * Shared by the plain-HTTP download routes: only GET/HEAD, and the same credentials as /graphql.
 * Answers the error itself and returns null when the request may not go on.
 */
export async function downloadViewer(
  deps: AppDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<Viewer | null> {
  if (!allowedMethod(req, res)) return null;
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
    sendError(res, 'UNAUTHENTICATED', error instanceof AppError ? error.message : 'Authentication failed.');
    return null;
  }
  if (!viewer) sendError(res, 'UNAUTHENTICATED', 'Authentication required.');
  return viewer;
}

function allowedMethod(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  res.setHeader('allow', 'GET, HEAD');
  sendError(res, 'METHOD_NOT_ALLOWED', 'Use GET or HEAD.');
  return false;
}

/**
 * For routes that also serve signed links (security/signedUrls.ts): 'signed' when the URL carries a
 * valid signature for its path (no credentials needed), else the viewer from the credentials, or
 * null when the error has been answered.
 */
export async function downloadAccess(
  deps: AppDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<Viewer | 'signed' | null> {
  if (!allowedMethod(req, res)) return null;
  if (new URL(req.url ?? '/', 'http://x').searchParams.has('signature')) {
    if (hasValidSignature(deps.box, req.url ?? '/')) return 'signed';
    sendError(res, 'FORBIDDEN', 'The link has expired or is not valid; ask for a new one.');
    return null;
  }
  return downloadViewer(deps, req, res);
}

/**
 * Streams a stored object (HEAD: headers only) with its length, honouring a single `Range: bytes=…`
 * (206, or 416 when it cannot be satisfied) so players can seek; 404 when it is missing from storage.
 */
export async function sendStoredFile(
  deps: AppDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  key: string | null,
  headers: { contentType: string; disposition: string },
): Promise<void> {
  if (!key) return sendError(res, 'NOT_FOUND', 'The file does not exist.');
  let size: number;
  try {
    size = await deps.storage.size(key);
  } catch (error) {
    if (isMissingObject(error)) return sendError(res, 'NOT_FOUND', 'The file does not exist.');
    throw error;
  }
  const common = {
    'content-type': headers.contentType,
    'content-disposition': headers.disposition,
    'accept-ranges': 'bytes',
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  };
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': '0' });
    res.end();
    return;
  }
  if (range) {
    res.writeHead(206, { ...common, 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': String(range.end - range.start + 1) });
  } else {
    res.writeHead(200, { ...common, 'content-length': String(size) });
  }
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await pipeline(await deps.storage.get(key, range ?? undefined), res);
}

/**
 * One range of a `Range: bytes=…` header against `size` bytes: null for none (or a form we do not
 * serve, such as several ranges: the whole file is sent then), 'unsatisfiable' past the end.
 */
function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
