// The crowd recital end to end, with flite speech and the real LOCAL engine: an owner invites
// contributors and a reviewer by email, contributors record prompts through live sessions, the
// worker aggregates them into recordings with checks, the reviewer works the queue (suspicious
// first), the owner exports the approved ones and the archive's manifest matches its files. Also:
// webhooks for recording.submitted / recording.reviewed, usage records for the sessions, and
// deleting the project removes sessions, recordings, exports and their files.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { parseWav } from '../server/providers/local/wav.ts';
import { makeSilence, makeSpeechFixture, makeTempDir, wordErrorRate } from './helpers/speech.ts';
import { recordPrompt, waitForRecording } from './helpers/recital.ts';
import { waitFor } from './helpers/wait.ts';
import { createTestApp, registerUser, verifyEmailDirectly, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { ok } from './helpers/gqlResult.ts';

const run = promisify(execFile);
type User = Awaited<ReturnType<typeof registerUser>>;

const PROMPTS = ['the weather is nice today', 'please call me tomorrow morning', 'we need more time to finish the project'];

let t: TestApp;
let base: string;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let receiver: http.Server;
let receiverBase: string;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
/** 16 kHz s16le speech of each prompt. */
const speechOf = new Map<string, Buffer>();
let silence: Buffer;

let owner: User;
let alice: User; // contributor who reads every prompt well
let bob: User; // contributor who stays silent
let rita: User; // reviewer
let projectId: string;
let webhookSecret: string;
const sessionsOf = new Map<string, string[]>();

beforeAll(async () => {
  temp = await makeTempDir('parlance-recital-');
  for (const [index, text] of PROMPTS.entries()) {
    const fixture = await makeSpeechFixture([text], path.join(temp.dir, `prompt-${index}.wav`), { voice: 'rms', leadSeconds: 0.5, tailSeconds: 0.7 });
    speechOf.set(text, parseWav(await readFile(fixture.wavPath)).data);
  }
  silence = parseWav(await readFile(await makeSilence(2.5, path.join(temp.dir, 'silence.wav'), 0.0005))).data;
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await createTestApp({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', EXPORTS_KEPT_PER_PROJECT: '2' }, { runner: true });
  base = await t.listen();
  [owner, alice, bob, rita] = await Promise.all([registerUser(t), registerUser(t), registerUser(t), registerUser(t)]);
}, 120_000);

afterAll(async () => {
  await t?.close();
  receiver?.close();
  await temp?.cleanup();
});

const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

const NEXT_PROMPT = `query ($projectId: ID!) { nextPrompt(projectId: $projectId) { id text recordingsCount } }`;
const APPEND = `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`;
const END = `mutation ($id: ID!) { endLiveSession(id: $id) { id status } }`;
const RECORDING_FIELDS = `id durationSeconds recognisedText suspicious vtt sourceAudioUrl mainAudioUrl lightAudioUrl subtitlesUrl
  reviewStatus reviewNote reviewedAt reviewedBy { id } speaker { id } prompt { id text } session { id status }
  checks { tooShort mostlySilence tooQuiet clipped wordErrorRate wordErrorRateHigh silenceRatio meanVolumeDb maxVolumeDb clippedRatio }`;
const QUEUE = `query ($id: ID!, $status: ReviewStatus, $first: Int, $after: String) { project(id: $id) {
  recordings(first: $first, after: $after, reviewStatus: $status) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${RECORDING_FIELDS} } } } } }`;
const REVIEW = `mutation ($id: ID!, $status: ReviewStatus!, $note: String) { reviewRecording(id: $id, status: $status, note: $note) {
  id reviewStatus reviewNote reviewedAt reviewedBy { id } } }`;
const EXPORT = `mutation ($projectId: ID!) { exportDataset(projectId: $projectId) { id status progress recordings downloadUrl createdAt } }`;
const EXPORT_NODE = `query ($id: ID!) { node(id: $id) { ... on DatasetExport { id status progress recordings sizeBytes downloadUrl error finishedAt } } }`;

/** Records `audio` (16 kHz s16le) as one live session of `user` for the prompt. */
async function recite(user: User, promptId: string, audio: Buffer): Promise<string> {
  const id = await recordPrompt(t, user.accessToken, { projectId, promptId }, audio);
  sessionsOf.set(user.id, [...(sessionsOf.get(user.id) ?? []), id]);
  return id;
}

async function queue(user: User, status?: string) {
  const edges = ok(await t.gql(QUEUE, { id: projectId, status, first: 50 }, { token: user.accessToken })).project.recordings.edges;
  return edges.map((edge: any) => edge.node) as any[];
}

async function inviteAndAccept(user: User, role: string): Promise<string> {
  await verifyEmailDirectly(t, user.id);
  ok(await t.gql(`mutation ($p: ID!, $e: String!, $r: ProjectRole!) { inviteMember(projectId: $p, email: $e, role: $r) }`,
    { p: projectId, e: user.email, r: role }, { token: owner.accessToken }));
  // No SMTP here: the message waits in the outbox (and the log).
  const mail = await t.deps.db.outboxEmail.findFirstOrThrow({ where: { to: user.email }, orderBy: { id: 'desc' } });
  return /\binv_[A-Za-z0-9_-]{43}\b/.exec(mail.body)![0];
}

const ACCEPT = `mutation ($token: String!) { acceptInvitation(token: $token) { id viewerRole } }`;

describe('a crowd recital', () => {
  it('the owner sets up a project, prompts and a webhook; invitees join with their own tokens only', async () => {
    projectId = ok(await t.gql(`mutation { createProject(input: { name: "Recital" }) { id } }`, {}, { token: owner.accessToken })).createProject.id;
    const added = ok(await t.gql(`mutation ($id: ID!, $texts: [String!]!) { addPrompts(projectId: $id, texts: $texts) { id text recordingsCount } }`,
      { id: projectId, texts: [...PROMPTS, '  ', PROMPTS[0]] }, { token: owner.accessToken })).addPrompts;
    expect(added.map((prompt: any) => [prompt.text, prompt.recordingsCount])).toEqual(PROMPTS.map((text) => [text, 0]));
    const hook = ok(await t.gql(`mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`,
      { input: { url: `${receiverBase}/hook`, events: ['recording.submitted', 'recording.reviewed'], projectId } }, { token: owner.accessToken }));
    webhookSecret = hook.createWebhook.secret;

    const aliceToken = await inviteAndAccept(alice, 'CONTRIBUTOR');
    const bobToken = await inviteAndAccept(bob, 'CONTRIBUTOR');
    const ritaToken = await inviteAndAccept(rita, 'REVIEWER');
    // Someone else's token: refused, and it stays usable by its addressee.
    expect(codeOf(await t.gql(ACCEPT, { token: ritaToken }, { token: bob.accessToken }))).toBe('FORBIDDEN');
    for (const [user, token, role] of [[alice, aliceToken, 'CONTRIBUTOR'], [bob, bobToken, 'CONTRIBUTOR'], [rita, ritaToken, 'REVIEWER']] as const) {
      expect(ok(await t.gql(ACCEPT, { token }, { token: user.accessToken })).acceptInvitation).toEqual({ id: projectId, viewerRole: role });
    }
    // Used: refused the second time.
    expect(codeOf(await t.gql(ACCEPT, { token: aliceToken }, { token: alice.accessToken }))).toBe('BAD_USER_INPUT');
    // A reviewer does not record.
    expect(codeOf(await t.gql(NEXT_PROMPT, { projectId }, { token: rita.accessToken }))).toBe('FORBIDDEN');
  });

  it('contributors record prompts by live session; nextPrompt hands each one they have not recorded', async () => {
    const read: string[] = [];
    for (let take = 0; take < PROMPTS.length; take += 1) {
      const next = ok(await t.gql(NEXT_PROMPT, { projectId }, { token: alice.accessToken })).nextPrompt;
      expect(read).not.toContain(next.text);
      read.push(next.text);
      await recite(alice, next.id, speechOf.get(next.text)!);
    }
    expect(read).toEqual(PROMPTS);
    expect(ok(await t.gql(NEXT_PROMPT, { projectId }, { token: alice.accessToken })).nextPrompt).toBeNull();
    // Bob has recorded nothing, and nothing is approved yet: the oldest prompt.
    const bobs = ok(await t.gql(NEXT_PROMPT, { projectId }, { token: bob.accessToken })).nextPrompt;
    expect(bobs.text).toBe(PROMPTS[0]);
    await recite(bob, bobs.id, silence);

    for (const id of [...sessionsOf.get(alice.id)!, ...sessionsOf.get(bob.id)!]) await waitForRecording(t, id);
  }, 240_000);

  it('the review queue shows every recording with audio, subtitles and checks, the suspicious ones first', async () => {
    const pending = await queue(rita, 'PENDING');
    expect(pending).toHaveLength(4);
    // Bob's silent take comes first: it fails checks and matches none of the prompt's words.
    const [silent, ...spoken] = pending;
    expect(silent.speaker.id).toBe(bob.id);
    expect(silent.suspicious).toBe(true);
    expect(silent.checks).toMatchObject({ mostlySilence: true, tooQuiet: true, wordErrorRateHigh: true, wordErrorRate: 1, clipped: false, tooShort: false });
    expect(silent.durationSeconds).toBeCloseTo(silence.length / 32_000, 1);

    expect(spoken.map((recording) => recording.speaker.id)).toEqual([alice.id, alice.id, alice.id]);
    for (const recording of spoken) {
      const prompt = recording.prompt.text as string;
      expect(recording.suspicious, JSON.stringify(recording.checks)).toBe(false);
      expect(recording.checks.wordErrorRate).toBeLessThanOrEqual(0.5);
      expect(recording.checks.wordErrorRate).toBeCloseTo(wordErrorRate(prompt, recording.recognisedText), 3);
      expect(recording.checks.maxVolumeDb).toBeGreaterThan(-25);
      expect(recording.durationSeconds).toBeCloseTo(speechOf.get(prompt)!.length / 32_000, 1);
      expect(recording.vtt).toMatch(/^WEBVTT\n\n/);
      expect(recording.vtt).toMatch(/\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d/);
      expect(recording.session.status).toBe('READY');
      expect(recording.reviewStatus).toBe('PENDING');
    }
    // Sorted by suspicion: word error rates never increase along the clean ones.
    const rates = spoken.map((recording) => recording.checks.wordErrorRate as number);
    expect(rates).toEqual([...rates].sort((a, b) => b - a));

    // Pages follow the same order.
    const first = ok(await t.gql(QUEUE, { id: projectId, first: 2 }, { token: rita.accessToken })).project.recordings;
    const second = ok(await t.gql(QUEUE, { id: projectId, first: 2, after: first.pageInfo.endCursor }, { token: rita.accessToken })).project.recordings;
    expect([...first.edges, ...second.edges].map((edge: any) => edge.node.id)).toEqual(pending.map((recording) => recording.id));
    expect(first.totalCount).toBe(4);

    // The light file plays in a browser from its signed link alone; the others download too.
    const light = await fetch(spoken[0].lightAudioUrl.replace(t.deps.env.publicUrl, base));
    expect(light.status).toBe(200);
    expect(light.headers.get('content-type')).toBe('audio/ogg');
    expect(Buffer.from(await light.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('OggS');
    // Players seek with byte ranges.
    const lightUrl = spoken[0].lightAudioUrl.replace(t.deps.env.publicUrl, base);
    const size = Number(light.headers.get('content-length'));
    expect(size).toBeGreaterThan(100);
    const part = await fetch(lightUrl, { headers: { range: 'bytes=4-13' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-13/${size}`);
    expect(Buffer.from(await part.arrayBuffer())).toHaveLength(10);
    const tail = await fetch(lightUrl, { headers: { range: 'bytes=-5' } });
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 5}-${size - 1}/${size}`);
    const past = await fetch(lightUrl, { headers: { range: `bytes=${size}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    const main = await fetch(spoken[0].mainAudioUrl.replace(t.deps.env.publicUrl, base));
    expect(Buffer.from(await main.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('fLaC');
    const vtt = await fetch(spoken[0].subtitlesUrl.replace(t.deps.env.publicUrl, base));
    expect(await vtt.text()).toBe(spoken[0].vtt);
    // A tampered or unsigned link is refused.
    const tampered = await fetch(spoken[0].lightAudioUrl.replace(t.deps.env.publicUrl, base).replace(/signature=./, 'signature=x'));
    expect(tampered.status).toBe(403);
    const bare = await fetch(`${base}/sessions/${spoken[0].session.id}/audio/light`);
    expect(bare.status).toBe(401);

    // Filters: one speaker's, one prompt's.
    const FILTERED = `query ($id: ID!, $speakerId: ID, $promptId: ID) { project(id: $id) { recordings(speakerId: $speakerId, promptId: $promptId) { totalCount edges { node { id } } } } }`;
    const bobs = ok(await t.gql(FILTERED, { id: projectId, speakerId: bob.id }, { token: rita.accessToken })).project.recordings;
    expect(bobs.edges.map((edge: any) => edge.node.id)).toEqual([silent.id]);
    const firstPrompt = ok(await t.gql(FILTERED, { id: projectId, promptId: silent.prompt.id }, { token: rita.accessToken })).project.recordings;
    expect(firstPrompt.totalCount).toBe(2);

    // A prompt lists how many recordings it has.
    const prompts = ok(await t.gql(`query ($id: ID!) { project(id: $id) { prompts { edges { node { text recordingsCount } } } } }`,
      { id: projectId }, { token: owner.accessToken })).project.prompts.edges.map((edge: any) => edge.node);
    expect(prompts).toEqual([{ text: PROMPTS[0], recordingsCount: 2 }, { text: PROMPTS[1], recordingsCount: 1 }, { text: PROMPTS[2], recordingsCount: 1 }]);
    // A session shows its recording.
    const session = ok(await t.gql(`query ($id: ID!) { liveSession(id: $id) { recording { id } } }`, { id: silent.session.id }, { token: bob.accessToken }));
    expect(session.liveSession.recording.id).toBe(silent.id);
    // Other members see a project session (to review it) but cannot feed or end it.
    const seen = ok(await t.gql(`query ($id: ID!) { liveSession(id: $id) { id owner { id } } }`, { id: silent.session.id }, { token: rita.accessToken }));
    expect(seen.liveSession.owner.id).toBe(bob.id);
    expect(codeOf(await t.gql(END, { id: silent.session.id }, { token: rita.accessToken }))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(APPEND, { id: silent.session.id, seq: 999, chunk: 'AAAA' }, { token: alice.accessToken }))).toBe('FORBIDDEN');
  });

  it('reviewers approve and reject with a note; contributors cannot review; the decisions show', async () => {
    const [silent, ...spoken] = await queue(rita, 'PENDING');
    expect(codeOf(await t.gql(REVIEW, { id: silent.id, status: 'REJECTED' }, { token: alice.accessToken }))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(REVIEW, { id: silent.id, status: 'PENDING' }, { token: rita.accessToken }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql(REVIEW, { id: silent.id, status: 'REJECTED', note: 'x'.repeat(2001) }, { token: rita.accessToken }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.gql(REVIEW, { id: 'rec_0000000000000000000000000a', status: 'APPROVED' }, { token: rita.accessToken }))).toBe('NOT_FOUND');

    const rejected = ok(await t.gql(REVIEW, { id: silent.id, status: 'REJECTED', note: ' Nothing was said. ' }, { token: rita.accessToken })).reviewRecording;
    expect(rejected).toMatchObject({ reviewStatus: 'REJECTED', reviewNote: 'Nothing was said.', reviewedBy: { id: rita.id } });
    expect(Date.now() - Date.parse(rejected.reviewedAt)).toBeLessThan(60_000);
    for (const recording of spoken) {
      ok(await t.gql(REVIEW, { id: recording.id, status: 'APPROVED', note: 'clear' }, { token: rita.accessToken }));
    }
    expect((await queue(owner, 'PENDING')).length).toBe(0);
    expect((await queue(owner, 'APPROVED')).map((recording) => recording.id).sort()).toEqual(spoken.map((recording) => recording.id).sort());
    expect((await queue(alice, 'REJECTED')).map((recording) => recording.reviewNote)).toEqual(['Nothing was said.']);
    expect(await t.deps.db.auditEntry.count({ where: { action: 'recording.reviewed', actorId: rita.id } })).toBe(4);

    // Bob's take was rejected, so he may read that prompt again; every prompt has one approved take.
    const again = ok(await t.gql(NEXT_PROMPT, { projectId }, { token: bob.accessToken })).nextPrompt;
    expect(again.text).toBe(PROMPTS[0]);
  });

  it('a member made REVIEWER mid-session can no longer add audio to it, but can end it', async () => {
    const side = ok(await t.gql(`mutation { createProject(input: { name: "Side" }) { id } }`, {}, { token: owner.accessToken })).createProject.id;
    await t.deps.db.projectMember.create({ data: { projectId: side, userId: bob.id, role: 'CONTRIBUTOR' } });
    const started = ok(await t.gql(`mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id } }`,
      { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, projectId: side } }, { token: bob.accessToken })).startLiveSession;
    ok(await t.gql(APPEND, { id: started.id, seq: 0, chunk: silence.subarray(0, 3200).toString('base64') }, { token: bob.accessToken }));
    ok(await t.gql(`mutation ($p: ID!, $u: ID!) { setMemberRole(projectId: $p, userId: $u, role: REVIEWER) { role } }`, { p: side, u: bob.id }, { token: owner.accessToken }));
    const refused = await t.gql(APPEND, { id: started.id, seq: 1, chunk: silence.subarray(3200, 6400).toString('base64') }, { token: bob.accessToken });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toBe('You may no longer record in this project; end the session.');
    // A retry of an applied chunk still answers true; ending works.
    expect(ok(await t.gql(APPEND, { id: started.id, seq: 0, chunk: silence.subarray(0, 3200).toString('base64') }, { token: bob.accessToken })).appendLiveAudio).toBe(true);
    expect(ok(await t.gql(END, { id: started.id }, { token: bob.accessToken })).endLiveSession.status).toBe('ENDED');
    expect((await t.deps.db.liveSession.findUniqueOrThrow({ where: { id: started.id } })).nextSeq).toBe(1);
  });

  it('webhooks were told of each submission and review, signed', async () => {
    const events = await waitFor('8 webhook deliveries', async () => (received.length >= 8 ? received : null));
    const bodies = events.map((event) => JSON.parse(event.body));
    expect(bodies.filter((body) => body.type === 'recording.submitted')).toHaveLength(4);
    const reviewed = bodies.filter((body) => body.type === 'recording.reviewed');
    expect(reviewed.map((body) => body.data.reviewStatus).sort()).toEqual(['APPROVED', 'APPROVED', 'APPROVED', 'REJECTED']);
    const submittedSilent = bodies.find((body) => body.type === 'recording.submitted' && body.data.speakerId === bob.id);
    expect(submittedSilent.data).toMatchObject({ projectId, suspicious: true });
    for (const event of events) {
      const header = String(event.headers['x-parlance-signature'] ?? '');
      const timestamp = /t=(\d+)/.exec(header)?.[1];
      const expected = createHmac('sha256', webhookSecret).update(`${timestamp}.${event.body}`).digest('hex');
      expect(header).toContain(expected);
    }
  });

  it('the owner exports the approved recordings; the manifest matches the archive', async () => {
    expect(codeOf(await t.gql(EXPORT, { projectId }, { token: rita.accessToken }))).toBe('FORBIDDEN');
    const started = ok(await t.gql(EXPORT, { projectId }, { token: owner.accessToken })).exportDataset;
    expect(started).toMatchObject({ status: 'QUEUED', progress: 0, recordings: 3, downloadUrl: null });
    const done = await waitFor('export completed', async () => {
      const node = ok(await t.gql(EXPORT_NODE, { id: started.id }, { token: owner.accessToken })).node;
      if (node.status === 'FAILED') throw new Error(node.error);
      return node.status === 'COMPLETED' && node;
    }, 90_000);
    expect(done).toMatchObject({ progress: 1, recordings: 3, error: null });
    // The reviewer sees the export but gets no link.
    expect(ok(await t.gql(EXPORT_NODE, { id: started.id }, { token: rita.accessToken })).node.downloadUrl).toBeNull();

    const response = await fetch(done.downloadUrl.replace(t.deps.env.publicUrl, base));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    const archive = Buffer.from(await response.arrayBuffer());
    expect(archive.length).toBe(done.sizeBytes);
    const archivePath = path.join(temp.dir, 'dataset.tar');
    await writeFile(archivePath, archive);
    const listing = (await run('tar', ['-tf', archivePath])).stdout.trim().split('\n');
    expect(listing[0]).toBe('manifest.jsonl');
    const out = path.join(temp.dir, 'dataset');
    await run('mkdir', ['-p', out]);
    await run('tar', ['-xf', archivePath, '-C', out]);

    const manifest = (await readFile(path.join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(manifest).toHaveLength(3);
    expect(listing.slice(1).sort()).toEqual(manifest.map((entry) => entry.file).sort());
    expect((await readdir(path.join(out, 'audio'))).length).toBe(3);
    const approved = await queue(owner, 'APPROVED');
    for (const entry of manifest) {
      const recording = approved.find((candidate) => candidate.id === entry.recordingId);
      expect(recording, entry.recordingId).toBeDefined();
      expect(entry).toMatchObject({
        prompt: recording.prompt.text,
        recognisedText: recording.recognisedText,
        durationSeconds: recording.durationSeconds,
        sampleRate: 16000,
        checks: recording.checks,
      });
      const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,sample_rate', '-of', 'json', path.join(out, entry.file)]);
      const probe = JSON.parse(stdout);
      expect(probe.streams[0]).toMatchObject({ codec_name: 'flac', sample_rate: '16000' });
      expect(Number(probe.format.duration)).toBeCloseTo(entry.durationSeconds, 1);
    }
    expect(manifest.map((entry) => entry.prompt).sort()).toEqual([...PROMPTS].sort());
    // One speaker, under a pseudonym that says nothing of who they are.
    expect(new Set(manifest.map((entry) => entry.speaker)).size).toBe(1);
    expect(manifest[0].speaker).toMatch(/^spk_[0-9a-f]{16}$/);
    const text = await readFile(path.join(out, 'manifest.jsonl'), 'utf8');
    for (const secret of [alice.id, alice.username, alice.email]) expect(text).not.toContain(secret);

    // A second export gives the same pseudonym.
    const again = ok(await t.gql(EXPORT, { projectId }, { token: owner.accessToken })).exportDataset;
    await waitFor('second export', async () => ok(await t.gql(EXPORT_NODE, { id: again.id }, { token: owner.accessToken })).node.status === 'COMPLETED', 90_000);
    const row = await t.deps.db.datasetExport.findUniqueOrThrow({ where: { id: again.id } });
    expect(row.archiveKey).toBe(`exports/${again.id}/dataset.tar`);
    const againUrl = ok(await t.gql(EXPORT_NODE, { id: again.id }, { token: owner.accessToken })).node.downloadUrl as string;
    const againPath = path.join(temp.dir, 'again.tar');
    await writeFile(againPath, Buffer.from(await (await fetch(againUrl.replace(t.deps.env.publicUrl, base))).arrayBuffer()));
    const againManifest = (await run('tar', ['-xOf', againPath, 'manifest.jsonl'])).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(new Set(againManifest.map((entry) => entry.speaker))).toEqual(new Set([manifest[0].speaker]));

    // Only the newest EXPORTS_KEPT_PER_PROJECT (2 here) finished exports are kept, with their archives.
    const third = ok(await t.gql(EXPORT, { projectId }, { token: owner.accessToken })).exportDataset;
    await waitFor('third export', async () => ok(await t.gql(EXPORT_NODE, { id: third.id }, { token: owner.accessToken })).node.status === 'COMPLETED', 90_000);
    // The task prunes rows first, then their archives: wait for both.
    await waitFor(
      'oldest export pruned, row and archive',
      async () =>
        (await t.deps.db.datasetExport.count({ where: { id: started.id } })) === 0 &&
        !(await t.deps.storage.exists(`exports/${started.id}/dataset.tar`)),
      60_000,
    );
    expect((await t.deps.db.datasetExport.findMany({ where: { projectId }, orderBy: { id: 'asc' } })).map((e) => e.id)).toEqual([again.id, third.id]);
    const gone = await fetch(done.downloadUrl.replace(t.deps.env.publicUrl, base));
    expect(gone.status).toBe(404);
  }, 120_000);

  it('refuses to export a project with nothing approved', async () => {
    const empty = ok(await t.gql(`mutation { createProject(input: { name: "Empty" }) { id } }`, {}, { token: owner.accessToken })).createProject.id;
    const result = await t.gql(EXPORT, { projectId: empty }, { token: owner.accessToken });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].message).toMatch(/no approved recordings/);
    expect(await t.deps.db.datasetExport.count({ where: { projectId: empty } })).toBe(0);
  });

  it('an export whose audio has gone missing fails with the reason and leaves no archive behind', async () => {
    const other = ok(await t.gql(`mutation { createProject(input: { name: "Broken" }) { id } }`, {}, { token: owner.accessToken })).createProject.id;
    const sessionId = newId('LiveSession');
    await t.deps.db.liveSession.create({
      data: { id: sessionId, ownerId: alice.id, projectId: other, status: 'READY', provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000,
        receivedSeconds: 1, durationSeconds: 1, mainKey: `sessions/${sessionId}/main.flac` },
    });
    const recordingId = newId('Recording');
    await t.deps.db.recording.create({
      data: { id: recordingId, sessionId, projectId: other, speakerId: alice.id, durationSeconds: 1, recognisedText: '', checks: {}, suspicion: 0,
        reviewStatus: 'APPROVED', reviewedBy: rita.id },
    });
    const started = ok(await t.gql(EXPORT, { projectId: other }, { token: owner.accessToken })).exportDataset;
    const failed = await waitFor('export failed', async () => {
      const node = ok(await t.gql(EXPORT_NODE, { id: started.id }, { token: owner.accessToken })).node;
      return node.status === 'FAILED' && node;
    }, 90_000);
    expect(failed).toMatchObject({ error: `The audio of recording ${recordingId} is missing from storage.`, downloadUrl: null });
    expect(await t.deps.storage.exists(`exports/${started.id}/dataset.tar`)).toBe(false);
    // A failed export does not block the next one.
    const next = ok(await t.gql(EXPORT, { projectId: other }, { token: owner.accessToken })).exportDataset;
    expect(next.id).not.toBe(started.id);
  });

  it('bills the sessions as usage of their speakers, per project', async () => {
    const buckets = ok(await t.gql(`{ usage(groupBy: PROJECT) { key jobs liveSessions audioSeconds } }`, {}, { token: alice.accessToken })).usage;
    const mine = buckets.find((bucket: any) => bucket.key === projectId);
    const seconds = PROMPTS.reduce((sum, text) => sum + speechOf.get(text)!.length / 32_000, 0);
    expect(mine).toMatchObject({ jobs: 3, liveSessions: 3 });
    expect(mine.audioSeconds).toBeCloseTo(seconds, 1);
  });

  it('deleting the project removes its sessions, recordings, exports and files', async () => {
    const sessions = await t.deps.db.liveSession.findMany({ where: { projectId } });
    const exports = await t.deps.db.datasetExport.findMany({ where: { projectId } });
    const keys = [...sessions.flatMap((session) => [session.mainKey!, session.lightKey!, session.sourceKey!, session.vttKey!]), ...exports.map((row) => row.archiveKey!)];
    for (const key of keys) expect(await t.deps.storage.exists(key), key).toBe(true);
    ok(await t.gql(`mutation ($id: ID!, $name: String) { deleteProject(id: $id, confirmName: $name) }`, { id: projectId, name: 'Recital' }, { token: owner.accessToken }));
    expect(await t.deps.db.liveSession.count({ where: { id: { in: sessions.map((session) => session.id) } } })).toBe(0);
    expect(await t.deps.db.recording.count({ where: { projectId } })).toBe(0);
    expect(await t.deps.db.datasetExport.count({ where: { projectId } })).toBe(0);
    for (const key of keys) expect(await t.deps.storage.exists(key), key).toBe(false);
    // Usage already billed stays.
    expect(await t.deps.db.usageRecord.count({ where: { projectId } })).toBe(4);
  });
});
