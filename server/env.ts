/**
 * The only reader of process.env. Every setting is validated once at startup; a bad value stops the
 * process with a message naming the variable. See the configuration table in README.md.
 */
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
});
export type OidcIssuerConfig = z.infer<typeof oidcIssuerSchema>;

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
  .pipe(z.array(oidcIssuerSchema));

const base64Key = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
  .optional();

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
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  ENCRYPTION_KEY: base64Key,
  ADMIN_EMAILS: csv,
  OIDC_ISSUERS: oidcIssuers,
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  LOGIN_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

export type Env = z.infer<typeof envSchema> & {
  publicUrl: string;
  jwtIssuer: string;
  dataDir: string;
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
  if (isProduction && !env.ENCRYPTION_KEY) {
    throw new EnvError('Invalid configuration:\n  ENCRYPTION_KEY: required when NODE_ENV=production');
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  return {
    ...env,
    publicUrl,
    jwtIssuer: env.JWT_ISSUER ?? publicUrl,
    dataDir: path.resolve(env.DATA_DIR),
    isProduction,
  };
}
