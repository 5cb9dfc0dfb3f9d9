// Real processes for tests/topology.test.ts: compiled API and worker processes (what `npm run api` and
// `npm run worker` exec, without npm in between) and Debian's nginx running deploy/nginx.conf as it is,
// its placeholders replaced. Each process is its own process group, so a SIGKILL takes its children
// (ffmpeg) with it; every process started here is stopped by stopAll().
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
export const NGINX = '/usr/sbin/nginx';

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr. */
  output: () => string;
  /** Resolves with the first match of `pattern` in its output; rejects when it exits or after `timeoutMs`. */
  waitForOutput: (pattern: RegExp, timeoutMs: number) => Promise<RegExpExecArray>;
  exited: () => boolean;
  /** Signals its process group and waits for the exit. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

const started: Proc[] = [];
const tempDirs: string[] = [];

/** Starts `command` as a process group of its own, its output kept in memory. */
export function spawnProc(name: string, command: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let exited = false;
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  // A command that cannot start (nginx not installed) exits with the reason in its output.
  child.on('error', (error) => {
    text += `${name} could not start: ${error.message}\n`;
    exited = true;
  });
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  void exit.then(() => (exited = true));
  const proc: Proc = {
    name,
    child,
    output: () => text,
    exited: () => exited,
    waitForOutput: (pattern, timeoutMs) =>
      waitFor(`${name} to print ${pattern}`, async () => {
        const match = pattern.exec(text);
        if (match) return match;
        if (exited) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${text.slice(-4000)}`);
        return null;
      }, timeoutMs, 50),
    kill: async (signal = 'SIGKILL') => {
      if (exited) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
      await exit;
    },
  };
  started.push(proc);
  return proc;
}

/** Kills every process started here (SIGKILL: nothing of theirs is kept) and removes the temp dirs. */
export async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((proc) => proc.kill('SIGKILL')));
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755); // nginx's workers run as nobody when the test runs as root
  tempDirs.push(dir);
  return dir;
}

/** A TCP port free right now on 127.0.0.1 (for nginx's listen line and workers' METRICS_PORT). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm run build` when a source is newer than dist/ (as the start scripts do). */
export async function buildServer(): Promise<void> {
  await run(process.execPath, ['scripts/build-server.mjs', '--if-stale'], { cwd: root });
}

function baseEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env };
}

export interface ApiProc extends Proc {
  port: number;
  /** host:port, as nginx's upstream and access log name it. */
  address: string;
}

/** `node dist/server/index.js --api-only` on a port of its own (PORT=0), ready once it says it listens. */
export async function startApi(name: string, env: Record<string, string>): Promise<ApiProc> {
  const proc = spawnProc(name, process.execPath, ['dist/server/index.js', '--api-only'], baseEnv({ ...env, PORT: '0', DATA_DIR: await tempDir(`parlance-topology-${name}-`) }));
  const match = await proc.waitForOutput(/Parlance is listening on http:\/\/localhost:(\d+)/, 90_000);
  const port = Number(match[1]);
  return Object.assign(proc, { port, address: `127.0.0.1:${port}` });
}

/** `node dist/jobs/index.js`, ready once it says it started. */
export async function startWorker(name: string, env: Record<string, string>): Promise<Proc> {
  const proc = spawnProc(name, process.execPath, ['dist/jobs/index.js'], baseEnv({ ...env, DATA_DIR: await tempDir(`parlance-topology-${name}-`) }));
  await proc.waitForOutput(/worker started/, 90_000);
  return proc;
}

export interface NginxProc extends Proc {
  base: string;
  /** The access log's lines so far: `METHOD URI STATUS upstream=ADDRESS`. */
  accessLog: () => Promise<string[]>;
  /** The error log so far (warnings and errors: failed upstreams), for failure messages. */
  errorLog: () => Promise<string>;
}

/** Debian's nginx in the foreground on deploy/nginx.conf with its placeholders replaced. */
export async function startNginx(listenPort: number, upstreams: string[]): Promise<NginxProc> {
  const prefix = await tempDir('parlance-topology-nginx-');
  const template = await readFile(path.join(root, 'deploy/nginx.conf'), 'utf8');
  const config = template
    .replaceAll('@PREFIX@', prefix)
    .replaceAll('@LISTEN@', `127.0.0.1:${listenPort}`)
    .replaceAll('@API_1@', upstreams[0])
    .replaceAll('@API_2@', upstreams[1]);
  if (/@[A-Z_0-9]+@/.test(config)) throw new Error(`deploy/nginx.conf has a placeholder the test does not fill: ${/@[A-Z_0-9]+@/.exec(config)![0]}`);
  const configPath = path.join(prefix, 'nginx.conf');
  await writeFile(configPath, config);
  const proc = spawnProc('nginx', NGINX, ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', configPath, '-g', 'daemon off;'], baseEnv({}));
  const base = `http://127.0.0.1:${listenPort}`;
  await waitFor('nginx to answer /health', async () => {
    if (proc.exited()) throw new Error(`nginx exited:\n${proc.output()}\n${await readFile(path.join(prefix, 'error.log'), 'utf8').catch(() => '')}`);
    return fetch(`${base}/health`).then((response) => response.ok, () => false);
  }, 30_000, 50);
  return Object.assign(proc, {
    base,
    accessLog: async () => (await readFile(path.join(prefix, 'access.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
    errorLog: () => readFile(path.join(prefix, 'error.log'), 'utf8').catch(() => ''),
  });
}

/** One sample of a Prometheus metric (summed over its series, or the one with `labels`) from `/metrics`. */
export async function metric(url: string, token: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let sum = 0;
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (wanted.every((pair) => (match[2] ?? '').includes(pair))) sum += Number(match[3]);
  }
  return sum;
}
