// The operations console end to end: the real build (admin/dist) served by the real server,
// driven in headless Chromium (Debian's, through playwright-core). Screenshots of the main
// screens go to tests/output/console/ for a person to look at.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobRunner, type JobRunner } from '../jobs/runner.ts';
import { newId } from '../server/ids.ts';
import { parseWav } from '../server/providers/local/wav.ts';
import { submitFile } from './helpers/jobs.ts';
import { recordPrompt, waitForRecording } from './helpers/recital.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = new URL('..', import.meta.url).pathname;
const DIST_INDEX = path.join(root, 'admin/dist/index.html');
const SHOTS = path.join(root, 'tests/output/console');
const haveChromium = existsSync(CHROMIUM);
/** The prompt read aloud into the project's review queue. */
const PROMPT = 'please call me tomorrow morning';

if (!haveChromium) {
  describe('console in Chromium', () => {
    it.skip(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does)`, () => {});
  });
} else {
  describe('console in Chromium', consoleSuite);
}

function consoleSuite() {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let runner: JobRunner | null = null;
  let dir: string;
  let speech: SpeechFixture;
  /** One sentence read aloud for the review queue: the prompt itself, and a wrong sentence. */
  let promptReading: SpeechFixture;
  let wrongReading: SpeechFixture;
  let projectId: string;
  let admin: Awaited<ReturnType<typeof registerUser>>;
  let victim: Awaited<ReturnType<typeof registerUser>>;
  let speaker: Awaited<ReturnType<typeof registerUser>>;
  let outsider: Awaited<ReturnType<typeof registerUser>>;
  let reader: Awaited<ReturnType<typeof registerUser>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(DIST_INDEX)) {
      throw new Error('admin/dist is missing: run `npm run admin:build` (npm install runs it too) before the console tests.');
    }
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
    // Small chunks, so the transcript arrives in several pieces. No job runner yet: the test
    // starts one once the page is watching.
    t = await createTestApp({ CHUNK_SECONDS: '3' });
    base = await t.listen();
    // The API's links (signed audio, subtitles, archives) are built on PUBLIC_URL: the address the
    // browser uses, so they are same-origin for the console as in production (<track> needs that).
    t.deps.env.publicUrl = base;
    admin = await registerUser(t, { username: 'opsadmin' });
    await makeAdmin(t, admin.id);
    victim = await registerUser(t, { username: 'mallory', email: 'mallory@example.com' });
    speaker = await registerUser(t, { username: 'sam' });
    outsider = await registerUser(t, { username: 'olive' });
    reader = await registerUser(t, { username: 'rita' });
    const created = await t.gql(
      `mutation { createProject(input: { name: "Read-aloud corpus", description: "Crowd recordings of prompts" }) { id } }`,
      {},
      { token: speaker.accessToken },
    );
    projectId = created.data!.createProject.id;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1360, height: 880 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => { if (process.env.CONSOLE_DEBUG) console.log('[browser]', message.type(), message.text()); });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const notification = () => page.locator('.MuiSnackbar-root');

  async function signIn(login: string, password: string) {
    await page.goto(`${base}/admin/`);
    await page.waitForURL(/\/admin\/login/);
    await page.locator('input[name="username"]').fill(login);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('refuses a user who is not an admin, saying why', async () => {
    await signIn(outsider.username, outsider.password);
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/for administrators only, and olive is not one/);
    await shot('01-login-refused');
    expect(page.url()).toMatch(/\/admin\/login$/);
    expect(await page.evaluate(() => sessionStorage.getItem('parlance.refreshToken'))).toBeNull();
  });

  it('lets an admin in to the dashboard', async () => {
    await signIn(admin.email, admin.password);
    await page.getByText('Jobs across all users').waitFor();
    await page.getByText('Success rate').waitFor();
    expect(page.url()).toMatch(/\/admin\/?$/);
    // The refresh token is kept for this tab only; the access token stays in memory.
    expect(await page.evaluate(() => sessionStorage.getItem('parlance.refreshToken'))).toBeTruthy();
    await shot('02-dashboard');
  });

  it('finds a user and deactivates them', async () => {
    await page.getByRole('menuitem', { name: 'Users' }).click();
    await page.waitForURL(/\/admin\/users/);
    await page.getByText(admin.username).first().waitFor();
    await shot('03-users');

    await page.getByPlaceholder('Username or email').fill('mall');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByText('mallory@example.com').waitFor();
    await page.locator('tbody tr').first().click();
    await page.waitForURL(/\/admin\/users\/usr_[0-9a-z]+\/show/);
    await page.getByRole('button', { name: 'Deactivate' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Deactivate mallory?').waitFor();
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await notification().getByText('mallory is deactivated').waitFor();
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
  });

  it('sets a quota from the edit form', async () => {
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
  });

  it('shows a running job live: status, progress and the transcript growing chunk by chunk', async () => {
    const submitted = await submitFile(t, speaker.accessToken, speech.wavPath, { provider: 'LOCAL' }, { filename: 'standup.wav' });
    const jobId = submitted.data!.createTranscriptionJob.id as string;

    // Count what arrives over the console's WebSocket.
    const frames: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));

    await page.goto(`${base}/admin/jobs/${jobId}/show`);
    await page.getByTestId('job-status').getByText('QUEUED').waitFor();
    await page.getByTestId('transcript-empty').waitFor();
    // Both subscriptions are running once the server has acknowledged the socket.
    await expect.poll(() => frames.some((frame) => frame.includes('"connection_ack"')), { timeout: 10_000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));

    runner = await startJobRunner({ connectionString: t.databaseUrl, concurrency: 1, deps: t.deps, pollInterval: 100 });
    const counts: number[] = [];
    const deadline = Date.now() + 90_000;
    let midShot = false;
    for (;;) {
      const count = await page.getByTestId('segment').count();
      if (counts.at(-1) !== count) counts.push(count);
      if (!midShot && count > 0) {
        await page.getByTestId('job-status').getByText('PROCESSING').waitFor({ timeout: 5_000 }).catch(() => undefined);
        await shot('06-job-running');
        midShot = true;
      }
      const status = await page.getByTestId('job-status').textContent();
      if (status?.includes('COMPLETED')) break;
      if (status?.includes('FAILED')) throw new Error(`the job failed: ${await page.locator('.MuiAlert-message').allTextContents()}`);
      if (Date.now() > deadline) throw new Error(`the job did not finish; segment counts seen: ${counts.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.getByText('100%').waitFor();
    await expect.poll(() => page.getByTestId('segment').count()).toBeGreaterThan(0);
    const finalCount = await page.getByTestId('segment').count();
    const stored = await t.deps.db.transcriptSegment.count({ where: { jobId } });
    expect(finalCount).toBe(stored);
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
  }, 120_000);

  it('lists jobs with filters, also by creation date', async () => {
    // An older job (seeded with its creation time) for the date filter to single out.
    await t.deps.db.job.create({
      data: { id: newId('Job'), ownerId: speaker.id, status: 'COMPLETED', provider: 'LOCAL', filename: 'archive.wav', progress: 1, createdAt: new Date('2025-01-15T10:00:00Z') },
    });
    await page.goto(`${base}/admin/jobs`);
    await page.getByText('standup.wav').waitFor();
    await page.getByText('archive.wav').waitFor();
    await page.locator('tbody tr').first().getByText('COMPLETED').waitFor();
    await shot('08-jobs');

    await page.getByLabel('Created from').fill('2025-01-01');
    await page.getByLabel('Created before').fill('2025-02-01');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.locator('tbody tr').first().getByText('archive.wav').waitFor();
    expect(await page.getByText('standup.wav').count()).toBe(0);
    expect(decodeURIComponent(page.url())).toContain('"createdBefore":"2025-02-01"');
    await shot('08b-jobs-by-date');
  });

  it('lists every user\'s webhooks with their owner, and only the operator\'s with the toggle off', async () => {
    const sealed = t.deps.box.seal('whsec_console', speaker.id);
    await t.deps.db.webhookEndpoint.create({
      data: {
        id: newId('WebhookEndpoint'),
        ownerId: speaker.id,
        url: 'https://hooks.example.com/sam',
        events: ['job.completed'],
        secretCiphertext: sealed.ciphertext,
        secretNonce: sealed.nonce,
        masterKeyId: sealed.masterKeyId,
      },
    });
    await page.getByRole('menuitem', { name: 'Webhooks' }).click();
    await page.waitForURL(/\/admin\/webhooks/);
    const row = page.locator('tbody tr').filter({ hasText: 'https://hooks.example.com/sam' });
    await row.getByText('sam', { exact: true }).waitFor();
    await shot('16-webhooks-all-users');
    await page.getByLabel('All users').click();
    await page.getByText('Webhooks you created and those of projects you own or administer.').waitFor();
    await expect.poll(() => row.count()).toBe(0);
  });

  it('loads the usage chart and tables', async () => {
    await page.getByRole('menuitem', { name: 'Usage' }).click();
    await page.waitForURL(/\/admin\/usage/);
    const chart = page.getByTestId('usage-chart');
    await chart.locator('.recharts-bar-rectangle').first().waitFor();
    await page.getByTestId('usage-by-provider').getByText('LOCAL').waitFor();
    await page.getByTestId('usage-by-user').getByText('sam').waitFor();
    await shot('09-usage');
  });

  it('browses projects and the audit log', async () => {
    await page.getByRole('menuitem', { name: 'Projects' }).click();
    await page.getByText('Read-aloud corpus').click();
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByRole('main').getByText('OWNER').waitFor();
    await shot('10-project');
    await page.getByRole('tab', { name: 'Review queue' }).click();
    await page.getByTestId('recordings-empty').getByText('Nothing to review.').waitFor();

    await page.getByRole('menuitem', { name: 'Audit log' }).click();
    await page.getByText('user.deactivated').first().waitFor();
    await shot('11-audit');
  });

  /** A member reads a prompt into the project through the live API; the runner makes it a recording. */
  async function recordReading(token: string, promptId: string, reading: SpeechFixture): Promise<string> {
    const pcm = parseWav(await readFile(reading.wavPath)).data;
    return waitForRecording(t, await recordPrompt(t, token, { projectId, promptId }, pcm));
  }

  it('reviews recordings in the project review queue and exports the approved ones', async () => {
    // The project's OWNER (sam) adds a prompt; rita, a CONTRIBUTOR, reads it twice: once right,
    // once a different sentence (a high word error rate: suspicious).
    const added = await t.gql(`mutation ($p: ID!, $texts: [String!]!) { addPrompts(projectId: $p, texts: $texts) { id text } }`, {
      p: projectId,
      texts: [PROMPT],
    }, { token: speaker.accessToken });
    const promptId = added.data!.addPrompts[0].id as string;
    await t.deps.db.projectMember.create({ data: { projectId, userId: reader.id, role: 'CONTRIBUTOR' } });
    runner ??= await startJobRunner({ connectionString: t.databaseUrl, concurrency: 1, deps: t.deps, pollInterval: 100 });
    const seeded = Date.now();
    const good = await recordReading(reader.accessToken, promptId, promptReading);
    const wrong = await recordReading(reader.accessToken, promptId, wrongReading);
    console.log(`console e2e: two recordings seeded through the live API in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    // The operator is a site admin but not (yet) a member of the project.
    await page.goto(`${base}/admin/projects/${projectId}/show/review`);
    await page.getByText('you are not a member').waitFor();
    const cards = page.getByTestId('recording');
    await expect.poll(() => cards.count()).toBe(2);
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
    expect(await goodCard.getByText('rita').count()).toBeGreaterThan(0);

    // The player: the light Ogg/Opus file with the subtitles as a track, both signed, same-origin links.
    const audio = goodCard.getByTestId('recording-audio');
    expect(await audio.getAttribute('preload')).toBe('none');
    const audioSrc = (await audio.getAttribute('src'))!;
    const trackSrc = (await audio.locator('track').getAttribute('src'))!;
    expect(audioSrc.startsWith(`${base}/sessions/`)).toBe(true);
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
        const timer = setTimeout(() => reject(new Error(`still at ${element.currentTime} s`)), 15_000);
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
    await expect.poll(() => cards.count()).toBe(2);
    expect(await page.getByText('you are not a member').count()).toBe(0);
    await goodCard.getByLabel('Note (optional)').fill('Clear and complete.');
    await goodCard.getByRole('button', { name: 'Approve' }).click();
    await notification().getByText('Recording approved').waitFor();
    // It leaves the pending queue; the suspicious one waits.
    await expect.poll(() => cards.count()).toBe(1);
    expect(await cards.first().getAttribute('data-recording-id')).toBe(wrong);
    await page.getByRole('button', { name: 'Approved', exact: true }).click();
    await goodCard.waitFor();
    await expect.poll(() => cards.count()).toBe(1);
    await goodCard.getByTestId('review-status').getByText('APPROVED').waitFor();
    expect(await goodCard.getByTestId('review-info').textContent()).toMatch(/^Approved by opsadmin .*Clear and complete\./);
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
    await link.waitFor({ timeout: 90_000 });
    await row.getByTestId('export-status').getByText('COMPLETED').waitFor();
    await row.getByText('100%').waitFor();
    await shot('15-export-completed');
    const href = (await link.getAttribute('href'))!;
    expect(href.startsWith(`${base}/exports/`)).toBe(true);
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
  }, 300_000);

  it('shows API errors as readable notifications, not blank pages', async () => {
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
  });

  it('logs out and forgets the session', async () => {
    const refresh = await page.evaluate(() => sessionStorage.getItem('parlance.refreshToken'));
    await page.getByRole('button', { name: 'Profile' }).click();
    await page.getByRole('menuitem', { name: 'Logout' }).click();
    await page.waitForURL(/\/admin\/login/);
    expect(await page.evaluate(() => sessionStorage.getItem('parlance.refreshToken'))).toBeNull();
    const reuse = await t.gql(`mutation ($r: String!) { refreshSession(refreshToken: $r) { accessToken } }`, { r: refresh });
    expect(reuse.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(pageErrors).toEqual([]);
  });
}
