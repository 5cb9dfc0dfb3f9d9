/**
 * Summaries and questions (README, "Summaries and questions"): a job's summary with key points and
 * action items and the time ranges they come from (summarize: true, summarizeJob), questions answered
 * with citations (askTranscript), and what the chat endpoint cost per purpose (Job.chatUsage).
 */
import type { ChatPurpose, JobSummary } from '../db/db.ts';
import type { SummaryPoint } from '../providers/transcriptSummary.ts';
import type { TimeRange } from '../providers/transcriptParts.ts';
import { summarizeJob, summaryPoints } from '../services/jobSummary.ts';
import { askTranscript, MAX_QUESTION_CHARS, type TranscriptAnswerResult, type TranscriptCitation } from '../services/transcriptQuestions.ts';
import { roundTo } from '../rounding.ts';
import { builder } from './builder.ts';
import { viewerRedaction } from './redaction.ts';
import { mutationAnswer } from './mutationAnswer.ts';

const SummaryStatusEnum = builder.enumType('SummaryStatus', {
  values: ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED'] as const,
  description: 'PENDING: queued after the transcript; RUNNING: the chat endpoint is at work; FAILED: see summaryError.',
});

const ChatPurposeEnum = builder.enumType('ChatPurpose', { values: ['SUMMARY', 'QUESTION', 'TRANSLATION', 'SENTIMENT'] as const });

const TimeRangeRef = builder.objectRef<TimeRange>('TimeRange').implement({
  description: 'A stretch of the audio, in seconds from its start.',
  fields: (t) => ({ start: t.exposeFloat('start'), end: t.exposeFloat('end') }),
});

const SummaryPointRef = builder.objectRef<SummaryPoint>('SummaryPoint').implement({
  description: 'A key point or an action item, with the segments it comes from.',
  fields: (t) => ({
    text: t.exposeString('text'),
    segmentIndexes: t.exposeIntList('segments', { description: 'TranscriptSegment.index of each segment it comes from.' }),
    ranges: t.field({ type: [TimeRangeRef], description: 'The time ranges of those segments (consecutive segments make one range).', resolve: (point) => point.ranges }),
  }),
});

const JobSummaryRef = builder.objectRef<JobSummary>('JobSummary').implement({
  fields: (t) => ({
    text: t.exposeString('text', { description: 'A few sentences.' }),
    keyPoints: t.field({ type: [SummaryPointRef], resolve: (summary) => summaryPoints(summary.keyPoints) }),
    actionItems: t.field({ type: [SummaryPointRef], resolve: (summary) => summaryPoints(summary.actionItems) }),
    model: t.exposeString('model', { nullable: true, description: 'The chat model that wrote it.' }),
    revision: t.exposeInt('revision', { description: 'The transcript revision it was made from (Job.revision).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

interface ChatUsageValue {
  purpose: ChatPurpose;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const ChatUsageRef = builder.objectRef<ChatUsageValue>('ChatUsage').implement({
  description: "The chat endpoint's usage for one purpose: every run, answered or failed.",
  fields: (t) => ({
    purpose: t.field({ type: ChatPurposeEnum, resolve: (usage) => usage.purpose }),
    requests: t.exposeInt('requests'),
    inputTokens: t.exposeInt('inputTokens'),
    outputTokens: t.exposeInt('outputTokens'),
    costUsd: t.exposeFloat('costUsd', { description: 'Estimated from the chat price table (CHAT_PRICES) when each run was recorded.' }),
  }),
});

builder.prismaObjectFields('Job', (t) => ({
  summaryRequested: t.exposeBoolean('summaryRequested', { description: 'Submitted with summarize: true.' }),
  summaryStatus: t.expose('summaryStatus', {
    type: SummaryStatusEnum,
    nullable: true,
    description:
      'Null until asked for (summarize: true, or summarizeJob). PENDING once the job has COMPLETED with its transcript; FAILED fails only the summary: see summaryError, and summarizeJob to run it again.',
  }),
  summaryError: t.exposeString('summaryError', { nullable: true, description: 'Why the summary failed.' }),
  summary: t.field({
    type: JobSummaryRef,
    nullable: true,
    description: 'The latest summary (kept while a new one is made or fails). Null when transcriptRedacted: it is made from the original.',
    select: { jobSummary: true },
    resolve: async (job, _args, context) => ((await viewerRedaction(context, job, false)).length > 0 ? null : (job.jobSummary ?? null)),
  }),
  chatUsage: t.field({
    type: [ChatUsageRef],
    description: "The chat endpoint's usage for this job, per purpose (summaries, questions, translation, sentiment).",
    resolve: async (job, _args, context) => {
      const rows = await context.deps.db.chatUsageRecord.groupBy({
        by: ['purpose'],
        where: { jobId: job.id },
        _sum: { requests: true, inputTokens: true, outputTokens: true, costUsd: true },
        orderBy: { purpose: 'asc' },
      });
      return rows.map((row) => ({
        purpose: row.purpose,
        requests: row._sum.requests ?? 0,
        inputTokens: row._sum.inputTokens ?? 0,
        outputTokens: row._sum.outputTokens ?? 0,
        costUsd: roundTo(row._sum.costUsd ?? 0, 6),
      }));
    },
  }),
}));

builder.mutationField('summarizeJob', (t) =>
  t.withAuth({ write: true }).prismaField({
    type: 'Job',
    description:
      "Summarises a COMPLETED job (its owner): a first time, again after a FAILED one, or anew after corrections. CONFLICT while one is PENDING or RUNNING; PROVIDER_UNAVAILABLE without a chat endpoint.",
    args: { jobId: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const row = await summarizeJob(context.deps, context.viewer, args.jobId);
      return mutationAnswer(row, query, (planned) => context.deps.db.job.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
);

const TranscriptCitationRef = builder.objectRef<TranscriptCitation>('TranscriptCitation').implement({
  description: 'A segment an answer rests on.',
  fields: (t) => ({
    segmentIndex: t.exposeInt('segmentIndex', { description: 'TranscriptSegment.index.' }),
    start: t.exposeFloat('start'),
    end: t.exposeFloat('end'),
    text: t.exposeString('text'),
  }),
});

const TranscriptAnswerRef = builder.objectRef<TranscriptAnswerResult>('TranscriptAnswer').implement({
  fields: (t) => ({
    jobId: t.exposeID('jobId'),
    question: t.exposeString('question', { description: 'The question as asked (whitespace collapsed).' }),
    answer: t.exposeString('answer'),
    citations: t.field({ type: [TranscriptCitationRef], resolve: (answer) => answer.citations }),
  }),
});

builder.mutationField('askTranscript', (t) =>
  t.withAuth({ write: true }).field({
    type: TranscriptAnswerRef,
    description: `Answers a question about a COMPLETED job's transcript (anyone who can see the job), citing the segments the answer rests on; nothing is stored but the chat usage. BAD_USER_INPUT: an empty question, one over ${MAX_QUESTION_CHARS} characters, or one the model declines; CONFLICT: no completed transcript; PROVIDER_UNAVAILABLE: no chat endpoint; RATE_LIMITED: over QUESTIONS_PER_MINUTE; UNAVAILABLE: the chat endpoint failed or timed out.`,
    args: { jobId: t.arg.id({ required: true }), question: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => askTranscript(context.deps, context.viewer, args.jobId, args.question),
  }),
);
