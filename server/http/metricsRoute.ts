import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { CoreDeps } from '../context.ts';
import { sendError } from './httpError.ts';
import { listen } from './listen.ts';

/**
 * GET /metrics in the Prometheus text format. On the API port only when METRICS_TOKEN is set, and
 * then only with `Authorization: Bearer <METRICS_TOKEN>`; on the METRICS_PORT listener the token is
 * required too when it is set.
 */
export async function serveMetrics(deps: Pick<CoreDeps, 'env' | 'metrics'>, req: http.IncomingMessage, res: http.ServerResponse) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(res, 'METHOD_NOT_ALLOWED', 'Use GET.');
  }
  const token = deps.env.METRICS_TOKEN;
  if (token && !bearerMatches(req.headers.authorization, token)) {
    res.setHeader('www-authenticate', 'Bearer realm="metrics"');
    return sendError(res, 'UNAUTHENTICATED', 'The metrics need the metrics token as a bearer token.');
  }
  const text = await deps.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': deps.metrics.registry.contentType, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** The METRICS_PORT listener: /metrics and nothing else, for a scraper on a private network. Close it on shutdown. */
export async function startMetricsServer(deps: Pick<CoreDeps, 'env' | 'metrics' | 'logger'>, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return sendError(res, 'NOT_FOUND', 'Only /metrics is served here.');
    serveMetrics(deps, req, res).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'metrics scrape failed');
      if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
      else res.destroy();
    });
  });
  await listen(server, port, deps.env.HOST);
  return server;
}
