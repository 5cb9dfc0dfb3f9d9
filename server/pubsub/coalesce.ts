/**
 * Shares one read among concurrent identical ones. When an event reaches a thousand subscribers of
 * the same job or session, each re-reads the row it names; with `coalesce` they share a single
 * query (per database client), and each then applies its own authorization to the fresh row.
 */
const inflight = new WeakMap<object, Map<string, Promise<unknown>>>();

export function coalesce<T>(scope: object, key: string, load: () => Promise<T>): Promise<T> {
  let reads = inflight.get(scope);
  if (!reads) {
    reads = new Map();
    inflight.set(scope, reads);
  }
  const pending = reads.get(key) as Promise<T> | undefined;
  if (pending) return pending;
  const promise = load().finally(() => reads.delete(key));
  reads.set(key, promise);
  return promise;
}
