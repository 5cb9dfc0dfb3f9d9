/** The Job node, its queries and mutations. Its subscriptions are in jobSubscriptions.ts. */
import { visibleJobById } from '../services/access/jobs.ts';
import { cancelJob, createTranscriptionJob, deleteJob, retryJob } from '../services/jobs.ts';
import { jobStats } from '../services/jobStats.ts';
import { retryTranslation } from '../services/jobTranslation.ts';
import { speakerNamesOf, transcriptFromRows, transcriptUrl } from '../services/transcripts.ts';
import { isDocumentFormat, renderTranscript } from '../transcripts/formats.ts';
import { jobDocumentBytes } from '../services/transcriptDocuments.ts';
import { TranslationEngineEnum } from './jobOutputs.ts';
import { indexedSegmentsFromStored } from '../transcripts/storedSegments.ts';
import { builder, signedInBuilder } from './builder.ts';
import './fileUpload.ts';
import { allJobsFilter, ownJobsFilter } from './jobFilters.ts';
import { pageSizes, ProviderEnum } from './root.ts';
import { ProjectRef, visibleProjectOf } from './projects.ts';
import { SegmentRef, TranscriptFormatEnum } from './transcripts.ts';
import { RedactionKindEnum, viewerRedaction } from './redaction.ts';
import { redactedJobText, redactedRows, segmentRowsOf } from '../services/redaction.ts';
import { UserRef } from './users.ts';
import { mutationAnswer } from './mutationAnswer.ts';

export const JobStatusEnum = builder.enumType('JobStatus', {
  values: ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const,
});
const TranslationStatusEnum = builder.enumType('TranslationStatus', {
  values: ['PENDING', 'COMPLETED', 'FAILED'] as const,
});
const JobEventKindEnum = builder.enumType('JobEventKind', {
  values: {
    PROVIDER_SKIPPED: { description: 'At submission: `from` cannot honour the options (language, model, diarize).' },
    PROVIDER_RETRIED: { description: '`from` failed on a chunk and is tried again after a pause.' },
    PROVIDER_SWITCHED: { description: '`from` is unavailable or kept failing: the remaining chunks go to `to`.' },
  } as const,
});

builder.prismaObject('JobEvent', {
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    kind: t.expose('kind', { type: JobEventKindEnum }),
    from: t.expose('fromProvider', { type: ProviderEnum, nullable: true }),
    to: t.expose('toProvider', { type: ProviderEnum, nullable: true }),
    reason: t.exposeString('reason', { nullable: true, description: "The engine's own message, with any credential cut out." }),
    chunkIndex: t.exposeInt('chunkIndex', { nullable: true, description: 'The chunk it happened on (0-based); null at submission.' }),
  }),
});

export const JobRef = builder.prismaNode('Job', {
  id: { field: 'id' },
  fields: (t) => ({
    status: t.expose('status', { type: JobStatusEnum }),
    progress: t.exposeFloat('progress', { description: '0..1' }),
    provider: t.expose('provider', {
      type: ProviderEnum,
      description: 'The first engine of the job (of `providers`); `currentProvider` is the one in use, `segments { provider }` which produced what.',
    }),
    providers: t.field({
      type: [ProviderEnum],
      description: 'The engines the job may use, in order: it moves on to the next when one is unavailable or keeps failing (see events).',
      resolve: (job) => (job.providers.length > 0 ? job.providers : [job.provider]),
    }),
    currentProvider: t.field({
      type: ProviderEnum,
      description: 'The engine in use; once the job has finished, the last one it used.',
      resolve: (job) => job.currentProvider ?? job.provider,
    }),
    events: t.relation('events', {
      description: 'What happened to its engines, oldest first: skipped at submission, retried, switched.',
      query: { orderBy: [{ at: 'asc' }, { id: 'asc' }] },
    }),
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
      resolve: (job, _args, context) => visibleProjectOf(context, job.projectId),
    }),
    text: t.string({
      nullable: true,
      description: 'The whole transcript (its latest revision), when completed; redacted when transcriptRedacted.',
      resolve: async (job, _args, context) => {
        const kinds = await viewerRedaction(context, job, false);
        return kinds.length === 0 || job.text === null ? job.text : redactedJobText(await segmentRowsOf(context.deps.db, job.id), kinds);
      },
    }),
    translatedText: t.string({
      nullable: true,
      description: 'Null when transcriptRedacted (it is translated from the original).',
      resolve: async (job, _args, context) => ((await viewerRedaction(context, job, false)).length > 0 ? null : job.translatedText),
    }),
    translationStatus: t.expose('translationStatus', {
      type: TranslationStatusEnum,
      nullable: true,
      description:
        'Null without translateTo. PENDING once the job has COMPLETED with its transcript (the translation follows); FAILED fails only the translation: see translationError, and retryTranslation.',
    }),
    translationError: t.exposeString('translationError', { nullable: true, description: 'Why the translation failed.' }),
    segments: t.field({
      type: [SegmentRef],
      description: 'The latest revision (see revision, revisions); speakerName carries the names given to speakers. redacted: true asks for the redacted text (README, "Redaction").',
      args: { redacted: t.arg.boolean({ description: 'Redacted text and words, whoever asks (default: as transcriptRedacted says).' }) },
      select: { segments: { orderBy: { idx: 'asc' } }, speakerNames: true },
      resolve: async (job, args, context) =>
        indexedSegmentsFromStored(redactedRows(job.segments, await viewerRedaction(context, job, args.redacted)), speakerNamesOf(job.speakerNames)),
    }),
    transcript: t.string({
      nullable: true,
      args: {
        format: t.arg({ type: TranscriptFormatEnum, required: true }),
        redacted: t.arg.boolean({ description: 'The redacted transcript, whoever asks (default: as transcriptRedacted says).' }),
      },
      description:
        'The latest revision, with the names given to speakers. DOCX and PDF (binary) come base64-encoded; downloadUrl serves the same document as bytes.',
      select: { segments: { orderBy: { idx: 'asc' } }, speakerNames: true, jobSummary: true },
      resolve: async (job, args, context) => {
        if (job.status !== 'COMPLETED') return null;
        const redact = await viewerRedaction(context, job, args.redacted);
        if (isDocumentFormat(args.format)) return (await jobDocumentBytes(context.deps, job, args.format, { redact })).toString('base64');
        const readable = redact.length > 0 ? { ...job, translatedText: null } : job;
        return renderTranscript(args.format, transcriptFromRows(readable, redactedRows(job.segments, redact), job.speakerNames, redact.length > 0 ? null : job.jobSummary));
      },
    }),
    downloadUrl: t.string({
      args: {
        format: t.arg({ type: TranscriptFormatEnum, required: true }),
        redacted: t.arg.boolean({ description: 'A link to the redacted transcript (?redacted=1).' }),
      },
      resolve: (job, args, context) => transcriptUrl(context.linkBase, job.id, args.format) + (args.redacted ? '?redacted=1' : ''),
    }),
  }),
});

// Shared by `jobs` and `allJobs` (both scoped, hence signedInBuilder); prismaConnection hands each connection a lazy totalCount().
const JobConnectionRef = signedInBuilder.connectionObject(
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
    provider: t.field({ type: ProviderEnum, description: "One engine (the same as providers: [provider]). Default: the project's providerOrder, else the server's PROVIDER_ORDER." }),
    providers: t.field({
      type: [ProviderEnum],
      description: 'Engines to try in order; the job falls back to the next when one is unavailable or keeps failing. Not with provider.',
    }),
    model: t.string(),
    language: t.string(),
    diarize: t.boolean(),
    translateTo: t.string(),
    translationEngine: t.field({ type: TranslationEngineEnum, description: 'Which engine translates (with translateTo); default: TRANSLATION_ENGINE.' }),
    sentiment: t.boolean({ description: 'Analyse the sentiment of every segment and of the whole, once the transcript is done.' }),
    redact: t.field({ type: [RedactionKindEnum], description: "Kinds to redact from what others read (with the project's policy); README, \"Redaction\"." }),
    vocabularySetIds: t.idList({ description: "Vocabulary sets whose terms the engines should favour (at most 20). Not given: the project's default sets; [] for none." }),
    contextPrompt: t.string({ description: 'Free text about the recording (names, topic) for engines that take a prompt; at most 2000 characters.' }),
    summarize: t.boolean({ description: 'Summarise the transcript (summary, key points, action items with their time ranges) once it is done.' }),
    projectId: t.id(),
    idempotencyKey: t.string({ description: 'The same key from the same user returns the same job.' }),
  }),
});

builder.queryFields((t) => ({
  job: t.withAuth({ authenticated: true }).prismaField({
    type: 'Job',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) => visibleJobById(context.deps, context.viewer, args.id, query),
  }),
  jobs: t.withAuth({ authenticated: true }).prismaConnection(
    {
      type: 'Job',
      cursor: 'id',
      ...pageSizes,
      args: {
        status: t.arg({ type: JobStatusEnum }),
        search: t.arg.string(),
        projectId: t.arg.id(),
        from: t.arg({ type: 'DateTime', description: 'Only jobs created at or after this time.' }),
        to: t.arg({ type: 'DateTime', description: 'Only jobs created before this time.' }),
      },
      totalCount: (_connection, args, context) =>
        context.deps.db.job.count({ where: ownJobsFilter(context.viewer, args) }),
      resolve: (query, _root, args, context) =>
        context.deps.db.job.findMany({ ...query, where: ownJobsFilter(context.viewer, args), orderBy: { id: 'desc' } }),
    },
    JobConnectionRef,
  ),
  jobStats: t.withAuth({ authenticated: true }).field({
    type: JobStatsRef,
    description: "The viewer's own jobs. With from/to: jobs that finished in [from, to), or, unfinished, were created in it (over the same range, completed and audioSeconds agree with the viewer's own file-job usage).",
    args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
    resolve: (_root, args, context) => jobStats(context.deps, { ownerId: context.viewer.user.id }, args),
  }),
  allJobs: t.withAuth({ admin: true }).prismaConnection({
    type: 'Job',
    description: "ADMIN only. Every user's jobs, newest first; from/to: created in [from, to).",
    cursor: 'id',
    ...pageSizes,
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
  adminJobStats: t.withAuth({ admin: true }).field({
    type: JobStatsRef,
    description: 'ADMIN only. Every job; from/to as for jobStats.',
    args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }) },
    resolve: (_root, args, context) => jobStats(context.deps, {}, args),
  }),
}));

builder.mutationFields((t) => ({
  createTranscriptionJob: t.withAuth({ write: true }).prismaField({
    type: 'Job',
    args: { input: t.arg({ type: CreateTranscriptionJobInput, required: true }) },
    resolve: async (query, _root, { input }, context) => {
      const row = await createTranscriptionJob(context.deps, context.viewer, input);
      return mutationAnswer(row, query, (planned) => context.deps.db.job.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
  cancelJob: t.withAuth({ write: true }).prismaField({
    type: 'Job',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const row = await cancelJob(context.deps, context.viewer, args.id);
      return mutationAnswer(row, query, (planned) => context.deps.db.job.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
  retryJob: t.withAuth({ write: true }).prismaField({
    type: 'Job',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const row = await retryJob(context.deps, context.viewer, args.id);
      return mutationAnswer(row, query, (planned) => context.deps.db.job.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
  retryTranslation: t.withAuth({ write: true }).prismaField({
    type: 'Job',
    description: "Runs a job's FAILED translation again (its owner); the transcript is left as it is.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const row = await retryTranslation(context.deps, context.viewer, args.id);
      return mutationAnswer(row, query, (planned) => context.deps.db.job.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
  deleteJob: t.withAuth({ write: true }).boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => deleteJob(context.deps, context.viewer, args.id),
  }),
}));
