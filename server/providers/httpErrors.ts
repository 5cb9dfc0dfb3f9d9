/** Pieces of turning a cloud API's failure into a ProviderError that OpenAI and Deepgram share. */

/** The caller's abort as the error to throw: the signal's reason, else an AbortError. */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The operation was aborted', 'AbortError');
}

/** The innermost cause of a connection failure, with its code ("ECONNREFUSED connect …"). */
export function describeCause(cause: Error): string {
  const inner = (cause as { cause?: unknown }).cause;
  if (inner instanceof Error) return describeCause(inner);
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
}

/** `retry-after` in milliseconds: given in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined | null): number | undefined {
  const value = headers?.get('retry-after');
  if (value == null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** `{ status, retryAfterMs }` for a ProviderError's details, without an undefined retryAfterMs. */
export function retryDetails(status: number, retryAfter: number | undefined): { status: number; retryAfterMs?: number } {
  return { status, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
}
