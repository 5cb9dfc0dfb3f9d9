// Access that ends mid-stream ends the stream: each subscription event is delivered only if the
// subscriber may still see it when it is delivered (deactivation, removal from a project, a lost
// admin role, an expired access token). Events are published exactly as the worker and the live
// runtime publish them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { wavHeader } from '../server/media/wav.ts';
import { topics } from '../server/pubsub/pubsub.ts';
import { publishJobChange } from '../server/services/jobs.ts';
import { collect, connectWs, errorCodes, type Collected } from './helpers/graphqlWs.ts';
import { submitFile } from './helpers/jobs.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

let t: TestApp;
let base: string;
let dir: string;
let wavPath: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-sub-access-'));
  wavPath = path.join(dir, 'silence.wav');
  const samples = Buffer.alloc(16_000 * 2);
  await writeFile(wavPath, Buffer.concat([wavHeader(samples.length), samples]));
  t = await createTestApp();
  base = await t.listen();
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const listeners = () => t.deps.subscriber!.listenerCount();

async function subscribed<T>(operation: () => Collected<T>): Promise<Collected<T>> {
  const before = listeners();
  const collected = operation();
  await waitFor('the subscription to listen', async () => {
    if (collected.ended()) throw new Error(`ended: ${JSON.stringify(collected.ended())}`);
    return listeners() > before;
  });
  return collected;
}

/** Waits until the operation ends or delivers more than `count` events; returns how it ended (null: still open). */
async function endOrMore<T>(collected: Collected<T>, count: number) {
  await waitFor('the subscription to end or deliver again', async () => collected.ended() || collected.events.length > count);
  return collected.ended();
}

async function queuedJob(token: string) {
  const submitted = await submitFile(t, token, wavPath);
  if (!submitted.data) throw new Error(submitted.raw);
  return t.deps.db.job.findUniqueOrThrow({ where: { id: submitted.data.createTranscriptionJob.id as string } });
}

type JobEvent = { data: { myJobUpdated?: { id: string }; jobUpdated?: { id: string } } };

describe('job subscriptions re-check access per event', () => {
  it("a deactivated user's myJobUpdated ends with UNAUTHENTICATED at the next event", async () => {
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const user = await registerUser(t);
    const job = await queuedJob(user.accessToken);
    const client = connectWs(base, user.accessToken);
    const updates = await subscribed(() => collect<JobEvent>(client, `subscription { myJobUpdated { id status } }`));

    await publishJobChange(t.deps, job);
    await waitFor('the first event', async () => updates.events.length === 1);

    const deactivated = await t.gql(`mutation ($id: ID!) { setUserActive(userId: $id, active: false) { isActive } }`, { id: user.id }, { token: admin.accessToken });
    expect(deactivated.data).toEqual({ setUserActive: { isActive: false } });
    await publishJobChange(t.deps, job);
    const ended = await endOrMore(updates, 1);
    expect(updates.events).toHaveLength(1);
    expect(errorCodes(ended?.error)).toEqual(['UNAUTHENTICATED']);
    await client.dispose();
  });

  it('an access token that expires mid-stream ends the subscription with UNAUTHENTICATED', async () => {
    const user = await registerUser(t);
    const job = await queuedJob(user.accessToken);
    const client = connectWs(base, user.accessToken);
    const updates = await subscribed(() => collect<JobEvent>(client, `subscription ($id: ID!) { jobUpdated(id: $id) { id } }`, { id: job.id }));
    // The first event is the job as it is now.
    await waitFor('the first event', async () => updates.events.length === 1);

    // Only the clock moves (no timers): the token is now well past its expiry and clock tolerance.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3600_000 });
    await publishJobChange(t.deps, job);
    const ended = await endOrMore(updates, 1);
    vi.useRealTimers();
    expect(updates.events).toHaveLength(1);
    expect(errorCodes(ended?.error)).toEqual(['UNAUTHENTICATED']);
    await client.dispose();
  });

  it("an admin who loses the role stops receiving another user's job at the next event", async () => {
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const owner = await registerUser(t);
    const job = await queuedJob(owner.accessToken);
    const client = connectWs(base, admin.accessToken);
    const updates = await subscribed(() => collect<JobEvent>(client, `subscription ($id: ID!) { jobUpdated(id: $id) { id } }`, { id: job.id }));
    // The first event is the job as it is now.
    await waitFor('the first event', async () => updates.events.length === 1);

    await t.deps.db.user.update({ where: { id: admin.id }, data: { role: 'USER' } });
    await publishJobChange(t.deps, job);
    const ended = await endOrMore(updates, 1);
    expect(updates.events).toHaveLength(1);
    expect(ended).toEqual({});
    await client.dispose();
  });
});

describe('live-session chunks re-check project membership per event', () => {
  it('a member removed from the project mid-session stops receiving transcriptChunks at the next event; the owner keeps them', async () => {
    const owner = await registerUser(t);
    const member = await registerUser(t);
    const project = await t.gql(`mutation { createProject(input: { name: "Mid-session removal" }) { id } }`, {}, { token: owner.accessToken });
    const projectId = project.data!.createProject.id as string;
    await t.deps.db.projectMember.create({ data: { projectId, userId: member.id, role: 'REVIEWER' } });
    const started = await t.gql(
      `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id } }`,
      { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, projectId } },
      { token: owner.accessToken },
    );
    const sessionId = started.data!.startLiveSession.id as string;

    const query = `subscription ($id: ID) { transcriptChunks(sessionId: $id) { sessionId isFinal segment { index text } } }`;
    type ChunkEvent = { data: { transcriptChunks: { segment: { index: number; text: string } } } };
    const memberClient = connectWs(base, member.accessToken);
    const ownerClient = connectWs(base, owner.accessToken);
    const memberChunks = await subscribed(() => collect<ChunkEvent>(memberClient, query, { id: sessionId }));
    const ownerChunks = await subscribed(() => collect<ChunkEvent>(ownerClient, query, { id: sessionId }));
    const interim = (index: number, text: string) =>
      t.deps.publisher.publish(topics.sessionChunks(sessionId), { sessionId, index, isFinal: false, start: 0, end: 1, text });

    await interim(0, 'before the removal');
    await waitFor('both got the first chunk', async () => memberChunks.events.length === 1 && ownerChunks.events.length === 1);

    const removed = await t.gql(
      `mutation ($projectId: ID!, $userId: ID!) { removeMember(projectId: $projectId, userId: $userId) }`,
      { projectId, userId: member.id },
      { token: owner.accessToken },
    );
    expect(removed.data).toEqual({ removeMember: true });
    await interim(1, 'after the removal');
    await waitFor('the owner got the second chunk', async () => ownerChunks.events.length === 2);
    const ended = await endOrMore(memberChunks, 1);
    expect(memberChunks.events.map((event) => event.data.transcriptChunks.segment.text)).toEqual(['before the removal']);
    expect(ended).toEqual({});
    expect(ownerChunks.ended()).toBeNull();

    await t.gql(`mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id: sessionId }, { token: owner.accessToken });
    await memberClient.dispose();
    await ownerClient.dispose();
  });
});
