// Redaction through the API with real speech: flite says a phone number and a card number, the LOCAL
// engine (PocketSphinx) transcribes them, and every path that reads the transcript — Job fields,
// transcript formats, downloads, revisions, webhooks, the playback audio of jobs and live sessions,
// dataset exports — gives each reader what the rule (services/access/redaction.ts) allows. Deepgram's own `redact`
// reaches its fake.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { topics } from '../server/pubsub/pubsub.ts';
import { parseWav } from '../server/providers/local/wav.ts';
import { redactedRanges } from '../server/services/redaction.ts';
import { startFakeDeepgram, wordsFromText, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { collect, connectWs } from './helpers/graphqlWs.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, makeTempDir, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const run = promisify(execFile);
type User = Awaited<ReturnType<typeof registerUser>>;

const SENTENCES = [
  'hello this is a short test message',
  'please call me at five five five one two one two',
  'my card number is four one one one one one one one one one one one one one one one',
  'thank you very much goodbye',
];
/** Any piece of the phone or card number, as words or digits (timestamps of SRT/VTT/JSON are other digits). */
const DIGIT_WORDS = /five|\b(one|two|four|to|for)\s+(one|two)\b|555|1212|4111|1111|867|5309/i;
const DEEPGRAM_KEY = 'dg-redaction-test-key';

const JOB = `id status text transcriptRedacted redact redactedRanges { start end } mediaUrl mediaType
  segments { index start end text words { word start end } }`;
const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

let t: TestApp;
let base: string;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let speech: SpeechFixture;
let deepgram: FakeDeepgramServer;
let receiver: http.Server;
let receiverBase: string;
const webhookBodies: string[] = [];
let owner: User;
let member: User;
let projectId: string;

beforeAll(async () => {
  temp = await makeTempDir('parlance-redaction-test-');
  speech = await makeSpeechFixture(SENTENCES, path.join(temp.dir, 'speech.wav'), { voice: 'rms' });
  deepgram = await startFakeDeepgram({ apiKey: DEEPGRAM_KEY });
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      webhookBodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await createTestApp(
    {
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      DEEPGRAM_BASE_URL: deepgram.baseUrl,
      DEEPGRAM_API_KEY: DEEPGRAM_KEY,
      // A live session's audio goes as fast as the server acknowledges it: the pace rules must not refuse it.
      LIVE_MAX_SPEED: '100000',
      LIVE_BURST_SECONDS: '100000',
      LIVE_AUDIO_CHUNKS_PER_SECOND: '10000',
    },
    { runner: true },
  );
  base = await t.listen();
  [owner, member] = [await registerUser(t), await registerUser(t)];
  const created = await t.gql(`mutation { createProject(input: { name: "calls" }) { id } }`, {}, { token: owner.accessToken });
  projectId = created.data!.createProject.id;
  await t.deps.db.projectMember.create({ data: { projectId, userId: member.id, role: 'CONTRIBUTOR' } });
  const hook = await t.gql(
    `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`,
    { input: { url: `${receiverBase}/hook`, events: ['job.completed'], projectId } },
    { token: owner.accessToken },
  );
  expect(hook.errors, hook.raw).toBeUndefined();
}, 180_000);

afterAll(async () => {
  await t?.close();
  await deepgram?.close();
  receiver?.close();
  await temp?.cleanup();
});

async function submit(user: User, input: Record<string, unknown>): Promise<string> {
  const result = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL', projectId, ...input });
  expect(result.errors, result.raw).toBeUndefined();
  const id = result.data!.createTranscriptionJob.id as string;
  const job = await waitForJob(t, user.accessToken, id, undefined, 300_000);
  expect(job.status, job.error).toBe('COMPLETED');
  return id;
}

async function readJob(id: string, user: User, fields = JOB) {
  const result = await t.gql(`query ($id: ID!) { job(id: $id) { ${fields} } }`, { id }, { token: user.accessToken });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.job as Record<string, any>;
}

async function transcript(id: string, user: User, format: string, redacted?: boolean): Promise<string> {
  const result = await t.gql(
    `query ($id: ID!, $format: TranscriptFormat!, $redacted: Boolean) { job(id: $id) { transcript(format: $format, redacted: $redacted) } }`,
    { id, format, redacted },
    { token: user.accessToken },
  );
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.job.transcript as string;
}

async function download(id: string, user: User, extension: string, query = ''): Promise<Response> {
  return fetch(`${base}/jobs/${id}/transcript.${extension}${query}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
}

/** Peak level (dB) of a media file between two times, decoded by ffmpeg. */
async function peakDb(file: string, start: number, end: number): Promise<number> {
  // atrim cuts on decoded samples: exact, where seeking an Ogg file lands near, not at, a time.
  const filter = `atrim=start=${start}:end=${end},volumedetect`;
  const { stderr } = await run('ffmpeg', ['-nostdin', '-hide_banner', '-i', file, '-af', filter, '-f', 'null', '-']);
  const match = /max_volume: (-?[\d.]+|-inf) dB/.exec(stderr);
  if (!match) throw new Error(`no volumedetect output: ${stderr.slice(-500)}`);
  return match[1] === '-inf' ? -Infinity : Number(match[1]);
}

async function fetchMedia(url: string, name: string, headers: Record<string, string> = {}): Promise<{ file: string; type: string | null }> {
  // Links are on PUBLIC_URL; the test server listens on its own port.
  const link = new URL(url, base);
  const response = await fetch(`${base}${link.pathname}${link.search}`, { headers });
  expect(response.status).toBe(200);
  const file = path.join(temp.dir, name);
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  return { file, type: response.headers.get('content-type') };
}

/** The stored bytes of `key`. */
async function storedBytes(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await t.deps.storage.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Samples, rate and sample format of an audio file's first stream, by ffprobe. */
async function probeAudio(file: string): Promise<{ sample_rate: string; sample_fmt: string; duration_ts: number; codec_name: string }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,sample_fmt,duration_ts', '-of', 'json', file]);
  return JSON.parse(stdout).streams[0];
}

/** Exports the project as its OWNER and unpacks the archive: the directory and the manifest's lines. */
async function exportProject(id: string, name: string): Promise<{ dir: string; manifest: Array<Record<string, any>>; archive: Buffer }> {
  const started = await t.gql(`mutation ($id: ID!) { exportDataset(projectId: $id) { id } }`, { id }, { token: owner.accessToken });
  expect(started.errors, started.raw).toBeUndefined();
  const exportId = started.data!.exportDataset.id as string;
  const done = await waitFor(
    'the dataset export',
    async () => {
      const row = await t.deps.db.datasetExport.findUnique({ where: { id: exportId } });
      return row && (row.status === 'COMPLETED' || row.status === 'FAILED') ? row : null;
    },
    120_000,
  );
  expect(done.status, done.error ?? '').toBe('COMPLETED');
  const archive = await storedBytes(done.archiveKey!);
  const archivePath = path.join(temp.dir, `${name}.tar`);
  await writeFile(archivePath, archive);
  const dir = path.join(temp.dir, name);
  await mkdir(dir, { recursive: true });
  await run('tar', ['-xf', archivePath, '-C', dir]);
  const manifest = (await readFile(path.join(dir, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  return { dir, manifest, archive };
}

function expectRedacted(text: string): void {
  expect(text).toContain('[PHONE]');
  expect(text).toContain('[CARD_NUMBER]');
  expect(text).not.toMatch(DIGIT_WORDS);
}

describe('a job with redact: [PHONE, CARD_NUMBER] in a project without a mandatory policy', () => {
  let id: string;
  beforeAll(async () => {
    id = await submit(owner, { redact: ['CARD_NUMBER', 'PHONE', 'PHONE'] });
  }, 320_000);

  it('keeps the original for its owner and redacts on request', async () => {
    const job = await readJob(id, owner);
    expect(job.redact).toEqual(['PHONE', 'CARD_NUMBER']);
    expect(job.transcriptRedacted).toBe(false);
    expect(job.text).toMatch(/five five five/);
    expectRedacted(await transcript(id, owner, 'TXT', true));
    const segments = await t.gql(`query ($id: ID!) { job(id: $id) { segments(redacted: true) { text words { word } } } }`, { id }, { token: owner.accessToken });
    const words = segments.data!.job.segments.flatMap((s: any) => s.words.map((w: any) => w.word)).join(' ');
    expectRedacted(words);
    for (const extension of ['txt', 'srt', 'vtt', 'json']) {
      const response = await download(id, owner, extension, '?redacted=1');
      expect(response.status).toBe(200);
      expectRedacted(await response.text());
    }
    expect((await (await download(id, owner, 'txt')).text())).toMatch(/five five five/);
    expect((await download(id, owner, 'txt', '?redacted=yes')).status).toBe(400);
  });

  it('redacts everything another member of the project reads', async () => {
    const job = await readJob(id, member);
    expect(job.transcriptRedacted).toBe(true);
    expectRedacted(job.text);
    expectRedacted(job.segments.map((s: any) => s.text).join(' '));
    expectRedacted(job.segments.flatMap((s: any) => s.words.map((w: any) => w.word)).join(' '));
    for (const format of ['TXT', 'SRT', 'VTT', 'JSON']) expectRedacted(await transcript(id, member, format));
    for (const extension of ['txt', 'json']) expectRedacted(await (await download(id, member, extension)).text());
  });

  it("delivers transcriptChunks redacted to the member and original to the owner", async () => {
    const { segments } = await readJob(id, owner);
    const phone = segments.find((s: any) => /five five five/.test(s.text));
    const SUBSCRIPTION = `subscription ($id: ID!) { transcriptChunks(jobId: $id) { segment { index text } } }`;
    const clients = [connectWs(base, member.accessToken), connectWs(base, owner.accessToken)];
    try {
      const [asMember, asOwner] = clients.map((client) => collect<{ data: { transcriptChunks: { segment: { index: number; text: string } } } }>(client, SUBSCRIPTION, { id }));
      // The job is done: the worker's chunk event is sent again until both subscriptions have one.
      await waitFor('both subscribers to get the chunk', async () => {
        await t.deps.publisher.publish(topics.jobChunks(id), { jobId: id, index: phone.index, isFinal: true });
        return asMember.events.length > 0 && asOwner.events.length > 0;
      });
      expect(asMember.events[0].data.transcriptChunks.segment.text).toContain('[PHONE]');
      expect(asMember.events[0].data.transcriptChunks.segment.text).not.toMatch(DIGIT_WORDS);
      expect(asOwner.events[0].data.transcriptChunks.segment.text).toMatch(/five five five/);
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
    }
  });

  it('does not let a search or a rerun reveal the original to another member', async () => {
    const search = await t.gql(
      `query ($projectId: ID!) { jobs(projectId: $projectId, search: "five five five") { totalCount } }`,
      { projectId },
      { token: member.accessToken },
    );
    expect(search.errors, search.raw).toBeUndefined();
    expect(search.data!.jobs.totalCount).toBe(0);
    const rerun = await t.gql(`mutation ($id: ID!) { rerunJob(id: $id) { id redact } }`, { id }, { token: member.accessToken });
    expect(rerun.errors, rerun.raw).toBeUndefined();
    expect(rerun.data!.rerunJob.redact).toEqual(['PHONE', 'CARD_NUMBER']);
    // The rerun is the member's own job: they may cancel it (and need not wait for it).
    await t.gql(`mutation ($id: ID!) { cancelJob(id: $id) { id } }`, { id: rerun.data!.rerunJob.id }, { token: member.accessToken });
  });

  it('times the redacted ranges by the words: one within each spoken number', async () => {
    const { redactedRanges } = await readJob(id, owner);
    expect(redactedRanges).toHaveLength(2);
    const [phone, card] = [speech.sentences[1], speech.sentences[2]];
    expect(redactedRanges[0].start).toBeGreaterThan(phone.start + 0.5);
    expect(redactedRanges[0].end).toBeLessThanOrEqual(phone.end + 0.3);
    expect(redactedRanges[1].start).toBeGreaterThan(card.start + 0.5);
    expect(redactedRanges[1].end).toBeLessThanOrEqual(card.end + 0.3);
  });

  it('sends webhooks the redacted text only', async () => {
    const body = await waitFor('the job.completed webhook', async () => webhookBodies.find((b) => b.includes(id)), 60_000);
    const payload = JSON.parse(body);
    expect(payload.type).toBe('job.completed');
    expectRedacted(payload.data.job.redactedText);
    expect(body).not.toMatch(/five five five|four one one one/);
  });

  it('silences the playback audio over the redacted ranges for those who read it redacted, and only there', async () => {
    const { redactedRanges } = await readJob(id, owner);
    const ownerJob = await readJob(id, owner);
    const original = await fetchMedia(ownerJob.mediaUrl, 'original.wav');
    expect(original.type).toBe('audio/wav');
    const memberJob = await readJob(id, member);
    expect(memberJob.mediaType).toBe('audio/ogg');
    expect(memberJob.mediaUrl).toContain('/media/redacted');
    const redacted = await fetchMedia(memberJob.mediaUrl, 'redacted.ogg');
    expect(redacted.type).toBe('audio/ogg');
    // Asking for /media with the member's own credentials gives the redacted audio too.
    const direct = await fetchMedia(`${base}/jobs/${id}/media`, 'direct.ogg', { authorization: `Bearer ${member.accessToken}` });
    expect(direct.type).toBe('audio/ogg');
    for (const range of redactedRanges) {
      // Opus smears the edges over a few tens of milliseconds: measure 100 ms inside.
      const [a, b] = [range.start + 0.1, range.end - 0.1];
      expect(await peakDb(original.file, a, b)).toBeGreaterThan(-30);
      expect(await peakDb(redacted.file, a, b)).toBeLessThan(-60);
      expect(await peakDb(direct.file, a, b)).toBeLessThan(-60);
    }
    const hello = speech.sentences[0];
    expect(await peakDb(redacted.file, hello.start, hello.end)).toBeGreaterThan(-30);
    const goodbye = speech.sentences[3];
    expect(await peakDb(redacted.file, goodbye.start, goodbye.end)).toBeGreaterThan(-30);
  });
});

describe('a mandatory project policy', () => {
  it('is set by OWNERs only, and needs a kind', async () => {
    const SET = `mutation ($projectId: ID!, $redact: [RedactionKind!]!, $mandatory: Boolean!) {
      setProjectRedactionPolicy(projectId: $projectId, redact: $redact, mandatory: $mandatory) { redact redactionMandatory } }`;
    expect(codeOf(await t.gql(SET, { projectId, redact: [], mandatory: true }, { token: owner.accessToken }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql(SET, { projectId, redact: ['PHONE'], mandatory: true }, { token: member.accessToken }))).toBe('FORBIDDEN');
    const unchanged = await t.deps.db.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(unchanged).toMatchObject({ redact: [], redactionMandatory: false });
    const set = await t.gql(SET, { projectId, redact: ['PHONE', 'CARD_NUMBER'], mandatory: true }, { token: owner.accessToken });
    expect(set.errors, set.raw).toBeUndefined();
    expect(set.data!.setProjectRedactionPolicy).toEqual({ redact: ['PHONE', 'CARD_NUMBER'], redactionMandatory: true });
  });

  it('gives a member only redacted text by every path, even of their own job; the OWNER reads the original', async () => {
    const id = await submit(member, {});
    const job = await readJob(id, member, `${JOB} revision translatedText`);
    expect(job.transcriptRedacted).toBe(true);
    expectRedacted(job.text);
    expectRedacted(job.segments.map((s: any) => s.text).join(' '));
    for (const format of ['TXT', 'SRT', 'VTT', 'JSON']) {
      expectRedacted(await transcript(id, member, format));
      expectRedacted(await transcript(id, member, format, false));
    }
    for (const extension of ['txt', 'srt', 'vtt', 'json']) {
      for (const query of ['', '?redacted=0']) expectRedacted(await (await download(id, member, extension, query)).text());
    }
    // Documents, as a user's tools read them: the DOCX unzipped, the PDF through pdftotext.
    const docx = path.join(temp.dir, 'member.docx');
    await writeFile(docx, Buffer.from(await transcript(id, member, 'DOCX'), 'base64'));
    expectRedacted((await run('unzip', ['-p', docx, 'word/document.xml'])).stdout);
    const pdf = path.join(temp.dir, 'member.pdf');
    await writeFile(pdf, Buffer.from(await (await download(id, member, 'pdf')).arrayBuffer()));
    expectRedacted((await run('pdftotext', [pdf, '-'])).stdout);
    expect(job.mediaUrl).toContain('/media/redacted');
    expect((await fetchMedia(`${base}/jobs/${id}/media`, 'member.ogg', { authorization: `Bearer ${member.accessToken}` })).type).toBe('audio/ogg');

    const original = await readJob(id, owner);
    expect(original.transcriptRedacted).toBe(false);
    expect(original.text).toMatch(/five five five/);

    // A correction runs the rules again: a number typed in is redacted too, and so are the revisions.
    const phone = job.segments.find((s: any) => s.text.includes('[PHONE]'));
    const edited = await t.gql(
      `mutation ($input: EditTranscriptSegmentInput!) { editTranscriptSegment(input: $input) { revision } }`,
      { input: { jobId: id, segmentIndex: phone.index, text: 'please call me at 555 867 5309', expectedRevision: job.revision } },
      { token: member.accessToken },
    );
    expect(edited.errors, edited.raw).toBeUndefined();
    const stored = await t.deps.db.transcriptSegment.findUniqueOrThrow({ where: { jobId_idx: { jobId: id, idx: phone.index } } });
    expect(stored.redaction).toMatchObject({ kinds: ['PHONE', 'CARD_NUMBER'], text: 'please call me at [PHONE]' });
    const after = await readJob(id, member, 'text revisions { before after }');
    expect(after.text).toContain('please call me at [PHONE]');
    expect(after.text).not.toContain('867');
    expect(after.revisions[0].after).toBe('please call me at [PHONE]');
    expect(after.revisions[0].before).not.toMatch(DIGIT_WORDS);
    expect((await readJob(id, owner, 'text')).text).toContain('555 867 5309');
  }, 320_000);
});

describe('live sessions, recordings and dataset exports under the mandatory policy', () => {
  /** The member's recording made through a real LOCAL live session, with the ranges its words give. */
  let recorded: { sessionId: string; recordingId: string; mainKey: string; ranges: Array<{ start: number; end: number }>; phoneRange: { start: number; end: number } } | undefined;

  it("redact the member's segments, subtitles and recording text, and the export's manifest", async () => {
    await t.deps.db.project.update({ where: { id: projectId }, data: { redact: ['PHONE', 'CARD_NUMBER'], redactionMandatory: true } });
    const text = 'call me at five five five one two one two';
    const words = text.split(' ').map((word, i) => ({ word, start: 0.5 + i * 0.4, end: 0.8 + i * 0.4 }));
    const sessionId = newId('LiveSession');
    const flac = path.join(temp.dir, 'session.flac');
    await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', speech.wavPath, '-c:a', 'flac', flac]);
    const mainKey = `sessions/${sessionId}/main.flac`;
    await t.deps.storage.put(mainKey, await readFile(flac));
    await t.deps.db.liveSession.create({
      data: { id: sessionId, ownerId: member.id, projectId, provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, status: 'READY', mainKey, durationSeconds: 4 },
    });
    await t.deps.db.liveSegment.create({ data: { sessionId, idx: 0, startSeconds: 0.5, endSeconds: 4, text, words } });
    const recording = await t.deps.db.recording.create({
      data: {
        id: newId('Recording'),
        sessionId,
        projectId,
        speakerId: member.id,
        durationSeconds: 4,
        recognisedText: text,
        checks: {},
        suspicion: 0,
        reviewStatus: 'APPROVED',
      },
    });

    const read = await t.gql(
      `query ($id: ID!, $rec: ID!) { liveSession(id: $id) { segments { text words { word } } }
        node(id: $rec) { ... on Recording { recognisedText vtt } } }`,
      { id: sessionId, rec: recording.id },
      { token: member.accessToken },
    );
    expect(read.errors, read.raw).toBeUndefined();
    expect(read.data!.liveSession.segments[0].text).toBe('call me at [PHONE]');
    expect(read.data!.node.recognisedText).toBe('call me at [PHONE]');
    expect(read.data!.node.vtt).not.toMatch(DIGIT_WORDS);
    const vtt = await fetch(`${base}/sessions/${sessionId}/subtitles.vtt`, { headers: { authorization: `Bearer ${member.accessToken}` } });
    expect(vtt.status).toBe(200);
    const subtitles = await vtt.text();
    expect(subtitles).toContain('[PHONE]');
    expect(subtitles).not.toMatch(DIGIT_WORDS);
    const ownerRead = await t.gql(`query ($id: ID!) { liveSession(id: $id) { segments { text } } }`, { id: sessionId }, { token: owner.accessToken });
    expect(ownerRead.data!.liveSession.segments[0].text).toBe(text);

    const tar = (await exportProject(projectId, 'policy-text')).archive.toString('latin1');
    expect(tar).toContain('"recognisedText":"call me at [PHONE]"');
    expect(tar).not.toContain(text);
  }, 180_000);

  it("silence the member's session and recording audio over the redacted ranges; the OWNER gets the original bytes", async () => {
    const SESSION = `query ($id: ID!) { liveSession(id: $id) { status segments { text }
      source: audioUrl(kind: SOURCE) main: audioUrl(kind: MAIN) light: audioUrl(kind: LIGHT) } }`;
    const RECORDING = `query ($id: ID!) { node(id: $id) { ... on Recording { sourceAudioUrl mainAudioUrl lightAudioUrl } } }`;
    // The member records the speech into the project through a real LOCAL live session.
    const started = await t.gql(
      `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id } }`,
      { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, projectId } },
      { token: member.accessToken },
    );
    expect(started.errors, started.raw).toBeUndefined();
    const sessionId = started.data!.startLiveSession.id as string;
    const pcm = parseWav(await readFile(speech.wavPath)).data;
    for (let seq = 0, offset = 0; offset < pcm.length; seq += 1, offset += 16_000) {
      const chunk = pcm.subarray(offset, offset + 16_000).toString('base64');
      const appended = await t.gql(
        `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`,
        { id: sessionId, seq, chunk },
        { token: member.accessToken },
      );
      expect(appended.data?.appendLiveAudio, appended.raw).toBe(true);
    }
    const ended = await t.gql(`mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id: sessionId }, { token: member.accessToken });
    expect(ended.errors, ended.raw).toBeUndefined();
    const session = await waitFor(
      'the session to be aggregated',
      async () => {
        const row = await t.deps.db.liveSession.findUnique({ where: { id: sessionId } });
        return row && (row.status === 'READY' || row.status === 'FAILED') ? row : null;
      },
      120_000,
    );
    expect(session.status, session.error ?? '').toBe('READY');
    const recording = await t.deps.db.recording.findFirstOrThrow({ where: { sessionId } });

    // The ranges the server silences, from the stored words: one inside the spoken phone number.
    const rows = await t.deps.db.liveSegment.findMany({ where: { sessionId }, orderBy: { idx: 'asc' } });
    const ranges = redactedRanges(rows, ['PHONE', 'CARD_NUMBER']);
    const phone = speech.sentences[1];
    const phoneRange = ranges.find((range) => range.start > phone.start && range.end <= phone.end + 0.3);
    expect(phoneRange, JSON.stringify({ ranges, texts: rows.map((row) => row.text) })).toBeDefined();

    const memberSession = (await t.gql(SESSION, { id: sessionId }, { token: member.accessToken })).data!.liveSession;
    expect(memberSession.segments.map((s: any) => s.text).join(' ')).toContain('[PHONE]');
    const memberRecording = (await t.gql(RECORDING, { id: recording.id }, { token: member.accessToken })).data!.node;
    const memberLinks = [memberSession.source, memberSession.main, memberSession.light, memberRecording.sourceAudioUrl, memberRecording.mainAudioUrl, memberRecording.lightAudioUrl];
    for (const [i, kind] of ['source', 'main', 'light', 'source', 'main', 'light'].entries()) {
      expect(new URL(memberLinks[i]).pathname).toBe(`/sessions/${sessionId}/audio/${kind}/redacted`);
    }
    const redacted = await fetchMedia(memberSession.light, 'session-redacted.ogg');
    expect(redacted.type).toBe('audio/ogg');
    const redactedBytes = await readFile(redacted.file);
    // Every link the member is given, and the plain paths with their own credentials, serve that silenced audio.
    for (const [i, link] of memberLinks.entries()) expect((await readFile((await fetchMedia(link, `member-link-${i}.ogg`)).file)).equals(redactedBytes)).toBe(true);
    for (const kind of ['source', 'main', 'light']) {
      const direct = await fetchMedia(`${base}/sessions/${sessionId}/audio/${kind}`, `member-${kind}.ogg`, { authorization: `Bearer ${member.accessToken}` });
      expect(direct.type).toBe('audio/ogg');
      expect((await readFile(direct.file)).equals(redactedBytes)).toBe(true);
    }
    // A signed link stays bound to its path: without "/redacted" it is refused.
    const stripped = new URL(memberSession.main);
    const tampered = await fetch(`${base}${stripped.pathname.replace(/\/redacted$/, '')}${stripped.search}`);
    expect(tampered.status).toBe(403);

    // The OWNER's links are to the files as recorded, byte for byte.
    const ownerSession = (await t.gql(SESSION, { id: sessionId }, { token: owner.accessToken })).data!.liveSession;
    const ownerRecording = (await t.gql(RECORDING, { id: recording.id }, { token: owner.accessToken })).data!.node;
    const stored = { source: session.sourceKey!, main: session.mainKey!, light: session.lightKey! };
    for (const [kind, links] of [
      ['source', [ownerSession.source, ownerRecording.sourceAudioUrl]],
      ['main', [ownerSession.main, ownerRecording.mainAudioUrl]],
      ['light', [ownerSession.light, ownerRecording.lightAudioUrl]],
    ] as const) {
      const chunks: Buffer[] = [];
      for await (const chunk of await t.deps.storage.get(stored[kind])) chunks.push(chunk as Buffer);
      const original = Buffer.concat(chunks);
      expect(original.equals(redactedBytes)).toBe(false);
      for (const [i, link] of links.entries()) {
        expect(new URL(link).pathname).toBe(`/sessions/${sessionId}/audio/${kind}`);
        expect((await readFile((await fetchMedia(link, `owner-${kind}-${i}`)).file)).equals(original)).toBe(true);
      }
    }

    // Measured: silent inside the phone number for the member, speech there in the original, speech elsewhere.
    const original = await fetchMedia(ownerSession.main, 'session-original.flac');
    const inside = await Promise.all(ranges.map((range) => peakDb(redacted.file, range.start + 0.1, range.end - 0.1)));
    for (const level of inside) expect(level).toBeLessThan(-60);
    const spoken = await peakDb(original.file, phoneRange!.start + 0.1, phoneRange!.end - 0.1);
    expect(spoken).toBeGreaterThan(-30);
    const [hello, goodbye] = [speech.sentences[0], speech.sentences[3]];
    const outside = [await peakDb(redacted.file, hello.start, hello.end), await peakDb(redacted.file, goodbye.start, goodbye.end)];
    for (const level of outside) expect(level).toBeGreaterThan(-30);
    console.log(`session audio peaks (dB): redacted ranges ${inside.join(', ')} (original ${spoken}); elsewhere ${outside.join(', ')}`);
    // Made once, kept beside the session's files.
    expect(await t.deps.storage.exists(`sessions/${sessionId}/redacted.ogg`)).toBe(true);
    recorded = { sessionId, recordingId: recording.id, mainKey: session.mainKey!, ranges, phoneRange: phoneRange! };
  }, 240_000);

  it('answers UNAVAILABLE when the silenced audio cannot be made, leaving nothing behind', async () => {
    const sessionId = newId('LiveSession');
    const mainKey = `sessions/${sessionId}/main.flac`;
    // A FLAC signature over bytes that are no audio: ffmpeg cannot decode it.
    await t.deps.storage.put(mainKey, Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(4096, 7)]));
    await t.deps.db.liveSession.create({
      data: { id: sessionId, ownerId: member.id, projectId, provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, status: 'READY', mainKey, durationSeconds: 4 },
    });
    await t.deps.db.liveSegment.create({
      data: { sessionId, idx: 0, startSeconds: 0.5, endSeconds: 4, text: 'call me at five five five one two one two', words: [] },
    });
    const scratch = path.join(os.tmpdir(), 'parlance-redacted');
    const before = new Set(await readdir(scratch).catch(() => []));
    const response = await fetch(`${base}/sessions/${sessionId}/audio/main`, { headers: { authorization: `Bearer ${member.accessToken}` } });
    expect(response.status).toBe(503);
    expect((await response.json()).errors[0]).toMatchObject({ message: 'The redacted audio could not be made.', extensions: { code: 'UNAVAILABLE' } });
    expect((await readdir(scratch).catch(() => [])).filter((entry) => !before.has(entry))).toEqual([]);
    expect(await t.deps.storage.exists(`sessions/${sessionId}/redacted.ogg`)).toBe(false);
    expect(await t.deps.storage.exists(`sessions/${sessionId}/redacted.ranges`)).toBe(false);
  });

  it("export the recording's audio as FLAC silenced over the redacted ranges, and the stored bytes once no policy is in force", async () => {
    expect(recorded, 'the live session test recorded the speech').toBeDefined();
    const { sessionId, recordingId, mainKey, ranges, phoneRange } = recorded!;
    const reviewed = await t.gql(`mutation ($id: ID!) { reviewRecording(id: $id, status: APPROVED) { reviewStatus } }`, { id: recordingId }, { token: owner.accessToken });
    expect(reviewed.errors, reviewed.raw).toBeUndefined();
    const stored = path.join(temp.dir, 'export-stored.flac');
    await writeFile(stored, await storedBytes(mainKey));

    const redacted = await exportProject(projectId, 'export-redacted');
    const entry = redacted.manifest.find((line) => line.recordingId === recordingId)!;
    expect(entry.recognisedText).toContain('[PHONE]');
    const exported = path.join(redacted.dir, entry.file);
    expect((await readFile(exported)).equals(await readFile(stored))).toBe(false);
    // Still FLAC at the recorded rate, sample for sample as long: the manifest describes the file written.
    const [exportedProbe, storedProbe] = [await probeAudio(exported), await probeAudio(stored)];
    expect(exportedProbe).toEqual({ ...storedProbe, codec_name: 'flac' });
    expect(Number(exportedProbe.sample_rate)).toBe(entry.sampleRate);
    const inside = await Promise.all(ranges.map((range) => peakDb(exported, range.start, range.end)));
    for (const level of inside) expect(level).toBeLessThan(-60);
    const spoken = await peakDb(stored, phoneRange.start, phoneRange.end);
    expect(spoken).toBeGreaterThan(-30);
    const [hello, goodbye] = [speech.sentences[0], speech.sentences[3]];
    const outside = [await peakDb(exported, hello.start, hello.end), await peakDb(exported, goodbye.start, goodbye.end)];
    for (const level of outside) expect(level).toBeGreaterThan(-30);
    console.log(`exported audio peaks (dB): redacted ranges ${inside.join(', ')} (stored ${spoken}); elsewhere ${outside.join(', ')}`);
    // Lossless: outside the ranges (widened by 0.1 s and a 5 ms frame) every sample is the stored one.
    const pcm = async (file: string) => (await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 's16le', '-'], { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;
    const [exportedPcm, storedPcm] = [await pcm(exported), await pcm(stored)];
    const rate = Number(storedProbe.sample_rate);
    const edges = [0, ...ranges.flatMap((range) => [range.start - 0.105, range.end + 0.105]), storedPcm.length / 2 / rate];
    for (let i = 0; i < edges.length; i += 2) {
      const [from, to] = [Math.ceil(edges[i] * rate) * 2, Math.floor(edges[i + 1] * rate) * 2];
      expect(exportedPcm.subarray(from, to).equals(storedPcm.subarray(from, to)), `samples ${edges[i]}..${edges[i + 1]} s`).toBe(true);
    }
    expect(await t.deps.storage.exists(`sessions/${sessionId}/redacted.flac`)).toBe(true);

    const cleared = await t.gql(
      `mutation ($id: ID!) { setProjectRedactionPolicy(projectId: $id, redact: [], mandatory: false) { redact } }`,
      { id: projectId },
      { token: owner.accessToken },
    );
    expect(cleared.errors, cleared.raw).toBeUndefined();
    const plain = await exportProject(projectId, 'export-plain');
    const plainEntry = plain.manifest.find((line) => line.recordingId === recordingId)!;
    expect(plainEntry.recognisedText).toMatch(/five five five/);
    expect((await readFile(path.join(plain.dir, plainEntry.file))).equals(await readFile(stored))).toBe(true);
  }, 240_000);

  it('fail an export whose audio cannot be silenced, with the reason, leaving no archive, silenced file or temporary file', async () => {
    const created = await t.gql(`mutation { createProject(input: { name: "broken audio" }) { id } }`, {}, { token: owner.accessToken });
    const brokenProject = created.data!.createProject.id as string;
    await t.deps.db.project.update({ where: { id: brokenProject }, data: { redact: ['PHONE'] } });
    const sessionId = newId('LiveSession');
    const mainKey = `sessions/${sessionId}/main.flac`;
    // A FLAC signature over bytes that are no audio: ffmpeg cannot decode it.
    await t.deps.storage.put(mainKey, Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(4096, 7)]));
    await t.deps.db.liveSession.create({
      data: { id: sessionId, ownerId: owner.id, projectId: brokenProject, provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, status: 'READY', mainKey, durationSeconds: 4 },
    });
    const text = 'call me at five five five one two one two';
    const words = text.split(' ').map((word, i) => ({ word, start: 0.5 + i * 0.4, end: 0.8 + i * 0.4 }));
    await t.deps.db.liveSegment.create({ data: { sessionId, idx: 0, startSeconds: 0.5, endSeconds: 4, text, words } });
    const recordingId = newId('Recording');
    await t.deps.db.recording.create({
      data: { id: recordingId, sessionId, projectId: brokenProject, speakerId: owner.id, durationSeconds: 4, recognisedText: text, checks: {}, suspicion: 0, reviewStatus: 'APPROVED' },
    });
    const scratch = path.join(os.tmpdir(), 'parlance-redacted');
    const before = new Set(await readdir(scratch).catch(() => []));
    const started = await t.gql(`mutation ($id: ID!) { exportDataset(projectId: $id) { id } }`, { id: brokenProject }, { token: owner.accessToken });
    expect(started.errors, started.raw).toBeUndefined();
    const exportId = started.data!.exportDataset.id as string;
    const failed = await waitFor(
      'the export to fail',
      async () => {
        const row = await t.deps.db.datasetExport.findUnique({ where: { id: exportId } });
        return row && (row.status === 'COMPLETED' || row.status === 'FAILED') ? row : null;
      },
      120_000,
    );
    expect(failed).toMatchObject({ status: 'FAILED', error: `The audio of recording ${recordingId} could not be silenced where its text is redacted.`, archiveKey: null });
    expect(await t.deps.storage.exists(`exports/${exportId}/dataset.tar`)).toBe(false);
    expect(await t.deps.storage.exists(`sessions/${sessionId}/redacted.flac`)).toBe(false);
    expect(await t.deps.storage.exists(`sessions/${sessionId}/redacted.flac.ranges`)).toBe(false);
    expect((await readdir(scratch).catch(() => [])).filter((entry) => !before.has(entry))).toEqual([]);
    expect(await readdir(path.join(os.tmpdir(), 'parlance-exports', exportId)).catch(() => 'gone')).toBe('gone');
  }, 180_000);
});

describe('DEEPGRAM', () => {
  it("is asked for its own redaction, and Parlance's rules still run over its answer", async () => {
    deepgram.setTranscript(() => ({ words: wordsFromText('Call me on 555 1212 please.', { start: 0.4 }) }));
    const result = await submitFile(t, owner.accessToken, speech.wavPath, { provider: 'DEEPGRAM', redact: ['PHONE', 'CARD_NUMBER'] });
    expect(result.errors, result.raw).toBeUndefined();
    const id = result.data!.createTranscriptionJob.id as string;
    const job = await waitForJob(t, owner.accessToken, id, undefined, 120_000);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(deepgram.listens.at(-1)!.queryAll.redact).toEqual(['phone_number', 'pci']);
    expect(await transcript(id, owner, 'TXT', true)).toContain('Call me on [PHONE] please.');
  }, 150_000);
});
