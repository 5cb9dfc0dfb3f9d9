// Options an engine cannot honour are refused at submission (BAD_USER_INPUT naming the engine's
// limits), for file, URL and upload jobs and for live sessions alike, leaving nothing behind: no Job
// row, no stored file, no queued worker job. No job runner: accepted jobs stay QUEUED.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedJobFiles, submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

let dir: string;
let speech: SpeechFixture;
let t: TestApp;
let user: Awaited<ReturnType<typeof registerUser>>;

const START = `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id } }`;
const LOCAL_LIMITS = /LOCAL recognises English \(en\) only and has a single model/;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-engine-options-'));
  speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'speech.wav'));
  // Keyless cloud endpoints that are never reached (no runner): every engine may be chosen.
  t = await createTestApp({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', DEEPGRAM_BASE_URL: 'http://127.0.0.1:9' });
  user = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a submission may leave behind: Job rows, stored files, queued worker jobs. */
async function leftovers() {
  const [{ count: queued }] = await t.deps.db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM graphile_worker._private_jobs`;
  return {
    jobs: await t.deps.db.job.count({ where: { ownerId: user.id } }),
    files: (await storedJobFiles(t)).length,
    queued,
  };
}

async function expectRefusedUpload(input: Record<string, unknown>, field: string, message: RegExp) {
  const before = await leftovers();
  const result = await submitFile(t, user.accessToken, speech.wavPath, input);
  expect(result.data?.createTranscriptionJob ?? null, result.raw).toBeNull();
  expect(result.errors?.[0].extensions, result.raw).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(result.errors?.[0].message).toMatch(message);
  expect(await leftovers()).toEqual(before);
}

describe('job submission refuses options the engine cannot honour', () => {
  it('LOCAL: a language other than English, a model', async () => {
    await expectRefusedUpload({ provider: 'LOCAL', language: 'de' }, 'language', /LOCAL cannot recognise language "de"/);
    await expectRefusedUpload({ provider: 'LOCAL', language: 'de' }, 'language', LOCAL_LIMITS);
    await expectRefusedUpload({ provider: 'LOCAL', model: 'whisper-1' }, 'model', LOCAL_LIMITS);
    // LOCAL is the default engine: the same without naming it.
    await expectRefusedUpload({ model: 'whisper-1' }, 'model', LOCAL_LIMITS);
  });

  it('LOCAL: a URL job is refused before anything is fetched', async () => {
    const before = await leftovers();
    const result = await t.gql(
      `mutation { createTranscriptionJob(input: { url: "https://example.com/talk.mp3", provider: LOCAL, language: "fr" }) { id } }`,
      {},
      { token: user.accessToken },
    );
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'language' });
    expect(await leftovers()).toEqual(before);
  });

  it('OPENAI: diarize only with a diarization model', async () => {
    await expectRefusedUpload({ provider: 'OPENAI', diarize: true }, 'diarize', /OPENAI labels speakers only with a diarization model such as gpt-4o-transcribe-diarize/);
    await expectRefusedUpload({ provider: 'OPENAI', model: 'whisper-1', diarize: true }, 'diarize', /diarization model/);
    const accepted = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'OPENAI', model: 'gpt-4o-transcribe-diarize', diarize: true, language: 'de' });
    expect(accepted.errors, accepted.raw).toBeUndefined();
    expect(accepted.data!.createTranscriptionJob.status).toBe('QUEUED');
  });

  it('accepts what the engine can do: English variants and diarize on LOCAL (README, "Speakers"), diarize on DEEPGRAM', async () => {
    const english = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL', language: 'en-GB' });
    expect(english.errors, english.raw).toBeUndefined();
    const diarized = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL', diarize: true });
    expect(diarized.errors, diarized.raw).toBeUndefined();
    const deepgram = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'DEEPGRAM', diarize: true, language: 'fr' });
    expect(deepgram.errors, deepgram.raw).toBeUndefined();
  });
});

describe('live sessions refuse the same options', () => {
  it('LOCAL: a language other than English, a model; no session is left', async () => {
    const french = await t.gql(START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, language: 'fr' } }, { token: user.accessToken });
    expect(french.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'language' });
    expect(french.errors?.[0].message).toMatch(LOCAL_LIMITS);
    const model = await t.gql(START, { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, model: 'large' } }, { token: user.accessToken });
    expect(model.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'model' });
    expect(await t.deps.db.liveSession.count({ where: { ownerId: user.id } })).toBe(0);
  });
});
