// The one-command server: `npm start` with no DATABASE_URL starts embedded PostgreSQL under
// DATA_DIR, migrates, serves, shuts down cleanly on SIGTERM, and keeps its data for the next start.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
let dataDir: string;

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function start(): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'server/index.ts'], {
    cwd: root,
    // A shutdown still running after SHUTDOWN_TIMEOUT_MS exits 1 (server/index.ts): exit code 0 means it finished in time.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development', SHUTDOWN_TIMEOUT_MS: '10000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Parlance is listening on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, base: match[1], output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<{ code: number | null }> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve({ code }));
    child.kill('SIGTERM');
  });
}

describe('npm start', () => {
  it('runs on embedded Postgres, stops cleanly within 10 s and keeps its data', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'parlance-start-'));
    await chmod(dataDir, 0o755);

    const first = await start();
    expect((await fetch(`${first.base}/ready`)).status).toBe(200);
    const register = await fetch(`${first.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { register(input: { email: "keep@example.com", username: "keeper", password: "a long enough password" }) { user { id } } }`,
      }),
    });
    const userId = ((await register.json()) as { data: { register: { user: { id: string } } } }).data.register.user.id;
    const stopped = await stop(first.child);
    expect(stopped.code).toBe(0); // within SHUTDOWN_TIMEOUT_MS (10 s), see start()

    const second = await start();
    const login = await fetch(`${second.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { login(input: { login: "keeper", password: "a long enough password" }) { user { id } } }`,
      }),
    });
    expect(((await login.json()) as { data: { login: { user: { id: string } } } }).data.login.user.id).toBe(userId);
    expect((await stop(second.child)).code).toBe(0);
  }, 120_000);
});

describe('npm start on a port that is already in use', () => {
  it('exits non-zero with one clear line, leaving no job runner or embedded Postgres behind', async () => {
    const busyDataDir = await mkdtemp(path.join(os.tmpdir(), 'parlance-busy-'));
    await chmod(busyDataDir, 0o755);
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'server/index.ts'], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATA_DIR: busyDataDir,
          HOST: '127.0.0.1',
          PORT: String(port),
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGTERM');
          reject(new Error(`the server kept running on a busy port:\n${stdout}\n${stderr}`));
        }, 60_000);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(code, `${stdout}\n${stderr}`).not.toBe(0);
      expect(code).not.toBeNull();
      expect(stderr.trim().split('\n'), stderr).toEqual([`Port ${port} on 127.0.0.1 is already in use; stop the other process or set PORT.`]);
      expect(stdout).not.toContain('Parlance is listening');

      // No embedded cluster is left running under its DATA_DIR (the port is checked before one starts).
      const pidFile = path.join(busyDataDir, 'pg', 'postmaster.pid');
      if (existsSync(pidFile)) {
        const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
        expect(() => process.kill(pid, 0), `postgres ${pid} still runs`).toThrow();
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
      await rm(busyDataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
