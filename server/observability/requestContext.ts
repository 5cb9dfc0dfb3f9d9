import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request a piece of code runs for, without threading it through every service signature:
 * GraphQL execution runs inside `runInRequest` (see yoga.ts), so deep code such as the audit log
 * can name the request id. Outside a request (the job runner, the CLI) there is none.
 */
interface RequestScope {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequest<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}
