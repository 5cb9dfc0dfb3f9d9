// Live sessions with vocabulary (README, "Vocabulary and context" and "Live sessions"): startLiveSession
// takes vocabularySetIds and contextPrompt as a job does (the project's default sets when left out, the
// same limits and errors, nothing stored when refused), keeps the terms as they were at the start, and
// each live engine gets them as the same vendor's file engine does: Deepgram `keyterm` query parameters
// on its live socket, AssemblyAI `keyterms_prompt` on the v3 streaming URL, OpenAI the `prompt` of each
// utterance's request, LOCAL the name added to the session's decoder (real PocketSphinx on flite
// speech). A fallback engine mid-session gets them too; LiveSession.vocabularyApplied reports each.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../server/providers/local/wav.ts';
import { startFakeAssemblyAIStreaming, type FakeAssemblyAIStreamingServer } from './fakes/assemblyaiStreamingServer.ts';
import { startFakeDeepgram, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';
import { ok, refused } from './helpers/gqlResult.ts';

const NAME = 'Tarkindale';
const OPENAI_KEY = `sk-${randomBytes(16).toString('hex')}`;
const DEEPGRAM_KEY = randomBytes(20).toString('hex');
const AAI_KEY = `aai${randomBytes(16).toString('hex')}`;
const SESSION = 'id status provider currentProvider vocabularyTerms contextPrompt segments { text } vocabularyApplied { provider termsApplied termsNotApplied { term reason } contextPromptPassed truncated notes }';
const LOCAL_NOT_KNOWN = "Already in the local engine's dictionary: it has no way to favour a word it knows.";

type User = Awaited<ReturnType<typeof registerUser>>;

let dir: string;
let speech: SpeechFixture;
let pcm: Buffer;
let openai: FakeOpenAIServer;
let deepgram: FakeDeepgramServer;
let assemblyai: FakeAssemblyAIStreamingServer;
let t: TestApp;
let alice: User;
let bob: User;

async function gql(user: User, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  return t.gql(query, variables, { token: user.accessToken });
}

async function createSet(user: User, input: Record<string, unknown>): Promise<string> {
  return ok(await gql(user, `mutation ($input: CreateVocabularySetInput!) { createVocabularySet(input: $input) { id } }`, { input })).createVocabularySet.id;
}

function startSession(user: User, input: Record<string, unknown>): Promise<GqlResult> {
  return gql(user, `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { ${SESSION} } }`, {
    input: { encoding: 'PCM_S16LE', sampleRate: 16000, ...input },
  });
}

async function start(user: User, input: Record<string, unknown>): Promise<Record<string, any>> {
  return ok(await startSession(user, input)).startLiveSession;
}

async function session(user: User, id: string): Promise<Record<string, any>> {
  return ok(await gql(user, `query ($id: ID!) { liveSession(id: $id) { ${SESSION} } }`, { id })).liveSession;
}

/** The session once `count` engines have reported what they applied. */
function applied(user: User, id: string, count = 1): Promise<Record<string, any>> {
  return waitFor(`${count} vocabulary report(s) on session ${id}`, async () => {
    const found = await session(user, id);
    return found.vocabularyApplied.length >= count ? found : null;
  }, 60_000);
}

/** Sends the whole fixture in 200 ms chunks, then ends the session (its engine's last finals are stored first). */
async function streamAndEnd(user: User, id: string): Promise<Record<string, any>> {
  let seq = 0;
  for (let offset = 0; offset < pcm.length; offset += 6400) {
    ok(
      await gql(user, `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`, {
        id,
        seq: seq++,
        chunk: pcm.subarray(offset, offset + 6400).toString('base64'),
      }),
    );
  }
  ok(await gql(user, `mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id }));
  return session(user, id);
}

const end = async (user: User, id: string) => ok(await gql(user, `mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id }));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-live-vocabulary-'));
  speech = await makeSpeechFixture([`please call ${NAME} tomorrow morning`], path.join(dir, 'speech.wav'));
  pcm = parseWav(await readFile(speech.wavPath)).data;
  openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
  deepgram = await startFakeDeepgram({ apiKey: DEEPGRAM_KEY });
  assemblyai = await startFakeAssemblyAIStreaming({ apiKey: AAI_KEY });
  t = await createTestApp({
    OPENAI_BASE_URL: openai.baseURL,
    DEEPGRAM_BASE_URL: deepgram.baseUrl,
    ASSEMBLYAI_STREAMING_URL: assemblyai.url,
    // Audio goes as fast as the server answers; the pace rules are not under test here.
    LIVE_MAX_SPEED: '100000',
    LIVE_BURST_SECONDS: '100000',
    LIVE_AUDIO_CHUNKS_PER_SECOND: '10000',
  });
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

describe('live sessions with vocabulary', () => {
  it('Deepgram gets one keyterm per term on its live socket; the session keeps the terms as they were at its start', async () => {
    const a = await createSet(alice, { name: 'A', terms: [NAME, 'Zorblax Labs'] });
    const b = await createSet(alice, { name: 'B', terms: ['zorblax labs', "O'Neill"] });
    const before = deepgram.liveSessions.length;
    const started = await start(alice, { provider: 'DEEPGRAM', model: 'nova-3', vocabularySetIds: [a, b], contextPrompt: '  A sales call.  ' });
    expect(started).toMatchObject({ vocabularyTerms: [NAME, 'Zorblax Labs', "O'Neill"], contextPrompt: 'A sales call.' });
    const socket = await deepgram.waitForLiveSession(before, 30_000);
    expect(socket.queryAll.keyterm).toEqual([NAME, 'Zorblax Labs', "O'Neill"]);
    expect(socket.queryAll.keywords).toBeUndefined();

    // Editing a set later does not change a session already started.
    ok(await gql(alice, `mutation ($id: ID!) { updateVocabularySet(id: $id, input: { terms: ["Winterbeck"] }) { id } }`, { id: a }));
    const found = await applied(alice, started.id);
    expect(found.vocabularyTerms).toEqual([NAME, 'Zorblax Labs', "O'Neill"]);
    expect(found.vocabularyApplied).toEqual([
      {
        provider: 'DEEPGRAM',
        termsApplied: [NAME, 'Zorblax Labs', "O'Neill"],
        termsNotApplied: [],
        contextPromptPassed: false,
        truncated: false,
        notes: ['Sent as keyterm (nova-3).', 'The context prompt was not passed: Deepgram takes no context prompt.'],
      },
    ]);
    await end(alice, started.id);

    // Older models take single words as keywords, as file jobs do.
    const set = await createSet(alice, { name: 'Nova-2', terms: [NAME, 'Zorblax Labs'] });
    const nova2 = await start(alice, { provider: 'DEEPGRAM', model: 'nova-2', vocabularySetIds: [set] });
    const nova2Socket = await deepgram.waitForLiveSession(before + 1, 30_000);
    expect(nova2Socket.queryAll.keywords).toEqual([NAME]);
    expect(nova2Socket.queryAll.keyterm).toBeUndefined();
    expect((await applied(alice, nova2.id)).vocabularyApplied[0].termsNotApplied).toEqual([
      { term: 'Zorblax Labs', reason: 'nova-2 boosts single words only (keywords); Nova-3 models take phrases.' },
    ]);
    await end(alice, nova2.id);
  });

  it("AssemblyAI gets keyterms_prompt on its streaming URL; a project session without sets takes the project's default sets, [] none", async () => {
    const projectId = ok(await gql(alice, `mutation { createProject(input: { name: "Live vocabulary ${randomBytes(3).toString('hex')}" }) { id } }`)).createProject.id;
    const set = await createSet(alice, { name: 'Defaults', terms: [NAME, 'one two three four five six seven'], projectId });
    ok(await gql(alice, `mutation ($p: ID!, $ids: [ID!]!) { setProjectDefaultVocabularySets(projectId: $p, vocabularySetIds: $ids) { id } }`, { p: projectId, ids: [set] }));

    const before = assemblyai.sessions.length;
    const started = await start(alice, { provider: 'ASSEMBLYAI', projectId, contextPrompt: 'A call.' });
    expect(started.vocabularyTerms).toEqual([NAME, 'one two three four five six seven']);
    const stream = await assemblyai.waitForSession(before, 30_000);
    expect(JSON.parse(stream.query.keyterms_prompt)).toEqual([NAME]);
    expect(stream.query.prompt).toBeUndefined();
    expect((await applied(alice, started.id)).vocabularyApplied).toEqual([
      {
        provider: 'ASSEMBLYAI',
        termsApplied: [NAME],
        termsNotApplied: [{ term: 'one two three four five six seven', reason: 'AssemblyAI takes terms of at most 6 words.' }],
        contextPromptPassed: false,
        truncated: false,
        notes: ['Sent as keyterms_prompt (the default model).', 'The context prompt was not passed: only the slam-1 model takes a prompt.'],
      },
    ]);
    await end(alice, started.id);

    const none = await start(alice, { provider: 'ASSEMBLYAI', projectId, vocabularySetIds: [] });
    expect(none.vocabularyTerms).toEqual([]);
    expect((await assemblyai.waitForSession(before + 1, 30_000)).query.keyterms_prompt).toBeUndefined();
    await end(alice, none.id);
    expect((await session(alice, none.id)).vocabularyApplied).toEqual([]);
  });

  it('OpenAI gets the context prompt and the terms as the prompt of each utterance, exactly', async () => {
    openai.reset();
    openai.setTranscript(() => wordsFromText(`please call ${NAME} tomorrow morning`));
    const set = await createSet(alice, { name: 'OpenAI', terms: [NAME, 'Winterbeck'] });
    const started = await start(alice, { provider: 'OPENAI', vocabularySetIds: [set], contextPrompt: 'A phone message.' });
    const ended = await streamAndEnd(alice, started.id);
    expect(ended.segments.map((segment: { text: string }) => segment.text).join(' ')).toContain(NAME);
    expect(openai.transcriptions.length).toBeGreaterThan(0);
    for (const request of openai.transcriptions) expect(request.prompt).toBe(`A phone message. ${NAME}, Winterbeck`);
    expect((await applied(alice, started.id)).vocabularyApplied).toEqual([
      { provider: 'OPENAI', termsApplied: [NAME, 'Winterbeck'], termsNotApplied: [], contextPromptPassed: true, truncated: false, notes: [] },
    ]);
  });

  it('an engine taking over mid-session gets the terms too, and reports what it applied', async () => {
    const set = await createSet(alice, { name: 'Fallback', terms: [NAME, 'Zorblax Labs'] });
    const dgBefore = deepgram.liveSessions.length;
    const aaiBefore = assemblyai.sessions.length;
    const started = await start(alice, { providers: ['DEEPGRAM', 'ASSEMBLYAI'], vocabularySetIds: [set] });
    const socket = await deepgram.waitForLiveSession(dgBefore, 30_000);
    expect(socket.queryAll.keyterm).toEqual([NAME, 'Zorblax Labs']);
    await applied(alice, started.id, 1);

    socket.close(1011, 'internal error');
    const stream = await assemblyai.waitForSession(aaiBefore, 30_000);
    expect(JSON.parse(stream.query.keyterms_prompt)).toEqual([NAME, 'Zorblax Labs']);
    const found = await applied(alice, started.id, 2);
    expect(found.currentProvider).toBe('ASSEMBLYAI');
    expect(found.vocabularyApplied.map((report: { provider: string; termsApplied: string[] }) => [report.provider, report.termsApplied])).toEqual([
      ['DEEPGRAM', [NAME, 'Zorblax Labs']],
      ['ASSEMBLYAI', [NAME, 'Zorblax Labs']],
    ]);
    await end(alice, started.id);
  });

  it('refuses bad vocabulary input with the errors jobs give, creating no session and opening no engine', async () => {
    const sessionsBefore = await t.deps.db.liveSession.count();
    const socketsBefore = deepgram.liveSessions.length;
    const bobs = await createSet(bob, { name: 'Private', terms: ['Parlance'] });
    const big = await Promise.all(
      [0, 1, 2].map((n) => createSet(alice, { name: `Big ${n}`, terms: Array.from({ length: 400 }, (_, i) => `Term${n}x${i}`) })),
    );
    const input = { provider: 'DEEPGRAM' };
    refused(await startSession(alice, { ...input, vocabularySetIds: ['voc_doesnotexist'] }), 'NOT_FOUND');
    refused(await startSession(alice, { ...input, vocabularySetIds: [bobs] }), 'NOT_FOUND');
    expect(refused(await startSession(alice, { ...input, contextPrompt: 'x'.repeat(2001) }), 'BAD_USER_INPUT')).toMatchObject({
      reason: 'CONTEXT_PROMPT_TOO_LONG',
      field: 'contextPrompt',
      limit: 2000,
    });
    const ids = Array.from({ length: 21 }, (_, i) => `voc_missing${i}`);
    expect(refused(await startSession(alice, { ...input, vocabularySetIds: ids }), 'BAD_USER_INPUT')).toMatchObject({ reason: 'TOO_MANY_SETS', limit: 20 });
    const tooMany = refused(await startSession(alice, { ...input, vocabularySetIds: big }), 'BAD_USER_INPUT');
    expect(tooMany).toMatchObject({ reason: 'TOO_MANY_TERMS', field: 'vocabularySetIds', limit: 1000 });

    expect(await t.deps.db.liveSession.count()).toBe(sessionsBefore);
    expect(deepgram.liveSessions.length).toBe(socketsBefore);
  });

  it(`LOCAL: the session's decoder learns ${NAME} from the set and hears it in flite speech; without the set it does not`, async () => {
    const without = await streamAndEnd(alice, (await start(alice, { provider: 'LOCAL' })).id);
    const heardWithout = without.segments.map((segment: { text: string }) => segment.text).join(' ');
    expect(heardWithout).toContain('tomorrow morning');
    expect(heardWithout.toLowerCase()).not.toContain(NAME.toLowerCase());
    expect(without.vocabularyApplied).toEqual([]);

    const set = await createSet(alice, { name: 'Names', terms: [NAME, 'tomorrow', 'R2D2'] });
    const started = await start(alice, { provider: 'LOCAL', vocabularySetIds: [set], contextPrompt: 'A phone message.' });
    const withSet = await streamAndEnd(alice, started.id);
    // Written as the set spells it.
    expect(withSet.segments.map((segment: { text: string }) => segment.text).join(' ')).toContain(`call ${NAME} tomorrow`);
    expect(withSet.vocabularyApplied).toEqual([
      {
        provider: 'LOCAL',
        termsApplied: [NAME],
        termsNotApplied: [
          { term: 'tomorrow', reason: LOCAL_NOT_KNOWN },
          { term: 'R2D2', reason: '"r2d2" has characters other than the letters a-z: the local engine cannot derive its pronunciation.' },
        ],
        contextPromptPassed: false,
        truncated: false,
        notes: ['The context prompt was not passed: the local engine takes no context prompt.'],
      },
    ]);
  }, 180_000);
});
