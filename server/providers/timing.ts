/** An engine's time for a chunk, kept within [0, duration] (a duration of 0 means unknown: no upper bound). */
export function clampTime(value: number | undefined, duration: number): number {
  const t = Math.max(0, value ?? 0);
  return duration > 0 ? Math.min(t, duration) : t;
}
