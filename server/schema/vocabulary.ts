/**
 * Vocabulary sets and what engines applied of them (README, "Vocabulary and context"): the
 * VocabularySet node, its queries and mutations, the vocabulary fields of jobs and live sessions and
 * the project's default sets. Who may see and change a set: services/vocabulary.ts.
 */
import { requireProject } from '../services/projectAccess.ts';
import { vocabularyAppliedOf } from '../services/vocabularyApplied.ts';
import {
  createVocabularySet,
  deleteVocabularySet,
  setProjectDefaultVocabularySets,
  updateVocabularySet,
  usableVocabularySetWhere,
  visibleVocabularySetWhere,
} from '../services/vocabulary.ts';
import type { ProviderName } from '../providers/types.ts';
import type { TermNotApplied, VocabularyReport } from '../providers/vocabulary.ts';
import { builder } from './builder.ts';
import './jobs.ts';
import './liveSessions.ts';
import { ProjectRef, visibleProjectOf } from './projects.ts';
import { pageSizes, ProviderEnum } from './root.ts';

builder.prismaNode('VocabularySet', {
  id: { field: 'id' },
  description: 'Terms (names, product words) for engines to favour. Owned by a user (private) or by a project (its members use it; OWNERs and ADMINs change it).',
  fields: (t) => ({
    name: t.exposeString('name'),
    terms: t.exposeStringList('terms', { description: 'In the order given, at most 500.' }),
    termCount: t.int({ resolve: (set) => set.terms.length }),
    project: t.field({
      type: ProjectRef,
      nullable: true,
      description: 'The project that owns it; null for a personal set.',
      resolve: (set, _args, context) => visibleProjectOf(context, set.projectId),
    }),
    personal: t.boolean({ description: 'Owned by the viewer alone.', resolve: (set) => set.projectId === null }),
    projectDefault: t.exposeBoolean('projectDefault', { description: "Attached to the project's jobs that choose no sets." }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const TermNotAppliedRef = builder.objectRef<TermNotApplied>('VocabularyTermNotApplied').implement({
  fields: (t) => ({
    term: t.exposeString('term'),
    reason: t.exposeString('reason'),
  }),
});

const VocabularyApplicationRef = builder.objectRef<VocabularyReport & { provider: ProviderName }>('VocabularyApplication').implement({
  description: 'What one engine did with the vocabulary and context prompt of a job or live session.',
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, resolve: (report) => report.provider }),
    termsApplied: t.exposeStringList('termsApplied'),
    termsNotApplied: t.field({ type: [TermNotAppliedRef], resolve: (report) => report.termsNotApplied }),
    contextPromptPassed: t.exposeBoolean('contextPromptPassed'),
    truncated: t.exposeBoolean('truncated', { description: 'Something was cut to fit the engine\'s limits (see notes and termsNotApplied).' }),
    notes: t.exposeStringList('notes', { description: 'Which parameter carried the terms, why the prompt was not passed, what was cut.' }),
  }),
});

builder.prismaObjectFields('Job', (t) => ({
  vocabularyTerms: t.exposeStringList('vocabularyTerms', { description: 'The terms the job was submitted with (its sets as they were then).' }),
  contextPrompt: t.exposeString('contextPrompt', { nullable: true }),
  vocabularyApplied: t.field({
    type: [VocabularyApplicationRef],
    description: 'Per engine that transcribed a chunk of the job: what it applied of the vocabulary and context prompt. Empty without vocabulary.',
    resolve: (job) => vocabularyAppliedOf(job),
  }),
}));

builder.prismaObjectFields('LiveSession', (t) => ({
  vocabularyTerms: t.exposeStringList('vocabularyTerms', { description: 'The terms the session was started with (its sets as they were then).' }),
  contextPrompt: t.exposeString('contextPrompt', { nullable: true }),
  vocabularyApplied: t.field({
    type: [VocabularyApplicationRef],
    description: 'Per engine the session started (a fallback engine too): what it applied of the vocabulary and context prompt. Empty without vocabulary.',
    resolve: (session) => vocabularyAppliedOf(session),
  }),
}));

builder.prismaObjectField('Project', 'defaultVocabularySets', (t) =>
  t.prismaField({
    type: ['VocabularySet'],
    description: "The project's sets attached to its jobs that choose none.",
    resolve: (query, project, _args, context) =>
      context.deps.db.vocabularySet.findMany({ ...query, where: { projectId: project.id, projectDefault: true }, orderBy: { id: 'asc' } }),
  }),
);

const CreateVocabularySetInput = builder.inputType('CreateVocabularySetInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1 to 100 characters.' }),
    terms: t.stringList({
      required: true,
      description: 'One term per entry (whitespace collapsed, empty ones dropped): at most 500, each at most 100 characters, 20000 together, no repeats (case-insensitive).',
    }),
    projectId: t.id({ description: 'A project set (OWNER or ADMIN of the project); none: a personal set.' }),
  }),
});

const UpdateVocabularySetInput = builder.inputType('UpdateVocabularySetInput', {
  fields: (t) => ({
    name: t.string(),
    terms: t.stringList({ description: 'Replaces all the terms; the same rules as at creation.' }),
  }),
});

builder.queryField('vocabularySets', (t) =>
  t.withAuth({ authenticated: true }).prismaConnection({
    type: 'VocabularySet',
    cursor: 'id',
    ...pageSizes,
    description: "The sets the viewer may use, oldest first: their own and those of the projects they are a member of. With projectId: that project's sets only.",
    args: { projectId: t.arg.id() },
    resolve: async (query, _root, args, context) => {
      if (args.projectId) await requireProject(context.deps.db, context.viewer, args.projectId, 'view');
      return context.deps.db.vocabularySet.findMany({
        ...query,
        where: args.projectId
          ? { AND: [visibleVocabularySetWhere(context.viewer), { projectId: args.projectId }] }
          : usableVocabularySetWhere(context.viewer),
        orderBy: { id: 'asc' },
      });
    },
  }),
);

builder.mutationFields((t) => ({
  createVocabularySet: t.withAuth({ write: true }).prismaField({
    type: 'VocabularySet',
    args: { input: t.arg({ type: CreateVocabularySetInput, required: true }) },
    resolve: (_query, _root, { input }, context) => createVocabularySet(context.deps, context.viewer, input),
  }),
  updateVocabularySet: t.withAuth({ write: true }).prismaField({
    type: 'VocabularySet',
    description: 'Its owner, or an OWNER or ADMIN of its project. Jobs already submitted keep the terms they had.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateVocabularySetInput, required: true }) },
    resolve: (_query, _root, args, context) => updateVocabularySet(context.deps, context.viewer, args.id, args.input),
  }),
  deleteVocabularySet: t.withAuth({ write: true }).boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => deleteVocabularySet(context.deps, context.viewer, args.id),
  }),
  setProjectDefaultVocabularySets: t.withAuth({ write: true }).prismaField({
    type: 'Project',
    description: "OWNER and ADMIN: the project's own sets to attach to its jobs that choose none (replaces the list; [] for none).",
    args: { projectId: t.arg.id({ required: true }), vocabularySetIds: t.arg.idList({ required: true }) },
    resolve: async (query, _root, args, context) => {
      await setProjectDefaultVocabularySets(context.deps, context.viewer, args.projectId, args.vocabularySetIds);
      return context.deps.db.project.findUniqueOrThrow({ ...query, where: { id: args.projectId } });
    },
  }),
}));
