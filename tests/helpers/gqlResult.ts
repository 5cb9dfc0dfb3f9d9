import { expect } from 'vitest';
import type { GqlResult } from './testApp.ts';

/** The data of a result that must have no errors (the raw response is the failure message). */
export function ok(result: GqlResult): Record<string, any> {
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!;
}

/** The extensions of a result refused with `code` as its first error. */
export function refused(result: GqlResult, code: string): Record<string, any> {
  expect(result.errors?.[0]?.extensions?.code, result.raw).toBe(code);
  return result.errors![0].extensions as Record<string, any>;
}
