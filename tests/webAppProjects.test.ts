// A project's members and prompts in the web app (headless Chromium, the real build and server):
// an OWNER who is not a site admin invites by email, changes a role, removes a member and adds
// prompts in bulk; a CONTRIBUTOR sees the same tabs read-only. Screenshots in tests/output/projects/.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/projects');
const TEST_TIMEOUT_MS = 240_000;
const PROMPTS = ['the weather is nice today', 'please call me tomorrow morning', 'we need more time to finish the project'];

describeInChromium('project members and prompts in Chromium', projectsSuite);

function projectsSuite() {
  let t: TestApp;
  let base: string;
  const web = webAppBrowser();
  let page: Page;
  let made = 0;
  const unique = (prefix: string) => `${prefix}${process.pid}x${++made}`;

  beforeAll(async () => {
    assertWebAppBuilt();
    t = await createTestApp();
    base = await t.listen();
    t.deps.env.publicUrl = base;
    await web.launch();
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
  });

  const notification = () => page.locator('.MuiSnackbar-root');
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });

  async function newUser(prefix: string) {
    const username = unique(prefix);
    return registerUser(t, { username, email: `${username}@example.com` });
  }

  /** A project of `owner` with members in the given roles (written directly, as accepted invitations would). */
  async function newProject(owner: { accessToken: string }, members: { id: string; role: 'ADMIN' | 'CONTRIBUTOR' | 'REVIEWER' }[]) {
    const name = unique('Corpus ');
    const created = await t.gql(`mutation ($name: String!) { createProject(input: { name: $name }) { id } }`, { name }, { token: owner.accessToken });
    const id = created.data!.createProject.id as string;
    for (const member of members) await t.deps.db.projectMember.create({ data: { projectId: id, userId: member.id, role: member.role } });
    return { id, name };
  }

  async function openProject(name: string) {
    await page.getByRole('menuitem', { name: 'Projects' }).click();
    await page.getByRole('link', { name }).click();
  }

  const memberRow = (username: string) => page.locator(`[data-testid="member"][data-username="${username}"]`);

  it('an OWNER invites, changes a role, removes a member and adds prompts in bulk', async () => {
    const owner = await newUser('olga');
    const bob = await newUser('bob');
    const carl = await newUser('carl');
    const project = await newProject(owner, [
      { id: bob.id, role: 'CONTRIBUTOR' },
      { id: carl.id, role: 'CONTRIBUTOR' },
    ]);
    await signIn(page, base, { login: owner.username, password: owner.password });
    await openProject(project.name);
    await page.getByRole('tab', { name: 'Members' }).click();
    await memberRow(bob.username).waitFor();

    // Invite by email.
    const invitee = `${unique('dana')}@example.com`;
    await page.getByTestId('invite-email').fill(invitee);
    await page.getByTestId('invite-role').click();
    await page.getByRole('option', { name: 'REVIEWER' }).click();
    await page.getByRole('button', { name: 'Invite' }).click();
    await notification().getByText(`Invitation sent to ${invitee} as REVIEWER`).waitFor();
    const invitation = await t.deps.db.projectInvitation.findFirstOrThrow({ where: { projectId: project.id, email: invitee } });
    expect(invitation.role).toBe('REVIEWER');
    expect(await t.deps.db.outboxEmail.count({ where: { to: invitee } })).toBe(1);

    // Change bob's role.
    await memberRow(bob.username).getByRole('combobox', { name: `Role of ${bob.username}` }).click();
    await page.getByRole('option', { name: 'REVIEWER' }).click();
    await notification().getByText(`${bob.username} is now REVIEWER`).waitFor();
    await poll(async () => (await t.deps.db.projectMember.findUniqueOrThrow({ where: { projectId_userId: { projectId: project.id, userId: bob.id } } })).role).toBe('REVIEWER');

    // Remove carl (with a confirmation).
    await memberRow(carl.username).getByRole('button', { name: `Remove ${carl.username}` }).click();
    await memberRow(carl.username).getByRole('button', { name: `Yes, remove ${carl.username}` }).click();
    await notification().getByText(`${carl.username} was removed`).waitFor();
    await memberRow(carl.username).waitFor({ state: 'detached' });
    expect(await t.deps.db.projectMember.count({ where: { projectId: project.id, userId: carl.id } })).toBe(0);
    // The owner is the last OWNER: no role menu or remove button is offered on their own row.
    expect(await memberRow(owner.username).getByRole('combobox').count()).toBe(0);
    await web.shots('01-members-owner', SHOTS);

    // Three prompts pasted at once (blank lines and spaces are dropped).
    await page.getByRole('tab', { name: 'Prompts' }).click();
    await page.getByTestId('prompts-input').fill(`${PROMPTS[0]}\n\n  ${PROMPTS[1]}  \n${PROMPTS[2]}\n`);
    await page.getByRole('button', { name: 'Add 3 prompts' }).click();
    await notification().getByText('Added 3 prompts').waitFor();
    for (const text of PROMPTS) await page.getByRole('cell', { name: text }).waitFor();
    const stored = await t.deps.db.prompt.findMany({ where: { projectId: project.id }, orderBy: { id: 'asc' } });
    expect(stored.map((prompt) => prompt.text)).toEqual(PROMPTS);
    await page.getByRole('columnheader', { name: 'Approved' }).waitFor();
    await web.shots('02-prompts-owner', SHOTS);
  }, TEST_TIMEOUT_MS);

  it('a CONTRIBUTOR sees members and prompts read-only', async () => {
    const owner = await newUser('olga');
    const cara = await newUser('cara');
    const rita = await newUser('rita');
    const project = await newProject(owner, [
      { id: cara.id, role: 'CONTRIBUTOR' },
      { id: rita.id, role: 'REVIEWER' },
    ]);
    const added = await t.gql(`mutation ($p: ID!, $texts: [String!]!) { addPrompts(projectId: $p, texts: $texts) { id } }`, { p: project.id, texts: PROMPTS }, { token: owner.accessToken });
    expect(added.errors, added.raw).toBeUndefined();

    await signIn(page, base, { login: cara.username, password: cara.password });
    await openProject(project.name);
    // No review queue or exports for a contributor; a way to record instead.
    await page.getByRole('tab', { name: 'Members' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Review queue' }).count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Exports' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Record' }).first().waitFor();

    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByTestId('members-read-only').waitFor();
    await memberRow(rita.username).waitFor();
    expect(await page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    expect(await page.getByTestId('member-role-select').count()).toBe(0);
    expect(await memberRow(rita.username).getByRole('button').count()).toBe(0);
    // Their own row offers to leave, nothing else.
    await memberRow(cara.username).getByRole('button', { name: 'Leave the project' }).waitFor();
    await web.shots('03-members-contributor', SHOTS);

    await page.getByRole('tab', { name: 'Prompts' }).click();
    await page.getByTestId('prompts-read-only').waitFor();
    for (const text of PROMPTS) await page.getByRole('cell', { name: text }).waitFor();
    expect(await page.getByTestId('prompts-input').count()).toBe(0);
    await web.shots('04-prompts-contributor', SHOTS);

    // And the API agrees: the contributor may not add prompts.
    const refused = await t.gql(`mutation ($p: ID!) { addPrompts(projectId: $p, texts: ["one more"]) { id } }`, { p: project.id }, { token: cara.accessToken });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }, TEST_TIMEOUT_MS);
}
