// The database statements a short job costs (issue 18, "Many short jobs"): a one-chunk job on a cloud
// engine (the OpenAI protocol fake) is transcribed with every step it needs (segments, chunk range,
// progress, usage, the job.completed webhook check, events), and the statements it sends are counted
// at the pg driver, so a change that adds round trips to every job shows up here. The events of one
// commit go in one statement, so the count does not grow with the segments. The figure and its
// breakdown are in README ("Performance").
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcribeJob } from '../server/services/transcription/index.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

/** The transcribe task's statements for a one-chunk job, its events included. */
const STATEMENTS_PER_SHORT_JOB = 11;

const KEY = `sk-statements-${randomBytes(8).toString('hex')}`;
let dir: string;
let speech: SpeechFixture;
let openai: FakeOpenAIServer;
let t: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-statements-'));
  speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'short.wav'));
  openai = await startFakeOpenAI({ apiKey: KEY });
  t = await createTestApp({ OPENAI_BASE_URL: openai.baseURL });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await openai?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Counts what every pg client of this process sends while `work` runs. */
async function statementsDuring(work: () => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const query = args[0] as string | { text?: string };
    sent.push(typeof query === 'string' ? query : String(query?.text));
    return (original as (...args: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

describe('statements per short job', () => {
  it(`a one-chunk job completes in at most ${STATEMENTS_PER_SHORT_JOB} statements, its events included`, async () => {
    const user = await registerUser(t);
    const key = await t.gql(
      `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`,
      { input: { provider: 'OPENAI', name: 'openai', secret: KEY } },
      { token: user.accessToken },
    );
    expect(key.errors, key.raw).toBeUndefined();
    openai.setTranscript(() => wordsFromText('The weather is nice. Today it is.', { start: 0.5 }));
    const submitted = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'OPENAI' });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const jobId = submitted.data!.createTranscriptionJob.id as string;

    const sent = await statementsDuring(() => transcribeJob(t.deps, jobId, { signal: new AbortController().signal }));

    const job = await t.deps.db.job.findUniqueOrThrow({ where: { id: jobId }, include: { segments: true } });
    expect(job.status, job.error ?? '').toBe('COMPLETED');
    expect(job.segments.length).toBeGreaterThan(0);
    // Nothing the job needs was skipped: its usage record is there.
    expect(await t.deps.db.usageRecord.count({ where: { jobId } })).toBe(1);
    expect(job.segments.length).toBeGreaterThan(1);
    expect(sent.length, sent.map((text) => text.replace(/\s+/g, ' ').slice(0, 90)).join('\n')).toBeLessThanOrEqual(STATEMENTS_PER_SHORT_JOB);
  });
});
