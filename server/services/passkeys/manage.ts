/** The signed-in user's passkeys: who may manage them, listing, renaming and deleting. */
import type { AppDeps, RequestMeta, Viewer } from '../../context.ts';
import type { Passkey } from '../../db/db.ts';
import { badInput, forbidden, notFound } from '../../errors.ts';
import { MAX_PASSWORD_LENGTH, verifyPassword } from '../../security/passwords.ts';
import { ownRowsWhere } from '../access/personal.ts';
import { recordAudit } from '../audit.ts';
import { assertLoginAllowed, recordLoginFailure } from '../loginThrottle.ts';
import { requireName } from '../validation.ts';

/**
 * Passkeys sign in to the whole account, so only a signed-in session adds or removes them: an API
 * key (even a WRITE one) must not be able to turn itself into a login.
 */
export function assertManagesPasskeys(viewer: Viewer): void {
  if (viewer.via === 'apiKey') throw forbidden('Passkeys are managed from a signed-in session, not with an API key.');
}

export function myPasskeys(deps: AppDeps, viewer: Viewer, query: object = {}): Promise<Passkey[]> {
  return deps.db.passkey.findMany({ ...query, where: ownRowsWhere(viewer), orderBy: { id: 'asc' } });
}

async function ownPasskey(deps: AppDeps, viewer: Viewer, id: string): Promise<Passkey> {
  const passkey = await deps.db.passkey.findFirst({ where: { id, ...ownRowsWhere(viewer) } });
  if (!passkey) throw notFound('Passkey');
  return passkey;
}

export async function renamePasskey(deps: AppDeps, viewer: Viewer, id: string, rawName: string): Promise<Passkey> {
  assertManagesPasskeys(viewer);
  const name = requireName(rawName);
  const passkey = await ownPasskey(deps, viewer, id);
  if (passkey.name === name) return passkey;
  return deps.db.$transaction(async (tx) => {
    const renamed = await tx.passkey.update({ where: { id }, data: { name } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'passkey.renamed',
      targetType: 'Passkey',
      targetId: id,
      details: { from: passkey.name, to: name },
    });
    return renamed;
  });
}

/**
 * Deleting a passkey takes the account's password (accounts that have one): a session left open on
 * a borrowed computer must not be enough to remove the owner's way in. Wrong passwords count as
 * failed logins of the account (services/loginThrottle.ts), so this cannot be used to guess it.
 */
export async function deletePasskey(
  deps: AppDeps,
  viewer: Viewer,
  meta: RequestMeta,
  id: string,
  password: string | null | undefined,
): Promise<Passkey> {
  assertManagesPasskeys(viewer);
  const passkey = await ownPasskey(deps, viewer, id);
  const user = viewer.user;
  if (user.passwordHash) {
    if (!password) throw badInput('Enter your password to delete a passkey.', 'password');
    const attempt = { account: user.id, address: meta.clientAddress };
    await assertLoginAllowed(deps.db, attempt);
    const ok = password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(user.passwordHash, password));
    if (!ok) {
      await recordLoginFailure(deps.db, deps.env, attempt);
      throw badInput('That password is not correct.', 'password');
    }
  }
  return deps.db.$transaction(async (tx) => {
    const deleted = await tx.passkey.deleteMany({ where: { id, userId: user.id } });
    if (deleted.count === 0) throw notFound('Passkey');
    await recordAudit(tx, {
      actorId: user.id,
      action: 'passkey.deleted',
      targetType: 'Passkey',
      targetId: id,
      details: { name: passkey.name },
    });
    return passkey;
  });
}
