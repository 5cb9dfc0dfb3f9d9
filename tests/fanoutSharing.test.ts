// Fan-out shares work per event (pubsub/eventShare.ts, http/sharedSubscriptionResults.ts): one
// execution per distinct (selection, visibility), the visibility from the redaction rule, and every
// subscriber's right to the event still checked as it is delivered. Chunks are stored and published
// the way the worker does it (storeChunk).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { storeChunk } from '../server/services/transcription/storeChunk.ts';
import { collect, connectWs, type Collected } from './helpers/graphqlWs.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await t.listen();
});

afterAll(async () => {
  await t?.close();
});

type ChunkEvent = { data: { transcriptChunks: { segment: { index: number; text: string; words?: Array<{ word: string }> } } } };
const CAPTIONS = `subscription ($id: ID) { transcriptChunks(jobId: $id) { isFinal segment { index text } } }`;
const WITH_WORDS = `subscription ($id: ID) { transcriptChunks(jobId: $id) { isFinal segment { index text words { word } } } }`;
const EMAIL = 'ann.lee@example.com';

async function executions(): Promise<{ executed: number; shared: number }> {
  const metric = await t.deps.metrics.registry.getSingleMetric('parlance_subscription_event_executions_total')?.get();
  const value = (outcome: string) => metric?.values.find((entry) => entry.labels.outcome === outcome)?.value ?? 0;
  return { executed: value('executed'), shared: value('shared') };
}

/** A project job redacting e-mail addresses, PROCESSING as the worker leaves it, and a member. */
async function projectJob() {
  const owner = await registerUser(t);
  const member = await registerUser(t);
  const other = await registerUser(t);
  const project = await t.gql(`mutation { createProject(input: { name: "Fan-out" }) { id } }`, {}, { token: owner.accessToken });
  const projectId = project.data!.createProject.id as string;
  await t.deps.db.projectMember.createMany({
    data: [
      { projectId, userId: member.id, role: 'REVIEWER' },
      { projectId, userId: other.id, role: 'CONTRIBUTOR' },
    ],
  });
  const jobId = newId('Job');
  await t.deps.db.job.create({
    data: { id: jobId, ownerId: owner.id, projectId, provider: 'LOCAL', status: 'PROCESSING', filename: 'fanout.wav', redact: ['EMAIL'] },
  });
  return { owner, member, other, projectId, jobId };
}

const store = (jobId: string, index: number, text: string) =>
  storeChunk(t.deps, jobId, { index, start: index * 10, end: index * 10 + 5 }, 'LOCAL', [
    { start: 0, end: 4, text, words: text.split(' ').map((word, i) => ({ word, start: i * 0.5, end: i * 0.5 + 0.4 })) },
  ], { progress: 0.5, detectedLanguage: null });

async function subscribedAll(subscriptions: Array<() => Collected<ChunkEvent>>): Promise<Array<Collected<ChunkEvent>>> {
  const before = t.deps.subscriber!.listenerCount();
  const collected = subscriptions.map((open) => open());
  // Each transcriptChunks(jobId:) stream listens to two topics (its chunks, the job's status).
  await waitFor('every subscription to listen', async () => {
    const ended = collected.find((one) => one.ended());
    if (ended) throw new Error(`ended: ${JSON.stringify(ended.ended())}`);
    return t.deps.subscriber!.listenerCount() >= before + 2 * subscriptions.length;
  });
  return collected;
}

describe('transcriptChunks fan-out', () => {
  it('executes an event once per distinct selection and redaction, and each subscriber gets what it may see', async () => {
    const { owner, member, other, jobId } = await projectJob();
    const sockets = [owner, owner, member, other, member].map((user) => connectWs(base, user.accessToken));
    const [ownerA, ownerB, memberCaptions, otherCaptions, memberWords] = await subscribedAll([
      () => collect<ChunkEvent>(sockets[0], CAPTIONS, { id: jobId }),
      () => collect<ChunkEvent>(sockets[1], CAPTIONS, { id: jobId }),
      () => collect<ChunkEvent>(sockets[2], CAPTIONS, { id: jobId }),
      () => collect<ChunkEvent>(sockets[3], CAPTIONS, { id: jobId }),
      () => collect<ChunkEvent>(sockets[4], WITH_WORDS, { id: jobId }),
    ]);
    const all = [ownerA, ownerB, memberCaptions, otherCaptions, memberWords];
    const before = await executions();

    expect(await store(jobId, 0, `please write to ${EMAIL} tomorrow`)).toBe(true);
    await waitFor('every subscriber to receive the chunk', async () => all.every((one) => one.events.length === 1));

    const segment = (one: Collected<ChunkEvent>) => one.events[0].data.transcriptChunks.segment;
    // The job's owner reads the original; project members who are not its OWNER read the redaction.
    expect(segment(ownerA)).toEqual({ index: 0, text: `please write to ${EMAIL} tomorrow` });
    expect(segment(ownerB)).toEqual(segment(ownerA));
    expect(segment(memberCaptions).text).not.toContain(EMAIL);
    expect(segment(memberCaptions).text).toMatch(/^please write to .+ tomorrow$/);
    expect(segment(otherCaptions)).toEqual(segment(memberCaptions));
    // Another selection over the same visibility: its own payload, with the words (redacted too).
    expect(segment(memberWords).text).toBe(segment(memberCaptions).text);
    expect(segment(memberWords).words?.map((word) => word.word).join(' ')).not.toContain(EMAIL);
    expect(segment(memberCaptions)).not.toHaveProperty('words');

    // (captions, original), (captions, redacted), (words, redacted): three executions for five deliveries.
    const after = await executions();
    expect(after.executed - before.executed).toBe(3);
    expect(after.shared - before.shared).toBe(2);
    await Promise.all(sockets.map((socket) => socket.dispose()));
  });

  it('a member removed from the project stops receiving at the next event; the others keep theirs', async () => {
    const { owner, member, other, projectId, jobId } = await projectJob();
    const sockets = [owner, member, other].map((user) => connectWs(base, user.accessToken));
    const [ownerChunks, memberChunks, otherChunks] = await subscribedAll(sockets.map((socket) => () => collect<ChunkEvent>(socket, CAPTIONS, { id: jobId })));

    await store(jobId, 0, 'the first chunk');
    await waitFor('the first chunk everywhere', async () => [ownerChunks, memberChunks, otherChunks].every((one) => one.events.length === 1));

    await t.deps.db.projectMember.delete({ where: { projectId_userId: { projectId, userId: member.id } } });
    await store(jobId, 1, 'the second chunk');
    await waitFor('the second chunk for those who may see it', async () => ownerChunks.events.length === 2 && otherChunks.events.length === 2);
    await waitFor('the removed member to be ended', async () => memberChunks.ended() !== null);
    expect(memberChunks.events.map((event) => event.data.transcriptChunks.segment.text)).toEqual(['the first chunk']);
    expect(otherChunks.events.map((event) => event.data.transcriptChunks.segment.text)).toEqual(['the first chunk', 'the second chunk']);
    await Promise.all(sockets.map((socket) => socket.dispose()));
  });
});
