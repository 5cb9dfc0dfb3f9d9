import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '../../db/db.ts';
import { newId } from '../../ids.ts';
import { sha256Hex } from '../../security/tokens.ts';

const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** 80 random bits as 16 Crockford base32 characters in groups of four: "7k2m-…". */
function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let index = 0; index < 16; index += 1) {
    code = ALPHABET[Number(bits & 31n)] + code;
    bits >>= 5n;
  }
  return code.match(/.{4}/g)!.join('-');
}

/** What a typed code is compared as: lowercase, without spaces or dashes, with the look-alikes mapped. */
function normalise(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '').replace(/[oO]/g, '0').replace(/[il]/g, '1');
}

export function looksLikeRecoveryCode(code: string): boolean {
  return normalise(code).length === 16;
}

/** Replaces the user's recovery codes with ten fresh ones; returns them (the only time they exist in clear). */
export async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({
    data: codes.map((code) => ({ id: newId('RecoveryCode'), userId, codeHash: sha256Hex(normalise(code)) })),
  });
  return codes;
}

/** Uses one of the user's recovery codes: true once per code, false for any other code or a used one. */
export async function useRecoveryCode(db: Db | Tx, userId: string, code: string): Promise<boolean> {
  if (!looksLikeRecoveryCode(code)) return false;
  const { count } = await db.recoveryCode.updateMany({
    where: { userId, codeHash: sha256Hex(normalise(code)), usedAt: null },
    data: { usedAt: new Date() },
  });
  return count === 1;
}

export function remainingRecoveryCodes(db: Db | Tx, userId: string): Promise<number> {
  return db.recoveryCode.count({ where: { userId, usedAt: null } });
}
