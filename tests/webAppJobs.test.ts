// The web app for every signed-in user, end to end: the real build served by the real server,
// driven in headless Chromium, jobs run by a real job runner on the LOCAL engine. A user signs up,
// uploads files (GraphQL multipart; tus for a 40 MB one, with a connection dropped in the middle)
// or gives a URL, and follows the jobs live; cancels and deletes; sees no admin screen. Screenshots
// go to tests/output/webAppJobs/ for a person to look at.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startJobRunner, type JobRunner } from '../jobs/runner.ts';
import { uploadsDir } from '../server/services/uploads.ts';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/webAppJobs');
const TEST_TIMEOUT_MS = 300_000;
/** A LOCAL transcription on two busy cores: generous. */
const JOB_TIMEOUT_MS = 600_000; // a 20-minute padded file decodes on LOCAL beside other suites on 2 busy cores
const SENTENCES = ['the weather is nice today', 'please call me tomorrow morning', 'thank you for your help'];

describeInChromium('web app jobs in Chromium', webAppJobsSuite);

function webAppJobsSuite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  /** A media server on loopback for URL jobs (the app is told to allow 127.0.0.1). */
  let media: http.Server;
  let mediaBase: string;
  const runners: JobRunner[] = [];
  let made = 0;
  const unique = (prefix: string) => `${prefix}${process.pid}x${++made}`;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>, timeout = UI_TIMEOUT_MS) => expect.poll(probe, { timeout, interval: 100 });

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-jobs-'));
    speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'standup.wav'), { voice: 'rms' });
    media = http.createServer((req, res) => {
      if (req.url !== '/talk.wav') {
        res.statusCode = 404;
        return res.end();
      }
      res.setHeader('content-type', 'audio/wav');
      createReadStream(speech.wavPath).pipe(res);
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaBase = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    t = await createTestApp({ CHUNK_SECONDS: '3', URL_FETCH_ALLOW_HOSTS: '127.0.0.1' });
    base = await t.listen();
    t.deps.env.publicUrl = base;
    await web.launch();
  }, 300_000);

  beforeEach(async () => {
    await web.open();
  });

  afterEach(async () => {
    while (runners.length) await runners.pop()!.stop();
    await web.finish();
  });

  afterAll(async () => {
    await web.close();
    while (runners.length) await runners.pop()!.stop();
    await t?.close();
    await new Promise((resolve) => media?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function startRunner(): Promise<JobRunner> {
    const runner = await startJobRunner({ connectionString: t.databaseUrl, concurrency: 1, deps: t.deps, pollInterval: 100 });
    runners.push(runner);
    return runner;
  }

  /** Signs up on the login page (reached from /) as a new user; lands on their jobs. */
  async function signUp() {
    const username = unique('una');
    const password = 'a long enough passphrase';
    await page().goto(`${base}/`);
    await page().waitForURL(/\/admin\/login/);
    await page().getByRole('tab', { name: 'Sign up' }).click();
    await page().getByLabel('Username').fill(username);
    await page().getByLabel('Email').fill(`${username}@example.com`);
    await page().getByLabel('Password').fill(password);
    await page().getByRole('button', { name: 'Create account' }).click();
    await page().waitForURL(/\/admin\/myJobs/);
    const user = await t.deps.db.user.findUniqueOrThrow({ where: { username } });
    return { id: user.id, username, password, email: `${username}@example.com` };
  }

  /** An access token of a user who signed up in the browser (a login of its own, beside the page's). */
  async function tokenOf(user: { username: string; password: string }): Promise<string> {
    const login = await t.gql(`mutation ($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: { login: user.username, password: user.password } });
    return login.data!.login.accessToken as string;
  }

  /** A marker in the page's window: still there later means the page was never reloaded. */
  const markPage = () => page().evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  const stillSamePage = () => page().evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);

  /** Records every text a row of the list shows for `filename`, as the DOM changes. */
  async function recordRowTexts(filename: string) {
    await page().evaluate((name) => {
      const seen: string[] = [];
      (window as unknown as { rowTexts: string[] }).rowTexts = seen;
      const record = () => {
        const row = [...document.querySelectorAll('tbody tr')].find((candidate) => candidate.textContent?.includes(name));
        const text = row?.textContent ?? '';
        if (text && seen.at(-1) !== text) seen.push(text);
      };
      record();
      new MutationObserver(record).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    }, filename);
  }
  const rowTexts = () => page().evaluate(() => (window as unknown as { rowTexts: string[] }).rowTexts);
  const row = (filename: string) => page().locator('tbody tr', { hasText: filename });

  /** Elements that reach past the right edge of the screen (none, when nothing overflows). */
  const widestElements = () =>
    page().evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        // The innermost ones: what pushes its ancestors out.
        .filter((element, _index, wide) => !wide.some((other) => other !== element && element.contains(other)))
        .slice(0, 5)
        .map((element) => `${element.tagName.toLowerCase()}.${String(element.className).split(' ').slice(0, 2).join('.')}`),
    );

  async function openNewJob() {
    await page().getByRole('link', { name: 'New job' }).first().click();
    await page().waitForURL(/\/admin\/myJobs\/create/);
  }

  it('signs a new user up from / and shows them only their own screens', async () => {
    await signUp();
    await page().getByRole('menuitem', { name: 'My jobs' }).waitFor();
    await page().getByTestId('my-jobs-empty').waitFor();
    const labels = (await page().getByRole('menuitem').allTextContents()).map((label) => label.trim());
    for (const admin of ['Users', 'All jobs', 'Audit log', 'Outbox', 'Dashboard', 'Usage']) expect(labels).not.toContain(admin);
    await web.shots('01-my-jobs-empty', SHOTS);

    // Admin-only screens, opened by their address: a refusal, and no data.
    for (const screen of ['users', 'jobs', 'audit', 'outbox']) {
      await page().goto(`${base}/admin/${screen}`);
      await page().getByTestId('not-allowed').waitFor();
      await page().getByText('This screen is for site administrators').waitFor();
      expect(await page().locator('tbody tr').count()).toBe(0);
    }
    await web.shots('02-not-allowed', SHOTS);
  }, TEST_TIMEOUT_MS);

  it('uploads a small speech file and follows it to COMPLETED without reloading', async () => {
    await signUp();
    await openNewJob();
    const filename = `${unique('standup')}.wav`;
    await page()
      .getByTestId('file-input')
      .setInputFiles({ name: filename, mimeType: 'audio/wav', buffer: await readFile(speech.wavPath) });
    await page().getByTestId('upload-item').getByText(filename).waitFor();
    // Engines are picked in order (a multi-select); one is enough here.
    await page().getByLabel('Engines, in order').click();
    await page().getByRole('option', { name: /Local engine/ }).click();
    await page().keyboard.press('Escape');
    await page().getByLabel('Language').fill('en');
    await web.shots('03-new-job-files', SHOTS);
    await page().getByRole('button', { name: 'Transcribe' }).click();

    // Created: back on the list, the new job is there, queued (no job runner yet).
    await page().waitForURL(/\/admin\/myJobs$/);
    await row(filename).getByText('QUEUED').waitFor();
    const job = await t.deps.db.job.findFirstOrThrow({ where: { filename } });
    expect(job).toMatchObject({ provider: 'LOCAL', language: 'en', status: 'QUEUED' });
    await markPage();
    await recordRowTexts(filename);

    await startRunner();
    await row(filename).getByText(/COMPLETED|FAILED/).waitFor({ timeout: JOB_TIMEOUT_MS });
    await row(filename).getByText('COMPLETED').waitFor();
    await row(filename).getByText('100%').waitFor();
    expect(await stillSamePage()).toBe(true);
    // It moved on screen: processing with partial progress, before completing.
    const texts = await rowTexts();
    expect(texts.some((text) => text.includes('PROCESSING')), texts.join(' | ')).toBe(true);
    expect(
      texts.some((text) => /PROCESSING[1-9]\d?%/.test(text)),
      `row texts seen: ${texts.join(' | ')}`,
    ).toBe(true);
    await web.shots('04-my-jobs-completed', SHOTS);

    // The job page has the transcript.
    await row(filename).click();
    await page().waitForURL(new RegExp(`/admin/myJobs/${job.id}/show`));
    const transcript = (await page().getByTestId('transcript').textContent())!.toLowerCase();
    expect(transcript).toMatch(/weather|tomorrow|thank/);
    await web.shots('05-my-job', SHOTS);
  }, TEST_TIMEOUT_MS + JOB_TIMEOUT_MS);

  it('uploads 40 MB through tus, resumes after a dropped connection, and the job completes', async () => {
    const user = await signUp();
    // 40 MB of valid media: the speech at 48 kHz stereo, padded with silence.
    const big = path.join(dir, 'long-meeting.wav');
    await run('sox', [speech.wavPath, '-r', '48000', '-c', '2', big, 'pad', '0', '212']);
    const size = (await stat(big)).size;
    expect(size).toBeGreaterThan(40 * 1024 * 1024);

    // The first PATCH after bytes have arrived at the server is cut off, once.
    const requests: { method: string; offset: number | null }[] = [];
    let dropped: { serverOffset: number } | null = null;
    await page().route(/\/uploads(\/|$)/, async (route) => {
      const request = route.request();
      const offsetHeader = await request.headerValue('upload-offset');
      const offset = offsetHeader === null ? null : Number(offsetHeader);
      requests.push({ method: request.method(), offset });
      if (request.method() === 'PATCH' && !dropped && offset !== null && offset > 0) {
        const upload = await t.deps.db.upload.findFirstOrThrow({ where: { ownerId: user.id } });
        const serverOffset = (await stat(path.join(uploadsDir(t.deps), upload.id))).size;
        expect(serverOffset).toBeGreaterThan(0);
        dropped = { serverOffset };
        return route.abort('connectionreset');
      }
      return route.continue();
    });

    await openNewJob();
    await page().evaluate(() => {
      const notes: string[] = [];
      (window as unknown as { uploadNotes: string[] }).uploadNotes = notes;
      new MutationObserver(() => {
        for (const note of document.querySelectorAll('[data-testid="upload-note"]')) {
          const text = note.textContent ?? '';
          if (text && notes.at(-1) !== text) notes.push(text);
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page().getByTestId('file-input').setInputFiles(big);
    await page().getByTestId('upload-item').getByText('resumable').waitFor();
    await page().getByRole('button', { name: 'Transcribe' }).click();
    await page().getByTestId('upload-status').getByText(/MB of/).waitFor();
    await web.shots('06-uploading', SHOTS);

    await page().waitForURL(/\/admin\/myJobs$/, { timeout: JOB_TIMEOUT_MS });
    expect(dropped).not.toBeNull();
    // After the drop: the client asked the server for its offset (HEAD) and went on from there, not from 0.
    const afterDrop = requests.slice(requests.findIndex((request) => request.method === 'PATCH' && request.offset === dropped!.serverOffset) + 1);
    expect(afterDrop[0]?.method).toBe('HEAD');
    expect(afterDrop.find((request) => request.method === 'PATCH')?.offset).toBe(dropped!.serverOffset);
    expect(requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    const notes = await page().evaluate(() => (window as unknown as { uploadNotes?: string[] }).uploadNotes ?? []);
    expect(notes.join(' ')).toContain('Connection lost: reconnecting');

    // The job: the whole file arrived (its duration is the padded one), and it completes.
    const job = await t.deps.db.job.findFirstOrThrow({ where: { ownerId: user.id } });
    expect(job.filename).toBe('long-meeting.wav');
    expect(Number(job.sourceBytes)).toBe(size);
    expect(job.mediaDurationSeconds).toBeGreaterThan(speech.durationSeconds + 200);
    await startRunner();
    await row('long-meeting.wav').getByText(/COMPLETED|FAILED/).waitFor({ timeout: JOB_TIMEOUT_MS });
    await row('long-meeting.wav').getByText('COMPLETED').waitFor();
    await row('long-meeting.wav').click();
    const transcript = (await page().getByTestId('transcript').textContent())!.toLowerCase();
    expect(transcript).toMatch(/weather|tomorrow|thank/);
  }, TEST_TIMEOUT_MS + 2 * JOB_TIMEOUT_MS);

  it('resumes a large upload after the page was reloaded, when the same file is chosen again', async () => {
    const user = await signUp();
    const file = path.join(dir, 'board-meeting.wav');
    await run('sox', [speech.wavPath, '-r', '48000', '-c', '2', file, 'pad', '0', '100']);
    let phase: 'before reload' | 'after reload' = 'before reload';
    const afterReload: { method: string; offset: number | null }[] = [];
    let serverOffset = 0;
    let hung!: () => void;
    const hangs = new Promise<void>((resolve) => (hung = resolve));
    await page().route(/\/uploads(\/|$)/, async (route) => {
      const request = route.request();
      const offsetHeader = await request.headerValue('upload-offset');
      const offset = offsetHeader === null ? null : Number(offsetHeader);
      if (phase === 'after reload') {
        afterReload.push({ method: request.method(), offset });
        return route.continue();
      }
      // The second chunk never gets an answer: the user reloads the page while it hangs.
      if (request.method() === 'PATCH' && offset !== null && offset > 0) {
        const upload = await t.deps.db.upload.findFirstOrThrow({ where: { ownerId: user.id } });
        serverOffset = (await stat(path.join(uploadsDir(t.deps), upload.id))).size;
        hung();
        return;
      }
      return route.continue();
    });
    await openNewJob();
    await page().getByTestId('file-input').setInputFiles(file);
    await page().getByRole('button', { name: 'Transcribe' }).click();
    await hangs;
    expect(serverOffset).toBeGreaterThan(0);

    phase = 'after reload';
    await page().reload();
    await page().getByRole('button', { name: 'Choose files' }).waitFor();
    await page().evaluate(() => {
      const notes: string[] = [];
      (window as unknown as { uploadNotes: string[] }).uploadNotes = notes;
      new MutationObserver(() => {
        for (const note of document.querySelectorAll('[data-testid="upload-note"]')) {
          const text = note.textContent ?? '';
          if (text && notes.at(-1) !== text) notes.push(text);
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page().getByTestId('file-input').setInputFiles(file);
    await page().getByRole('button', { name: 'Transcribe' }).click();
    await page().waitForURL(/\/admin\/myJobs$/, { timeout: JOB_TIMEOUT_MS });
    // No new upload: the stored one was asked for its offset and continued from there.
    expect(afterReload.filter((request) => request.method === 'POST')).toHaveLength(0);
    expect(afterReload[0]?.method).toBe('HEAD');
    expect(afterReload.find((request) => request.method === 'PATCH')?.offset).toBe(serverOffset);
    const notes = await page().evaluate(() => (window as unknown as { uploadNotes?: string[] }).uploadNotes ?? []);
    expect(notes).toContain('Resuming an earlier upload of this file');
    const job = await t.deps.db.job.findFirstOrThrow({ where: { ownerId: user.id } });
    expect(Number(job.sourceBytes)).toBe((await stat(file)).size);
    await row('board-meeting.wav').getByText('QUEUED').waitFor();
    // Not left queued for the next test's job runner.
    await t.gql(`mutation ($id: ID!) { cancelJob(id: $id) { id } }`, { id: job.id }, { token: await tokenOf(user) });
  }, TEST_TIMEOUT_MS);

  it('creates a job from a URL, and says why a file is refused', async () => {
    await signUp();
    await openNewJob();
    // A file that is not media: refused with the server's reason, beside the file.
    await page()
      .getByTestId('file-input')
      .setInputFiles({ name: 'notes.wav', mimeType: 'audio/wav', buffer: Buffer.from('these are my notes, not audio\n'.repeat(20)) });
    await page().getByRole('button', { name: 'Transcribe' }).click();
    await page().getByTestId('upload-error').getByText('This file cannot be transcribed').waitFor();
    expect(page().url()).toMatch(/\/create$/);
    await web.shots('07-refused-file', SHOTS);

    await page().getByRole('tab', { name: 'From a URL' }).click();
    await page().getByLabel('Media URL').fill(`${mediaBase}/talk.wav`);
    await page().getByRole('button', { name: 'Transcribe' }).click();
    await page().waitForURL(/\/admin\/myJobs$/);
    await row('talk.wav').getByText('QUEUED').waitFor();
    await startRunner();
    await row('talk.wav').getByText(/COMPLETED|FAILED/).waitFor({ timeout: JOB_TIMEOUT_MS });
    await row('talk.wav').getByText('COMPLETED').waitFor();
  }, TEST_TIMEOUT_MS + JOB_TIMEOUT_MS);

  it('cancels a queued job and deletes it from the list, offering only what its status allows', async () => {
    const user = await signUp();
    const token = await tokenOf(user);
    const filename = `${unique('memo')}.wav`;
    // Submitted elsewhere (the API): it appears in the open list by itself.
    await markPage();
    await submitFile(t, token, speech.wavPath, { provider: 'LOCAL' }, { filename });
    await row(filename).getByText('QUEUED').waitFor();
    expect(await stillSamePage()).toBe(true);
    expect(await row(filename).getByRole('button', { name: 'Retry' }).count()).toBe(0);

    await row(filename).getByRole('button', { name: 'Cancel job' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Cancel job' }).click();
    await row(filename).getByText('CANCELLED').waitFor();
    await row(filename).getByRole('button', { name: 'Retry' }).waitFor();
    expect(await row(filename).getByRole('button', { name: 'Cancel job' }).count()).toBe(0);
    expect((await t.deps.db.job.findFirstOrThrow({ where: { filename } })).status).toBe('CANCELLED');
    await web.shots('08-cancelled', SHOTS);

    await row(filename).getByRole('button', { name: 'Delete' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await poll(() => row(filename).count()).toBe(0);
    expect(await t.deps.db.job.count({ where: { filename } })).toBe(0);
    await page().getByTestId('my-jobs-empty').waitFor();
  }, TEST_TIMEOUT_MS);

  it('shows the jobs list at phone width as cards with their actions', async () => {
    const user = await registerUser(t, { username: unique('pia'), email: `${unique('pia')}@example.com` });
    const ids: string[] = [];
    for (const name of ['interview-with-a-rather-long-file-name-recorded-on-tuesday.wav', 'short.wav']) {
      ids.push((await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL' }, { filename: name })).data!.createTranscriptionJob.id);
    }
    await page().setViewportSize({ width: 390, height: 844 });
    await signIn(page(), base, { login: user.username, password: user.password });
    await page().waitForURL(/\/admin\/myJobs/);
    await poll(() => page().getByTestId('job-card').count()).toBe(2);
    await page().getByTestId('job-card').first().getByRole('button', { name: 'Cancel job' }).waitFor();
    await web.shot('09-my-jobs-phone', SHOTS);
    // Nothing wider than the screen.
    expect(await widestElements()).toEqual([]);
    // The menu folds away: opened from the app bar.
    await page().getByRole('button', { name: /open menu|toggle/i }).first().click();
    // Once the drawer has slid in.
    await poll(async () => (await page().getByRole('menuitem', { name: 'My jobs' }).boundingBox())?.x ?? -1).toBeGreaterThanOrEqual(0);
    await web.shot('10-menu-phone', SHOTS);
    await page().keyboard.press('Escape');
    await page().goto(`${base}/admin/myJobs/create`);
    await page().getByRole('button', { name: 'Choose files' }).waitFor();
    await web.shot('11-new-job-phone', SHOTS);
    expect(await widestElements()).toEqual([]);
    // Not left queued for the next test's job runner.
    for (const id of ids) await t.gql(`mutation ($id: ID!) { cancelJob(id: $id) { id } }`, { id }, { token: user.accessToken });
  }, TEST_TIMEOUT_MS);

  it('keeps the admins\' list of every user\'s jobs live: a new job appears and completes without a reload', async () => {
    const admin = await registerUser(t, { username: unique('ada'), email: `${unique('ada')}@example.com` });
    await makeAdmin(t, admin.id);
    await signIn(page(), base, { login: admin.username, password: admin.password });
    await page().getByText('Jobs across all users').waitFor();
    for (const label of ['My jobs', 'Users', 'All jobs', 'Projects', 'Audit log', 'Webhooks', 'Outbox', 'Usage']) {
      await page().getByRole('menuitem', { name: label, exact: true }).waitFor();
    }
    await page().getByRole('menuitem', { name: 'All jobs' }).click();
    await page().waitForURL(/\/admin\/jobs/);
    await markPage();

    const speaker = await registerUser(t, { username: unique('sam'), email: `${unique('sam')}@example.com` });
    const filename = `${unique('allhands')}.wav`;
    await submitFile(t, speaker.accessToken, speech.wavPath, { provider: 'LOCAL' }, { filename });
    await row(filename).getByText('QUEUED').waitFor();
    await recordRowTexts(filename);
    await startRunner();
    await row(filename).getByText('COMPLETED').waitFor({ timeout: JOB_TIMEOUT_MS });
    await row(filename).getByText('100%').waitFor();
    expect(await stillSamePage()).toBe(true);
    expect((await rowTexts()).some((text) => text.includes('PROCESSING'))).toBe(true);
    await web.shots('12-all-jobs', SHOTS);
  }, TEST_TIMEOUT_MS + JOB_TIMEOUT_MS);
}
