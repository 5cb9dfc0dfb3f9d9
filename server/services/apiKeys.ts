import type { AppDeps, Viewer } from '../context.ts';
import type { ApiKey, ApiKeyScope, User } from '../db/db.ts';
import { badInput, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { randomSecret, sameHash, sha256Hex } from '../security/tokens.ts';
import { ownRowsWhere } from './access/personal.ts';
import { recordAudit } from './audit.ts';
import { requireName } from './validation.ts';

export const API_KEY_PREFIX = 'prl_';
// "prl_" plus 8 characters of the random part: enough to find the row, useless for guessing.
const PREFIX_LENGTH = API_KEY_PREFIX.length + 8;
const MAX_KEYS_PER_USER = 100;

export async function createApiKey(
  deps: AppDeps,
  viewer: Viewer,
  input: { name: string; scopes: ApiKeyScope[]; expiresAt?: Date | null },
): Promise<{ apiKey: ApiKey; secret: string }> {
  const name = requireName(input.name);
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw badInput('Choose at least one scope.', 'scopes');
  if (scopes.includes('ADMIN') && viewer.user.role !== 'ADMIN') {
    throw badInput('Only admins can create ADMIN-scoped keys.', 'scopes');
  }
  // A key cannot grant more than the credential that creates it. Every credential may read, and
  // an ADMIN-scoped one may also write (see makeViewer), so only real power is compared.
  const holds = (scope: ApiKeyScope) =>
    scope === 'READ' || (scope === 'WRITE' ? viewer.canWrite : viewer.scopes.has(scope));
  if (scopes.some((scope) => !holds(scope))) {
    throw badInput('A key cannot have scopes the current credential lacks.', 'scopes');
  }
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw badInput('expiresAt must be in the future.', 'expiresAt');
  }
  const count = await deps.db.apiKey.count({ where: { userId: viewer.user.id, revokedAt: null } });
  if (count >= MAX_KEYS_PER_USER) throw badInput(`At most ${MAX_KEYS_PER_USER} active keys per user.`);
  const secret = randomSecret(API_KEY_PREFIX);
  const apiKey = await deps.db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        id: newId('ApiKey'),
        userId: viewer.user.id,
        name,
        prefix: secret.slice(0, PREFIX_LENGTH),
        keyHash: sha256Hex(secret),
        scopes,
        expiresAt: input.expiresAt ?? null,
      },
    });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'apiKey.created',
      targetType: 'ApiKey',
      targetId: created.id,
      details: { name, prefix: created.prefix, scopes, expiresAt: created.expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  return { apiKey, secret };
}

export async function revokeApiKey(deps: AppDeps, viewer: Viewer, id: string): Promise<ApiKey> {
  const key = await deps.db.apiKey.findFirst({ where: { id, ...ownRowsWhere(viewer) } });
  if (!key) throw notFound('API key');
  if (key.revokedAt) return key;
  return deps.db.$transaction(async (tx) => {
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'apiKey.revoked',
      targetType: 'ApiKey',
      targetId: id,
      details: { name: key.name, prefix: key.prefix },
    });
    return revoked;
  });
}

/** The key's row and owner when `secret` is a live key; null otherwise. */
export async function authenticateApiKey(
  deps: AppDeps,
  secret: string,
): Promise<{ apiKey: ApiKey; user: User } | null> {
  if (secret.length > 128) return null;
  const row = await deps.db.apiKey.findUnique({
    where: { prefix: secret.slice(0, PREFIX_LENGTH) },
    include: { user: true },
  });
  if (!row || !sameHash(row.keyHash, sha256Hex(secret))) return null;
  if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
  // Written at most once a minute per key, so busy keys do not turn every read into a write.
  await deps.db.$executeRaw`
    UPDATE api_keys SET last_used_at = now()
    WHERE id = ${row.id} AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`;
  const { user, ...apiKey } = row;
  return { apiKey, user };
}
