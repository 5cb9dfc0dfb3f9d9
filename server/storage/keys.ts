/**
 * Storage keys are relative, slash-separated paths ("jobs/<jobId>/source") drawn from a small
 * alphabet, so the same key means the same thing on a local disk and in an S3 bucket and can never
 * step outside the storage root.
 */
import { badInput } from '../errors.ts';

const KEY_ALPHABET = /^[A-Za-z0-9._/-]+$/;
const MAX_KEY_LENGTH = 1024;

function check(value: string, what: 'key' | 'prefix'): string[] {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw badInput(`Invalid storage ${what}.`);
  }
  // The alphabet already excludes NUL, backslashes and every other control or special character.
  if (!KEY_ALPHABET.test(value) || value.startsWith('/') || value.includes('..')) {
    throw badInput(`Invalid storage ${what}: ${JSON.stringify(value)}.`);
  }
  const segments = (what === 'prefix' && value.endsWith('/') ? value.slice(0, -1) : value).split('/');
  if (segments.some((segment) => segment === '' || segment === '.')) {
    throw badInput(`Invalid storage ${what}: ${JSON.stringify(value)}.`);
  }
  return segments;
}

/**
 * Validates an object key: characters [A-Za-z0-9._/-] only, relative, no "..", no empty or "."
 * segments, no trailing slash. Returns its segments. Throws a BAD_USER_INPUT AppError otherwise.
 */
export function keySegments(key: string): string[] {
  return check(key, 'key');
}

/** Like keySegments, but a trailing slash is allowed ("jobs/<id>/"). */
export function prefixSegments(prefix: string): string[] {
  return check(prefix, 'prefix');
}

export function assertValidKey(key: string): void {
  check(key, 'key');
}

export function assertValidPrefix(prefix: string): void {
  check(prefix, 'prefix');
}
