import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import { abortReason, describeCause, retryAfterMs, retryDetails } from './httpErrors.ts';
import { ProviderError } from './types.ts';

/**
 * Turns an SDK error into a {@link ProviderError}:
 * - 401/403 → `auth`; 429 `insufficient_quota` → `auth` (billing: retrying will not help)
 * - 429, 408, 409, 5xx, timeouts, connection failures → `transient` (retryAfterMs from `retry-after-ms`/`retry-after`)
 * - 400/413/415/422 about the audio (param `file`, or a message about the file/audio/format) → `bad_media`
 * - other 4xx (unknown model, bad parameter, wrong base URL path) → `unavailable`
 * When the caller's signal aborted, the signal's reason is returned instead (an AbortError), so
 * cancellation is never mistaken for a provider failure.
 */
export function mapOpenAIError(
  error: unknown,
  context: { signal?: AbortSignal; purpose?: 'transcription' | 'chat'; apiKey?: string | null } = {},
): Error {
  const secrets = [context.apiKey];
  if (context.signal?.aborted || error instanceof APIUserAbortError) {
    return abortReason(context.signal);
  }
  if (error instanceof ProviderError) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new ProviderError('transient', 'OpenAI request timed out');
  }
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? describeCause(cause) : error.message;
    return new ProviderError('transient', `Could not reach the OpenAI endpoint: ${detail}`, {}, secrets);
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const message = `OpenAI ${status}: ${apiMessage(error)}`;
    if (status === 401 || status === 403) return new ProviderError('auth', message, { status }, secrets);
    if (status === 429 && error.code === 'insufficient_quota') return new ProviderError('auth', message, { status }, secrets);
    if (status === 429 || status === 408 || status === 409 || status >= 500) {
      return new ProviderError('transient', message, retryDetails(status, openAIRetryAfterMs(error.headers)), secrets);
    }
    if (context.purpose !== 'chat' && (status === 413 || status === 415 || isAboutTheAudio(error))) {
      return new ProviderError('bad_media', message, { status }, secrets);
    }
    return new ProviderError('unavailable', message, { status }, secrets);
  }
  if (error instanceof OpenAIError) {
    return new ProviderError(/credential|api key/i.test(error.message) ? 'auth' : 'unavailable', `OpenAI: ${error.message}`, {}, secrets);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function isAboutTheAudio(error: APIError): boolean {
  if (error.param === 'file') return true;
  return /audio|file|format|decod|duration|too (short|long)|corrupt|media/i.test(apiMessage(error));
}

function apiMessage(error: APIError): string {
  const inner = error.error as { message?: unknown } | undefined;
  return typeof inner?.message === 'string' ? inner.message : error.message;
}

/** `retry-after-ms` (OpenAI's extension), else `retry-after`. */
function openAIRetryAfterMs(headers: Headers | undefined | null): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms != null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Math.round(Number(ms)));
  return retryAfterMs(headers);
}
