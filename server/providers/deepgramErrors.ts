import { DeepgramError, DeepgramTimeoutError } from '@deepgram/sdk';
import { abortReason, describeCause, retryAfterMs, retryDetails } from './httpErrors.ts';
import { ProviderError } from './types.ts';

/**
 * Turns an SDK error of the prerecorded API into a {@link ProviderError}:
 * - 401/402/403 → `auth` (bad key, no credits, no permission)
 * - 429, 408, 5xx, timeouts, connection failures → `transient` (retryAfterMs from `retry-after`)
 * - 400/413/415/422 about the audio ("failed to process audio", "payload", "corrupt or unsupported
 *   data", …) → `bad_media`; other 4xx (unknown model or language) → `unavailable`
 * When the caller's signal aborted, the signal's reason (an AbortError) is returned instead.
 */
export function mapDeepgramError(error: unknown, signal?: AbortSignal, apiKey?: string | null): Error {
  const secrets = [apiKey];
  if (signal?.aborted) return abortReason(signal);
  if (error instanceof ProviderError) return error;
  if (error instanceof DeepgramTimeoutError) return new ProviderError('transient', 'Deepgram request timed out');
  if (error instanceof DeepgramError) {
    const status = error.statusCode;
    if (typeof status !== 'number') {
      const cause = (error as { cause?: unknown }).cause;
      // The SDK aborts its fetch with the string "timeout", which reaches us as a plain DeepgramError.
      if (cause === 'timeout' || /^"?timeout"?$/i.test(error.message.trim())) {
        return new ProviderError('transient', 'Deepgram request timed out');
      }
      const detail = cause instanceof Error ? describeCause(cause) : error.message;
      return new ProviderError('transient', `Could not reach Deepgram: ${detail}`, {}, secrets);
    }
    const message = `Deepgram ${status}: ${bodyMessage(error.body) ?? error.message}`;
    if (status === 401 || status === 402 || status === 403) return new ProviderError('auth', message, { status }, secrets);
    if (status === 429 || status === 408 || status >= 500) {
      return new ProviderError('transient', message, retryDetails(status, retryAfterMs(error.rawResponse?.headers)), secrets);
    }
    if (status === 413 || status === 415 || /audio|payload|media|corrupt|unsupported data|decod|format|duration/i.test(message)) {
      return new ProviderError('bad_media', message, { status }, secrets);
    }
    return new ProviderError('unavailable', message, { status }, secrets);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** A failure of the live socket (at connect or later): `auth` when Deepgram refused the key, else `transient`. */
export function mapDeepgramSocketError(error: unknown, apiKey: string | null): ProviderError {
  const message = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
  if (/\b(401|402|403)\b/.test(message)) return new ProviderError('auth', `Deepgram refused the key: ${message}`, {}, [apiKey]);
  return new ProviderError('transient', `Could not reach Deepgram: ${message}`, {}, [apiKey]);
}

function bodyMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const { err_msg: errMsg, message, reason } = body as { err_msg?: unknown; message?: unknown; reason?: unknown };
    for (const value of [errMsg, message, reason]) if (typeof value === 'string') return value;
  }
  return typeof body === 'string' && body ? body : undefined;
}
