/**
 * Text translation through Google Cloud Translation's v2 REST API (`@google-cloud/translate`'s v2
 * `Translate` client) with an API key. The client library's own retries are off: the job system
 * retries with backoff (as translation.ts does for the chat endpoint).
 *
 * The text is split like the chat engine's (splitForTranslation: paragraphs, then sentences, then
 * words, each piece under Google's recommended 5,000 characters) and sent in batches of up to 100
 * strings, as `format: text` so nothing comes back HTML-escaped; pieces are joined with the
 * whitespace that separated them in the source, so paragraph breaks survive.
 */
import { v2 } from '@google-cloud/translate';
import { abortReason } from './httpErrors.ts';
import { splitForTranslation } from './translate.ts';
import { ProviderError } from './types.ts';

interface GoogleTranslateOptions {
  /** The resolved key (the owner's GOOGLE key, else GOOGLE_TRANSLATE_API_KEY). */
  apiKey: string | null;
  /** Scheme and host, e.g. `https://translation.googleapis.com` (GOOGLE_TRANSLATE_BASE_URL). */
  baseURL: string;
  sourceLanguage?: string | null;
  signal?: AbortSignal;
}

const MAX_PIECE_CHARS = 5000;
const MAX_BATCH_STRINGS = 100;
const MAX_BATCH_CHARS = 25_000;

/** Translates `text` into `targetLanguage` (a code such as "de" or "zh-CN"). */
export async function translateWithGoogle(text: string, targetLanguage: string, options: GoogleTranslateOptions): Promise<string> {
  const leading = /^\s*/.exec(text)?.[0] ?? '';
  const trailing = /\s*$/.exec(text.slice(leading.length))?.[0] ?? '';
  const body = text.slice(leading.length, text.length - trailing.length);
  if (!body) return text;
  if (!options.apiKey) {
    throw new ProviderError('auth', 'No Google Cloud Translation key: set GOOGLE_TRANSLATE_API_KEY or add your own GOOGLE key');
  }
  const client = createClient(options.apiKey, options.baseURL);
  const target = targetLanguage.replace('_', '-');
  const from = sourceCode(options.sourceLanguage, target);

  const pieces = splitForTranslation(body, MAX_PIECE_CHARS);
  const translated: string[] = [];
  for (const batch of batches(pieces.map((piece) => piece.text))) {
    translated.push(...(await translateBatch(client, batch, { to: target, ...(from ? { from } : {}) }, options)));
  }
  return leading + pieces.map((piece, i) => (i === 0 ? '' : piece.separator) + translated[i]).join('') + trailing;
}

function createClient(apiKey: string, baseURL: string): v2.Translate {
  const client = new v2.Translate({ key: apiKey, projectId: 'parlance', autoRetry: false, maxRetries: 0 });
  // The library builds an https:// URL from `apiEndpoint` (and reads GOOGLE_CLOUD_TRANSLATE_ENDPOINT);
  // the configured base URL (a scheme, for a local fake or proxy) wins over both.
  client.baseUrl = `${baseURL.replace(/\/+$/, '')}/language/translate/v2`;
  return client;
}

/** Google's own code for the source language, when it is one; none (detect) when unknown or the target's. */
function sourceCode(language: string | null | undefined, target: string): string | null {
  if (!language || !/^[a-z]{2,3}([-_][A-Za-z]{2,4})?$/.test(language)) return null;
  const primary = language.split(/[-_]/)[0];
  return primary === target.split('-')[0] ? null : primary;
}

function* batches(texts: string[]): Generator<string[]> {
  let batch: string[] = [];
  let chars = 0;
  for (const text of texts) {
    if (batch.length > 0 && (batch.length >= MAX_BATCH_STRINGS || chars + text.length > MAX_BATCH_CHARS)) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(text);
    chars += text.length;
  }
  if (batch.length > 0) yield batch;
}

async function translateBatch(
  client: v2.Translate,
  batch: string[],
  languages: { to: string; from?: string },
  options: GoogleTranslateOptions,
): Promise<string[]> {
  if (options.signal?.aborted) throw abortReason(options.signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(options.signal));
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const [translations] = await Promise.race([client.translate(batch, { ...languages, format: 'text' }), aborted]);
    const list = Array.isArray(translations) ? translations : [translations];
    if (list.length !== batch.length) {
      throw new ProviderError('transient', `Google Cloud Translation answered ${list.length} translations for ${batch.length} texts`);
    }
    return list;
  } catch (error) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    throw mapGoogleError(error, options.apiKey);
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Google's failures as ProviderErrors: 401/403 and an invalid key (400 API_KEY_INVALID) → `auth`;
 * 408, 429, 5xx and connection failures → `transient`; other 4xx (an unknown language) → `unavailable`.
 * The key travels in the URL's query string, so every message is scrubbed of it.
 */
function mapGoogleError(error: unknown, apiKey: string | null): Error {
  if (error instanceof ProviderError) return error;
  const secrets = [apiKey];
  const status = typeof (error as { code?: unknown })?.code === 'number' ? ((error as { code: number }).code) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (status === undefined) {
    return new ProviderError('transient', `Could not reach Google Cloud Translation: ${message}`, {}, secrets);
  }
  const text = `Google Cloud Translation ${status}: ${message}`;
  if (status === 401 || status === 403 || (status === 400 && isKeyProblem(error, message))) {
    return new ProviderError('auth', text, { status }, secrets);
  }
  if (status === 408 || status === 429 || status >= 500) return new ProviderError('transient', text, { status }, secrets);
  return new ProviderError('unavailable', text, { status }, secrets);
}

function isKeyProblem(error: unknown, message: string): boolean {
  const body = (error as { response?: { body?: unknown } }).response?.body;
  return /API key/i.test(message) || (typeof body === 'string' && body.includes('API_KEY_INVALID'));
}
