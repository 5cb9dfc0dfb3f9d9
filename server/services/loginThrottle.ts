import type { Db } from '../db.ts';
import { rateLimited } from '../errors.ts';

export interface ThrottleRule {
  key: string;
  maxFailures: number;
}

/**
 * Failed-login counting per account and per client address, in Postgres so every API process
 * shares it. A key that reaches its limit inside the window is blocked for one window.
 */
export async function assertNotThrottled(db: Db, keys: string[]): Promise<void> {
  const rows = await db.loginThrottle.findMany({ where: { key: { in: keys }, blockedUntil: { gt: new Date() } } });
  if (rows.length === 0) return;
  const until = Math.max(...rows.map((row) => row.blockedUntil!.getTime()));
  throw rateLimited(Math.max(1, Math.ceil((until - Date.now()) / 1000)));
}

export async function recordLoginFailure(db: Db, rules: ThrottleRule[], windowSeconds: number): Promise<void> {
  for (const rule of rules) {
    await db.$executeRaw`
      INSERT INTO login_throttles AS t (key, failures, window_start)
      VALUES (${rule.key}, 1, now())
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_start < now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE t.failures + 1 END,
        window_start = CASE WHEN t.window_start < now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE t.window_start END`;
    await db.$executeRaw`
      UPDATE login_throttles SET blocked_until = now() + make_interval(secs => ${windowSeconds})
      WHERE key = ${rule.key} AND failures >= ${rule.maxFailures}`;
  }
}

export async function clearLoginFailures(db: Db, key: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key } });
}
