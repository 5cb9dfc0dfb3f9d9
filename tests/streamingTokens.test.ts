// Streaming tokens (README, "Streaming tokens for browsers"): a token minted for one live session
// appends audio to it and subscribes to its chunks over graphql-ws, and can do nothing else: no other
// query or mutation, no other session, no file route; it expires, never refreshes, and stops working
// when its session ends. Expiry is tested with tokens signed by the server's key with a past `exp`.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../server/providers/local/wav.ts';
import { STREAMING_TYP } from '../server/security/jwt.ts';
import { collect, connectWs, errorCodes, openRawSocket } from './helpers/graphqlWs.ts';
import { serverSigningKey } from './helpers/forgeTokens.ts';
import { makeSpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

let t: TestApp;
let base: string;
let dir: string;
let pcm: Buffer;
let owner: Awaited<ReturnType<typeof registerUser>>;
const issuedTokens: string[] = [];
const sockets: Client[] = [];

const START = `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id status } }`;
const APPEND = `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`;
const MINT = `mutation ($id: ID!, $seconds: Int) { createStreamingToken(sessionId: $id, expiresInSeconds: $seconds) { token expiresAt sessionId } }`;
const CHUNKS = `subscription ($id: ID, $jobId: ID) { transcriptChunks(sessionId: $id, jobId: $jobId) { sessionId isFinal segment { text } } }`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-streaming-'));
  const speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'speech.wav'), { voice: 'rms' });
  pcm = parseWav(await readFile(speech.wavPath)).data;
  t = await createTestApp({
    LIVE_MAX_SPEED: '100000',
    LIVE_BURST_SECONDS: '100000',
    LIVE_AUDIO_CHUNKS_PER_SECOND: '10000',
    LIVE_MAX_LOCAL_SESSIONS: '20',
  });
  base = await t.listen();
  owner = await registerUser(t);
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) await socket.dispose();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function startSession(token = owner.accessToken): Promise<string> {
  const started = await t.gql(START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 } }, { token });
  expect(started.errors).toBeUndefined();
  return started.data!.startLiveSession.id;
}

async function mint(sessionId: string, seconds?: number, token = owner.accessToken): Promise<string> {
  const minted = await t.gql(MINT, { id: sessionId, seconds }, { token });
  expect(minted.errors).toBeUndefined();
  issuedTokens.push(minted.data!.createStreamingToken.token);
  return minted.data!.createStreamingToken.token;
}

function socket(token: string): Client {
  const client = connectWs(base, token);
  sockets.push(client);
  return client;
}

/** One query or mutation over a socket; resolves with its last result or its errors. */
function overSocket(client: Client, query: string, variables: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }> {
  return new Promise((resolve) => {
    let last: { data?: any; errors?: any[] } = {};
    client.subscribe({ query, variables }, {
      next: (value) => (last = value as typeof last),
      error: (error) => resolve({ errors: Array.isArray(error) ? error : [error] }),
      complete: () => resolve(last),
    });
  });
}

/** A refused subscription's codes: sent as an error, or as a result holding errors before it completes. */
async function refusalCodes(collected: ReturnType<typeof collect>): Promise<string[]> {
  const { events, error } = await collected.done;
  const inResults = (events as { errors?: { extensions?: { code?: string } }[]; data?: unknown }[]).flatMap((event) => {
    expect(event.data ?? null).toBeNull();
    return (event.errors ?? []).map((item) => String(item.extensions?.code));
  });
  return [...errorCodes(error), ...inResults];
}

const codesOf = (result: { errors?: { extensions?: { code?: string } }[] }) => (result.errors ?? []).map((error) => error.extensions?.code);

/** A token signed with the server's own key, shaped like a streaming token, with the claims given. */
async function forgeStreamingToken(claims: Record<string, unknown>): Promise<string> {
  const key = await serverSigningKey(t);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: owner.id,
    iss: t.deps.accessTokens.issuer,
    aud: t.deps.accessTokens.streamingAudience,
    iat: now,
    exp: now + 300,
    jti: `forged-${Math.random()}`,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: STREAMING_TYP })
    .sign(key.privateKey);
}

describe('streaming tokens', () => {
  it('append audio and receive the transcript over graphql-ws with a token minted for the session', async () => {
    const sessionId = await startSession();
    const minted = await t.gql(MINT, { id: sessionId }, { token: owner.accessToken });
    const { token, expiresAt } = minted.data!.createStreamingToken;
    issuedTokens.push(token);
    const lifetime = (new Date(expiresAt).getTime() - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(240);
    expect(lifetime).toBeLessThanOrEqual(300);

    const client = socket(token);
    const listenersBefore = t.deps.subscriber!.listenerCount();
    const chunks = collect<{ data?: { transcriptChunks: { sessionId: string; isFinal: boolean; segment: { text: string } } } }>(client, CHUNKS, {
      id: sessionId,
    });
    await waitFor('the chunk subscription', async () => t.deps.subscriber!.listenerCount() > listenersBefore, 30_000, 20);

    const size = 16_000 * 2 * 0.25;
    for (let seq = 0, offset = 0; offset < pcm.length; seq += 1, offset += size) {
      const result = await overSocket(client, APPEND, { id: sessionId, seq, chunk: pcm.subarray(offset, offset + size).toString('base64') });
      expect(result).toEqual({ data: { appendLiveAudio: true } });
    }
    // The owner (with the account's own token) ends it; the token's subscription then completes.
    const ended = await t.gql(`mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id: sessionId }, { token: owner.accessToken });
    expect(ended.errors).toBeUndefined();
    const { events, error } = await chunks.done;
    expect(error).toBeUndefined();
    const finals = events.filter((event) => event.data?.transcriptChunks.isFinal).map((event) => event.data!.transcriptChunks.segment.text);
    expect(finals.join(' ')).toMatch(/weather/);
    expect(events.every((event) => event.data?.transcriptChunks.sessionId === sessionId)).toBe(true);
  }, 120_000);

  it('refuses every other query and mutation, over HTTP and graphql-ws', async () => {
    const sessionId = await startSession();
    const token = await mint(sessionId);
    const refused: [string, Record<string, unknown>][] = [
      ['{ me { id } }', {}],
      ['{ __typename }', {}],
      [`query ($id: ID!) { liveSession(id: $id) { id status } }`, { id: sessionId }],
      ['{ jobs { totalCount } }', {}],
      [`mutation ($id: ID!) { endLiveSession(id: $id) { id } }`, { id: sessionId }],
      [`mutation ($id: ID!) { discardLiveSession(id: $id) }`, { id: sessionId }],
      [MINT, { id: sessionId, seconds: 60 }],
      [`mutation { createApiKey(input: { name: "stolen", scopes: [READ] }) { secret } }`, {}],
      [`mutation { login(input: { login: "${owner.username}", password: "${owner.password}" }) { accessToken } }`, {}],
      [START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 } }],
      // The allowed field beside a forbidden one, through a fragment: the whole operation is refused.
      [`mutation ($id: ID!) { ...F } fragment F on Mutation { appendLiveAudio(sessionId: $id, seq: 0, chunk: "AAAA") endLiveSession(id: $id) { id } }`, { id: sessionId }],
    ];
    const client = socket(token);
    for (const [query, variables] of refused) {
      const overHttp = await t.gql(query, variables, { token });
      expect(overHttp.data ?? null, query).toBeNull();
      expect(codesOf(overHttp), query).toEqual(['FORBIDDEN']);
      const overWs = await overSocket(client, query, variables);
      expect(overWs.data ?? null, query).toBeNull();
      expect(codesOf(overWs), query).toEqual(['FORBIDDEN']);
    }
    // Nothing happened: the session is still ACTIVE and untouched, no API key was made.
    const row = await t.deps.db.liveSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(row).toMatchObject({ status: 'ACTIVE', nextSeq: 0 });
    expect(await t.deps.db.apiKey.count({ where: { userId: owner.id } })).toBe(0);

    // A job's chunks (the owner's own job id or any other) are not this token's either.
    const jobChunks = collect(client, CHUNKS, { jobId: 'job_00000000000000000000000000' });
    expect(await refusalCodes(jobChunks)).toEqual(['FORBIDDEN']);

    // The file routes answer it as no credential at all.
    const upload = await fetch(`${base}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': '10' } });
    expect(upload.status).toBe(401);
    const download = await fetch(`${base}/sessions/${sessionId}/main.flac`, { headers: { authorization: `Bearer ${token}` } });
    expect([401, 404]).toContain(download.status);
    expect(download.status).not.toBe(200);
  }, 60_000);

  it("refuses another session, even the same owner's", async () => {
    const mine = await startSession();
    const other = await startSession();
    const token = await mint(mine);
    const client = socket(token);
    const append = await overSocket(client, APPEND, { id: other, seq: 0, chunk: pcm.subarray(0, 3200).toString('base64') });
    expect(codesOf(append)).toEqual(['FORBIDDEN']);
    const subscription = collect(client, CHUNKS, { id: other });
    expect(await refusalCodes(subscription)).toEqual(['FORBIDDEN']);
    expect((await t.deps.db.liveSession.findUniqueOrThrow({ where: { id: other } })).nextSeq).toBe(0);
    // Over HTTP too, and its own session still works.
    const overHttp = await t.gql(APPEND, { id: other, seq: 0, chunk: 'AAAA' }, { token });
    expect(codesOf(overHttp)).toEqual(['FORBIDDEN']);
    const own = await t.gql(APPEND, { id: mine, seq: 0, chunk: pcm.subarray(0, 3200).toString('base64') }, { token });
    expect(own.data).toEqual({ appendLiveAudio: true });
  }, 60_000);

  it('is refused once expired, once its session has ended, and when forged in the wrong shape', async () => {
    const sessionId = await startSession();
    const now = Math.floor(Date.now() / 1000);
    // Past exp beyond the 30 s clock tolerance.
    const expired = await forgeStreamingToken({ sid: sessionId, iat: now - 700, exp: now - 100 });
    const appendExpired = await t.gql(APPEND, { id: sessionId, seq: 0, chunk: 'AAAA' }, { token: expired });
    expect(appendExpired.status).toBe(401);
    expect(codesOf(appendExpired)).toEqual(['UNAUTHENTICATED']);
    const handshake = await openRawSocket(base, expired).outcome;
    expect(handshake.ack).toBe(false);

    // A well-signed streaming token is still valid until it is presented after its session ended.
    const token = await mint(sessionId, 60);
    expect((await t.gql(APPEND, { id: sessionId, seq: 0, chunk: pcm.subarray(0, 3200).toString('base64') }, { token })).data).toEqual({
      appendLiveAudio: true,
    });
    await t.gql(`mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id: sessionId }, { token: owner.accessToken });
    const afterEnd = await t.gql(APPEND, { id: sessionId, seq: 1, chunk: 'AAAA' }, { token });
    expect(codesOf(afterEnd)).toEqual(['UNAUTHENTICATED']);
    expect(afterEnd.errors![0].message).toMatch(/ended/);

    // A password reset or change (the user's token version bumped) ends streaming tokens too.
    const beforeReset = await startSession();
    const resetToken = await mint(beforeReset, 60);
    await t.deps.db.user.update({ where: { id: owner.id }, data: { tokenVersion: { increment: 1 } } });
    expect(codesOf(await t.gql(APPEND, { id: beforeReset, seq: 0, chunk: 'AAAA' }, { token: resetToken }))).toEqual(['UNAUTHENTICATED']);
    owner.accessToken = (
      await t.gql(`mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`, { input: { login: owner.username, password: owner.password } })
    ).data!.login.accessToken;

    // Streaming tokens and access tokens do not pass for one another.
    const live = await startSession();
    const asAccessToken = await forgeStreamingToken({ sid: live, aud: t.deps.accessTokens.audience });
    expect(codesOf(await t.gql('{ me { id } }', {}, { token: asAccessToken }))).toEqual(['UNAUTHENTICATED']);
    const noSid = await forgeStreamingToken({ sid: undefined });
    expect(codesOf(await t.gql(APPEND, { id: live, seq: 0, chunk: 'AAAA' }, { token: noSid }))).toEqual(['UNAUTHENTICATED']);
    // No refresh: refreshSession wants a refresh token, and a streaming token is not one.
    const refresh = await t.gql(`mutation ($r: String!) { refreshSession(refreshToken: $r) { accessToken } }`, { r: token });
    expect(refresh.data).toBeNull();
  }, 60_000);

  it('is minted only within its limits, by whoever may send audio to the session', async () => {
    const sessionId = await startSession();
    for (const seconds of [601, 0, -5]) {
      const result = await t.gql(MINT, { id: sessionId, seconds });
      expect(codesOf(result)).toEqual(['UNAUTHENTICATED']);
      const withToken = await t.gql(MINT, { id: sessionId, seconds }, { token: owner.accessToken });
      expect(codesOf(withToken)).toEqual(['BAD_USER_INPUT']);
    }
    const longest = await t.gql(MINT, { id: sessionId, seconds: 600 }, { token: owner.accessToken });
    issuedTokens.push(longest.data!.createStreamingToken.token);
    expect(new Date(longest.data!.createStreamingToken.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(600_000);

    const stranger = await registerUser(t);
    expect(codesOf(await t.gql(MINT, { id: sessionId }, { token: stranger.accessToken }))).toEqual(['NOT_FOUND']);
    const ended = await startSession();
    await t.gql(`mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id: ended }, { token: owner.accessToken });
    expect(codesOf(await t.gql(MINT, { id: ended }, { token: owner.accessToken }))).toEqual(['CONFLICT']);
  }, 60_000);

  it('never writes a streaming token to the logs', () => {
    expect(issuedTokens.length).toBeGreaterThan(3);
    const logs = t.logs.join('\n');
    for (const token of issuedTokens) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split('.')[2]);
    }
  });
});
