// A process that is not of the installation its database describes refuses to start with one line:
// another master key (its own DATA_DIR's generated key) or other storage (its own storage folder).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../server/security/secretBox.ts';
import { masterKeyFile } from '../server/security/masterKey.ts';
import { rotateEncryptionKey } from '../server/services/encryptionRotation.ts';
import { assertSameInstallation, InstallationMismatchError } from '../server/services/installation.ts';
import { createTestApp, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
let t: TestApp;
const dirs: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  // The first process of the installation records its canary and sentinel.
  await assertSameInstallation(t.deps);
});

afterAll(async () => {
  await t?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-other-'));
  dirs.push(dir);
  return dir;
}

/** Runs a process to its exit; it must exit by itself (a refusal), never start serving. */
function runToExit(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: t.databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('a process of another installation', () => {
  it('refuses to start when its master key does not open the database (its own DATA_DIR key)', async () => {
    const { code, stdout, stderr } = await runToExit('server/index.ts', ['--api-only'], { DATA_DIR: await freshDataDir() });
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^This process's master key \(.*encryption\.key\) does not open this database's secrets \(they are sealed under key [0-9a-f]{12}\); give every process the same ENCRYPTION_KEY\.$/);
    expect(stdout).not.toContain('Parlance is listening');
  }, 90_000);

  it('refuses to start a worker whose storage does not hold the sentinel (same key, its own storage folder)', async () => {
    const key = (await readFile(masterKeyFile(t.deps.env.dataDir), 'utf8')).trim();
    const dataDir = await freshDataDir();
    const { code, stdout, stderr } = await runToExit('jobs/index.ts', [], { DATA_DIR: dataDir, ENCRYPTION_KEY: key });
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toBe(
      `This process's storage directory ${path.join(dataDir, 'storage')} does not hold this installation's sentinel object (system/installation-${(await t.deps.db.installation.findFirstOrThrow()).storageSentinel}); give every process the same storage (STORAGE_DRIVER=s3, or one shared STORAGE_DIR).`,
    );
    expect(stdout).not.toContain('worker started');
  }, 90_000);

  it('a second process on the same key and storage starts; a racing first start records one installation', async () => {
    await expect(assertSameInstallation(t.deps)).resolves.toBeUndefined();
    await t.deps.db.installation.deleteMany();
    await t.deps.storage.deletePrefix('system/');
    await Promise.all([assertSameInstallation(t.deps), assertSameInstallation(t.deps), assertSameInstallation(t.deps)]);
    const row = await t.deps.db.installation.findFirstOrThrow();
    // The losers removed their candidate sentinels: exactly the winner's is left.
    expect(await t.deps.storage.exists(`system/installation-${row.storageSentinel}`)).toBe(true);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(path.join(t.deps.env.storageDir, 'system'))).toEqual([`installation-${row.storageSentinel}`]);
  });

  it('keys:rotate-encryption re-seals the canary: the new key opens it, the old one no longer does', async () => {
    const oldKey = Buffer.from((await readFile(masterKeyFile(t.deps.env.dataDir), 'utf8')).trim(), 'base64');
    const newKey = randomBytes(32);
    await rotateEncryptionKey(t.deps.db, oldKey, newKey);
    const withNew = { ...t.deps, box: new SecretBox(newKey) };
    await expect(assertSameInstallation(withNew)).resolves.toBeUndefined();
    await expect(assertSameInstallation({ ...t.deps, box: new SecretBox(oldKey) })).rejects.toBeInstanceOf(InstallationMismatchError);
    expect((await t.deps.db.installation.findFirstOrThrow()).masterKeyId).toBe(withNew.box.keyId);
  });
});
