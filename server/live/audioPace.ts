import { AppError } from '../errors.ts';
import { liveClock } from './clock.ts';

/**
 * The pace of one live session's audio, in this process: a token bucket of audio seconds that
 * holds `burstSeconds` and refills at `maxSpeed` seconds per second, so a client may catch up after a
 * reconnect but not stream a recording faster than `maxSpeed` times real time. It measures audio
 * time per session; services/rateLimit.ts counts requests per user across every process (in
 * PostgreSQL), a different rule that applies as well.
 */
export class AudioPace {
  readonly #maxSpeed: number;
  readonly #burstSeconds: number;
  #tokens: number;
  #tokensAt = liveClock.now();

  constructor(limits: { maxSpeed: number; burstSeconds: number }) {
    this.#maxSpeed = limits.maxSpeed;
    this.#burstSeconds = limits.burstSeconds;
    this.#tokens = limits.burstSeconds;
  }

  /** Takes `seconds` of audio from the bucket. @throws RATE_LIMITED (taking nothing) when it holds less. */
  charge(seconds: number): void {
    const speed = this.#maxSpeed;
    const now = liveClock.now();
    this.#tokens = Math.min(this.#burstSeconds, this.#tokens + ((now - this.#tokensAt) / 1000) * speed);
    this.#tokensAt = now;
    if (seconds > this.#tokens) {
      const retryAfterSeconds = Math.max(1, Math.ceil((seconds - this.#tokens) / speed));
      throw new AppError(
        'RATE_LIMITED',
        `Audio is arriving faster than ${speed}x real time; send it at the pace it is recorded. Try again in ${retryAfterSeconds} s.`,
        { retryAfterSeconds },
      );
    }
    this.#tokens -= seconds;
  }
}
