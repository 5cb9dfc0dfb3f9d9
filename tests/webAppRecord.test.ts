// The Record screen and the review queue end to end, in headless Chromium with a fake microphone
// that plays a flite reading of the prompt (Chromium loops the file), the real LOCAL engine and a
// job runner: a contributor records by keyboard only (a take discarded with "Record again", then
// one submitted), the interim text shows while they read, the recording lands in the review queue
// with a low word error rate, and a REVIEWER (not a site admin) approves it by keyboard only.
// Also the clear messages: no prompts, microphone refused. Screenshots in tests/output/record/.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { makeSpeechFixture, wordErrorRate } from './helpers/speech.ts';
import { waitFor } from './helpers/wait.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/record');
const PROMPT = 'please call me tomorrow morning';
const TEST_TIMEOUT_MS = 400_000;
/** The meter's 0..100: above LOUD the fake microphone is speaking, below QUIET it is in its pause. */
const LOUD = 40;
const QUIET = 20;
/** A pause this long is the long tail after the sentence (the gaps between words are far shorter). */
const QUIET_WINDOW_MS = 1_000;

describeInChromium('Record and review in Chromium', recordSuite);

function recordSuite() {
  let t: TestApp;
  let base: string;
  let dir: string;
  let fakeMicrophoneWav: string;
  const web = webAppBrowser();
  let page: Page;
  let made = 0;
  const unique = (prefix: string) => `${prefix}${process.pid}x${++made}`;

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-record-'));
    // The prompt, then a long pause (the loop's gap, where a take starts), nearly silent noise. Chromium
    // loops the file: the pause is what a take has, after the reading, to show the server's final text
    // and be stopped before the reading comes round again (6 s was too short on a loaded machine).
    const reading = await makeSpeechFixture([PROMPT], path.join(dir, 'prompt.wav'), { voice: 'rms', leadSeconds: 0.5, tailSeconds: 20, noise: 0.0003 });
    fakeMicrophoneWav = reading.wavPath;
    t = await createTestApp({}, { runner: true });
    base = await t.listen();
    t.deps.env.publicUrl = base;
    await web.launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${fakeMicrophoneWav}`]);
  }, 300_000);

  beforeEach(async () => {
    page = await web.open();
  });

  afterEach(async () => {
    await web.finish();
  });

  afterAll(async () => {
    await web.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function newUser(prefix: string) {
    const username = unique(prefix);
    return registerUser(t, { username, email: `${username}@example.com` });
  }

  /** A project owned by a new user, with `prompts`, and members in the given roles. */
  async function newProject(prompts: string[], members: { id: string; role: 'CONTRIBUTOR' | 'REVIEWER' }[]) {
    const owner = await newUser('olga');
    const name = unique('Read-aloud ');
    const created = await t.gql(`mutation ($name: String!) { createProject(input: { name: $name }) { id } }`, { name }, { token: owner.accessToken });
    const id = created.data!.createProject.id as string;
    if (prompts.length) {
      const added = await t.gql(`mutation ($p: ID!, $texts: [String!]!) { addPrompts(projectId: $p, texts: $texts) { id } }`, { p: id, texts: prompts }, { token: owner.accessToken });
      expect(added.errors, added.raw).toBeUndefined();
    }
    for (const member of members) await t.deps.db.projectMember.create({ data: { projectId: id, userId: member.id, role: member.role } });
    return { id, name, owner };
  }

  /** What has keyboard focus: its text (or label) and test id. */
  const focused = () =>
    page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return {
        // textContent, not innerText: buttons show their label upper-cased (CSS).
        text: (element?.textContent || element?.getAttribute('aria-label') || '').trim(),
        tag: element?.tagName ?? null,
        testId: element?.dataset.testid ?? null,
        recordingId: element?.dataset.recordingId ?? null,
        focusVisible: !!element?.matches(':focus-visible'),
      };
    });

  /** Presses Tab until the focused element matches; fails after `max` presses. */
  async function tabTo(what: string, matches: (focus: Awaited<ReturnType<typeof focused>>) => boolean, max = 80) {
    for (let presses = 0; presses < max; presses += 1) {
      const focus = await focused();
      if (matches(focus)) return focus;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${what}; focus is on ${JSON.stringify(await focused())}`);
  }

  /**
   * Waits on the level meter for the fake microphone's next reading to finish: loud (speech), then
   * quiet for QUIET_WINDOW_MS (the long pause after it), so a take started now begins in silence.
   */
  const nextPause = () =>
    page.evaluate(
      ({ loud, quiet, windowMs, timeoutMs }) =>
        new Promise<void>((resolve, reject) => {
          const meter = document.querySelector<HTMLElement>('[data-testid="level-meter"]');
          if (!meter) return reject(new Error('no level meter'));
          let heard = false;
          let quietSince = 0;
          const deadline = Date.now() + timeoutMs;
          const check = () => {
            const level = Number(meter.dataset.level);
            if (level > loud) heard = true;
            if (level >= quiet) quietSince = 0;
            else if (heard && !quietSince) quietSince = performance.now();
            if (heard && quietSince && performance.now() - quietSince >= windowMs) return resolve();
            if (Date.now() > deadline) return reject(new Error(`the meter never showed a reading then a pause (level ${level})`));
            requestAnimationFrame(check);
          };
          check();
        }),
      { loud: LOUD, quiet: QUIET, windowMs: QUIET_WINDOW_MS, timeoutMs: UI_TIMEOUT_MS },
    );

  it('a contributor records by keyboard, sees the interim text, submits; a reviewer approves it by keyboard', async () => {
    const cara = await newUser('cara');
    const rita = await newUser('rita');
    const project = await newProject([PROMPT], [
      { id: cara.id, role: 'CONTRIBUTOR' },
      { id: rita.id, role: 'REVIEWER' },
    ]);

    // ---- the contributor, keyboard only from the menu on
    await signIn(page, base, { login: cara.username, password: cara.password });
    await tabTo('the Record menu entry', (focus) => focus.tag === 'A' && focus.text === 'Record');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/record$/);
    await tabTo('the project', (focus) => focus.text.startsWith(project.name));
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/admin/record/${project.id}$`));
    expect(await page.getByTestId('prompt').textContent()).toBe(PROMPT);
    await page.getByTestId('level-meter').waitFor();
    await page.getByText('None yet.').waitFor();
    await web.shots('01-record-ready', SHOTS);

    // A first take, stopped at once and thrown away with "Record again": nothing is kept of it.
    await tabTo('the Record button', (focus) => focus.tag === 'BUTTON' && focus.text === 'Record');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Stop' }).waitFor();
    expect((await focused()).text).toBe('Stop');
    await page.keyboard.press('Enter');
    await page.getByTestId('playback').waitFor();
    expect((await focused()).text).toBe('Submit');
    const discarded = await t.deps.db.liveSession.findMany({ where: { ownerId: cara.id } });
    expect(discarded).toHaveLength(1);
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Record again');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Record' }).waitFor();
    await waitFor('the discarded session gone', async () => (await t.deps.db.liveSession.count({ where: { ownerId: cara.id } })) === 0, UI_TIMEOUT_MS);
    expect(await page.getByTestId('prompt').textContent()).toBe(PROMPT);

    // The real take: started in the pause after a reading, so it holds exactly one reading.
    await nextPause();
    expect((await focused()).text).toBe('Record');
    expect((await focused()).focusVisible).toBe(true);
    await page.keyboard.press('Enter');
    // Watched from now on: the reading this take holds, then the pause after it.
    const readingDone = nextPause();
    await page.getByRole('button', { name: 'Stop' }).waitFor();
    // While they read, the server's interim text shows up.
    const interim = page.getByTestId('interim-text');
    await expect.poll(async () => (await interim.textContent())?.trim() ?? '', { timeout: UI_TIMEOUT_MS, interval: 50 }).not.toBe('');
    const interimSeen = (await interim.textContent())!.trim();
    await web.shot('02-recording-interim-desktop', SHOTS);
    await readingDone;
    await page.getByTestId('live-text').getByText(/morning/).waitFor();
    expect((await focused()).text).toBe('Stop');
    await page.keyboard.press('Enter');
    await page.getByTestId('playback').waitFor();
    // The take plays back in the browser (WebM/Opus from MediaRecorder).
    const playable = await page.getByTestId('playback').evaluate(
      (element: HTMLAudioElement) =>
        new Promise<number>((resolve, reject) => {
          if (element.readyState >= 1) return resolve(element.readyState);
          element.addEventListener('loadedmetadata', () => resolve(element.readyState), { once: true });
          element.addEventListener('error', () => reject(new Error(`media error ${element.error?.code}`)), { once: true });
        }),
    );
    expect(playable).toBeGreaterThanOrEqual(1);
    await web.shots('03-record-listen-back', SHOTS);
    expect((await focused()).text).toBe('Submit');
    await page.keyboard.press('Enter');
    await page.getByTestId('submitted').waitFor();
    await page.getByTestId('all-prompts-read').waitFor();
    // Their recording appears with its review status once the worker has aggregated it.
    const mine = page.getByTestId('my-recording');
    await mine.first().waitFor({ timeout: 180_000 });
    await mine.first().getByTestId('my-recording-status').getByText('PENDING').waitFor();
    await web.shots('04-record-submitted', SHOTS);

    const session = await t.deps.db.liveSession.findFirstOrThrow({ where: { ownerId: cara.id }, include: { recording: true } });
    expect(session.encoding).toBe('WEBM_OPUS');
    const recording = session.recording!;
    expect(recording.reviewStatus).toBe('PENDING');
    const checks = await t.gql(`query ($id: ID!) { node(id: $id) { ... on Recording { recognisedText checks { wordErrorRate } prompt { text } } } }`, { id: recording.id }, { token: cara.accessToken });
    const node = checks.data!.node;
    console.log(`record e2e: interim "${interimSeen}", recognised "${node.recognisedText}", WER ${node.checks.wordErrorRate}`);
    expect(node.prompt.text).toBe(PROMPT);
    expect(node.checks.wordErrorRate).toBeLessThanOrEqual(0.3);
    expect(wordErrorRate(PROMPT, node.recognisedText)).toBeLessThanOrEqual(0.3);

    // ---- the reviewer (not a site admin), keyboard only: Projects, the project, its review queue, A.
    await web.finish();
    page = await web.open();
    await signIn(page, base, { login: rita.username, password: rita.password });
    await tabTo('the Projects menu entry', (focus) => focus.text === 'Projects');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/projects$/);
    await tabTo('the project', (focus) => focus.text === project.name);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/admin/projects/${project.id}/show`));
    // Tabs are one stop in the tab order (the selected one); the arrow keys move between them.
    await tabTo('the selected tab', (focus) => focus.text === 'Summary');
    for (let presses = 0; (await focused()).text !== 'Review queue'; presses += 1) {
      if (presses > 6) throw new Error('ArrowRight never reached the Review queue tab');
      await page.keyboard.press('ArrowRight');
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/show\/review$/);
    const card = page.locator(`[data-recording-id="${recording.id}"]`);
    await card.waitFor();
    expect(await page.getByText("you are not a member").count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Exports' }).count()).toBe(0);
    const onCard = await tabTo('the recording', (focus) => focus.recordingId === recording.id);
    expect(onCard.focusVisible).toBe(true);
    await web.shots('05-review-queue-reviewer', SHOTS);
    await page.keyboard.press('a');
    await page.locator('.MuiSnackbar-root').getByText('Recording approved').waitFor();
    await page.getByTestId('recordings-empty').getByText('Nothing to review.').waitFor();
    const reviewed = await t.deps.db.recording.findUniqueOrThrow({ where: { id: recording.id } });
    expect(reviewed).toMatchObject({ reviewStatus: 'APPROVED', reviewedBy: rita.id });
  }, TEST_TIMEOUT_MS);

  it('keeps a take through a lost connection and resends from nextSeq', async () => {
    // The server side of the app's graphql-ws socket: dropped, and refused while `blocked`.
    let blocked = false;
    const upgraded = new Set<import('node:stream').Duplex>();
    const onUpgrade = (_request: unknown, socket: import('node:stream').Duplex) => {
      if (blocked) socket.destroy();
      else upgraded.add(socket);
    };
    t.app.server.prependListener('upgrade', onUpgrade);
    try {
      const cara = await newUser('cara');
      const project = await newProject([PROMPT], [{ id: cara.id, role: 'CONTRIBUTOR' }]);
      await signIn(page, base, { login: cara.username, password: cara.password });
      await page.goto(`${base}/admin/record/${project.id}`);
      await page.getByTestId('level-meter').waitFor();
      await page.keyboard.press('Tab'); // a key press wakes the meter after a page load
      await nextPause();
      await page.getByRole('button', { name: 'Record' }).click();
      const readingDone = nextPause();
      await page.getByRole('button', { name: 'Stop' }).waitFor();
      blocked = true;
      for (const socket of upgraded) socket.destroy();
      await page.getByTestId('connection-lost').getByText('The connection to the server was lost.').waitFor();
      await web.shot('08-record-connection-lost-desktop', SHOTS);
      blocked = false;
      await page.getByTestId('connection-lost').waitFor({ state: 'detached' });
      await readingDone;
      await page.getByRole('button', { name: 'Stop' }).click();
      await page.getByTestId('playback').waitFor();
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.getByTestId('submitted').waitFor();
      const session = await t.deps.db.liveSession.findFirstOrThrow({ where: { ownerId: cara.id } });
      const recording = await waitFor(
        'the recording',
        async () => t.deps.db.recording.findFirst({ where: { sessionId: session.id } }),
        180_000,
      );
      console.log(`record e2e (connection lost): recognised "${recording.recognisedText}"`);
      expect(wordErrorRate(PROMPT, recording.recognisedText)).toBeLessThanOrEqual(0.3);
    } finally {
      t.app.server.removeListener('upgrade', onUpgrade);
    }
  }, TEST_TIMEOUT_MS);

  it('discardLiveSession: only the owner drops an active session, nothing once it has ended', async () => {
    const cara = await newUser('cara');
    const other = await newUser('otto');
    const start = async () =>
      (await t.gql(`mutation { startLiveSession(input: { provider: LOCAL, encoding: PCM_S16LE, sampleRate: 16000 }) { id } }`, {}, { token: cara.accessToken })).data!
        .startLiveSession.id as string;
    const discard = (id: string, token: string) => t.gql(`mutation ($id: ID!) { discardLiveSession(id: $id) }`, { id }, { token });
    const kept = await start();
    // Someone else's session answers like a missing one.
    expect((await discard(kept, other.accessToken)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const audio = await t.gql(`mutation ($id: ID!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: 0, chunk: $chunk) }`, { id: kept, chunk: Buffer.alloc(3200).toString('base64') }, { token: cara.accessToken });
    expect(audio.data?.appendLiveAudio, audio.raw).toBe(true);
    expect((await discard(kept, cara.accessToken)).data?.discardLiveSession).toBe(true);
    expect(await t.deps.db.liveSession.count({ where: { id: kept } })).toBe(0);
    expect(await t.deps.db.usageRecord.count({ where: { userId: cara.id } })).toBe(0);
    // An ended session is on its way to review: too late to discard.
    const ended = await start();
    await t.gql(`mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id: ended }, { token: cara.accessToken });
    expect((await discard(ended, cara.accessToken)).errors?.[0]?.extensions?.code).toBe('CONFLICT');
  }, TEST_TIMEOUT_MS);

  it('says so when the project has no prompts', async () => {
    const cara = await newUser('cara');
    const project = await newProject([], [{ id: cara.id, role: 'CONTRIBUTOR' }]);
    await signIn(page, base, { login: cara.username, password: cara.password });
    await page.goto(`${base}/admin/record/${project.id}`);
    await page.getByTestId('no-prompts').getByText('This project has no prompts to read yet.').waitFor();
    expect(await page.getByRole('button', { name: 'Record' }).count()).toBe(0);
    await web.shots('06-record-no-prompts', SHOTS);
  }, TEST_TIMEOUT_MS);

  it('says so when the microphone is refused, and offers to try again', async () => {
    // A browser without the fake permission prompt: Chromium refuses the microphone.
    const refusing = webAppBrowser();
    await refusing.launch(['--use-fake-device-for-media-stream']);
    try {
      const cara = await newUser('cara');
      const project = await newProject([PROMPT], [{ id: cara.id, role: 'CONTRIBUTOR' }]);
      const own = await refusing.open();
      const previous = page;
      page = own;
      try {
        await signIn(page, base, { login: cara.username, password: cara.password });
        await page.goto(`${base}/admin/record/${project.id}`);
        const message = page.getByTestId('microphone-refused');
        await message.getByText(/Microphone access was refused/).waitFor();
        expect(await page.getByRole('button', { name: 'Record' }).isDisabled()).toBe(true);
        await message.getByRole('button', { name: 'Try again' }).waitFor();
        await refusing.shots('07-record-microphone-refused', SHOTS);
      } finally {
        page = previous;
        await refusing.finish();
      }
    } finally {
      await refusing.close();
    }
  }, TEST_TIMEOUT_MS);
}
