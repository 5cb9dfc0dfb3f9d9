import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { databaseAnswers } from '../db/readiness.ts';
import type { RequestHandler } from './accessLog.ts';
import { isAdminPath, serveAdmin } from './adminRoute.ts';
import { clientAddress } from './clientAddress.ts';
import { isTranscriptDownload, serveTranscript } from './downloadsRoute.ts';
import { isJobMedia, serveJobMedia } from './jobMediaRoute.ts';
import { isExportDownload, serveExportArchive } from './exportDownloadsRoute.ts';
import { isGraphiqlAsset, serveGraphiqlAsset } from './graphiqlAssets.ts';
import { graphiqlEnabled } from './graphiqlPage.ts';
import { sendError, sendJson } from './httpError.ts';
import { serveMetrics } from './metricsRoute.ts';
import { isOidcRoute, serveOidc } from './oidcRoutes.ts';
import { forwardMultipart, isGraphqlMultipart } from './multipartBridge.ts';
import { isSessionDownload, serveSessionFile } from './sessionDownloadsRoute.ts';
import { createUploadServer } from './uploadsRoute.ts';
import type { Yoga } from './yoga.ts';

export interface RouterOptions {
  /** Whether a job runner answers: the in-process runner, or a check of the worker schema. */
  jobRunnerReady?: () => Promise<boolean> | boolean;
}

/** Every HTTP path the API serves, by path; the rest is NOT_FOUND. */
export function createRouter(deps: AppDeps, yoga: Yoga, options: RouterOptions): RequestHandler {
  const uploads = createUploadServer(deps);
  return async (req, res, requestId) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') return redirectToWebApp(req, res);
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') return serveReadiness(deps, options, res);
    if (path === '/.well-known/jwks.json') {
      res.setHeader('cache-control', 'public, max-age=300');
      return sendJson(res, 200, deps.accessTokens.jwks());
    }
    if (path === '/metrics' && deps.env.METRICS_TOKEN) return serveMetrics(deps, req, res);
    if (isTranscriptDownload(path)) return serveTranscript(deps, req, res);
    if (isJobMedia(path)) return serveJobMedia(deps, req, res);
    if (isSessionDownload(path)) return serveSessionFile(deps, req, res);
    if (isExportDownload(path)) return serveExportArchive(deps, req, res);
    if (path === '/uploads' || path.startsWith('/uploads/')) return uploads.handle(req, res);
    if (isOidcRoute(path)) return serveOidc(deps, req, res, requestId);
    if (isAdminPath(path)) return serveAdmin(req, res);
    if (isGraphiqlAsset(path)) return serveGraphiqlAsset(req, res, graphiqlEnabled(deps.env));
    if (path === '/graphql') {
      const context = { requestId, clientAddress: clientAddress(deps, req) };
      if (isGraphqlMultipart(req)) return forwardMultipart(deps, yoga, req, res, context);
      return yoga.handle(req, res, context);
    }
    sendError(res, 'NOT_FOUND', 'Not found.');
  };
}

/** `/` leads people to the web app; the query string (if any) goes along. */
function redirectToWebApp(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 'NOT_FOUND', 'Not found.');
  const query = (req.url ?? '/').slice(1);
  res.statusCode = 302;
  res.setHeader('location', `/admin/${query}`);
  res.setHeader('cache-control', 'no-store');
  res.end();
}

async function serveReadiness(deps: AppDeps, options: RouterOptions, res: http.ServerResponse): Promise<void> {
  const [database, jobRunner] = await Promise.all([databaseAnswers(deps), runnerAnswers(options)]);
  sendJson(res, database && jobRunner ? 200 : 503, {
    status: database && jobRunner ? 'ready' : 'unavailable',
    database,
    jobRunner,
  });
}

async function runnerAnswers(options: RouterOptions): Promise<boolean> {
  try {
    return options.jobRunnerReady ? await options.jobRunnerReady() : false;
  } catch {
    return false;
  }
}
