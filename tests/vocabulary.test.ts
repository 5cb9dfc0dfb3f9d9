// Vocabulary and context (README, "Vocabulary and context"): vocabulary sets through the API (CRUD,
// limits with typed errors and no partial state, access rules for personal and project sets, a
// project's default sets), and jobs that carry them: each cloud engine's protocol fake receives
// exactly what was configured (OpenAI `prompt`, Deepgram `keyterm` on nova-3 and `keywords` on
// nova-2, AssemblyAI `keyterms_prompt`), and Job.vocabularyApplied says what each engine applied.
// LOCAL's dictionary words: tests/localVocabulary.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAI_PROMPT_MAX_CHARS } from '../server/providers/openaiVocabulary.ts';
import { aaiWordsFromText, startFakeAssemblyAI, type FakeAssemblyAIServer } from './fakes/assemblyaiServer.ts';
import { startFakeDeepgram, wordsFromText as dgWords, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';
import { ok, refused } from './helpers/gqlResult.ts';

const OPENAI_KEY = `sk-${randomBytes(16).toString('hex')}`;
const DEEPGRAM_KEY = randomBytes(20).toString('hex');
const AAI_KEY = `aai${randomBytes(16).toString('hex')}`;
const SET = 'id name terms termCount personal projectDefault project { id }';
const APPLIED = 'vocabularyTerms contextPrompt vocabularyApplied { provider termsApplied termsNotApplied { term reason } contextPromptPassed truncated notes }';

type User = Awaited<ReturnType<typeof registerUser>>;

let dir: string;
let speech: SpeechFixture;
let openai: FakeOpenAIServer;
let deepgram: FakeDeepgramServer;
let assemblyai: FakeAssemblyAIServer;
let t: TestApp;
let alice: User;
let bob: User;

async function gql(user: User, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  return t.gql(query, variables, { token: user.accessToken });
}

async function createSet(user: User, input: Record<string, unknown>): Promise<GqlResult> {
  return gql(user, `mutation ($input: CreateVocabularySetInput!) { createVocabularySet(input: $input) { ${SET} } }`, { input });
}

async function updateSet(user: User, id: string, input: Record<string, unknown>): Promise<GqlResult> {
  return gql(user, `mutation ($id: ID!, $input: UpdateVocabularySetInput!) { updateVocabularySet(id: $id, input: $input) { ${SET} } }`, { id, input });
}

async function submit(user: User, input: Record<string, unknown>): Promise<string> {
  const result = await submitFile(t, user.accessToken, speech.wavPath, input, { fields: 'id status' });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.createTranscriptionJob.id as string;
}

async function finished(user: User, id: string): Promise<Record<string, any>> {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const job = (await gql(user, `query ($id: ID!) { job(id: $id) { id status error text ${APPLIED} } }`, { id })).data?.job;
      return job && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : null;
    },
    120_000,
    100,
  );
}

async function newProject(owner: User, members: Array<{ user: User; role: 'ADMIN' | 'CONTRIBUTOR' | 'REVIEWER' }>): Promise<string> {
  const id = ok(await gql(owner, `mutation { createProject(input: { name: "Vocabulary ${randomBytes(3).toString('hex')}" }) { id } }`)).createProject.id as string;
  // Membership itself is tested elsewhere (projects.test.ts): the rows are written directly.
  await t.deps.db.projectMember.createMany({ data: members.map(({ user, role }) => ({ projectId: id, userId: user.id, role })) });
  return id;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-vocabulary-'));
  speech = await makeSpeechFixture(['please call me tomorrow morning'], path.join(dir, 'speech.wav'), { pauseSeconds: 1 });
  openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
  deepgram = await startFakeDeepgram({ apiKey: DEEPGRAM_KEY });
  assemblyai = await startFakeAssemblyAI({ apiKey: AAI_KEY, pollsUntilDone: 1 });
  t = await createTestApp(
    {
      OPENAI_BASE_URL: openai.baseURL,
      DEEPGRAM_BASE_URL: deepgram.baseUrl,
      ASSEMBLYAI_BASE_URL: assemblyai.baseUrl,
      ASSEMBLYAI_POLL_INTERVAL_MS: '10',
      PROVIDER_RETRIES: '0',
    },
    { runner: true },
  );
  [alice, bob] = await Promise.all([registerUser(t), registerUser(t)]);
  for (const [provider, secret] of [
    ['OPENAI', OPENAI_KEY],
    ['DEEPGRAM', DEEPGRAM_KEY],
    ['ASSEMBLYAI', AAI_KEY],
  ]) {
    ok(await gql(alice, `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`, { input: { provider, name: provider, secret } }));
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([openai?.close(), deepgram?.close(), assemblyai?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('vocabulary sets', () => {
  it('are created, listed, updated and deleted by their owner; terms are tidied', async () => {
    const created = ok(await createSet(alice, { name: '  Product  names ', terms: ['  Parlance ', '', 'Kubernetes   operator', 'Zorblax'] })).createVocabularySet;
    expect(created).toMatchObject({ name: 'Product names', terms: ['Parlance', 'Kubernetes operator', 'Zorblax'], termCount: 3, personal: true, projectDefault: false, project: null });
    expect(created.id).toMatch(/^voc_/);

    const listed = ok(await gql(alice, `{ vocabularySets(first: 100) { edges { node { id name } } } }`));
    expect(listed.vocabularySets.edges.map((edge: any) => edge.node.id)).toContain(created.id);
    expect(ok(await gql(alice, `query ($id: ID!) { node(id: $id) { ... on VocabularySet { name } } }`, { id: created.id })).node).toEqual({ name: 'Product names' });

    const updated = ok(await updateSet(alice, created.id, { terms: ['Parlance', 'Tarkindale'] })).updateVocabularySet;
    expect(updated).toMatchObject({ name: 'Product names', terms: ['Parlance', 'Tarkindale'], termCount: 2 });

    expect(ok(await gql(alice, `mutation ($id: ID!) { deleteVocabularySet(id: $id) }`, { id: created.id })).deleteVocabularySet).toBe(true);
    expect(await t.deps.db.vocabularySet.count({ where: { id: created.id } })).toBe(0);
    refused(await gql(alice, `mutation ($id: ID!) { deleteVocabularySet(id: $id) }`, { id: created.id }), 'NOT_FOUND');
  });

  it('refuses bad input with a typed error and stores nothing of it', async () => {
    const before = await t.deps.db.vocabularySet.count();
    const cases: Array<[Record<string, unknown>, string, Record<string, unknown>]> = [
      [{ name: 'Too many', terms: Array.from({ length: 501 }, (_, i) => `term${i}`) }, 'TOO_MANY_TERMS', { field: 'terms', limit: 500 }],
      [{ name: 'Too long', terms: ['ok', 'x'.repeat(101)] }, 'TERM_TOO_LONG', { field: 'terms', line: 2, limit: 100 }],
      [{ name: 'Repeats', terms: ['Parlance', 'Zorblax', 'parlance'] }, 'DUPLICATE_TERM', { field: 'terms', line: 3, duplicateOf: 1 }],
      [{ name: 'Too large', terms: Array.from({ length: 250 }, (_, i) => `${'y'.repeat(96)}${String(i).padStart(4, '0')}`) }, 'SET_TOO_LARGE', { field: 'terms', limit: 20_000 }],
      [{ name: 'Control', terms: ['bell\u0007'] }, 'INVALID_TERM', { field: 'terms', line: 1 }],
      [{ name: '   ', terms: ['Parlance'] }, 'INVALID_NAME', { field: 'name' }],
      [{ name: 'n'.repeat(101), terms: ['Parlance'] }, 'INVALID_NAME', { field: 'name' }],
    ];
    for (const [input, reason, extra] of cases) {
      const extensions = refused(await createSet(alice, input), 'BAD_USER_INPUT');
      expect(extensions, reason).toMatchObject({ reason, ...extra });
    }
    expect(await t.deps.db.vocabularySet.count()).toBe(before);

    // A refused update leaves the set as it was.
    const set = ok(await createSet(alice, { name: 'Kept', terms: ['Parlance'] })).createVocabularySet;
    refused(await updateSet(alice, set.id, { name: 'Renamed', terms: ['a', 'A'] }), 'BAD_USER_INPUT');
    const stored = await t.deps.db.vocabularySet.findUniqueOrThrow({ where: { id: set.id } });
    expect(stored).toMatchObject({ name: 'Kept', terms: ['Parlance'] });
  });

  it('caps the sets of one owner', async () => {
    const carol = await registerUser(t);
    await t.deps.db.vocabularySet.createMany({ data: Array.from({ length: 100 }, (_, i) => ({ id: `voc_cap${carol.id}${i}`, ownerId: carol.id, name: `Set ${i}` })) });
    expect(refused(await createSet(carol, { name: 'One more', terms: [] }), 'BAD_USER_INPUT')).toMatchObject({ reason: 'TOO_MANY_SETS', limit: 100 });
    expect(await t.deps.db.vocabularySet.count({ where: { ownerId: carol.id } })).toBe(100);
  });

  it('personal sets are private: another user can neither see, change, delete nor use them', async () => {
    const set = ok(await createSet(alice, { name: 'Private', terms: ['Parlance'] })).createVocabularySet;
    expect(ok(await gql(bob, `query ($id: ID!) { node(id: $id) { id } }`, { id: set.id })).node).toBeNull();
    const bobs = ok(await gql(bob, `{ vocabularySets(first: 100) { edges { node { id } } } }`)).vocabularySets.edges;
    expect(bobs.map((edge: any) => edge.node.id)).not.toContain(set.id);
    refused(await updateSet(bob, set.id, { name: 'Mine now' }), 'NOT_FOUND');
    refused(await gql(bob, `mutation ($id: ID!) { deleteVocabularySet(id: $id) }`, { id: set.id }), 'NOT_FOUND');

    const jobsBefore = await t.deps.db.job.count({ where: { ownerId: bob.id } });
    const result = await submitFile(t, bob.accessToken, speech.wavPath, { provider: 'LOCAL', vocabularySetIds: [set.id] });
    refused(result, 'NOT_FOUND');
    expect(await t.deps.db.job.count({ where: { ownerId: bob.id } })).toBe(jobsBefore);
    expect((await t.deps.db.vocabularySet.findUniqueOrThrow({ where: { id: set.id } })).name).toBe('Private');
  });

  it("project sets follow the project's roles; OWNERs choose the default sets, which only the project's own sets can be", async () => {
    const carol = await registerUser(t);
    const projectId = await newProject(alice, [{ user: bob, role: 'CONTRIBUTOR' }]);
    refused(await createSet(bob, { name: 'By a contributor', terms: ['x'], projectId }), 'FORBIDDEN');
    refused(await createSet(carol, { name: 'By a stranger', terms: ['x'], projectId }), 'NOT_FOUND');
    const set = ok(await createSet(alice, { name: 'Team names', terms: ['Tarkindale', 'Winterbeck'], projectId })).createVocabularySet;
    expect(set).toMatchObject({ personal: false, project: { id: projectId } });

    // A member sees it and lists it; a stranger does not.
    expect(ok(await gql(bob, `query ($p: ID!) { vocabularySets(projectId: $p) { edges { node { id } } } }`, { p: projectId })).vocabularySets.edges).toEqual([{ node: { id: set.id } }]);
    refused(await gql(carol, `query ($p: ID!) { vocabularySets(projectId: $p) { edges { node { id } } } }`, { p: projectId }), 'NOT_FOUND');
    expect(ok(await gql(carol, `query ($id: ID!) { node(id: $id) { id } }`, { id: set.id })).node).toBeNull();
    refused(await updateSet(bob, set.id, { name: 'Renamed' }), 'FORBIDDEN');
    refused(await updateSet(carol, set.id, { name: 'Renamed' }), 'NOT_FOUND');
    refused(await gql(bob, `mutation ($id: ID!) { deleteVocabularySet(id: $id) }`, { id: set.id }), 'FORBIDDEN');

    const defaults = `mutation ($p: ID!, $ids: [ID!]!) { setProjectDefaultVocabularySets(projectId: $p, vocabularySetIds: $ids) { defaultVocabularySets { id } } }`;
    refused(await gql(bob, defaults, { p: projectId, ids: [set.id] }), 'FORBIDDEN');
    const personal = ok(await createSet(alice, { name: 'Mine', terms: ['Zorblax'] })).createVocabularySet;
    refused(await gql(alice, defaults, { p: projectId, ids: [set.id, personal.id] }), 'BAD_USER_INPUT');
    expect(await t.deps.db.vocabularySet.count({ where: { projectId, projectDefault: true } })).toBe(0);
    expect(ok(await gql(alice, defaults, { p: projectId, ids: [set.id] })).setProjectDefaultVocabularySets.defaultVocabularySets).toEqual([{ id: set.id }]);
    expect(ok(await gql(bob, `query ($p: ID!) { node(id: $p) { ... on Project { defaultVocabularySets { id name } } } }`, { p: projectId })).node).toEqual({
      defaultVocabularySets: [{ id: set.id, name: 'Team names' }],
    });
  });
});

describe('jobs with vocabulary', () => {
  it('OpenAI gets the context prompt and the terms as its prompt, exactly; the job says what was applied', async () => {
    openai.reset();
    openai.setTranscript(() => wordsFromText('please call Tarkindale tomorrow morning'));
    const a = ok(await createSet(alice, { name: 'A', terms: ['Tarkindale', 'Winterbeck'] })).createVocabularySet;
    const b = ok(await createSet(alice, { name: 'B', terms: ['winterbeck', 'Zorblax Labs'] })).createVocabularySet;
    const id = await submit(alice, { provider: 'OPENAI', vocabularySetIds: [a.id, b.id], contextPrompt: '  A call between two engineers about a release.  ' });
    const job = await finished(alice, id);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(openai.transcriptions).toHaveLength(1);
    expect(openai.transcriptions[0].prompt).toBe('A call between two engineers about a release. Tarkindale, Winterbeck, Zorblax Labs');
    expect(job.vocabularyTerms).toEqual(['Tarkindale', 'Winterbeck', 'Zorblax Labs']);
    expect(job.contextPrompt).toBe('A call between two engineers about a release.');
    expect(job.vocabularyApplied).toEqual([
      { provider: 'OPENAI', termsApplied: ['Tarkindale', 'Winterbeck', 'Zorblax Labs'], termsNotApplied: [], contextPromptPassed: true, truncated: false, notes: [] },
    ]);
  });

  it("OpenAI's prompt limit: the terms that do not fit are reported, the prompt sent is within it", async () => {
    openai.reset();
    openai.setTranscript(() => wordsFromText('please call me tomorrow morning'));
    const terms = Array.from({ length: 120 }, (_, i) => `Term${String(i).padStart(3, '0')}`);
    const set = ok(await createSet(alice, { name: 'Long', terms })).createVocabularySet;
    const job = await finished(alice, await submit(alice, { provider: 'OPENAI', vocabularySetIds: [set.id] }));
    const prompt = openai.transcriptions[0].prompt!;
    expect(prompt.length).toBeLessThanOrEqual(OPENAI_PROMPT_MAX_CHARS);
    const sent = prompt.split(', ');
    expect(sent).toEqual(terms.slice(0, sent.length));
    const [report] = job.vocabularyApplied;
    expect(report).toMatchObject({ provider: 'OPENAI', termsApplied: sent, contextPromptPassed: false, truncated: true });
    expect(report.termsNotApplied.map((entry: any) => entry.term)).toEqual(terms.slice(sent.length));
    expect(report.termsNotApplied[0].reason).toMatch(/prompt limit/);
  });

  it('Deepgram: keyterm on nova-3, keywords (single words only) on nova-2; no context prompt', async () => {
    deepgram.reset();
    deepgram.setTranscript(() => dgWords('please call Tarkindale tomorrow morning'));
    const set = ok(await createSet(alice, { name: 'DG', terms: ['Tarkindale', 'Zorblax Labs', "O'Neill"] })).createVocabularySet;

    const nova3 = await finished(alice, await submit(alice, { provider: 'DEEPGRAM', model: 'nova-3', vocabularySetIds: [set.id], contextPrompt: 'A sales call.' }));
    expect(nova3.status, nova3.error).toBe('COMPLETED');
    expect(deepgram.listens[0].queryAll.keyterm).toEqual(['Tarkindale', 'Zorblax Labs', "O'Neill"]);
    expect(deepgram.listens[0].queryAll.keywords).toBeUndefined();
    expect(nova3.vocabularyApplied).toEqual([
      {
        provider: 'DEEPGRAM',
        termsApplied: ['Tarkindale', 'Zorblax Labs', "O'Neill"],
        termsNotApplied: [],
        contextPromptPassed: false,
        truncated: false,
        notes: ['Sent as keyterm (nova-3).', 'The context prompt was not passed: Deepgram takes no context prompt.'],
      },
    ]);

    const nova2 = await finished(alice, await submit(alice, { provider: 'DEEPGRAM', model: 'nova-2', vocabularySetIds: [set.id] }));
    expect(nova2.status, nova2.error).toBe('COMPLETED');
    expect(deepgram.listens[1].queryAll.keywords).toEqual(['Tarkindale', "O'Neill"]);
    expect(deepgram.listens[1].queryAll.keyterm).toBeUndefined();
    expect(nova2.vocabularyApplied).toEqual([
      {
        provider: 'DEEPGRAM',
        termsApplied: ['Tarkindale', "O'Neill"],
        termsNotApplied: [{ term: 'Zorblax Labs', reason: 'nova-2 boosts single words only (keywords); Nova-3 models take phrases.' }],
        contextPromptPassed: false,
        truncated: false,
        notes: ['Sent as keywords (nova-2).'],
      },
    ]);
  });

  it('AssemblyAI: keyterms_prompt, phrases over 6 words refused; a project job without sets takes the default sets', async () => {
    assemblyai.reset();
    assemblyai.setTranscript(() => ({ words: aaiWordsFromText('please call Tarkindale tomorrow morning') }));
    const projectId = await newProject(alice, []);
    const set = ok(await createSet(alice, { name: 'Defaults', terms: ['Tarkindale', 'one two three four five six seven'], projectId })).createVocabularySet;
    ok(await gql(alice, `mutation ($p: ID!, $ids: [ID!]!) { setProjectDefaultVocabularySets(projectId: $p, vocabularySetIds: $ids) { id } }`, { p: projectId, ids: [set.id] }));

    const job = await finished(alice, await submit(alice, { provider: 'ASSEMBLYAI', projectId, contextPrompt: 'A call.' }));
    expect(job.status, job.error).toBe('COMPLETED');
    expect(assemblyai.transcripts[0].body.keyterms_prompt).toEqual(['Tarkindale']);
    expect(assemblyai.transcripts[0].body.prompt).toBeUndefined();
    expect(assemblyai.transcripts[0].body.word_boost).toBeUndefined();
    expect(job.vocabularyApplied).toEqual([
      {
        provider: 'ASSEMBLYAI',
        termsApplied: ['Tarkindale'],
        termsNotApplied: [{ term: 'one two three four five six seven', reason: 'AssemblyAI takes terms of at most 6 words.' }],
        contextPromptPassed: false,
        truncated: false,
        notes: ['Sent as keyterms_prompt (the default model).', 'The context prompt was not passed: only the slam-1 model takes a prompt.'],
      },
    ]);

    // Choosing no sets explicitly ([]) leaves the defaults out.
    assemblyai.reset();
    const none = await finished(alice, await submit(alice, { provider: 'ASSEMBLYAI', projectId, vocabularySetIds: [] }));
    expect(none.vocabularyTerms).toEqual([]);
    expect(none.vocabularyApplied).toEqual([]);
    expect(assemblyai.transcripts[0].body.keyterms_prompt).toBeUndefined();
  });

  it('refuses a job whose context prompt or sets are over the limits, leaving no job', async () => {
    const before = await t.deps.db.job.count({ where: { ownerId: alice.id } });
    const long = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'LOCAL', contextPrompt: 'x'.repeat(2001) });
    expect(refused(long, 'BAD_USER_INPUT')).toMatchObject({ reason: 'CONTEXT_PROMPT_TOO_LONG', field: 'contextPrompt', limit: 2000 });
    const ids = Array.from({ length: 21 }, (_, i) => `voc_missing${i}`);
    expect(refused(await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'LOCAL', vocabularySetIds: ids }), 'BAD_USER_INPUT')).toMatchObject({
      reason: 'TOO_MANY_SETS',
    });
    expect(await t.deps.db.job.count({ where: { ownerId: alice.id } })).toBe(before);
  });
});
