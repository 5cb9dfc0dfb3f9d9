// Provider routing with fallback (README, "Provider routing and fallback"): a job names engines in
// order and moves on to the next when one is unavailable (no key, a refused key) or keeps failing
// after its retries (5xx, timeouts, 429 beyond the backoff); finished chunks are kept, each segment
// says which engine produced it, usage is recorded per engine, and a subscriber sees the switch.
// The cloud engines are the OpenAI and Deepgram protocol fakes made to fail; LOCAL is PocketSphinx.
// Also "Better accuracy": an OpenAI-compatible server without a key, first, with LOCAL as fallback.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parseWav } from '../server/providers/local/wav.ts';
import { publishJobChange } from '../server/services/jobs.ts';
import { startFakeDeepgram, wordsFromText as dgWords, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import type { HeldRequest } from './fakes/httpFake.ts';
import { collect, connectWs } from './helpers/graphqlWs.ts';
import { submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const SHORT = ['the weather is nice today', 'please call me tomorrow morning'];
const LONG = [
  'the weather is nice today',
  'please call me tomorrow morning',
  'we need more time to finish the project',
  'the train leaves at seven in the evening',
  'she bought fresh bread at the market',
  'turn left at the second traffic light',
  'thank you for listening to this recording',
];
const CHUNK_SECONDS = 8;

const OPENAI_KEY = `sk-route-${randomBytes(12).toString('hex')}`;
const DEEPGRAM_KEY = randomBytes(20).toString('hex');
const SECRETS = [OPENAI_KEY, DEEPGRAM_KEY];

const JOB = `id status error provider providers currentProvider mediaDurationSeconds progress
  events { at kind from to reason chunkIndex }
  segments { index start end text provider }`;

type User = Awaited<ReturnType<typeof registerUser>>;

let dir: string;
let short: SpeechFixture;
let long: SpeechFixture;
let openai: FakeOpenAIServer;
let deepgram: FakeDeepgramServer;
/** Both cloud fakes, keyed; alice has both keys. */
let t: TestApp;
let alice: User;
/** Every answer the API gave, to prove no key ever came back out. */
const answers: string[] = [];
const held: HeldRequest[] = [];

async function gql(app: TestApp, user: User, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const result = await app.gql(query, variables, { token: user.accessToken });
  answers.push(result.raw);
  return result;
}

async function setKey(app: TestApp, user: User, provider: 'OPENAI' | 'DEEPGRAM', secret: string): Promise<void> {
  const result = await gql(app, user, `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`, {
    input: { provider, name: `${provider} key`, secret },
  });
  expect(result.errors, result.raw).toBeUndefined();
}

async function submit(app: TestApp, user: User, file: string, input: Record<string, unknown>): Promise<string> {
  const result = await submitFile(app, user.accessToken, file, input, { fields: 'id status provider providers' });
  answers.push(result.raw);
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.createTranscriptionJob.id as string;
}

async function finished(app: TestApp, user: User, id: string): Promise<Record<string, any>> {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const result = await gql(app, user, `query ($id: ID!) { job(id: $id) { ${JOB} } }`, { id });
      const job = result.data?.job;
      return job && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : null;
    },
    180_000,
    150,
  );
}

/**
 * No chunk lost or transcribed twice at a switch: the chunks cover the audio end to end, each once,
 * each by one engine; every segment lies inside its chunk and carries that chunk's engine; segment
 * indexes run without gaps. Returns the engine of each chunk.
 */
async function assertChunksAndSegments(app: TestApp, id: string): Promise<string[]> {
  const job = await app.deps.db.job.findUniqueOrThrow({ where: { id } });
  const chunks = await app.deps.db.jobChunk.findMany({ where: { jobId: id }, orderBy: { idx: 'asc' } });
  const segments = await app.deps.db.transcriptSegment.findMany({ where: { jobId: id }, orderBy: { idx: 'asc' } });
  expect(chunks.map((chunk) => chunk.idx)).toEqual([...Array(job.chunksTotal).keys()]);
  expect(chunks[0].startSeconds).toBe(0);
  for (let i = 1; i < chunks.length; i += 1) expect(chunks[i].startSeconds).toBeCloseTo(chunks[i - 1].endSeconds, 6);
  expect(chunks.at(-1)!.endSeconds).toBeCloseTo(job.mediaDurationSeconds!, 1);
  expect(segments.map((segment) => segment.idx)).toEqual([...segments.keys()]);
  for (const chunk of chunks) {
    const own = segments.filter((segment) => segment.chunkIndex === chunk.idx);
    expect(own.length, `segments of chunk ${chunk.idx}`).toBeGreaterThan(0);
    for (const segment of own) {
      expect(segment.provider).toBe(chunk.provider);
      expect(segment.startSeconds).toBeGreaterThanOrEqual(chunk.startSeconds - 0.001);
      expect(segment.endSeconds).toBeLessThanOrEqual(chunk.endSeconds + 0.001);
    }
  }
  const chunkOrder = segments.map((segment) => segment.chunkIndex);
  expect(chunkOrder).toEqual([...chunkOrder].sort((a, b) => a - b));
  return chunks.map((chunk) => chunk.provider);
}

const eventsOf = (job: Record<string, any>) => (job.events as Array<Record<string, any>>).map((e) => [e.kind, e.from, e.to]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-routing-'));
  [short, long] = await Promise.all([
    makeSpeechFixture(SHORT, path.join(dir, 'short.wav'), { pauseSeconds: 1 }),
    makeSpeechFixture(LONG, path.join(dir, 'long.wav')),
  ]);
  expect(short.durationSeconds).toBeLessThan(CHUNK_SECONDS);
  expect(long.durationSeconds).toBeGreaterThan(3 * CHUNK_SECONDS);

  openai = await startFakeOpenAI({ apiKey: OPENAI_KEY, rejectedKeyEcho: 'whole' });
  deepgram = await startFakeDeepgram({ apiKey: DEEPGRAM_KEY });
  t = await createTestApp(
    {
      OPENAI_BASE_URL: openai.baseURL,
      DEEPGRAM_BASE_URL: deepgram.baseUrl,
      CHUNK_SECONDS: String(CHUNK_SECONDS),
      // Retries are immediate here; a retry-after above 50 ms is "beyond the backoff".
      PROVIDER_RETRIES: '2',
      PROVIDER_RETRY_DELAY_MS: '0',
      PROVIDER_RETRY_MAX_DELAY_MS: '50',
      DEEPGRAM_TIMEOUT_MS: '2000',
      // Live audio goes as fast as the server acknowledges it.
      LIVE_MAX_SPEED: '100000',
      LIVE_BURST_SECONDS: '100000',
      LIVE_AUDIO_CHUNKS_PER_SECOND: '10000',
    },
    { runner: true },
  );
  alice = await registerUser(t);
  await setKey(t, alice, 'OPENAI', OPENAI_KEY);
  await setKey(t, alice, 'DEEPGRAM', DEEPGRAM_KEY);
}, 120_000);

afterAll(async () => {
  for (const request of held) request.release();
  await t?.close();
  await openai?.close();
  await deepgram?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('submission', () => {
  it('takes an ordered list, keeps provider as its one-element form, and refuses only what no engine can do', async () => {
    const listed = await submitFile(t, alice.accessToken, short.wavPath, { providers: ['LOCAL', 'DEEPGRAM'], model: 'nova-3' }, {
      fields: 'id provider providers currentProvider events { kind from to reason }',
    });
    expect(listed.errors, listed.raw).toBeUndefined();
    // LOCAL has no model choice: skipped (and said so), DEEPGRAM has.
    expect(listed.data!.createTranscriptionJob).toMatchObject({
      provider: 'DEEPGRAM',
      providers: ['DEEPGRAM'],
      currentProvider: 'DEEPGRAM',
      events: [{ kind: 'PROVIDER_SKIPPED', from: 'LOCAL', to: null, reason: expect.stringContaining('LOCAL cannot use model "nova-3"') }],
    });
    await finished(t, alice, listed.data!.createTranscriptionJob.id);

    const single = await submitFile(t, alice.accessToken, short.wavPath, { provider: 'LOCAL' }, { fields: 'id provider providers events { kind }' });
    expect(single.data!.createTranscriptionJob).toMatchObject({ provider: 'LOCAL', providers: ['LOCAL'], events: [] });
    await finished(t, alice, single.data!.createTranscriptionJob.id);

    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ providers: ['LOCAL'], model: 'large' }, 'LOCAL cannot use model'],
      [{ provider: 'LOCAL', providers: ['LOCAL'] }, 'not both'],
      [{ providers: [] }, 'at least one engine'],
      [{ providers: ['OPENAI', 'OPENAI'] }, 'twice'],
      [{ providers: ['GOOGLE', 'LOCAL'] }, 'not a speech engine'],
    ];
    for (const [input, message] of refusals) {
      const refused = await submitFile(t, alice.accessToken, short.wavPath, input);
      expect(refused.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(refused.errors![0].message).toContain(message);
    }
  });

  it("a project's owner sets its default order; jobs in it that name no engine use it", async () => {
    const created = await gql(t, alice, `mutation { createProject(input: { name: "Routing" }) { id providerOrder } }`);
    const projectId = created.data!.createProject.id as string;
    expect(created.data!.createProject.providerOrder).toEqual([]);
    const updated = await gql(t, alice, `mutation ($id: ID!) { updateProject(id: $id, input: { providerOrder: [DEEPGRAM, LOCAL] }) { providerOrder } }`, { id: projectId });
    expect(updated.data!.updateProject.providerOrder).toEqual(['DEEPGRAM', 'LOCAL']);
    const twice = await gql(t, alice, `mutation ($id: ID!) { updateProject(id: $id, input: { providerOrder: [LOCAL, LOCAL] }) { id } }`, { id: projectId });
    expect(twice.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    deepgram.setTranscript(() => ({ words: dgWords('From the project order.', { start: 0.4 }) }));
    const id = await submit(t, alice, short.wavPath, { projectId });
    const job = await finished(t, alice, id);
    expect(job).toMatchObject({ status: 'COMPLETED', provider: 'DEEPGRAM', providers: ['DEEPGRAM', 'LOCAL'], currentProvider: 'DEEPGRAM' });
    // The job's own list wins over the project's.
    const own = await submitFile(t, alice.accessToken, short.wavPath, { projectId, providers: ['LOCAL'] }, { fields: 'id providers' });
    expect(own.data!.createTranscriptionJob.providers).toEqual(['LOCAL']);
    await finished(t, alice, own.data!.createTranscriptionJob.id);
  });
});

describe('fallback', () => {
  it('a refused key (401 quoting it): the job moves on at once and finishes on its second engine', async () => {
    deepgram.failNext(401, 1, {}, { body: { err_code: 'INVALID_AUTH', err_msg: `Invalid credentials: token ${DEEPGRAM_KEY} is not valid`, request_id: 'r1' } });
    openai.setTranscript(() => wordsFromText('Served by the second engine.', { start: 0.5 }));
    const id = await submit(t, alice, short.wavPath, { providers: ['DEEPGRAM', 'OPENAI'] });
    const job = await finished(t, alice, id);
    expect(job).toMatchObject({ status: 'COMPLETED', provider: 'DEEPGRAM', providers: ['DEEPGRAM', 'OPENAI'], currentProvider: 'OPENAI' });
    expect(eventsOf(job)).toEqual([['PROVIDER_SWITCHED', 'DEEPGRAM', 'OPENAI']]);
    expect(job.events[0]).toMatchObject({ chunkIndex: 0, reason: expect.stringContaining('401') });
    expect(job.segments).toMatchObject([{ text: 'Served by the second engine.', provider: 'OPENAI' }]);
    expect(await assertChunksAndSegments(t, id)).toEqual(['OPENAI']);
    const usage = await t.deps.db.usageRecord.findMany({ where: { jobId: id } });
    expect(usage.map((u) => u.provider)).toEqual(['OPENAI']);
    expect(usage[0].audioSeconds).toBeCloseTo(job.mediaDurationSeconds, 3);
  });

  it('repeated 5xx on two engines: the job finishes on its third; no chunk lost or repeated; usage per engine', async () => {
    const carol = await registerUser(t);
    await setKey(t, carol, 'OPENAI', OPENAI_KEY);
    await setKey(t, carol, 'DEEPGRAM', DEEPGRAM_KEY);
    // OPENAI does chunks 0 and 1, then answers 500 three times (the try and both retries) on chunk 2;
    // DEEPGRAM does chunk 2, then 503 three times on chunk 3; LOCAL does the rest.
    let openaiDone = 0;
    openai.setTranscript(() => {
      openaiDone += 1;
      if (openaiDone === 2) openai.failNext(500, 3);
      return wordsFromText(`Part ${openaiDone} from the first engine.`, { start: 0.5 });
    });
    deepgram.setTranscript(() => {
      deepgram.failNext(503, 3);
      return { words: dgWords('Then from the second engine.', { start: 0.4 }) };
    });
    const id = await submit(t, carol, long.wavPath, { providers: ['OPENAI', 'DEEPGRAM', 'LOCAL'] });
    const job = await finished(t, carol, id);
    expect(job, job.error).toMatchObject({ status: 'COMPLETED', provider: 'OPENAI', currentProvider: 'LOCAL' });
    expect(eventsOf(job)).toEqual([
      ['PROVIDER_RETRIED', 'OPENAI', null],
      ['PROVIDER_RETRIED', 'OPENAI', null],
      ['PROVIDER_SWITCHED', 'OPENAI', 'DEEPGRAM'],
      ['PROVIDER_RETRIED', 'DEEPGRAM', null],
      ['PROVIDER_RETRIED', 'DEEPGRAM', null],
      ['PROVIDER_SWITCHED', 'DEEPGRAM', 'LOCAL'],
    ]);
    expect(job.events[2]).toMatchObject({ chunkIndex: 2, reason: expect.stringMatching(/kept failing \(after 2 retries\).*500/) });
    expect(job.events[5]).toMatchObject({ chunkIndex: 3, reason: expect.stringContaining('503') });

    const engines = await assertChunksAndSegments(t, id);
    expect(engines.slice(0, 4)).toEqual(['OPENAI', 'OPENAI', 'DEEPGRAM', 'LOCAL']);
    expect(new Set(engines.slice(3))).toEqual(new Set(['LOCAL']));
    // Each chunk went to an engine that answered exactly once.
    expect(openai.transcriptions.length).toBeGreaterThanOrEqual(2);
    expect(job.segments.filter((s: { text: string }) => s.text === 'Part 1 from the first engine.')).toHaveLength(1);
    expect(job.segments.filter((s: { text: string }) => s.text === 'Part 2 from the first engine.')).toHaveLength(1);
    expect(job.segments.filter((s: { text: string }) => s.text === 'Then from the second engine.')).toHaveLength(1);

    // One usage record per engine, with the seconds of the chunks it transcribed, adding up to the whole.
    const chunks = await t.deps.db.jobChunk.findMany({ where: { jobId: id } });
    const usage = await t.deps.db.usageRecord.findMany({ where: { jobId: id }, orderBy: { provider: 'asc' } });
    expect(usage.map((u) => u.provider).sort()).toEqual(['DEEPGRAM', 'LOCAL', 'OPENAI']);
    for (const record of usage) {
      const seconds = chunks.filter((c) => c.provider === record.provider).reduce((sum, c) => sum + c.endSeconds - c.startSeconds, 0);
      expect(record.audioSeconds, record.provider).toBeCloseTo(seconds, 3);
    }
    expect(usage.reduce((sum, u) => sum + u.audioSeconds, 0)).toBeCloseTo(job.mediaDurationSeconds, 3);
    const byProvider = await gql(t, carol, `{ usage(groupBy: PROVIDER) { key jobs audioSeconds } days: usage(groupBy: DAY) { jobs } }`);
    expect(byProvider.data!.usage.map((b: { key: string; jobs: number }) => [b.key, b.jobs])).toEqual([['DEEPGRAM', 1], ['LOCAL', 1], ['OPENAI', 1]]);
    // Across engines the job still counts once.
    expect(byProvider.data!.days.reduce((sum: number, d: { jobs: number }) => sum + d.jobs, 0)).toBe(1);
  }, 240_000);

  it('timeouts: an engine that never answers is retried, then the job moves on', async () => {
    for (let i = 0; i < 3; i += 1) held.push(deepgram.holdNext());
    openai.setTranscript(() => wordsFromText('After the timeouts.', { start: 0.5 }));
    const id = await submit(t, alice, short.wavPath, { providers: ['DEEPGRAM', 'OPENAI'] });
    const job = await finished(t, alice, id);
    expect(job).toMatchObject({ status: 'COMPLETED', currentProvider: 'OPENAI' });
    expect(eventsOf(job)).toEqual([
      ['PROVIDER_RETRIED', 'DEEPGRAM', null],
      ['PROVIDER_RETRIED', 'DEEPGRAM', null],
      ['PROVIDER_SWITCHED', 'DEEPGRAM', 'OPENAI'],
    ]);
    expect(job.events[2].reason).toMatch(/timed out/);
    expect(await assertChunksAndSegments(t, id)).toEqual(['OPENAI']);
  }, 120_000);

  it('429: a short retry-after is waited out; one beyond the backoff moves the job on at once', async () => {
    openai.failNext(429, 1, { 'retry-after': '0' });
    openai.failNext(429, 1, { 'retry-after': '120' });
    deepgram.setTranscript(() => ({ words: dgWords('After the rate limit.', { start: 0.4 }) }));
    const id = await submit(t, alice, short.wavPath, { providers: ['OPENAI', 'DEEPGRAM'] });
    const job = await finished(t, alice, id);
    expect(job).toMatchObject({ status: 'COMPLETED', currentProvider: 'DEEPGRAM' });
    expect(eventsOf(job)).toEqual([
      ['PROVIDER_RETRIED', 'OPENAI', null],
      ['PROVIDER_SWITCHED', 'OPENAI', 'DEEPGRAM'],
    ]);
    expect(job.events[1].reason).toContain('429');
    expect(await assertChunksAndSegments(t, id)).toEqual(['DEEPGRAM']);
  });

  it('the last engine keeps the queue policy: a refused key there fails the job with the reason', async () => {
    openai.failNext(401, 1, {}, { body: { error: { message: `Incorrect API key provided: Bearer ${OPENAI_KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' } } });
    deepgram.failNext(401, 1, {}, { body: { err_code: 'INVALID_AUTH', err_msg: `Invalid credentials: ${DEEPGRAM_KEY}` } });
    const id = await submit(t, alice, short.wavPath, { providers: ['DEEPGRAM', 'OPENAI'] });
    const job = await finished(t, alice, id);
    expect(job).toMatchObject({ status: 'FAILED', currentProvider: 'OPENAI', segments: [] });
    expect(job.error).toContain('401');
    expect(eventsOf(job)).toEqual([['PROVIDER_SWITCHED', 'DEEPGRAM', 'OPENAI']]);
  });

  it('a subscriber to jobUpdated sees the switch when it happens', async () => {
    deepgram.setTranscript(() => {
      deepgram.failNext(502, 3);
      return { words: dgWords('Before the switch.', { start: 0.4 }) };
    });
    openai.setTranscript(() => wordsFromText('After the switch.', { start: 0.5 }));
    const first = deepgram.holdNext();
    held.push(first);
    const id = await submit(t, alice, long.wavPath, { providers: ['DEEPGRAM', 'OPENAI'] });
    await first.arrival();
    const client = connectWs(await t.listen(), alice.accessToken);
    const updates = collect<{ data: { jobUpdated: Record<string, any> } }>(
      client,
      `subscription ($id: ID!) { jobUpdated(id: $id) { status progress currentProvider events { kind from to reason } } }`,
      { id },
    );
    try {
      // The subscription is live once it delivers a change published now.
      const row = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
      await waitFor('the subscription to deliver', async () => {
        await publishJobChange(t.deps, row);
        return updates.events.length > 0;
      }, 30_000, 200);
      first.release();
      const { events } = await updates.done;
      const seen = events.map((event) => event.data.jobUpdated);
      answers.push(JSON.stringify(seen));
      const switched = seen.findIndex((job) => job.events.some((e: { kind: string }) => e.kind === 'PROVIDER_SWITCHED'));
      expect(switched).toBeGreaterThan(0);
      // That update is the switch itself: still on chunk 1's progress, before OPENAI stored anything.
      expect(seen[switched]).toMatchObject({ status: 'PROCESSING', currentProvider: 'OPENAI' });
      expect(seen[switched].progress).toBe(seen[switched - 1].progress);
      expect(seen[switched].events.at(-1)).toMatchObject({ kind: 'PROVIDER_SWITCHED', from: 'DEEPGRAM', to: 'OPENAI', reason: expect.stringContaining('502') });
      expect(seen.at(-1)).toMatchObject({ status: 'COMPLETED', currentProvider: 'OPENAI' });
    } finally {
      updates.unsubscribe();
      await client.dispose();
    }
    expect((await assertChunksAndSegments(t, id))[0]).toBe('DEEPGRAM');
  }, 120_000);
});

describe('live sessions', () => {
  it('fall back at an utterance boundary: DEEPGRAM fails mid-session, LOCAL goes on from the end of its last final', async () => {
    const [first, second] = short.sentences;
    // Deepgram "hears" the first sentence where it lies in the audio.
    const words = first.text.split(' ');
    const step = (first.end - first.start - 0.2) / words.length;
    deepgram.setLive(() => words.map((word, i) => ({ word: i === 0 ? 'The' : i === words.length - 1 ? `${word}.` : word, start: first.start + 0.1 + i * step, end: first.start + 0.1 + (i + 0.8) * step })));
    const before = deepgram.liveSessions.length;
    const started = await gql(t, alice, `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id provider providers currentProvider } }`, {
      input: { providers: ['DEEPGRAM', 'LOCAL'], encoding: 'PCM_S16LE', sampleRate: 16000, language: 'en' },
    });
    expect(started.errors, started.raw).toBeUndefined();
    const id = started.data!.startLiveSession.id as string;
    expect(started.data!.startLiveSession).toMatchObject({ provider: 'DEEPGRAM', providers: ['DEEPGRAM', 'LOCAL'], currentProvider: 'DEEPGRAM' });
    const socket = await deepgram.waitForLiveSession(before, 30_000);

    const client = connectWs(await t.listen(), alice.accessToken);
    const listeners = t.deps.subscriber!.listenerCount();
    const chunks = collect<{ data: { transcriptChunks: { isFinal: boolean; segment: { index: number; text: string; provider: string | null } } } }>(
      client,
      `subscription ($id: ID) { transcriptChunks(sessionId: $id) { isFinal segment { index text provider } } }`,
      { id },
    );
    await waitFor('the chunk subscription', async () => t.deps.subscriber!.listenerCount() > listeners, 30_000, 20);
    const pcm = parseWav(await readFile(short.wavPath)).data;
    const bytesAt = (seconds: number) => Math.floor(seconds * 16_000) * 2;
    let seq = 0;
    const send = async (from: number, to: number) => {
      for (let offset = from; offset < to; offset += 6400) {
        const result = await gql(t, alice, `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`, {
          id,
          seq: seq++,
          chunk: pcm.subarray(offset, Math.min(to, offset + 6400)).toString('base64'),
        });
        expect(result.errors, result.raw).toBeUndefined();
      }
    };
    try {
      // Up to the middle of the pause after the first sentence: Deepgram's final for it arrives.
      const pause = bytesAt((first.end + second.start) / 2);
      await send(0, pause);
      const finals = () => chunks.events.filter((event) => event.data.transcriptChunks.isFinal);
      await waitFor('the first final from DEEPGRAM', async () => finals().length > 0, 60_000);
      // Deepgram drops the stream (as it does after a network fault): the session falls back.
      socket.close(1011, 'NET-0001');
      await waitFor('the switch to LOCAL', async () => (await t.deps.db.liveSession.findUniqueOrThrow({ where: { id } })).currentProvider === 'LOCAL', 30_000);
      await send(pause, pcm.length);
      const ended = await gql(t, alice, `mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id });
      expect(ended.errors, ended.raw).toBeUndefined();
      await chunks.done;
    } finally {
      chunks.unsubscribe();
      await client.dispose();
    }
    const result = await gql(t, alice, `query ($id: ID!) { liveSession(id: $id) { providers currentProvider segments { index start end text provider } } }`, { id });
    const session = result.data!.liveSession;
    expect(session).toMatchObject({ providers: ['DEEPGRAM', 'LOCAL'], currentProvider: 'LOCAL' });
    const segments = session.segments as Array<{ index: number; start: number; end: number; text: string; provider: string }>;
    expect(segments.map((segment) => segment.index)).toEqual([...segments.keys()]);
    expect(segments[0]).toMatchObject({ provider: 'DEEPGRAM', text: 'The weather is nice today.' });
    const rest = segments.slice(1);
    expect(rest.length).toBeGreaterThan(0);
    // Nothing heard twice: LOCAL starts where Deepgram's last final ended and never says its words;
    // nothing lost: the second sentence is there.
    for (const segment of rest) {
      expect(segment.provider).toBe('LOCAL');
      expect(segment.start).toBeGreaterThanOrEqual(segments[0].end - 0.001);
    }
    const later = rest.map((segment) => segment.text).join(' ');
    expect(later).not.toMatch(/weather|nice/);
    expect(later).toMatch(/call|tomorrow|morning/);
    // What subscribers saw matches what was stored.
    const seen = chunks.events.map((event) => event.data.transcriptChunks).filter((chunk) => chunk.isFinal);
    expect(seen.map((chunk) => chunk.segment.text)).toEqual(segments.map((segment) => segment.text));
    // The subscriber saw the switch: its finals name DEEPGRAM, then LOCAL.
    expect([...new Set(seen.map((chunk) => chunk.segment.provider))]).toEqual(['DEEPGRAM', 'LOCAL']);
    // Usage: one record per engine, split where LOCAL took over (the end of Deepgram's last final),
    // adding up to the session's length.
    const { receivedSeconds } = await t.deps.db.liveSession.findUniqueOrThrow({ where: { id } });
    const usage = await t.deps.db.usageRecord.findMany({ where: { sessionId: id } });
    expect(usage.map((record) => record.provider).sort()).toEqual(['DEEPGRAM', 'LOCAL']);
    const deepgramUsage = usage.find((record) => record.provider === 'DEEPGRAM')!;
    const localUsage = usage.find((record) => record.provider === 'LOCAL')!;
    expect(deepgramUsage.audioSeconds).toBeCloseTo(segments[0].end, 2);
    expect(deepgramUsage.audioSeconds + localUsage.audioSeconds).toBeCloseTo(receivedSeconds, 6);
    const byProvider = await gql(t, alice, `{ usage(groupBy: PROVIDER) { key liveSessions audioSeconds } }`);
    expect(byProvider.errors, byProvider.raw).toBeUndefined();
    const live = (byProvider.data!.usage as Array<{ key: string; liveSessions: number; audioSeconds: number }>).filter((bucket) => bucket.liveSessions > 0);
    expect(live.map((bucket) => bucket.key)).toEqual(['DEEPGRAM', 'LOCAL']);
  }, 180_000);
});

describe('Better accuracy: a keyless OpenAI-compatible server first, LOCAL as the fallback', () => {
  let whisper: FakeOpenAIServer;
  let local: TestApp;
  let bob: User;

  beforeAll(async () => {
    // Like speaches or faster-whisper-server next to Parlance: no key, OPENAI_BASE_URL only.
    whisper = await startFakeOpenAI({ apiKey: null });
    local = await createTestApp(
      { OPENAI_BASE_URL: whisper.baseURL, PROVIDER_ORDER: 'OPENAI,LOCAL', PROVIDER_RETRIES: '1', PROVIDER_RETRY_DELAY_MS: '0' },
      { runner: true },
    );
    bob = await registerUser(local);
  }, 120_000);

  afterAll(async () => {
    await local?.close();
    await whisper?.close();
  });

  it('jobs go to the keyless server first (no Authorization sent), with no key anywhere', async () => {
    whisper.setTranscript(() => wordsFromText('Transcribed by a local whisper server.', { start: 0.2 }));
    const id = await submit(local, bob, short.wavPath, {});
    const job = await finished(local, bob, id);
    expect(job).toMatchObject({ status: 'COMPLETED', provider: 'OPENAI', providers: ['OPENAI', 'LOCAL'], currentProvider: 'OPENAI', events: [] });
    expect(job.segments).toMatchObject([{ text: 'Transcribed by a local whisper server.', provider: 'OPENAI' }]);
    expect(whisper.transcriptions.at(-1)!.authorization ?? null).toBeNull();
  });

  it('an engine with no key at all is passed over', async () => {
    // DEEPGRAM has neither a server key, a base URL nor a key of bob's.
    whisper.setTranscript(() => wordsFromText('No Deepgram key here.', { start: 0.2 }));
    const id = await submit(local, bob, short.wavPath, { providers: ['DEEPGRAM', 'OPENAI'] });
    const job = await finished(local, bob, id);
    expect(job).toMatchObject({ status: 'COMPLETED', currentProvider: 'OPENAI' });
    expect(job.events).toMatchObject([{ kind: 'PROVIDER_SWITCHED', from: 'DEEPGRAM', to: 'OPENAI', reason: expect.stringContaining('No DEEPGRAM key') }]);
    // Alone, it is refused at submission as before.
    const refused = await submitFile(local, bob.accessToken, short.wavPath, { provider: 'DEEPGRAM' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('when the whisper server is down, LOCAL transcribes', async () => {
    await whisper.close();
    const id = await submit(local, bob, short.wavPath, {});
    const job = await finished(local, bob, id);
    expect(job, job.error).toMatchObject({ status: 'COMPLETED', provider: 'OPENAI', currentProvider: 'LOCAL' });
    expect(eventsOf(job)).toEqual([
      ['PROVIDER_RETRIED', 'OPENAI', null],
      ['PROVIDER_SWITCHED', 'OPENAI', 'LOCAL'],
    ]);
    expect(job.events[1].reason).toMatch(/ECONNREFUSED|reach/);
    expect(job.segments.length).toBeGreaterThan(0);
    expect(new Set(job.segments.map((s: { provider: string }) => s.provider))).toEqual(new Set(['LOCAL']));
    expect(job.segments.map((s: { text: string }) => s.text).join(' ')).toMatch(/weather|morning/);
    const usage = await local.deps.db.usageRecord.findMany({ where: { jobId: id } });
    expect(usage.map((u) => [u.provider, u.costUsd])).toEqual([['LOCAL', 0]]);
  }, 120_000);
});

describe('secrets', () => {
  it('no key quoted by the fakes appears in any answer, event, job row or log line', async () => {
    const events = await t.deps.db.jobEvent.findMany();
    const jobs = await t.deps.db.job.findMany({ select: { error: true } });
    const texts = [...answers, JSON.stringify(events), JSON.stringify(jobs), t.logs.join('\n')];
    expect(events.some((event) => event.reason?.includes('401'))).toBe(true);
    for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
