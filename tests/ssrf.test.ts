// Outbound requests to user-supplied URLs (media URL jobs, redirects, webhooks) never reach a
// loopback or private address, however it is spelled: IPv4-mapped/-compatible/-translated IPv6,
// NAT64, 6to4, hex, octal and short IPv4 forms. Every target here is loopback; a recording server
// proves nothing was fetched. The app allow-lists only the name "localhost" (so the first hop of a
// redirect can be local): every address spelling below is judged by the production rule.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { isPublicAddress, normaliseAddress } from '../server/security/addresses.ts';
import { enqueueTranscription } from '../server/services/jobs.ts';
import { emitEvent } from '../server/services/webhooks/emit.ts';
import { AddressNotAllowedError, outboundGuard } from '../server/services/urlFetch.ts';
import { waitForJob } from './helpers/jobs.ts';
import { makeSilence, makeTempDir } from './helpers/speech.ts';
import { waitFor } from './helpers/wait.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

/** Hosts (as written in a URL) that all reach 127.0.0.1, or would through a translator. */
const LOOPBACK_HOSTS = [
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[0:0:0:0:0:ffff:127.0.0.1]',
  '[::ffff:0:127.0.0.1]',
  '[::127.0.0.1]',
  '[64:ff9b::127.0.0.1]',
  '[2002:7f00:1::1]',
  '[::1]',
  '127.0.0.1',
  '0x7f.1',
  '0177.0.0.1',
  '2130706433',
  '127.1',
];

let t: TestApp;
let server: http.Server;
let port: number;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let wav: Buffer;
const requests: string[] = [];
let user: Awaited<ReturnType<typeof registerUser>>;

const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  temp = await makeTempDir('parlance-ssrf-test-');
  const { readFile } = await import('node:fs/promises');
  wav = await readFile(await makeSilence(1, path.join(temp.dir, 'a.wav')));
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '/');
    const redirect = /^\/redirect\/(.+)$/.exec(req.url ?? '');
    if (redirect) return res.writeHead(302, { location: decodeURIComponent(redirect[1]) }).end();
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  t = await createTestApp({ URL_FETCH_ALLOW_HOSTS: 'localhost', WEBHOOK_ALLOW_HOSTS: 'localhost', WEBHOOK_TIMEOUT_MS: '5000', WEBHOOK_MAX_ATTEMPTS: '1' }, { runner: true });
  user = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  server?.close();
  await temp?.cleanup();
});

describe('isPublicAddress', () => {
  it('refuses every spelling of loopback, private, link-local and reserved addresses', () => {
    for (const address of [
      ...LOOPBACK_HOSTS,
      '::ffff:10.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::192.168.0.1',
      '::ffff:169.254.169.254%eth0',
      'fe80::1%eth0',
      '[fe80::1%25lo]',
      'fd00::1',
      '::',
      '0',
      '10.1',
      '0xa9fea9fe',
      '100.64.0.1',
      '2001:db8::1',
      'ff02::1',
      'not an address',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    expect(normaliseAddress('[0:0:0:0:0:ffff:127.0.0.1]')).toBe(normaliseAddress('::ffff:7f00:1'));
    expect(normaliseAddress('0x7f.1')).toBe('127.0.0.1');
  });

  it('accepts public addresses, also when embedded in IPv6', () => {
    for (const address of ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '[2a00:1450::1]']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });
});

describe('media URL jobs', () => {
  it('refuses every loopback spelling at submission, and fetches nothing', async () => {
    const before = requests.length;
    for (const host of LOOPBACK_HOSTS) {
      const url = `http://${host}:${port}/a.wav`;
      const result = await t.gql(`mutation ($url: String!) { createTranscriptionJob(input: { url: $url }) { id } }`, { url }, { token: user.accessToken });
      expect(codeOf(result), url).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message, url).toMatch(/not allowed/);
    }
    expect(requests.slice(before)).toEqual([]);
  });

  it('refuses them again in the worker (a job queued before the rule, or a host that changed address)', async () => {
    const before = requests.length;
    const ids: string[] = [];
    for (const host of LOOPBACK_HOSTS) {
      const id = newId('Job');
      ids.push(id);
      await t.deps.db.$transaction(async (tx) => {
        await tx.job.create({ data: { id, ownerId: user.id, provider: 'LOCAL', sourceUrl: `http://${host}:${port}/a.wav`, filename: 'a.wav' } });
        await enqueueTranscription(tx, id);
      });
    }
    for (const [index, id] of ids.entries()) {
      const job = await waitForJob(t, user.accessToken, id, undefined, 60_000);
      expect(job.status, LOOPBACK_HOSTS[index]).toBe('FAILED');
      expect(job.error, LOOPBACK_HOSTS[index]).toMatch(/not allowed/);
    }
    expect(requests.slice(before)).toEqual([]);
  }, 120_000);

  it('refuses a redirect to any loopback spelling: the redirect is followed no further', async () => {
    const before = requests.length;
    for (const host of LOOPBACK_HOSTS) {
      const target = encodeURIComponent(`http://${host}:${port}/a.wav`);
      const created = await t.gql(
        `mutation ($url: String!) { createTranscriptionJob(input: { url: $url }) { id } }`,
        { url: `http://localhost:${port}/redirect/${target}` },
        { token: user.accessToken },
      );
      expect(created.errors, created.raw).toBeUndefined();
      const job = await waitForJob(t, user.accessToken, created.data!.createTranscriptionJob.id, undefined, 60_000);
      expect(job.status, host).toBe('FAILED');
      expect(job.error, host).toMatch(/not allowed/);
    }
    // Only the redirects themselves were asked for.
    expect(requests.slice(before).every((url) => url.startsWith('/redirect/'))).toBe(true);
    expect(requests.slice(before)).toHaveLength(LOOPBACK_HOSTS.length);
  }, 180_000);

  it('says only "could not connect" when a connection fails, whatever the cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // https to a closed port (connection refused) and to the plain-HTTP server (TLS fails).
    const errors: string[] = [];
    for (const url of [`https://localhost:${closedPort}/a.wav`, `https://localhost:${port}/a.wav`]) {
      const created = await t.gql(`mutation ($url: String!) { createTranscriptionJob(input: { url: $url }) { id } }`, { url }, { token: user.accessToken });
      expect(created.errors, created.raw).toBeUndefined();
      const job = await waitForJob(t, user.accessToken, created.data!.createTranscriptionJob.id, undefined, 60_000);
      expect(job.status).toBe('FAILED');
      errors.push(job.error);
    }
    expect(errors[0]).toBe('Could not fetch the URL: could not connect.');
    expect(errors[1]).toBe(errors[0]);
  }, 60_000);
});

describe('connect-time guard', () => {
  const attempt = (url: URL) =>
    new Promise<Error | number>((resolve) => {
      const { options, guard } = outboundGuard(url, []);
      const request = http.get(url, { ...options, agent: false });
      guard(request);
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', resolve);
    });

  it('refuses a host name that resolves to loopback in the lookup, and a loopback literal at connect', async () => {
    const before = requests.length;
    expect(await attempt(new URL(`http://localhost:${port}/a.wav`))).toBeInstanceOf(AddressNotAllowedError);
    expect(await attempt(new URL(`http://[::ffff:7f00:1]:${port}/a.wav`))).toBeInstanceOf(AddressNotAllowedError);
    expect(await attempt(new URL(`http://127.0.0.1:${port}/a.wav`))).toBeInstanceOf(AddressNotAllowedError);
    expect(requests.slice(before)).toEqual([]);
  });
});

describe('webhooks', () => {
  const CREATE = `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`;

  it('refuses every loopback spelling at creation', async () => {
    for (const host of LOOPBACK_HOSTS) {
      for (const scheme of ['https', 'http']) {
        const url = `${scheme}://${host}:${port}/h`;
        const result = await t.gql(CREATE, { input: { url, events: ['job.failed'] } }, { token: user.accessToken });
        expect(codeOf(result), url).toBe('BAD_USER_INPUT');
      }
    }
    expect(await t.deps.db.webhookEndpoint.count({ where: { ownerId: user.id } })).toBe(0);
  });

  async function endpointFor(ownerId: string, url: string): Promise<string> {
    const sealed = t.deps.box.seal('whsec_test', ownerId);
    const id = newId('WebhookEndpoint');
    // Written directly, as if registered before the rule (or the host's address changed since).
    await t.deps.db.webhookEndpoint.create({
      data: { id, ownerId, url, events: ['job.failed'], secretCiphertext: sealed.ciphertext, secretNonce: sealed.nonce, masterKeyId: sealed.masterKeyId },
    });
    return id;
  }

  async function lastErrorsAfterOneEvent(urls: string[]): Promise<(string | null)[]> {
    const owner = await registerUser(t);
    const ids: string[] = [];
    for (const url of urls) ids.push(await endpointFor(owner.id, url));
    expect(await emitEvent(t.deps, { type: 'job.failed', ownerId: owner.id, payload: {} })).toBe(urls.length);
    return Promise.all(
      ids.map((id) =>
        waitFor(
          `the attempt of ${id}`,
          async () => {
            const row = await t.deps.db.webhookEndpoint.findUniqueOrThrow({ where: { id } });
            return row.failureCount >= 1 || row.lastDeliveredAt ? row : null;
          },
          60_000,
        ).then((row) => row.lastError),
      ),
    );
  }

  it('never connects to a loopback spelling at delivery; lastError names the rule only', async () => {
    const before = requests.length;
    const urls = LOOPBACK_HOSTS.flatMap((host) => [`https://${host}:${port}/h`, `http://${host}:${port}/h`]);
    const errors = await lastErrorsAfterOneEvent(urls);
    for (const [index, error] of errors.entries()) expect(error, urls[index]).toMatch(/not allowed/);
    expect(requests.slice(before)).toEqual([]);
  }, 90_000);

  it('gives one lastError for a closed port and a port that does not speak TLS (no port scanning)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const [refused, notTls] = await lastErrorsAfterOneEvent([`https://localhost:${closedPort}/h`, `https://localhost:${port}/h`]);
    expect(refused).toBe('Could not connect to the endpoint.');
    expect(notTls).toBe(refused);
  }, 90_000);
});
