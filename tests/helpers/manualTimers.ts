/**
 * Timers that fire only when the test moves time with `advance`, for fakes whose behaviour depends
 * on time passing (a peer's idle timeout): the test decides when "too long" has passed instead of
 * sleeping and hoping the machine keeps up.
 */
export interface Timers {
  set(fire: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fire, ms) => setTimeout(fire, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};

export class ManualTimers implements Timers {
  #now = 0;
  #nextId = 1;
  readonly #pending = new Map<number, { at: number; fire: () => void }>();

  set(fire: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#pending.set(id, { at: this.#now + ms, fire });
    return id;
  }

  clear(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  /** Moves time on by `ms`, firing (in order) every timer due by then. */
  advance(ms: number): void {
    this.#now += ms;
    const due = [...this.#pending].filter(([, timer]) => timer.at <= this.#now).sort(([, a], [, b]) => a.at - b.at);
    for (const [id, timer] of due) {
      if (!this.#pending.delete(id)) continue; // cleared by an earlier one
      timer.fire();
    }
  }
}
