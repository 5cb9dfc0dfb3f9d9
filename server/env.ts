/**
 * The only reader of process.env. Every setting is validated once at startup; a bad value stops the
 * process with a message naming the variable. See the configuration table in README.md.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const csv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const oidcIssuerSchema = z.object({
  issuer: z.string().url(),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  jwksUrl: z.string().url(),
  groupsClaim: z.string().min(1).default('groups'),
  adminGroups: z.array(z.string().min(1)).default([]),
  usernameClaim: z.string().min(1).default('preferred_username'),
  algorithms: z.array(z.string()).default(['RS256', 'ES256', 'PS256', 'EdDSA']),
  // Web sign-in (authorization code flow with PKCE): only issuers with a clientId get a button.
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  displayName: z.string().min(1).max(60).optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be scope tokens')).default(['openid', 'email', 'profile']),
  /** The issuer's name in /auth/oidc/<key>/start; derived from the issuer URL when not given. */
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes').optional(),
}).transform((config) => ({
  ...config,
  key: config.key ?? issuerKeyOf(config.issuer),
  displayName: config.displayName ?? new URL(config.issuer).host,
  scopes: config.scopes.includes('openid') ? config.scopes : ['openid', ...config.scopes],
}));
export type OidcIssuerConfig = z.infer<typeof oidcIssuerSchema>;

function issuerKeyOf(issuer: string): string {
  const url = new URL(issuer);
  return `${url.host}${url.pathname}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'issuer';
}

const oidcIssuers = z
  .string()
  .default('[]')
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of issuer objects' });
      return z.NEVER;
    }
  })
  .pipe(z.array(oidcIssuerSchema))
  .superRefine((issuers, ctx) => {
    const keys = issuers.filter((issuer) => issuer.clientId).map((issuer) => issuer.key);
    const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
    if (repeated) ctx.addIssue({ code: 'custom', message: `two issuers with a clientId share the key "${repeated}": give each its own "key"` });
  });

/** The speech engines (services/providerRouting.ts orders them); one entry per engine of server/providers/registry.ts. */
const speechEngine = z.enum(['LOCAL', 'OPENAI', 'DEEPGRAM', 'ASSEMBLYAI']);

const base64Key = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
  .optional();

/** CHAT_PRICES' shape: {"<model>": {"input": n, "output": n}}, USD per million tokens, n >= 0. */
function isChatPriceJson(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
    return Object.values(parsed).every(
      (price) =>
        price && typeof price === 'object' && ['input', 'output'].every((k) => typeof (price as Record<string, unknown>)[k] === 'number' && (price as Record<string, number>)[k] >= 0),
    );
  } catch {
    return false;
  }
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: csv,
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).default('parlance'),
  JWT_PRIVATE_KEY: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** Users behind access tokens kept in memory per API process (services/userCache.ts); 0 reads the row on every request. */
  USER_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  ENCRYPTION_KEY: base64Key,
  ADMIN_EMAILS: csv,
  OIDC_ISSUERS: oidcIssuers,
  LOGIN_MAX_FAILURES_PER_PAIR: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(100),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  LOGIN_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  REQUIRE_ADMIN_MFA: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  MFA_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
  MFA_MAX_CODE_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(10),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  RUNNER_STALE_SECONDS: z.coerce.number().int().min(2).max(3600).default(20),
  CHUNK_SECONDS: z.coerce.number().positive().optional(),
  /** LOCAL decoders decoding at once in one process, shared fairly by its jobs (about 100 MB each). */
  LOCAL_DECODERS: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
  /** Chunks of one job in flight at once on a cloud engine. */
  PROVIDER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  /** Voices closer than this are one speaker when a diarized job's chunks are linked (README, "Speakers"). */
  SPEAKER_MATCH_THRESHOLD: z.coerce.number().positive().max(100).default(2),
  DEFAULT_PROVIDER: speechEngine.default('LOCAL'),
  /** Engines to try in order (README, "Provider routing and fallback"); empty: DEFAULT_PROVIDER alone. */
  PROVIDER_ORDER: csv.pipe(z.array(speechEngine)).refine((list) => new Set(list).size === list.length, 'must not name an engine twice'),
  /** In-process retries of a transient failure before a job moves on to its next engine. */
  PROVIDER_RETRIES: z.coerce.number().int().min(0).max(20).default(2),
  PROVIDER_RETRY_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  /** A retry-after longer than this counts as "beyond the backoff": the job moves on at once. */
  PROVIDER_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_TRANSCRIBE_MODEL: z.string().default('whisper-1'),
  OPENAI_TRANSLATE_MODEL: z.string().default('gpt-4o-mini'),
  TRANSLATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(5),
  // The chat endpoint for translation and sentiment (DeepSeek, any OpenAI-compatible server); unset: OpenAI's.
  CHAT_BASE_URL: z.string().url().optional(),
  CHAT_MODEL: z.string().min(1).optional(),
  CHAT_API_KEY: z.string().optional(),
  TRANSLATION_ENGINE: z.enum(['CHAT', 'GOOGLE']).default('CHAT'),
  GOOGLE_TRANSLATE_API_KEY: z.string().optional(),
  GOOGLE_TRANSLATE_BASE_URL: z.string().url().default('https://translation.googleapis.com'),
  SENTIMENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(5),
  SENTIMENT_BATCH_TOKENS: z.coerce.number().int().min(20).max(100_000).default(3000),
  // Summaries and questions (README, "Summaries and questions"): the chat model's context budget in
  // tokens (a transcript longer than it is summarised in parts, then merged), one request's timeout,
  // the summary step's attempts, and questions per user per minute.
  CHAT_CONTEXT_TOKENS: z.coerce.number().int().min(200).max(2_000_000).default(32_000),
  CHAT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  SUMMARY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(3),
  QUESTIONS_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(10),
  /** USD per million chat tokens by model, {"model": {"input": n, "output": n}}, over the defaults (services/pricing.ts). */
  CHAT_PRICES: z
    .string()
    .optional()
    .refine((value) => value === undefined || isChatPriceJson(value), 'must be JSON {"<model>": {"input": <number >= 0>, "output": <number >= 0>}}'),
  DOCUMENT_FONT: z.string().default('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(1000).default(600_000),
  DEEPGRAM_API_KEY: z.string().optional(),
  DEEPGRAM_BASE_URL: z.string().url().optional(),
  DEEPGRAM_MODEL: z.string().default('nova-3'),
  DEEPGRAM_TIMEOUT_MS: z.coerce.number().int().min(1000).default(600_000),
  ASSEMBLYAI_API_KEY: z.string().optional(),
  ASSEMBLYAI_BASE_URL: z.string().url().optional(),
  // Bounds each request and the wait for a transcript to be ready.
  ASSEMBLYAI_TIMEOUT_MS: z.coerce.number().int().min(1000).default(1_800_000),
  ASSEMBLYAI_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(3000),
  /** Universal Streaming v3 (live sessions): its WebSocket URL, without the query. */
  ASSEMBLYAI_STREAMING_URL: z.string().url().default('wss://streaming.assemblyai.com/v3/ws'),
  POCKETSPHINX_LIBRARY: z.string().default('libpocketsphinx.so.3'),
  POCKETSPHINX_MODEL_DIR: z.string().default('/usr/share/pocketsphinx/model/en-us'),
  FFMPEG_PATH: z.string().optional(),
  FFPROBE_PATH: z.string().optional(),
  FFMPEG_TIMEOUT_MS: z.coerce.number().int().min(1000).default(3_600_000),
  MAX_MEDIA_SECONDS: z.coerce.number().positive().default(4 * 3600),
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
  MAX_RESUMABLE_UPLOAD_BYTES: z.coerce.number().int().positive().default(4 * 1024 * 1024 * 1024),
  URL_FETCH_MAX_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024 * 1024),
  URL_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(600_000),
  URL_FETCH_ALLOW_HOSTS: csv,
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  STORAGE_DIR: z.string().optional(),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** How events cross processes (README, "Running on several machines"). */
  PUBSUB: z.enum(['postgres', 'redis']).default('postgres'),
  /** redis://host:port[/db], rediss://… or a unix socket path; required when PUBSUB=redis. */
  REDIS_URL: z.string().min(1).optional(),
  PRICES: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  LIVE_MAX_LOCAL_SESSIONS: z.coerce.number().int().min(0).max(1000).default(4),
  LIVE_MAX_CHUNK_BYTES: z.coerce.number().int().min(1024).max(512 * 1024).default(256 * 1024),
  MAX_JSON_BODY_BYTES: z.coerce.number().int().min(64 * 1024).default(2 * 1024 * 1024),
  MAX_QUERY_BYTES: z.coerce.number().int().min(1024).default(100 * 1024),
  LIVE_IDLE_SECONDS: z.coerce.number().positive().default(60),
  SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(3600),
  LIVE_GAP_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  LIVE_MAX_SPEED: z.coerce.number().positive().default(4),
  LIVE_BURST_SECONDS: z.coerce.number().positive().default(30),
  SMTP_URL: z
    .string()
    .url()
    .refine((value) => /^smtps?:\/\//.test(value), 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_FROM: z.string().min(3).default('Parlance <parlance@localhost>'),
  INVITATION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  PASSWORD_RESETS_PER_EMAIL_PER_HOUR: z.coerce.number().int().min(0).max(10_000).default(5),
  PASSWORD_RESETS_PER_CLIENT_PER_HOUR: z.coerce.number().int().min(0).max(100_000).default(20),
  REQUIRE_EMAIL_VERIFICATION: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true')),
  EMAIL_VERIFICATION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(48),
  VERIFICATION_EMAILS_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(5),
  REGISTRATION: z.enum(['open', 'invite', 'closed']).default('open'),
  REGISTRATION_DOMAINS: csv.transform((domains) => domains.map((domain) => domain.toLowerCase().replace(/^@/, ''))),
  JOB_SUBMISSIONS_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(30),
  LIVE_AUDIO_CHUNKS_PER_SECOND: z.coerce.number().int().min(0).max(10_000).default(20),
  WEBHOOK_ALLOW_HOSTS: csv,
  WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).max(10_000).default(10),
  EXPORTS_KEPT_PER_PROJECT: z.coerce.number().int().min(1).max(1000).default(5),
  MIN_FREE_DISK_BYTES: z.coerce.number().int().min(0).default(1024 * 1024 * 1024),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(8),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  UPLOAD_EXPIRY_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
  WEBHOOK_DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  HOUSEKEEPING_CRON: z
    .string()
    .regex(/^\S+ \S+ \S+ \S+ \S+$/, 'must be five crontab fields, e.g. "17 * * * *"')
    .default('17 * * * *'),
  HOUSEKEEPING_SWEEPS_KEPT: z.coerce.number().int().min(1).max(10_000).default(100),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
});

export type Env = z.infer<typeof envSchema> & {
  publicUrl: string;
  jwtIssuer: string;
  dataDir: string;
  storageDir: string;
  isProduction: boolean;
};

export class EnvError extends Error {}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET) {
    throw new EnvError('Invalid configuration:\n  S3_BUCKET: required when STORAGE_DRIVER=s3');
  }
  if (env.PUBSUB === 'redis' && !env.REDIS_URL) {
    throw new EnvError('Invalid configuration:\n  REDIS_URL: required when PUBSUB=redis');
  }
  if (isProduction && !env.ENCRYPTION_KEY) {
    throw new EnvError('Invalid configuration:\n  ENCRYPTION_KEY: required when NODE_ENV=production');
  }
  const largestLiveChunkRequest = base64Length(env.LIVE_MAX_CHUNK_BYTES) + 16 * 1024;
  if (env.MAX_JSON_BODY_BYTES < largestLiveChunkRequest) {
    throw new EnvError(
      `Invalid configuration:\n  MAX_JSON_BODY_BYTES: must be at least ${largestLiveChunkRequest} so a live audio chunk of LIVE_MAX_CHUNK_BYTES (base64) fits`,
    );
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  return {
    ...env,
    publicUrl,
    jwtIssuer: env.JWT_ISSUER ?? publicUrl,
    dataDir: path.resolve(env.DATA_DIR),
    storageDir: path.resolve(env.STORAGE_DIR ?? path.join(env.DATA_DIR, 'storage')),
    isProduction,
  };
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}
