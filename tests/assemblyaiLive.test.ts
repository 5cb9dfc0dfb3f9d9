// Live sessions on ASSEMBLYAI (README, "AssemblyAI" and "Live sessions"): the engine speaks
// AssemblyAI's Universal Streaming v3 protocol to its fake (tests/fakes/assemblyaiStreamingServer.ts).
// Turns in progress reach graphql-ws subscribers as interim chunks, ended turns as finals with word
// timings; a refused key ends the start readably without the key anywhere; with [ASSEMBLYAI, LOCAL]
// a dropped stream hands over to LOCAL at the end of the last final.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../server/providers/local/wav.ts';
import { aaiStreamWords, startFakeAssemblyAIStreaming, type FakeAssemblyAIStreamingServer } from './fakes/assemblyaiStreamingServer.ts';
import { collect, connectWs } from './helpers/graphqlWs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const KEY = `aai${randomBytes(16).toString('hex')}`;
const FORMATTED = ['The weather is nice today.', 'Please call me tomorrow morning.'];

type User = Awaited<ReturnType<typeof registerUser>>;
interface Chunk {
  isFinal: boolean;
  segment: { index: number; start: number; end: number; text: string; provider: string | null };
}

let dir: string;
let speech: SpeechFixture;
let pcm: Buffer;
let fake: FakeAssemblyAIStreamingServer;
let t: TestApp;
let alice: User;
const answers: string[] = [];

async function gql(user: User, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const result = await t.gql(query, variables, { token: user.accessToken });
  answers.push(result.raw);
  return result;
}

async function setKey(user: User, secret: string): Promise<void> {
  const set = await gql(user, `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`, {
    input: { provider: 'ASSEMBLYAI', name: 'AssemblyAI key', secret },
  });
  expect(set.errors, set.raw).toBeUndefined();
}

async function start(user: User, input: Record<string, unknown>): Promise<GqlResult> {
  return gql(user, `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id provider providers currentProvider } }`, {
    input: { encoding: 'PCM_S16LE', sampleRate: 16000, language: 'en', ...input },
  });
}

/** Subscribes to a session's chunks over graphql-ws and waits until the subscription is live. */
async function subscribe(user: User, id: string) {
  const client = connectWs(await t.listen(), user.accessToken);
  const listeners = t.deps.subscriber!.listenerCount();
  const chunks = collect<{ data: { transcriptChunks: Chunk } }>(
    client,
    `subscription ($id: ID) { transcriptChunks(sessionId: $id) { isFinal segment { index start end text provider } } }`,
    { id },
  );
  await waitFor('the chunk subscription', async () => t.deps.subscriber!.listenerCount() > listeners, 30_000, 20);
  return { client, chunks, seen: () => chunks.events.map((event) => event.data.transcriptChunks) };
}

/** Appends session audio from byte `from` to `to` in 200 ms chunks, going on from `seq.next`. */
async function send(user: User, id: string, seq: { next: number }, from: number, to: number): Promise<void> {
  for (let offset = from; offset < to; offset += 6400) {
    const result = await gql(user, `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`, {
      id,
      seq: seq.next++,
      chunk: pcm.subarray(offset, Math.min(to, offset + 6400)).toString('base64'),
    });
    expect(result.errors, result.raw).toBeUndefined();
  }
}

const bytesAt = (seconds: number) => Math.floor(seconds * 16_000) * 2;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-aai-live-'));
  speech = await makeSpeechFixture(['the weather is nice today', 'please call me tomorrow morning'], path.join(dir, 'speech.wav'), { pauseSeconds: 1 });
  pcm = parseWav(await readFile(speech.wavPath)).data;
  fake = await startFakeAssemblyAIStreaming({ apiKey: KEY });
  // AssemblyAI "hears" each sentence where it lies in the audio.
  fake.setScript(() => speech.sentences.flatMap((sentence, i) => aaiStreamWords(FORMATTED[i], sentence.start + 0.1, sentence.end - 0.1)));
  t = await createTestApp({ ASSEMBLYAI_STREAMING_URL: fake.url });
  alice = await registerUser(t);
  await setKey(alice, KEY);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('live sessions on ASSEMBLYAI', () => {
  it('stream interim and final text over graphql-ws and end with the transcript, word timings relative to the session', async () => {
    const before = fake.sessions.length;
    const started = await start(alice, { provider: 'ASSEMBLYAI' });
    expect(started.errors, started.raw).toBeUndefined();
    expect(started.data!.startLiveSession).toMatchObject({ provider: 'ASSEMBLYAI', currentProvider: 'ASSEMBLYAI' });
    const id = started.data!.startLiveSession.id as string;
    const stream = await fake.waitForSession(before, 30_000);
    expect(stream.authorization).toBe(KEY);
    expect(stream.query).toMatchObject({ sample_rate: '16000', encoding: 'pcm_s16le', format_turns: 'true' });

    const { client, chunks, seen } = await subscribe(alice, id);
    try {
      await send(alice, id, { next: 0 }, 0, pcm.length);
      await waitFor('both finals', async () => seen().filter((chunk) => chunk.isFinal).length === 2, 60_000);
      const ended = await gql(alice, `mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id });
      expect(ended.errors, ended.raw).toBeUndefined();
      await chunks.done;
    } finally {
      chunks.unsubscribe();
      await client.dispose();
    }
    // Interim text came before each final: the plain words of the turn in progress.
    const interim = seen().filter((chunk) => !chunk.isFinal);
    expect(interim.length).toBeGreaterThan(0);
    expect(interim.some((chunk) => /^the weather/.test(chunk.segment.text))).toBe(true);
    expect(seen().filter((chunk) => chunk.isFinal).map((chunk) => chunk.segment.text)).toEqual(FORMATTED);

    const result = await gql(alice, `query ($id: ID!) { liveSession(id: $id) { status provider segments { index start end text words { word start end } } } }`, { id });
    expect(result.errors, result.raw).toBeUndefined();
    const session = result.data!.liveSession;
    expect(session.segments.map((segment: { text: string }) => segment.text)).toEqual(FORMATTED);
    for (const [i, segment] of (session.segments as Array<{ index: number; start: number; end: number; words: Array<{ word: string; start: number }> }>).entries()) {
      const expected = aaiStreamWords(FORMATTED[i], speech.sentences[i].start + 0.1, speech.sentences[i].end - 0.1);
      expect(segment.index).toBe(i);
      expect(segment.words.map((word) => word.word)).toEqual(FORMATTED[i].split(' '));
      expect(segment.start).toBeCloseTo(expected[0].start, 2);
      expect(segment.end).toBeCloseTo(expected.at(-1)!.end, 2);
      expect(segment.words[1].start).toBeCloseTo(expected[1].start, 2);
    }
    // The protocol was kept: every frame 50–1000 ms, the stream ended with Terminate and Termination.
    expect(stream.frameMs.length).toBeGreaterThan(0);
    for (const ms of stream.frameMs) {
      expect(ms).toBeGreaterThanOrEqual(50);
      expect(ms).toBeLessThanOrEqual(1000);
    }
    expect(stream.controlMessages.map((message) => message.type)).toEqual(['Terminate']);
    expect(stream.sent.at(-1)?.type).toBe('Termination');
    expect((await stream.closed).code).toBe(1000);
  }, 180_000);

  it.each([1008, 4001])('a refused key (close %i) ends the start readably, without the key anywhere', async (code) => {
    const bob = await registerUser(t);
    const wrong = `aai${randomBytes(16).toString('hex')}`;
    await setKey(bob, wrong);
    fake.setRefuseCode(code);
    const refusedBefore = fake.refused.length;
    const started = await start(bob, { provider: 'ASSEMBLYAI' });
    expect(started.errors?.[0].extensions?.code, started.raw).toBe('PROVIDER_UNAVAILABLE');
    expect(started.errors?.[0].message).toMatch(/ASSEMBLYAI live engine could not start: the provider refused the key/);
    expect(started.errors?.[0].message).toContain(String(code));
    // The key did reach AssemblyAI (and only there).
    expect(fake.refused.slice(refusedBefore).map((r) => r.authorization)).toContain(wrong);
    const everything = [...answers, ...t.logs].join('\n');
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(KEY);
  }, 60_000);
});

describe('fallback', () => {
  it('with [ASSEMBLYAI, LOCAL] a dropped stream hands over to LOCAL at the end of the last final', async () => {
    const [first, second] = speech.sentences;
    const before = fake.sessions.length;
    const started = await start(alice, { providers: ['ASSEMBLYAI', 'LOCAL'] });
    expect(started.errors, started.raw).toBeUndefined();
    const id = started.data!.startLiveSession.id as string;
    expect(started.data!.startLiveSession).toMatchObject({ provider: 'ASSEMBLYAI', providers: ['ASSEMBLYAI', 'LOCAL'], currentProvider: 'ASSEMBLYAI' });
    const stream = await fake.waitForSession(before, 30_000);

    const { client, chunks, seen } = await subscribe(alice, id);
    const seq = { next: 0 };
    try {
      // Up to the middle of the pause after the first sentence: AssemblyAI's final for it arrives.
      const pause = bytesAt((first.end + second.start) / 2);
      await send(alice, id, seq, 0, pause);
      await waitFor('the first final from ASSEMBLYAI', async () => seen().some((chunk) => chunk.isFinal), 60_000);
      // The connection drops (no close frame): the session falls back.
      stream.drop();
      await waitFor('the switch to LOCAL', async () => (await t.deps.db.liveSession.findUniqueOrThrow({ where: { id } })).currentProvider === 'LOCAL', 30_000);
      await send(alice, id, seq, pause, pcm.length);
      const ended = await gql(alice, `mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id });
      expect(ended.errors, ended.raw).toBeUndefined();
      await chunks.done;
    } finally {
      chunks.unsubscribe();
      await client.dispose();
    }
    const result = await gql(alice, `query ($id: ID!) { liveSession(id: $id) { providers currentProvider segments { index start end text provider } } }`, { id });
    const session = result.data!.liveSession;
    expect(session).toMatchObject({ providers: ['ASSEMBLYAI', 'LOCAL'], currentProvider: 'LOCAL' });
    const segments = session.segments as Array<{ index: number; start: number; end: number; text: string; provider: string }>;
    expect(segments.map((segment) => segment.index)).toEqual([...segments.keys()]);
    expect(segments[0]).toMatchObject({ provider: 'ASSEMBLYAI', text: FORMATTED[0] });
    const rest = segments.slice(1);
    expect(rest.length).toBeGreaterThan(0);
    // Nothing heard twice, nothing lost.
    for (const segment of rest) {
      expect(segment.provider).toBe('LOCAL');
      expect(segment.start).toBeGreaterThanOrEqual(segments[0].end - 0.001);
    }
    const later = rest.map((segment) => segment.text).join(' ');
    expect(later).not.toMatch(/weather|nice/);
    expect(later).toMatch(/call|tomorrow|morning/);
    expect(seen().filter((chunk) => chunk.isFinal).map((chunk) => chunk.segment.text)).toEqual(segments.map((segment) => segment.text));
    // The subscriber saw the switch: its finals name ASSEMBLYAI, then LOCAL.
    expect([...new Set(seen().filter((chunk) => chunk.isFinal).map((chunk) => chunk.segment.provider))]).toEqual(['ASSEMBLYAI', 'LOCAL']);
    // Usage: one record per engine, split at the hand-over, adding up to the session's length.
    const { receivedSeconds } = await t.deps.db.liveSession.findUniqueOrThrow({ where: { id } });
    const usage = await t.deps.db.usageRecord.findMany({ where: { sessionId: id } });
    expect(usage.map((record) => record.provider).sort()).toEqual(['ASSEMBLYAI', 'LOCAL']);
    const assemblyai = usage.find((record) => record.provider === 'ASSEMBLYAI')!;
    const local = usage.find((record) => record.provider === 'LOCAL')!;
    expect(assemblyai.audioSeconds).toBeCloseTo(segments[0].end, 2);
    expect(assemblyai.audioSeconds + local.audioSeconds).toBeCloseTo(receivedSeconds, 6);
    // The reason is logged, the key is not.
    expect(t.logs.join('\n')).toMatch(/falls back to its next engine/);
    expect(t.logs.join('\n')).not.toContain(KEY);
  }, 180_000);
});
