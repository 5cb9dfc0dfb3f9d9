import type { Logger } from 'pino';
import type { AppDeps, CoreDeps } from './context.ts';
import { createDbWithPool } from './db/db.ts';
import { createMetrics } from './observability/metrics.ts';
import type { Env } from './env.ts';
import { createProviders } from './providers/registry.ts';
import { openPublisher, openSubscriber } from './pubsub/transport.ts';
import { AccessTokens } from './security/jwt.ts';
import { loadMasterKey } from './security/masterKey.ts';
import { ExternalIssuers } from './security/oidc.ts';
import { SecretBox } from './security/secretBox.ts';
import { assertSameInstallation } from './services/installation.ts';
import { listenForUserChanges, UserCache } from './services/userCache.ts';
import { parsePrices } from './services/pricing.ts';
import { createStorage } from './storage/index.ts';

/** Services shared by API and worker processes, on a migrated database. */
export async function createCoreDeps(
  env: Env,
  databaseUrl: string,
  logger: Logger,
  options: { onUserWrite?: (userId: string | null) => void } = {},
): Promise<CoreDeps> {
  const { db, pool } = createDbWithPool(databaseUrl, env.DATABASE_POOL_SIZE, options);
  const box = new SecretBox(await loadMasterKey(env.ENCRYPTION_KEY, env.dataDir));
  const storage = createStorage({
    driver: env.STORAGE_DRIVER,
    dir: env.storageDir,
    s3: {
      bucket: env.S3_BUCKET ?? '',
      region: env.S3_REGION,
      endpoint: env.S3_ENDPOINT,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
    },
  });
  const publisher = await openPublisher(env, db, logger);
  return {
    env,
    db,
    pool,
    logger,
    box,
    storage,
    providers: createProviders(env),
    publisher,
    prices: parsePrices(env.PRICES),
    metrics: createMetrics({ db, pool }),
  };
}

/** Everything an API process needs: the core plus token handling and event subscriptions. */
export async function createDeps(
  env: Env,
  databaseUrl: string,
  logger: Logger,
  options: { jwksCooldownMs?: number; subscriptions?: boolean; checkInstallation?: boolean } = {},
): Promise<AppDeps> {
  const userCache = env.USER_CACHE_SIZE > 0 ? new UserCache(env.USER_CACHE_SIZE) : undefined;
  const core = await createCoreDeps(env, databaseUrl, logger, userCache ? { onUserWrite: (id) => userCache.forget(id) } : {});
  // Before the signing keys are opened, so another master key is named in one clear line.
  if (options.checkInstallation) await assertSameInstallation(core).catch(async (error: unknown) => {
    await core.db.$disconnect();
    throw error;
  });
  const accessTokens = await AccessTokens.load({
    db: core.db,
    box: core.box,
    issuer: env.jwtIssuer,
    audience: env.JWT_AUDIENCE,
    ttlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    privateKeyPem: env.JWT_PRIVATE_KEY,
  });
  const externalIssuers = new ExternalIssuers(env.OIDC_ISSUERS, { cooldownMs: options.jwksCooldownMs });
  const subscriber = options.subscriptions === false ? null : await openSubscriber(env, databaseUrl, logger);
  if (userCache) await listenForUserChanges(databaseUrl, userCache, logger);
  return { ...core, accessTokens, externalIssuers, subscriber, userCache };
}
