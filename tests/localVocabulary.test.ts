// LOCAL and vocabulary (README, "Vocabulary and context"): PocketSphinx knows only the words of its
// dictionary, so a made-up name is never in its transcript. With a vocabulary set holding the name,
// the job adds it to the decoder with a pronunciation built from words it knows (Tarkindale = tar +
// kin + dale) and the real engine recognises it in flite speech; the job reports what it applied and
// why the rest was not.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDictionary, splitIntoKnownWords } from '../server/providers/local/pronunciation.ts';
import { submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const NAME = 'Tarkindale';
const FIELDS = 'id status error text vocabularyApplied { provider termsApplied termsNotApplied { term reason } contextPromptPassed truncated notes }';

type User = Awaited<ReturnType<typeof registerUser>>;

let dir: string;
let speech: SpeechFixture;
let t: TestApp;
let alice: User;

async function transcribe(input: Record<string, unknown>): Promise<Record<string, any>> {
  const submitted = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'LOCAL', ...input }, { fields: 'id' });
  expect(submitted.errors, submitted.raw).toBeUndefined();
  const id = submitted.data!.createTranscriptionJob.id as string;
  const job = await waitFor(
    `LOCAL job ${id} to finish`,
    async () => {
      const found = (await t.gql(`query ($id: ID!) { job(id: $id) { ${FIELDS} } }`, { id }, { token: alice.accessToken })).data?.job;
      return found && ['COMPLETED', 'FAILED'].includes(found.status) ? found : null;
    },
    180_000,
    200,
  );
  expect(job.status, job.error).toBe('COMPLETED');
  return job;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-local-vocabulary-'));
  speech = await makeSpeechFixture([`please call ${NAME} tomorrow morning`], path.join(dir, 'speech.wav'));
  t = await createTestApp({}, { runner: true });
  alice = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('LOCAL with vocabulary', () => {
  it('splits an unknown word into the fewest known words', () => {
    const dictionary = parseDictionary('tar T AA R\nkin K IH N\ndale D EY L\ndale(2) D EY L IY\nk K EY\nq K Y UW\n');
    expect(splitIntoKnownWords('tarkindale', dictionary)).toEqual(['tar', 'kin', 'dale']);
    expect(dictionary.get('dale')).toBe('D EY L');
    // Fewer pieces win; single letters are never pieces (they are spelled, not spoken, in words).
    expect(splitIntoKnownWords('tarkindale', parseDictionary('tar T AA R\nkin K IH N\ndale D EY L\nkindale K IH N D EY L\n'))).toEqual(['tar', 'kindale']);
    expect(splitIntoKnownWords('tarkdale', dictionary)).toBeNull();
    expect(splitIntoKnownWords('qqq', dictionary)).toBeNull();
  });

  it('misses a made-up name without the set and recognises it with it', async () => {
    const without = await transcribe({});
    expect(without.text.toLowerCase()).toContain('tomorrow morning');
    expect(without.text.toLowerCase()).not.toContain(NAME.toLowerCase());
    expect(without.vocabularyApplied).toEqual([]);

    const created = await t.gql(
      `mutation ($input: CreateVocabularySetInput!) { createVocabularySet(input: $input) { id } }`,
      { input: { name: 'Names', terms: [NAME, 'tomorrow', 'R2D2', 'Qxzv'] } },
      { token: alice.accessToken },
    );
    expect(created.errors, created.raw).toBeUndefined();
    const withSet = await transcribe({ vocabularySetIds: [created.data!.createVocabularySet.id], contextPrompt: 'A phone message.' });
    // Written as the set spells it.
    expect(withSet.text).toContain(`call ${NAME} tomorrow`);
    expect(withSet.vocabularyApplied).toEqual([
      {
        provider: 'LOCAL',
        termsApplied: [NAME],
        termsNotApplied: [
          { term: 'tomorrow', reason: "Already in the local engine's dictionary: it has no way to favour a word it knows." },
          { term: 'R2D2', reason: '"r2d2" has characters other than the letters a-z: the local engine cannot derive its pronunciation.' },
          { term: 'Qxzv', reason: 'No pronunciation for "qxzv" can be derived from words the local engine knows.' },
        ],
        contextPromptPassed: false,
        truncated: false,
        notes: ['The context prompt was not passed: the local engine takes no context prompt.'],
      },
    ]);
  }, 400_000);
});
