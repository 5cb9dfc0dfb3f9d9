// Summaries (issue 17): summarize: true at submission, or summarizeJob later, stores a summary, key
// points and action items with the segments and time ranges they come from, through the chat
// endpoint (the OpenAI protocol fake on loopback) as a step of its own after the transcript. The JSON
// export and the Word/PDF documents carry it; a refusal or a timeout fails only the summary with a
// readable reason and stores nothing; tokens and cost are recorded as chat usage. A long transcript
// is summarised in parts (map) and merged (reduce) within CHAT_CONTEXT_TOKENS.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { ChatMeter } from '../server/providers/chatJson.ts';
import { summarizeTranscript } from '../server/providers/transcriptSummary.ts';
import { chatPrices, estimateChatCostUsd } from '../server/services/pricing.ts';
import { chatTokens, startFakeOpenAI, wordsFromText, type FakeOpenAIServer, type RecordedChat } from './fakes/openaiServer.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const run = promisify(execFile);
const CHAT = '/v1/chat/completions';
const SENTENCES = [
  'Welcome to the planning meeting.',
  'We agreed to launch the product in March.',
  'The launch needs a final design review.',
  'Alice will send the budget by Friday.',
  'Bob will book the venue next week.',
  'Thanks everyone for coming today.',
];
const SUMMARY_FIELDS = `id status summaryRequested summaryStatus summaryError
  summary { text model revision keyPoints { text segmentIndexes ranges { start end } } actionItems { text segmentIndexes ranges { start end } } }
  chatUsage { purpose requests inputTokens outputTokens costUsd }
  segments { index start end text }`;
const SUMMARIZE = `mutation ($jobId: ID!) { summarizeJob(jobId: $jobId) { id status summaryStatus summaryError } }`;

let dir: string;
let speech: SpeechFixture;
let openai: FakeOpenAIServer;
let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;

/** Segment lines "[id] 00:01-00:03 text" of a chat's user message. */
function segmentLines(chat: RecordedChat): Array<{ id: number; text: string }> {
  return (chat.user ?? '')
    .split('\n')
    .map((line) => /^\[(\d+)\] \S+ (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: Number(m[1]), text: m[2] }));
}

/**
 * A model that does what the prompts ask: a summary naming the segments read; a key point for each
 * agreement or review (citing that segment and the next, and an id the transcript does not have);
 * an action item for each "will". A merge request joins the partial summaries' points as they are.
 */
function meetingModel(chat: RecordedChat): string {
  if (/classify the sentiment/.test(chat.system ?? '')) {
    const ids = [...(chat.user ?? '').matchAll(/^\[(\d+)\]/gm)].map((m) => Number(m[1]));
    return JSON.stringify({ segments: ids.map((id) => ({ id, sentiment: 'NEUTRAL', score: 0.7 })) });
  }
  if (/professional translator/.test(chat.system ?? '')) return `[de] ${chat.user}`;
  if (/merge partial summaries/.test(chat.system ?? '')) {
    const parts = (chat.user ?? '').split(/\n\n(?=Partial summary)/);
    const merged = { summary: '', keyPoints: [] as unknown[], actionItems: [] as unknown[] };
    for (const part of parts) {
      let list: unknown[] = merged.keyPoints;
      for (const line of part.split('\n')) {
        if (line.startsWith('Partial summary')) merged.summary += `${line.replace(/^Partial summary \d+: /, '')} `;
        else if (line === 'Key points:') list = merged.keyPoints;
        else if (line === 'Action items:') list = merged.actionItems;
        else {
          const m = /^- (.*) \[segments: ([\d, ]*)\]$/.exec(line);
          if (m) list.push({ text: m[1], segments: m[2].split(',').filter(Boolean).map(Number) });
        }
      }
    }
    return JSON.stringify({ ...merged, summary: `Merged. ${merged.summary.trim()}` });
  }
  const lines = segmentLines(chat);
  return JSON.stringify({
    summary: `A planning meeting (segments ${lines[0]?.id}-${lines.at(-1)?.id}).`,
    keyPoints: lines.filter((l) => /agreed|review/.test(l.text)).map((l) => ({ text: `Point: ${l.text}`, segments: [l.id, l.id + 1, 999] })),
    actionItems: lines.filter((l) => / will /.test(l.text)).map((l) => ({ text: `Action: ${l.text}`, segments: [l.id] })),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-summaries-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'meeting.wav'));
  openai = await startFakeOpenAI({ apiKey: null });
  openai.setTranscript(() => wordsFromText(SENTENCES.join(' '), { start: 0.5, wordSeconds: 0.3, gapSeconds: 0.05, pauseSeconds: 1 }));
  openai.setTranslator(meetingModel);
  // A keyless OpenAI-compatible server; two attempts, so running out takes one backoff; a request
  // gives up after 5 s (the held ones of the timeout test).
  t = await createTestApp({ OPENAI_BASE_URL: openai.baseURL, SUMMARY_MAX_ATTEMPTS: '2', CHAT_TIMEOUT_MS: '5000' }, { runner: true });
  alice = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await openai?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function readJob(id: string, token = alice.accessToken) {
  const result = await t.gql(`query ($id: ID!) { job(id: $id) { ${SUMMARY_FIELDS} } }`, { id }, { token });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.job as Record<string, any>;
}

const summarySettled = (id: string) =>
  waitFor(`the summary of ${id}`, async () => {
    const job = await readJob(id);
    return job.summaryStatus === 'COMPLETED' || job.summaryStatus === 'FAILED' ? job : null;
  }, 90_000);

/** A COMPLETED job written directly (its transcript as given), for the steps that follow one. */
async function completedJob(ownerId: string, sentences: string[]): Promise<string> {
  const id = newId('Job');
  await t.deps.db.job.create({
    data: { id, ownerId, provider: 'OPENAI', status: 'COMPLETED', filename: 'meeting.wav', text: sentences.join(' '), completedAt: new Date() },
  });
  await t.deps.db.transcriptSegment.createMany({
    data: sentences.map((text, idx) => ({ jobId: id, idx, chunkIndex: 0, startSeconds: 2 * idx + 0.5, endSeconds: 2 * idx + 2, text, words: [] })),
  });
  return id;
}

/** What the stored points should be: the model's cited ids that exist, and their time ranges. */
function expectedPoints(segments: Array<{ index: number; start: number; end: number; text: string }>) {
  const keyPoints = segments
    .filter((s) => /agreed|review/.test(s.text))
    .map((s) => {
      const ids = [s.index, s.index + 1].filter((i) => i < segments.length);
      return { text: `Point: ${s.text}`, segmentIndexes: ids, ranges: [{ start: s.start, end: segments[ids.at(-1)!].end }] };
    });
  const actionItems = segments
    .filter((s) => / will /.test(s.text))
    .map((s) => ({ text: `Action: ${s.text}`, segmentIndexes: [s.index], ranges: [{ start: s.start, end: s.end }] }));
  return { keyPoints, actionItems };
}

/** The usage the fake reported for `chats` (its token counts) and its cost at gpt-4o-mini's prices. */
function usageOf(chats: RecordedChat[]) {
  let inputTokens = 0;
  let outputTokens = 0;
  for (const chat of chats) {
    const inputChars = chat.messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0);
    const tokens = chatTokens(inputChars, meetingModel(chat));
    inputTokens += tokens.promptTokens;
    outputTokens += tokens.completionTokens;
  }
  return { inputTokens, outputTokens, costUsd: estimateChatCostUsd(chatPrices(undefined), 'gpt-4o-mini', inputTokens, outputTokens) };
}

describe('summarize: true', () => {
  it('stores the summary with time ranges, in the API, the JSON export and the Word and PDF documents; usage counts its tokens', async () => {
    openai.reset();
    const submitted = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'OPENAI', summarize: true });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const id = submitted.data!.createTranscriptionJob.id as string;
    expect(await waitForJob(t, alice.accessToken, id, undefined, 90_000)).toMatchObject({ status: 'COMPLETED', error: null });
    const job = await summarySettled(id);
    expect(job).toMatchObject({ status: 'COMPLETED', summaryRequested: true, summaryStatus: 'COMPLETED', summaryError: null });
    expect(job.segments.map((s: any) => s.text)).toEqual(SENTENCES);

    // One request: the transcript fits the default budget. JSON asked for, at temperature 0.
    const chats = openai.chats.filter((chat) => chat.system?.includes('summarise'));
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ model: 'gpt-4o-mini', temperature: 0, responseFormat: 'json_object' });
    expect(segmentLines(chats[0]).map((l) => l.id)).toEqual([0, 1, 2, 3, 4, 5]);

    const expected = expectedPoints(job.segments);
    expect(expected.keyPoints).toHaveLength(2);
    expect(expected.actionItems).toHaveLength(2);
    expect(job.summary).toMatchObject({ text: 'A planning meeting (segments 0-5).', model: 'gpt-4o-mini', revision: 0, ...expected });
    // "We agreed" (1) and "review" (2) both cite the next segment: 1-2 and 2-3 are each one range.
    expect(job.summary.keyPoints[0].ranges).toEqual([{ start: job.segments[1].start, end: job.segments[2].end }]);

    const usage = usageOf(chats);
    expect(job.chatUsage).toEqual([{ purpose: 'SUMMARY', requests: 1, ...usage }]);
    expect(usage.costUsd).toBeGreaterThan(0);

    const base = await t.listen();
    const get = (ext: string) => fetch(`${base}/jobs/${id}/transcript.${ext}`, { headers: { authorization: `Bearer ${alice.accessToken}` } });
    const json = (await (await get('json')).json()) as any;
    expect(json.summary).toMatchObject({
      text: job.summary.text,
      keyPoints: expected.keyPoints.map((p) => ({ text: p.text, segments: p.segmentIndexes, ranges: p.ranges })),
      actionItems: expected.actionItems.map((p) => ({ text: p.text, segments: p.segmentIndexes, ranges: p.ranges })),
    });

    const pdfFile = path.join(dir, 'meeting.pdf');
    await writeFile(pdfFile, Buffer.from(await (await get('pdf')).arrayBuffer()));
    const pdf = (await run('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'])).stdout;
    const docxFile = path.join(dir, 'meeting.docx');
    await writeFile(docxFile, Buffer.from(await (await get('docx')).arrayBuffer()));
    const docx = (await run('unzip', ['-p', docxFile, 'word/document.xml'])).stdout;
    const clock = (s: number) => `00:${String(s).padStart(2, '0')}`;
    const action = expected.actionItems[0];
    for (const text of [pdf, docx]) {
      expect(text).toContain('Summary');
      expect(text).toContain('A planning meeting (segments 0-5).');
      expect(text).toContain('Action items:');
      expect(text).toContain(`Action: ${SENTENCES[3]} (${clock(Math.floor(action.ranges[0].start))}–${clock(Math.ceil(action.ranges[0].end))})`);
      // The summary comes before the transcript.
      expect(text.indexOf('A planning meeting')).toBeLessThan(text.lastIndexOf(SENTENCES[0]));
    }

    // Usage per provider and per day carries the chat tokens and cost on top of the audio's.
    const buckets = await t.gql(
      `{ usage(groupBy: PROVIDER) { key jobs audioSeconds costUsd chatInputTokens chatOutputTokens chatCostUsd } }`,
      {},
      { token: alice.accessToken },
    );
    expect(buckets.errors, buckets.raw).toBeUndefined();
    const openaiBucket = buckets.data!.usage.find((b: any) => b.key === 'OPENAI');
    expect(openaiBucket).toMatchObject({ jobs: 1, chatInputTokens: usage.inputTokens, chatOutputTokens: usage.outputTokens, chatCostUsd: usage.costUsd });
    const audio = await t.deps.db.usageRecord.findMany({ where: { jobId: id } });
    expect(audio).toHaveLength(1); // the transcription's record, (jobId, provider) as before
    expect(openaiBucket.costUsd).toBeCloseTo(audio[0].costUsd + usage.costUsd, 6);
    const days = await t.gql(`{ usage(groupBy: DAY) { key chatCostUsd costUsd } }`, {}, { token: alice.accessToken });
    const today = days.data!.usage.at(-1);
    expect(today.chatCostUsd).toBeCloseTo(usage.costUsd, 6);
  }, 180_000);
});

describe('chat usage of translation and sentiment', () => {
  it('records the tokens and cost of each, per purpose, beside the audio usage', async () => {
    openai.reset();
    openai.setTranslator(meetingModel);
    const submitted = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'OPENAI', sentiment: true, translateTo: 'de' });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const id = submitted.data!.createTranscriptionJob.id as string;
    const job = await waitFor(`the steps of ${id}`, async () => {
      const result = await t.gql(
        `query ($id: ID!) { job(id: $id) { status translationStatus sentimentStatus chatUsage { purpose requests inputTokens outputTokens costUsd } } }`,
        { id },
        { token: alice.accessToken },
      );
      const row = result.data?.job;
      return row?.status === 'COMPLETED' && row.translationStatus === 'COMPLETED' && row.sentimentStatus === 'COMPLETED' ? row : null;
    }, 90_000);
    const sentimentChats = openai.chats.filter((chat) => /classify the sentiment/.test(chat.system ?? ''));
    const translationChats = openai.chats.filter((chat) => /professional translator/.test(chat.system ?? ''));
    expect(sentimentChats.length).toBeGreaterThan(0);
    expect(translationChats.length).toBeGreaterThan(0);
    expect(job.chatUsage).toEqual([
      { purpose: 'TRANSLATION', requests: translationChats.length, ...usageOf(translationChats) },
      { purpose: 'SENTIMENT', requests: sentimentChats.length, ...usageOf(sentimentChats) },
    ]);
    expect(await t.deps.db.usageRecord.count({ where: { jobId: id } })).toBe(1);
  }, 120_000);
});

describe('summarizeJob', () => {
  it('summarises a finished job; refuses what it cannot do with typed errors', async () => {
    openai.reset();
    openai.setTranslator(meetingModel);
    const id = await completedJob(alice.id, SENTENCES);
    const queued = await t.gql(SUMMARIZE, { jobId: id }, { token: alice.accessToken });
    expect(queued.errors, queued.raw).toBeUndefined();
    expect(['PENDING', 'RUNNING', 'COMPLETED']).toContain(queued.data!.summarizeJob.summaryStatus);
    const twice = await t.gql(SUMMARIZE, { jobId: id }, { token: alice.accessToken });
    if (twice.errors) expect(twice.errors[0].extensions?.code).toBe('CONFLICT'); // refused while it runs
    const job = await summarySettled(id);
    expect(job.summaryStatus).toBe('COMPLETED');
    expect(job.summary).toMatchObject(expectedPoints(job.segments));

    const bob = await registerUser(t);
    const theirs = await t.gql(SUMMARIZE, { jobId: id }, { token: bob.accessToken });
    expect(theirs.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const unfinished = newId('Job');
    await t.deps.db.job.create({ data: { id: unfinished, ownerId: alice.id, provider: 'OPENAI', status: 'PROCESSING' } });
    const early = await t.gql(SUMMARIZE, { jobId: unfinished }, { token: alice.accessToken });
    expect(early.errors?.[0]).toMatchObject({ message: 'A summary needs a completed transcript: the job is processing.', extensions: { code: 'CONFLICT' } });
  }, 120_000);

  it('a refusal fails only the summary, at once, and keeps the summary stored before', async () => {
    openai.reset();
    openai.setTranslator(meetingModel);
    const id = await completedJob(alice.id, SENTENCES);
    await t.gql(SUMMARIZE, { jobId: id }, { token: alice.accessToken });
    const first = await summarySettled(id);
    expect(first.summaryStatus).toBe('COMPLETED');

    openai.reset();
    openai.setTranslator(() => ({ content: null, refusal: "I'm sorry, I can't help with that." }));
    const again = await t.gql(SUMMARIZE, { jobId: id }, { token: alice.accessToken });
    expect(again.errors, again.raw).toBeUndefined();
    const failed = await summarySettled(id);
    expect(failed).toMatchObject({
      status: 'COMPLETED',
      summaryStatus: 'FAILED',
      summaryError: 'The summary failed: the model refused to summarise this transcript.',
      summary: first.summary,
    });
    expect(openai.chats).toHaveLength(1); // a refusal is not retried
    // Both runs spent tokens: two SUMMARY runs.
    const runs = await t.deps.db.chatUsageRecord.findMany({ where: { jobId: id }, orderBy: { createdAt: 'asc' } });
    expect(runs.map((r) => [r.purpose, r.requests])).toEqual([
      ['SUMMARY', 1],
      ['SUMMARY', 1],
    ]);
    expect(runs[1].outputTokens).toBe(Math.ceil("I'm sorry, I can't help with that.".length / 4));
    openai.setTranslator(meetingModel);
  }, 120_000);

  it('a chat endpoint that never answers times out, is retried, then FAILED with a reason; nothing stuck', async () => {
    openai.reset();
    const id = await completedJob(alice.id, SENTENCES);
    const held = [openai.holdNext({ path: CHAT }), openai.holdNext({ path: CHAT })];
    const queued = await t.gql(SUMMARIZE, { jobId: id }, { token: alice.accessToken });
    expect(queued.errors, queued.raw).toBeUndefined();
    const failed = await summarySettled(id);
    expect(failed).toMatchObject({
      status: 'COMPLETED',
      summaryStatus: 'FAILED',
      summary: null,
      summaryError: 'The summary failed: OpenAI could not be reached, timed out, was overloaded or answered unreadably, 2 attempts; run summarizeJob again later.',
    });
    await waitFor('the held requests to be abandoned', async () => held.every((request) => request.clientLeft) || null, 30_000);
    // No queued or locked graphile-worker job is left for it (the runner drops the row once the task has
    // returned, just after the task wrote FAILED).
    await waitFor('the summary task to leave the queue', async () => {
      const left = await t.deps.db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key = ${`summarizeTranscript:${id}`}`;
      return left[0].n === 0;
    }, 60_000);
    // It works again once the endpoint answers.
    const retried = await t.gql(SUMMARIZE, { jobId: id }, { token: alice.accessToken });
    expect(retried.errors, retried.raw).toBeUndefined();
    expect((await summarySettled(id)).summaryStatus).toBe('COMPLETED');
    // Nothing secret in the logs: no Authorization header.
    expect(t.logs.join('\n')).not.toMatch(/Bearer /);
  }, 180_000);
});

describe('map-reduce within the context budget', () => {
  it('a small budget makes several map requests and one reduce; citations and time ranges stay right', async () => {
    openai.reset();
    openai.setTranslator(meetingModel);
    // 40 segments, every fourth an agreement and every fifth a "will".
    const segments = Array.from({ length: 40 }, (_, index) => ({
      index,
      start: 10 * index + 0.25,
      end: 10 * index + 7.5,
      text:
        index % 4 === 1
          ? `In item ${index} we agreed on the plan for the region number ${index}.`
          : index % 5 === 3
            ? `Then person ${index} will write the report for section ${index} soon.`
            : `This is ordinary discussion sentence number ${index} of the meeting.`,
    }));
    const meter = new ChatMeter();
    const summary = await summarizeTranscript(segments, { apiKey: null, baseURL: openai.baseURL, model: 'gpt-4o-mini', timeoutMs: 30_000, contextTokens: 1000, meter });
    const maps = openai.chats.filter((chat) => !/merge partial summaries/.test(chat.system ?? ''));
    const reduces = openai.chats.filter((chat) => /merge partial summaries/.test(chat.system ?? ''));
    expect(maps.length).toBeGreaterThanOrEqual(3);
    expect(reduces).toHaveLength(1);
    // Every segment went to exactly one map request, in order, each request within the budget.
    expect(maps.flatMap((chat) => segmentLines(chat).map((l) => l.id))).toEqual(segments.map((s) => s.index));
    for (const chat of openai.chats) {
      expect(chat.messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0) / 3).toBeLessThanOrEqual(1000);
    }
    expect(summary.summary.startsWith('Merged. A planning meeting (segments 0-')).toBe(true);
    const byIndex = new Map(segments.map((s) => [s.index, s]));
    const agreed = segments.filter((s) => /agreed/.test(s.text));
    expect(summary.keyPoints.map((p) => p.segments)).toEqual(agreed.map((s) => [s.index, s.index + 1]));
    expect(summary.keyPoints.map((p) => p.ranges)).toEqual(agreed.map((s) => [{ start: s.start, end: byIndex.get(s.index + 1)!.end }]));
    const will = segments.filter((s) => / will /.test(s.text));
    expect(summary.actionItems.map((p) => [p.text, p.segments, p.ranges])).toEqual(
      will.map((s) => [`Action: ${s.text}`, [s.index], [{ start: s.start, end: s.end }]]),
    );
    expect(meter.requests).toBe(maps.length + 1);
    expect(meter.inputTokens).toBeGreaterThan(0);
  }, 60_000);
});
