import { abortReason, describeCause, retryDetails } from './httpErrors.ts';
import { ProviderError } from './types.ts';

/**
 * An HTTP failure of AssemblyAI's REST API with its status. The SDK itself throws a plain Error with
 * only the body's `error` text (the status is lost), so assemblyai.ts reads responses through
 * services that throw this instead.
 */
export class AssemblyAIHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'AssemblyAIHttpError';
  }
}

/** The transcript finished with status "error": AssemblyAI's `error` sentence. */
export class AssemblyAITranscriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyAITranscriptError';
  }
}

/** Our own deadline (ASSEMBLYAI_TIMEOUT_MS) for one request or for the whole transcript to be ready. */
export class AssemblyAITimeoutError extends Error {
  constructor() {
    super('AssemblyAI request timed out');
    this.name = 'AssemblyAITimeoutError';
  }
}

/**
 * Turns a failure of the AssemblyAI engine into a {@link ProviderError}:
 * - 401/403 → `auth` ("Authentication error, API token missing/invalid"); 402 (no credit) → `auth`
 * - 429, 408, 5xx, our timeouts, connection failures → `transient` (retryAfterMs from `retry-after`)
 * - other 4xx (a bad parameter, an unknown language or model) → `unavailable`
 * - a transcript with status "error": `bad_media` when its sentence is about the audio ("Transcoding
 *   failed…", "…does not appear to contain audio", a download error), else `transient`
 * When the caller's signal aborted, the signal's reason (an AbortError) is returned instead.
 */
export function mapAssemblyAIError(error: unknown, signal?: AbortSignal, apiKey?: string | null): Error {
  const secrets = [apiKey];
  if (signal?.aborted) return abortReason(signal);
  if (error instanceof ProviderError) return error;
  if (error instanceof AssemblyAITimeoutError) return new ProviderError('transient', error.message);
  if (error instanceof AssemblyAIHttpError) {
    const { status } = error;
    const message = `AssemblyAI ${status}: ${error.message}`;
    if (status === 401 || status === 402 || status === 403) return new ProviderError('auth', message, { status }, secrets);
    if (status === 429 || status === 408 || status >= 500) return new ProviderError('transient', message, retryDetails(status, error.retryAfterMs), secrets);
    return new ProviderError('unavailable', message, { status }, secrets);
  }
  if (error instanceof AssemblyAITranscriptError) {
    const message = `AssemblyAI could not transcribe the audio: ${error.message}`;
    const aboutTheAudio = /audio|transcod|decod|format|corrupt|duration|too short|media|download/i.test(error.message);
    return new ProviderError(aboutTheAudio ? 'bad_media' : 'transient', message, {}, secrets);
  }
  if (error instanceof TypeError || (error instanceof Error && (error as { cause?: unknown }).cause instanceof Error)) {
    // fetch failed: connection refused, reset, DNS.
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? describeCause(cause) : (error as Error).message;
    return new ProviderError('transient', `Could not reach AssemblyAI: ${detail}`, {}, secrets);
  }
  return error instanceof Error ? error : new Error(String(error));
}
