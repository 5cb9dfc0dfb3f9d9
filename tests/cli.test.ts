import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTestApp, createTestDatabase, registerUser } from './helpers/testApp.ts';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'server/cli.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error', ...env },
  });
}

describe('npm run cli', () => {
  it('user:promote makes a user an admin by username or email', async () => {
    const key = randomBytes(32).toString('base64');
    const t = await createTestApp({ ENCRYPTION_KEY: key });
    const user = await registerUser(t);
    const { stdout } = await cli(['user:promote', user.email], { DATABASE_URL: t.databaseUrl, ENCRYPTION_KEY: key });
    expect(stdout).toContain(`${user.username} is now an ADMIN.`);
    const me = await t.gql('{ me { role } }', {}, { token: user.accessToken });
    expect(me.data!.me.role).toBe('ADMIN');

    const missing = cli(['user:promote', 'nobody'], { DATABASE_URL: t.databaseUrl, ENCRYPTION_KEY: key });
    await expect(missing).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('User not found') });
    await t.close();
  }, 60_000);

  it('user:promote without an argument promotes the registered users whose address is in ADMIN_EMAILS', async () => {
    const key = randomBytes(32).toString('base64');
    const t = await createTestApp({ ENCRYPTION_KEY: key });
    const listed = await registerUser(t);
    const other = await registerUser(t);
    const env = { DATABASE_URL: t.databaseUrl, ENCRYPTION_KEY: key, ADMIN_EMAILS: `${listed.email.toUpperCase()},absent@example.com` };
    const { stdout } = await cli(['user:promote'], env);
    expect(stdout).toContain(`${listed.username} is now an ADMIN.`);
    expect(stdout).toContain('absent@example.com: no such user.');
    expect((await t.gql('{ me { role } }', {}, { token: listed.accessToken })).data!.me.role).toBe('ADMIN');
    expect((await t.gql('{ me { role } }', {}, { token: other.accessToken })).data!.me.role).toBe('USER');

    const nothingListed = cli(['user:promote'], { DATABASE_URL: t.databaseUrl, ENCRYPTION_KEY: key });
    await expect(nothingListed).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('ADMIN_EMAILS') });
    await t.close();
  }, 60_000);

  it('keys:rotate-encryption re-encrypts provider keys and the signing key under the new master key', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const databaseUrl = await createTestDatabase();
    const before = await createTestApp({ ENCRYPTION_KEY: oldKey }, { databaseUrl });
    const user = await registerUser(before);
    await before.gql(
      `mutation { setProviderKey(input: { provider: OPENAI, name: "main", secret: "sk-test-rotation-1234" }) { id } }`,
      {},
      { token: user.accessToken },
    );
    await before.close();

    const { stdout } = await cli(['keys:rotate-encryption'], {
      DATABASE_URL: databaseUrl,
      ENCRYPTION_KEY: oldKey,
      NEW_ENCRYPTION_KEY: newKey,
    });
    expect(stdout).toContain('Re-encrypted 1 provider keys and 1 signing keys.');

    const after = await createTestApp({ ENCRYPTION_KEY: newKey }, { databaseUrl });
    const row = await after.deps.db.providerKey.findFirstOrThrow({ where: { userId: user.id } });
    expect(after.deps.box.open(row, user.id).toString()).toBe('sk-test-rotation-1234');
    // Tokens issued before the rotation still verify: the signing key itself did not change.
    const me = await after.gql('{ me { id } }', {}, { token: user.accessToken });
    expect(me.data!.me.id).toBe(user.id);
    await after.close();

    await expect(createTestApp({ ENCRYPTION_KEY: oldKey }, { databaseUrl })).rejects.toThrow(/sealed with master key/);
  }, 60_000);
});
