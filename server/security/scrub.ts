/**
 * The one rule for keeping credentials out of text that came from elsewhere (a provider's error
 * message, an SDK's error) before it is stored, logged or sent: the exact secrets in use are cut
 * out wherever they appear, and so is anything shaped like a credential (an Authorization scheme
 * and its value, `sk-…`-style keys, `key=…` pairs, long random-looking tokens).
 */

export const REDACTED = '[redacted]';

/** Shorter known secrets are not searched for: they would cut ordinary words out of messages. */
const MIN_SECRET_LENGTH = 8;

const CREDENTIAL_SHAPES: RegExp[] = [
  // An Authorization header's scheme and value ("Bearer sk-…", "Token 3f2a…", "Basic dXNlcjpw…").
  /\bbearer\s+[^\s"',;)]{6,}/gi,
  /\b(?:token|basic)\s+(?=[^\s"',;)]*\d)[^\s"',;)]{8,}/gi,
  // Vendor key prefixes: OpenAI (sk-, sk-proj-), Stripe-like (pk_, rk_), Slack (xox?-), GitHub (gh?_), AWS (AKIA…).
  /\b(?:sk|pk|rk)[-_][A-Za-z0-9*_-]{6,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{6,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{16,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  // key=value and "key": "value" pairs whose name says secret.
  /\b((?:api[_-]?key|access[_-]?token|secret|password|token|authorization)["']?\s*[:=]\s*["']?)[^\s"',;&)]+/gi,
];

/** Random-looking: a run of 20+ letters and digits, mixed (hex and base64 keys; not model names or UUIDs). */
const LONG_TOKEN = /[A-Za-z0-9_\-+/=]{20,}/g;
const looksRandom = (token: string) =>
  (token.match(/[A-Za-z0-9]{20,}/g) ?? []).some((run) => /[0-9]/.test(run) && /[A-Za-z]/.test(run));

/** `text` with `secrets` (the keys in use) and every credential-shaped token replaced by [redacted]. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | null | undefined> = []): string {
  let scrubbed = text;
  const known = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH);
  // Longest first, so a key that contains another is removed whole.
  for (const secret of [...new Set(known)].sort((a, b) => b.length - a.length)) {
    scrubbed = scrubbed.split(secret).join(REDACTED);
  }
  for (const shape of CREDENTIAL_SHAPES) {
    scrubbed = scrubbed.replace(shape, (match, keep?: unknown) => (typeof keep === 'string' && match.startsWith(keep) ? `${keep}${REDACTED}` : REDACTED));
  }
  return scrubbed.replace(LONG_TOKEN, (token) => (looksRandom(token) ? REDACTED : token));
}
