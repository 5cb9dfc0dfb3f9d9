import { signPath } from '../security/signedUrls.ts';
import { mayExport } from '../services/access/projectContent.ts';
import { exportDataset } from '../services/datasetExports.ts';
import { viewerRoleIn } from '../services/projectAccess.ts';
import { builder } from './builder.ts';
import { JobStatusEnum } from './jobs.ts';
import { ProjectRef } from './projects.ts';

builder.prismaNode('DatasetExport', {
  id: { field: 'id' },
  description:
    "An archive of a project's approved recordings: manifest.jsonl (one line per recording) and audio/<recording id>.flac, as one tar file.",
  fields: (t) => ({
    project: t.relation('project', { type: ProjectRef }),
    status: t.expose('status', { type: JobStatusEnum }),
    progress: t.exposeFloat('progress', { description: '0..1.' }),
    recordings: t.exposeInt('recordings', { description: 'Approved recordings in the archive (when COMPLETED; before: when requested).' }),
    sizeBytes: t.float({
      nullable: true,
      description: 'Size of the archive, when COMPLETED.',
      resolve: (row) => (row.archiveBytes === null ? null : Number(row.archiveBytes)),
    }),
    downloadUrl: t.string({
      nullable: true,
      description:
        'A signed link to the archive, valid for SIGNED_URL_TTL_SECONDS; set when COMPLETED, and only for OWNERs and ADMINs of the project (and site admins).',
      resolve: async (row, _args, context) => {
        if (row.status !== 'COMPLETED' || !context.viewer) return null;
        if (!mayExport(context.viewer, await viewerRoleIn(context.deps.db, context.viewer, row.projectId))) return null;
        const { env, box } = context.deps;
        return context.linkBase + signPath(box, `/exports/${encodeURIComponent(row.id)}/dataset.tar`, env.SIGNED_URL_TTL_SECONDS);
      },
    }),
    error: t.exposeString('error', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.prismaObjectField('Project', 'exports', (t) =>
  t.relation('exports', {
    description: 'The latest 20 dataset exports, newest first.',
    query: { orderBy: { id: 'desc' }, take: 20 },
  }),
);

builder.mutationField('exportDataset', (t) =>
  t.withAuth({ write: true }).prismaField({
    type: 'DatasetExport',
    description:
      "OWNER and ADMIN of the project (and site admins). Enqueues an archive of the project's approved recordings; follow it with node(id). BAD_USER_INPUT when nothing is approved; an export already under way is answered instead of a second.",
    args: { projectId: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, context) => exportDataset(context.deps, context.viewer, args.projectId),
  }),
);
