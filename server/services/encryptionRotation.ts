import type { Db } from '../db/db.ts';
import { signingKeyAssociatedData } from '../security/jwt.ts';
import { SecretBox } from '../security/secretBox.ts';
import { resealCanary } from './installation.ts';

/**
 * Re-encrypts every sealed row (users' provider keys and TOTP secrets, the JWT signing keys, webhook secrets) from `oldKey` to
 * `newKey` in one transaction: either all rows move to the new key or none do.
 */
export async function rotateEncryptionKey(
  db: Db,
  oldKey: Buffer,
  newKey: Buffer,
): Promise<{ providerKeys: number; signingKeys: number; webhookSecrets: number; totpSecrets: number }> {
  const from = new SecretBox(oldKey);
  const to = new SecretBox(newKey);
  if (from.keyId === to.keyId) throw new Error('The new key is the same as the current one.');
  return db.$transaction(
    async (tx) => {
      const providerKeys = await tx.providerKey.findMany();
      for (const row of providerKeys) {
        if (row.masterKeyId === to.keyId) continue;
        const sealed = to.seal(from.open(row, row.userId), row.userId);
        await tx.providerKey.update({ where: { id: row.id }, data: sealed });
      }
      const signingKeys = await tx.signingKey.findMany();
      for (const row of signingKeys) {
        if (row.masterKeyId === to.keyId) continue;
        const plain = from.open({ ciphertext: row.privateCiphertext, nonce: row.privateNonce }, signingKeyAssociatedData);
        const sealed = to.seal(plain, signingKeyAssociatedData);
        await tx.signingKey.update({
          where: { kid: row.kid },
          data: { privateCiphertext: sealed.ciphertext, privateNonce: sealed.nonce, masterKeyId: sealed.masterKeyId },
        });
      }
      const webhooks = await tx.webhookEndpoint.findMany();
      for (const row of webhooks) {
        if (row.masterKeyId === to.keyId) continue;
        const plain = from.open({ ciphertext: row.secretCiphertext, nonce: row.secretNonce }, row.ownerId);
        const sealed = to.seal(plain, row.ownerId);
        await tx.webhookEndpoint.update({
          where: { id: row.id },
          data: { secretCiphertext: sealed.ciphertext, secretNonce: sealed.nonce, masterKeyId: sealed.masterKeyId },
        });
      }
      const totpSecrets = await tx.totpCredential.findMany();
      for (const row of totpSecrets) {
        if (row.masterKeyId === to.keyId) continue;
        const sealed = to.seal(from.open(row, row.userId), row.userId);
        await tx.totpCredential.update({ where: { userId: row.userId }, data: sealed });
      }
      // The installation's canary too, or every process would refuse the new key at its next start.
      await resealCanary(tx, from, to);
      return {
        providerKeys: providerKeys.length,
        signingKeys: signingKeys.length,
        webhookSecrets: webhooks.length,
        totpSecrets: totpSecrets.length,
      };
    },
    { timeout: 120_000 },
  );
}
