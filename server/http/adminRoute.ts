// The operations console: the static build of admin/ (Vite) served under /admin/.
// Hashed assets are cached for a year, index.html never without revalidation, and every other
// /admin/* path answers index.html so the console's own router can handle it.
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendError } from './httpError.ts';

/** Where `npm run admin:build` puts the console; PARLANCE_ADMIN_DIST moves it (a development aid: engineers
 * working side by side build and test their own copy). */
export const ADMIN_DIST_DIR = process.env.PARLANCE_ADMIN_DIST
  ? path.resolve(process.env.PARLANCE_ADMIN_DIST)
  : fileURLToPath(new URL('../../admin/dist/', import.meta.url));

const PREFIX = '/admin';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Files Vite names by content hash: safe to cache forever. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

// MUI (emotion) injects <style> elements, so styles need 'unsafe-inline'; scripts do not.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export function isAdminPath(urlPath: string): boolean {
  return urlPath === PREFIX || urlPath.startsWith(`${PREFIX}/`);
}

/** Whether a console build is there to serve. */
export function adminConsoleBuilt(distDir = ADMIN_DIST_DIR): boolean {
  return existsSync(path.join(distDir, 'index.html'));
}

export async function serveAdmin(req: http.IncomingMessage, res: http.ServerResponse, distDir = ADMIN_DIST_DIR): Promise<void> {
  const [urlPath, query] = splitUrl(req.url ?? PREFIX);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(res, 'METHOD_NOT_ALLOWED', 'Use GET or HEAD.');
  }
  if (urlPath === PREFIX) {
    res.writeHead(301, { location: `${PREFIX}/${query}` });
    res.end();
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.slice(PREFIX.length + 1));
  } catch {
    return sendError(res, 'BAD_USER_INPUT', 'Bad path.');
  }
  // Normalised against a root of its own, then checked again after joining: no way out of distDir.
  const normalised = path.posix.normalize(`/${relative}`).slice(1);
  const root = path.resolve(distDir);
  const target = path.resolve(root, normalised);
  if (relative.includes('\0') || (target !== root && !target.startsWith(`${root}${path.sep}`))) {
    return sendError(res, 'BAD_USER_INPUT', 'Bad path.');
  }
  if (!adminConsoleBuilt(root)) {
    return sendError(
      res,
      'UNAVAILABLE',
      'The console is not built. Run `npm run admin:build` (or `npm install`), then reload.',
    );
  }

  const hidden = normalised.split('/').some((segment) => segment.startsWith('.'));
  const file = !hidden && normalised !== '' ? await fileAt(target) : null;
  if (file && path.basename(target) !== 'index.html') {
    const immutable = normalised.startsWith('assets/');
    return sendFile(req, res, target, file, immutable ? IMMUTABLE : REVALIDATE);
  }
  // A missing hashed asset is a 404 (an old page asking for a file a newer build replaced), not HTML.
  if (!file && normalised.startsWith('assets/')) return sendError(res, 'NOT_FOUND', 'Not found.');
  const index = path.join(root, 'index.html');
  const indexStat = await fileAt(index);
  if (!indexStat) return sendError(res, 'UNAVAILABLE', 'The console is not built.');
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  return sendFile(req, res, index, indexStat, REVALIDATE);
}

interface FileInfo {
  size: number;
  mtimeMs: number;
}

async function fileAt(filePath: string): Promise<FileInfo | null> {
  try {
    const info = await stat(filePath);
    return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null;
  }
}

export function contentTypeOf(fileName: string): string {
  return CONTENT_TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** The headers of every static answer (here and GraphiQL's assets); answers 304 (true) when the browser has it. */
export function answeredNotModified(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  headers: { type: string; cacheControl: string; etag: string },
): boolean {
  res.setHeader('content-type', headers.type);
  res.setHeader('cache-control', headers.cacheControl);
  res.setHeader('etag', headers.etag);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('vary', 'accept-encoding');
  if (req.headers['if-none-match'] !== headers.etag) return false;
  res.writeHead(304);
  res.end();
  return true;
}

async function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  filePath: string,
  info: FileInfo,
  cacheControl: string,
): Promise<void> {
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  if (answeredNotModified(req, res, { type: contentTypeOf(filePath), cacheControl, etag })) return;
  // Text files are pre-compressed by the build (file.br, file.gz) when that made them smaller.
  let sendPath = filePath;
  let size = info.size;
  const accepted = String(req.headers['accept-encoding'] ?? '');
  for (const [encoding, extension] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    if (!new RegExp(`\\b${encoding}\\b`).test(accepted)) continue;
    const compressed = await fileAt(filePath + extension);
    if (compressed) {
      sendPath = filePath + extension;
      size = compressed.size;
      res.setHeader('content-encoding', encoding);
      break;
    }
  }
  res.setHeader('content-length', size);
  res.writeHead(200);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(sendPath);
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

function splitUrl(url: string): [string, string] {
  const index = url.indexOf('?');
  return index === -1 ? [url, ''] : [url.slice(0, index), url.slice(index)];
}
