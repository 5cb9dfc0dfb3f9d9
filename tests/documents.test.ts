// Word and PDF documents of a transcript, read back the way a user's tools would: the DOCX unzipped
// (its word/document.xml), the PDF's text extracted with poppler-utils' pdftotext. The transcript
// rows are written directly (the pipeline that makes them is tested elsewhere); speakers are named
// through the API.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { renderPdf } from '../server/transcripts/documents/pdf.ts';
import { assertWebAppBuilt, CHROMIUM, haveChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const run = promisify(execFile);

let t: TestApp;
let base: string;
let dir: string;
let alice: Awaited<ReturnType<typeof registerUser>>;
let jobId: string;

const SEGMENTS = [
  { start: 0.5, end: 3.2, text: 'Good morning and welcome to the quarterly review.', speaker: 'Speaker 1' },
  { start: 3.6, end: 7.9, text: 'Thank you, it has been a strong quarter for the whole team.', speaker: 'Speaker 2' },
  { start: 65.25, end: 69, text: 'Привет, мир: это строка по-русски.', speaker: 'Speaker 2' },
  { start: 3725.5, end: 3729, text: 'Καλημέρα σε όλους, and goodbye.', speaker: 'Speaker 1' },
];

async function completedJob(ownerId: string, filename: string, segments: typeof SEGMENTS): Promise<string> {
  const id = newId('Job');
  await t.deps.db.job.create({
    data: {
      id,
      ownerId,
      provider: 'OPENAI',
      status: 'COMPLETED',
      filename,
      diarize: true,
      detectedLanguage: 'en',
      mediaDurationSeconds: 3730,
      text: segments.map((s) => s.text).join(' '),
      completedAt: new Date('2026-03-04T05:06:07Z'),
    },
  });
  await t.deps.db.transcriptSegment.createMany({
    data: segments.map((s, idx) => ({
      jobId: id,
      idx,
      chunkIndex: 0,
      startSeconds: s.start,
      endSeconds: s.end,
      text: s.text,
      speaker: s.speaker,
      words: [],
    })),
  });
  return id;
}

async function download(id: string, extension: string, token = alice.accessToken): Promise<Response> {
  return fetch(`${base}/jobs/${id}/transcript.${extension}`, { headers: { authorization: `Bearer ${token}` } });
}

async function saved(response: Response, name: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

async function docxText(file: string): Promise<string> {
  const { stdout } = await run('unzip', ['-p', file, 'word/document.xml'], { maxBuffer: 256 * 1024 * 1024 });
  // The paragraphs' text runs, one paragraph a line.
  return stdout
    .split('</w:p>')
    .map((paragraph) => [...paragraph.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''))
    .filter(Boolean)
    .join('\n')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

async function pdfText(file: string): Promise<string> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-'], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-documents-'));
  t = await createTestApp();
  base = await t.listen();
  alice = await registerUser(t);
  jobId = await completedJob(alice.id, 'Quarterly review.mp3', SEGMENTS);
  const renamed = await t.gql(
    `mutation ($input: RenameSpeakerInput!) { renameSpeaker(input: $input) { id } }`,
    { input: { jobId, speaker: 'Speaker 1', name: 'Alice Chen' } },
    { token: alice.accessToken },
  );
  expect(renamed.errors, renamed.raw).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expectTranscriptFacts(text: string) {
  expect(text).toContain('Quarterly review.mp3');
  expect(text).toMatch(/Date: 2026-03-04 05:06 UTC/);
  expect(text).toMatch(/Duration: 01:02:10/);
  expect(text).toMatch(/Language: English \(en\)/);
  // The renamed speaker by name, the other as "Speaker n"; in order of first appearance.
  expect(text).toMatch(/Speakers: Alice Chen, Speaker 2/);
  expect(text).toMatch(/\[00:00:00\] Alice Chen: Good morning and welcome to the quarterly review\./);
  expect(text).toMatch(/\[00:00:03\] Speaker 2: Thank you, it has been a strong quarter/);
  expect(text).toContain('[00:01:05] Speaker 2: Привет, мир: это строка по-русски.');
  expect(text).toContain('[01:02:05] Alice Chen: Καλημέρα σε όλους, and goodbye.');
  expect(text).not.toContain('Speaker 1');
}

describe('transcript documents', () => {
  it('downloads a Word document with title, facts, named speakers, timestamps and non-Latin text', async () => {
    const response = await download(jobId, 'docx');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Quarterly_review.docx"; filename*=UTF-8''Quarterly%20review.docx`,
    );
    const text = await docxText(await saved(response, 'review.docx'));
    expectTranscriptFacts(text);
    expect(text).not.toContain('Summary');
  });

  it('streams a PDF whose extracted text holds the same, in a Unicode font', async () => {
    const response = await download(jobId, 'pdf');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toContain('filename="Quarterly_review.pdf"');
    const file = await saved(response, 'review.pdf');
    expectTranscriptFacts(await pdfText(file));
    const { stdout: fonts } = await run('pdffonts', [file]);
    expect(fonts).toMatch(/DejaVuSans/);
  });

  it('answers the same documents base64-encoded through GraphQL, and a HEAD without a body', async () => {
    const result = await t.gql(
      `query ($id: ID!) { job(id: $id) { docx: transcript(format: DOCX) pdf: transcript(format: PDF) url: downloadUrl(format: PDF) } }`,
      { id: jobId },
      { token: alice.accessToken },
    );
    expect(result.errors, result.raw).toBeUndefined();
    const job = result.data!.job as { docx: string; pdf: string; url: string };
    const docx = path.join(dir, 'graphql.docx');
    await writeFile(docx, Buffer.from(job.docx, 'base64'));
    expectTranscriptFacts(await docxText(docx));
    const pdf = Buffer.from(job.pdf, 'base64');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdfFile = path.join(dir, 'graphql.pdf');
    await writeFile(pdfFile, pdf);
    expectTranscriptFacts(await pdfText(pdfFile));
    expect(job.url).toMatch(new RegExp(`/jobs/${jobId}/transcript\\.pdf$`));

    const head = await fetch(`${base}/jobs/${jobId}/transcript.pdf`, { method: 'HEAD', headers: { authorization: `Bearer ${alice.accessToken}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/pdf');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('shows a summary before the transcript when there is one', async () => {
    const summary = 'The team reviewed a strong quarter.\n\nЭто краткое содержание.';
    const segments = (async function* () {
      yield { start: 1, end: 2, speaker: null, text: 'Hello there.' };
    })();
    const stream = renderPdf(
      { title: 'With summary', date: new Date('2026-01-01T00:00:00Z'), durationSeconds: 2, language: null, speakers: [], summary, segments },
      { fontPath: t.deps.env.DOCUMENT_FONT },
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const file = path.join(dir, 'summary.pdf');
    await writeFile(file, Buffer.concat(chunks));
    const text = await pdfText(file);
    expect(text).toMatch(/Summary[\s\S]*The team reviewed a strong quarter\.[\s\S]*Это краткое содержание\.[\s\S]*Transcript[\s\S]*\[00:00:01\] Hello there\./);
    expect(text).toMatch(/Speakers: not labelled/);
  });

  it('falls back to Helvetica when the font is missing, saying so, with non-Latin-1 characters as "?"', async () => {
    const reasons: string[] = [];
    const stream = renderPdf(
      {
        title: 'Fallback',
        date: new Date('2026-01-01T00:00:00Z'),
        durationSeconds: null,
        language: 'ru',
        speakers: [],
        segments: [{ start: 0, end: 1, speaker: null, text: 'Café Привет' }],
      },
      { fontPath: path.join(dir, 'no-such-font.ttf'), fontFallback: (reason) => reasons.push(reason) },
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const file = path.join(dir, 'fallback.pdf');
    await writeFile(file, Buffer.concat(chunks));
    expect(reasons).toEqual([expect.stringContaining('no-such-font.ttf does not exist')]);
    expect(await pdfText(file)).toContain('[00:00:00] Café ??????');
  });

  it("refuses another user's job, an unfinished one, and no credentials", async () => {
    const bob = await registerUser(t);
    expect((await download(jobId, 'pdf', bob.accessToken)).status).toBe(404);
    expect((await fetch(`${base}/jobs/${jobId}/transcript.docx`)).status).toBe(401);
    const queued = newId('Job');
    await t.deps.db.job.create({ data: { id: queued, ownerId: alice.id, provider: 'LOCAL', filename: 'later.wav' } });
    expect((await download(queued, 'docx')).status).toBe(409);
    const result = await t.gql(`query ($id: ID!) { job(id: $id) { transcript(format: PDF) } }`, { id: queued }, { token: alice.accessToken });
    expect(result.data!.job).toEqual({ transcript: null });
  });

  it('streams a 10,000-segment transcript as a PDF and a DOCX, reading slowly, without holding it whole', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      start: i * 3,
      end: i * 3 + 2.5,
      text: `Segment number ${i} says something about the quarter, and the figures behind it ${'и'.repeat(i % 7)}.`,
      speaker: i % 3 === 0 ? 'Speaker 1' : 'Speaker 2',
    }));
    const longId = await completedJob(alice.id, 'long meeting.wav', many);
    const heapBefore = process.memoryUsage().heapUsed;
    const response = await download(longId, 'pdf');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBeNull(); // streamed as written
    // Read slowly at first: the server must wait for the reader rather than buffer the document.
    const reader = response.body!.getReader();
    const chunks: Uint8Array[] = [];
    let peakHeap = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      if (chunks.length % 20 === 0) {
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        if (chunks.length < 200) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const bytes = Buffer.concat(chunks);
    // The server and this reader share a process: its heap grows far less than a buffered document set would.
    expect(peakHeap - heapBefore).toBeLessThan(bytes.length * 4 + 150 * 1024 * 1024);
    const file = path.join(dir, 'long.pdf');
    await writeFile(file, bytes);
    const text = await pdfText(file);
    expect(text).toContain('[00:00:00] Speaker 1: Segment number 0 says something');
    expect(text).toMatch(/\[08:19:57\] Speaker 1: Segment number 9999 says something/);

    const docx = await download(longId, 'docx');
    expect(docx.status).toBe(200);
    const docxFile = await saved(docx, 'long.docx');
    const docxBody = await docxText(docxFile);
    expect(docxBody).toContain('[08:19:57] Speaker 1: Segment number 9999 says something');
    expect(docxBody.split('\n').filter((line) => line.startsWith('[')).length).toBe(10_000);
  }, 300_000);
});

describe.skipIf(!haveChromium)(`the job page's Word and PDF buttons (Chromium at ${CHROMIUM})`, () => {
  const web = webAppBrowser();

  beforeAll(async () => {
    assertWebAppBuilt();
    await web.launch();
  }, 120_000);

  afterAll(async () => {
    await web.close();
  });

  it('downloads the DOCX and the PDF next to the other formats', async () => {
    const page = await web.open();
    try {
      await signIn(page, base, { login: alice.username, password: alice.password });
      await page.goto(`${base}/admin/myJobs/${encodeURIComponent(jobId)}/show`);
      for (const format of ['TXT', 'SRT', 'VTT', 'JSON', 'DOCX', 'PDF']) {
        await page.getByRole('button', { name: `Download ${format}` }).waitFor({ timeout: UI_TIMEOUT_MS });
      }
      const [docx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download DOCX' }).click()]);
      expect(docx.suggestedFilename()).toBe('Quarterly_review.docx');
      expectTranscriptFacts(await docxText((await docx.path())!));
      const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
      expect(pdf.suggestedFilename()).toBe('Quarterly_review.pdf');
      expectTranscriptFacts(await pdfText((await pdf.path())!));
    } finally {
      await web.finish();
    }
  }, 180_000);
});
