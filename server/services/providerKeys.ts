import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Provider, ProviderKey } from '../db/db.ts';
import { AppError, badInput, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { isKeylessServer, serverKeyFor } from '../providers/registry.ts';
import { ProviderError } from '../providers/types.ts';
import { ownRowsWhere } from './access/personal.ts';
import { recordAudit } from './audit.ts';
import { requireName } from './validation.ts';

const MAX_SECRET_LENGTH = 4096;

/** Stores (or replaces, by provider and name) a user's cloud provider key, sealed under the master key. */
export async function setProviderKey(
  deps: AppDeps,
  viewer: Viewer,
  input: { provider: Provider; name: string; secret: string },
): Promise<ProviderKey> {
  if (input.provider === 'LOCAL') throw badInput('The LOCAL engine needs no key.', 'provider');
  const name = requireName(input.name);
  const secret = input.secret.trim();
  if (secret.length < 8) throw badInput('Secret is too short to be a provider key.', 'secret');
  if (secret.length > MAX_SECRET_LENGTH) throw badInput('Secret is too long.', 'secret');
  const sealed = deps.box.seal(secret, viewer.user.id);
  const fields = {
    ciphertext: sealed.ciphertext,
    nonce: sealed.nonce,
    masterKeyId: sealed.masterKeyId,
    last4: secret.slice(-4),
  };
  return deps.db.$transaction(async (tx) => {
    const key = await tx.providerKey.upsert({
      where: { userId_provider_name: { userId: viewer.user.id, provider: input.provider, name } },
      create: { id: newId('ProviderKey'), userId: viewer.user.id, provider: input.provider, name, ...fields },
      update: { ...fields, createdAt: new Date(), lastUsedAt: null },
    });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'providerKey.set',
      targetType: 'ProviderKey',
      targetId: key.id,
      details: { provider: input.provider, name, last4: key.last4 },
    });
    return key;
  });
}

export async function deleteProviderKey(deps: AppDeps, viewer: Viewer, id: string): Promise<boolean> {
  return deps.db.$transaction(async (tx) => {
    const key = await tx.providerKey.findFirst({ where: { id, ...ownRowsWhere(viewer) }, select: { provider: true, name: true } });
    const { count } = await tx.providerKey.deleteMany({ where: { id, ...ownRowsWhere(viewer) } });
    if (!key || count === 0) throw notFound('Provider key');
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'providerKey.deleted',
      targetType: 'ProviderKey',
      targetId: id,
      details: { provider: key.provider, name: key.name },
    });
    return true;
  });
}

/** The plaintext of a user's newest key for `provider`, for the engines; null when they have none. */
export async function revealProviderKey(
  deps: Pick<CoreDeps, 'db' | 'box'>,
  userId: string,
  provider: Provider,
): Promise<string | null> {
  // Their newest key, marked used by the statement that reads it.
  const [row] = await deps.db.$queryRaw<{ ciphertext: Uint8Array; nonce: Uint8Array }[]>`
    UPDATE provider_keys SET last_used_at = now()
    WHERE id = (SELECT id FROM provider_keys WHERE user_id = ${userId} AND provider = ${provider}::provider ORDER BY created_at DESC LIMIT 1)
    RETURNING ciphertext, nonce`;
  if (!row) return null;
  return deps.box.open(row, userId).toString('utf8');
}

/**
 * The key an engine call for `userId` uses: their newest own key, else the server's; null for LOCAL
 * and for a keyless server (see isKeylessServer). Jobs, translations and live engines all resolve it here.
 * @throws ProviderError('auth') when a cloud provider has no key at all (the owner's was deleted meanwhile).
 */
export async function resolveProviderKey(
  deps: Pick<CoreDeps, 'db' | 'box' | 'env'>,
  userId: string,
  provider: Provider,
): Promise<string | null> {
  if (provider === 'LOCAL') return null;
  const key = (await revealProviderKey(deps, userId, provider)) ?? serverKeyFor(deps.env, provider);
  if (!key && !isKeylessServer(deps.env, provider)) {
    throw new ProviderError('auth', `No ${provider} key is configured for its owner or on this server.`);
  }
  return key;
}

/** Whether `userId` has a key for cloud `provider` at hand: the server's, a keyless server, or one of their own. */
export async function hasProviderKey(deps: Pick<CoreDeps, 'db' | 'env'>, userId: string, provider: Provider): Promise<boolean> {
  if (serverKeyFor(deps.env, provider) || isKeylessServer(deps.env, provider)) return true;
  return (await deps.db.providerKey.count({ where: { userId, provider } })) > 0;
}

/**
 * Refuses (PROVIDER_UNAVAILABLE) a job or live session for a provider it cannot use now: LOCAL when
 * its library or model is missing, a cloud provider when no key is at hand.
 */
export async function assertProviderUsable(deps: Pick<CoreDeps, 'db' | 'env' | 'providers'>, userId: string, provider: Provider): Promise<void> {
  if (provider === 'LOCAL') {
    const availability = await deps.providers.LOCAL.availability();
    if (!availability.ok) throw new AppError('PROVIDER_UNAVAILABLE', `LOCAL is not available: ${availability.reason}`);
  } else if (!(await hasProviderKey(deps, userId, provider))) {
    throw new AppError(
      'PROVIDER_UNAVAILABLE',
      `No ${provider} key: add your own with setProviderKey, or ask the operator to configure one.`,
    );
  }
}
