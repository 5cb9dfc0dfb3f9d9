// Summaries and questions in the web app, end to end: a job transcribed through the OpenAI protocol
// fake (flite speech, a real job runner), whose chat endpoint summarises and answers. In headless
// Chromium the owner opens the transcript page, presses Summarize, reads the summary, key points and
// action items, clicks an action item's time range and the player seeks there; then asks a question
// and clicks the answer's citation to play that segment. A job asked for with the new-job form's
// Summary switch shows its summary. Screenshots go to tests/output/summaries/.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer, type RecordedChat } from './fakes/openaiServer.ts';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/summaries');
const TEST_TIMEOUT_MS = 300_000;
const SENTENCES = [
  'Welcome to the planning meeting.',
  'We agreed to launch in March.',
  'Alice will send the budget by Friday.',
  'Bob will book the venue.',
  'Thanks everyone for coming.',
];

/** Segment lines "[id] 00:01-00:03 text" of a chat's user message. */
function segmentLines(chat: RecordedChat): Array<{ id: number; text: string }> {
  return (chat.user ?? '')
    .split('\n')
    .map((line) => /^\[(\d+)\] \S+ (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: Number(m[1]), text: m[2] }));
}

/** Summaries: a point per agreement, an action per "will"; questions: the lines with the question's last word. */
function chatModel(chat: RecordedChat): string {
  const lines = segmentLines(chat);
  if (/Question:/.test(chat.user ?? '')) {
    const topic = /Question: .*?(\w+)\?/.exec(chat.user ?? '')?.[1]?.toLowerCase() ?? '';
    const found = lines.filter((line) => line.text.toLowerCase().includes(topic));
    return JSON.stringify({ answer: `It says: ${found.map((l) => l.text).join(' ')}`, citations: found.map((l) => l.id) });
  }
  return JSON.stringify({
    summary: 'A short planning meeting about the launch.',
    keyPoints: lines.filter((l) => /agreed/.test(l.text)).map((l) => ({ text: `Agreed: ${l.text}`, segments: [l.id] })),
    actionItems: lines.filter((l) => / will /.test(l.text)).map((l) => ({ text: `To do: ${l.text}`, segments: [l.id] })),
  });
}

describeInChromium('summaries and questions in Chromium', summariesSuite);

function summariesSuite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  let openai: FakeOpenAIServer;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 50 });

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-summaries-'));
    speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'meeting.wav'));
    openai = await startFakeOpenAI({ apiKey: null });
    // Compact timings, so every segment lies within the spoken audio.
    openai.setTranscript(() => wordsFromText(SENTENCES.join(' '), { start: 0.3, wordSeconds: 0.2, gapSeconds: 0.05, pauseSeconds: 0.3 }));
    openai.setTranslator(chatModel);
    t = await createTestApp({ OPENAI_BASE_URL: openai.baseURL }, { runner: true });
    base = await t.listen();
    t.deps.env.publicUrl = base;
    await web.launch();
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
    await openai?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const player = () => page().getByTestId('player');
  const playerTime = () => player().evaluate((element) => (element as HTMLMediaElement).currentTime);

  it(
    'summarises on request, seeks to an action item, and answers a question with clickable citations',
    async () => {
      const user = await registerUser(t);
      const submitted = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'OPENAI' });
      expect(submitted.errors, submitted.raw).toBeUndefined();
      const id = submitted.data!.createTranscriptionJob.id as string;
      const job = await waitForJob(t, user.accessToken, id);
      expect(job.status, job.error).toBe('COMPLETED');
      const segments = job.segments as Array<{ index: number; start: number; end: number; text: string }>;
      expect(segments.map((s) => s.text)).toEqual(SENTENCES);

      await signIn(page(), base, { login: user.username, password: user.password });
      await page().waitForURL(/\/admin\/myJobs/);
      await page().goto(`${base}/admin/myJobs/${encodeURIComponent(id)}/show`);
      const panel = page().getByTestId('summary-panel');
      await panel.waitFor({ timeout: UI_TIMEOUT_MS });
      await poll(() => player().evaluate((element) => (element as HTMLMediaElement).readyState)).toBeGreaterThanOrEqual(1);
      expect(await panel.textContent()).toContain('No summary yet.');

      // Summarize: the job is summarised by the worker; the panel shows it when it is done.
      await panel.getByRole('button', { name: 'Summarize' }).click();
      await page().getByTestId('summary-text').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page().getByTestId('summary-text').textContent()).toBe('A short planning meeting about the launch.');
      expect(await page().getByTestId('summary-key-points').textContent()).toContain(`Agreed: ${SENTENCES[1]}`);
      const actions = page().getByTestId('summary-action-items').locator('li');
      await poll(() => actions.count()).toBe(2);
      expect(await actions.nth(1).textContent()).toContain(`To do: ${SENTENCES[3]}`);
      await web.shots('01-summary', SHOTS);

      // An action item's time range seeks the player to the start of its segment.
      await actions.nth(1).getByRole('button').click();
      await poll(async () => Math.abs((await playerTime()) - segments[3].start)).toBeLessThan(0.05);

      // Ask: the answer with its citation; clicking the citation plays that segment.
      await page().getByRole('textbox', { name: 'Question' }).fill('Who sends the budget?');
      await page().getByTestId('ask-transcript').getByRole('button', { name: 'Ask' }).click();
      const answer = page().getByTestId('answer');
      await answer.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await answer.textContent()).toContain(`It says: ${SENTENCES[2]}`);
      const citations = page().getByTestId('citations').locator('li');
      await poll(() => citations.count()).toBe(1);
      expect(await citations.first().textContent()).toContain(SENTENCES[2]);
      await citations.first().getByRole('button').click();
      await poll(async () => Math.abs((await playerTime()) - segments[2].start)).toBeLessThan(0.05);
      await web.shots('02-answer', SHOTS);

      // An empty question is not sent.
      await page().getByRole('textbox', { name: 'Question' }).fill('   ');
      expect(await page().getByTestId('ask-transcript').getByRole('button', { name: 'Ask' }).isDisabled()).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the new-job form asks for a summary, which the job page shows once the job is done',
    async () => {
      const user = await registerUser(t);
      await signIn(page(), base, { login: user.username, password: user.password });
      await page().goto(`${base}/admin/myJobs/create`);
      const filename = `summary-${Date.now().toString(36)}.wav`;
      await page().getByTestId('file-input').setInputFiles({ name: filename, mimeType: 'audio/wav', buffer: await readFile(speech.wavPath) });
      await page().getByTestId('upload-item').getByText(filename).waitFor();
      await page().getByLabel('Engines, in order').click();
      await page().getByRole('option', { name: /OpenAI/ }).click();
      await page().keyboard.press('Escape');
      await page().getByLabel('Summary (key points and action items)').check();
      await page().getByRole('button', { name: 'Transcribe' }).click();
      await page().waitForURL(/\/admin\/myJobs$/, { timeout: UI_TIMEOUT_MS });
      const { id, summaryRequested } = await t.deps.db.job.findFirstOrThrow({ where: { filename }, select: { id: true, summaryRequested: true } });
      expect(summaryRequested).toBe(true);

      await page().goto(`${base}/admin/myJobs/${encodeURIComponent(id)}/show`);
      await page().getByTestId('summary-text').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page().getByTestId('summary-text').textContent()).toBe('A short planning meeting about the launch.');
      expect(await page().getByTestId('summary-panel').getByRole('button', { name: 'Summarize again' }).isVisible()).toBe(true);
      expect(await page().getByTestId('summary-stale').count()).toBe(0);

      // A correction after the summary: the panel says the summary predates it.
      const edited = await t.gql(
        `mutation ($input: EditTranscriptSegmentInput!) { editTranscriptSegment(input: $input) { revision } }`,
        { input: { jobId: id, segmentIndex: 3, text: 'Bob will book the hall.', expectedRevision: 0 } },
        { token: user.accessToken },
      );
      expect(edited.errors, edited.raw).toBeUndefined();
      await page().reload();
      await page().getByTestId('summary-stale').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await page().getByTestId('summary-stale').textContent()).toBe('Made before the latest corrections: summarize again to include them.');
    },
    TEST_TIMEOUT_MS,
  );
}
