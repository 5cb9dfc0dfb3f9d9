/**
 * The clock the live pace rules read (the audio rate limit and the wait for a missing chunk).
 * Tests replace `now` to move time on purpose instead of sleeping.
 */
export const liveClock = { now: (): number => Date.now() };
