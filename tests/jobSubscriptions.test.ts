// Job progress and transcript chunks over graphql-ws, published by the worker through
// Postgres LISTEN/NOTIFY and re-read with the subscriber's authorization.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, connectWs } from './helpers/graphqlWs.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

let t: TestApp;
let base: string;
let dir: string;
let speech: SpeechFixture;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-subs-'));
  speech = await makeSpeechFixture(
    ['the weather is nice today', 'please call me tomorrow morning', 'we need more time to finish the project'],
    path.join(dir, 'speech.wav'),
  );
  // Small chunks, so one job produces several progress events and chunks.
  t = await createTestApp({ CHUNK_SECONDS: '4' }, { runner: true });
  base = await t.listen();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const connect = (token: string): Client => connectWs(base, token);

/** Waits until `count` more pubsub listeners than `before` are attached: the subscriptions listen. */
const listening = (before: number, count: number) =>
  waitFor(`${count} subscriptions to listen`, async () => t.deps.subscriber!.listenerCount() >= before + count);

describe('job subscriptions', () => {
  it('streams status and progress of a job, then its completion, and every transcript chunk', async () => {
    const user = await registerUser(t);
    const client = connect(user.accessToken);
    const submitted = await submitFile(t, user.accessToken, speech.wavPath);
    const id = submitted.data!.createTranscriptionJob.id;
    const updates = collect<{ data: { jobUpdated: { status: string; progress: number } } }>(
      client,
      `subscription ($id: ID!) { jobUpdated(id: $id) { id status progress } }`,
      { id },
    );
    const chunks = collect<{ data: { transcriptChunks: { jobId: string; isFinal: boolean; segment: { index: number; text: string; start: number } } } }>(
      client,
      `subscription ($id: ID) { transcriptChunks(jobId: $id) { jobId isFinal segment { index text start } } }`,
      { id },
    );
    const { events, error } = await updates.done;
    expect(error).toBeUndefined();
    const statuses = events.map((event) => event.data.jobUpdated.status);
    expect(statuses.at(-1)).toBe('COMPLETED');
    const progress = events.map((event) => event.data.jobUpdated.progress);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBeGreaterThan(2);

    const chunkResult = await chunks.done;
    const job = await waitForJob(t, user.accessToken, id);
    const received = chunkResult.events.map((event) => event.data.transcriptChunks);
    // A subscriber that joined late reads the earlier segments through job { segments }.
    const indices = received.map((chunk) => chunk.segment.index);
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    for (const chunk of received) {
      expect(chunk).toMatchObject({ jobId: id, isFinal: true });
      expect(job.segments[chunk.segment.index].text).toBe(chunk.segment.text);
    }
    expect(received.length).toBeGreaterThan(0);
    expect(indices.at(-1)).toBe(job.segments.length - 1);
    await client.dispose();
  }, 120_000);

  it('myJobUpdated carries the viewer’s jobs only', async () => {
    const alice = await registerUser(t);
    const bob = await registerUser(t);
    const aliceClient = connect(alice.accessToken);
    const bobClient = connect(bob.accessToken);
    const before = t.deps.subscriber!.listenerCount();
    const aliceEvents = collect<{ data: { myJobUpdated: { id: string; status: string } } }>(aliceClient, `subscription { myJobUpdated { id status } }`);
    const bobEvents = collect<{ data: { myJobUpdated: { id: string } } }>(bobClient, `subscription { myJobUpdated { id status } }`);
    await listening(before, 2);
    const submitted = await submitFile(t, alice.accessToken, speech.wavPath);
    const id = submitted.data!.createTranscriptionJob.id;
    await waitForJob(t, alice.accessToken, id);
    await waitFor('the completion to reach alice', async () => aliceEvents.events.at(-1)?.data.myJobUpdated.status === 'COMPLETED');
    expect(aliceEvents.events.length).toBeGreaterThan(1);
    expect(aliceEvents.events.every((event) => event.data.myJobUpdated.id === id)).toBe(true);
    expect(bobEvents.events).toEqual([]);
    await aliceClient.dispose();
    await bobClient.dispose();
  }, 120_000);

  it("refuses another user's job exactly like a missing one, and anonymous subscribers", async () => {
    const owner = await registerUser(t);
    const stranger = await registerUser(t);
    const submitted = await submitFile(t, owner.accessToken, speech.wavPath);
    const id = submitted.data!.createTranscriptionJob.id;
    const client = connect(stranger.accessToken);
    const theirs = await collect(client, `subscription ($id: ID!) { jobUpdated(id: $id) { id } }`, { id }).done;
    const missing = await collect(client, `subscription ($id: ID!) { jobUpdated(id: $id) { id } }`, {
      id: 'job_0000000000000000000000000a',
    }).done;
    expect(JSON.stringify(theirs)).toBe(JSON.stringify(missing));
    expect(JSON.stringify(theirs)).toContain('NOT_FOUND');
    const chunks = await collect(client, `subscription ($id: ID) { transcriptChunks(jobId: $id) { isFinal } }`, { id }).done;
    expect(JSON.stringify(chunks)).toContain('NOT_FOUND');
    await client.dispose();

    const anonymous = connectWs(base);
    const refused = await collect(anonymous, `subscription { myJobUpdated { id } }`).done;
    expect(JSON.stringify(refused)).toContain('UNAUTHENTICATED');
    await anonymous.dispose();
    await waitForJob(t, owner.accessToken, id);
  }, 120_000);
});
