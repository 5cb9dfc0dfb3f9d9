import type { Viewer } from '../context.ts';
import type { Db, Prisma, Project, ProjectRole } from '../db/db.ts';
import { forbidden, notFound } from '../errors.ts';

/**
 * What each project role may do; the roles matrix in README.md ("Projects") is this table.
 * Site admins who are not members may `view` every project and nothing else.
 */
const projectPermissions = {
  /** See the project, its members, prompts, jobs, recordings and exports. */
  view: ['OWNER', 'ADMIN', 'CONTRIBUTOR', 'REVIEWER'],
  /** Invite members, change roles, remove members. Only OWNERs touch OWNERs (see projectMembers.ts). */
  manageMembers: ['OWNER', 'ADMIN'],
  managePrompts: ['OWNER', 'ADMIN'],
  manageSettings: ['OWNER', 'ADMIN'],
  /** Submit transcription jobs into the project, ask for nextPrompt, record prompts. */
  record: ['OWNER', 'ADMIN', 'CONTRIBUTOR'],
  /** Approve or reject recordings; nobody reviews their own recording. */
  review: ['OWNER', 'ADMIN', 'REVIEWER'],
  /** Start dataset exports and download them (site admins may too, see datasetExports.ts). */
  export: ['OWNER', 'ADMIN'],
  delete: ['OWNER'],
} as const satisfies Record<string, readonly ProjectRole[]>;

type ProjectAction = keyof typeof projectPermissions;

export function roleAllows(role: ProjectRole | null, action: ProjectAction): boolean {
  return role !== null && (projectPermissions[action] as readonly ProjectRole[]).includes(role);
}

/** Projects the viewer may see: the ones they are a member of; every project for admins. */
export function visibleProjectWhere(viewer: Viewer): Prisma.ProjectWhereInput {
  return viewer.isAdmin ? {} : memberOfProjectWhere(viewer);
}

/**
 * The viewer's role in a project, or null. Prisma batches these findUnique calls within one tick,
 * so a list of rows asking for it costs one query.
 */
export async function viewerRoleIn(db: Pick<Db, 'projectMember'>, viewer: Viewer, projectId: string): Promise<ProjectRole | null> {
  const member = await db.projectMember.findUnique({
    where: { projectId_userId: { projectId, userId: viewer.user.id } },
    select: { role: true },
  });
  return member?.role ?? null;
}

/** visibleProjectWhere for one project id: a member, or an admin. */
export async function canSeeProject(db: Pick<Db, 'projectMember'>, viewer: Viewer, projectId: string): Promise<boolean> {
  return viewer.isAdmin || (await viewerRoleIn(db, viewer, projectId)) !== null;
}

/** Projects whose members (and admins) also see a job, live session or recording of theirs. */
export function memberOfProjectWhere(viewer: Viewer): { members: { some: { userId: string } } } {
  return { members: { some: { userId: viewer.user.id } } };
}

type Reader = Pick<Prisma.TransactionClient, 'project'>;

/**
 * The project and the viewer's role in it, when the viewer may do `action` there. A project the
 * viewer may not see is NOT_FOUND (like a missing one); a visible one whose role falls short is
 * FORBIDDEN.
 */
export async function requireProject(
  db: Reader,
  viewer: Viewer,
  projectId: string,
  action: ProjectAction,
): Promise<{ project: Project; role: ProjectRole | null }> {
  const found = await db.project.findUnique({
    where: { id: projectId },
    include: { members: { where: { userId: viewer.user.id }, select: { role: true } } },
  });
  const role = found?.members[0]?.role ?? null;
  if (!found || (role === null && !viewer.isAdmin)) throw notFound('Project');
  if (action !== 'view' && !roleAllows(role, action)) {
    throw forbidden(
      role === null
        ? 'You are not a member of this project.'
        : `Your role in this project (${role}) does not allow this.`,
    );
  }
  const { members: _members, ...project } = found;
  return { project, role };
}
