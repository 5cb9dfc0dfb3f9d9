// Correcting a transcript and naming its speakers, through the API: a real LOCAL job (flite speech,
// PocketSphinx, the in-process job runner), its corrections as revisions, and every export and
// download serving the latest revision with the speakers' names.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../server/transcripts/formats.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const SENTENCES = ['the weather is nice today in the city', 'please call me tomorrow morning', 'we need more time to finish the project'];

type User = Awaited<ReturnType<typeof registerUser>>;
interface ApiWord {
  word: string;
  start: number;
  end: number;
  confidence: number | null;
  speaker: string | null;
}
interface ApiSegment {
  index: number;
  start: number;
  end: number;
  text: string;
  speaker: string | null;
  speakerName: string | null;
  words: ApiWord[];
}

const TRANSCRIPT_FIELDS = `id status revision text
  segments { index start end text speaker speakerName words { word start end confidence speaker } }
  revisions { number createdAt segmentIndex before after author { id username } }
  speakers { speaker name displayName }`;

const EDIT = `mutation ($input: EditTranscriptSegmentInput!) { editTranscriptSegment(input: $input) { ${TRANSCRIPT_FIELDS} } }`;
const RENAME = `mutation ($input: RenameSpeakerInput!) { renameSpeaker(input: $input) { ${TRANSCRIPT_FIELDS} } }`;

let t: TestApp;
let base: string;
let dir: string;
let speech: SpeechFixture;
let owner: User;
let stranger: User;
let admin: User;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-revisions-test-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'speech.wav'), { voice: 'rms' });
  t = await createTestApp({}, { runner: true });
  base = await t.listen();
  [owner, stranger, admin] = [await registerUser(t), await registerUser(t), await registerUser(t)];
  await makeAdmin(t, admin.id);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function completedJob(): Promise<string> {
  const submitted = await submitFile(t, owner.accessToken, speech.wavPath, { provider: 'LOCAL' });
  expect(submitted.errors).toBeUndefined();
  const id = submitted.data!.createTranscriptionJob.id as string;
  const job = await waitForJob(t, owner.accessToken, id);
  expect(job.status, job.error).toBe('COMPLETED');
  return id;
}

async function readJob(id: string, token = owner.accessToken) {
  const result = await t.gql(`query ($id: ID!) { job(id: $id) { ${TRANSCRIPT_FIELDS} } }`, { id }, { token });
  expect(result.errors).toBeUndefined();
  return result.data!.job as { revision: number; text: string; segments: ApiSegment[]; revisions: any[]; speakers: any[] };
}

async function download(id: string, extension: 'txt' | 'srt' | 'vtt' | 'json', token = owner.accessToken): Promise<string> {
  const response = await fetch(`${base}/jobs/${id}/transcript.${extension}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.text();
}

function codeOf(result: { errors?: { extensions?: { code?: string } }[] }): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

describe('correcting a segment', () => {
  let id: string;
  let original: ApiSegment;

  beforeAll(async () => {
    id = await completedJob();
    const job = await readJob(id);
    expect(job.revision).toBe(0);
    expect(job.revisions).toEqual([]);
    original = job.segments.find((s) => s.words.length >= 3)!;
    expect(original, JSON.stringify(job.segments)).toBeDefined();
  }, 180_000);

  it('keeps the timings of unchanged words and spreads the new ones over the gaps, as revision 1', async () => {
    const words = original.words;
    // Word 1 replaced, a word appended: "<w0> Zanzibar <w2> ... <wn> indeed."
    const tokens = words.map((w) => w.word);
    tokens[1] = 'Zanzibar';
    const text = `${tokens.join(' ')} indeed.`;
    const result = await t.gql(EDIT, { input: { jobId: id, segmentIndex: original.index, text, expectedRevision: 0 } }, { token: owner.accessToken });
    expect(result.errors).toBeUndefined();
    const job = result.data!.editTranscriptSegment;
    expect(job.revision).toBe(1);
    const segment = (job.segments as ApiSegment[]).find((s) => s.index === original.index)!;
    expect(segment.text).toBe(text);
    expect(segment.start).toBe(original.start);
    expect(segment.end).toBe(original.end);
    expect(segment.words.map((w) => w.word)).toEqual(text.split(' '));
    // Kept words: exactly as the engine timed them.
    for (const k of [...words.keys()].filter((k) => k !== 1)) {
      expect(segment.words[k]).toMatchObject({ start: words[k].start, end: words[k].end, confidence: words[k].confidence });
    }
    // The replaced word fills the gap between its kept neighbours; the appended one runs to the segment's end.
    expect(segment.words[1]).toMatchObject({ word: 'Zanzibar', start: words[0].end, end: words[2].start, confidence: null });
    const last = words[words.length - 1];
    expect(segment.words[words.length]).toMatchObject({ word: 'indeed.', start: last.end, end: original.end });
    expect(job.text).toContain(text);
    expect(job.revisions).toEqual([
      {
        number: 1,
        createdAt: expect.any(String),
        segmentIndex: original.index,
        before: original.text,
        after: text,
        author: { id: owner.id, username: owner.username },
      },
    ]);
  });

  it('serves the correction in every download and in transcript(format), with kept and re-spread timings', async () => {
    const job = await readJob(id);
    const segment = job.segments.find((s) => s.index === original.index)!;
    const srt = await download(id, 'srt');
    expect(srt).toContain('Zanzibar');
    // The corrected segment's first cue starts at its first (kept) word.
    expect(srt).toContain(`${formatTimestamp(original.words[0].start, 'SRT')} -->`);
    const vtt = await download(id, 'vtt');
    expect(vtt).toMatch(/^WEBVTT/);
    expect(vtt).toContain('Zanzibar');
    expect(vtt).toContain(`${formatTimestamp(original.words[0].start, 'VTT')} -->`);
    expect(await download(id, 'txt')).toContain(segment.text);
    const json = JSON.parse(await download(id, 'json'));
    expect(json.revision).toBe(1);
    expect(json.text).toBe(job.text);
    const jsonSegment = json.segments.find((s: { text: string }) => s.text === segment.text);
    expect(jsonSegment.words.map((w: ApiWord) => [w.word, w.start, w.end])).toEqual(segment.words.map((w) => [w.word, w.start, w.end]));
    const formats = await t.gql(`query ($id: ID!) { job(id: $id) { srt: transcript(format: SRT) } }`, { id }, { token: owner.accessToken });
    expect(formats.data!.job.srt).toBe(srt);
  });

  it('refuses a stale revision with CONFLICT and writes nothing', async () => {
    const result = await t.gql(
      EDIT,
      { input: { jobId: id, segmentIndex: original.index, text: 'a lost update', expectedRevision: 0 } },
      { token: owner.accessToken },
    );
    expect(codeOf(result)).toBe('CONFLICT');
    expect(result.errors![0].extensions).toMatchObject({ currentRevision: 1 });
    const job = await readJob(id);
    expect(job.revision).toBe(1);
    expect(job.revisions).toHaveLength(1);
    expect(job.segments.find((s) => s.index === original.index)!.text).toContain('Zanzibar');
  });

  it('refuses empty, too long and misplaced text with BAD_USER_INPUT', async () => {
    const cases = [
      { text: '   ', segmentIndex: original.index },
      { text: 'word '.repeat(401), segmentIndex: original.index },
      { text: 'fine words', segmentIndex: 9999 },
    ];
    for (const input of cases) {
      const result = await t.gql(EDIT, { input: { jobId: id, expectedRevision: 1, ...input } }, { token: owner.accessToken });
      expect(codeOf(result), JSON.stringify(input).slice(0, 80)).toBe('BAD_USER_INPUT');
    }
    expect((await readJob(id)).revision).toBe(1);
  });

  it('lets no other user see or correct the job, and lets an admin correct it as the job rules say', async () => {
    const input = { jobId: id, segmentIndex: original.index, text: 'not yours', expectedRevision: 1 };
    expect(codeOf(await t.gql(EDIT, { input }, { token: stranger.accessToken }))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(RENAME, { input: { jobId: id, speaker: '1', name: 'X' } }, { token: stranger.accessToken }))).toBe(
      'NOT_FOUND',
    );
    const response = await fetch(`${base}/jobs/${id}/transcript.srt`, { headers: { authorization: `Bearer ${stranger.accessToken}` } });
    expect(response.status).toBe(404);

    const byAdmin = await t.gql(EDIT, { input: { ...input, text: `${original.text} again` } }, { token: admin.accessToken });
    expect(byAdmin.errors).toBeUndefined();
    expect(byAdmin.data!.editTranscriptSegment.revision).toBe(2);
    expect(byAdmin.data!.editTranscriptSegment.revisions[0]).toMatchObject({ number: 2, author: { id: admin.id } });
    // The engine's output stays: the first revision's "before".
    expect(byAdmin.data!.editTranscriptSegment.revisions[1].before).toBe(original.text);
  });

  it('corrects only completed jobs', async () => {
    await t.deps.db.job.update({ where: { id }, data: { status: 'PROCESSING' } });
    try {
      const result = await t.gql(
        EDIT,
        { input: { jobId: id, segmentIndex: original.index, text: 'too early', expectedRevision: 2 } },
        { token: owner.accessToken },
      );
      expect(codeOf(result)).toBe('CONFLICT');
    } finally {
      await t.deps.db.job.update({ where: { id }, data: { status: 'COMPLETED' } });
    }
  });
});

describe('speaker names', () => {
  it('appear in every export and in the API once a speaker is renamed; a blank name restores the default', async () => {
    const id = await completedJob();
    // LOCAL does not diarize: label the segments as a diarizing engine (Deepgram) would, first
    // segment speaker "1", the others "2".
    const rows = await t.deps.db.transcriptSegment.findMany({ where: { jobId: id }, orderBy: { idx: 'asc' } });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      const speaker = row.idx === rows[0].idx ? '1' : '2';
      const words = (row.words as unknown as ApiWord[]).map((w) => ({ ...w, speaker }));
      await t.deps.db.transcriptSegment.update({ where: { jobId_idx: { jobId: id, idx: row.idx } }, data: { speaker, words } });
    }
    expect((await readJob(id)).speakers).toEqual([
      { speaker: '1', name: null, displayName: 'Speaker 1' },
      { speaker: '2', name: null, displayName: 'Speaker 2' },
    ]);

    const renamed = await t.gql(RENAME, { input: { jobId: id, speaker: '1', name: '  Alice  Smith ' } }, { token: owner.accessToken });
    expect(renamed.errors).toBeUndefined();
    const job = renamed.data!.renameSpeaker;
    expect(job.speakers).toEqual([
      { speaker: '1', name: 'Alice Smith', displayName: 'Alice Smith' },
      { speaker: '2', name: null, displayName: 'Speaker 2' },
    ]);
    expect(job.segments[0]).toMatchObject({ speaker: '1', speakerName: 'Alice Smith' });
    expect(job.segments[1]).toMatchObject({ speaker: '2', speakerName: 'Speaker 2' });
    expect(job.revision).toBe(0);

    expect(await download(id, 'srt')).toContain('Alice Smith: ');
    expect(await download(id, 'vtt')).toContain('<v Alice Smith>');
    const txt = await download(id, 'txt');
    expect(txt).toMatch(/^Alice Smith: /);
    expect(txt).toContain('Speaker 2: ');
    const json = JSON.parse(await download(id, 'json'));
    expect(json.segments[0]).toMatchObject({ speaker: '1', speakerName: 'Alice Smith' });

    const unknown = await t.gql(RENAME, { input: { jobId: id, speaker: '7', name: 'Nobody' } }, { token: owner.accessToken });
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    const tooLong = await t.gql(RENAME, { input: { jobId: id, speaker: '2', name: 'n'.repeat(81) } }, { token: owner.accessToken });
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');

    const cleared = await t.gql(RENAME, { input: { jobId: id, speaker: '1', name: ' ' } }, { token: owner.accessToken });
    expect(cleared.data!.renameSpeaker.speakers[0]).toEqual({ speaker: '1', name: null, displayName: 'Speaker 1' });
    expect(await download(id, 'srt')).toContain('Speaker 1: ');
  }, 180_000);
});

describe('the media beside the transcript, and deleting', () => {
  it('gives the owner a signed, seekable media link; deleteJob removes revisions and speaker names', async () => {
    const id = await completedJob();
    const { data } = await t.gql(`query ($id: ID!) { job(id: $id) { mediaUrl mediaType segments { index text } } }`, { id }, { token: owner.accessToken });
    expect(data!.job.mediaType).toBe('audio/wav');
    const mediaUrl = data!.job.mediaUrl as string;
    expect(mediaUrl).toMatch(new RegExp(`/jobs/${id}/media\\?expires=\\d+&signature=`));
    const media = new URL(mediaUrl, base);
    const ranged = await fetch(`${base}${media.pathname}${media.search}`, { headers: { range: 'bytes=0-11' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await ranged.arrayBuffer()).toString('latin1', 0, 4)).toBe('RIFF');
    // Without the signature: the job's visibility rules.
    expect((await fetch(`${base}${media.pathname}`, { headers: { authorization: `Bearer ${stranger.accessToken}` } })).status).toBe(404);
    expect((await fetch(`${base}${media.pathname}`, { headers: { authorization: `Bearer ${owner.accessToken}` } })).status).toBe(200);

    const segment = data!.job.segments[0];
    const edited = await t.gql(EDIT, { input: { jobId: id, segmentIndex: segment.index, text: 'corrected words', expectedRevision: 0 } }, { token: owner.accessToken });
    expect(edited.errors).toBeUndefined();
    expect(await t.deps.db.transcriptRevision.count({ where: { jobId: id } })).toBe(1);
    await t.deps.db.jobSpeaker.create({ data: { jobId: id, speaker: 'x', name: 'Someone' } });

    const deleted = await t.gql(`mutation ($id: ID!) { deleteJob(id: $id) }`, { id }, { token: owner.accessToken });
    expect(deleted.data!.deleteJob).toBe(true);
    expect(await t.deps.db.transcriptRevision.count({ where: { jobId: id } })).toBe(0);
    expect(await t.deps.db.jobSpeaker.count({ where: { jobId: id } })).toBe(0);
  }, 180_000);
});
