import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { isAdminPath, serveAdmin } from './http/adminRoute.ts';
import type { AppDeps } from './context.ts';
import { isTranscriptDownload, serveTranscript } from './http/downloadsRoute.ts';
import { sendError } from './http/httpError.ts';
import { routeLabel } from './observability/metrics.ts';
import { serveMetrics } from './http/metricsRoute.ts';
import { isSessionDownload, serveSessionFile } from './http/sessionDownloadsRoute.ts';
import { isExportDownload, serveExportArchive } from './http/exportDownloadsRoute.ts';
import { closeLiveRegistry, liveRegistry } from './services/liveSessions.ts';
import { MultipartError, parseGraphqlMultipart, type ParsedMultipart } from './http/multipart.ts';
import { createUploadServer } from './http/uploadsRoute.ts';
import { createYogaServer, type Yoga } from './http/yoga.ts';
import { attachGraphqlWs } from './http/wsServer.ts';

export interface AppOptions {
  /** Whether a job runner answers: the in-process runner, or a check of the worker schema. */
  jobRunnerReady?: () => Promise<boolean> | boolean;
}

export interface App {
  yoga: Yoga;
  server: http.Server;
  /** Stops accepting connections, lets in-flight requests finish, closes sockets. */
  close: () => Promise<void>;
}

export function buildApp(deps: AppDeps, options: AppOptions = {}): App {
  const yoga = createYogaServer(deps);
  const uploads = createUploadServer(deps);
  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    const started = process.hrtime.bigint();
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const path = (req.url ?? '').split('?')[0];
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.logger.info({ requestId, method: req.method, path, status: res.statusCode, ms }, 'request');
      const labels = { route: routeLabel(path), method: req.method ?? '', status: String(res.statusCode) };
      deps.metrics.httpRequests.inc(labels);
      deps.metrics.httpDuration.observe(labels, ms / 1000);
    });
    route(req, res, requestId).catch((error: unknown) => {
      deps.logger.error({ err: error, requestId }, 'unhandled request error');
      if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR', 'Unexpected error.', { requestId });
      else res.destroy();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse, requestId: string) {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') {
      const [database, jobRunner] = await Promise.all([databaseAnswers(deps), runnerAnswers(options)]);
      return sendJson(res, database && jobRunner ? 200 : 503, {
        status: database && jobRunner ? 'ready' : 'unavailable',
        database,
        jobRunner,
      });
    }
    if (path === '/.well-known/jwks.json') {
      res.setHeader('cache-control', 'public, max-age=300');
      return sendJson(res, 200, deps.accessTokens.jwks());
    }
    if (path === '/metrics' && deps.env.METRICS_TOKEN) return serveMetrics(deps, req, res);
    if (isTranscriptDownload(path)) return serveTranscript(deps, req, res);
    if (isSessionDownload(path)) return serveSessionFile(deps, req, res);
    if (isExportDownload(path)) return serveExportArchive(deps, req, res);
    if (path === '/uploads' || path.startsWith('/uploads/')) return uploads.handle(req, res);
    if (isAdminPath(path)) return serveAdmin(req, res);
    if (path === '/graphql') {
      const context = { requestId, clientAddress: clientAddress(deps, req) };
      if (req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
        return forwardMultipart(deps, yoga, req, res, context);
      }
      return yoga.handle(req, res, context);
    }
    sendError(res, 'NOT_FOUND', 'Not found.');
  }

  // Live sessions of this process: their engines, and the sweep that ends idle sessions (also ones
  // left ACTIVE by a process that stopped), from the moment the server serves.
  server.once('listening', () => liveRegistry(deps));

  const ws = attachGraphqlWs(deps, yoga, server, (request) => clientAddress(deps, request));
  return {
    yoga,
    server,
    close: async () => {
      await closeLiveRegistry(deps);
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'graphql-preflight', 'apollo-require-preflight'];

/** GraphQL multipart requests: files streamed to disk (see multipart.ts), then the operation runs as JSON. */
async function forwardMultipart(
  deps: AppDeps,
  yoga: Yoga,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  context: { requestId: string; clientAddress: string },
): Promise<void> {
  // A browser can send multipart/form-data cross-site without a preflight; a custom header it cannot.
  if (!PREFLIGHT_HEADERS.some((header) => req.headers[header] !== undefined)) {
    req.resume();
    return sendError(res, 'FORBIDDEN', `Multipart requests need one of these headers: ${PREFLIGHT_HEADERS.join(', ')}.`);
  }
  let parsed: ParsedMultipart;
  try {
    parsed = await parseGraphqlMultipart(req, { maxFileBytes: deps.env.MAX_UPLOAD_BYTES });
  } catch (error) {
    if (!(error instanceof MultipartError)) throw error;
    req.unpipe();
    req.resume();
    res.setHeader('connection', 'close');
    return sendError(res, error.code, error.message);
  }
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['content-type', 'content-length', 'transfer-encoding'].includes(name)) headers.set(name, value);
    }
    headers.set('content-type', 'application/json');
    const response = await yoga.fetch(`http://localhost${req.url ?? '/graphql'}`, { method: 'POST', headers, body: parsed.body }, context);
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(body);
  } finally {
    await parsed.cleanup();
  }
}

async function databaseAnswers(deps: AppDeps): Promise<boolean> {
  try {
    await deps.db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}

async function runnerAnswers(options: AppOptions): Promise<boolean> {
  try {
    return options.jobRunnerReady ? await options.jobRunnerReady() : false;
  } catch {
    return false;
  }
}

function clientAddress(deps: AppDeps, req: http.IncomingMessage): string {
  if (deps.env.TRUST_PROXY) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
