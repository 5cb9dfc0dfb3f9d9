import type { Context } from '../context.ts';
import type { Job, Prisma } from '../db/db.ts';
import type { Word } from '../providers/types.ts';
import { indexedSegmentFromStored, type IndexedSegment } from '../transcripts/storedSegments.ts';
import { badInput } from '../errors.ts';
import { stagedFile } from '../http/multipart.ts';
import type { UploadedFile } from '../services/jobs.ts';
import { topics } from '../pubsub/pubsub.ts';
import {
  cancelJob,
  createTranscriptionJob,
  deleteJob,
  findVisibleJob,
  retryJob,
  visibleJobWhere,
} from '../services/jobs.ts';
import { jobStats } from '../services/jobStats.ts';
import { retryTranslation } from '../services/jobTranslation.ts';
import { transcriptFromRows, transcriptUrl } from '../services/transcripts.ts';
import { renderTranscript } from '../transcripts/formats.ts';
import { sessionChunkEvents } from '../live/subscriptions.ts';
import { abortable } from '../pubsub/abortableStream.ts';
import { viewerAtDelivery } from '../pubsub/subscriptionViewer.ts';
import { coalesce } from '../pubsub/coalesce.ts';
import { builder } from './builder.ts';
import { registerNodeVisibility } from './nodeVisibility.ts';
import { pageSizes, ProviderEnum } from './root.ts';
import { canSeeProject, ProjectRef } from './projects.ts';
import { UserRef } from './users.ts';

export const JobStatusEnum = builder.enumType('JobStatus', {
  values: ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const,
});
export const TranslationStatusEnum = builder.enumType('TranslationStatus', {
  values: ['PENDING', 'COMPLETED', 'FAILED'] as const,
});
export const TranscriptFormatEnum = builder.enumType('TranscriptFormat', { values: ['TXT', 'SRT', 'VTT', 'JSON'] as const });

builder.scalarType('File', {
  description: 'A file sent with the GraphQL multipart request spec.',
  serialize: () => {
    throw new Error('File is an input-only scalar.');
  },
  parseValue: (value) => {
    // Files parsed by our streaming multipart parser arrive as one-time tokens; Yoga's own
    // parser (in-process use) gives File-like objects. Check the shape, not the class.
    const file = (stagedFile(value) ?? value) as UploadedFile | null;
    if (!file || typeof file !== 'object' || typeof file.stream !== 'function' || typeof file.size !== 'number') {
      throw badInput('File must be sent as a multipart upload (GraphQL multipart request spec).', 'file');
    }
    return file;
  },
});

export const WordRef = builder.objectRef<Word>('Word').implement({
  fields: (t) => ({
    word: t.exposeString('word'),
    start: t.exposeFloat('start'),
    end: t.exposeFloat('end'),
    confidence: t.float({ nullable: true, resolve: (word) => word.confidence ?? null }),
    speaker: t.string({ nullable: true, resolve: (word) => word.speaker ?? null }),
  }),
});

export const SegmentRef = builder.objectRef<IndexedSegment>('TranscriptSegment').implement({
  fields: (t) => ({
    index: t.exposeInt('index'),
    start: t.exposeFloat('start', { description: 'Seconds from the start of the audio.' }),
    end: t.exposeFloat('end'),
    text: t.exposeString('text'),
    speaker: t.exposeString('speaker', { nullable: true }),
    words: t.field({ type: [WordRef], resolve: (segment) => segment.words }),
  }),
});


export interface ChunkShape {
  jobId: string | null;
  sessionId: string | null;
  segment: IndexedSegment;
  isFinal: boolean;
}

export const TranscriptChunkRef = builder.objectRef<ChunkShape>('TranscriptChunk').implement({
  fields: (t) => ({
    jobId: t.exposeID('jobId', { nullable: true }),
    sessionId: t.exposeID('sessionId', { nullable: true }),
    segment: t.field({ type: SegmentRef, resolve: (chunk) => chunk.segment }),
    isFinal: t.exposeBoolean('isFinal', {
      description: 'false: interim text that a later chunk with the same index replaces.',
    }),
  }),
});

export const JobRef = builder.prismaNode('Job', {
  id: { field: 'id' },
  fields: (t) => ({
    status: t.expose('status', { type: JobStatusEnum }),
    progress: t.exposeFloat('progress', { description: '0..1' }),
    provider: t.expose('provider', { type: ProviderEnum }),
    model: t.exposeString('model', { nullable: true }),
    language: t.exposeString('language', { nullable: true, description: 'Requested; null means detect.' }),
    detectedLanguage: t.exposeString('detectedLanguage', { nullable: true }),
    diarize: t.exposeBoolean('diarize'),
    translateTo: t.exposeString('translateTo', { nullable: true }),
    filename: t.exposeString('filename', { nullable: true }),
    mediaDurationSeconds: t.exposeFloat('mediaDurationSeconds', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
    attempts: t.exposeInt('attempts'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
    owner: t.relation('owner', { type: UserRef }),
    project: t.field({
      type: ProjectRef,
      nullable: true,
      description: 'Null also when the viewer cannot see the project (a former member, say).',
      resolve: async (job, _args, context) =>
        job.projectId && (await canSeeProject(context, job.projectId))
          ? context.deps.db.project.findUnique({ where: { id: job.projectId } })
          : null,
    }),
    text: t.exposeString('text', { nullable: true, description: 'The whole transcript, when completed.' }),
    translatedText: t.exposeString('translatedText', { nullable: true }),
    translationStatus: t.expose('translationStatus', {
      type: TranslationStatusEnum,
      nullable: true,
      description:
        'Null without translateTo. PENDING once the job has COMPLETED with its transcript (the translation follows); FAILED fails only the translation: see translationError, and retryTranslation.',
    }),
    translationError: t.exposeString('translationError', { nullable: true, description: 'Why the translation failed.' }),
    segments: t.field({
      type: [SegmentRef],
      select: { segments: { orderBy: { idx: 'asc' } } },
      resolve: (job) => job.segments.map(indexedSegmentFromStored),
    }),
    transcript: t.string({
      nullable: true,
      args: { format: t.arg({ type: TranscriptFormatEnum, required: true }) },
      select: { segments: { orderBy: { idx: 'asc' } } },
      resolve: (job, args) => (job.status === 'COMPLETED' ? renderTranscript(args.format, transcriptFromRows(job, job.segments)) : null),
    }),
    downloadUrl: t.string({
      args: { format: t.arg({ type: TranscriptFormatEnum, required: true }) },
      resolve: (job, args, context) => transcriptUrl(context.deps.env.publicUrl, job.id, args.format),
    }),
  }),
});

// Shared by `jobs` and `allJobs`; prismaConnection hands each connection a lazy totalCount().
const JobConnectionRef = builder.connectionObject(
  {
    type: JobRef,
    name: 'JobConnection',
    fields: (t) => ({
      totalCount: t.int({
        resolve: (connection) => (connection as unknown as { totalCount: () => Promise<number> }).totalCount(),
      }),
    }),
  },
  { name: 'JobEdge' },
);

registerNodeVisibility(
  'Job',
  async (context, id) => (await context.deps.db.job.count({ where: { id, ...visibleJobWhere(context.viewer!) } })) > 0,
);

const JobStatsRef = builder.objectRef<Awaited<ReturnType<typeof jobStats>>>('JobStats').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    queued: t.exposeInt('queued'),
    processing: t.exposeInt('processing'),
    completed: t.exposeInt('completed'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled'),
    successRate: t.exposeFloat('successRate', { description: 'completed / (completed + failed); 0 when none finished.' }),
    audioSeconds: t.exposeFloat('audioSeconds'),
  }),
});

const CreateTranscriptionJobInput = builder.inputType('CreateTranscriptionJobInput', {
  fields: (t) => ({
    file: t.field({ type: 'File', description: 'Exactly one of file, uploadId, url.' }),
    uploadId: t.id({ description: 'A finished /uploads upload.' }),
    url: t.string({ description: 'http(s) media URL, fetched by the server.' }),
    provider: t.field({ type: ProviderEnum, description: "Default: the server's configured default." }),
    model: t.string(),
    language: t.string(),
    diarize: t.boolean(),
    translateTo: t.string(),
    projectId: t.id(),
    idempotencyKey: t.string({ description: 'The same key from the same user returns the same job.' }),
  }),
});

/** Filters shared by `jobs` and `allJobs`: status, text, and creation in [from, to). */
function jobFilter(args: {
  status?: Job['status'] | null;
  search?: string | null;
  from?: Date | null;
  to?: Date | null;
}): Prisma.JobWhereInput {
  const search = args.search?.trim();
  if (search && search.length > 200) throw badInput('search is too long.', 'search');
  if (args.from && args.to && args.from.getTime() >= args.to.getTime()) throw badInput('from must be before to.', 'from');
  const createdAt = { ...(args.from ? { gte: args.from } : {}), ...(args.to ? { lt: args.to } : {}) };
  return {
    ...(args.status ? { status: args.status } : {}),
    ...(args.from || args.to ? { createdAt } : {}),
    ...(search
      ? {
          OR: [
            { filename: { contains: search, mode: 'insensitive' } },
            { text: { contains: search, mode: 'insensitive' } },
          ],
        }
      : {}),
  };
}

builder.queryFields((t) => ({
  job: t.prismaField({
    type: 'Job',
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.deps.db.job.findFirst({ ...query, where: { id: args.id, ...visibleJobWhere(context.viewer!) } }),
  }),
  jobs: t.prismaConnection(
    {
      type: 'Job',
      cursor: 'id',
      ...pageSizes,
      authScopes: { authenticated: true },
      args: {
        status: t.arg({ type: JobStatusEnum }),
        search: t.arg.string(),
        projectId: t.arg.id(),
        from: t.arg({ type: 'DateTime', description: 'Only jobs created at or after this time.' }),
        to: t.arg({ type: 'DateTime', description: 'Only jobs created before this time.' }),
      },
      totalCount: (_connection, args, context) =>
        context.deps.db.job.count({ where: ownJobs(context, args) }),
      resolve: (query, _root, args, context) =>
        context.deps.db.job.findMany({ ...query, where: ownJobs(context, args), orderBy: { id: 'desc' } }),
    },
    JobConnectionRef,
  ),
  jobStats: t.field({
    type: JobStatsRef,
    description: "The viewer's own jobs. With from/to: jobs that finished in [from, to), or, unfinished, were created in it (over the same range, completed and audioSeconds agree with the viewer's own file-job usage).",
    authScopes: { authenticated: true },
    args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
    resolve: (_root, args, context) => jobStats(context.deps, { ownerId: context.viewer!.user.id }, args),
  }),
  allJobs: t.prismaConnection({
    type: 'Job',
    description: "ADMIN only. Every user's jobs, newest first; from/to: created in [from, to).",
    cursor: 'id',
    ...pageSizes,
    authScopes: { admin: true },
    args: {
      status: t.arg({ type: JobStatusEnum }),
      userId: t.arg.id(),
      search: t.arg.string(),
      provider: t.arg({ type: ProviderEnum }),
      from: t.arg({ type: 'DateTime', description: 'Jobs created at or after this time.' }),
      to: t.arg({ type: 'DateTime', description: 'Jobs created before this time (BAD_USER_INPUT unless after from).' }),
    },
    totalCount: (_connection, args, context) => context.deps.db.job.count({ where: allJobsFilter(args) }),
    resolve: (query, _root, args, context) =>
      context.deps.db.job.findMany({ ...query, where: allJobsFilter(args), orderBy: { id: 'desc' } }),
  }, JobConnectionRef),
  adminJobStats: t.field({
    type: JobStatsRef,
    description: 'ADMIN only. Every job; from/to as for jobStats.',
    authScopes: { admin: true },
    args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
    resolve: (_root, args, context) => jobStats(context.deps, {}, args),
  }),
}));

/** The viewer's own jobs; with projectId, every job of that project the viewer may see (members: all). */
function ownJobs(
  context: Context,
  args: { status?: Job['status'] | null; search?: string | null; projectId?: string | null; from?: Date | null; to?: Date | null },
): Prisma.JobWhereInput {
  const viewer = context.viewer!;
  return {
    AND: [
      args.projectId ? { projectId: args.projectId, ...visibleJobWhere(viewer) } : { ownerId: viewer.user.id },
      jobFilter(args),
    ],
  };
}

function allJobsFilter(args: {
  status?: Job['status'] | null;
  userId?: string | null;
  search?: string | null;
  provider?: Job['provider'] | null;
  from?: Date | null;
  to?: Date | null;
}): Prisma.JobWhereInput {
  return {
    ...jobFilter(args),
    ...(args.userId ? { ownerId: args.userId } : {}),
    ...(args.provider ? { provider: args.provider } : {}),
  };
}

builder.mutationFields((t) => ({
  createTranscriptionJob: t.prismaField({
    type: 'Job',
    authScopes: { write: true },
    args: { input: t.arg({ type: CreateTranscriptionJobInput, required: true }) },
    resolve: (_query, _root, { input }, context) => createTranscriptionJob(context.deps, context.viewer!, input),
  }),
  cancelJob: t.prismaField({
    type: 'Job',
    authScopes: { write: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, context) => cancelJob(context.deps, context.viewer!, args.id),
  }),
  retryJob: t.prismaField({
    type: 'Job',
    authScopes: { write: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, context) => retryJob(context.deps, context.viewer!, args.id),
  }),
  retryTranslation: t.prismaField({
    type: 'Job',
    description: "Runs a job's FAILED translation again (its owner); the transcript is left as it is.",
    authScopes: { write: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, context) => retryTranslation(context.deps, context.viewer!, args.id),
  }),
  deleteJob: t.boolean({
    authScopes: { write: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => deleteJob(context.deps, context.viewer!, args.id),
  }),
}));

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Nothing more will happen to the job: it is terminal and no translation of it is still to come. */
const isSettled = (job: Pick<Job, 'status' | 'translationStatus'>) =>
  TERMINAL.has(job.status) && !(job.status === 'COMPLETED' && job.translationStatus === 'PENDING');

/**
 * Job events for one topic, each re-read with the authorization of the subscriber as of that event,
 * ending after a terminal status (for one job) or when the subscriber may no longer see it.
 */
function jobEvents(context: Context, topic: string, onlyJobId: string | null): AsyncGenerator<Job> {
  return abortable((signal) => jobEventStream(context, topic, onlyJobId, signal));
}

async function* jobEventStream(context: Context, topic: string, onlyJobId: string | null, signal: AbortSignal): AsyncGenerator<Job> {
  const subscriber = context.deps.subscriber;
  if (!subscriber) throw new Error('This process does not serve subscriptions.');
  const events = subscriber.subscribe(topic, signal);
  if (onlyJobId) {
    // A job that finished before the subscription started is reported once, then the stream ends;
    // a completed job whose translation is still PENDING stays followed until the translation ends.
    const current = await findVisibleJob(context.deps, context.viewer!, onlyJobId);
    if (isSettled(current)) {
      yield current;
      return;
    }
  }
  for await (const event of events) {
    const viewer = await viewerAtDelivery(context);
    const job = await context.deps.db.job.findFirst({ where: { id: String(event.jobId), ...visibleJobWhere(viewer) } });
    if (!job) {
      if (onlyJobId) return;
      continue;
    }
    yield job;
    if (onlyJobId && isSettled(job)) return;
  }
}

function chunkEvents(context: Context, jobId: string): AsyncGenerator<ChunkShape> {
  return abortable((signal) => chunkEventStream(context, jobId, signal));
}

async function* chunkEventStream(context: Context, jobId: string, signal: AbortSignal): AsyncGenerator<ChunkShape> {
  const { subscriber, db } = context.deps;
  if (!subscriber) throw new Error('This process does not serve subscriptions.');
  const chunkTopic = topics.jobChunks(jobId);
  const events = subscriber.subscribeMany([chunkTopic, topics.job(jobId)], signal);
  await findVisibleJob(context.deps, context.viewer!, jobId);
  for await (const { topic, payload: event } of events) {
    if (topic !== chunkTopic) {
      if (TERMINAL.has(String(event.status))) return;
      continue;
    }
    const viewer = await viewerAtDelivery(context);
    const visible = await coalesce(db, `job-visible:${jobId}:${viewer.user.id}:${viewer.isAdmin}`, () =>
      db.job.count({ where: { id: jobId, ...visibleJobWhere(viewer) } }),
    );
    if (!visible) return;
    // Every subscriber of this job got the same event: they share one read of the row.
    const row = await coalesce(db, `segment:${jobId}:${Number(event.index)}`, () =>
      db.transcriptSegment.findUnique({ where: { jobId_idx: { jobId, idx: Number(event.index) } } }),
    );
    if (row) yield { jobId, sessionId: null, segment: indexedSegmentFromStored(row), isFinal: true };
  }
}

builder.subscriptionType({});
builder.subscriptionFields((t) => ({
  jobUpdated: t.field({
    type: JobRef,
    description: 'Status and progress changes of one job; ends after it completes, fails or is cancelled.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_root, args, context) => jobEvents(context, topics.job(args.id), args.id),
    resolve: (job) => job,
  }),
  myJobUpdated: t.field({
    type: JobRef,
    description: 'Any job of the viewer.',
    authScopes: { authenticated: true },
    subscribe: (_root, _args, context) => jobEvents(context, topics.userJobs(context.viewer!.user.id), null),
    resolve: (job) => job,
  }),
  transcriptChunks: t.field({
    type: TranscriptChunkRef,
    description: 'Exactly one of jobId and sessionId.',
    authScopes: { authenticated: true },
    args: { jobId: t.arg.id(), sessionId: t.arg.id() },
    subscribe: (_root, args, context) => {
      if (!!args.jobId === !!args.sessionId) throw badInput('Give exactly one of jobId and sessionId.');
      if (args.sessionId) return sessionChunkEvents(context, args.sessionId);
      return chunkEvents(context, args.jobId!);
    },
    resolve: (chunk) => chunk,
  }),
}));
