// Projects: members and roles (every cell of the README's matrix, recordings, reviews and exports
// included), invitations by email through a loopback SMTP server and through the outbox, prompts,
// project jobs, node visibility and deleting a project. The recital itself (live sessions, checks,
// review, export archive) is in recital.test.ts.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectRole } from '../server/db/db.ts';
import { newId } from '../server/ids.ts';
import { sha256Hex } from '../server/security/tokens.ts';
import { startSmtpMailbox, type SmtpMailbox } from './helpers/smtpMailbox.ts';
import { createTestApp, makeAdmin, registerUser, verifyEmailDirectly, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';
import { ok } from './helpers/gqlResult.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

const SMTP_CREDENTIALS = { user: 'mailer', pass: 's3cret pass' };
const MEDIA_HOST = 'media.projects.test';
// Shared by the two apps on one database (with and without SMTP), which must open the same signing key.
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

let smtp: SmtpMailbox;
let t: TestApp;
let base: string;
let owner: User;
let owner2: User;
let admin: User;
let contributor: User;
let contributor2: User;
let reviewer: User;
let outsider: User;
let siteAdmin: User;

beforeAll(async () => {
  smtp = await startSmtpMailbox({ credentials: SMTP_CREDENTIALS });
  t = await createTestApp({
    ENCRYPTION_KEY,
    SMTP_URL: smtp.url(SMTP_CREDENTIALS),
    SMTP_FROM: 'Parlance <noreply@parlance.test>',
    // Jobs in these tests are only queued (no runner): a server key and an allow-listed URL host
    // let them be submitted without media or network.
    OPENAI_API_KEY: 'sk-test-not-used',
    URL_FETCH_ALLOW_HOSTS: MEDIA_HOST,
  });
  [owner, owner2, admin, contributor, contributor2, reviewer, outsider, siteAdmin] = await Promise.all(
    Array.from({ length: 8 }, () => registerUser(t)),
  );
  await makeAdmin(t, siteAdmin.id);
  base = await t.listen();
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

/** A project with every role filled: two owners, an admin, two contributors, a reviewer. */
async function seedProject(name = `Project ${Math.random().toString(36).slice(2, 8)}`) {
  const id = newId('Project');
  await t.deps.db.project.create({ data: { id, name, createdBy: owner.id } });
  const roles: [User, ProjectRole][] = [
    [owner, 'OWNER'],
    [owner2, 'OWNER'],
    [admin, 'ADMIN'],
    [contributor, 'CONTRIBUTOR'],
    [contributor2, 'CONTRIBUTOR'],
    [reviewer, 'REVIEWER'],
  ];
  await t.deps.db.projectMember.createMany({ data: roles.map(([user, role]) => ({ projectId: id, userId: user.id, role })) });
  return { id, name };
}

/** A READY session of `speakerId` in the project with its recording (rows only: the recital test makes real ones). */
async function seedRecording(projectId: string, speakerId: string) {
  const sessionId = newId('LiveSession');
  await t.deps.db.liveSession.create({
    data: {
      id: sessionId, ownerId: speakerId, projectId, status: 'READY', provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000,
      receivedSeconds: 2, durationSeconds: 2, mainKey: `sessions/${sessionId}/main.flac`,
    },
  });
  const checks = { tooShort: false, mostlySilence: false, tooQuiet: false, clipped: false, wordErrorRate: null, wordErrorRateHigh: false,
    silenceRatio: 0.1, meanVolumeDb: -20, maxVolumeDb: -3, clippedRatio: 0 };
  return t.deps.db.recording.create({
    data: { id: newId('Recording'), sessionId, projectId, speakerId, durationSeconds: 2, recognisedText: 'hello', checks, suspicion: 0 },
  });
}

/** A COMPLETED export of the project with a small archive in storage. */
async function seedExport(projectId: string) {
  const id = newId('DatasetExport');
  const archiveKey = `exports/${id}/dataset.tar`;
  const bytes = await t.deps.storage.put(archiveKey, Buffer.from('not really a tar'));
  await t.deps.db.datasetExport.create({
    data: { id, projectId, status: 'COMPLETED', progress: 1, recordings: 1, archiveKey, archiveBytes: BigInt(bytes), finishedAt: new Date() },
  });
  return id;
}

/** An HTTP answer as a GraphQL result, for the matrix: error bodies have the GraphQL shape. */
async function httpOutcome(response: Response): Promise<GqlResult> {
  const raw = await response.text();
  if (response.ok) return { status: response.status, data: {}, raw };
  return { status: response.status, data: null, errors: JSON.parse(raw).errors, raw };
}

const roleOf = async (projectId: string, userId: string) =>
  (await t.deps.db.projectMember.findUnique({ where: { projectId_userId: { projectId, userId } } }))?.role ?? null;

const PROJECT = `query ($id: ID!) {
  project(id: $id) { id name description viewerRole members { role user { id } } prompts(first: 5) { totalCount } }
}`;
const NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on Project { name } ... on Prompt { text } ... on Job { status } } }`;
const CREATE = `mutation ($input: CreateProjectInput!) { createProject(input: $input) { id name description viewerRole members { role user { id } } } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id name description } }`;
const DELETE = `mutation ($id: ID!, $confirmName: String) { deleteProject(id: $id, confirmName: $confirmName) }`;
const INVITE = `mutation ($projectId: ID!, $email: String!, $role: ProjectRole!) { inviteMember(projectId: $projectId, email: $email, role: $role) }`;
const ACCEPT = `mutation ($token: String!) { acceptInvitation(token: $token) { id name viewerRole } }`;
const SET_ROLE = `mutation ($projectId: ID!, $userId: ID!, $role: ProjectRole!) {
  setMemberRole(projectId: $projectId, userId: $userId, role: $role) { role joinedAt user { id } }
}`;
const REMOVE = `mutation ($projectId: ID!, $userId: ID!) { removeMember(projectId: $projectId, userId: $userId) }`;
const ADD_PROMPTS = `mutation ($projectId: ID!, $texts: [String!]!) { addPrompts(projectId: $projectId, texts: $texts) { id text recordingsCount } }`;
const NEXT_PROMPT = `query ($projectId: ID!) { nextPrompt(projectId: $projectId) { id text } }`;
const RECORDINGS = `query ($id: ID!) { project(id: $id) { recordings(first: 10) { totalCount edges { node { id speaker { id } reviewStatus } } } } }`;
const REVIEW = `mutation ($id: ID!, $status: ReviewStatus!, $note: String) { reviewRecording(id: $id, status: $status, note: $note) { id reviewStatus reviewNote reviewedBy { id } } }`;
const EXPORT = `mutation ($projectId: ID!) { exportDataset(projectId: $projectId) { id status } }`;
const START_SESSION = `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id project { id } } }`;
const SUBMIT = `mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { id status project { id } } }`;
const JOBS = `query ($projectId: ID) { jobs(projectId: $projectId, first: 50) { totalCount edges { node { id project { id } } } } }`;
const JOB = `query ($id: ID!) { job(id: $id) { id project { id name } owner { id } } }`;
const OUTBOX = `query ($first: Int, $unsent: Boolean) { outbox(first: $first, unsent: $unsent) {
  totalCount edges { node { id to subject body sentAt error createdAt } } } }`;

const submitInto = (token: string, projectId: string) =>
  t.gql(SUBMIT, { input: { url: `http://${MEDIA_HOST}/talk.wav`, provider: 'OPENAI', projectId } }, { token });

const email = (tag: string) => `${tag}.${Math.random().toString(36).slice(2, 10)}@example.com`;

// ---------------------------------------------------------------------------------------------
// The permission matrix. Each row is one thing a person may try; each cell is the outcome for one
// kind of caller: 'ok', or the error code. NON_MEMBER is a signed-in user outside the project;
// SITE_ADMIN is a platform admin who is not a member (they see every project, manage none).
// The same table is in README.md ("Projects").
// ---------------------------------------------------------------------------------------------
type Caller = 'OWNER' | 'ADMIN' | 'CONTRIBUTOR' | 'REVIEWER' | 'NON_MEMBER' | 'SITE_ADMIN';
type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';
const CALLERS: Caller[] = ['OWNER', 'ADMIN', 'CONTRIBUTOR', 'REVIEWER', 'NON_MEMBER', 'SITE_ADMIN'];
const callerUser = (caller: Caller): User =>
  ({ OWNER: owner, ADMIN: admin, CONTRIBUTOR: contributor, REVIEWER: reviewer, NON_MEMBER: outsider, SITE_ADMIN: siteAdmin })[caller];

interface Row {
  action: string;
  outcomes: Record<Caller, Outcome>;
  /** Performs the action as `user` in a fresh seeded project; returns the response. */
  run: (user: User, project: { id: string; name: string }) => Promise<GqlResult>;
  /** Checks the effect after a success, and that nothing changed after a refusal. */
  verify: (project: { id: string; name: string }, succeeded: boolean, user: User) => Promise<void>;
}

const row = (action: string, cells: Outcome[], run: Row['run'], verify: Row['verify']): Row => ({
  action,
  outcomes: Object.fromEntries(CALLERS.map((caller, index) => [caller, cells[index]])) as Record<Caller, Outcome>,
  run,
  verify,
});

//                                   OWNER  ADMIN        CONTRIBUTOR  REVIEWER     NON_MEMBER   SITE_ADMIN
const MATRIX: Row[] = [
  row('see the project, its members and prompts', ['ok', 'ok', 'ok', 'ok', 'NOT_FOUND', 'ok'],
    async (user, project) => {
      const result = await t.gql(PROJECT, { id: project.id }, { token: user.accessToken });
      // project(id) answers null rather than an error for what the caller may not see.
      return result.data?.project === null ? { ...result, errors: [{ message: 'null', extensions: { code: 'NOT_FOUND' } }] } : result;
    },
    async () => {}),
  row('see the project through node(id) and projects', ['ok', 'ok', 'ok', 'ok', 'NOT_FOUND', 'ok'],
    async (user, project) => {
      const node = await t.gql(NODE, { id: project.id }, { token: user.accessToken });
      const list = await t.gql(`{ projects(first: 100) { edges { node { id } } } }`, {}, { token: user.accessToken });
      const listed = list.data!.projects.edges.some((edge: any) => edge.node.id === project.id);
      expect(listed).toBe(node.data?.node !== null);
      return node.data?.node === null ? { ...node, errors: [{ message: 'null', extensions: { code: 'NOT_FOUND' } }] } : node;
    },
    async () => {}),
  row("see the project's jobs", ['ok', 'ok', 'ok', 'ok', 'NOT_FOUND', 'ok'],
    async (user, project) => {
      const submitted = ok(await submitInto(contributor2.accessToken, project.id));
      const id = submitted.createTranscriptionJob.id;
      const job = await t.gql(JOB, { id }, { token: user.accessToken });
      const list = ok(await t.gql(JOBS, { projectId: project.id }, { token: user.accessToken }));
      expect(list.jobs.totalCount).toBe(job.data?.job ? 1 : 0);
      if (job.data?.job) expect(job.data.job.project).toEqual({ id: project.id, name: project.name });
      return job.data?.job === null ? { ...job, errors: [{ message: 'null', extensions: { code: 'NOT_FOUND' } }] } : job;
    },
    async () => {}),
  row('change settings (updateProject)', ['ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(UPDATE, { id: project.id, input: { description: 'changed' } }, { token: user.accessToken }),
    async (project, succeeded) => {
      const row = await t.deps.db.project.findUniqueOrThrow({ where: { id: project.id } });
      expect(row.description).toBe(succeeded ? 'changed' : null);
    }),
  row('invite a CONTRIBUTOR, REVIEWER or ADMIN', ['ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(INVITE, { projectId: project.id, email: email('matrix'), role: 'ADMIN' }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await t.deps.db.projectInvitation.count({ where: { projectId: project.id } })).toBe(succeeded ? 1 : 0);
    }),
  row('invite an OWNER', ['ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(INVITE, { projectId: project.id, email: email('matrix'), role: 'OWNER' }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await t.deps.db.projectInvitation.count({ where: { projectId: project.id, role: 'OWNER' } })).toBe(succeeded ? 1 : 0);
    }),
  row("change a non-owner's role", ['ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(SET_ROLE, { projectId: project.id, userId: contributor2.id, role: 'REVIEWER' }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await roleOf(project.id, contributor2.id)).toBe(succeeded ? 'REVIEWER' : 'CONTRIBUTOR');
    }),
  row('make someone an OWNER', ['ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(SET_ROLE, { projectId: project.id, userId: contributor2.id, role: 'OWNER' }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await roleOf(project.id, contributor2.id)).toBe(succeeded ? 'OWNER' : 'CONTRIBUTOR');
    }),
  row('demote an OWNER (not the last)', ['ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(SET_ROLE, { projectId: project.id, userId: owner2.id, role: 'ADMIN' }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await roleOf(project.id, owner2.id)).toBe(succeeded ? 'ADMIN' : 'OWNER');
    }),
  row('remove a non-owner', ['ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(REMOVE, { projectId: project.id, userId: contributor2.id }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await roleOf(project.id, contributor2.id)).toBe(succeeded ? null : 'CONTRIBUTOR');
    }),
  row('remove an OWNER (not the last)', ['ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(REMOVE, { projectId: project.id, userId: owner2.id }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await roleOf(project.id, owner2.id)).toBe(succeeded ? null : 'OWNER');
    }),
  row('leave the project (remove oneself)', ['ok', 'ok', 'ok', 'ok', 'NOT_FOUND', 'NOT_FOUND'],
    (user, project) => t.gql(REMOVE, { projectId: project.id, userId: user.id }, { token: user.accessToken }),
    async (project, succeeded, user) => {
      if (succeeded) expect(await roleOf(project.id, user.id)).toBeNull();
      expect(await t.deps.db.projectMember.count({ where: { projectId: project.id } })).toBe(succeeded ? 5 : 6);
    }),
  row('add prompts', ['ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(ADD_PROMPTS, { projectId: project.id, texts: ['say this'] }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await t.deps.db.prompt.count({ where: { projectId: project.id } })).toBe(succeeded ? 1 : 0);
    }),
  row('get the next prompt to record', ['ok', 'ok', 'ok', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    async (user, project) => {
      await t.deps.db.prompt.create({ data: { id: newId('Prompt'), projectId: project.id, text: 'read me' } });
      const result = await t.gql(NEXT_PROMPT, { projectId: project.id }, { token: user.accessToken });
      if (!result.errors) expect(result.data!.nextPrompt.text).toBe('read me');
      return result;
    },
    async () => {}),
  row('submit a transcription job into the project', ['ok', 'ok', 'ok', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => submitInto(user.accessToken, project.id),
    async (project, succeeded, user) => {
      const jobs = await t.deps.db.job.findMany({ where: { projectId: project.id } });
      expect(jobs.map((job) => job.ownerId)).toEqual(succeeded ? [user.id] : []);
    }),
  row('record into the project (start a live session there)', ['ok', 'ok', 'ok', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) =>
      t.gql(START_SESSION, { input: { provider: 'OPENAI', encoding: 'PCM_S16LE', sampleRate: 16000, projectId: project.id } }, { token: user.accessToken }),
    async (project, succeeded, user) => {
      const sessions = await t.deps.db.liveSession.findMany({ where: { projectId: project.id } });
      expect(sessions.map((session) => session.ownerId)).toEqual(succeeded ? [user.id] : []);
    }),
  row("see the project's recordings (review queue, node(id), their session)", ['ok', 'ok', 'ok', 'ok', 'NOT_FOUND', 'ok'],
    async (user, project) => {
      const recording = await seedRecording(project.id, contributor2.id);
      const node = await t.gql(`query ($id: ID!) { node(id: $id) { id ... on Recording { session { id } } } }`, { id: recording.id }, { token: user.accessToken });
      const list = await t.gql(RECORDINGS, { id: project.id }, { token: user.accessToken });
      if (node.data?.node) {
        expect(node.data.node.session.id).toBe(recording.sessionId);
        expect(list.data!.project.recordings.totalCount).toBe(1);
        return node;
      }
      expect(list.data?.project).toBeNull();
      return { ...node, errors: [{ message: 'null', extensions: { code: 'NOT_FOUND' } }] };
    },
    async () => {}),
  row("review someone else's recording", ['ok', 'ok', 'FORBIDDEN', 'ok', 'NOT_FOUND', 'FORBIDDEN'],
    async (user, project) => {
      const recording = await seedRecording(project.id, contributor2.id);
      return t.gql(REVIEW, { id: recording.id, status: 'APPROVED', note: 'clear' }, { token: user.accessToken });
    },
    async (project, succeeded, user) => {
      const [recording] = await t.deps.db.recording.findMany({ where: { projectId: project.id } });
      expect(recording).toMatchObject(succeeded
        ? { reviewStatus: 'APPROVED', reviewNote: 'clear', reviewedBy: user.id }
        : { reviewStatus: 'PENDING', reviewNote: null, reviewedBy: null });
      expect(await t.deps.db.auditEntry.count({ where: { action: 'recording.reviewed', targetId: recording.id } })).toBe(succeeded ? 1 : 0);
    }),
  row('review their own recording (nobody may)', ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    async (user, project) => {
      const recording = await seedRecording(project.id, user.id);
      return t.gql(REVIEW, { id: recording.id, status: 'APPROVED' }, { token: user.accessToken });
    },
    async (project) => {
      expect(await t.deps.db.recording.count({ where: { projectId: project.id, reviewStatus: 'PENDING' } })).toBe(1);
    }),
  row('start a dataset export', ['ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'ok'],
    async (user, project) => {
      const recording = await seedRecording(project.id, contributor2.id);
      await t.deps.db.recording.update({ where: { id: recording.id }, data: { reviewStatus: 'APPROVED', reviewedBy: reviewer.id } });
      return t.gql(EXPORT, { projectId: project.id }, { token: user.accessToken });
    },
    async (project, succeeded) => {
      expect(await t.deps.db.datasetExport.count({ where: { projectId: project.id } })).toBe(succeeded ? 1 : 0);
    }),
  row('download a dataset export (downloadUrl and the archive route)', ['ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'ok'],
    async (user, project) => {
      const exportId = await seedExport(project.id);
      const node = await t.gql(`query ($id: ID!) { node(id: $id) { ... on DatasetExport { status downloadUrl } } }`, { id: exportId }, { token: user.accessToken });
      const response = await fetch(`${base}/exports/${exportId}/dataset.tar`, { headers: { authorization: `Bearer ${user.accessToken}` } });
      const outcome = await httpOutcome(response);
      if (response.ok) {
        expect(outcome.raw).toBe('not really a tar');
        // The signed link works without credentials.
        const url = node.data!.node.downloadUrl as string;
        expect(url).toMatch(/signature=/);
        const signed = await fetch(url.replace(t.deps.env.publicUrl, base));
        expect(await signed.text()).toBe('not really a tar');
      } else if (node.data?.node) {
        // Members who may not download see the export's status, never a link.
        expect(node.data.node).toEqual({ status: 'COMPLETED', downloadUrl: null });
      }
      return outcome;
    },
    async () => {}),
  row('delete the project', ['ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN'],
    (user, project) => t.gql(DELETE, { id: project.id, confirmName: project.name }, { token: user.accessToken }),
    async (project, succeeded) => {
      expect(await t.deps.db.project.count({ where: { id: project.id } })).toBe(succeeded ? 0 : 1);
    }),
];

describe('the roles matrix, every cell', () => {
  for (const entry of MATRIX) {
    describe(entry.action, () => {
      for (const caller of CALLERS) {
        const expected = entry.outcomes[caller];
        it(`${caller}: ${expected}`, async () => {
          const project = await seedProject();
          const user = callerUser(caller);
          const result = await entry.run(user, project);
          if (expected === 'ok') {
            expect(result.errors, result.raw).toBeUndefined();
          } else {
            expect(codeOf(result), result.raw).toBe(expected);
          }
          await entry.verify(project, expected === 'ok', user);
        });
      }
    });
  }
});

describe('owners', () => {
  it('the last owner cannot be demoted or removed, by anyone, nor leave', async () => {
    const project = await seedProject();
    ok(await t.gql(REMOVE, { projectId: project.id, userId: owner2.id }, { token: owner.accessToken }));
    // An admin cannot touch the last owner (owners are managed by owners only).
    const byAdmin = await t.gql(SET_ROLE, { projectId: project.id, userId: owner.id, role: 'CONTRIBUTOR' }, { token: admin.accessToken });
    expect(codeOf(byAdmin)).toBe('FORBIDDEN');
    const removeByAdmin = await t.gql(REMOVE, { projectId: project.id, userId: owner.id }, { token: admin.accessToken });
    expect(codeOf(removeByAdmin)).toBe('FORBIDDEN');
    // The owner cannot step down or leave while nobody else owns the project.
    const demoteSelf = await t.gql(SET_ROLE, { projectId: project.id, userId: owner.id, role: 'ADMIN' }, { token: owner.accessToken });
    expect(codeOf(demoteSelf)).toBe('CONFLICT');
    const leave = await t.gql(REMOVE, { projectId: project.id, userId: owner.id }, { token: owner.accessToken });
    expect(codeOf(leave)).toBe('CONFLICT');
    expect(await roleOf(project.id, owner.id)).toBe('OWNER');

    // After making someone else OWNER, stepping down works.
    ok(await t.gql(SET_ROLE, { projectId: project.id, userId: admin.id, role: 'OWNER' }, { token: owner.accessToken }));
    const stepDown = ok(await t.gql(SET_ROLE, { projectId: project.id, userId: owner.id, role: 'ADMIN' }, { token: owner.accessToken }));
    expect(stepDown.setMemberRole).toMatchObject({ role: 'ADMIN', user: { id: owner.id } });
    // The former owner, now ADMIN, cannot demote the remaining owner.
    const back = await t.gql(SET_ROLE, { projectId: project.id, userId: admin.id, role: 'ADMIN' }, { token: owner.accessToken });
    expect(codeOf(back)).toBe('FORBIDDEN');
    expect(await roleOf(project.id, admin.id)).toBe('OWNER');
  });

  it('two owners demoting each other at once leave one owner', async () => {
    const project = await seedProject();
    const results = await Promise.all([
      t.gql(SET_ROLE, { projectId: project.id, userId: owner2.id, role: 'ADMIN' }, { token: owner.accessToken }),
      t.gql(SET_ROLE, { projectId: project.id, userId: owner.id, role: 'ADMIN' }, { token: owner2.accessToken }),
    ]);
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    expect(await t.deps.db.projectMember.count({ where: { projectId: project.id, role: 'OWNER' } })).toBe(1);
  });

  it('answers NOT_FOUND for a user who is not a member', async () => {
    const project = await seedProject();
    const result = await t.gql(SET_ROLE, { projectId: project.id, userId: outsider.id, role: 'ADMIN' }, { token: owner.accessToken });
    expect(codeOf(result)).toBe('NOT_FOUND');
    const removed = await t.gql(REMOVE, { projectId: project.id, userId: outsider.id }, { token: owner.accessToken });
    expect(codeOf(removed)).toBe('NOT_FOUND');
  });
});

describe('creating, reading and updating projects', () => {
  it('makes the creator OWNER and validates the input', async () => {
    const created = ok(await t.gql(CREATE, { input: { name: '  Read aloud  ', description: 'Crowd recital' } }, { token: contributor.accessToken }));
    expect(created.createProject).toMatchObject({
      name: 'Read aloud',
      description: 'Crowd recital',
      viewerRole: 'OWNER',
      members: [{ role: 'OWNER', user: { id: contributor.id } }],
    });
    expect(created.createProject.id).toMatch(/^prj_/);
    for (const name of ['', '   ', 'x'.repeat(101), 'two\nlines']) {
      expect(codeOf(await t.gql(CREATE, { input: { name } }, { token: contributor.accessToken })), name).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await t.gql(CREATE, { input: { name: 'x' } }))).toBe('UNAUTHENTICATED');

    // A READ-only API key cannot create projects.
    const key = ok(
      await t.gql(`mutation { createApiKey(input: { name: "ro", scopes: [READ] }) { secret } }`, {}, { token: contributor.accessToken }),
    ).createApiKey.secret;
    expect(codeOf(await t.gql(CREATE, { input: { name: 'x' } }, { token: key }))).toBe('FORBIDDEN');
  });

  it('updates name and description, clearing the description with null', async () => {
    const project = await seedProject();
    const renamed = ok(await t.gql(UPDATE, { id: project.id, input: { name: 'Renamed', description: 'About' } }, { token: admin.accessToken }));
    expect(renamed.updateProject).toMatchObject({ name: 'Renamed', description: 'About' });
    const cleared = ok(await t.gql(UPDATE, { id: project.id, input: { description: null } }, { token: owner.accessToken }));
    expect(cleared.updateProject).toMatchObject({ name: 'Renamed', description: null });
  });

  it('lists the viewer\'s projects with viewerRole, newest first and paged; admins see all', async () => {
    const user = await registerUser(t);
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push(ok(await t.gql(CREATE, { input: { name: `mine ${index}` } }, { token: user.accessToken })).createProject.id);
    }
    const page = ok(
      await t.gql(`{ projects(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { id viewerRole } } } }`, {}, {
        token: user.accessToken,
      }),
    ).projects;
    expect(page.totalCount).toBe(3);
    expect(page.edges.map((edge: any) => edge.node)).toEqual([
      { id: ids[2], viewerRole: 'OWNER' },
      { id: ids[1], viewerRole: 'OWNER' },
    ]);
    const rest = ok(
      await t.gql(`query ($after: String) { projects(first: 2, after: $after) { pageInfo { hasNextPage } edges { node { id } } } }`,
        { after: page.pageInfo.endCursor }, { token: user.accessToken }),
    ).projects;
    expect(rest).toEqual({ pageInfo: { hasNextPage: false }, edges: [{ node: { id: ids[0] } }] });

    const all = ok(await t.gql(`{ projects(first: 1) { totalCount edges { node { viewerRole } } } }`, {}, { token: siteAdmin.accessToken }));
    expect(all.projects.totalCount).toBe(await t.deps.db.project.count());
    expect(all.projects.edges[0].node.viewerRole).toBeNull();
    expect(codeOf(await t.gql(`{ projects { totalCount } }`))).toBe('UNAUTHENTICATED');
  });

  it("answers a project the caller may not see exactly like a missing one", async () => {
    const project = await seedProject();
    const missing = newId('Project');
    for (const [query, variables] of [
      [PROJECT, (id: string) => ({ id })],
      [NODE, (id: string) => ({ id })],
      [UPDATE, (id: string) => ({ id, input: { name: 'x' } })],
      [DELETE, (id: string) => ({ id, confirmName: project.name })],
      [INVITE, (id: string) => ({ projectId: id, email: email('x'), role: 'CONTRIBUTOR' })],
      [SET_ROLE, (id: string) => ({ projectId: id, userId: contributor.id, role: 'ADMIN' })],
      [REMOVE, (id: string) => ({ projectId: id, userId: contributor.id })],
      [ADD_PROMPTS, (id: string) => ({ projectId: id, texts: ['x'] })],
      [NEXT_PROMPT, (id: string) => ({ projectId: id })],
    ] as const) {
      const theirs = await t.gql(query, variables(project.id), { token: outsider.accessToken });
      const none = await t.gql(query, variables(missing), { token: outsider.accessToken });
      expect(theirs.raw, query).toBe(none.raw);
    }
    const theirs = await submitInto(outsider.accessToken, project.id);
    const none = await submitInto(outsider.accessToken, missing);
    expect(theirs.raw).toBe(none.raw);
    expect(codeOf(theirs)).toBe('NOT_FOUND');
  });
});

describe('invitations', () => {
  const tokenIn = (text: string) => /\binv_[A-Za-z0-9_-]{43}\b/.exec(text)?.[0];
  /** The invitation mailed to `address` (registering mailed a verification link there first). */
  const invitationTo = (address: string) =>
    waitFor(`an invitation to ${address}`, async () => smtp.messages.find((m) => m.to.includes(address.toLowerCase()) && tokenIn(m.text)), 30_000, 50);
  /** A registered user whose address is verified: invitations are accepted by verified addresses only. */
  const verifiedUser = async (app: TestApp, address: string) => {
    const user = await registerUser(app, { email: address });
    await verifyEmailDirectly(app, user.id);
    return user;
  };

  it('emails a single-use token through SMTP; the invitee joins with it; only its hash is stored', async () => {
    const project = await seedProject('Invited project');
    const invitee = await verifiedUser(t, email('invitee'));
    ok(await t.gql(INVITE, { projectId: project.id, email: `  ${invitee.email.toUpperCase()} `, role: 'REVIEWER' }, { token: admin.accessToken }));

    const message = await invitationTo(invitee.email);
    expect(message.user).toBe(SMTP_CREDENTIALS.user);
    expect(message.from).toBe('noreply@parlance.test');
    expect(message.headers.subject).toContain('Invited project');
    const token = tokenIn(message.text);
    expect(token, message.text).toBeDefined();
    expect(message.text).toContain('REVIEWER');

    const invitation = await t.deps.db.projectInvitation.findFirstOrThrow({ where: { projectId: project.id } });
    expect(invitation).toMatchObject({ email: invitee.email, role: 'REVIEWER', invitedBy: admin.id, acceptedAt: null });
    expect(invitation.tokenHash).toBe(sha256Hex(token!));
    expect(JSON.stringify(invitation)).not.toContain(token);
    const days = (invitation.expiresAt.getTime() - invitation.createdAt.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 2);
    // The outbox keeps a record of the delivered message, without the token.
    const kept = await t.deps.db.outboxEmail.findFirstOrThrow({ where: { to: invitee.email }, orderBy: { id: 'desc' } });
    expect(kept.sentAt).not.toBeNull();
    expect(kept.error).toBeNull();
    expect(kept.body).not.toContain(token);
    expect(t.logs.join('')).not.toContain(token);
    expect(t.logs.join('')).not.toContain(SMTP_CREDENTIALS.pass);

    // Someone else's token: FORBIDDEN, and the invitation stays usable.
    const stolen = await t.gql(ACCEPT, { token }, { token: outsider.accessToken });
    expect(codeOf(stolen)).toBe('FORBIDDEN');
    expect(stolen.raw).not.toContain(invitee.email);
    expect(codeOf(await t.gql(ACCEPT, { token }))).toBe('UNAUTHENTICATED');

    const accepted = ok(await t.gql(ACCEPT, { token }, { token: invitee.accessToken }));
    expect(accepted.acceptInvitation).toEqual({ id: project.id, name: 'Invited project', viewerRole: 'REVIEWER' });
    expect(await roleOf(project.id, invitee.id)).toBe('REVIEWER');
    const used = await t.deps.db.projectInvitation.findUniqueOrThrow({ where: { id: invitation.id } });
    expect(used.acceptedAt).not.toBeNull();
    expect(used.acceptedBy).toBe(invitee.id);

    // Reused: BAD_USER_INPUT.
    const again = await t.gql(ACCEPT, { token }, { token: invitee.accessToken });
    expect(codeOf(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0].message).toMatch(/already been used/);
  });

  it('matches the email case-insensitively', async () => {
    const project = await seedProject();
    const invitee = await verifiedUser(t, email('mixed'));
    await t.deps.db.user.update({ where: { id: invitee.id }, data: { email: invitee.email.replace('mixed', 'MiXeD') } });
    ok(await t.gql(INVITE, { projectId: project.id, email: invitee.email, role: 'CONTRIBUTOR' }, { token: owner.accessToken }));
    const token = tokenIn((await invitationTo(invitee.email)).text)!;
    ok(await t.gql(ACCEPT, { token }, { token: invitee.accessToken }));
    expect(await roleOf(project.id, invitee.id)).toBe('CONTRIBUTOR');
  });

  it('refuses an expired token with BAD_USER_INPUT and an unknown one with NOT_FOUND', async () => {
    const project = await seedProject();
    const invitee = await verifiedUser(t, email('late'));
    ok(await t.gql(INVITE, { projectId: project.id, email: invitee.email, role: 'CONTRIBUTOR' }, { token: owner.accessToken }));
    const token = tokenIn((await invitationTo(invitee.email)).text)!;
    await t.deps.db.projectInvitation.updateMany({
      where: { projectId: project.id, email: invitee.email },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await t.gql(ACCEPT, { token }, { token: invitee.accessToken });
    expect(codeOf(expired)).toBe('BAD_USER_INPUT');
    expect(expired.errors![0].message).toMatch(/expired/);
    expect(await roleOf(project.id, invitee.id)).toBeNull();

    const unknown = await t.gql(ACCEPT, { token: `inv_${'A'.repeat(43)}` }, { token: invitee.accessToken });
    expect(codeOf(unknown)).toBe('NOT_FOUND');
  });

  it('refuses to invite a member (CONFLICT); inviting again replaces the pending token', async () => {
    const project = await seedProject();
    const member = await t.gql(INVITE, { projectId: project.id, email: contributor.email.toUpperCase(), role: 'ADMIN' }, { token: owner.accessToken });
    expect(codeOf(member)).toBe('CONFLICT');
    expect(codeOf(await t.gql(INVITE, { projectId: project.id, email: 'not an email', role: 'ADMIN' }, { token: owner.accessToken }))).toBe(
      'BAD_USER_INPUT',
    );

    const invitee = await verifiedUser(t, email('twice'));
    ok(await t.gql(INVITE, { projectId: project.id, email: invitee.email, role: 'CONTRIBUTOR' }, { token: owner.accessToken }));
    const first = tokenIn((await invitationTo(invitee.email)).text)!;
    const before = smtp.messages.length;
    ok(await t.gql(INVITE, { projectId: project.id, email: invitee.email, role: 'ADMIN' }, { token: owner.accessToken }));
    await expect.poll(() => smtp.messages.length, { timeout: 30_000 }).toBe(before + 1);
    const second = tokenIn(smtp.messages.at(-1)!.text)!;
    expect(second).not.toBe(first);
    expect(codeOf(await t.gql(ACCEPT, { token: first }, { token: invitee.accessToken }))).toBe('NOT_FOUND');
    expect(ok(await t.gql(ACCEPT, { token: second }, { token: invitee.accessToken })).acceptInvitation.viewerRole).toBe('ADMIN');
    expect(await t.deps.db.projectInvitation.count({ where: { projectId: project.id, email: invitee.email } })).toBe(1);
  });

  it('limits how many invitations one person sends in an hour', async () => {
    const sender = await registerUser(t);
    const project = await seedProject();
    await t.deps.db.projectMember.create({ data: { projectId: project.id, userId: sender.id, role: 'ADMIN' } });
    await t.deps.db.projectInvitation.createMany({
      data: Array.from({ length: 50 }, (_, index) => ({
        id: newId('ProjectInvitation'),
        projectId: project.id,
        email: `bulk${index}@example.com`,
        role: 'CONTRIBUTOR' as const,
        tokenHash: sha256Hex(`bulk ${index} ${sender.id}`),
        invitedBy: sender.id,
        createdAt: new Date(Date.now() - 30 * 60_000),
      })),
    });
    const limited = await t.gql(INVITE, { projectId: project.id, email: email('one-more'), role: 'CONTRIBUTOR' }, { token: sender.accessToken });
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(1700);
    expect(limited.errors![0].extensions!.retryAfterSeconds).toBeLessThanOrEqual(1800);
    // Others are not affected.
    ok(await t.gql(INVITE, { projectId: project.id, email: email('other-sender'), role: 'CONTRIBUTOR' }, { token: owner.accessToken }));
  });

  it('keeps the message with its error in the outbox when SMTP refuses it', async () => {
    const project = await seedProject();
    const address = email('bounce');
    smtp.rejectRecipients('550 5.1.1 No such user here');
    try {
      ok(await t.gql(INVITE, { projectId: project.id, email: address, role: 'CONTRIBUTOR' }, { token: owner.accessToken }));
    } finally {
      smtp.rejectRecipients(null);
    }
    const kept = await t.deps.db.outboxEmail.findFirstOrThrow({ where: { to: address } });
    expect(kept.sentAt).toBeNull();
    expect(kept.error).toMatch(/550|No such user/);
    expect(tokenIn(kept.body)).toBeDefined();
  });

  it('without SMTP, writes the message to the log and the outbox, which only admins read', async () => {
    const local = await createTestApp({ ENCRYPTION_KEY, INVITATION_TTL_DAYS: '2' }, { databaseUrl: t.databaseUrl });
    try {
      const project = await seedProject('Offline project');
      const invitee = await verifiedUser(local, email('offline'));
      const sentBefore = smtp.messages.length;
      ok(await local.gql(INVITE, { projectId: project.id, email: invitee.email, role: 'CONTRIBUTOR' }, { token: owner.accessToken }));
      expect(smtp.messages.length).toBe(sentBefore);

      const outbox = ok(await local.gql(OUTBOX, { first: 100, unsent: true }, { token: siteAdmin.accessToken })).outbox;
      const message = outbox.edges.map((edge: any) => edge.node).find((node: any) => node.to === invitee.email && tokenIn(node.body));
      expect(message).toMatchObject({ sentAt: null, error: null });
      expect(message.subject).toContain('Offline project');
      expect(message.id).toMatch(/^eml_/);
      const token = tokenIn(message.body)!;
      expect(token).toBeDefined();
      expect(local.logs.join('')).toContain(token);
      expect(outbox.totalCount).toBe(await t.deps.db.outboxEmail.count({ where: { sentAt: null } }));

      const node = await local.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: message.id }, { token: siteAdmin.accessToken });
      expect(node.data!.node).toEqual({ id: message.id });
      for (const user of [owner, invitee]) {
        expect(codeOf(await local.gql(OUTBOX, { first: 1 }, { token: user.accessToken }))).toBe('FORBIDDEN');
        const hidden = await local.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: message.id }, { token: user.accessToken });
        expect(hidden.data!.node).toBeNull();
      }

      const invitation = await t.deps.db.projectInvitation.findFirstOrThrow({ where: { projectId: project.id } });
      expect((invitation.expiresAt.getTime() - invitation.createdAt.getTime()) / 86_400_000).toBeCloseTo(2, 2);
      ok(await local.gql(ACCEPT, { token }, { token: invitee.accessToken }));
      expect(await roleOf(project.id, invitee.id)).toBe('CONTRIBUTOR');
    } finally {
      await local.close();
    }
  });
});

describe('prompts', () => {
  it('adds prompts in bulk: trimmed, empty and repeated lines dropped, existing ones too; lists them with counts', async () => {
    const project = await seedProject();
    const first = ok(
      await t.gql(ADD_PROMPTS, { projectId: project.id, texts: ['  the cat sat  ', '', '   ', 'a  dog\tbarked', 'the cat sat', 'birds sing'] }, {
        token: owner.accessToken,
      }),
    ).addPrompts;
    expect(first.map((prompt: any) => prompt.text)).toEqual(['the cat sat', 'a dog barked', 'birds sing']);
    expect(first.every((prompt: any) => prompt.recordingsCount === 0 && prompt.id.startsWith('prm_'))).toBe(true);

    const second = ok(await t.gql(ADD_PROMPTS, { projectId: project.id, texts: ['birds sing', 'rain falls', 'the cat sat '] }, { token: admin.accessToken }))
      .addPrompts;
    expect(second.map((prompt: any) => prompt.text)).toEqual(['rain falls']);
    expect(ok(await t.gql(ADD_PROMPTS, { projectId: project.id, texts: [] }, { token: admin.accessToken })).addPrompts).toEqual([]);

    const page = ok(
      await t.gql(`query ($id: ID!) { project(id: $id) { prompts(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { node { text recordingsCount } } } } }`,
        { id: project.id }, { token: reviewer.accessToken }),
    ).project.prompts;
    expect(page.totalCount).toBe(4);
    expect(page.edges.map((edge: any) => edge.node.text)).toEqual(['the cat sat', 'a dog barked', 'birds sing']);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = ok(
      await t.gql(`query ($id: ID!, $after: String) { project(id: $id) { prompts(first: 3, after: $after) { edges { node { text } } } } }`,
        { id: project.id, after: page.pageInfo.endCursor }, { token: reviewer.accessToken }),
    ).project.prompts;
    expect(rest.edges.map((edge: any) => edge.node.text)).toEqual(['rain falls']);
  });

  it('caps each prompt at 500 characters, naming the line, and a call at 1000 prompts', async () => {
    const project = await seedProject();
    const exactly = 'é'.repeat(500);
    ok(await t.gql(ADD_PROMPTS, { projectId: project.id, texts: [exactly] }, { token: owner.accessToken }));
    const tooLong = await t.gql(ADD_PROMPTS, { projectId: project.id, texts: ['fine', 'also fine', `  ${'x'.repeat(501)}  `] }, {
      token: owner.accessToken,
    });
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
    expect(tooLong.errors![0].message).toMatch(/^Line 3 /);
    expect(tooLong.errors![0].extensions).toMatchObject({ field: 'texts', line: 3 });
    // All or nothing: the good lines of a refused call are not added.
    expect(await t.deps.db.prompt.count({ where: { projectId: project.id } })).toBe(1);

    const many = Array.from({ length: 1001 }, (_, index) => `prompt ${index}`);
    const refused = await t.gql(ADD_PROMPTS, { projectId: project.id, texts: many }, { token: owner.accessToken });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    const added = ok(await t.gql(ADD_PROMPTS, { projectId: project.id, texts: many.slice(0, 1000) }, { token: owner.accessToken }));
    expect(added.addPrompts).toHaveLength(1000);
    expect(added.addPrompts[999].text).toBe('prompt 999');
  });

  it('nextPrompt hands out the oldest prompt while none has recordings, and null for an empty project', async () => {
    const project = await seedProject();
    expect(ok(await t.gql(NEXT_PROMPT, { projectId: project.id }, { token: contributor.accessToken })).nextPrompt).toBeNull();
    ok(await t.gql(ADD_PROMPTS, { projectId: project.id, texts: ['first', 'second'] }, { token: owner.accessToken }));
    ok(await t.gql(ADD_PROMPTS, { projectId: project.id, texts: ['third'] }, { token: owner.accessToken }));
    for (const user of [contributor, contributor2, owner]) {
      expect(ok(await t.gql(NEXT_PROMPT, { projectId: project.id }, { token: user.accessToken })).nextPrompt.text).toBe('first');
    }
  });

  it('shows a prompt through node(id) to members and admins only', async () => {
    const project = await seedProject();
    const [prompt] = ok(await t.gql(ADD_PROMPTS, { projectId: project.id, texts: ['node me'] }, { token: owner.accessToken })).addPrompts;
    for (const user of [owner, reviewer, contributor, siteAdmin]) {
      expect(ok(await t.gql(NODE, { id: prompt.id }, { token: user.accessToken })).node).toEqual({
        __typename: 'Prompt',
        id: prompt.id,
        text: 'node me',
      });
    }
    const hidden = await t.gql(NODE, { id: prompt.id }, { token: outsider.accessToken });
    const missing = await t.gql(NODE, { id: newId('Prompt') }, { token: outsider.accessToken });
    expect(hidden.data!.node).toBeNull();
    expect(hidden.raw).toBe(missing.raw);
  });
});

describe('project jobs', () => {
  it('are visible to every member and to admins, not to others; only their owner (or an admin) changes them', async () => {
    const project = await seedProject();
    const submitted = ok(await submitInto(contributor.accessToken, project.id)).createTranscriptionJob;
    expect(submitted).toMatchObject({ status: 'QUEUED', project: { id: project.id } });

    for (const user of [owner, owner2, admin, contributor, contributor2, reviewer, siteAdmin]) {
      const job = ok(await t.gql(JOB, { id: submitted.id }, { token: user.accessToken })).job;
      expect(job).toMatchObject({ id: submitted.id, project: { id: project.id }, owner: { id: contributor.id } });
      const list = ok(await t.gql(JOBS, { projectId: project.id }, { token: user.accessToken })).jobs;
      expect(list.edges.map((edge: any) => edge.node.id)).toEqual([submitted.id]);
      expect(ok(await t.gql(NODE, { id: submitted.id }, { token: user.accessToken })).node).toMatchObject({ id: submitted.id });
    }
    // jobs() without projectId stays "my jobs".
    const mine = ok(await t.gql(JOBS, {}, { token: contributor2.accessToken })).jobs;
    expect(mine.edges.map((edge: any) => edge.node.id)).not.toContain(submitted.id);

    const hidden = await t.gql(JOB, { id: submitted.id }, { token: outsider.accessToken });
    expect(hidden.data!.job).toBeNull();
    expect(ok(await t.gql(JOBS, { projectId: project.id }, { token: outsider.accessToken })).jobs.totalCount).toBe(0);
    expect(ok(await t.gql(NODE, { id: submitted.id }, { token: outsider.accessToken })).node).toBeNull();
    const base = await t.listen();
    const download = (token: string) =>
      fetch(`${base}/jobs/${submitted.id}/transcript.txt`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await download(outsider.accessToken)).toBe(404);
    expect(await download(reviewer.accessToken)).toBe(409); // visible, not transcribed yet

    // Seeing is not changing: another member cannot cancel or delete it.
    for (const query of [`mutation ($id: ID!) { cancelJob(id: $id) { id } }`, `mutation ($id: ID!) { deleteJob(id: $id) }`]) {
      expect(codeOf(await t.gql(query, { id: submitted.id }, { token: owner.accessToken })), query).toBe('FORBIDDEN');
      expect(codeOf(await t.gql(query, { id: submitted.id }, { token: outsider.accessToken })), query).toBe('NOT_FOUND');
    }

    // A member who leaves no longer sees the project's jobs; a job's owner who leaves still sees
    // their job, without the project.
    ok(await t.gql(REMOVE, { projectId: project.id, userId: contributor2.id }, { token: owner.accessToken }));
    expect((await t.gql(JOB, { id: submitted.id }, { token: contributor2.accessToken })).data!.job).toBeNull();
    ok(await t.gql(REMOVE, { projectId: project.id, userId: contributor.id }, { token: contributor.accessToken }));
    expect(ok(await t.gql(JOB, { id: submitted.id }, { token: contributor.accessToken })).job).toMatchObject({ id: submitted.id, project: null });
    expect(codeOf(await submitInto(contributor.accessToken, project.id))).toBe('NOT_FOUND');

    ok(await t.gql(`mutation ($id: ID!) { cancelJob(id: $id) { id } }`, { id: submitted.id }, { token: contributor.accessToken }));
  });
});

describe('deleting a project', () => {
  it('needs the OWNER to repeat its name, then removes its rows, queued work and stored media', async () => {
    const project = await seedProject('Doomed project');
    ok(await t.gql(ADD_PROMPTS, { projectId: project.id, texts: ['one', 'two'] }, { token: owner.accessToken }));
    ok(await t.gql(INVITE, { projectId: project.id, email: email('doomed'), role: 'CONTRIBUTOR' }, { token: owner.accessToken }));
    const job = ok(await submitInto(contributor.accessToken, project.id)).createTranscriptionJob;
    await t.deps.storage.put(`jobs/${job.id}/source`, Readable.from([Buffer.from('media')]));
    const otherProject = await seedProject();
    const otherJob = ok(await submitInto(contributor.accessToken, otherProject.id)).createTranscriptionJob;
    const personal = ok(
      await t.gql(SUBMIT, { input: { url: `http://${MEDIA_HOST}/mine.wav`, provider: 'OPENAI' } }, { token: contributor.accessToken }),
    ).createTranscriptionJob;
    expect(personal.project).toBeNull();

    for (const confirmName of [undefined, '', 'doomed project', 'Doomed']) {
      const refused = await t.gql(DELETE, { id: project.id, confirmName }, { token: owner.accessToken });
      expect(codeOf(refused), String(confirmName)).toBe('BAD_USER_INPUT');
    }
    expect(await t.deps.db.project.count({ where: { id: project.id } })).toBe(1);

    expect(ok(await t.gql(DELETE, { id: project.id, confirmName: ' Doomed project ' }, { token: owner.accessToken })).deleteProject).toBe(true);
    const db = t.deps.db;
    expect(await db.project.count({ where: { id: project.id } })).toBe(0);
    expect(await db.projectMember.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db.projectInvitation.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db.prompt.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db.job.count({ where: { id: job.id } })).toBe(0);
    expect(await t.deps.storage.exists(`jobs/${job.id}/source`)).toBe(false);
    const queued = await db.$queryRaw<{ key: string }[]>`SELECT key FROM graphile_worker.jobs WHERE key IN (${`transcribe:${job.id}`}, ${`transcribe:${otherJob.id}`})`;
    expect(queued.map((row) => row.key)).toEqual([`transcribe:${otherJob.id}`]);
    // Nothing else is touched.
    expect(await db.job.count({ where: { id: { in: [otherJob.id, personal.id] } } })).toBe(2);
    expect(await db.project.count({ where: { id: otherProject.id } })).toBe(1);
    expect((await t.gql(PROJECT, { id: project.id }, { token: owner.accessToken })).data!.project).toBeNull();
  });
});
