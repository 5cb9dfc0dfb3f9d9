import { lookup as dnsLookup } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { pipeline } from 'node:stream/promises';
import { AppError, badInput } from '../errors.ts';

/**
 * Fetching media from user-supplied URLs without letting them reach inside our network: only
 * http(s), and every address a host resolves to (checked again at connect time, so DNS
 * rebinding does not help) must be public unless the host is allow-listed.
 */
export interface UrlFetchPolicy {
  allowHosts: string[];
  maxBytes: number;
  timeoutMs: number;
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

/** Refuses a URL whose host resolves to a private, loopback or link-local address (unless allowed). */
export async function assertPublicUrl(url: URL, policy: Pick<UrlFetchPolicy, 'allowHosts'>): Promise<void> {
  if (isAllowed(url.hostname, policy.allowHosts)) return;
  const addresses = await resolveAll(url.hostname).catch(() => {
    throw badInput(`Cannot resolve host ${url.hostname}.`, 'url');
  });
  if (addresses.some(isPrivateAddress)) {
    throw badInput('url points to a private, loopback or link-local address, which is not allowed.', 'url');
  }
}

/** Downloads `url` to `path` within the size and time caps, following up to 5 redirects. */
export async function fetchToFile(url: URL, path: string, policy: UrlFetchPolicy): Promise<{ bytes: number }> {
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  try {
    return await fetchFollowing(url, path, policy, deadline, 0);
  } catch (error) {
    await rm(path, { force: true });
    if (error instanceof AppError) throw error;
    if (deadline.aborted) {
      throw new AppError('UNSUPPORTED_MEDIA', `Fetching the URL took longer than ${Math.round(policy.timeoutMs / 1000)} s.`);
    }
    throw new AppError('UNSUPPORTED_MEDIA', `Could not fetch the URL: ${(error as Error).message}`);
  }
}

async function fetchFollowing(
  url: URL,
  path: string,
  policy: UrlFetchPolicy,
  signal: AbortSignal,
  redirects: number,
): Promise<{ bytes: number }> {
  await assertPublicUrl(url, policy);
  const allowed = isAllowed(url.hostname, policy.allowHosts);
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, {
      signal,
      headers: { 'user-agent': 'Parlance media fetcher', accept: 'audio/*, video/*, */*' },
      lookup: allowed ? undefined : guardedLookup,
    });
    request.on('response', resolve);
    request.on('error', reject);
  });
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location) {
    response.resume();
    if (redirects >= 5) throw new AppError('UNSUPPORTED_MEDIA', 'The URL redirects too many times.');
    return fetchFollowing(new URL(response.headers.location, url), path, policy, signal, redirects + 1);
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

export function guardedLookup(
  hostname: string,
  options: object,
  callback: (error: Error | null, address: string | { address: string; family: number }[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const list = addresses as { address: string; family: number }[];
    if (list.some((entry) => isPrivateAddress(entry.address))) {
      return callback(new Error('the host resolves to a private address'), []);
    }
    if ((options as { all?: boolean }).all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}

function resolveAll(hostname: string): Promise<string[]> {
  if (net.isIP(hostname.replace(/^\[|\]$/g, ''))) return Promise.resolve([hostname.replace(/^\[|\]$/g, '')]);
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

export function isPrivateAddress(address: string): boolean {
  if (net.isIPv4(address)) {
    const [a, b] = address.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:')) return isPrivateAddress(lower.slice(7));
  return (
    lower === '::' ||
    lower === '::1' ||
    lower.startsWith('fc') ||
    lower.startsWith('fd') ||
    lower.startsWith('fe8') ||
    lower.startsWith('fe9') ||
    lower.startsWith('fea') ||
    lower.startsWith('feb') ||
    lower.startsWith('ff')
  );
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}
