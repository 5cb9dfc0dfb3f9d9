import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { routeLabel } from '../observability/metrics.ts';
import { AppError } from '../errors.ts';
import { sendError, sendJson } from './httpError.ts';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse, requestId: string) => Promise<void>;

/**
 * Wraps the router: every request gets an `x-request-id`, one log line and the HTTP metrics when it
 * finishes; an AppError the handler throws is answered with its code, anything else is logged and
 * answered INTERNAL_SERVER_ERROR.
 */
export function withAccessLog(deps: AppDeps, handle: RequestHandler): http.RequestListener {
  return (req, res) => {
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
    handle(req, res, requestId).catch((error: unknown) => {
      // An AppError is an expected failure deep in a route (e.g. UNAVAILABLE: the redacted audio could not be made).
      const known = error instanceof AppError;
      if (!known) deps.logger.error({ err: error, requestId }, 'unhandled request error');
      if (res.headersSent) res.destroy();
      else if (known) sendJson(res, error.httpStatus, error.toBody(), { 'cache-control': 'no-store' });
      else sendError(res, 'INTERNAL_SERVER_ERROR', 'Unexpected error.', { requestId });
    });
  };
}
