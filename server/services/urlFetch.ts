import { lookup as dnsLookup } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { AppError, badInput } from '../errors.ts';
import { isAddressLiteral, isPublicAddress } from '../security/addresses.ts';

/**
 * Fetching from user-supplied URLs (media, webhooks) without letting them reach inside our network:
 * only http(s), and every address a host resolves to must be public (the rule lives in
 * security/addresses.ts) unless the host is allow-listed. The rule is applied when the URL is
 * submitted, again before each request and each redirect hop, in the DNS lookup the request uses,
 * and to the address the socket actually connected to, so DNS rebinding and address spellings do
 * not help. Network failures are reported in one generic wording: which of refused, reset or TLS
 * happened would tell a caller what listens where.
 */
interface UrlFetchPolicy {
  allowHosts: string[];
  maxBytes: number;
  timeoutMs: number;
  /** Stops the download at once (the job was cancelled, the runner is stopping); its reason is rethrown. */
  signal?: AbortSignal;
}

export const PRIVATE_ADDRESS_MESSAGE = 'url points to a private, loopback or link-local address, which is not allowed.';
/** What a failed connection is reported as, whatever the cause (refused, reset, TLS, address). */
const COULD_NOT_CONNECT = 'could not connect';

/** A connection refused by the address rule at lookup or connect time. */
export class AddressNotAllowedError extends Error {
  constructor() {
    super('the address is not allowed');
    this.name = 'AddressNotAllowedError';
  }
}

export function parseMediaUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badInput('url is not a valid URL.', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('url must be http or https.', 'url');
  if (raw.length > 2048) throw badInput('url is too long.', 'url');
  return url;
}

/** Refuses a URL whose host resolves to any address that is not public (unless the host is allowed). */
export async function assertPublicUrl(url: URL, policy: Pick<UrlFetchPolicy, 'allowHosts'>): Promise<void> {
  if (isAllowed(url.hostname, policy.allowHosts)) return;
  const addresses = await resolveAll(url.hostname).catch(() => {
    throw badInput(`Cannot resolve host ${url.hostname}.`, 'url');
  });
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) throw badInput(PRIVATE_ADDRESS_MESSAGE, 'url');
}

/**
 * Request options and a socket check keeping one outbound request to `url` on public addresses:
 * pass `options` to http(s).request, then `guard(request)`. Nothing for an allow-listed host.
 */
export function outboundGuard(url: URL, allowHosts: string[]): { options: { lookup?: typeof guardedLookup }; guard: (request: http.ClientRequest) => void } {
  if (isAllowed(url.hostname, allowHosts)) return { options: {}, guard: () => {} };
  return {
    // Node skips `lookup` for address literals: those are checked by assertPublicUrl and below.
    options: { lookup: guardedLookup },
    guard: (request) =>
      request.on('socket', (socket) => {
        const check = () => {
          if (!isPublicAddress(socket.remoteAddress ?? '')) socket.destroy(new AddressNotAllowedError());
        };
        if (socket.connecting) socket.once('connect', check);
        else check();
      }),
  };
}

/** Downloads `url` to `path` within the size and time caps, following up to 5 redirects. */
export async function fetchToFile(url: URL, path: string, policy: UrlFetchPolicy): Promise<{ bytes: number }> {
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  const signal = policy.signal ? AbortSignal.any([deadline, policy.signal]) : deadline;
  try {
    return await fetchFollowing(url, path, policy, signal, 0);
  } catch (error) {
    await rm(path, { force: true });
    if (policy.signal?.aborted) throw policy.signal.reason;
    if (error instanceof AppError) throw error;
    if (deadline.aborted) {
      throw new AppError('UNSUPPORTED_MEDIA', `Fetching the URL took longer than ${Math.round(policy.timeoutMs / 1000)} s.`);
    }
    if (error instanceof AddressNotAllowedError) throw badInput(PRIVATE_ADDRESS_MESSAGE, 'url');
    throw new AppError('UNSUPPORTED_MEDIA', `Could not fetch the URL: ${COULD_NOT_CONNECT}.`);
  }
}

async function fetchFollowing(
  url: URL,
  path: string,
  policy: UrlFetchPolicy,
  signal: AbortSignal,
  redirects: number,
): Promise<{ bytes: number }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('UNSUPPORTED_MEDIA', 'The URL redirects to something other than http or https.');
  await assertPublicUrl(url, policy);
  const { options, guard } = outboundGuard(url, policy.allowHosts);
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, {
      signal,
      headers: { 'user-agent': 'Parlance media fetcher', accept: 'audio/*, video/*, */*' },
      ...options,
    });
    guard(request);
    request.on('response', resolve);
    request.on('error', reject);
  });
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location) {
    response.resume();
    if (redirects >= 5) throw new AppError('UNSUPPORTED_MEDIA', 'The URL redirects too many times.');
    let next: URL;
    try {
      next = new URL(response.headers.location, url);
    } catch {
      throw new AppError('UNSUPPORTED_MEDIA', 'The URL redirects to an invalid URL.');
    }
    return fetchFollowing(next, path, policy, signal, redirects + 1);
  }
  if (status !== 200) {
    response.resume();
    throw new AppError('UNSUPPORTED_MEDIA', `The URL answered HTTP ${status}.`);
  }
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > policy.maxBytes) {
    response.destroy();
    throw new AppError('PAYLOAD_TOO_LARGE', `The media at the URL is larger than ${formatBytes(policy.maxBytes)}.`);
  }
  let bytes = 0;
  response.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > policy.maxBytes) {
      response.destroy(new AppError('PAYLOAD_TOO_LARGE', `The media at the URL is larger than ${formatBytes(policy.maxBytes)}.`));
    }
  });
  await pipeline(response, createWriteStream(path));
  return { bytes };
}

/** dns.lookup that fails when any address the host resolves to is not public. */
function guardedLookup(
  hostname: string,
  options: object,
  callback: (error: Error | null, address: string | { address: string; family: number }[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const list = addresses as { address: string; family: number }[];
    if (list.length === 0 || !list.every((entry) => isPublicAddress(entry.address))) {
      return callback(new AddressNotAllowedError(), []);
    }
    if ((options as { all?: boolean }).all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}

function resolveAll(hostname: string): Promise<string[]> {
  if (isAddressLiteral(hostname)) return Promise.resolve([hostname]);
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses.map((entry) => entry.address)),
    ),
  );
}

export function isAllowed(hostname: string, allowHosts: string[]): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return allowHosts.some((allowed) => allowed.toLowerCase() === host);
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}
