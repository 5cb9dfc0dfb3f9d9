import type http from 'node:http';
import { errorBody, httpStatusOf, type ErrorCode, type ProtocolCode } from '../errors.ts';

/**
 * Answers a plain HTTP route's error in the one shape of every error
 * (`{"errors":[{"message","extensions":{"code"}}]}`) with the status of its code (errors.ts).
 */
export function sendError(
  res: http.ServerResponse,
  code: ErrorCode | ProtocolCode,
  message: string,
  extensions: Record<string, unknown> = {},
): void {
  sendJson(res, httpStatusOf(code)!, errorBody(code, message, extensions), { 'cache-control': 'no-store' });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
