// The web app's vocabulary (README, "Vocabulary and context"): a user creates, edits and deletes a
// vocabulary set on the Vocabulary page (terms one per line; a repeated term is refused with the
// server's words), chooses it with a context prompt on the new-job form, and the job page shows what
// LOCAL applied once the job is done; a project OWNER makes a project set a default on the project page.
// The Live page: a set and a context prompt chosen before a live session starts (Chromium's fake
// microphone plays a flite reading), the session keeps exactly those terms, and the page shows them,
// the name heard, and what LOCAL applied.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const TEST_TIMEOUT_MS = 300_000;
const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/webAppVocabulary');

describeInChromium('web app vocabulary in Chromium', suite);

function suite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  const page = () => web.page;

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-vocabulary-'));
    speech = await makeSpeechFixture(['please call Tarkindale tomorrow morning'], path.join(dir, 'speech.wav'));
    // Chromium loops the file: the long tail ends each reading's utterance before the next one.
    const microphone = await makeSpeechFixture(['please call Tarkindale tomorrow morning'], path.join(dir, 'microphone.wav'), {
      leadSeconds: 0.5,
      tailSeconds: 6,
      noise: 0.0003,
    });
    t = await createTestApp({}, { runner: true });
    base = await t.listen();
    t.deps.env.publicUrl = base;
    await web.launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${microphone.wavPath}`]);
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

  const setsOf = (userId: string) => t.deps.db.vocabularySet.findMany({ where: { ownerId: userId }, select: { id: true, name: true, terms: true } });

  it('manages a set, uses it on a new job with a context prompt, and shows what LOCAL applied', async () => {
    const user = await registerUser(t);
    await signIn(page(), base, { login: user.username, password: user.password });
    await page().goto(`${base}/admin/vocabulary`);
    const create = page().getByRole('form', { name: 'New vocabulary set' });
    await create.getByLabel('Name').fill('Names');
    await create.getByLabel('Terms, one per line').fill('Tarkindale\nQxzv\ntarkindale');
    await create.getByRole('button', { name: 'Create set' }).click();
    await page().getByText('Line 3 repeats line 1').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await setsOf(user.id)).toEqual([]);

    await create.getByLabel('Terms, one per line').fill('Tarkindale\nQxzv');
    await create.getByRole('button', { name: 'Create set' }).click();
    await page().getByTestId('vocabulary-set-row').getByText('Tarkindale, Qxzv').waitFor({ timeout: UI_TIMEOUT_MS });

    await page().getByTestId('vocabulary-set-row').getByRole('button', { name: 'Edit' }).click();
    const edit = page().getByRole('form', { name: 'Edit Names' });
    await edit.getByLabel('Terms, one per line').fill('Tarkindale\nQxzv\ntomorrow');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page().getByTestId('vocabulary-set-row').getByText('Tarkindale, Qxzv, tomorrow').waitFor({ timeout: UI_TIMEOUT_MS });
    const [stored] = await setsOf(user.id);
    expect(stored).toMatchObject({ name: 'Names', terms: ['Tarkindale', 'Qxzv', 'tomorrow'] });
    await web.shots('vocabulary-sets', SHOTS);

    await page().goto(`${base}/admin/myJobs/create`);
    const filename = `vocabulary-${Date.now().toString(36)}.wav`;
    await page().getByTestId('file-input').setInputFiles({ name: filename, mimeType: 'audio/wav', buffer: await readFile(speech.wavPath) });
    await page().getByTestId('upload-item').getByText(filename).waitFor();
    await page().getByLabel('Engines, in order').click();
    await page().getByRole('option', { name: /Local engine/ }).click();
    await page().keyboard.press('Escape');
    await page().getByLabel('Vocabulary sets').click();
    await page().getByRole('option', { name: /Names/ }).click();
    await page().keyboard.press('Escape');
    await page().getByLabel('Context prompt').fill('A phone message.');
    await web.shots('new-job-vocabulary', SHOTS);
    await page().getByRole('button', { name: 'Transcribe' }).click();
    await page().waitForURL(/\/admin\/myJobs$/, { timeout: UI_TIMEOUT_MS });

    const job = await t.deps.db.job.findFirstOrThrow({ where: { filename } });
    expect(job).toMatchObject({ vocabularyTerms: ['Tarkindale', 'Qxzv', 'tomorrow'], contextPrompt: 'A phone message.' });
    await waitFor(
      `job ${job.id} to complete`,
      async () => (await t.deps.db.job.findUnique({ where: { id: job.id }, select: { status: true } }))?.status === 'COMPLETED',
      180_000,
      200,
    );
    await page().goto(`${base}/admin/myJobs/${job.id}/show`);
    const applied = page().getByTestId('vocabulary-applied');
    await applied.getByText('LOCAL: 1 applied').waitFor({ timeout: UI_TIMEOUT_MS });
    await applied.getByText('Applied: Tarkindale').waitFor();
    await applied.getByText(/Not applied: Qxzv/).waitFor();
    await applied.getByText('Context prompt not passed').waitFor();
    await page().getByText(/call Tarkindale tomorrow/).first().waitFor({ timeout: UI_TIMEOUT_MS });
    await web.shots('job-vocabulary', SHOTS);

    await page().goto(`${base}/admin/vocabulary`);
    await page().getByTestId('vocabulary-set-row').getByRole('button', { name: 'Delete' }).click();
    await page().getByRole('button', { name: 'Delete', exact: true }).last().click();
    await page().getByText('No vocabulary sets yet.').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await setsOf(user.id)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it("makes a project set one of the project's default sets", async () => {
    const owner = await registerUser(t);
    const created = await t.gql(`mutation { createProject(input: { name: "Vocabulary project" }) { id } }`, {}, { token: owner.accessToken });
    expect(created.errors, created.raw).toBeUndefined();
    const projectId = created.data!.createProject.id as string;
    await signIn(page(), base, { login: owner.username, password: owner.password });
    await page().goto(`${base}/admin/projects/${projectId}/show/vocabulary`);
    const create = page().getByRole('form', { name: 'New vocabulary set' });
    await create.getByLabel('Name').fill('Team');
    await create.getByLabel('Terms, one per line').fill('Winterbeck');
    await create.getByRole('button', { name: 'Create set' }).click();
    await page().getByTestId('vocabulary-set-row').getByText('Winterbeck').waitFor({ timeout: UI_TIMEOUT_MS });
    // Controlled by the server's answer: checked once the change is saved and the list read again.
    await page().getByLabel('Default: Team').click();
    await waitFor(
      'the set to become a default',
      async () => (await t.deps.db.vocabularySet.findFirst({ where: { projectId, name: 'Team' } }))?.projectDefault === true,
      UI_TIMEOUT_MS,
      100,
    );
    await page().locator('input[aria-label="Default: Team"]:checked').waitFor({ timeout: UI_TIMEOUT_MS });
    await web.shots('project-vocabulary', SHOTS);
  }, TEST_TIMEOUT_MS);

  it('starts a live session with the sets and context prompt chosen on the Live page, and shows them and what LOCAL applied', async () => {
    const user = await registerUser(t);
    const createSet = async (name: string, terms: string[]) => {
      const created = await t.gql(
        `mutation ($input: CreateVocabularySetInput!) { createVocabularySet(input: $input) { id } }`,
        { input: { name, terms } },
        { token: user.accessToken },
      );
      expect(created.errors, created.raw).toBeUndefined();
    };
    await createSet('Callers', ['Tarkindale', 'Qxzv']);
    await createSet('Unused', ['Winterbeck']);
    await signIn(page(), base, { login: user.username, password: user.password });
    await page().getByRole('menuitem', { name: 'Live' }).click();
    await page().getByTestId('level-meter').waitFor({ timeout: UI_TIMEOUT_MS });
    await page().getByLabel('Vocabulary sets').click();
    await page().getByRole('option', { name: /Callers/ }).click();
    await page().keyboard.press('Escape');
    await page().getByLabel('Context prompt').fill('A phone message.');
    await page().getByRole('button', { name: 'Start' }).click();
    await page().getByRole('button', { name: 'Stop' }).waitFor({ timeout: UI_TIMEOUT_MS });

    const session = await t.deps.db.liveSession.findFirstOrThrow({ where: { ownerId: user.id } });
    expect(session).toMatchObject({ status: 'ACTIVE', vocabularyTerms: ['Tarkindale', 'Qxzv'], contextPrompt: 'A phone message.' });
    const card = page().getByTestId('live-vocabulary');
    await card.getByText('Terms: Tarkindale, Qxzv').waitFor({ timeout: UI_TIMEOUT_MS });
    await card.getByText('Context prompt: A phone message.').waitFor();
    // The reading loops: a whole one comes round within one loop (about 9 s) of the start.
    await page().getByTestId('live-text').getByText(/Tarkindale/).waitFor({ timeout: 90_000 });
    await web.shots('live-vocabulary', SHOTS);

    await page().getByRole('button', { name: 'Stop' }).click();
    await page().getByTestId('live-session-transcript').getByText(/Tarkindale/).waitFor({ timeout: UI_TIMEOUT_MS });
    const applied = card.getByTestId('vocabulary-applied');
    await applied.getByText('LOCAL: 1 applied').waitFor({ timeout: UI_TIMEOUT_MS });
    await applied.getByText('Applied: Tarkindale').waitFor();
    await applied.getByText(/Not applied: Qxzv/).waitFor();
    const ended = await t.deps.db.liveSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(ended.status).not.toBe('ACTIVE');
    expect(await t.deps.db.liveSession.count({ where: { ownerId: user.id } })).toBe(1);
    await web.shots('live-session-ended', SHOTS);
  }, TEST_TIMEOUT_MS);
}
