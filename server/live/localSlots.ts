import { AppError } from '../errors.ts';

/** The LOCAL decoders one process holds (each about 100 MB), at most LIVE_MAX_LOCAL_SESSIONS. */
export class LocalDecoderSlots {
  readonly max: number;
  #held = 0;
  #closed = false;

  constructor(max: number) {
    this.max = max;
  }

  /** Refuses a new LOCAL session while every slot is held. */
  assertFree(): void {
    if (this.#held >= this.max) throw localSessionsExhausted(this.max);
  }

  tryAcquire(): boolean {
    if (this.#closed || this.#held >= this.max) return false;
    this.#held += 1;
    return true;
  }

  release(): void {
    this.#held = Math.max(0, this.#held - 1);
  }

  /** No slot is handed out any more (the process is shutting down). */
  close(): void {
    this.#closed = true;
  }
}

export function localSessionsExhausted(max: number): AppError {
  if (max === 0) return new AppError('PROVIDER_UNAVAILABLE', 'Live sessions with the LOCAL engine are turned off on this server.');
  return new AppError(
    'RATE_LIMITED',
    `This server already runs its maximum of ${max} live LOCAL sessions (each holds its own decoder). ` +
      'Try again when one ends, or use another provider.',
    { retryAfterSeconds: 30 },
  );
}
