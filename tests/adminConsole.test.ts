// The operations console end to end: the real build (admin/dist) served by the real server,
// driven in headless Chromium (Debian's, through playwright-core). Screenshots of the main
// screens go to tests/output/console/ for a person to look at.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startJobRunner, type JobRunner } from '../jobs/runner.ts';
import { newId } from '../server/ids.ts';
import { parseWav } from '../server/providers/local/wav.ts';
import { assertWebAppBuilt, describeInChromium, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { submitFile } from './helpers/jobs.ts';
import { recordPrompt, waitForRecording } from './helpers/recital.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/console');
/** The prompt read aloud into the project's review queue. */
const PROMPT = 'please call me tomorrow morning';
const TEST_TIMEOUT_MS = 240_000;

describeInChromium('console in Chromium', consoleSuite);

function consoleSuite() {
  let t: TestApp;
  let base: string;
  const web = webAppBrowser();
  /** Each test's own page (a fresh browser context), made in beforeEach and closed in afterEach. */
  let page: Page;
  /** Job runners a test started; stopped after it. */
  const runners: JobRunner[] = [];
  let dir: string;
  let speech: SpeechFixture;
  /** One sentence read aloud for the review queue: the prompt itself, and a wrong sentence. */
  let promptReading: SpeechFixture;
  let wrongReading: SpeechFixture;
  /** A unique suffix per made thing, so tests never see each other's rows. */
  let made = 0;
  const unique = (prefix: string) => `${prefix}${process.pid}x${++made}`;

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-console-'));
    await mkdir(SHOTS, { recursive: true });
    speech = await makeSpeechFixture(
      [
        'the weather is nice today',
        'please call me tomorrow morning',
        'we need more time to finish the project',
        'thank you for your help',
      ],
      path.join(dir, 'speech.wav'),
      { voice: 'rms' },
    );
    promptReading = await makeSpeechFixture([PROMPT], path.join(dir, 'prompt.wav'), { voice: 'rms', leadSeconds: 0.5, tailSeconds: 0.5 });
    wrongReading = await makeSpeechFixture(['thank you for your help'], path.join(dir, 'wrong.wav'), {
      voice: 'rms',
      leadSeconds: 0.5,
      tailSeconds: 0.5,
    });
    // Small chunks, so the transcript arrives in several pieces. No job runner: a test that needs
    // one starts its own (startRunner) when it is ready for jobs to run.
    t = await createTestApp({ CHUNK_SECONDS: '3' });
    base = await t.listen();
    // The API's links (signed audio, subtitles, archives) are built on PUBLIC_URL: the address the
    // browser uses, so they are same-origin for the console as in production (<track> needs that).
    t.deps.env.publicUrl = base;

    await web.launch();
  }, 300_000);

  beforeEach(async () => {
    page = await web.open();
  });

  afterEach(async () => {
    while (runners.length) await runners.pop()!.stop();
    // Closes the test's context; no uncaught error in the console's page during the test.
    await web.finish();
  });

  afterAll(async () => {
    await web.close();
    while (runners.length) await runners.pop()!.stop();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const notification = () => page.locator('.MuiSnackbar-root');
  /** expect.poll with a timeout that holds on a loaded machine (vitest's default is 1 s). */
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });

  async function startRunner(): Promise<JobRunner> {
    const runner = await startJobRunner({ connectionString: t.databaseUrl, concurrency: 1, deps: t.deps, pollInterval: 100 });
    runners.push(runner);
    return runner;
  }

  async function newUser(prefix: string) {
    const username = unique(prefix);
    return registerUser(t, { username, email: `${username}@example.com` });
  }

  async function newAdmin() {
    const admin = await newUser('opsadmin');
    await makeAdmin(t, admin.id);
    return admin;
  }

  async function newProject(owner: { accessToken: string }) {
    const name = unique('Read-aloud corpus ');
    const created = await t.gql(
      `mutation ($name: String!) { createProject(input: { name: $name, description: "Crowd recordings of prompts" }) { id } }`,
      { name },
      { token: owner.accessToken },
    );
    return { id: created.data!.createProject.id as string, name };
  }

  async function signIn(login: string, password: string) {
    await page.goto(`${base}/admin/`);
    await page.waitForURL(/\/admin\/login/);
    await page.locator('input[name="username"]').fill(login);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /** A new admin, signed in to this test's page, on the dashboard. */
  async function signInAsNewAdmin() {
    const admin = await newAdmin();
    await signIn(admin.email, admin.password);
    await page.getByText('Jobs across all users').waitFor();
    return admin;
  }

  it('lets a user who is not an admin in to their own screens only (no operations screen)', async () => {
    // Since the web app is for everyone (issue 14), a non-admin signs in; the console's screens stay closed.
    const outsider = await newUser('olive');
    await signIn(outsider.username, outsider.password);
    await page.waitForURL(/\/admin\/myJobs/);
    await page.getByRole('menuitem', { name: 'My jobs' }).waitFor();
    expect(await page.getByRole('menuitem', { name: 'Users' }).count()).toBe(0);
    await page.goto(`${base}/admin/users`);
    await page.getByTestId('not-allowed').waitFor();
    expect(await page.getByText(outsider.email, { exact: true }).count()).toBe(0);
    await shot('01-not-admin');
  }, TEST_TIMEOUT_MS);

  it('lets an admin in to the dashboard', async () => {
    const admin = await newAdmin();
    await signIn(admin.email, admin.password);
    await page.getByText('Jobs across all users').waitFor();
    await page.getByText('Success rate').waitFor();
    expect(page.url()).toMatch(/\/admin\/?$/);
    // The refresh token is kept for this tab only; the access token stays in memory.
    expect(await page.evaluate(() => sessionStorage.getItem('parlance.refreshToken'))).toBeTruthy();
    await shot('02-dashboard');
  }, TEST_TIMEOUT_MS);

  it('finds a user and deactivates them', async () => {
    const admin = await signInAsNewAdmin();
    const victim = await newUser('mallory');
    await page.getByRole('menuitem', { name: 'Users' }).click();
    await page.waitForURL(/\/admin\/users/);
    await page.getByText(admin.username).first().waitFor();
    await shot('03-users');

    await page.getByPlaceholder('Username or email').fill(victim.username);
    await poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByText(victim.email).waitFor();
    await page.locator('tbody tr').first().click();
    await page.waitForURL(/\/admin\/users\/usr_[0-9a-z]+\/show/);
    await page.getByRole('button', { name: 'Deactivate' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Deactivate ${victim.username}?`).waitFor();
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await notification().getByText(`${victim.username} is deactivated`).waitFor();
    await page.getByRole('button', { name: 'Activate' }).waitFor();
    await shot('04-user-deactivated');

    const stored = await t.deps.db.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(stored.isActive).toBe(false);
    const me = await t.gql(`{ me { id } }`, {}, { token: victim.accessToken });
    expect(me.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // The user's tabs: keys (none) and quota.
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByText('No API keys.').waitFor();
    await page.getByRole('tab', { name: 'Quota & usage' }).click();
    await page.getByText('Monthly quota (UTC month)').waitFor();
  }, TEST_TIMEOUT_MS);

  it('sets a quota from the edit form', async () => {
    await signInAsNewAdmin();
    const speaker = await newUser('sam');
    await page.goto(`${base}/admin/users/${speaker.id}/edit`);
    const quota = page.getByLabel('Monthly quota (minutes)');
    await quota.fill('120');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/show$/);
    await page.getByRole('tab', { name: 'Quota & usage' }).click();
    await page.getByText('120 minutes').waitFor();
    await shot('05-user-quota');
    const stored = await t.deps.db.user.findUniqueOrThrow({ where: { id: speaker.id } });
    expect(stored.monthlyAudioMinutes).toBe(120);
  }, TEST_TIMEOUT_MS);

  it('shows a running job live: status, progress and the transcript growing chunk by chunk', async () => {
    await signInAsNewAdmin();
    const speaker = await newUser('sam');
    const submitted = await submitFile(t, speaker.accessToken, speech.wavPath, { provider: 'LOCAL' }, { filename: 'standup.wav' });
    const jobId = submitted.data!.createTranscriptionJob.id as string;

    // Count what arrives over the console's WebSocket.
    const frames: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));

    const listenersBefore = t.deps.subscriber!.listenerCount();
    await page.goto(`${base}/admin/jobs/${jobId}/show`);
    await page.getByTestId('job-status').getByText('QUEUED').waitFor();
    await page.getByTestId('transcript-empty').waitFor();
    // Both subscriptions are running once the server listens on their topics: jobUpdated on the
    // job's topic, transcriptChunks on the job's and its chunks' topics.
    await poll(() => frames.some((frame) => frame.includes('"connection_ack"'))).toBe(true);
    await poll(() => t.deps.subscriber!.listenerCount()).toBeGreaterThanOrEqual(listenersBefore + 3);
    // Every number of segments the page shows, recorded in the page as the DOM changes.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { segmentCounts: number[] }).segmentCounts = seen;
      const record = () => {
        const count = document.querySelectorAll('[data-testid="segment"]').length;
        if (seen.at(-1) !== count) seen.push(count);
      };
      record();
      new MutationObserver(record).observe(document.body, { childList: true, subtree: true });
    });

    await startRunner();
    await page.getByTestId('segment').first().waitFor({ timeout: 180_000 });
    await shot('06-job-running');
    await page.getByTestId('job-status').getByText(/COMPLETED|FAILED/).waitFor({ timeout: 180_000 });
    const status = await page.getByTestId('job-status').textContent();
    if (status?.includes('FAILED')) throw new Error(`the job failed: ${await page.locator('.MuiAlert-message').allTextContents()}`);
    await page.getByText('100%').waitFor();
    const stored = await t.deps.db.transcriptSegment.count({ where: { jobId } });
    expect(stored).toBeGreaterThan(0);
    await poll(() => page.getByTestId('segment').count()).toBe(stored);
    const counts = await page.evaluate(() => (window as unknown as { segmentCounts: number[] }).segmentCounts);
    // It grew: more than one non-empty size was on screen before the end.
    expect(counts.filter((count) => count > 0).length, `segment counts seen: ${counts.join(', ')}`).toBeGreaterThan(1);
    // And the pieces came over the subscription.
    expect(frames.filter((frame) => frame.includes('"transcriptChunks"')).length).toBeGreaterThan(1);
    expect(frames.some((frame) => frame.includes('"jobUpdated"') && frame.includes('PROCESSING'))).toBe(true);
    const transcript = (await page.getByTestId('transcript').textContent())!.toLowerCase();
    expect(transcript).toMatch(/weather|tomorrow|project|thank/);
    await shot('07-job-completed');

    // The downloads are fetched with the token and saved.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download SRT' }).click()]);
    expect(download.suggestedFilename()).toBe('standup.srt');
    const srt = await readFile((await download.path())!, 'utf8');
    expect(srt).toMatch(/^1\r?\n00:00:\d\d,\d{3} --> /);
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
    expect(JSON.parse(await readFile((await json.path())!, 'utf8'))).toMatchObject({ segments: expect.any(Array) });
  }, 420_000);

  it('lists jobs with filters, also by creation date', async () => {
    await signInAsNewAdmin();
    const speaker = await newUser('sam');
    const recent = `${unique('standup')}.wav`;
    const archived = `${unique('archive')}.wav`;
    // A recent job, and an older one (seeded with its creation time) for the date filter to single out.
    await t.deps.db.job.create({
      data: { id: newId('Job'), ownerId: speaker.id, status: 'COMPLETED', provider: 'LOCAL', filename: archived, progress: 1, createdAt: new Date('2025-01-15T10:00:00Z') },
    });
    await t.deps.db.job.create({
      data: { id: newId('Job'), ownerId: speaker.id, status: 'COMPLETED', provider: 'LOCAL', filename: recent, progress: 1 },
    });
    await page.goto(`${base}/admin/jobs`);
    await page.getByText(recent).waitFor();
    await page.getByText(archived).waitFor();
    await page.locator('tbody tr').first().getByText('COMPLETED').waitFor();
    await shot('08-jobs');

    await page.getByLabel('Created from').fill('2025-01-01');
    await page.getByLabel('Created before').fill('2025-02-01');
    await poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.locator('tbody tr').first().getByText(archived).waitFor();
    expect(await page.getByText(recent).count()).toBe(0);
    expect(decodeURIComponent(page.url())).toContain('"createdBefore":"2025-02-01"');
    await shot('08b-jobs-by-date');
  }, TEST_TIMEOUT_MS);

  it('lists every user\'s webhooks with their owner, and only the operator\'s with the toggle off', async () => {
    await signInAsNewAdmin();
    const speaker = await newUser('sam');
    const url = `https://hooks.example.com/${speaker.username}`;
    const sealed = t.deps.box.seal('whsec_console', speaker.id);
    await t.deps.db.webhookEndpoint.create({
      data: {
        id: newId('WebhookEndpoint'),
        ownerId: speaker.id,
        url,
        events: ['job.completed'],
        secretCiphertext: sealed.ciphertext,
        secretNonce: sealed.nonce,
        masterKeyId: sealed.masterKeyId,
      },
    });
    await page.getByRole('menuitem', { name: 'Webhooks' }).click();
    await page.waitForURL(/\/admin\/webhooks/);
    const row = page.locator('tbody tr').filter({ hasText: url });
    await row.getByText(speaker.username, { exact: true }).waitFor();
    await shot('16-webhooks-all-users');
    await page.getByLabel('All users').click();
    await page.getByText('Webhooks you created and those of projects you own or administer.').waitFor();
    await poll(() => row.count()).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('loads the usage chart and tables', async () => {
    await signInAsNewAdmin();
    const speaker = await newUser('sam');
    await t.deps.db.usageRecord.create({
      data: { id: newId('UsageRecord'), userId: speaker.id, provider: 'LOCAL', audioSeconds: 42, costUsd: 0 },
    });
    await page.getByRole('menuitem', { name: 'Usage' }).click();
    await page.waitForURL(/\/admin\/usage/);
    const chart = page.getByTestId('usage-chart');
    await chart.locator('.recharts-bar-rectangle').first().waitFor();
    await page.getByTestId('usage-by-provider').getByText('LOCAL').waitFor();
    await page.getByTestId('usage-by-user').getByText(speaker.username).waitFor();
    await shot('09-usage');
  }, TEST_TIMEOUT_MS);

  it('browses projects and the audit log', async () => {
    const admin = await signInAsNewAdmin();
    const owner = await newUser('sam');
    const project = await newProject(owner);
    await page.getByRole('menuitem', { name: 'Projects' }).click();
    await page.getByText(project.name).click();
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByRole('main').getByText('OWNER', { exact: true }).waitFor();
    await shot('10-project');
    await page.getByRole('tab', { name: 'Review queue' }).click();
    await page.getByTestId('recordings-empty').getByText('Nothing to review.').waitFor();

    // Something for the audit log: the operator deactivates a user through the API.
    const victim = await newUser('mallory');
    const deactivated = await t.gql(
      `mutation ($id: ID!) { setUserActive(userId: $id, active: false) { id isActive } }`,
      { id: victim.id },
      { token: admin.accessToken },
    );
    expect(deactivated.errors).toBeUndefined();
    await page.getByRole('menuitem', { name: 'Audit log' }).click();
    await page.getByText('user.deactivated').first().waitFor();
    await shot('11-audit');
  }, TEST_TIMEOUT_MS);

  /** A member reads a prompt into the project through the live API; the runner makes it a recording. */
  async function recordReading(token: string, projectId: string, promptId: string, reading: SpeechFixture): Promise<string> {
    const pcm = parseWav(await readFile(reading.wavPath)).data;
    return waitForRecording(t, await recordPrompt(t, token, { projectId, promptId }, pcm));
  }

  it('reviews recordings in the project review queue and exports the approved ones', async () => {
    const admin = await signInAsNewAdmin();
    const speaker = await newUser('sam');
    const reader = await newUser('rita');
    const projectId = (await newProject(speaker)).id;
    // The project's OWNER (sam) adds a prompt; rita, a CONTRIBUTOR, reads it twice: once right,
    // once a different sentence (a high word error rate: suspicious).
    const added = await t.gql(`mutation ($p: ID!, $texts: [String!]!) { addPrompts(projectId: $p, texts: $texts) { id text } }`, {
      p: projectId,
      texts: [PROMPT],
    }, { token: speaker.accessToken });
    const promptId = added.data!.addPrompts[0].id as string;
    await t.deps.db.projectMember.create({ data: { projectId, userId: reader.id, role: 'CONTRIBUTOR' } });
    await startRunner();
    const seeded = Date.now();
    const good = await recordReading(reader.accessToken, projectId, promptId, promptReading);
    const wrong = await recordReading(reader.accessToken, projectId, promptId, wrongReading);
    console.log(`console e2e: two recordings seeded through the live API in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    // The operator is a site admin but not (yet) a member of the project.
    await page.goto(`${base}/admin/projects/${projectId}/show/review`);
    await page.getByText('you are not a member').waitFor();
    const cards = page.getByTestId('recording');
    await poll(() => cards.count()).toBe(2);
    // The most suspicious first, flagged with the check that failed and the word error rate.
    expect(await cards.first().getAttribute('data-recording-id')).toBe(wrong);
    const wrongCard = page.locator(`[data-recording-id="${wrong}"]`);
    const goodCard = page.locator(`[data-recording-id="${good}"]`);
    expect(await wrongCard.getAttribute('data-suspicious')).toBe('true');
    await wrongCard.getByTestId('suspicious').waitFor();
    expect(await wrongCard.getByTestId('failed-check').allTextContents()).toContainEqual(expect.stringMatching(/^High word error rate \(\d+%\)$/));
    expect(await goodCard.getAttribute('data-suspicious')).toBe('false');
    expect(await goodCard.getByTestId('prompt-text').textContent()).toBe(PROMPT);
    expect((await goodCard.getByTestId('recognised-text').textContent())!.toLowerCase()).toMatch(/call|tomorrow|morning/);
    expect(await goodCard.getByTestId('wer').textContent()).toMatch(/^\d+%$/);
    expect(await goodCard.getByText(reader.username).count()).toBeGreaterThan(0);

    // The player: the light Ogg/Opus file with the subtitles as a track, both signed links relative to the
    // app's own origin (so they work whatever host name the app is opened on).
    const audio = goodCard.getByTestId('recording-audio');
    expect(await audio.getAttribute('preload')).toBe('none');
    const audioSrc = (await audio.getAttribute('src'))!;
    const trackSrc = (await audio.locator('track').getAttribute('src'))!;
    expect(audioSrc.startsWith('/sessions/')).toBe(true);
    expect(await audio.locator('track').getAttribute('kind')).toBe('subtitles');
    const fetched = await page.evaluate(
      async ([audioUrl, trackUrl]) => {
        const sound = await fetch(audioUrl);
        const bytes = new Uint8Array(await sound.arrayBuffer());
        const subtitles = await fetch(trackUrl);
        return {
          status: sound.status,
          type: sound.headers.get('content-type'),
          magic: String.fromCharCode(...bytes.slice(0, 4)),
          size: bytes.length,
          trackStatus: subtitles.status,
          vtt: await subtitles.text(),
        };
      },
      [audioSrc, trackSrc] as const,
    );
    expect(fetched).toMatchObject({ status: 200, type: 'audio/ogg', magic: 'OggS', trackStatus: 200 });
    expect(fetched.size).toBeGreaterThan(1000);
    expect(fetched.vtt).toMatch(/^WEBVTT/);
    // Chromium decodes the Ogg/Opus file: it plays (muted) past its first half second.
    const played = await audio.evaluate(async (element: HTMLAudioElement) => {
      element.muted = true;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`still at ${element.currentTime} s`)), 60_000);
        element.addEventListener('timeupdate', () => {
          if (element.currentTime > 0.5) {
            clearTimeout(timer);
            resolve();
          }
        });
        element.addEventListener('error', () => reject(new Error(`media error ${element.error?.code}: ${element.error?.message}`)), { once: true });
        element.play().catch(reject);
      });
      element.pause();
      element.currentTime = 0;
      return { currentTime: element.currentTime, textTracks: element.textTracks.length, mode: element.textTracks[0]?.mode ?? null };
    });
    expect(played).toMatchObject({ textTracks: 1, mode: 'showing' });
    await shot('13-review-queue');

    // Not a member: the API refuses the decision, and the console says why.
    await goodCard.getByRole('button', { name: 'Approve' }).click();
    await notification().getByText('You are not a member of this project.').waitFor();
    // And nothing is approved yet: no export.
    await page.getByRole('tab', { name: 'Exports' }).click();
    await page.getByTestId('exports-empty').waitFor();
    await page.getByRole('button', { name: 'Start export' }).click();
    await notification().getByText('Nothing to export').waitFor();

    // As a REVIEWER of the project the operator approves the good reading, with a note.
    await t.deps.db.projectMember.create({ data: { projectId, userId: admin.id, role: 'REVIEWER' } });
    await page.goto(`${base}/admin/projects/${projectId}/show/review`);
    await poll(() => cards.count()).toBe(2);
    expect(await page.getByText('you are not a member').count()).toBe(0);
    await goodCard.getByLabel('Note (optional)').fill('Clear and complete.');
    await goodCard.getByRole('button', { name: 'Approve' }).click();
    await notification().getByText('Recording approved').waitFor();
    // It leaves the pending queue; the suspicious one waits.
    await poll(() => cards.count()).toBe(1);
    expect(await cards.first().getAttribute('data-recording-id')).toBe(wrong);
    await page.getByRole('button', { name: 'Approved', exact: true }).click();
    await goodCard.waitFor();
    await poll(() => cards.count()).toBe(1);
    await goodCard.getByTestId('review-status').getByText('APPROVED').waitFor();
    expect(await goodCard.getByTestId('review-info').textContent()).toMatch(new RegExp(`^Approved by ${admin.username} .*Clear and complete\\.`));
    await shot('14-recording-approved');

    const stored = await t.gql(
      `query ($id: ID!) { node(id: $id) { ... on Recording { reviewStatus reviewNote reviewedBy { id } reviewedAt } } }`,
      { id: good },
      { token: speaker.accessToken },
    );
    expect(stored.data?.node).toMatchObject({ reviewStatus: 'APPROVED', reviewNote: 'Clear and complete.', reviewedBy: { id: admin.id } });
    expect(stored.data?.node.reviewedAt).toBeTruthy();

    // The export: started in the console, followed until the archive can be downloaded.
    await page.getByRole('tab', { name: 'Exports' }).click();
    await page.getByTestId('exports-empty').waitFor();
    await page.getByRole('button', { name: 'Start export' }).click();
    await notification().getByText(/Export of 1 approved recording/).waitFor();
    const row = page.getByTestId('export-row').first();
    await row.waitFor();
    const link = row.getByRole('link', { name: 'Download' });
    await link.waitFor({ timeout: 240_000 });
    await row.getByTestId('export-status').getByText('COMPLETED').waitFor();
    await row.getByText('100%').waitFor();
    await shot('15-export-completed');
    const href = (await link.getAttribute('href'))!;
    expect(href.startsWith('/exports/')).toBe(true); // relative to the app's origin
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const tar = await readFile((await download.path())!);
    expect(tar.subarray(0, 'manifest.jsonl'.length).toString('ascii')).toBe('manifest.jsonl');
    expect(tar.subarray(257, 262).toString('ascii')).toBe('ustar');
    const manifestSize = parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim(), 8);
    const manifest = tar
      .subarray(512, 512 + manifestSize)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(manifest).toHaveLength(1);
    expect(JSON.stringify(manifest[0])).toContain(PROMPT);
  }, 600_000);

  it('shows API errors as readable notifications, not blank pages', async () => {
    await signInAsNewAdmin();
    // The server refuses the search (BAD_USER_INPUT): its message is what the operator reads.
    await page.goto(`${base}/admin/jobs?filter=${encodeURIComponent(JSON.stringify({ q: 'x'.repeat(300) }))}`);
    await notification().getByText('search is too long').waitFor();
    await page.getByRole('menuitem', { name: 'Users' }).waitFor();
    await shot('12-error');
    // A row that does not exist: a notification, and back to the list.
    await page.goto(`${base}/admin/users/usr_00000000000000000000000000/show`);
    await notification().waitFor();
    expect((await notification().textContent())?.trim().length).toBeGreaterThan(0);
    await page.getByRole('menuitem', { name: 'Users' }).waitFor();
  }, TEST_TIMEOUT_MS);

  it('logs out and forgets the session', async () => {
    await signInAsNewAdmin();
    const refresh = await page.evaluate(() => sessionStorage.getItem('parlance.refreshToken'));
    await page.getByRole('button', { name: 'Profile' }).click();
    await page.getByRole('menuitem', { name: 'Logout' }).click();
    await page.waitForURL(/\/admin\/login/);
    expect(await page.evaluate(() => sessionStorage.getItem('parlance.refreshToken'))).toBeNull();
    const reuse = await t.gql(`mutation ($r: String!) { refreshSession(refreshToken: $r) { accessToken } }`, { r: refresh });
    expect(reuse.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refresh).toBeTruthy();
  }, TEST_TIMEOUT_MS);
}
