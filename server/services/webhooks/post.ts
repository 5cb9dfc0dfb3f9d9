import http from 'node:http';
import https from 'node:https';
import { AddressNotAllowedError, assertPublicUrl, outboundGuard, PRIVATE_ADDRESS_MESSAGE } from '../urlFetch.ts';

const MAX_RESPONSE_BYTES = 64 * 1024;

interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * One POST to an endpoint, to public addresses only (re-checked here and at connect time), bounded
 * in time and in the response read. Never throws: every failure is a result with an error message.
 */
export async function postToEndpoint(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { allowHosts: string[]; timeoutMs: number },
): Promise<AttemptResult> {
  try {
    await assertPublicUrl(url, { allowHosts: options.allowHosts });
  } catch (error) {
    return { ok: false, status: null, error: (error as Error).message };
  }
  const { options: guarded, guard } = outboundGuard(url, options.allowHosts);
  return new Promise<AttemptResult>((resolve) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(options.timeoutMs),
      ...guarded,
    });
    guard(request);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) response.destroy();
      });
      const done = () =>
        resolve(status >= 200 && status < 300 ? { ok: true, status, error: null } : { ok: false, status, error: `HTTP ${status}` });
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    request.on('error', (error: Error) => {
      const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
      // One wording for refused, reset, TLS and address failures: telling them apart would map ports.
      const reason = error instanceof AddressNotAllowedError ? PRIVATE_ADDRESS_MESSAGE : `Could not connect to the endpoint.`;
      resolve({ ok: false, status: null, error: timedOut ? `No answer within ${options.timeoutMs} ms.` : reason });
    });
    request.end(body);
  });
}
