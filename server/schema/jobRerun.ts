/** rerunJob: the same media again with other settings, as a new job; Job.rerunOf links back. */
import { visibleJobWhere } from '../services/access/jobs.ts';
import { rerunJob } from '../services/jobRerun.ts';
import { builder } from './builder.ts';
import { TranslationEngineEnum } from './jobOutputs.ts';
import { JobRef } from './jobs.ts';
import { ProviderEnum } from './root.ts';
import { mutationAnswer } from './mutationAnswer.ts';

const RerunJobInput = builder.inputType('RerunJobInput', {
  description: "Settings for the new job; each one left out keeps the original job's (null clears it: language null detects, provider null takes the default order).",
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, description: 'One engine (the same as providers: [provider]).' }),
    providers: t.field({ type: [ProviderEnum], description: 'Engines to try in order. Not with provider.' }),
    model: t.string(),
    language: t.string(),
    diarize: t.boolean(),
    translateTo: t.string(),
    translationEngine: t.field({ type: TranslationEngineEnum }),
    sentiment: t.boolean(),
    summarize: t.boolean({ description: 'Summarise the transcript once it is done (README, "Summaries and questions").' }),
    vocabularySetIds: t.idList({ description: "Vocabulary sets whose terms replace the original job's ([] for none); left out, the original's terms are kept." }),
    contextPrompt: t.string({ description: "Replaces the original job's context prompt (null for none)." }),
  }),
});

builder.prismaObjectField('Job', 'rerunOf', (t) =>
  t.field({
    type: JobRef,
    nullable: true,
    description: 'The job whose media this one was made from (rerunJob); null when it was not, is gone, or the viewer cannot see it.',
    resolve: (job, _args, context) =>
      job.rerunOfId && context.viewer
        ? context.deps.db.job.findFirst({ where: { AND: [{ id: job.rerunOfId }, visibleJobWhere(context.viewer)] } })
        : null,
  }),
);

builder.mutationFields((t) => ({
  rerunJob: t.withAuth({ write: true }).prismaField({
    type: 'Job',
    description:
      "Transcribes a job's media again as a new job owned by the caller, with the original's settings except those given (README, \"Running a job again\"). Its owner may, and members of its project who may submit jobs there. The media is copied (no upload); quotas, email verification and the submission rate apply as for a new job.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: RerunJobInput }) },
    resolve: async (query, _root, args, context) => {
      const row = await rerunJob(context.deps, context.viewer, args.id, args.input ?? {});
      return mutationAnswer(row, query, (planned) => context.deps.db.job.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
}));
