import { hash, verify } from '@node-rs/argon2';
import { isBreachedPassword } from './breachedPasswords.ts';

// argon2id (the library's default algorithm) at OWASP's minimum or above: 19 MiB, t=2, p=1.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

// Verified against when the account does not exist, so both answers take the same time.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hash('parlance-dummy-password', options);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/** Why a password is refused (register, reset and change alike), or null when it is acceptable. */
export function passwordProblem(password: string, username: string, email: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Password must be at most ${MAX_PASSWORD_LENGTH} characters.`;
  const lowered = password.toLowerCase();
  if (lowered === username.toLowerCase() || lowered === email.toLowerCase()) {
    return 'Password must not be your username or email.';
  }
  if (isBreachedPassword(password)) {
    return 'This password appears in lists of breached passwords: choose another one (a passphrase of several words works well).';
  }
  return null;
}
