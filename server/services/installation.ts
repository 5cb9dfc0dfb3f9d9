import { randomBytes } from 'node:crypto';
import type { Prisma } from '../../prisma/generated/client.ts';
import type { CoreDeps } from '../context.ts';
import type { Db } from '../db/db.ts';
import type { SecretBox } from '../security/secretBox.ts';
import { isMissingObject } from '../storage/index.ts';

/** Sealed at first start; a process whose master key does not open it is not of this installation. */
const CANARY = 'parlance installation canary';
const CANARY_ASSOCIATED_DATA = 'parlance:installation';

/** Why a process refused to start: one line for the operator, nothing secret. */
export class InstallationMismatchError extends Error {}

const sentinelKey = (token: string) => `system/installation-${token}`;

/**
 * Checks, before a process serves or works, that it belongs to the installation its database
 * describes: its master key opens the canary sealed there, and its storage holds the sentinel object
 * written at first start. The first process to start records both. Without this, a second process
 * with its own DATA_DIR would generate its own master key and storage folder and fail later, row by
 * row and file by file.
 */
export async function assertSameInstallation(deps: Pick<CoreDeps, 'db' | 'box' | 'storage' | 'env'>): Promise<void> {
  let row = await deps.db.installation.findFirst();
  if (!row) {
    // The sentinel is written before the row, so whichever process's row wins, its object exists.
    const token = randomBytes(16).toString('hex');
    await deps.storage.put(sentinelKey(token), Buffer.from(token));
    const sealed = deps.box.seal(CANARY, CANARY_ASSOCIATED_DATA);
    const inserted = await deps.db.$executeRaw`
      INSERT INTO installation (id, canary_ciphertext, canary_nonce, master_key_id, storage_sentinel)
      VALUES (true, ${Buffer.from(sealed.ciphertext)}, ${Buffer.from(sealed.nonce)}, ${sealed.masterKeyId}, ${token})
      ON CONFLICT (id) DO NOTHING`;
    if (inserted === 0) await deps.storage.delete(sentinelKey(token));
    row = await deps.db.installation.findFirstOrThrow();
  }
  if (!opensCanary(deps.box, row)) {
    throw new InstallationMismatchError(
      `This process's master key (${deps.env.ENCRYPTION_KEY ? 'ENCRYPTION_KEY' : `${deps.env.dataDir}/encryption.key`}) does not open this database's secrets (they are sealed under key ${row.masterKeyId}); give every process the same ENCRYPTION_KEY.`,
    );
  }
  if (!(await holdsSentinel(deps, row.storageSentinel))) {
    const where = deps.env.STORAGE_DRIVER === 's3' ? `S3 bucket ${deps.env.S3_BUCKET}` : `storage directory ${deps.env.storageDir}`;
    throw new InstallationMismatchError(
      `This process's ${where} does not hold this installation's sentinel object (${sentinelKey(row.storageSentinel)}); give every process the same storage (STORAGE_DRIVER=s3, or one shared STORAGE_DIR).`,
    );
  }
}

function opensCanary(box: SecretBox, row: { canaryCiphertext: Uint8Array; canaryNonce: Uint8Array }): boolean {
  try {
    return box.open({ ciphertext: row.canaryCiphertext, nonce: row.canaryNonce }, CANARY_ASSOCIATED_DATA).toString() === CANARY;
  } catch {
    return false;
  }
}

async function holdsSentinel(deps: Pick<CoreDeps, 'storage'>, token: string): Promise<boolean> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await deps.storage.get(sentinelKey(token))) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString() === token;
  } catch (error) {
    if (isMissingObject(error)) return false;
    throw error;
  }
}

/** Re-seals the canary under the new master key, inside the rotation's transaction. */
export async function resealCanary(tx: Prisma.TransactionClient | Db, from: SecretBox, to: SecretBox): Promise<number> {
  const row = await tx.installation.findFirst();
  if (!row || row.masterKeyId === to.keyId) return 0;
  const sealed = to.seal(from.open({ ciphertext: row.canaryCiphertext, nonce: row.canaryNonce }, CANARY_ASSOCIATED_DATA), CANARY_ASSOCIATED_DATA);
  await tx.installation.update({
    where: { id: true },
    data: { canaryCiphertext: sealed.ciphertext, canaryNonce: sealed.nonce, masterKeyId: sealed.masterKeyId },
  });
  return 1;
}
