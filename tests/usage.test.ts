// Usage analytics: sums over a seeded month checked against hand-computed figures (zero-filled
// UTC days, providers, users, projects; the viewer sees their own records plus those of projects
// they administer), range defaults and caps, and agreement with jobStats over real finished jobs.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { estimateCostUsd } from '../server/services/pricing.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSilence, makeSpeechFixture, makeTempDir } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;
let bob: Awaited<ReturnType<typeof registerUser>>;
let carol: Awaited<ReturnType<typeof registerUser>>;
let admin: Awaited<ReturnType<typeof registerUser>>;
/** P1: alice OWNER, bob CONTRIBUTOR. P2: carol OWNER, alice CONTRIBUTOR. P3: bob OWNER. */
let p1: string;
let p2: string;
let p3: string;

const USAGE = `query ($from: DateTime, $to: DateTime, $groupBy: UsageGroupBy!) {
  usage(from: $from, to: $to, groupBy: $groupBy) { key jobs liveSessions audioSeconds costUsd } }`;
const ADMIN_USAGE = `query ($from: DateTime, $to: DateTime, $groupBy: UsageGroupBy!) {
  adminUsage(from: $from, to: $to, groupBy: $groupBy) { key jobs liveSessions audioSeconds costUsd } }`;
const FEBRUARY = { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' };

async function project(owner: { id: string }, name: string, members: [{ id: string }, 'ADMIN' | 'CONTRIBUTOR' | 'REVIEWER'][]) {
  const id = newId('Project');
  await t.deps.db.project.create({ data: { id, name, createdBy: owner.id } });
  await t.deps.db.projectMember.createMany({
    data: [{ projectId: id, userId: owner.id, role: 'OWNER' as const }, ...members.map(([user, role]) => ({ projectId: id, userId: user.id, role }))],
  });
  return id;
}

async function record(row: {
  user: { id: string };
  projectId?: string | null;
  provider: 'LOCAL' | 'OPENAI' | 'DEEPGRAM';
  model?: string;
  at: string;
  seconds: number;
  cost: number;
  session?: boolean;
}) {
  await t.deps.db.usageRecord.create({
    data: {
      id: newId('UsageRecord'),
      userId: row.user.id,
      projectId: row.projectId ?? null,
      jobId: row.session ? null : `job_seeded${Math.random().toString(36).slice(2, 18)}`,
      sessionId: row.session ? `ses_seeded${Math.random().toString(36).slice(2, 18)}` : null,
      provider: row.provider,
      model: row.model ?? null,
      audioSeconds: row.seconds,
      costUsd: row.cost,
      createdAt: new Date(row.at),
    },
  });
}

async function usage(token: string, groupBy: string, range: { from?: string; to?: string } = FEBRUARY, query = USAGE) {
  const result = await t.gql(query, { ...range, groupBy }, { token });
  expect(result.errors, result.raw).toBeUndefined();
  return (result.data!.usage ?? result.data!.adminUsage) as { key: string; jobs: number; liveSessions: number; audioSeconds: number; costUsd: number }[];
}

const bucket = (key: string, jobs: number, audioSeconds: number, costUsd: number, liveSessions = 0) => ({
  key,
  jobs,
  liveSessions,
  audioSeconds,
  costUsd,
});

beforeAll(async () => {
  t = await createTestApp();
  [alice, bob, carol, admin] = [await registerUser(t), await registerUser(t), await registerUser(t), await registerUser(t)];
  await makeAdmin(t, admin.id);
  p1 = await project(alice, 'alpha', [[bob, 'CONTRIBUTOR']]);
  p2 = await project(carol, 'beta', [[alice, 'CONTRIBUTOR']]);
  p3 = await project(bob, 'gamma', []);

  // February 2026, by hand. Visible to alice: her own records (1, 2, 3, 7) and P1's (4).
  await record({ user: alice, provider: 'LOCAL', at: '2026-02-01T00:00:00.000Z', seconds: 60, cost: 0 }); // 1
  await record({ user: alice, provider: 'OPENAI', model: 'whisper-1', at: '2026-02-01T23:59:59.999Z', seconds: 120, cost: 0.012 }); // 2
  await record({ user: alice, projectId: p2, provider: 'DEEPGRAM', at: '2026-02-03T12:00:00.000Z', seconds: 30, cost: 0.00215 }); // 3
  await record({ user: bob, projectId: p1, provider: 'OPENAI', at: '2026-02-03T05:00:00.000Z', seconds: 90, cost: 0.009 }); // 4
  await record({ user: bob, provider: 'OPENAI', at: '2026-02-03T06:00:00.000Z', seconds: 600, cost: 0.06 }); // 5: bob's own
  await record({ user: carol, projectId: p2, provider: 'LOCAL', at: '2026-02-10T08:00:00.000Z', seconds: 45, cost: 0 }); // 6: alice only contributes to P2
  await record({ user: alice, provider: 'LOCAL', at: '2026-02-28T23:59:59.000Z', seconds: 15, cost: 0, session: true }); // 7: a live session
  await record({ user: bob, projectId: p3, provider: 'OPENAI', at: '2026-02-14T10:00:00.000Z', seconds: 300, cost: 0.03 }); // 10
  // Just outside February.
  await record({ user: alice, provider: 'LOCAL', at: '2026-03-01T00:00:00.000Z', seconds: 1000, cost: 0 }); // 8
  await record({ user: alice, projectId: p1, provider: 'OPENAI', at: '2026-01-31T23:59:59.999Z', seconds: 500, cost: 0.05 }); // 9
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('usage over a seeded month', () => {
  it('groups the viewer’s usage by UTC day, with every empty day as a zero bucket', async () => {
    const days = await usage(alice.accessToken, 'DAY');
    expect(days).toHaveLength(28);
    expect(days.map((day) => day.key)).toEqual(
      Array.from({ length: 28 }, (_unused, i) => `2026-02-${String(i + 1).padStart(2, '0')}`),
    );
    const expected = new Map([
      ['2026-02-01', bucket('2026-02-01', 2, 180, 0.012)],
      ['2026-02-03', bucket('2026-02-03', 2, 120, 0.01115)],
      ['2026-02-28', bucket('2026-02-28', 1, 15, 0, 1)],
    ]);
    for (const day of days) expect(day).toEqual(expected.get(day.key) ?? bucket(day.key, 0, 0, 0));
  });

  it('groups by provider, user and project', async () => {
    expect(await usage(alice.accessToken, 'PROVIDER')).toEqual([
      bucket('DEEPGRAM', 1, 30, 0.00215),
      bucket('LOCAL', 2, 75, 0, 1),
      bucket('OPENAI', 2, 210, 0.021),
    ]);
    expect(await usage(alice.accessToken, 'USER')).toEqual(
      [bucket(alice.id, 4, 225, 0.01415, 1), bucket(bob.id, 1, 90, 0.009)].sort((a, b) => a.key.localeCompare(b.key)),
    );
    expect(await usage(alice.accessToken, 'PROJECT')).toEqual(
      [bucket('none', 3, 195, 0.012, 1), bucket(p1, 1, 90, 0.009), bucket(p2, 1, 30, 0.00215)].sort((a, b) => a.key.localeCompare(b.key)),
    );
  });

  it('shows a contributor only their own records, and admins everything', async () => {
    // bob: his own records (4, 5, 10) and those of P3, which he owns (10); P1 only as a contributor.
    expect(await usage(bob.accessToken, 'PROVIDER')).toEqual([bucket('OPENAI', 3, 990, 0.099)]);
    // carol owns P2: her record 6 and alice's record 3.
    expect(await usage(carol.accessToken, 'USER')).toEqual(
      [bucket(alice.id, 1, 30, 0.00215), bucket(carol.id, 1, 45, 0)].sort((a, b) => a.key.localeCompare(b.key)),
    );
    expect(await usage(admin.accessToken, 'PROVIDER', FEBRUARY, ADMIN_USAGE)).toEqual([
      bucket('DEEPGRAM', 1, 30, 0.00215),
      bucket('LOCAL', 3, 120, 0, 1),
      bucket('OPENAI', 4, 1110, 0.111),
    ]);
    const days = await usage(admin.accessToken, 'DAY', FEBRUARY, ADMIN_USAGE);
    expect(days).toHaveLength(28);
    expect(days.filter((day) => day.jobs > 0)).toEqual([
      bucket('2026-02-01', 2, 180, 0.012),
      bucket('2026-02-03', 3, 720, 0.07115),
      bucket('2026-02-10', 1, 45, 0),
      bucket('2026-02-14', 1, 300, 0.03),
      bucket('2026-02-28', 1, 15, 0, 1),
    ]);
    const denied = await t.gql(ADMIN_USAGE, { groupBy: 'DAY' }, { token: alice.accessToken });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await t.gql(USAGE, { groupBy: 'DAY' });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('counts a record in [from, to) only, and a partial day as one bucket', async () => {
    const days = await usage(alice.accessToken, 'DAY', { from: '2026-02-03T05:30:00.000Z', to: '2026-02-04T00:00:00.000Z' });
    expect(days).toEqual([bucket('2026-02-03', 1, 30, 0.00215)]);
    const edges = await usage(alice.accessToken, 'DAY', { from: '2026-01-31T23:59:59.999Z', to: '2026-02-01T00:00:00.001Z' });
    expect(edges).toEqual([bucket('2026-01-31', 1, 500, 0.05), bucket('2026-02-01', 1, 60, 0)]);
  });

  it('defaults to the last 30 UTC days, today included, and refuses bad or over-long ranges', async () => {
    await record({ user: carol, provider: 'LOCAL', at: new Date().toISOString(), seconds: 7, cost: 0 });
    const days = await usage(carol.accessToken, 'DAY', {});
    expect(days).toHaveLength(30);
    expect(days[29]).toEqual(bucket(new Date().toISOString().slice(0, 10), 1, 7, 0));
    expect(days.slice(0, 29).every((day) => day.jobs === 0)).toBe(true);

    for (const range of [
      { from: '2025-01-01T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z' }, // 367 days
      { from: '2026-02-02T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' },
      { from: '2026-02-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' },
    ]) {
      const result = await t.gql(USAGE, { ...range, groupBy: 'DAY' }, { token: alice.accessToken });
      expect(result.errors?.[0].extensions?.code, JSON.stringify(range)).toBe('BAD_USER_INPUT');
    }
    const year = await usage(alice.accessToken, 'DAY', { from: '2025-02-01T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' });
    expect(year).toHaveLength(366);
  });
});

describe('usage agrees with jobStats', () => {
  it('over real finished jobs: completed jobs and their audio seconds, with costs from PRICES', async () => {
    const temp = await makeTempDir();
    const app = await createTestApp({ PRICES: '{"LOCAL":{"*":0.25}}' }, { runner: true });
    try {
      const speech = await makeSpeechFixture(['the weather is nice today', 'please call me tomorrow'], path.join(temp.dir, 'speech.wav'));
      const silent = await makeSilence(3, path.join(temp.dir, 'silent.wav'), 0);
      const user = await registerUser(app);
      const from = new Date(Date.now() - 1000).toISOString();
      const ids: string[] = [];
      for (const file of [speech.wavPath, speech.wavPath, silent]) {
        const submitted = await submitFile(app, user.accessToken, file, { provider: 'LOCAL' });
        expect(submitted.errors, submitted.raw).toBeUndefined();
        ids.push(submitted.data!.createTranscriptionJob.id);
      }
      const jobs = [];
      for (const id of ids) jobs.push(await waitForJob(app, user.accessToken, id));
      expect(jobs.map((job) => job.status)).toEqual(['COMPLETED', 'COMPLETED', 'FAILED']);
      const to = new Date(Date.now() + 1000).toISOString();

      const stats = await app.gql(
        `query ($from: DateTime, $to: DateTime) { jobStats(from: $from, to: $to) { total completed failed audioSeconds } }`,
        { from, to },
        { token: user.accessToken },
      );
      expect(stats.data!.jobStats).toMatchObject({ total: 3, completed: 2, failed: 1 });
      const byUser = await app.gql(USAGE, { from, to, groupBy: 'USER' }, { token: user.accessToken });
      expect(byUser.data!.usage).toEqual([
        { key: user.id, jobs: 2, liveSessions: 0, audioSeconds: expect.any(Number), costUsd: expect.any(Number) },
      ]);
      const [mine] = byUser.data!.usage;
      expect(mine.jobs).toBe(stats.data!.jobStats.completed);
      expect(mine.audioSeconds).toBeCloseTo(stats.data!.jobStats.audioSeconds, 6);
      const durations = jobs.slice(0, 2).map((job) => job.mediaDurationSeconds as number);
      expect(mine.audioSeconds).toBeCloseTo(durations[0] + durations[1], 6);
      expect(mine.costUsd).toBeCloseTo(durations.reduce((sum, d) => sum + estimateCostUsd(app.deps.prices, 'LOCAL', null, d), 0), 6);
      expect(mine.costUsd).toBeCloseTo((0.25 * (durations[0] + durations[1])) / 60, 5);

      const days = await app.gql(USAGE, { from, to, groupBy: 'DAY' }, { token: user.accessToken });
      const total = days.data!.usage.reduce((sum: number, day: { audioSeconds: number }) => sum + day.audioSeconds, 0);
      expect(total).toBeCloseTo(stats.data!.jobStats.audioSeconds, 6);

      // Each usage record is written with its job's completion time.
      for (const job of await app.deps.db.job.findMany({ where: { id: { in: ids }, status: 'COMPLETED' } })) {
        const record = await app.deps.db.usageRecord.findFirst({ where: { jobId: job.id } });
        expect(record!.createdAt.getTime()).toBe(job.completedAt!.getTime());
        expect(record!.audioSeconds).toBe(job.mediaDurationSeconds);
      }

      // A range that ends before the jobs finished holds none of them, in both.
      const before = { from: new Date(Date.now() - 86_400_000).toISOString(), to: from };
      const none = await app.gql(
        `query ($from: DateTime, $to: DateTime) { jobStats(from: $from, to: $to) { total completed audioSeconds } usage(from: $from, to: $to, groupBy: USER) { key } }`,
        before,
        { token: user.accessToken },
      );
      expect(none.data).toEqual({ jobStats: { total: 0, completed: 0, audioSeconds: 0 }, usage: [] });
    } finally {
      await app.close();
      await temp.cleanup();
    }
  }, 180_000);
});
