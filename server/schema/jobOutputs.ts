/**
 * What a finished job yields besides its transcript: its sentiment (per segment and overall, with
 * analyzeSentiment) and the engine that translates it. The Job node itself is in jobs.ts.
 */
import { analyzeSentiment } from '../services/jobSentiment.ts';
import { builder } from './builder.ts';
import { mutationAnswer } from './mutationAnswer.ts';

const SentimentLabelEnum = builder.enumType('SentimentLabel', { values: ['POSITIVE', 'NEUTRAL', 'NEGATIVE'] as const });

const AnalysisStatusEnum = builder.enumType('AnalysisStatus', {
  values: ['PENDING', 'COMPLETED', 'FAILED'] as const,
  description: 'The status of a step run on a finished transcript (sentiment).',
});

export const TranslationEngineEnum = builder.enumType('TranslationEngine', {
  values: ['CHAT', 'GOOGLE'] as const,
  description: "CHAT: the OpenAI-compatible chat endpoint (CHAT_BASE_URL, else OpenAI's); GOOGLE: Google Cloud Translation.",
});

interface SentimentValue {
  label: 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE';
  score: number;
}

export const SentimentRef = builder.objectRef<SentimentValue>('Sentiment').implement({
  fields: (t) => ({
    label: t.field({ type: SentimentLabelEnum, resolve: (sentiment) => sentiment.label }),
    score: t.exposeFloat('score', { description: 'The confidence in the label, 0..1.' }),
  }),
});

builder.prismaObjectFields('Job', (t) => ({
  translationEngine: t.expose('translationEngine', {
    type: TranslationEngineEnum,
    nullable: true,
    description: 'The engine that translates the job (null without translateTo).',
  }),
  sentimentRequested: t.exposeBoolean('sentimentRequested', { description: 'Submitted with sentiment: true.' }),
  sentimentStatus: t.expose('sentimentStatus', {
    type: AnalysisStatusEnum,
    nullable: true,
    description:
      'Null until asked for (sentiment: true, or analyzeSentiment). PENDING once the job has COMPLETED with its transcript; FAILED fails only the sentiment: see sentimentError, and analyzeSentiment to run it again.',
  }),
  sentimentError: t.exposeString('sentimentError', { nullable: true, description: 'Why the sentiment failed.' }),
  sentiment: t.field({
    type: SentimentRef,
    nullable: true,
    description: "The whole transcript's sentiment: the label with the most confidence-weighted speaking time, and that label's share of it.",
    resolve: (job) => (job.sentiment ? { label: job.sentiment, score: job.sentimentScore ?? 0 } : null),
  }),
}));

builder.mutationField('analyzeSentiment', (t) =>
  t.withAuth({ write: true }).prismaField({
    type: 'Job',
    description:
      "Analyses a COMPLETED job's sentiment (its owner): a first time, again after a FAILED one, or anew after corrections. The transcript is left as it is.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const row = await analyzeSentiment(context.deps, context.viewer, args.id);
      return mutationAnswer(row, query, (planned) => context.deps.db.job.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
);
