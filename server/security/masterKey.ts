import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The master key comes from ENCRYPTION_KEY; without it (development and the embedded default) it
 * is generated once and kept in DATA_DIR/encryption.key with mode 0600.
 */
export async function loadMasterKey(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'base64');
  const file = masterKeyFile(dataDir);
  try {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key.`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error) => {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  });
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
}

export function masterKeyFile(dataDir: string): string {
  return path.join(dataDir, 'encryption.key');
}
