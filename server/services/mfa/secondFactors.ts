import type { Db, Tx } from '../../db/db.ts';
import { hasPasskey } from '../passkeys/secondFactor.ts';

/** The ways a user can pass the second step of a login. */
export type SecondFactorMethod = 'TOTP' | 'RECOVERY_CODE' | 'PASSKEY';

/**
 * The second factors `userId` has now; empty when their login needs none. The one place that says
 * whether an account has two-factor authentication on: login, the admin MFA policy and the User
 * fields all ask here. Each kind of factor adds its method.
 */
export async function secondFactorMethods(db: Db | Tx, userId: string): Promise<SecondFactorMethod[]> {
  const [totp, recoveryCodes, passkey] = await Promise.all([
    db.totpCredential.findFirst({ where: { userId, confirmedAt: { not: null } }, select: { userId: true } }),
    db.recoveryCode.count({ where: { userId, usedAt: null } }),
    hasPasskey(db, userId),
  ]);
  const methods: SecondFactorMethod[] = [];
  if (totp) methods.push('TOTP');
  if (totp && recoveryCodes > 0) methods.push('RECOVERY_CODE');
  if (passkey) methods.push('PASSKEY');
  return methods;
}
