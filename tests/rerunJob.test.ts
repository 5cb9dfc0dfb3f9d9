// rerunJob: a job's media transcribed again with other settings, as a new job of the caller's that
// links back; the media is copied (no upload), so either job may go on its own; access, email
// verification, quota and option checks apply, and a refused rerun leaves nothing behind.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { expireRetainedData } from '../server/services/retention.ts';
import { startFakeDeepgram, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { storedJobFiles, submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, makeTempDir, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

const RERUN = `mutation ($id: ID!, $input: RerunJobInput) { rerunJob(id: $id, input: $input) {
  id status provider providers model language diarize translateTo filename mediaDurationSeconds owner { id } project { id } rerunOf { id } } }`;
const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let speech: SpeechFixture;
let deepgram: FakeDeepgramServer;
let t: TestApp;
let alice: User;

async function verifiedUser(): Promise<User> {
  const user = await registerUser(t);
  await t.deps.db.user.update({ where: { id: user.id }, data: { emailVerifiedAt: new Date() } });
  return user;
}

async function submit(user: User, input: Record<string, unknown>): Promise<string> {
  const result = await submitFile(t, user.accessToken, speech.wavPath, input);
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.createTranscriptionJob.id as string;
}

async function completed(user: User, id: string) {
  const job = await waitForJob(t, user.accessToken, id, undefined, 120_000);
  expect(job.status, job.error).toBe('COMPLETED');
  return job;
}

const rerun = (user: User, id: string, input?: Record<string, unknown>) => t.gql(RERUN, { id, input }, { token: user.accessToken });
const sourceFile = (jobId: string) => path.join(t.deps.env.storageDir, 'jobs', jobId, 'source');

beforeAll(async () => {
  temp = await makeTempDir('parlance-rerun-');
  speech = await makeSpeechFixture(['the meeting starts at nine', 'please bring the report'], path.join(temp.dir, 'speech.wav'), { voice: 'rms' });
  deepgram = await startFakeDeepgram({ apiKey: null });
  t = await createTestApp({ DEEPGRAM_BASE_URL: deepgram.baseUrl, REQUIRE_EMAIL_VERIFICATION: 'true' }, { runner: true });
  alice = await verifiedUser();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await deepgram?.close();
  await temp?.cleanup();
});

describe('rerunJob', () => {
  it('transcribes the same media again with other settings as a new job that links back, and records its usage', async () => {
    const originalId = await submit(alice, { provider: 'LOCAL', language: 'en' });
    const original = await completed(alice, originalId);
    const uploadsBefore = deepgram.listens.length;

    const result = await rerun(alice, originalId, { provider: 'DEEPGRAM', diarize: true });
    expect(result.errors, result.raw).toBeUndefined();
    const job = result.data!.rerunJob;
    expect(job).toMatchObject({
      status: 'QUEUED',
      provider: 'DEEPGRAM',
      providers: ['DEEPGRAM'],
      diarize: true,
      language: 'en', // kept from the original
      filename: 'speech.wav',
      mediaDurationSeconds: original.mediaDurationSeconds,
      owner: { id: alice.id },
      project: null,
      rerunOf: { id: originalId },
    });
    expect(job.id).not.toBe(originalId);
    // Its own copy of the media, byte for byte.
    expect(await readFile(sourceFile(job.id))).toEqual(await readFile(sourceFile(originalId)));

    const done = await completed(alice, job.id);
    expect(done.text).toBeTruthy();
    expect(deepgram.listens.length).toBe(uploadsBefore + 1);
    expect(deepgram.listens.at(-1)).toMatchObject({ diarize: true, language: 'en' });
    const usage = await t.deps.db.usageRecord.findMany({ where: { jobId: job.id } });
    expect(usage.map((record) => [record.userId, record.provider])).toEqual([[alice.id, 'DEEPGRAM']]);
    expect(usage[0].audioSeconds).toBeCloseTo(original.mediaDurationSeconds, 1);
    // The original is as it was.
    const again = await waitForJob(t, alice.accessToken, originalId);
    expect(again.segments).toEqual(original.segments);
    expect(again.provider).toBe('LOCAL');

    // A setting given as null clears it: language null detects.
    const detect = await rerun(alice, job.id, { language: null });
    expect(detect.errors, detect.raw).toBeUndefined();
    expect(detect.data!.rerunJob).toMatchObject({ language: null, provider: 'DEEPGRAM', diarize: true, rerunOf: { id: job.id } });
    await completed(alice, detect.data!.rerunJob.id);
  }, 240_000);

  it("keeps the original's vocabulary and context prompt unless the rerun gives others", async () => {
    const set = await t.gql(`mutation ($input: CreateVocabularySetInput!) { createVocabularySet(input: $input) { id } }`, {
      input: { name: 'Names', terms: ['Tarkindale', 'Zorblax'] },
    }, { token: alice.accessToken });
    expect(set.errors, set.raw).toBeUndefined();
    const originalId = await submit(alice, { provider: 'DEEPGRAM', vocabularySetIds: [set.data!.createVocabularySet.id], contextPrompt: 'A board meeting.' });
    await completed(alice, originalId);
    const APPLIED = `query ($id: ID!) { job(id: $id) { vocabularyApplied { provider termsApplied } } }`;
    const applied = async (id: string) => (await t.gql(APPLIED, { id }, { token: alice.accessToken })).data!.job.vocabularyApplied;
    const vocabularyOf = (id: string) => t.deps.db.job.findUniqueOrThrow({ where: { id }, select: { vocabularyTerms: true, contextPrompt: true } });

    const same = await rerun(alice, originalId);
    expect(same.errors, same.raw).toBeUndefined();
    await completed(alice, same.data!.rerunJob.id);
    expect(await vocabularyOf(same.data!.rerunJob.id)).toEqual({ vocabularyTerms: ['Tarkindale', 'Zorblax'], contextPrompt: 'A board meeting.' });
    expect(await applied(same.data!.rerunJob.id)).toEqual([{ provider: 'DEEPGRAM', termsApplied: ['Tarkindale', 'Zorblax'] }]);

    const other = await rerun(alice, originalId, { vocabularySetIds: [], contextPrompt: 'A call.' });
    expect(other.errors, other.raw).toBeUndefined();
    await completed(alice, other.data!.rerunJob.id);
    expect(await vocabularyOf(other.data!.rerunJob.id)).toEqual({ vocabularyTerms: [], contextPrompt: 'A call.' });
  }, 240_000);

  it('lets either job be deleted without the other losing its media', async () => {
    const originalId = await submit(alice, { provider: 'DEEPGRAM' });
    await completed(alice, originalId);
    const first = await rerun(alice, originalId);
    expect(first.errors, first.raw).toBeUndefined();
    const firstId = first.data!.rerunJob.id as string;
    await completed(alice, firstId);
    // Deleting the rerun leaves the original's media.
    expect((await t.gql(`mutation ($id: ID!) { deleteJob(id: $id) }`, { id: firstId }, { token: alice.accessToken })).data).toEqual({ deleteJob: true });
    await expect(readFile(sourceFile(originalId))).resolves.toBeTruthy();

    // Deleting the original before its rerun has even started leaves the rerun able to run.
    const second = await rerun(alice, originalId, { provider: 'LOCAL' });
    expect(second.errors, second.raw).toBeUndefined();
    const secondId = second.data!.rerunJob.id as string;
    expect((await t.gql(`mutation ($id: ID!) { deleteJob(id: $id) }`, { id: originalId }, { token: alice.accessToken })).data).toEqual({ deleteJob: true });
    const done = await completed(alice, secondId);
    expect(done.text).toMatch(/meeting/);
    const link = await t.gql(`query ($id: ID!) { job(id: $id) { rerunOf { id } } }`, { id: secondId }, { token: alice.accessToken });
    expect(link.data!.job.rerunOf).toBeNull();
    await expect(readFile(sourceFile(secondId))).resolves.toBeTruthy();
  }, 240_000);

  it("keeps a project member's rerun whole when the original expires by retention or its owner's account is erased", async () => {
    const [owner, carol, bob, admin] = [await verifiedUser(), await verifiedUser(), await verifiedUser(), await verifiedUser()];
    await t.deps.db.user.update({ where: { id: admin.id }, data: { role: 'ADMIN' } });
    const project = await t.gql(`mutation { createProject(input: { name: "Kept reruns" }) { id } }`, {}, { token: owner.accessToken });
    expect(project.errors, project.raw).toBeUndefined();
    const projectId = project.data!.createProject.id as string;
    await t.deps.db.project.update({ where: { id: projectId }, data: { retentionDays: 2 } });
    for (const user of [carol, bob]) await t.deps.db.projectMember.create({ data: { projectId, userId: user.id, role: 'CONTRIBUTOR' } });

    // Retention: the original finished long ago and goes; the rerun, finished now, stays with its media.
    const expiring = await submit(carol, { provider: 'DEEPGRAM', projectId });
    await completed(carol, expiring);
    const kept = await rerun(bob, expiring);
    expect(kept.errors, kept.raw).toBeUndefined();
    const keptId = kept.data!.rerunJob.id as string;
    await completed(bob, keptId);
    await t.deps.db.job.update({ where: { id: expiring }, data: { completedAt: new Date(Date.now() - 10 * 86_400_000) } });
    expect(await expireRetainedData(t.deps, new Date())).toMatchObject({ expiredJobs: 1 });
    expect(await t.deps.db.job.findUnique({ where: { id: expiring } })).toBeNull();
    await expect(readFile(sourceFile(expiring))).rejects.toThrow();
    const afterExpiry = await t.gql(`query ($id: ID!) { job(id: $id) { status rerunOf { id } } }`, { id: keptId }, { token: bob.accessToken });
    expect(afterExpiry.data!.job).toEqual({ status: 'COMPLETED', rerunOf: null });
    await expect(readFile(sourceFile(keptId))).resolves.toBeTruthy();

    // Erasure: carol's account goes with her jobs' files; bob's rerun of her job keeps its own copy and can run again.
    const erased = await submit(carol, { provider: 'DEEPGRAM', projectId });
    await completed(carol, erased);
    const copy = await rerun(bob, erased, { diarize: true });
    expect(copy.errors, copy.raw).toBeUndefined();
    const copyId = copy.data!.rerunJob.id as string;
    await completed(bob, copyId);
    const deleted = await t.gql(`mutation ($id: ID!) { adminDeleteUser(id: $id) }`, { id: carol.id }, { token: admin.accessToken });
    expect(deleted.errors, deleted.raw).toBeUndefined();
    await waitFor("carol's files erased", async () => !(await storedJobFiles(t)).some((file) => file.includes(erased)), 60_000);
    await expect(readFile(sourceFile(copyId))).resolves.toBeTruthy();
    const again = await rerun(bob, copyId, { diarize: false });
    expect(again.errors, again.raw).toBeUndefined();
    await completed(bob, again.data!.rerunJob.id);
  }, 240_000);

  it("is open to the job's owner and to project members who may submit jobs there, as their own job", async () => {
    const [bob, carol, stranger, admin] = [await verifiedUser(), await verifiedUser(), await verifiedUser(), await verifiedUser()];
    await t.deps.db.user.update({ where: { id: admin.id }, data: { role: 'ADMIN' } });
    const project = await t.gql(`mutation { createProject(input: { name: "Reruns" }) { id } }`, {}, { token: alice.accessToken });
    expect(project.errors, project.raw).toBeUndefined();
    const projectId = project.data!.createProject.id as string;
    await t.deps.db.projectMember.create({ data: { projectId, userId: bob.id, role: 'CONTRIBUTOR' } });
    await t.deps.db.projectMember.create({ data: { projectId, userId: carol.id, role: 'REVIEWER' } });
    const projectJob = await submit(alice, { provider: 'DEEPGRAM', projectId });
    const personalJob = await submit(alice, { provider: 'DEEPGRAM' });

    const byBob = await rerun(bob, projectJob, { diarize: true });
    expect(byBob.errors, byBob.raw).toBeUndefined();
    expect(byBob.data!.rerunJob).toMatchObject({ owner: { id: bob.id }, project: { id: projectId }, rerunOf: { id: projectJob }, diarize: true });
    await completed(bob, byBob.data!.rerunJob.id);

    const before = await t.deps.db.job.count();
    expect(codeOf(await rerun(carol, projectJob))).toBe('FORBIDDEN'); // a REVIEWER may not submit jobs
    expect(codeOf(await rerun(stranger, projectJob))).toBe('NOT_FOUND');
    expect(codeOf(await rerun(stranger, personalJob))).toBe('NOT_FOUND');
    expect(codeOf(await rerun(bob, personalJob))).toBe('NOT_FOUND');
    // A site admin sees every job but does not take copies of other people's personal media.
    expect(codeOf(await rerun(admin, personalJob))).toBe('FORBIDDEN');
    expect(await t.deps.db.job.count()).toBe(before);
  }, 240_000);

  it('refuses with a typed error and leaves no job or file behind: options, quota, email verification, missing media', async () => {
    const originalId = await submit(alice, { provider: 'DEEPGRAM' });
    await completed(alice, originalId);
    const jobsBefore = await t.deps.db.job.count();
    const filesBefore = (await storedJobFiles(t)).sort();
    const nothingLeft = async () => {
      expect(await t.deps.db.job.count()).toBe(jobsBefore);
      expect((await storedJobFiles(t)).sort()).toEqual(filesBefore);
    };

    const badLanguage = await rerun(alice, originalId, { language: 'not a language' });
    expect(codeOf(badLanguage), badLanguage.raw).toBe('BAD_USER_INPUT');
    const localModel = await rerun(alice, originalId, { provider: 'LOCAL', model: 'large' });
    expect(codeOf(localModel), localModel.raw).toBe('BAD_USER_INPUT');
    const both = await rerun(alice, originalId, { provider: 'LOCAL', providers: ['DEEPGRAM'] });
    expect(codeOf(both), both.raw).toBe('BAD_USER_INPUT');
    expect(codeOf(await rerun(alice, newId('Job')))).toBe('NOT_FOUND');
    // A summary needs the chat endpoint, which this server lacks: asked for, or carried from the original.
    const summary = await rerun(alice, originalId, { summarize: true });
    expect(codeOf(summary), summary.raw).toBe('PROVIDER_UNAVAILABLE');
    await t.deps.db.job.update({ where: { id: originalId }, data: { summaryRequested: true } });
    expect(codeOf(await rerun(alice, originalId))).toBe('PROVIDER_UNAVAILABLE');
    await nothingLeft();
    const withoutSummary = await rerun(alice, originalId, { summarize: false });
    expect(withoutSummary.errors, withoutSummary.raw).toBeUndefined();
    const withoutSummaryId = withoutSummary.data!.rerunJob.id as string;
    expect((await t.deps.db.job.findUniqueOrThrow({ where: { id: withoutSummaryId } })).summaryRequested).toBe(false);
    expect((await t.gql(`mutation ($id: ID!) { deleteJob(id: $id) }`, { id: withoutSummaryId }, { token: alice.accessToken })).errors).toBeUndefined();
    await t.deps.db.job.update({ where: { id: originalId }, data: { summaryRequested: false } });
    await nothingLeft();

    // Over quota: the copy is refused before anything is written.
    await t.deps.db.user.update({ where: { id: alice.id }, data: { monthlyAudioMinutes: 0 } });
    const overQuota = await rerun(alice, originalId);
    expect(codeOf(overQuota), overQuota.raw).toBe('QUOTA_EXCEEDED');
    await t.deps.db.user.update({ where: { id: alice.id }, data: { monthlyAudioMinutes: null } });
    await nothingLeft();

    // An unverified address may not submit work, reruns included.
    await t.deps.db.user.update({ where: { id: alice.id }, data: { emailVerifiedAt: null } });
    const unverified = await rerun(alice, originalId);
    expect(codeOf(unverified), unverified.raw).toBe('FORBIDDEN');
    expect(unverified.errors?.[0]?.extensions?.reason).toBe('EMAIL_NOT_VERIFIED');
    await t.deps.db.user.update({ where: { id: alice.id }, data: { emailVerifiedAt: new Date() } });
    await nothingLeft();

    // Media gone from storage (or never stored): CONFLICT.
    await rm(sourceFile(originalId));
    const gone = await rerun(alice, originalId);
    expect(codeOf(gone), gone.raw).toBe('CONFLICT');
    const noMedia = newId('Job');
    await t.deps.db.job.create({ data: { id: noMedia, ownerId: alice.id, provider: 'LOCAL', status: 'FAILED' } });
    const none = await rerun(alice, noMedia);
    expect(codeOf(none), none.raw).toBe('CONFLICT');
    expect(await t.deps.db.job.count()).toBe(jobsBefore + 1);
    expect((await storedJobFiles(t)).sort()).toEqual(filesBefore.filter((file) => !file.includes(originalId)));
  }, 240_000);
});
