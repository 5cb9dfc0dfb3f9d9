// Live transcription sessions over a real graphql-ws socket: audio appended by mutation on the same
// socket that carries the transcriptChunks subscription, engines (LOCAL PocketSphinx, Deepgram's
// live WebSocket through the SDK against the fake, OpenAI per utterance against the fake),
// ordering, limits, reconnects, authorization, idle timeout, and aggregation into files by the
// in-process job runner.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseWav } from '../server/providers/local/wav.ts';
import { startFakeDeepgram, wordsFromText as dgWords, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, wordsFromText as oaWords, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { makeSpeechFixture, wordErrorRate, type SpeechFixture } from './helpers/speech.ts';
import { closeLiveRegistry } from '../server/services/liveSessions.ts';
import { liveClock } from '../server/live/clock.ts';
import { waitFor } from './helpers/wait.ts';
import { requestOverWs as request, type WsResult as Result } from './helpers/graphqlWs.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const run = promisify(execFile);

let t: TestApp;
let base: string;
let dir: string;
let speech: SpeechFixture;
let pcm: Buffer;
let deepgram: FakeDeepgramServer;
let openai: FakeOpenAIServer;

const SENTENCES = ['the weather is nice today', 'please call me tomorrow morning', 'we need more time to finish the project'];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-live-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'speech.wav'), { voice: 'rms' });
  pcm = parseWav(await readFile(speech.wavPath)).data;
  deepgram = await startFakeDeepgram();
  openai = await startFakeOpenAI();
  t = await createTestApp(
    {
      DEEPGRAM_BASE_URL: deepgram.baseUrl,
      DEEPGRAM_API_KEY: deepgram.apiKey!,
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_API_KEY: openai.apiKey!,
      // Nothing here is about pace: audio goes as fast as the server acknowledges it, so the
      // pace rules must not refuse it (they are tested with their own settings below).
      LIVE_MAX_SPEED: '100000',
      LIVE_BURST_SECONDS: '100000',
      LIVE_AUDIO_CHUNKS_PER_SECOND: '10000',
      LIVE_GAP_WAIT_MS: '60000',
    },
    { runner: true },
  );
  base = await t.listen();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await deepgram?.close();
  await openai?.close();
  await rm(dir, { recursive: true, force: true });
});

// ---- helpers ------------------------------------------------------------------------------------

function connect(app: { base: string }, token: string): Client {
  return createClient({
    url: `${app.base.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}


interface Chunk {
  sessionId: string;
  isFinal: boolean;
  segment: { index: number; start: number; end: number; text: string };
}

const CHUNK_SUBSCRIPTION = `subscription ($id: ID) { transcriptChunks(sessionId: $id) { sessionId jobId isFinal segment { index start end text } } }`;

function subscribeChunks(client: Client, id: string, app: TestApp = t) {
  const listenersBefore = app.deps.subscriber!.listenerCount();
  const chunks: Chunk[] = [];
  let resolveDone!: (value: { error?: unknown }) => void;
  const done = new Promise<{ error?: unknown }>((resolve) => (resolveDone = resolve));
  const dispose = client.subscribe<{ transcriptChunks: Chunk }>(
    { query: CHUNK_SUBSCRIPTION, variables: { id } },
    {
      next: (result) => {
        if (result.errors) resolveDone({ error: result.errors });
        else chunks.push(result.data!.transcriptChunks);
      },
      error: (error) => resolveDone({ error }),
      complete: () => resolveDone({}),
    },
  );
  /** Resolves once the server listens for this session's events (nothing published before is lost). */
  const ready = () => waitFor('the chunk subscription', async () => app.deps.subscriber!.listenerCount() > listenersBefore, 30_000, 20);
  return { chunks, done, dispose, ready };
}

const START = `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id status provider encoding sampleRate nextSeq receivedSeconds } }`;
const APPEND = `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`;
const END = `mutation ($id: ID!) { endLiveSession(id: $id) { id status endedAt receivedSeconds } }`;
const SESSION_FIELDS = `id status provider encoding sampleRate receivedSeconds nextSeq durationSeconds error createdAt endedAt
  owner { id } segments { index start end text words { word start end } }
  source: audioUrl(kind: SOURCE) main: audioUrl(kind: MAIN) light: audioUrl(kind: LIGHT) subtitlesUrl`;

async function start(client: Client, input: Record<string, unknown>): Promise<string> {
  const result = await request(client, START, { input });
  if (!result.data?.startLiveSession) throw new Error(`startLiveSession failed: ${JSON.stringify(result.errors)}`);
  expect(result.data.startLiveSession).toMatchObject({ status: 'ACTIVE', nextSeq: 0 });
  return result.data.startLiveSession.id;
}

const append = (client: Client, id: string, seq: number, bytes: Buffer) =>
  request<{ appendLiveAudio: boolean }>(client, APPEND, { id, seq, chunk: bytes.toString('base64') });

/** Cuts `audio` into chunks of `ms` milliseconds of 16 kHz s16le. */
function slices(audio: Buffer, ms: number): Buffer[] {
  const size = (16_000 * 2 * ms) / 1000;
  const out: Buffer[] = [];
  for (let offset = 0; offset < audio.length; offset += size) out.push(audio.subarray(offset, offset + size));
  return out;
}

/** Chunks sent and not yet acknowledged at any time: well inside the server's ordering window (MAX_AHEAD). */
const IN_FLIGHT = 8;

/**
 * Sends `chunks` from `firstSeq` on without waiting for each answer, as a recorder would, but
 * paced by acknowledgements, never by the clock: at most IN_FLIGHT unanswered at once.
 * Returns once all were acknowledged.
 */
async function stream(client: Client, id: string, chunks: Buffer[], firstSeq = 0): Promise<void> {
  const answers: Promise<void>[] = [];
  for (const [i, chunk] of chunks.entries()) {
    if (i >= IN_FLIGHT) await answers[i - IN_FLIGHT];
    answers.push(
      append(client, id, firstSeq + i, chunk).then((result) => {
        if (result.data?.appendLiveAudio !== true) throw new Error(`append ${firstSeq + i} failed: ${JSON.stringify(result.errors)}`);
      }),
    );
  }
  await Promise.all(answers);
}

async function session(token: string, id: string, app: TestApp = t): Promise<any> {
  const result = await app.gql(`query ($id: ID!) { liveSession(id: $id) { ${SESSION_FIELDS} } }`, { id }, { token });
  return result.data?.liveSession ?? null;
}

async function waitForStatus(token: string, id: string, statuses: string[], app: TestApp = t, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await session(token, id, app);
    if (current && statuses.includes(current.status)) return current;
    if (Date.now() > deadline) throw new Error(`session ${id} still ${current?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function download(url: string, token: string): Promise<{ status: number; body: Buffer; type: string | null }> {
  const response = await fetch(url.replace(t.deps.env.publicUrl, base), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type') };
}

async function probeSeconds(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file]);
  return Number(stdout.trim());
}

/** Stored final segments' texts, in order. */
async function storedTexts(token: string, id: string): Promise<string[]> {
  return ((await session(token, id))?.segments ?? []).map((segment: { text: string }) => segment.text);
}

// ---- tests --------------------------------------------------------------------------------------

describe('live sessions', () => {
  it('LOCAL: streams speech over the socket, interims before finals, then files', async () => {
    const user = await registerUser(t);
    const client = connect({ base }, user.accessToken);
    const id = await start(client, { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 });
    expect(id).toMatch(/^ses_/);
    const sub = subscribeChunks(client, id);
    await sub.ready();

    const chunks = slices(pcm, 100);
    await stream(client, id, chunks);
    const ended = await request(client, END, { id });
    expect(ended.data?.endLiveSession).toMatchObject({ id, status: 'ENDED' });
    expect(ended.data.endLiveSession.receivedSeconds).toBeCloseTo(speech.durationSeconds, 2);
    expect(await sub.done).toEqual({}); // the stream completes once the session has ended

    const interims = sub.chunks.filter((chunk) => !chunk.isFinal);
    const finals = sub.chunks.filter((chunk) => chunk.isFinal);
    expect(sub.chunks.every((chunk) => chunk.sessionId === id)).toBe(true);
    // Interims show the words while they are spoken: the first comes before the first final.
    // (How soon, in milliseconds, is measured by tests/bench/liveLatency.ts.)
    expect(interims.length).toBeGreaterThan(3);
    expect(sub.chunks.findIndex((chunk) => !chunk.isFinal)).toBeLessThan(sub.chunks.findIndex((chunk) => chunk.isFinal));
    expect(interims[0].segment.index).toBe(0);
    // Interims carry the index of the final that replaces them; finals arrive in order.
    expect(finals.map((chunk) => chunk.segment.index)).toEqual(finals.map((_chunk, i) => i));
    for (const interim of interims) expect(interim.segment.index).toBeLessThanOrEqual(finals.length);
    const text = finals.map((chunk) => chunk.segment.text).join(' ');
    const wer = wordErrorRate(speech.text, text);
    console.log(`LOCAL live WER ${(wer * 100).toFixed(1)}%: "${text}"`);
    expect(wer).toBeLessThanOrEqual(0.25);

    const stored = await session(user.accessToken, id);
    expect(stored.segments.map((segment: { text: string }) => segment.text)).toEqual(finals.map((chunk) => chunk.segment.text));
    expect(stored.nextSeq).toBe(chunks.length);
    expect(stored.segments[0].words.length).toBeGreaterThan(0);

    // Aggregation: files whose durations match the audio sent, and valid WebVTT.
    const ready = await waitForStatus(user.accessToken, id, ['READY', 'FAILED']);
    expect(ready).toMatchObject({ status: 'READY', error: null });
    expect(ready.durationSeconds).toBeCloseTo(speech.durationSeconds, 1);
    for (const kind of ['source', 'main', 'light'] as const) {
      const file = await download(ready[kind], user.accessToken);
      expect(file.status).toBe(200);
      const local = path.join(dir, `${id}-${kind}`);
      await writeFile(local, file.body);
      const seconds = await probeSeconds(local);
      expect(Math.abs(seconds - speech.durationSeconds)).toBeLessThanOrEqual(0.2);
      if (kind === 'source') expect(parseWav(file.body).data.equals(pcm)).toBe(true);
      if (kind === 'main') expect(file.type).toBe('audio/flac');
      if (kind === 'light') expect(file.body.length).toBeLessThan(speech.durationSeconds * 8000); // ~32 kbit/s
    }
    const vtt = await download(ready.subtitlesUrl, user.accessToken);
    expect(vtt.status).toBe(200);
    const body = vtt.body.toString('utf8');
    expect(body.startsWith('WEBVTT\n\n')).toBe(true);
    const cues = body.split('\n\n').slice(1).filter(Boolean);
    expect(cues.length).toBeGreaterThanOrEqual(finals.length);
    let previousEnd = 0;
    for (const cue of cues) {
      const match = /^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n.+/.exec(cue);
      expect(match, cue).not.toBeNull();
      const [h1, m1, s1, ms1, h2, m2, s2, ms2] = match!.slice(1).map(Number);
      const cueStart = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000;
      const cueEnd = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000;
      expect(cueEnd).toBeGreaterThan(cueStart);
      expect(cueStart).toBeGreaterThanOrEqual(previousEnd - 0.001);
      expect(cueEnd).toBeLessThanOrEqual(speech.durationSeconds + 0.01);
      previousEnd = cueEnd;
    }
    expect(wordErrorRate(speech.text, cues.map((cue) => cue.split('\n').slice(1).join(' ')).join(' '))).toBe(wer);
    // Stored chunks are gone after aggregation; node(id) resolves the session.
    expect(await t.deps.db.liveAudioChunk.count({ where: { sessionId: id } })).toBe(0);
    const node = await t.gql(`query ($id: ID!) { node(id: $id) { id ... on LiveSession { status } } }`, { id }, { token: user.accessToken });
    expect(node.data?.node).toEqual({ id, status: 'READY' });
    await client.dispose();
  }, 120_000);

  it('DEEPGRAM: interim and final results from the live WebSocket, finals stored', async () => {
    const spoken = 'Hello there. This is a live test. Goodbye now.';
    deepgram.reset();
    deepgram.setLive(() => dgWords(spoken, { start: 0.3 }));
    const user = await registerUser(t);
    const client = connect({ base }, user.accessToken);
    const id = await start(client, { provider: 'DEEPGRAM', encoding: 'PCM_S16LE', sampleRate: 16000, language: 'en' });
    const live = await deepgram.waitForLiveSession();
    expect(live.query).toMatchObject({ encoding: 'linear16', sample_rate: '16000', interim_results: 'true', language: 'en' });
    expect(live.authorization).toBe(`Token ${deepgram.apiKey}`);
    const sub = subscribeChunks(client, id);
    await sub.ready();
    // 7 s of audio in 100 ms chunks.
    await stream(client, id, slices(Buffer.alloc(7 * 32_000), 100));
    const ended = await request(client, END, { id });
    expect(ended.data?.endLiveSession.status).toBe('ENDED');
    expect(await sub.done).toEqual({});
    const interims = sub.chunks.filter((chunk) => !chunk.isFinal);
    const finals = sub.chunks.filter((chunk) => chunk.isFinal);
    expect(interims.length).toBeGreaterThan(0);
    expect(finals.map((chunk) => chunk.segment.text).join(' ')).toBe(spoken);
    expect(finals.map((chunk) => chunk.segment.index)).toEqual(finals.map((_chunk, i) => i));
    const stored = await session(user.accessToken, id);
    expect(stored.segments.map((segment: { text: string }) => segment.text)).toEqual(finals.map((chunk) => chunk.segment.text));
    expect(stored.segments[0].words[0]).toMatchObject({ word: 'Hello', start: 0.3 });
    expect(live.audioSeconds).toBeCloseTo(7, 1);
    expect(live.controlMessages.map((message) => message.type)).toContain('CloseStream');
    const ready = await waitForStatus(user.accessToken, id, ['READY', 'FAILED']);
    expect(ready.status).toBe('READY');
    expect(ready.durationSeconds).toBeCloseTo(7, 2);
    await client.dispose();
  }, 60_000);

  it('PCM_S16LE at 48 kHz is resampled to 16 kHz for the engine and kept at 48 kHz in the files', async () => {
    deepgram.reset();
    deepgram.setLive(() => dgWords('Resampled audio.', { start: 0.2 }));
    const user = await registerUser(t);
    const client = connect({ base }, user.accessToken);
    const id = await start(client, { provider: 'DEEPGRAM', encoding: 'PCM_S16LE', sampleRate: 48000 });
    const live = await deepgram.waitForLiveSession();
    const tone = Buffer.alloc(2 * 48_000 * 2); // 2 s
    for (let i = 0; i < tone.length / 2; i++) tone.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48_000)), i * 2);
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < tone.length; offset += 9600) pieces.push(tone.subarray(offset, offset + 9600));
    await stream(client, id, pieces);
    const ended = await request(client, END, { id });
    expect(ended.data?.endLiveSession.receivedSeconds).toBeCloseTo(2, 6);
    expect(live.audioSeconds).toBeGreaterThan(1.95); // what Deepgram heard, as 16 kHz linear16
    expect(live.audioSeconds).toBeLessThan(2.05);
    const ready = await waitForStatus(user.accessToken, id, ['READY', 'FAILED']);
    expect(ready).toMatchObject({ status: 'READY', durationSeconds: 2 });
    const main = await download(ready.main, user.accessToken);
    await writeFile(path.join(dir, `${id}.flac`), main.body);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_rate,channels,codec_name', '-of', 'json', path.join(dir, `${id}.flac`)]);
    expect(JSON.parse(stdout).streams[0]).toMatchObject({ codec_name: 'flac', sample_rate: '48000', channels: 1 });
    await client.dispose();
  }, 60_000);

  it('OPENAI: utterances closed by the energy VAD are transcribed one by one (finals only)', async () => {
    openai.reset();
    let calls = 0;
    openai.setTranscript(() => {
      const text = SENTENCES[calls++] ?? 'extra';
      return oaWords(text.charAt(0).toUpperCase() + text.slice(1) + '.', { start: 0.2 });
    });
    const user = await registerUser(t);
    const client = connect({ base }, user.accessToken);
    const id = await start(client, { provider: 'OPENAI', encoding: 'PCM_S16LE', sampleRate: 16000 });
    const sub = subscribeChunks(client, id);
    await sub.ready();
    await stream(client, id, slices(pcm, 200));
    await request(client, END, { id });
    expect(await sub.done).toEqual({});
    expect(sub.chunks.every((chunk) => chunk.isFinal)).toBe(true);
    expect(openai.transcriptions).toHaveLength(SENTENCES.length);
    expect(wordErrorRate(speech.text, sub.chunks.map((chunk) => chunk.segment.text).join(' '))).toBe(0);
    // Each utterance's times are placed where it was spoken.
    for (const [i, chunk] of sub.chunks.entries()) {
      expect(chunk.segment.start).toBeGreaterThan(speech.sentences[i].start - 0.5);
      expect(chunk.segment.start).toBeLessThan(speech.sentences[i].end);
    }
    await client.dispose();
  }, 60_000);

  it.each([
    ['OGG_OPUS', 'ogg', ['-page_duration', '100000'], 'audio/ogg'],
    ['WEBM_OPUS', 'webm', ['-cluster_time_limit', '100'], 'audio/webm'],
  ] as const)('%s through ffmpeg on stdin, transcribed by LOCAL and aggregated', async (encoding, format, muxerArgs, contentType) => {
    const file = path.join(dir, `speech.${format}`);
    await run('ffmpeg', ['-v', 'error', '-y', '-i', speech.wavPath, '-c:a', 'libopus', '-b:a', '48k', ...muxerArgs, '-f', format, file]);
    const bytes = await readFile(file);
    const user = await registerUser(t);
    const client = connect({ base }, user.accessToken);
    const id = await start(client, { provider: 'LOCAL', encoding, sampleRate: 48000 });
    const sub = subscribeChunks(client, id);
    await sub.ready();
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; offset += 4000) pieces.push(bytes.subarray(offset, offset + 4000));
    await stream(client, id, pieces);
    const ended = await request(client, END, { id });
    expect(ended.data?.endLiveSession.receivedSeconds).toBeCloseTo(speech.durationSeconds, 0);
    await sub.done;
    const text = sub.chunks.filter((chunk) => chunk.isFinal).map((chunk) => chunk.segment.text).join(' ');
    expect(wordErrorRate(speech.text, text)).toBeLessThanOrEqual(0.25);
    const ready = await waitForStatus(user.accessToken, id, ['READY', 'FAILED']);
    expect(ready.status).toBe('READY');
    expect(Math.abs(ready.durationSeconds - speech.durationSeconds)).toBeLessThanOrEqual(0.2);
    const source = await download(ready.source, user.accessToken);
    expect(source.type).toBe(contentType);
    expect(source.body.equals(bytes)).toBe(true);
    await client.dispose();
  }, 90_000);

  it('applies out-of-order chunks in order, ignores a repeated seq, refuses oversized and far-ahead chunks', async () => {
    const user = await registerUser(t);
    const client = connect({ base }, user.accessToken);
    const id = await start(client, { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 });
    const sub = subscribeChunks(client, id);
    await sub.ready();
    const third = Math.ceil(pcm.length / 3 / 2) * 2;
    const parts = [pcm.subarray(0, third), pcm.subarray(third, 2 * third), pcm.subarray(2 * third)];
    // 2 first, then 0 and 1: chunk 2 waits until 0 and 1 have been applied, and is only
    // acknowledged once it has been applied itself.
    let appliedWhenTwoAnswered = -1;
    const sent = [2, 0, 1].map((seq) =>
      append(client, id, seq, parts[seq]).then(async (result) => {
        if (seq === 2) appliedWhenTwoAnswered = (await t.deps.db.liveSession.findUniqueOrThrow({ where: { id } })).nextSeq;
        return result;
      }),
    );
    const results = await Promise.all(sent);
    expect(results.map((result) => result.data?.appendLiveAudio)).toEqual([true, true, true]);
    expect(appliedWhenTwoAnswered).toBe(3);
    expect((await session(user.accessToken, id)).nextSeq).toBe(3);

    // A repeated seq is ignored (true, nothing stored twice), here over plain HTTP.
    const repeated = await t.gql(APPEND, { id, seq: 1, chunk: Buffer.from('different bytes!').toString('base64') }, { token: user.accessToken });
    expect(repeated.data?.appendLiveAudio).toBe(true);
    expect(await t.deps.db.liveAudioChunk.count({ where: { sessionId: id } })).toBe(3);

    const tooLarge = await append(client, id, 3, Buffer.alloc(t.deps.env.LIVE_MAX_CHUNK_BYTES + 2));
    expect(tooLarge.errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    const farAhead = await append(client, id, 3 + 33, Buffer.alloc(3200));
    expect(farAhead.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', expectedSeq: 3 });
    const notBase64 = await request(client, APPEND, { id, seq: 3, chunk: 'not base64!' });
    expect(notBase64.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const negative = await append(client, id, -1, Buffer.alloc(2));
    expect(negative.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await session(user.accessToken, id)).nextSeq).toBe(3);

    await request(client, END, { id });
    await sub.done;
    const text = sub.chunks.filter((chunk) => chunk.isFinal).map((chunk) => chunk.segment.text).join(' ');
    expect(wordErrorRate(speech.text, text)).toBeLessThanOrEqual(0.25);
    const ready = await waitForStatus(user.accessToken, id, ['READY', 'FAILED']);
    const source = await download(ready.source, user.accessToken);
    expect(parseWav(source.body).data.equals(pcm)).toBe(true); // stored in seq order, byte for byte
    await client.dispose();
  }, 90_000);

  it('a client that reconnects continues from nextSeq; the subscription resumes and earlier finals stay readable', async () => {
    const user = await registerUser(t);
    const first = connect({ base }, user.accessToken);
    const id = await start(first, { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 });
    const firstSub = subscribeChunks(first, id);
    await firstSub.ready();
    const chunks = slices(pcm, 100);
    // The first sentence and its pause, then the socket goes away mid-session.
    const cut = Math.round((speech.sentences[1].start - 0.3) * 10);
    await stream(first, id, chunks.slice(0, cut));
    // The pause ends the first sentence: its final is stored and reaches the first socket.
    const heardBefore = await waitFor(
      'the first final on the first socket',
      async () => {
        const finals = firstSub.chunks.filter((chunk) => chunk.isFinal);
        const stored = await storedTexts(user.accessToken, id);
        return finals.length >= 1 && JSON.stringify(stored) === JSON.stringify(finals.map((chunk) => chunk.segment.text)) && finals;
      },
      60_000,
    );
    await first.dispose();

    const second = connect({ base }, user.accessToken);
    const resumed = await request(second, `query ($id: ID!) { liveSession(id: $id) { status nextSeq segments { index text } } }`, { id });
    expect(resumed.data?.liveSession).toMatchObject({ status: 'ACTIVE', nextSeq: cut });
    expect(resumed.data.liveSession.segments.map((segment: { text: string }) => segment.text)).toEqual(
      heardBefore.map((chunk) => chunk.segment.text),
    );
    const secondSub = subscribeChunks(second, id);
    await secondSub.ready();
    await stream(second, id, chunks.slice(cut), resumed.data.liveSession.nextSeq);
    await request(second, END, { id });
    expect(await secondSub.done).toEqual({});
    const later = secondSub.chunks.filter((chunk) => chunk.isFinal);
    expect(later.length).toBeGreaterThanOrEqual(1);
    expect(later[0].segment.index).toBe(heardBefore.length);
    const all = await session(user.accessToken, id);
    expect(all.segments.map((segment: { text: string }) => segment.text)).toEqual(
      [...heardBefore, ...later].map((chunk) => chunk.segment.text),
    );
    expect(wordErrorRate(speech.text, all.segments.map((segment: { text: string }) => segment.text).join(' '))).toBeLessThanOrEqual(0.25);
    await second.dispose();
  }, 90_000);

  it('after a restart the next append starts a new engine, which re-transcribes the audio since the last final', async () => {
    const user = await registerUser(t);
    const client = connect({ base }, user.accessToken);
    const id = await start(client, { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 });
    const sub = subscribeChunks(client, id);
    await sub.ready();
    const chunks = slices(pcm, 100);
    // Up to the middle of the second sentence: its first half is heard only by the engine that goes away.
    const cut = Math.round(((speech.sentences[1].start + speech.sentences[1].end) / 2) * 10);
    await stream(client, id, chunks.slice(0, cut));
    await waitFor('the first final', async () => sub.chunks.some((chunk) => chunk.isFinal), 60_000);
    // What a restart does to this process's live state: engines gone, sessions still ACTIVE in the database.
    await closeLiveRegistry(t.deps);
    expect((await session(user.accessToken, id)).status).toBe('ACTIVE');
    await stream(client, id, chunks.slice(cut), cut);
    await request(client, END, { id });
    await sub.done;
    const stored = await session(user.accessToken, id);
    const text = stored.segments.map((segment: { text: string }) => segment.text).join(' ');
    expect(stored.segments.map((segment: { index: number }) => segment.index)).toEqual(stored.segments.map((_: unknown, i: number) => i));
    expect(wordErrorRate(speech.text, text)).toBeLessThanOrEqual(0.25);
    // The start of the second sentence reached only the engine that went away: it was replayed.
    expect(text).toMatch(/\bplease call\b/);
    await client.dispose();
  }, 90_000);

  it("answers another user's session exactly like a missing one, everywhere; admins see it", async () => {
    deepgram.setLive(() => dgWords('Private words here.', { start: 0.2 }));
    const owner = await registerUser(t);
    const stranger = await registerUser(t);
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const ownerClient = connect({ base }, owner.accessToken);
    const id = await start(ownerClient, { provider: 'DEEPGRAM', encoding: 'PCM_S16LE', sampleRate: 16000 });
    await stream(ownerClient, id, slices(Buffer.alloc(32_000 * 2), 100));
    // Appends work over plain HTTP too.
    const overHttp = await t.gql(APPEND, { id, seq: 20, chunk: Buffer.alloc(3200).toString('base64') }, { token: owner.accessToken });
    expect(overHttp.data?.appendLiveAudio).toBe(true);
    const missing = 'ses_0000000000000000000000000a';
    const client = connect({ base }, stranger.accessToken);
    const strip = (value: unknown) => JSON.stringify(value).replaceAll(id, 'ID').replaceAll(missing, 'ID').replace(/"requestId":"[^"]+"/g, '');

    for (const [query, variables] of [
      [`query ($id: ID!) { liveSession(id: $id) { id status segments { text } } }`, {}],
      [`query ($id: ID!) { node(id: $id) { id ... on LiveSession { status } } }`, {}],
      [APPEND, { seq: 0, chunk: Buffer.alloc(320).toString('base64') }],
      [APPEND, { seq: 40, chunk: Buffer.alloc(320).toString('base64') }],
      [END, {}],
    ] as const) {
      const theirs = await request(client, query, { ...variables, id });
      const none = await request(client, query, { ...variables, id: missing });
      expect(strip(theirs)).toBe(strip(none));
      if (query.startsWith('query')) expect(JSON.stringify(theirs.data)).toMatch(/null/);
      else expect(theirs.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const theirChunks = subscribeChunks(client, id);
    const noChunks = subscribeChunks(client, missing);
    expect(strip(await theirChunks.done)).toBe(strip(await noChunks.done));
    expect(JSON.stringify(await theirChunks.done)).toContain('NOT_FOUND');
    for (const file of ['audio/source', 'audio/main', 'audio/light', 'subtitles.vtt']) {
      const theirs = await fetch(`${base}/sessions/${id}/${file}`, { headers: { authorization: `Bearer ${stranger.accessToken}` } });
      const none = await fetch(`${base}/sessions/${missing}/${file}`, { headers: { authorization: `Bearer ${stranger.accessToken}` } });
      expect(theirs.status).toBe(404);
      expect(await theirs.text()).toBe(await none.text());
    }
    const anonymous = await fetch(`${base}/sessions/${id}/audio/main`);
    expect(anonymous.status).toBe(401);

    // The stranger's session list stays untouched; the owner's session kept its audio.
    expect((await session(owner.accessToken, id)).nextSeq).toBe(21);
    const adminView = await session(admin.accessToken, id);
    expect(adminView).toMatchObject({ id, owner: { id: owner.id } });
    // Not ready yet: downloads say so (to the owner).
    const early = await fetch(`${base}/sessions/${id}/audio/main`, { headers: { authorization: `Bearer ${owner.accessToken}` } });
    expect(early.status).toBe(409);
    await request(ownerClient, END, { id });
    await waitForStatus(owner.accessToken, id, ['READY', 'FAILED']);
    await ownerClient.dispose();
    await client.dispose();
  }, 60_000);

  it('records into a project and for one of its prompts; only where the viewer may record', async () => {
    const owner = await registerUser(t);
    const stranger = await registerUser(t);
    const project = await t.gql(`mutation { createProject(input: { name: "Readings" }) { id } }`, {}, { token: owner.accessToken });
    const projectId = project.data!.createProject.id;
    const prompts = await t.gql(`mutation ($id: ID!) { addPrompts(projectId: $id, texts: ["Read this aloud."]) { id text } }`, { id: projectId }, { token: owner.accessToken });
    const promptId = prompts.data!.addPrompts[0].id;
    const client = connect({ base }, owner.accessToken);
    const id = await start(client, { provider: 'DEEPGRAM', encoding: 'PCM_S16LE', sampleRate: 16000, projectId, promptId });
    const read = await t.gql(`query ($id: ID!) { liveSession(id: $id) { project { id } prompt { id text } } }`, { id }, { token: owner.accessToken });
    expect(read.data?.liveSession).toEqual({ project: { id: projectId }, prompt: { id: promptId, text: 'Read this aloud.' } });
    await request(client, END, { id });
    const noProject = await request(client, START, { input: { provider: 'DEEPGRAM', encoding: 'PCM_S16LE', sampleRate: 16000, promptId } });
    expect(noProject.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'promptId' });
    const otherClient = connect({ base }, stranger.accessToken);
    const theirs = await request(otherClient, START, { input: { provider: 'DEEPGRAM', encoding: 'PCM_S16LE', sampleRate: 16000, projectId } });
    expect(theirs.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await client.dispose();
    await otherClient.dispose();
  });

  it('validates the start: sample rates, providers without keys, languages', async () => {
    const user = await registerUser(t);
    const client = connect({ base }, user.accessToken);
    const low = await request(client, START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 4000 } });
    expect(low.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sampleRate' });
    const high = await request(client, START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 96000 } });
    expect(high.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const french = await request(client, START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, language: 'fr' } });
    expect(french.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'language' });
    expect(french.errors?.[0].message).toMatch(/LOCAL recognises English \(en\) only/);
    const model = await request(client, START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, model: 'large' } });
    expect(model.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'model' });
    expect(await t.deps.db.liveSession.count({ where: { ownerId: user.id } })).toBe(0);
    await client.dispose();
  });
});

describe('live sessions with small limits', () => {
  let small: TestApp;
  let smallBase: string;
  // The pace rules read liveClock: these tests move it on purpose; it never moves on its own here.
  let now = 1_000_000;

  beforeAll(async () => {
    small = await createTestApp({
      LIVE_GAP_WAIT_MS: '600',
      LIVE_BURST_SECONDS: '1',
      LIVE_MAX_SPEED: '2',
      LIVE_MAX_LOCAL_SESSIONS: '1',
    });
    smallBase = await small.listen();
    liveClock.now = () => now;
  }, 60_000);
  afterAll(async () => {
    liveClock.now = () => Date.now();
    await small?.close();
  });

  it('reports a gap that is not filled in time, and applies the stored chunk once it is', async () => {
    const user = await registerUser(small);
    const client = connect({ base: smallBase }, user.accessToken);
    const id = await start(client, { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 });
    const stored = (seq: number) => () => small.deps.db.liveAudioChunk.count({ where: { sessionId: id, seq } });

    // Chunk 2 waits for 0 and 1; they arrive just inside LIVE_GAP_WAIT_MS (600 ms): it is applied.
    const inTime = append(client, id, 2, Buffer.alloc(3200, 2));
    await waitFor('chunk 2 stored', stored(2), 30_000, 20);
    now += 599;
    expect((await append(client, id, 0, Buffer.alloc(3200, 0))).data?.appendLiveAudio).toBe(true);
    expect((await append(client, id, 1, Buffer.alloc(3200, 1))).data?.appendLiveAudio).toBe(true);
    expect((await inTime).data?.appendLiveAudio).toBe(true);
    expect((await session(user.accessToken, id, small)).nextSeq).toBe(3);

    // Chunk 5 waits for 3 and 4, which do not come within 600 ms: the gap is reported.
    let answered = false;
    const late = append(client, id, 5, Buffer.alloc(3200, 5)).finally(() => (answered = true));
    await waitFor('chunk 5 stored', stored(5), 30_000, 20);
    await waitFor('the gap answer', async () => answered || ((now += 601), false), 30_000, 50);
    const gap = await late;
    expect(gap.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'GAP', expectedSeq: 3 });
    // The stored chunk 5 follows once the missing ones arrive.
    expect((await append(client, id, 3, Buffer.alloc(3200, 3))).data?.appendLiveAudio).toBe(true);
    expect((await append(client, id, 4, Buffer.alloc(3200, 4))).data?.appendLiveAudio).toBe(true);
    expect((await session(user.accessToken, id, small)).nextSeq).toBe(6);
    await request(client, END, { id });
    await client.dispose();
  });

  it('refuses audio arriving much faster than real time, and a LOCAL session beyond the cap', async () => {
    const user = await registerUser(small);
    const client = connect({ base: smallBase }, user.accessToken);
    const id = await start(client, { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 });
    const second = await request(client, START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 } });
    expect(second.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
    expect(second.errors?.[0].message).toMatch(/maximum of 1 live LOCAL/);
    expect((await append(client, id, 0, Buffer.alloc(32_000))).data?.appendLiveAudio).toBe(true); // 1 s: the burst
    const tooFast = await append(client, id, 1, Buffer.alloc(32_000));
    expect(tooFast.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(tooFast.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    now += 400; // 2x real time: 0.8 s of audio earned back, not yet enough for 1 s
    expect((await append(client, id, 1, Buffer.alloc(32_000))).errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    now += 100; // 1 s earned back
    expect((await append(client, id, 1, Buffer.alloc(32_000))).data?.appendLiveAudio).toBe(true);
    const ended = await request(client, END, { id });
    expect(ended.data?.endLiveSession.receivedSeconds).toBeCloseTo(2, 6);
    // The slot is free again.
    const next = await start(client, { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 });
    await request(client, END, { id: next });
    await client.dispose();
  });
});

describe('live sessions idle timeout', () => {
  let idle: TestApp;
  let idleBase: string;

  beforeAll(async () => {
    // 10 s, not less: on 2 busy cores the first append may come seconds after the session starts.
    idle = await createTestApp({ LIVE_IDLE_SECONDS: '10' });
    idleBase = await idle.listen();
  }, 60_000);
  afterAll(async () => {
    await idle?.close();
  });

  it('ends a session that has received no audio for LIVE_IDLE_SECONDS', async () => {
    const user = await registerUser(idle);
    const client = connect({ base: idleBase }, user.accessToken);
    const id = await start(client, { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 });
    const sub = subscribeChunks(client, id, idle);
    expect((await append(client, id, 0, Buffer.alloc(3200))).data?.appendLiveAudio).toBe(true);
    const ended = await waitForStatus(user.accessToken, id, ['ENDED'], idle, 60_000);
    // Ended by the idle rule, not earlier: at least LIVE_IDLE_SECONDS after the last audio, by the server's own times.
    const row = await idle.deps.db.liveSession.findUniqueOrThrow({ where: { id } });
    expect(row.lastAudioAt).not.toBeNull();
    expect(new Date(ended.endedAt).getTime() - row.lastAudioAt!.getTime()).toBeGreaterThanOrEqual(10_000);
    expect(await sub.done).toEqual({});
    const late = await append(client, id, 1, Buffer.alloc(3200));
    expect(late.errors?.[0].extensions?.code).toBe('CONFLICT');
    // The sweep also ends sessions whose process is gone (no runtime here: the row alone).
    const orphan = await idle.deps.db.liveSession.create({
      data: { id: 'ses_00000000000000000000000001', ownerId: user.id, provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 },
    });
    await waitForStatus(user.accessToken, orphan.id, ['ENDED'], idle, 60_000);
    await client.dispose();
  }, 120_000);
});
