/** Calls `onIdle` once `touch` has not been called for `afterMs`; never keeps the process alive. */
export class IdleTimer {
  readonly #afterMs: number;
  readonly #onIdle: () => void;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(afterMs: number, onIdle: () => void) {
    this.#afterMs = afterMs;
    this.#onIdle = onIdle;
    this.touch();
  }

  /** Restarts the countdown (nothing once stopped). */
  touch(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onIdle, this.#afterMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
