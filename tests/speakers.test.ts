// Speakers across chunks: a two-voice flite conversation (slt and rms) cut into several chunks. The
// Deepgram fake labels speakers per request the way the real service does (numbered in order of
// appearance within the chunk) and swaps them on every other request, so raw labels disagree between
// chunks; the job's stored labels must not. Named speakers then show in every export.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDeepgram, type FakeDeepgramServer, type ScriptedWord } from './fakes/deepgramServer.ts';
import { chunkOffsetSeconds, lineOf, makeConversation, type Conversation } from './helpers/conversation.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const run = promisify(execFile);
const CHUNK_SECONDS = 7;

const LINES = [
  { voice: 'slt', text: 'Good morning, thank you for coming in today.' },
  { voice: 'rms', text: 'Happy to be here, what shall we talk about?' },
  { voice: 'slt', text: 'The numbers for the last quarter.' },
  { voice: 'rms', text: 'They went up by 120 percent.' },
  { voice: 'rms', text: 'Most of that came from the new stores.' },
  { voice: 'slt', text: 'That is very good news for the whole team.' },
  { voice: 'rms', text: 'We should open two more next year.' },
  { voice: 'slt', text: 'Let us plan that in the spring.' },
] as const;

let dir: string;
let conversation: Conversation;
let deepgram: FakeDeepgramServer;
let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;
/** What the fake answered: per chunk offset, the raw label each voice got. */
const rawLabels: Array<{ offset: number; labels: Record<string, number> }> = [];

/** Deepgram's answer for one chunk: the conversation's words in it, speakers numbered per chunk. */
function scriptChunk(audio: Buffer | null, durationSeconds: number): ScriptedWord[] {
  const offset = audio ? chunkOffsetSeconds(conversation, audio) : null;
  if (offset === null) throw new Error('the fake got audio that is not part of the conversation');
  const swap = rawLabels.length % 2 === 1;
  const numbers = new Map<string, number>();
  const words: ScriptedWord[] = [];
  for (const line of conversation.lines) {
    const tokens = line.text.split(' ');
    const step = (line.end - line.start) / tokens.length;
    tokens.forEach((word, i) => {
      const start = line.start + i * step - offset;
      const end = start + step * 0.9;
      if ((start + end) / 2 < 0 || (start + end) / 2 >= durationSeconds) return;
      if (!numbers.has(line.voice)) numbers.set(line.voice, numbers.size);
      const number = numbers.get(line.voice)!;
      words.push({ word, start: Math.max(0, start), end: Math.min(durationSeconds, end), speaker: number });
    });
  }
  if (swap && numbers.size === 2) for (const word of words) word.speaker = 1 - word.speaker!;
  const labels = Object.fromEntries([...numbers].map(([voice, number]) => [voice, swap && numbers.size > 1 ? 1 - number : number]));
  rawLabels.push({ offset, labels });
  return words;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-speakers-'));
  conversation = await makeConversation(LINES, path.join(dir, 'conversation.wav'));
  expect(conversation.durationSeconds).toBeGreaterThan(3 * CHUNK_SECONDS);
  deepgram = await startFakeDeepgram({ apiKey: null, transcript: (request, audio) => scriptChunk(audio, request.durationSeconds ?? 0) });
  t = await createTestApp({ DEEPGRAM_BASE_URL: deepgram.baseUrl, CHUNK_SECONDS: String(CHUNK_SECONDS) }, { runner: true });
  alice = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await deepgram?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SPEAKERS = `query ($id: ID!) { job(id: $id) { status segments { start end speaker speakerName text } speakers { speaker name displayName } } }`;

/** The stored label of every segment, grouped by the voice that really spoke it. */
function labelsByVoice(segments: Array<{ start: number; end: number; speaker: string | null }>): Record<string, Set<string | null>> {
  const byVoice: Record<string, Set<string | null>> = { slt: new Set(), rms: new Set() };
  for (const segment of segments) {
    const line = lineOf(conversation, segment.start, segment.end);
    expect(line, `segment ${segment.start}-${segment.end} lies in no line`).not.toBeNull();
    byVoice[line!.voice].add(segment.speaker);
  }
  return byVoice;
}

describe('speaker labels across chunks', () => {
  it('give every slt line one label and every rms line the other, though the engine labelled each chunk on its own', async () => {
    const submitted = await submitFile(t, alice.accessToken, conversation.wavPath, { provider: 'DEEPGRAM', diarize: true });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const id = submitted.data!.createTranscriptionJob.id as string;
    const job = await waitForJob(t, alice.accessToken, id, undefined, 120_000);
    expect(job.status, job.error).toBe('COMPLETED');

    // The engine's own labels disagreed between chunks: slt was 0 in one chunk and 1 in another.
    expect(rawLabels.length).toBeGreaterThanOrEqual(4);
    const sltRaw = new Set(rawLabels.map((chunk) => chunk.labels.slt).filter((label) => label !== undefined));
    expect([...sltRaw].sort()).toEqual([0, 1]);

    const result = await t.gql(SPEAKERS, { id }, { token: alice.accessToken });
    expect(result.errors, result.raw).toBeUndefined();
    const segments = result.data!.job.segments as Array<{ start: number; end: number; speaker: string | null }>;
    const byVoice = labelsByVoice(segments);
    expect(byVoice.slt.size, JSON.stringify(segments)).toBe(1);
    expect(byVoice.rms.size, JSON.stringify(segments)).toBe(1);
    const [slt] = byVoice.slt;
    const [rms] = byVoice.rms;
    // Numbered in order of first appearance: slt speaks first.
    expect(slt).toBe('Speaker 1');
    expect(rms).toBe('Speaker 2');
    // Every word carries its segment's label too.
    const words = await t.deps.db.transcriptSegment.findMany({ where: { jobId: id }, select: { speaker: true, words: true } });
    for (const row of words) for (const word of row.words as Array<{ speaker: string }>) expect(word.speaker).toBe(row.speaker);
    expect(await t.deps.db.jobChunk.count({ where: { jobId: id } })).toBeGreaterThanOrEqual(4);

    // A name given to the linked speaker reaches every line of theirs, in every chunk and every export.
    const renamed = await t.gql(
      `mutation ($input: RenameSpeakerInput!) { renameSpeaker(input: $input) { speakers { speaker displayName } } }`,
      { input: { jobId: id, speaker: slt, name: 'Ada Lovelace' } },
      { token: alice.accessToken },
    );
    expect(renamed.errors, renamed.raw).toBeUndefined();
    const sltLines = conversation.lines.filter((line) => line.voice === 'slt').length;
    const exports = await t.gql(
      `query ($id: ID!) { job(id: $id) { txt: transcript(format: TXT) srt: transcript(format: SRT) vtt: transcript(format: VTT)
        json: transcript(format: JSON) docx: transcript(format: DOCX) pdf: transcript(format: PDF) } }`,
      { id },
      { token: alice.accessToken },
    );
    expect(exports.errors, exports.raw).toBeUndefined();
    const out = exports.data!.job;
    const count = (text: string, needle: string) => text.split(needle).length - 1;
    const sltSegments = segments.filter((s) => s.speaker === slt).length;
    expect(count(out.srt, 'Ada Lovelace: ')).toBe(sltSegments);
    expect(count(out.vtt, '<v Ada Lovelace>')).toBe(sltSegments);
    expect(count(out.txt, 'Ada Lovelace: ')).toBeGreaterThanOrEqual(sltLines);
    expect(out.txt).toContain('Speaker 2: ');
    const json = JSON.parse(out.json) as { segments: Array<{ speaker: string; speakerName: string }> };
    expect(json.segments.filter((s) => s.speakerName === 'Ada Lovelace').length).toBe(sltSegments);
    const docx = path.join(dir, 'job.docx');
    await writeFile(docx, Buffer.from(out.docx, 'base64'));
    const { stdout: docxXml } = await run('unzip', ['-p', docx, 'word/document.xml'], { maxBuffer: 64 * 1024 * 1024 });
    expect(count(docxXml, 'Ada Lovelace')).toBeGreaterThanOrEqual(sltLines);
    const pdf = path.join(dir, 'job.pdf');
    await writeFile(pdf, Buffer.from(out.pdf, 'base64'));
    const { stdout: pdfText } = await run('pdftotext', ['-enc', 'UTF-8', pdf, '-']);
    expect(count(pdfText.replace(/\s+/g, ' '), 'Ada Lovelace')).toBeGreaterThanOrEqual(sltLines);
  }, 180_000);

  it('keeps redacted words under the linked labels', async () => {
    const submitted = await submitFile(t, alice.accessToken, conversation.wavPath, { provider: 'DEEPGRAM', diarize: true, redact: ['NUMBER'] });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const id = submitted.data!.createTranscriptionJob.id as string;
    const job = await waitForJob(t, alice.accessToken, id, undefined, 120_000);
    expect(job.status, job.error).toBe('COMPLETED');
    const result = await t.gql(`query ($id: ID!) { job(id: $id) { segments(redacted: true) { speaker text words { word speaker } } } }`, { id }, { token: alice.accessToken });
    expect(result.errors, result.raw).toBeUndefined();
    const segments = result.data!.job.segments as Array<{ speaker: string; text: string; words: Array<{ word: string; speaker: string }> }>;
    // "They went up by 120 percent.": redacted, in a segment of the linked speaker.
    expect(segments.filter((s) => s.text.includes('[NUMBER]')).length).toBe(1);
    expect(new Set(segments.map((s) => s.speaker))).toEqual(new Set(['Speaker 1', 'Speaker 2']));
    for (const segment of segments) for (const word of segment.words) expect(word.speaker, JSON.stringify(segment)).toBe(segment.speaker);
  }, 180_000);

  it('gives LOCAL, which labels no speakers, one label per voice across its chunks when the job asks for diarization', async () => {
    const submitted = await submitFile(t, alice.accessToken, conversation.wavPath, { provider: 'LOCAL', diarize: true });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const id = submitted.data!.createTranscriptionJob.id as string;
    const job = await waitForJob(t, alice.accessToken, id, undefined, 240_000);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(await t.deps.db.jobChunk.count({ where: { jobId: id } })).toBeGreaterThanOrEqual(4);

    const result = await t.gql(SPEAKERS, { id }, { token: alice.accessToken });
    expect(result.errors, result.raw).toBeUndefined();
    const segments = result.data!.job.segments as Array<{ start: number; end: number; speaker: string | null }>;
    // PocketSphinx ends an utterance at each pause: a segment per line (or per part of a line a cut split).
    expect(segments.length).toBeGreaterThanOrEqual(LINES.length);
    const byVoice = labelsByVoice(segments);
    expect([...byVoice.slt], JSON.stringify(segments)).toEqual(['Speaker 1']);
    expect([...byVoice.rms], JSON.stringify(segments)).toEqual(['Speaker 2']);
    expect(result.data!.job.speakers.map((s: { speaker: string }) => s.speaker)).toEqual(['Speaker 1', 'Speaker 2']);
    for (const segment of job.segments) for (const word of segment.words) expect(word.speaker).toBe(segment.speaker);
  }, 300_000);
});
