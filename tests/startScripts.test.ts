// `npm start` runs compiled JavaScript (scripts/build-server.mjs builds dist/ when a source is newer)
// in one node process: no tsx loader or tsx wrapper process, and no shell left between npm and the server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
let dataDir: string;
let npm: ChildProcess | null = null;

afterAll(async () => {
  if (npm && npm.exitCode === null) npm.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Proc {
  pid: number;
  ppid: number;
  args: string;
}

function descendantsOf(pid: number): Proc[] {
  const all = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] }));
  const found: Proc[] = [];
  const walk = (parent: number) => {
    for (const proc of all.filter((candidate) => candidate.ppid === parent)) {
      found.push(proc);
      walk(proc.pid);
    }
  };
  walk(pid);
  return found;
}

describe('npm start', () => {
  it('serves from one node process running dist/, with no tsx or shell wrapper under npm', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'parlance-npm-start-'));
    await chmod(dataDir, 0o755);
    npm = spawn('npm', ['start'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development', SHUTDOWN_TIMEOUT_MS: '10000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const base = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Parlance is listening on (http:\/\/localhost:\d+)/.exec(output);
        if (match) resolve(match[1]);
      };
      npm!.stdout!.on('data', onData);
      npm!.stderr!.on('data', onData);
      npm!.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
    expect((await fetch(`${base}/health`)).status).toBe(200);

    const tree = descendantsOf(npm.pid!);
    const ours = tree.filter((proc) => !/postgres/.test(proc.args));
    expect(ours.map((proc) => proc.args)).toEqual([expect.stringMatching(/^node(\s|$).*dist\/server\/index\.js$/)]);
    expect(ours[0].ppid).toBe(npm.pid);
    expect(tree.some((proc) => /tsx|sh -c/.test(proc.args))).toBe(false);

    const exited = new Promise<number | null>((resolve) => npm!.once('exit', resolve));
    process.kill(ours[0].pid, 'SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);
});
