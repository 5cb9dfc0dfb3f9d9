/**
 * What every resolver receives. `deps` are the process-wide services built once by buildApp();
 * `viewer` is who is calling (null when no credentials were sent) and what they may do.
 */
import type { Logger } from 'pino';
import type pg from 'pg';
import type { ApiKeyScope, Db, User } from './db/db.ts';
import type { Env } from './env.ts';
import type { ProviderRegistry } from './providers/registry.ts';
import type { Publisher, Subscriber } from './pubsub/pubsub.ts';
import type { AccessTokens } from './security/jwt.ts';
import type { Metrics } from './observability/metrics.ts';
import type { FreeDiskReader } from './media/diskSpace.ts';
import type { PriceTable } from './services/pricing.ts';
import type { Storage } from './storage/index.ts';
import type { ExternalIssuers } from './security/oidc.ts';
import type { SecretBox } from './security/secretBox.ts';
import type { UserCache } from './services/userCache.ts';

/** What both the API and the job runner need. */
export interface CoreDeps {
  env: Env;
  db: Db;
  /** The pg pool under `db`, for the few hot reads that skip Prisma (db/jobRows.ts). */
  pool: pg.Pool;
  logger: Logger;
  box: SecretBox;
  storage: Storage;
  providers: ProviderRegistry;
  publisher: Publisher;
  prices: PriceTable;
  /** This process's Prometheus metrics (server/observability/metrics.ts). */
  metrics: Metrics;
  /** Reads the free space of a work directory's disk; tests inject one (server/media/diskSpace.ts). */
  freeDiskBytes?: FreeDiskReader;
}

export interface AppDeps extends CoreDeps {
  accessTokens: AccessTokens;
  externalIssuers: ExternalIssuers;
  /** Set when the process serves subscriptions. */
  subscriber: Subscriber | null;
  /** The users behind access tokens, forgotten the moment their row changes (services/userCache.ts); unset when USER_CACHE_SIZE=0. */
  userCache?: UserCache;
}

type CredentialKind = 'session' | 'apiKey' | 'external' | 'streaming';

export interface Viewer {
  user: User;
  via: CredentialKind;
  /** Scopes of the API key used; sessions and external tokens carry every scope. */
  scopes: ReadonlySet<ApiKeyScope>;
  apiKeyId: string | null;
  /** An admin acting with admin power: role ADMIN, and if through an API key, an ADMIN-scoped one. */
  isAdmin: boolean;
  /** May run mutations: not a READ-only API key. */
  canWrite: boolean;
  /** Why an ADMIN's admin power is withheld (REQUIRE_ADMIN_MFA, services/mfa/adminPolicy.ts); unset otherwise. */
  adminRefusal?: string | null;
  /**
   * Set for a streaming token (README, "Streaming tokens for browsers"): the one live session the
   * bearer may append audio to and subscribe to. Such a viewer passes no other auth scope
   * (schema/builder.ts) and no other operation (http/graphqlGuards/streamingTokenGuard.ts).
   */
  streamingSessionId?: string | null;
  /**
   * When the person last proved who they are, for a credential that says so (an external issuer's
   * `auth_time`, else its `iat`); null otherwise. Account erasure of a password-less account asks for it.
   */
  authenticatedAt?: Date | null;
  /** The login (refresh token family) a session's access token belongs to; null for other credentials. */
  sessionId?: string | null;
}

export interface RequestMeta {
  requestId: string;
  clientAddress: string;
}

export interface Context extends RequestMeta {
  deps: AppDeps;
  viewer: Viewer | null;
  logger: Logger;
  /**
   * What the links this request is answered with start with: PUBLIC_URL, or '' (relative links) for
   * a browser page of this server's own origin (server/http/linkBase.ts).
   */
  linkBase: string;
}

/**
 * The context of a resolver behind the `authenticated`, `write` or `admin` auth scope (the schema
 * builder's AuthContexts): someone is signed in.
 */
export interface SignedInContext extends Context {
  viewer: Viewer;
}
