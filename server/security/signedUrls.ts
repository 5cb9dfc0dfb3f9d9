// Download links that work without an Authorization header (an <audio> element, a browser
// download): the path is signed with an expiry, like a presigned S3 URL. Whoever holds the link may
// fetch that one path until it expires; it is handed only to viewers allowed to fetch it.
import { timingSafeEqual } from 'node:crypto';
import type { SecretBox } from './secretBox.ts';

const PURPOSE = 'signed-download';
/** Expiries are rounded up to this step, so a link stays the same for a while (browser caching). */
const STEP_SECONDS = 600;

export function signPath(box: SecretBox, path: string, ttlSeconds: number, now = Date.now()): string {
  const expires = Math.ceil((now / 1000 + ttlSeconds) / STEP_SECONDS) * STEP_SECONDS;
  return `${path}?expires=${expires}&signature=${box.mac(PURPOSE, `${expires}:${path}`)}`;
}

/** Whether `url` (path and query, as received) carries a valid, unexpired signature for its path. */
export function hasValidSignature(box: SecretBox, url: string, now = Date.now()): boolean {
  const parsed = new URL(url, 'http://signed.invalid');
  const expires = Number(parsed.searchParams.get('expires'));
  const signature = parsed.searchParams.get('signature') ?? '';
  if (!Number.isInteger(expires) || expires * 1000 < now) return false;
  const expected = Buffer.from(box.mac(PURPOSE, `${expires}:${parsed.pathname}`));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
