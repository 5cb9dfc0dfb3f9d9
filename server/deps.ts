import type { Logger } from 'pino';
import type { AppDeps } from './context.ts';
import { createDb } from './db.ts';
import type { Env } from './env.ts';
import { AccessTokens } from './security/jwt.ts';
import { loadMasterKey } from './security/masterKey.ts';
import { ExternalIssuers } from './security/oidc.ts';
import { SecretBox } from './security/secretBox.ts';

/** Builds the process-wide services on a migrated database. */
export async function createDeps(
  env: Env,
  databaseUrl: string,
  logger: Logger,
  options: { jwksCooldownMs?: number } = {},
): Promise<AppDeps> {
  const db = createDb(databaseUrl, env.DATABASE_POOL_SIZE);
  const box = new SecretBox(await loadMasterKey(env.ENCRYPTION_KEY, env.dataDir));
  const accessTokens = await AccessTokens.load({
    db,
    box,
    issuer: env.jwtIssuer,
    audience: env.JWT_AUDIENCE,
    ttlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    privateKeyPem: env.JWT_PRIVATE_KEY,
  });
  const externalIssuers = new ExternalIssuers(env.OIDC_ISSUERS, { cooldownMs: options.jwksCooldownMs });
  if (env.ADMIN_EMAILS.length > 0) {
    await db.user.updateMany({ where: { email: { in: env.ADMIN_EMAILS }, role: 'USER' }, data: { role: 'ADMIN' } });
  }
  return { env, db, logger, box, accessTokens, externalIssuers };
}
