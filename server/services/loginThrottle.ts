import { Prisma, type Db } from '../db/db.ts';
import type { Env } from '../env.ts';
import { rateLimited } from '../errors.ts';

/**
 * Failed-login throttling, in Postgres so every API process shares it (README, "Security notes").
 * Each attempt meets three counters:
 * - its (account, address) pair: from LOGIN_MAX_FAILURES_PER_PAIR failures on, each failure blocks
 *   the pair for 30 s, 60 s, 120 s, … up to the window;
 * - the account, over all addresses (LOGIN_MAX_FAILURES_PER_ACCOUNT), and the address, counting each
 *   account it failed on once (LOGIN_MAX_FAILURES_PER_ADDRESS), which block alike, but only pairs
 *   without a successful sign-in in the last KNOWN_PAIR_DAYS: whoever guesses elsewhere cannot lock
 *   the owner out of an address they use, and one user's typos never reach their colleagues behind
 *   the same NAT.
 * A counter is forgotten once both its window start and its last block are more than a window ago.
 */
interface LoginAttempt {
  /** The user's id, or `name:<login>` for a login that matches no account. */
  account: string;
  address: string;
}

type ThrottleSettings = Pick<
  Env,
  | 'LOGIN_MAX_FAILURES_PER_PAIR'
  | 'LOGIN_MAX_FAILURES_PER_ACCOUNT'
  | 'LOGIN_MAX_FAILURES_PER_ADDRESS'
  | 'LOGIN_THROTTLE_WINDOW_SECONDS'
>;

const FIRST_BLOCK_SECONDS = 30;
const KNOWN_PAIR_DAYS = 90;
/** How long a pair's successful sign-in keeps its row: housekeeping keeps such rows that long. */
export const KNOWN_PAIR_MS = KNOWN_PAIR_DAYS * 24 * 3600 * 1000;

const pairPrefix = (account: string) => `pair:${account}|`;
const keysOf = (attempt: LoginAttempt) => ({
  pair: `${pairPrefix(attempt.account)}${attempt.address}`,
  account: `account:${attempt.account}`,
  address: `address:${attempt.address}`,
});

/** Throws RATE_LIMITED (with retryAfterSeconds) while a block applies to this attempt. */
export async function assertLoginAllowed(db: Db, attempt: LoginAttempt): Promise<void> {
  const keys = keysOf(attempt);
  const rows = await db.$queryRaw<{ key: string; known: boolean; wait: number | null }[]>`
    SELECT key,
      coalesce(last_success_at > now() - make_interval(days => ${KNOWN_PAIR_DAYS}), false) AS known,
      CASE WHEN blocked_until > now() THEN ceil(extract(epoch FROM blocked_until - now()))::int END AS wait
    FROM login_throttles WHERE key = ANY (${[keys.pair, keys.account, keys.address]}::text[])`;
  const known = rows.some((row) => row.key === keys.pair && row.known);
  const waits = rows.filter((row) => row.wait !== null && (row.key === keys.pair || !known)).map((row) => row.wait!);
  if (waits.length > 0) throw rateLimited(Math.max(1, ...waits));
}

export async function recordLoginFailure(db: Db, settings: ThrottleSettings, attempt: LoginAttempt): Promise<void> {
  const keys = keysOf(attempt);
  const window = settings.LOGIN_THROTTLE_WINDOW_SECONDS;
  const pairFailures = await countFailure(db, keys.pair, settings.LOGIN_MAX_FAILURES_PER_PAIR, window);
  await countFailure(db, keys.account, settings.LOGIN_MAX_FAILURES_PER_ACCOUNT, window);
  // The address counts accounts, not attempts: repeated typos for one account stay on its pair.
  if (pairFailures === 1) await countFailure(db, keys.address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS, window);
}

/** Counts one failure and, from `maxFailures` on, blocks the key for a doubling time; returns the count. */
async function countFailure(db: Db, key: string, maxFailures: number, windowSeconds: number): Promise<number> {
  const rows = await db.$queryRaw<{ failures: number }[]>`
    INSERT INTO login_throttles AS t (key, failures, window_start)
    VALUES (${key}, 1, now())
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN ${forgotten(windowSeconds)} THEN 1 ELSE t.failures + 1 END,
      window_start = CASE WHEN ${forgotten(windowSeconds)} THEN now() ELSE t.window_start END
    RETURNING failures`;
  const failures = rows[0]!.failures;
  if (failures >= maxFailures) {
    const seconds = Math.min(windowSeconds, FIRST_BLOCK_SECONDS * 2 ** Math.min(failures - maxFailures, 20));
    await db.$executeRaw`
      UPDATE login_throttles SET blocked_until = now() + make_interval(secs => ${seconds}) WHERE key = ${key}`;
  }
  return failures;
}

function forgotten(windowSeconds: number) {
  return Prisma.sql`(t.window_start < now() - make_interval(secs => ${windowSeconds})
    AND (t.blocked_until IS NULL OR t.blocked_until < now() - make_interval(secs => ${windowSeconds})))`;
}

/** The pair becomes known: its failures and block are cleared; the account's and address's counts stay. */
export async function recordLoginSuccess(db: Db, attempt: LoginAttempt): Promise<void> {
  await db.$executeRaw`
    INSERT INTO login_throttles AS t (key, failures, window_start, last_success_at)
    VALUES (${keysOf(attempt).pair}, 0, now(), now())
    ON CONFLICT (key) DO UPDATE SET failures = 0, window_start = now(), blocked_until = NULL, last_success_at = now()`;
}

/** An admin's unlock: the account's count and every pair of it start afresh (pairs stay known). */
export async function clearAccountThrottle(db: Db, userId: string): Promise<number> {
  const pairs = await db.$executeRaw`
    UPDATE login_throttles SET failures = 0, window_start = now(), blocked_until = NULL
    WHERE starts_with(key, ${pairPrefix(userId)}) AND failures > 0`;
  const account = await db.$executeRaw`DELETE FROM login_throttles WHERE key = ${`account:${userId}`}`;
  return pairs + account;
}
