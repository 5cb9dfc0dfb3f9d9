import { addPrompts, nextPrompt } from '../services/prompts.ts';
import { builder } from './builder.ts';
import { pageSizes } from './root.ts';
import './projects.ts';

builder.prismaNode('Prompt', {
  id: { field: 'id' },
  fields: (t) => ({
    text: t.exposeString('text'),
    recordingsCount: t.relationCount('recordings', { description: 'Recordings of this prompt, whatever their review status.' }),
    approvedRecordingsCount: t.relationCount('recordings', { where: { reviewStatus: 'APPROVED' } }),
  }),
});

builder.prismaObjectField('Project', 'prompts', (t) =>
  t.relatedConnection(
    'prompts',
    {
      cursor: 'id',
      ...pageSizes,
      description: 'Oldest first.',
      totalCount: true,
      query: { orderBy: { id: 'asc' } },
    },
    { name: 'PromptConnection' },
    { name: 'PromptEdge' },
  ),
);

builder.queryField('nextPrompt', (t) =>
  t.withAuth({ authenticated: true }).prismaField({
    type: 'Prompt',
    nullable: true,
    description:
      'For OWNER, ADMIN and CONTRIBUTOR: the prompt with the fewest approved recordings that the viewer has not recorded yet; null when none is left.',
    args: { projectId: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const id = await nextPrompt(context.deps, context.viewer, args.projectId);
      return id ? context.deps.db.prompt.findUnique({ ...query, where: { id } }) : null;
    },
  }),
);

builder.mutationField('addPrompts', (t) =>
  t.withAuth({ write: true }).prismaField({
    type: ['Prompt'],
    description:
      'OWNER and ADMIN. Up to 1000 texts, each trimmed; empty lines and repeats (also of existing prompts) are dropped; a line over 500 characters fails the call. Answers the prompts added.',
    args: { projectId: t.arg.id({ required: true }), texts: t.arg.stringList({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const added = await addPrompts(context.deps, context.viewer, args.projectId, args.texts);
      // Re-read with the selection, so nested fields (recordingsCount) come in the same query.
      return context.deps.db.prompt.findMany({ ...query, where: { id: { in: added.map((prompt) => prompt.id) } }, orderBy: { id: 'asc' } });
    },
  }),
);
