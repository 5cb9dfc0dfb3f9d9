// The transcript view in the web app, end to end: a real LOCAL job (flite speech, PocketSphinx, a
// real job runner), the real build served by the real server, driven in headless Chromium. The user
// plays their job and watches the lit word move, clicks a word to seek, searches, names a speaker,
// corrects a segment and downloads an SRT carrying the correction. Screenshots go to
// tests/output/transcript/ for a person to look at.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/transcript');
const TEST_TIMEOUT_MS = 300_000;
const SENTENCES = ['the weather is nice today in the city', 'please call me tomorrow morning', 'we need more time to finish the project'];

describeInChromium('transcript view in Chromium', transcriptViewSuite);

function transcriptViewSuite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 50 });

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-transcript-'));
    speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'speech.wav'), { voice: 'rms' });
    t = await createTestApp({}, { runner: true });
    base = await t.listen();
    t.deps.env.publicUrl = base;
    // The player is started by the test, not by a person's click.
    await web.launch(['--autoplay-policy=no-user-gesture-required']);
  }, 300_000);

  beforeEach(async () => {
    await web.open();
  });

  afterEach(async () => {
    await web.finish();
  });

  afterAll(async () => {
    await web.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A user with a COMPLETED LOCAL job whose segments carry two speakers. */
  async function userWithJob() {
    const user = await registerUser(t);
    const submitted = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL' });
    const id = submitted.data!.createTranscriptionJob.id as string;
    const job = await waitForJob(t, user.accessToken, id);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(job.segments.length).toBeGreaterThanOrEqual(2);
    // LOCAL does not diarize: label the segments as a diarizing engine would (first "1", then "2").
    for (const segment of job.segments as Array<{ index: number; words: object[] }>) {
      const speaker = segment.index === job.segments[0].index ? '1' : '2';
      await t.deps.db.transcriptSegment.update({
        where: { jobId_idx: { jobId: id, idx: segment.index } },
        data: { speaker, words: segment.words.map((w) => ({ ...w, speaker })) },
      });
    }
    return { user, id, segments: job.segments as Array<{ index: number; text: string; words: { word: string; start: number }[] }> };
  }

  /** Signs in and waits for the user's jobs, where every test here starts. */
  async function signInToMyJobs(login: string, password: string) {
    await signIn(page(), base, { login, password });
    await page().waitForURL(/\/admin\/myJobs/);
  }

  const player = () => page().getByTestId('player');
  const litWord = () => page().locator('[data-testid="word"][aria-current="true"]');
  const playerTime = () => player().evaluate((element) => (element as HTMLMediaElement).currentTime);

  it(
    'plays with the word lit, seeks by word, searches, names a speaker, corrects a segment and downloads the SRT',
    async () => {
      const { user, id, segments } = await userWithJob();
      await signInToMyJobs(user.username, user.password);
      await page().goto(`${base}/admin/myJobs/${encodeURIComponent(id)}/show`);
      await page().getByTestId('transcript-view').waitFor();
      await poll(() => page().getByTestId('word').count()).toBeGreaterThan(5);
      await poll(() => player().evaluate((element) => (element as HTMLMediaElement).readyState)).toBeGreaterThanOrEqual(1);
      await web.shots('01-transcript', SHOTS);

      // Playing: a word lights up, then the light moves on to a later word.
      await player().evaluate((element) => (element as HTMLMediaElement).play());
      await litWord().waitFor();
      const first = Number(await litWord().getAttribute('data-at'));
      await poll(async () => Number((await litWord().getAttribute('data-at')) ?? -1)).toBeGreaterThan(first);
      await web.shot('02-playing-desktop', SHOTS);
      await player().evaluate((element) => (element as HTMLMediaElement).pause());

      // Clicking a word moves the player there (and lights that word).
      const target = page().getByTestId('word').nth(8);
      const targetStart = Number(await target.getAttribute('data-start'));
      await target.click();
      await poll(async () => Math.abs((await playerTime()) - targetStart)).toBeLessThan(0.05);
      await poll(() => target.getAttribute('aria-current')).toBe('true');

      // Searching: every match lit, the current one stepped through with next/previous. The word
      // searched for is one the engine heard more than once ("the" in the fixture).
      const heard = segments.flatMap((segment) => segment.words.map((w) => w.word));
      const wanted = heard.find((word) => heard.filter((other) => other === word).length >= 2)!;
      expect(wanted, heard.join(' ')).toBeDefined();
      await page().getByRole('textbox', { name: 'Search the transcript' }).fill(wanted);
      await poll(() => page().getByTestId('search-count').textContent()).toMatch(/^1 of \d+$/);
      const total = Number((await page().getByTestId('search-count').textContent())!.split(' of ')[1]);
      expect(total).toBeGreaterThanOrEqual(2);
      await poll(() => page().locator('[data-testid="word"].match').count()).toBe(total - 1);
      const currentMatch = page().locator('[data-testid="word"].current-match');
      await poll(() => currentMatch.count()).toBe(1);
      expect(await currentMatch.textContent()).toContain(wanted);
      const firstMatchAt = await currentMatch.getAttribute('data-at');
      await page().getByRole('button', { name: 'Next match' }).click();
      await poll(() => page().getByTestId('search-count').textContent()).toBe(`2 of ${total}`);
      expect(await currentMatch.getAttribute('data-at')).not.toBe(firstMatchAt);
      await page().getByRole('button', { name: 'Previous match' }).click();
      await poll(() => page().getByTestId('search-count').textContent()).toBe(`1 of ${total}`);
      await poll(() => currentMatch.getAttribute('data-at')).toBe(firstMatchAt);
      await page().getByRole('textbox', { name: 'Search the transcript' }).fill('xylophone');
      await poll(() => page().getByTestId('search-count').textContent()).toBe('No matches');
      await page().getByRole('textbox', { name: 'Search the transcript' }).fill(wanted);
      await web.shots('03-search', SHOTS);
      await page().getByRole('textbox', { name: 'Search the transcript' }).fill('');

      // Naming a speaker: the chips and every segment of theirs show the name.
      await page().getByRole('button', { name: 'Rename Speaker 1' }).click();
      await page().getByRole('textbox', { name: 'Name for Speaker 1' }).fill('Alice');
      await page().getByRole('textbox', { name: 'Name for Speaker 1' }).press('Enter');
      await poll(() => page().getByTestId('speaker').allTextContents()).toEqual(['Alice', 'Speaker 2']);
      await poll(() => page().getByTestId('segment-speaker').first().textContent()).toBe('Alice');

      // Correcting the first segment: saved as revision 1, with who and when.
      const corrected = ['Zanzibar', ...segments[0].text.split(' ').slice(1)].join(' ');
      const firstSegment = page().getByTestId('segment').first();
      await firstSegment.getByRole('button', { name: 'Edit segment 1' }).click();
      await firstSegment.getByTestId('segment-editor').fill(corrected);
      await web.shots('04-editing', SHOTS);
      await firstSegment.getByRole('button', { name: 'Save' }).click();
      await poll(() => firstSegment.getByTestId('segment-text').textContent()).toContain('Zanzibar');
      await poll(() => firstSegment.getByTestId('segment-edited').textContent()).toContain(`Edited by ${user.username}`);
      await page().getByTestId('revision-history').getByRole('button').first().click();
      await poll(() => page().getByTestId('revision').count()).toBe(1);
      expect(await page().getByTestId('revision').first().textContent()).toContain(`Revision 1 · segment 1 · ${user.username}`);
      await web.shots('05-corrected', SHOTS);

      // The SRT download carries the correction and the speaker's name.
      const [download] = await Promise.all([
        page().waitForEvent('download'),
        page().getByRole('button', { name: 'Download SRT' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('speech.srt');
      const srt = await readFile((await download.path())!, 'utf8');
      expect(srt).toContain('Alice: Zanzibar');
      expect(srt).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> /);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "shows another user's job to nobody else",
    async () => {
      const { id } = await userWithJob();
      const other = await registerUser(t);
      await signInToMyJobs(other.username, other.password);
      await page().goto(`${base}/admin/myJobs/${encodeURIComponent(id)}/show`);
      // react-admin says the record is not there (the API answers null for a job one may not see).
      await page().locator('.MuiSnackbar-root').waitFor();
      await web.shot('06-other-user', SHOTS);
      expect(await page().getByTestId('transcript-view').count()).toBe(0);
      expect(await page().getByTestId('word').count()).toBe(0);
      expect(await page().locator('body').textContent()).not.toContain(SENTENCES[0].split(' ')[1]);
    },
    TEST_TIMEOUT_MS,
  );
}
