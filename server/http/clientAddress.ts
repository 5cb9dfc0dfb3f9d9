import type http from 'node:http';
import type { AppDeps } from '../context.ts';

/** The caller's address: the first X-Forwarded-For hop behind a trusted proxy, else the socket's peer. */
export function clientAddress(deps: AppDeps, req: http.IncomingMessage): string {
  if (deps.env.TRUST_PROXY) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
