// Quotas (the edge: exactly at the quota passes, one second over fails; reservations by queued
// jobs; URL jobs checked at submission and again by the worker; live start) and rate limits
// (job submissions and live audio, shared through PostgreSQL, with retryAfterSeconds).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { inspectMedia } from '../server/services/mediaCheck.ts';
import { assertRateLimit, rateLimitKeys } from '../server/services/rateLimit.ts';
import { recordSessionUsage } from '../server/services/usage.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, makeTempDir } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

const run = promisify(execFile);
type User = Awaited<ReturnType<typeof registerUser>>;

let t: TestApp;
let admin: User;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let tenSeconds: string;

const QUOTA = `quota { monthlyAudioMinutes usedAudioSecondsThisMonth reservedAudioSeconds remainingAudioSeconds resetsAt }`;
const SET_QUOTA = `mutation ($userId: ID!, $minutes: Int) { setUserQuota(userId: $userId, monthlyAudioMinutes: $minutes) { id ${QUOTA} } }`;
const URL_JOB = `mutation ($url: String!) { createTranscriptionJob(input: { url: $url }) { id status } }`;

const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  temp = await makeTempDir('parlance-quota-test-');
  tenSeconds = path.join(temp.dir, 'ten.wav');
  await run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', tenSeconds, 'synth', '10', 'sine', '440']);
  // No job runner: submitted jobs stay QUEUED, reserving their duration.
  t = await createTestApp({ URL_FETCH_ALLOW_HOSTS: '127.0.0.1' });
  admin = await registerUser(t);
  await makeAdmin(t, admin.id);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await temp?.cleanup();
});

/** A user with a quota of `minutes` and `usedSeconds` of usage recorded earlier this month. */
async function userWithQuota(minutes: number | null, usedSeconds = 0, app: TestApp = t): Promise<User> {
  const user = await registerUser(app);
  await app.deps.db.user.update({ where: { id: user.id }, data: { monthlyAudioMinutes: minutes } });
  if (usedSeconds > 0) {
    await app.deps.db.usageRecord.create({
      data: {
        id: newId('UsageRecord'),
        userId: user.id,
        jobId: `job_seeded${Math.random().toString(36).slice(2, 18)}`,
        provider: 'LOCAL',
        audioSeconds: usedSeconds,
        costUsd: 0,
        createdAt: new Date(),
      },
    });
  }
  return user;
}

async function myQuota(user: User, app: TestApp = t) {
  const result = await app.gql(`{ me { ${QUOTA} } }`, {}, { token: user.accessToken });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.me.quota;
}

describe('setUserQuota and User.quota', () => {
  it('lets admins set and clear a quota, and shows it to the user themself and admins only', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    expect(await myQuota(user)).toMatchObject({ monthlyAudioMinutes: null, usedAudioSecondsThisMonth: 0, reservedAudioSeconds: 0, remainingAudioSeconds: null });

    const denied = await t.gql(SET_QUOTA, { userId: user.id, minutes: 10 }, { token: user.accessToken });
    expect(codeOf(denied)).toBe('FORBIDDEN');
    for (const minutes of [-1]) {
      const bad = await t.gql(SET_QUOTA, { userId: user.id, minutes }, { token: admin.accessToken });
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    }
    const missing = await t.gql(SET_QUOTA, { userId: 'usr_0000000000000000000000000a', minutes: 1 }, { token: admin.accessToken });
    expect(codeOf(missing)).toBe('NOT_FOUND');

    const set = await t.gql(SET_QUOTA, { userId: user.id, minutes: 10 }, { token: admin.accessToken });
    expect(set.errors, set.raw).toBeUndefined();
    const now = new Date();
    expect(set.data!.setUserQuota.quota).toEqual({
      monthlyAudioMinutes: 10,
      usedAudioSecondsThisMonth: 0,
      reservedAudioSeconds: 0,
      remainingAudioSeconds: 600,
      resetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    });
    expect((await myQuota(user)).monthlyAudioMinutes).toBe(10);

    // Others see null: through node(id) the user is not even visible; through a shared project the quota is hidden.
    const projectId = newId('Project');
    await t.deps.db.project.create({ data: { id: projectId, name: 'shared', createdBy: user.id } });
    await t.deps.db.projectMember.createMany({
      data: [
        { projectId, userId: user.id, role: 'OWNER' },
        { projectId, userId: other.id, role: 'CONTRIBUTOR' },
      ],
    });
    const seen = await t.gql(
      `query ($id: ID!) { project(id: $id) { members { user { id quota { monthlyAudioMinutes } } } } }`,
      { id: projectId },
      { token: other.accessToken },
    );
    const quotas = Object.fromEntries(seen.data!.project.members.map((m: any) => [m.user.id, m.user.quota]));
    expect(quotas).toEqual({ [user.id]: null, [other.id]: { monthlyAudioMinutes: null } });
    const listed = await t.gql(`{ users(first: 100) { edges { node { id quota { monthlyAudioMinutes } } } } }`, {}, { token: admin.accessToken });
    expect(listed.data!.users.edges.find((edge: any) => edge.node.id === user.id).node.quota).toEqual({ monthlyAudioMinutes: 10 });

    const cleared = await t.gql(SET_QUOTA, { userId: user.id, minutes: null }, { token: admin.accessToken });
    expect(cleared.data!.setUserQuota.quota).toMatchObject({ monthlyAudioMinutes: null, remainingAudioSeconds: null });
  });
});

describe('the quota at submission', () => {
  it('passes media that ends exactly at the quota and refuses one second over, with the figures', async () => {
    expect((await inspectMedia(tenSeconds, t.deps.env)).durationSeconds).toBe(10);
    const atEdge = await userWithQuota(1, 50);
    const passed = await submitFile(t, atEdge.accessToken, tenSeconds);
    expect(passed.errors, passed.raw).toBeUndefined();
    expect(passed.data!.createTranscriptionJob.status).toBe('QUEUED');
    expect(await myQuota(atEdge)).toMatchObject({
      monthlyAudioMinutes: 1,
      usedAudioSecondsThisMonth: 50,
      reservedAudioSeconds: 10,
      remainingAudioSeconds: 0,
    });

    const over = await userWithQuota(1, 51);
    const jobsBefore = await t.deps.db.job.count();
    const refused = await submitFile(t, over.accessToken, tenSeconds);
    expect(codeOf(refused), refused.raw).toBe('QUOTA_EXCEEDED');
    expect(refused.errors![0].message).toBe(
      `Monthly audio quota exceeded: 51 s used of 60 s (1 min) this month (UTC); this media needs 10 s, 9 s left. ` +
        `The quota resets at ${refused.errors![0].message.match(/resets at (\S+)\.$/)![1]}.`,
    );
    expect(refused.errors![0].extensions).toMatchObject({
      monthlyAudioMinutes: 1,
      usedAudioSeconds: 51,
      reservedAudioSeconds: 0,
      requestedAudioSeconds: 10,
      remainingAudioSeconds: 9,
    });
    expect(await t.deps.db.job.count()).toBe(jobsBefore);
    expect(await t.deps.db.job.count({ where: { ownerId: over.id } })).toBe(0);
  }, 60_000);

  it('counts queued jobs as reserved, so the next submission and parallel ones cannot overshoot', async () => {
    const user = await userWithQuota(1, 50);
    expect((await submitFile(t, user.accessToken, tenSeconds)).errors).toBeUndefined();
    const again = await submitFile(t, user.accessToken, tenSeconds);
    expect(codeOf(again)).toBe('QUOTA_EXCEEDED');
    expect(again.errors![0].message).toContain('50 s used and 10 s reserved by work in progress of 60 s (1 min)');

    const racer = await userWithQuota(1, 45);
    const results = await Promise.all([0, 1, 2].map(() => submitFile(t, racer.accessToken, tenSeconds)));
    expect(results.filter((result) => !result.errors).length).toBe(1);
    expect(results.filter((result) => codeOf(result) === 'QUOTA_EXCEEDED').length).toBe(2);
    expect(await myQuota(racer)).toMatchObject({ usedAudioSecondsThisMonth: 45, reservedAudioSeconds: 10, remainingAudioSeconds: 5 });
  }, 60_000);

  it('ignores usage of earlier months and users without a quota', async () => {
    const user = await userWithQuota(1, 0);
    const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) - 1);
    await t.deps.db.usageRecord.create({
      data: { id: newId('UsageRecord'), userId: user.id, provider: 'LOCAL', audioSeconds: 5000, costUsd: 0, createdAt: lastMonth },
    });
    expect((await submitFile(t, user.accessToken, tenSeconds)).errors).toBeUndefined();
    const free = await userWithQuota(null, 100_000);
    expect((await submitFile(t, free.accessToken, tenSeconds)).errors).toBeUndefined();
    const zero = await userWithQuota(0);
    expect(codeOf(await submitFile(t, zero.accessToken, tenSeconds))).toBe('QUOTA_EXCEEDED');
  }, 60_000);

  it('refuses a URL job only when nothing is left, and a live session likewise', async () => {
    const almost = await userWithQuota(1, 59);
    const accepted = await t.gql(URL_JOB, { url: 'http://127.0.0.1:9/talk.wav' }, { token: almost.accessToken });
    expect(accepted.errors, accepted.raw).toBeUndefined();
    const full = await userWithQuota(1, 60);
    const refused = await t.gql(URL_JOB, { url: 'http://127.0.0.1:9/talk.wav' }, { token: full.accessToken });
    expect(codeOf(refused)).toBe('QUOTA_EXCEEDED');
    expect(refused.errors![0].message).toContain('60 s used of 60 s (1 min) this month (UTC); no audio left');
    const live = await t.gql(
      `mutation { startLiveSession(input: { provider: LOCAL, encoding: PCM_S16LE, sampleRate: 16000 }) { id } }`,
      {},
      { token: full.accessToken },
    );
    expect(codeOf(live)).toBe('QUOTA_EXCEEDED');
    expect(await t.deps.db.liveSession.count({ where: { ownerId: full.id } })).toBe(0);
  });
});

describe('live sessions and the quota', () => {
  it('counts a session without a usage record as reserved, and its record as used', async () => {
    const user = await userWithQuota(1, 30);
    const session = await t.deps.db.liveSession.create({
      data: { id: newId('LiveSession'), ownerId: user.id, provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, receivedSeconds: 20 },
    });
    expect(await myQuota(user)).toMatchObject({ usedAudioSecondsThisMonth: 30, reservedAudioSeconds: 20, remainingAudioSeconds: 10 });
    expect((await submitFile(t, user.accessToken, tenSeconds)).errors).toBeUndefined(); // 30 + 20 + 10 = 60
    expect(codeOf(await submitFile(t, user.accessToken, tenSeconds))).toBe('QUOTA_EXCEEDED');

    await t.deps.db.$transaction((tx) => recordSessionUsage(t.deps, tx, session, 20));
    await t.deps.db.$transaction((tx) => recordSessionUsage(t.deps, tx, session, 999)); // once per session
    await t.deps.db.liveSession.update({ where: { id: session.id }, data: { status: 'READY' } });
    expect(await myQuota(user)).toMatchObject({ usedAudioSecondsThisMonth: 50, reservedAudioSeconds: 10, remainingAudioSeconds: 0 });
    const usage = await t.gql(`{ usage(groupBy: PROVIDER) { key jobs liveSessions audioSeconds } }`, {}, { token: user.accessToken });
    expect(usage.data!.usage).toEqual([{ key: 'LOCAL', jobs: 2, liveSessions: 1, audioSeconds: 50 }]);
  }, 60_000);
});

describe('live audio and the quota', () => {
  it('takes audio up to exactly the quota while streaming and refuses one chunk more; ending bills the session', async () => {
    const user = await userWithQuota(1, 50);
    const started = await t.gql(`mutation { startLiveSession(input: { provider: LOCAL, encoding: PCM_S16LE, sampleRate: 16000 }) { id } }`, {}, { token: user.accessToken });
    expect(started.errors, started.raw).toBeUndefined();
    const id = started.data!.startLiveSession.id;
    const APPEND = `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`;
    const second = Buffer.alloc(32_000).toString('base64'); // 1 s of 16 kHz s16le
    for (let seq = 0; seq < 10; seq += 1) {
      const appended = await t.gql(APPEND, { id, seq, chunk: second }, { token: user.accessToken });
      expect(appended.errors, appended.raw).toBeUndefined();
    }
    expect(await myQuota(user)).toMatchObject({ usedAudioSecondsThisMonth: 50, reservedAudioSeconds: 10, remainingAudioSeconds: 0 });
    const over = await t.gql(APPEND, { id, seq: 10, chunk: Buffer.alloc(3200).toString('base64') }, { token: user.accessToken });
    expect(codeOf(over)).toBe('QUOTA_EXCEEDED');
    expect(over.errors![0].message).toContain('this media needs 0.1 s, 0 s left');
    expect((await t.deps.db.liveSession.findUniqueOrThrow({ where: { id } })).nextSeq).toBe(10);

    const ended = await t.gql(`mutation ($id: ID!) { endLiveSession(id: $id) { status receivedSeconds } }`, { id }, { token: user.accessToken });
    expect(ended.data?.endLiveSession).toEqual({ status: 'ENDED', receivedSeconds: 10 });
    expect(await myQuota(user)).toMatchObject({ usedAudioSecondsThisMonth: 60, reservedAudioSeconds: 0, remainingAudioSeconds: 0 });
    const record = await t.deps.db.usageRecord.findFirstOrThrow({ where: { sessionId: id } });
    expect(record).toMatchObject({ userId: user.id, provider: 'LOCAL', audioSeconds: 10 });
  }, 60_000);
});

describe('the quota in the worker, for URL jobs', () => {
  it('fails a fetched URL job that turns out longer than what is left, and runs one that fits exactly', async () => {
    const speech = await makeSpeechFixture(['the weather is nice today'], path.join(temp.dir, 'speech.wav'));
    const files: Record<string, Buffer> = { '/ten.wav': await readFile(tenSeconds), '/speech.wav': await readFile(speech.wavPath) };
    const server = http.createServer((req, res) => {
      const body = files[req.url ?? ''];
      if (!body) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const worker = await createTestApp({ URL_FETCH_ALLOW_HOSTS: '127.0.0.1' }, { runner: true });
    try {
      const over = await userWithQuota(1, 55, worker);
      const submitted = await worker.gql(URL_JOB, { url: `${base}/ten.wav` }, { token: over.accessToken });
      expect(submitted.errors, submitted.raw).toBeUndefined();
      const failed = await waitForJob(worker, over.accessToken, submitted.data!.createTranscriptionJob.id);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(/^Monthly audio quota exceeded: 55 s used of 60 s \(1 min\) this month \(UTC\); this media needs 10 s, 5 s left\./);
      expect(await worker.deps.db.usageRecord.count({ where: { jobId: failed.id } })).toBe(0);

      const duration = (await inspectMedia(speech.wavPath, worker.deps.env)).durationSeconds;
      const exact = await userWithQuota(1, 60 - duration, worker);
      const fits = await worker.gql(URL_JOB, { url: `${base}/speech.wav` }, { token: exact.accessToken });
      const done = await waitForJob(worker, exact.accessToken, fits.data!.createTranscriptionJob.id);
      expect(done.status, done.error).toBe('COMPLETED');
    } finally {
      await worker.close();
      server.close();
    }
  }, 120_000);
});

describe('rate limits', () => {
  it('limits job submissions per user, shared by every API process, with retryAfterSeconds', async () => {
    // Two API processes on one database (sharing the master key, as they would).
    const env = { URL_FETCH_ALLOW_HOSTS: '127.0.0.1', JOB_SUBMISSIONS_PER_MINUTE: '2', ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const one = await createTestApp(env);
    const two = await createTestApp(env, { databaseUrl: one.databaseUrl });
    try {
      const user = await registerUser(one);
      const other = await registerUser(one);
      for (const app of [one, two]) {
        const result = await app.gql(URL_JOB, { url: 'http://127.0.0.1:9/a.wav' }, { token: user.accessToken });
        expect(result.errors, result.raw).toBeUndefined();
      }
      for (const app of [one, two]) {
        const limited = await app.gql(URL_JOB, { url: 'http://127.0.0.1:9/a.wav' }, { token: user.accessToken });
        expect(codeOf(limited), limited.raw).toBe('RATE_LIMITED');
        const retryAfter = limited.errors![0].extensions!.retryAfterSeconds as number;
        expect(retryAfter).toBeGreaterThanOrEqual(29);
        expect(retryAfter).toBeLessThanOrEqual(30);
        expect(limited.errors![0].message).toMatch(/at most 2 per minute\. Try again in (29|30) s\./);
      }
      const fine = await two.gql(URL_JOB, { url: 'http://127.0.0.1:9/a.wav' }, { token: other.accessToken });
      expect(fine.errors).toBeUndefined();
      expect(await one.deps.db.job.count({ where: { ownerId: user.id } })).toBe(2);
    } finally {
      await two.close();
      await one.close();
    }
  });

  it('limits live audio chunks per user: LIVE_AUDIO_CHUNKS_PER_SECOND on average over 10 s', async () => {
    const app = await createTestApp({ LIVE_AUDIO_CHUNKS_PER_SECOND: '1' });
    try {
      const [user, other] = [await registerUser(app), await registerUser(app)];
      const append = (who: User) =>
        app.gql(`mutation { appendLiveAudio(sessionId: "ses_0000000000000000000000000a", seq: 0, chunk: "AAAA") }`, {}, { token: who.accessToken });
      // A burst of 10 (1 a second over 10 s), then one a second (more when the machine is slow).
      const started = Date.now();
      let accepted = 0;
      let limited = await append(user);
      while (codeOf(limited) === 'NOT_FOUND' && accepted < 30) {
        accepted += 1;
        limited = await append(user);
      }
      expect(codeOf(limited)).toBe('RATE_LIMITED');
      expect(accepted).toBeGreaterThanOrEqual(10);
      expect(accepted).toBeLessThanOrEqual(10 + Math.ceil((Date.now() - started) / 1000));
      expect(limited.errors![0].extensions!.retryAfterSeconds).toBe(1);
      expect(codeOf(await append(other))).toBe('NOT_FOUND');
      // A second later (the bucket's clock moved, not ours): one chunk is earned back, not two.
      await app.deps.db.$executeRaw`
        UPDATE rate_limits SET tokens = 0, updated_at = clock_timestamp() - interval '1 second' WHERE key = ${rateLimitKeys.liveAudio(user.id)}`;
      expect(codeOf(await append(user))).toBe('NOT_FOUND');
      expect(codeOf(await append(user))).toBe('RATE_LIMITED');
    } finally {
      await app.close();
    }
  });

  it('refills the bucket over the window and takes nothing when refusing', async () => {
    const slow = `test:${Math.random()}`;
    for (let i = 0; i < 3; i += 1) await assertRateLimit(t.deps, slow, 3, 60);
    // Empty: the next token comes in 20 s, and refused attempts do not push it further away.
    for (let i = 0; i < 3; i += 1) {
      const error = await assertRateLimit(t.deps, slow, 3, 60).then(() => null, (caught: unknown) => caught);
      expect(error).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
      const retryAfter = (error as { extensions: { retryAfterSeconds: number } }).extensions.retryAfterSeconds;
      expect(retryAfter).toBeGreaterThanOrEqual(19);
      expect(retryAfter).toBeLessThanOrEqual(20);
    }
    const fast = `test:${Math.random()}`;
    for (let i = 0; i < 3; i += 1) await assertRateLimit(t.deps, fast, 3, 0.3);
    await t.deps.db.$executeRaw`UPDATE rate_limits SET updated_at = updated_at - interval '150 milliseconds' WHERE key = ${fast}`;
    await assertRateLimit(t.deps, fast, 3, 0.3); // 0.15 s refilled 1.5 tokens
    await assertRateLimit(t.deps, slow, 0, 60); // 0: no limit
  });
});
