// askTranscript (issue 17): a question about a completed job's transcript, answered through the chat
// endpoint (the OpenAI protocol fake on loopback) with citations to segments (indexes and times).
// A long transcript is read in parts and the notes merged within CHAT_CONTEXT_TOKENS. Refusals are
// typed errors; the asker's OpenAI key goes to OpenAI only, never to a chat server of its own; every
// question's tokens are recorded as chat usage; nothing secret reaches the logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { chatPrices, estimateChatCostUsd } from '../server/services/pricing.ts';
import { startFakeOpenAI, type FakeOpenAIServer, type RecordedChat } from './fakes/openaiServer.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const CHAT = '/v1/chat/completions';
const ASK = `mutation ($jobId: ID!, $question: String!) {
  askTranscript(jobId: $jobId, question: $question) { jobId question answer citations { segmentIndex start end text } } }`;
const SET_KEY = `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`;
const SENTENCES = [
  'Welcome to the planning meeting.',
  'We agreed to launch the product in March.',
  'The launch needs a final design review.',
  'Alice will send the budget by Friday.',
  'Bob will book the venue next week.',
  'Thanks everyone for coming today.',
];
/** 60 segments; the budget comes up in three of them, far apart. */
const LONG = Array.from({ length: 60 }, (_, i) =>
  [7, 31, 52].includes(i) ? `Item ${i}: the budget for region ${i} grows by ${i} percent.` : `Item ${i}: an ordinary remark about the schedule of the day.`,
);

let openai: FakeOpenAIServer;
let ownServer: FakeOpenAIServer;
let t: TestApp;
let bare: TestApp;
let viaOwnServer: TestApp;

function lines(chat: RecordedChat): Array<{ id: number; text: string }> {
  return (chat.user ?? '')
    .split('\n')
    .map((line) => /^\[(\d+)\] \S+ (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: Number(m[1]), text: m[2] }));
}

const isMap = (chat: RecordedChat) => /one part of a longer/.test(chat.system ?? '');
const isReduce = (chat: RecordedChat) => /notes taken on its parts/.test(chat.system ?? '');

/** Answers from the lines that mention the question's last word, citing them (and an id that does not exist). */
function questionModel(chat: RecordedChat): string {
  const topic = /Question: .*?(\w+)\?/.exec(chat.user ?? '')?.[1]?.toLowerCase() ?? '';
  if (isReduce(chat)) {
    const ids = [...(chat.user ?? '').matchAll(/\[segments: ([\d, ]*)\]/g)].flatMap((m) => m[1].split(',').filter(Boolean).map(Number));
    return JSON.stringify({ answer: `The ${topic} comes up ${ids.length} times.`, citations: [...ids, 999] });
  }
  const found = lines(chat).filter((line) => line.text.toLowerCase().includes(topic));
  if (isMap(chat)) return JSON.stringify({ notes: found.map((l) => l.text).join(' '), citations: found.map((l) => l.id) });
  return JSON.stringify({ answer: found.length ? found.map((l) => l.text).join(' ') : 'The transcript does not say.', citations: [...found.map((l) => l.id), 999] });
}

beforeAll(async () => {
  openai = await startFakeOpenAI(); // wants one key: the users' own
  openai.setTranslator(questionModel);
  ownServer = await startFakeOpenAI({ apiKey: null });
  ownServer.setTranslator(questionModel);
  // A small context budget: the six-sentence transcript fits one request, the 60-segment one does not.
  t = await createTestApp({ OPENAI_BASE_URL: openai.baseURL, CHAT_CONTEXT_TOKENS: '1000', CHAT_TIMEOUT_MS: '3000', QUESTIONS_PER_MINUTE: '3' });
  bare = await createTestApp({});
  viaOwnServer = await createTestApp({ OPENAI_BASE_URL: openai.baseURL, CHAT_BASE_URL: ownServer.baseURL, CHAT_MODEL: 'local-llama' });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await bare?.close();
  await viaOwnServer?.close();
  await openai?.close();
  await ownServer?.close();
});

/** A signed-up user with their own OPENAI key stored. */
async function userWithKey(app: TestApp) {
  const user = await registerUser(app);
  const key = await app.gql(SET_KEY, { input: { provider: 'OPENAI', name: 'mine', secret: openai.apiKey } }, { token: user.accessToken });
  expect(key.errors, key.raw).toBeUndefined();
  return user;
}

/** A COMPLETED job written directly, segment i from 3i + 0.5 to 3i + 2.5 s. */
async function completedJob(app: TestApp, ownerId: string, sentences: string[], status: 'COMPLETED' | 'PROCESSING' = 'COMPLETED') {
  const id = newId('Job');
  await app.deps.db.job.create({ data: { id, ownerId, provider: 'OPENAI', status, text: sentences.join(' '), completedAt: new Date() } });
  await app.deps.db.transcriptSegment.createMany({
    data: sentences.map((text, idx) => ({ jobId: id, idx, chunkIndex: 0, startSeconds: 3 * idx + 0.5, endSeconds: 3 * idx + 2.5, text, words: [] })),
  });
  return id;
}

const citation = (sentences: string[], index: number) => ({ segmentIndex: index, start: 3 * index + 0.5, end: 3 * index + 2.5, text: sentences[index] });

describe('askTranscript', () => {
  it("answers with citations in one request, with the asker's key, and records the question's tokens and cost", async () => {
    openai.reset();
    const alice = await userWithKey(t);
    const jobId = await completedJob(t, alice.id, SENTENCES);
    const result = await t.gql(ASK, { jobId, question: '  Who sends the   budget? ' }, { token: alice.accessToken });
    expect(result.errors, result.raw).toBeUndefined();
    expect(result.data!.askTranscript).toEqual({
      jobId,
      question: 'Who sends the budget?',
      answer: SENTENCES[3],
      citations: [citation(SENTENCES, 3)], // the made-up id 999 is dropped
    });
    expect(openai.chats).toHaveLength(1);
    expect(openai.chats[0]).toMatchObject({ authorization: `Bearer ${openai.apiKey}`, model: 'gpt-4o-mini', responseFormat: 'json_object', temperature: 0 });
    expect(openai.chats[0].user).toContain('Question: Who sends the budget?');
    expect(lines(openai.chats[0]).map((l) => l.id)).toEqual([0, 1, 2, 3, 4, 5]);

    const usage = await t.gql(`query ($id: ID!) { job(id: $id) { chatUsage { purpose requests inputTokens outputTokens costUsd } } }`, { id: jobId }, { token: alice.accessToken });
    const inputChars = openai.chats[0].messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0);
    const inputTokens = Math.ceil(inputChars / 4);
    const outputTokens = Math.ceil(questionModel(openai.chats[0]).length / 4);
    expect(usage.data!.job.chatUsage).toEqual([
      { purpose: 'QUESTION', requests: 1, inputTokens, outputTokens, costUsd: estimateChatCostUsd(chatPrices(undefined), 'gpt-4o-mini', inputTokens, outputTokens) },
    ]);
    const record = await t.deps.db.chatUsageRecord.findFirstOrThrow({ where: { jobId } });
    expect(record).toMatchObject({ userId: alice.id, purpose: 'QUESTION', provider: 'OPENAI', model: 'gpt-4o-mini' });
    expect(t.logs.join('\n')).not.toContain(openai.apiKey!);
  });

  it('reads a long transcript in parts (map) and merges the notes (reduce); citations keep their times', async () => {
    openai.reset();
    const alice = await userWithKey(t);
    const jobId = await completedJob(t, alice.id, LONG);
    const result = await t.gql(ASK, { jobId, question: 'What about the budget?' }, { token: alice.accessToken });
    expect(result.errors, result.raw).toBeUndefined();
    const maps = openai.chats.filter(isMap);
    expect(maps.length).toBeGreaterThanOrEqual(3);
    expect(openai.chats.filter(isReduce)).toHaveLength(1);
    expect(openai.chats).toHaveLength(maps.length + 1);
    // Each segment read once, in order, every request within the budget (about 3 characters a token).
    expect(maps.flatMap((chat) => lines(chat).map((l) => l.id))).toEqual(LONG.map((_, i) => i));
    for (const chat of openai.chats) expect(chat.messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0) / 3).toBeLessThanOrEqual(1000);
    expect(result.data!.askTranscript).toMatchObject({
      answer: 'The budget comes up 3 times.',
      citations: [7, 31, 52].map((i) => citation(LONG, i)),
    });
    const record = await t.deps.db.chatUsageRecord.findFirstOrThrow({ where: { jobId } });
    expect(record.requests).toBe(maps.length + 1);
  });

  it('refuses with typed errors: empty or too long questions, unfinished or unseen jobs, a model that declines, too many questions', async () => {
    openai.reset();
    const alice = await userWithKey(t);
    const jobId = await completedJob(t, alice.id, SENTENCES);
    const ask = (question: string, id = jobId, token = alice.accessToken) => t.gql(ASK, { jobId: id, question }, { token });
    const codeOf = async (pending: ReturnType<typeof ask>) => {
      const result = await pending;
      return { code: result.errors?.[0].extensions?.code, message: result.errors?.[0].message };
    };
    expect(await codeOf(ask('   '))).toEqual({ code: 'BAD_USER_INPUT', message: 'Ask a question: it is empty.' });
    expect(await codeOf(ask('why '.repeat(300)))).toEqual({ code: 'BAD_USER_INPUT', message: 'The question is too long: at most 1000 characters.' });
    const unfinished = await completedJob(t, alice.id, SENTENCES, 'PROCESSING');
    expect(await codeOf(ask('What budget?', unfinished))).toEqual({ code: 'CONFLICT', message: 'Questions need a completed transcript: the job is processing.' });
    const bob = await userWithKey(t);
    expect((await codeOf(ask('What budget?', jobId, bob.accessToken))).code).toBe('NOT_FOUND');
    expect(openai.chats).toHaveLength(0); // none of these reached the model

    openai.setTranslator(() => ({ content: null, refusal: "I'm sorry, I can't help with that." }));
    expect(await codeOf(ask('What budget?'))).toEqual({ code: 'BAD_USER_INPUT', message: 'The model declined to answer this question.' });
    openai.setTranslator(questionModel);
    // The declined question still spent tokens.
    expect(await t.deps.db.chatUsageRecord.count({ where: { jobId, purpose: 'QUESTION' } })).toBe(1);

    // QUESTIONS_PER_MINUTE is 3: the refused question was the first; two more, then the fourth is refused.
    expect((await ask('What budget?')).errors).toBeUndefined();
    expect((await ask('What venue?')).errors).toBeUndefined();
    const limited = await ask('What launch?');
    expect(limited.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(openai.chats).toHaveLength(3);
  });

  it('a chat endpoint that does not answer in CHAT_TIMEOUT_MS is UNAVAILABLE, with nothing stored but the attempt', async () => {
    openai.reset();
    const alice = await userWithKey(t);
    const jobId = await completedJob(t, alice.id, SENTENCES);
    const held = openai.holdNext({ path: CHAT });
    const result = await t.gql(ASK, { jobId, question: 'What budget?' }, { token: alice.accessToken });
    expect(result.errors?.[0]).toMatchObject({
      message: 'OpenAI could not be reached, timed out, was overloaded or answered unreadably; try again later.',
      extensions: { code: 'UNAVAILABLE' },
    });
    // The client gave up on it (the fake sees the connection close).
    await waitFor('the held request to be abandoned', async () => held.clientLeft || null, 30_000);
    expect(await t.deps.db.chatUsageRecord.count({ where: { jobId } })).toBe(0); // no answer, no tokens counted
  });

  it('without a chat endpoint, questions and summaries are refused as PROVIDER_UNAVAILABLE', async () => {
    const carol = await registerUser(bare);
    const jobId = await completedJob(bare, carol.id, SENTENCES);
    const asked = await bare.gql(ASK, { jobId, question: 'What budget?' }, { token: carol.accessToken });
    expect(asked.errors?.[0]).toMatchObject({ extensions: { code: 'PROVIDER_UNAVAILABLE' } });
    expect(asked.errors?.[0].message).toMatch(/^Questions need the chat endpoint/);
    const summarized = await bare.gql(`mutation ($jobId: ID!) { summarizeJob(jobId: $jobId) { id } }`, { jobId }, { token: carol.accessToken });
    expect(summarized.errors?.[0]).toMatchObject({ extensions: { code: 'PROVIDER_UNAVAILABLE' } });
    const job = await bare.deps.db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.summaryStatus).toBeNull();
  });

  it("a chat server of its own (CHAT_BASE_URL) never gets the user's OpenAI key", async () => {
    openai.reset();
    ownServer.reset();
    const dave = await userWithKey(viaOwnServer);
    const jobId = await completedJob(viaOwnServer, dave.id, SENTENCES);
    const result = await viaOwnServer.gql(ASK, { jobId, question: 'Who books the venue?' }, { token: dave.accessToken });
    expect(result.errors, result.raw).toBeUndefined();
    expect(result.data!.askTranscript.citations).toEqual([citation(SENTENCES, 4)]);
    expect(ownServer.chats).toHaveLength(1);
    expect(ownServer.chats[0]).toMatchObject({ model: 'local-llama', authorization: null });
    expect(openai.chats).toHaveLength(0);
    expect(viaOwnServer.logs.join('\n')).not.toContain(openai.apiKey!);
  });
});
