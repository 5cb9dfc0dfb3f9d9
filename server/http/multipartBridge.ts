import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { sendError } from './httpError.ts';
import { MultipartError, parseGraphqlMultipart, type ParsedMultipart } from './multipart.ts';
import type { Yoga } from './yoga.ts';

const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'graphql-preflight', 'apollo-require-preflight'];

export function isGraphqlMultipart(req: http.IncomingMessage): boolean {
  return req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

/** GraphQL multipart requests: files streamed to disk (see multipart.ts), then the operation runs as JSON. */
export async function forwardMultipart(
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
