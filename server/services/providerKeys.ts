import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Provider, ProviderKey } from '../db/db.ts';
import { badInput, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
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
    const key = await tx.providerKey.findFirst({ where: { id, userId: viewer.user.id }, select: { provider: true, name: true } });
    const { count } = await tx.providerKey.deleteMany({ where: { id, userId: viewer.user.id } });
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
  const row = await deps.db.providerKey.findFirst({ where: { userId, provider }, orderBy: { createdAt: 'desc' } });
  if (!row) return null;
  await deps.db.providerKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return deps.box.open(row, userId).toString('utf8');
}
