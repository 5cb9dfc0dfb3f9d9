// `job(id)`, the job subscriptions' re-reads and each transcriptChunks event's segment read take their
// rows with pg alone (server/db/jobRows.ts), not through Prisma. These tests hold those readers to
// Prisma's answer for every column and hold the
// visibility rule of `job(id)` (owner, project member, admin; nobody else) now that the row is read by
// its key and judged afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobById, readSegmentWithJobAccess } from '../server/db/jobRows.ts';
import { newId } from '../server/ids.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

const JOB = `query ($id: ID!) { job(id: $id) { id status progress owner { id } } }`;
const JOB_SCALARS = `query ($id: ID!) { job(id: $id) { id status progress filename } }`;

describe('job rows read with pg', () => {
  it('equal what Prisma reads, for rows with every column set', async () => {
    const owner = await registerUser(t);
    const original = newId('Job');
    await t.deps.db.job.create({ data: { id: original, ownerId: owner.id, provider: 'LOCAL', status: 'COMPLETED' } });
    const projectId = newId('Project');
    await t.deps.db.project.create({ data: { id: projectId, name: 'rows' } });
    const id = newId('Job');
    await t.deps.db.job.create({
      data: {
        id,
        ownerId: owner.id,
        projectId,
        status: 'COMPLETED',
        progress: 0.75,
        provider: 'DEEPGRAM',
        model: 'nova-3',
        language: 'en',
        detectedLanguage: 'en-US',
        diarize: true,
        translateTo: 'de',
        filename: 'all columns.wav',
        sourceUrl: 'https://example.com/a.wav',
        sourceKey: 'jobs/a/source',
        sourceBytes: 9_007_199_254_740_993n,
        mediaDurationSeconds: 61.25,
        chunksTotal: 3,
        chunksDone: 2,
        error: 'an earlier error',
        attempts: 2,
        text: 'Hello there.',
        translatedText: 'Hallo.',
        translationStatus: 'COMPLETED',
        translationError: 'none',
        translationEngine: 'CHAT',
        sentimentRequested: true,
        sentimentStatus: 'COMPLETED',
        sentimentError: 'none',
        sentiment: 'POSITIVE',
        sentimentScore: 0.5,
        summaryRequested: true,
        summaryStatus: 'FAILED',
        summaryError: 'refused',
        idempotencyKey: 'key-1',
        legalHold: true,
        startedAt: new Date('2026-01-02T03:04:05.678Z'),
        completedAt: new Date('2026-01-02T03:05:06.789Z'),
        revision: 4,
        providers: ['DEEPGRAM', 'LOCAL'],
        currentProvider: 'LOCAL',
        redact: ['EMAIL', 'CARD_NUMBER'],
        vocabularyTerms: ['Tarkindale', 'Parlance'],
        contextPrompt: 'A meeting.',
        vocabularyApplied: { DEEPGRAM: { keyterm: ['Tarkindale'] }, note: null },
        rerunOfId: original,
      },
    });
    const byPrisma = await t.deps.db.job.findUnique({ where: { id } });
    const byPg = await readJobById(t.deps.pool, id);
    expect(Object.values(byPrisma!).filter((value) => value === null)).toEqual([]);
    expect(byPg).toEqual(byPrisma);
    expect(Object.keys(byPg!).sort()).toEqual(Object.keys(byPrisma!).sort());

    await t.deps.db.transcriptSegment.createMany({
      data: [
        {
          jobId: id,
          idx: 0,
          chunkIndex: 1,
          provider: 'DEEPGRAM',
          startSeconds: 1.5,
          endSeconds: 2.25,
          text: 'Hello there.',
          speaker: 'A',
          words: [{ word: 'Hello', start: 1.5, end: 1.9, confidence: 0.9 }],
          sentiment: 'NEUTRAL',
          sentimentScore: 0.1,
          redaction: { kinds: ['EMAIL'], spans: [] },
        },
        { jobId: id, idx: 1, chunkIndex: 1, startSeconds: 2.25, endSeconds: 3, text: 'Bye.' },
      ],
    });
    for (const idx of [0, 1]) {
      const segment = await t.deps.db.transcriptSegment.findUnique({ where: { jobId_idx: { jobId: id, idx } } });
      expect(await readSegmentWithJobAccess(t.deps.pool, id, idx)).toEqual({
        job: { ownerId: owner.id, projectId, redact: ['EMAIL', 'CARD_NUMBER'] },
        segment,
      });
    }
    expect(Object.values((await readSegmentWithJobAccess(t.deps.pool, id, 0)).segment!).filter((value) => value === null)).toEqual([]);
    expect(await readSegmentWithJobAccess(t.deps.pool, id, 2)).toEqual({ job: { ownerId: owner.id, projectId, redact: ['EMAIL', 'CARD_NUMBER'] }, segment: null });
    expect(await readSegmentWithJobAccess(t.deps.pool, newId('Job'), 0)).toEqual({ job: null, segment: null });

    const sparse = await t.deps.db.job.findUnique({ where: { id: original } });
    expect(await readJobById(t.deps.pool, original)).toEqual(sparse);
    expect(await readJobById(t.deps.pool, newId('Job'))).toBeNull();
  });

  it('job(id) answers the owner, project members and admins, and null to anyone else', async () => {
    const owner = await registerUser(t);
    const member = await registerUser(t);
    const stranger = await registerUser(t);
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const projectId = newId('Project');
    await t.deps.db.project.create({ data: { id: projectId, name: 'visibility', members: { create: [{ userId: owner.id, role: 'OWNER' }, { userId: member.id, role: 'CONTRIBUTOR' }] } } });
    const personal = newId('Job');
    const shared = newId('Job');
    await t.deps.db.job.createMany({
      data: [
        { id: personal, ownerId: owner.id, provider: 'LOCAL', status: 'PROCESSING', progress: 0.5, filename: 'mine.wav' },
        { id: shared, ownerId: owner.id, projectId, provider: 'LOCAL', status: 'QUEUED', filename: 'ours.wav' },
      ],
    });
    const seen = async (token: string, id: string, query = JOB_SCALARS) => {
      const result = await t.gql<{ job: { id: string; status: string; progress: number; filename?: string; owner?: { id: string } } | null }>(query, { id }, { token });
      expect(result.errors).toBeUndefined();
      return result.data!.job;
    };
    expect(await seen(owner.accessToken, personal)).toEqual({ id: personal, status: 'PROCESSING', progress: 0.5, filename: 'mine.wav' });
    expect(await seen(owner.accessToken, personal, JOB)).toEqual({ id: personal, status: 'PROCESSING', progress: 0.5, owner: { id: owner.id } });
    expect(await seen(member.accessToken, personal)).toBeNull();
    expect(await seen(stranger.accessToken, personal)).toBeNull();
    expect((await seen(admin.accessToken, personal))?.id).toBe(personal);

    expect((await seen(member.accessToken, shared))?.filename).toBe('ours.wav');
    expect((await seen(member.accessToken, shared, JOB))?.owner).toEqual({ id: owner.id });
    expect(await seen(stranger.accessToken, shared)).toBeNull();
    expect(await seen(stranger.accessToken, shared, JOB)).toBeNull();
    expect(await seen(owner.accessToken, newId('Job'))).toBeNull();
  });
});
