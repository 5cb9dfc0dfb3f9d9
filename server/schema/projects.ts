import type { Context } from '../context.ts';
import { canSeeProject, viewerRoleIn, visibleProjectWhere } from '../services/projectAccess.ts';
import { acceptInvitation, inviteMember, removeMember, setMemberRole } from '../services/projectMembers.ts';
import { createProject, deleteProject, updateProject } from '../services/projects.ts';
import { builder } from './builder.ts';
import { pageSizes, ProviderEnum } from './root.ts';
import { UserRef } from './users.ts';

const ProjectRoleEnum = builder.enumType('ProjectRole', {
  values: ['OWNER', 'ADMIN', 'CONTRIBUTOR', 'REVIEWER'] as const,
});

/** The viewer's role in a project, or null (none when signed out). */
function roleOfViewer(context: Context, projectId: string) {
  return context.viewer ? viewerRoleIn(context.deps.db, context.viewer, projectId) : null;
}

/** The project a row belongs to, or null when there is none or the viewer cannot see it (a former member, say). */
export async function visibleProjectOf(context: Context, projectId: string | null) {
  if (!projectId || !context.viewer || !(await canSeeProject(context.deps.db, context.viewer, projectId))) return null;
  return context.deps.db.project.findUnique({ where: { id: projectId } });
}

builder.prismaObject('ProjectMember', {
  fields: (t) => ({
    user: t.relation('user', { type: UserRef }),
    role: t.expose('role', { type: ProjectRoleEnum }),
    joinedAt: t.expose('joinedAt', { type: 'DateTime' }),
  }),
});

// Project.prompts is defined in prompts.ts; Project.recordings arrives with part 2 (recordings).
export const ProjectRef = builder.prismaNode('Project', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    providerOrder: t.expose('providerOrder', {
      type: [ProviderEnum],
      description: "Engines, in order, for jobs and live sessions submitted into the project that name none; empty: the server's PROVIDER_ORDER.",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    viewerRole: t.field({
      type: ProjectRoleEnum,
      nullable: true,
      description: "The viewer's role; null for an admin who is not a member.",
      resolve: (project, _args, context) => roleOfViewer(context, project.id),
    }),
    members: t.relation('members', {
      query: { orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }] },
    }),
  }),
});

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
  }),
});

const UpdateProjectInput = builder.inputType('UpdateProjectInput', {
  fields: (t) => ({
    name: t.string({ description: 'Left out: unchanged.' }),
    description: t.string({ description: 'Left out: unchanged; null: cleared.' }),
    retentionDays: t.int({
      description: "Days finished jobs and sessions are kept (1-36500). Left out: unchanged; null: the server's RETENTION_DAYS.",
    }),
    providerOrder: t.field({
      type: [ProviderEnum],
      description: "Default engine order for the project's jobs and live sessions (OWNER/ADMIN). Left out: unchanged; null or []: the server's PROVIDER_ORDER.",
    }),
  }),
});

builder.queryFields((t) => ({
  projects: t.withAuth({ authenticated: true }).prismaConnection(
    {
      type: 'Project',
      cursor: 'id',
      ...pageSizes,
      description: 'Projects the viewer is a member of; every project for admins. Newest first.',
      totalCount: (_connection, _args, context) =>
        context.deps.db.project.count({ where: visibleProjectWhere(context.viewer) }),
      resolve: (query, _root, _args, context) =>
        context.deps.db.project.findMany({ ...query, where: visibleProjectWhere(context.viewer), orderBy: { id: 'desc' } }),
    },
    { name: 'ProjectConnection' },
    { name: 'ProjectEdge' },
  ),
  project: t.withAuth({ authenticated: true }).prismaField({
    type: 'Project',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.deps.db.project.findFirst({ ...query, where: { id: args.id, ...visibleProjectWhere(context.viewer) } }),
  }),
}));

builder.mutationFields((t) => ({
  createProject: t.withAuth({ write: true }).prismaField({
    type: 'Project',
    description: 'The creator becomes OWNER.',
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: (_query, _root, { input }, context) => createProject(context.deps, context.viewer, input),
  }),
  updateProject: t.withAuth({ write: true }).prismaField({
    type: 'Project',
    description: 'Project settings; OWNER and ADMIN.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateProjectInput, required: true }) },
    resolve: (_query, _root, args, context) => updateProject(context.deps, context.viewer, args.id, args.input),
  }),
  deleteProject: t.withAuth({ write: true }).boolean({
    description:
      'OWNER only. confirmName must repeat the project name. Removes its members, invitations, prompts, jobs and their media.',
    args: { id: t.arg.id({ required: true }), confirmName: t.arg.string() },
    resolve: (_root, args, context) => deleteProject(context.deps, context.viewer, args.id, args.confirmName),
  }),
  inviteMember: t.withAuth({ write: true }).boolean({
    description:
      'OWNER and ADMIN (only an OWNER invites OWNERs). Emails a single-use token; CONFLICT when the address is already a member.',
    args: {
      projectId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true }),
      role: t.arg({ type: ProjectRoleEnum, required: true }),
    },
    resolve: (_root, args, context) => inviteMember(context.deps, context.viewer, args),
  }),
  acceptInvitation: t.withAuth({ write: true }).prismaField({
    type: 'Project',
    description:
      "Joins the signed-in user whose email the invitation was sent to, once that address is verified. Unknown token: NOT_FOUND; someone else's: FORBIDDEN; used or expired: BAD_USER_INPUT; address not verified yet: FORBIDDEN with extensions.reason EMAIL_NOT_VERIFIED.",
    args: { token: t.arg.string({ required: true }) },
    resolve: (_query, _root, args, context) => acceptInvitation(context.deps, context.viewer, args.token),
  }),
  setMemberRole: t.withAuth({ write: true }).prismaField({
    type: 'ProjectMember',
    description: 'OWNER and ADMIN; only an OWNER makes or demotes OWNERs; the last OWNER cannot be demoted (CONFLICT).',
    args: {
      projectId: t.arg.id({ required: true }),
      userId: t.arg.id({ required: true }),
      role: t.arg({ type: ProjectRoleEnum, required: true }),
    },
    resolve: async (query, _root, args, context) => {
      const member = await setMemberRole(context.deps, context.viewer, args);
      return context.deps.db.projectMember.findUniqueOrThrow({
        ...query,
        where: { projectId_userId: { projectId: member.projectId, userId: member.userId } },
      });
    },
  }),
  removeMember: t.withAuth({ write: true }).boolean({
    description: 'OWNER and ADMIN (only an OWNER removes an OWNER); any member may remove themself; the last OWNER stays.',
    args: { projectId: t.arg.id({ required: true }), userId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => removeMember(context.deps, context.viewer, args),
  }),
}));
