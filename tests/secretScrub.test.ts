// A provider key never comes back out: when a provider refuses a user's key and quotes it in its
// error (as OpenAI-compatible servers and proxies do), the canary key appears in no API response,
// job row, webhook delivery, log line, audit row or any other database row. The error stays
// readable. Also the scrubber's rule on its own.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateText } from '../server/providers/translate.ts';
import { ProviderError } from '../server/providers/types.ts';
import { REDACTED, scrubSecrets } from '../server/security/scrub.ts';
import { startFakeDeepgram, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { JOB_FIELDS, submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { waitFor } from './helpers/wait.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const OPENAI_CANARY = `sk-canary-${randomBytes(16).toString('hex')}`;
/** Deepgram keys are 40 hex characters: no telling prefix, so only the exact key rule finds it. */
const DEEPGRAM_CANARY = randomBytes(20).toString('hex');

let dir: string;
let speech: SpeechFixture;
let openai: FakeOpenAIServer;
let deepgram: FakeDeepgramServer;
let receiver: http.Server;
const delivered: string[] = [];
const responses: string[] = [];
let t: TestApp;
let user: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-secret-scrub-'));
  speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'short.wav'));
  // The server's own OpenAI key differs from the user's, so the user's (the canary) is refused
  // with a 401 that quotes the whole Authorization header.
  openai = await startFakeOpenAI({ rejectedKeyEcho: 'whole' });
  deepgram = await startFakeDeepgram({ apiKey: DEEPGRAM_CANARY });
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      delivered.push(`${JSON.stringify(req.headers)}\n${Buffer.concat(chunks).toString('utf8')}`);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t = await createTestApp(
    { OPENAI_BASE_URL: openai.baseURL, DEEPGRAM_BASE_URL: deepgram.baseUrl, WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
    { runner: true },
  );
  user = await registerUser(t);
  for (const [provider, secret] of [['OPENAI', OPENAI_CANARY], ['DEEPGRAM', DEEPGRAM_CANARY]] as const) {
    const result = await t.gql(
      `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`,
      { input: { provider, name: `${provider} key`, secret } },
      { token: user.accessToken },
    );
    expect(result.errors, result.raw).toBeUndefined();
  }
  const hook = await t.gql(
    `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`,
    { input: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['job.completed', 'job.failed'] } },
    { token: user.accessToken },
  );
  expect(hook.errors, hook.raw).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await openai?.close();
  await deepgram?.close();
  receiver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function submit(input: Record<string, unknown>): Promise<string> {
  const result = await submitFile(t, user.accessToken, speech.wavPath, input);
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.createTranscriptionJob.id as string;
}

/** The job as its owner reads it: every field, kept for the final check. */
async function readJob(id: string): Promise<Record<string, any>> {
  const result = await t.gql(`query ($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id }, { token: user.accessToken });
  responses.push(result.raw);
  return result.data!.job;
}

/** Every row of every table (ours and graphile-worker's) whose text holds `needle`. */
async function rowsContaining(needle: string): Promise<string[]> {
  const tables = await t.deps.db.$queryRaw<{ schema: string; name: string }[]>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
    WHERE table_schema IN ('public', 'graphile_worker') AND table_type = 'BASE TABLE'`;
  const found: string[] = [];
  for (const { schema, name } of tables) {
    const [{ n }] = await t.deps.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${schema}"."${name}" AS r WHERE r::text LIKE '%' || $1 || '%'`,
      needle,
    );
    if (n > 0) found.push(`${schema}.${name}`);
  }
  return found;
}

describe('a refused provider key stays secret', () => {
  it('OpenAI: the 401 quoting the key fails the job with a readable reason and no key', async () => {
    const id = await submit({ provider: 'OPENAI' });
    const job = await waitForJob(t, user.accessToken, id, undefined, 60_000);
    responses.push(JSON.stringify(job));
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatch(/^The provider rejected the key: OpenAI 401: Incorrect API key provided/);
    expect(job.error).not.toContain(OPENAI_CANARY);
    expect(openai.requests.map((r) => r.status)).toContain(401);
  }, 90_000);

  it('Deepgram: a 401 quoting the key (a proxy in front of it) fails the job without the key', async () => {
    deepgram.failNext(401, 1, {}, { body: { err_code: 'INVALID_AUTH', err_msg: `Invalid credentials: Token ${DEEPGRAM_CANARY}`, request_id: 'b2c7e0d4' } });
    const id = await submit({ provider: 'DEEPGRAM' });
    const job = await waitForJob(t, user.accessToken, id, undefined, 60_000);
    responses.push(JSON.stringify(job));
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatch(/Deepgram 401: Invalid credentials/);
    expect(job.error).not.toContain(DEEPGRAM_CANARY);
  }, 90_000);

  it('translation: the OpenAI 401 quoting the key leaves no key on the job', async () => {
    const chatRequests = () => openai.requests.filter((r) => r.path === '/v1/chat/completions' && r.status === 401).length;
    const refusedBefore = chatRequests();
    const id = await submit({ provider: 'DEEPGRAM', translateTo: 'de' });
    await waitFor('the refused translation request', async () => chatRequests() > refusedBefore, 60_000);
    // Settled one way or the other: the job failed, or it completed and its translation failed.
    await waitFor(
      'the translation failure to be recorded',
      async () => {
        const [row] = await t.deps.db.$queryRaw<{ r: Record<string, unknown> }[]>`SELECT row_to_json(j) AS r FROM jobs j WHERE id = ${id}`;
        return row.r.status === 'FAILED' || row.r.translation_status === 'FAILED' ? row.r : null;
      },
      60_000,
    );
    await readJob(id);
    // And the provider-level error itself, as the translation step receives it.
    const error = await translateText('Hello there.', 'de', { apiKey: OPENAI_CANARY, baseURL: openai.baseURL, model: 'gpt-4o-mini' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('auth');
    expect((error as ProviderError).message).toMatch(/OpenAI 401: Incorrect API key provided/);
    expect((error as ProviderError).message).not.toContain(OPENAI_CANARY);
  }, 120_000);

  it('no canary anywhere: responses, rows (jobs, webhook deliveries, audit, queue), deliveries, logs', async () => {
    // Every job.failed / job.completed event has reached the receiver.
    const events = await t.deps.db.webhookDelivery.count();
    await waitFor('the deliveries', async () => (delivered.length >= events ? true : null), 60_000);
    const list = await t.gql(`{ jobs(first: 20) { edges { node { ${JOB_FIELDS} } } } }`, {}, { token: user.accessToken });
    responses.push(list.raw);
    for (const canary of [OPENAI_CANARY, DEEPGRAM_CANARY]) {
      for (const text of [...responses, ...delivered, t.logs.join('')]) expect(text).not.toContain(canary);
      expect(await rowsContaining(canary)).toEqual([]);
    }
    expect(delivered.some((body) => body.includes('The provider rejected the key'))).toBe(true);
  }, 90_000);
});

describe('scrubSecrets', () => {
  it('cuts the keys in use and credential-shaped tokens, and leaves ordinary text alone', () => {
    const key = 'my-custom-key-value';
    expect(scrubSecrets(`rejected ${key} here`, [key])).toBe(`rejected ${REDACTED} here`);
    for (const secret of [
      `Bearer ${OPENAI_CANARY}`,
      'sk-proj-********************abcd',
      'Token 0123456789abcdef0123456789abcdef01234567',
      DEEPGRAM_CANARY,
      'api_key=abc123def456',
      'xoxb-1234-5678-abcdefgh',
    ]) {
      expect(scrubSecrets(`OpenAI 401: Incorrect API key provided: ${secret}. Try again.`), secret).not.toContain(secret);
    }
    for (const text of [
      'The model `gpt-4o-mini-transcribe-2025-03-20` does not exist or you do not have access to it.',
      "This model's maximum context length is 4096 tokens. However, your messages resulted in 5000 tokens.",
      'Deepgram 400: Bad Request: failed to process audio: corrupt or unsupported data (request 1f3c8a0e-7b2d-4c55-9a61-0d2f4e6b8c19)',
    ]) {
      expect(scrubSecrets(text)).toBe(text);
    }
  });
});
