/**
 * Every change to who belongs to a project, and with which role, goes through this module, and each
 * one passes through `membershipChanged` inside its transaction: the place the audit log (issue 6)
 * writes its entries.
 */
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import { isUniqueViolation, type Prisma, type Project, type ProjectInvitation, type ProjectMember, type ProjectRole, type Tx } from '../db/db.ts';
import { badInput, conflict, forbidden, notFound, rateLimited } from '../errors.ts';
import { newId } from '../ids.ts';
import { randomSecret, sha256Hex } from '../security/tokens.ts';
import { emailNotVerified } from './access/work.ts';
import { recordAudit } from './audit.ts';
import { sendEmail } from './mail.ts';
import { requireProject } from './projectAccess.ts';
import { normaliseEmail } from './validation.ts';

const INVITATION_TOKEN_PREFIX = 'inv_';
/** Invitations one person may send in an hour, so a project cannot be used to spam addresses. */
const INVITATIONS_PER_HOUR = 50;

type MembershipChange =
  | { action: 'member.added'; projectId: string; actorId: string; userId: string; role: ProjectRole }
  | { action: 'member.invited'; projectId: string; actorId: string; invitationId: string; role: ProjectRole }
  | { action: 'member.joined'; projectId: string; actorId: string; userId: string; role: ProjectRole; invitationId: string }
  | { action: 'member.roleChanged'; projectId: string; actorId: string; userId: string; role: ProjectRole; previousRole: ProjectRole }
  | { action: 'member.removed'; projectId: string; actorId: string; userId: string; previousRole: ProjectRole };

/** The single hook every membership change passes through, inside its transaction. */
async function membershipChanged(deps: CoreDeps, tx: Prisma.TransactionClient, change: MembershipChange): Promise<void> {
  deps.logger.info({ membership: change }, 'project membership changed');
  const { action, actorId, ...details } = change;
  await recordAudit(tx, {
    actorId,
    action,
    targetType: 'Project',
    targetId: change.projectId,
    details,
  });
}

/** Serialises membership changes of one project, so two owners cannot demote each other at once. */
async function lockProject(tx: Prisma.TransactionClient, projectId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM projects WHERE id = ${projectId} FOR UPDATE`;
}

/** Makes the creator of a new project its OWNER; called inside createProject's transaction. */
export async function addFounder(deps: CoreDeps, tx: Prisma.TransactionClient, projectId: string, userId: string) {
  await tx.projectMember.create({ data: { projectId, userId, role: 'OWNER' } });
  await membershipChanged(deps, tx, { action: 'member.added', projectId, actorId: userId, userId, role: 'OWNER' });
}

/**
 * Creates a single-use invitation (only its SHA-256 is stored) and emails the token. Inviting the same
 * address again replaces the pending invitation. Inviting someone who is already a member: CONFLICT.
 */
export async function inviteMember(
  deps: AppDeps,
  viewer: Viewer,
  input: { projectId: string; email: string; role: ProjectRole },
): Promise<boolean> {
  const email = normaliseEmail(input.email);
  const token = randomSecret(INVITATION_TOKEN_PREFIX);
  const expiresAt = new Date(Date.now() + deps.env.INVITATION_TTL_DAYS * 86_400_000);
  const project = await deps.db.$transaction(async (tx) => {
    await lockProject(tx, input.projectId);
    const { project, role } = await requireProject(tx, viewer, input.projectId, 'manageMembers');
    if (input.role === 'OWNER' && role !== 'OWNER') throw forbidden('Only an owner can invite owners.');
    const already = await tx.projectMember.count({
      where: { projectId: project.id, user: { email: { equals: email, mode: 'insensitive' } } },
    });
    if (already > 0) throw conflict('Someone with this email address is already a member.');
    const recent = await tx.projectInvitation.findMany({
      where: { invitedBy: viewer.user.id, createdAt: { gt: new Date(Date.now() - 3_600_000) } },
      select: { createdAt: true },
      orderBy: { createdAt: 'desc' },
      take: INVITATIONS_PER_HOUR,
    });
    if (recent.length >= INVITATIONS_PER_HOUR) {
      const oldest = recent[recent.length - 1].createdAt.getTime();
      throw rateLimited(Math.max(1, Math.ceil((oldest + 3_600_000 - Date.now()) / 1000)));
    }
    await tx.projectInvitation.deleteMany({ where: { projectId: project.id, email, acceptedAt: null } });
    const invitation = await tx.projectInvitation.create({
      data: {
        id: newId('ProjectInvitation'),
        projectId: project.id,
        email,
        role: input.role,
        tokenHash: sha256Hex(token),
        expiresAt,
        invitedBy: viewer.user.id,
      },
    });
    await membershipChanged(deps, tx, {
      action: 'member.invited',
      projectId: project.id,
      actorId: viewer.user.id,
      invitationId: invitation.id,
      role: input.role,
    });
    return project;
  });
  await sendEmail(deps, {
    to: email,
    subject: `Invitation to the project "${project.name}" on Parlance`,
    text: invitationText({ project, inviter: viewer.user.username, role: input.role, email, token, expiresAt, publicUrl: deps.env.publicUrl }),
    secrets: [token],
  });
  return true;
}

function invitationText(args: {
  project: Project;
  inviter: string;
  role: ProjectRole;
  email: string;
  token: string;
  expiresAt: Date;
  publicUrl: string;
}): string {
  return [
    `${args.inviter} invited you to join the project "${args.project.name}" on Parlance as ${args.role}.`,
    '',
    `Sign in at ${args.publicUrl} with this email address (${args.email}) and accept the invitation with`,
    'this token:',
    '',
    args.token,
    '',
    'For example, over the GraphQL API:',
    `mutation { acceptInvitation(token: "${args.token}") { id name } }`,
    '',
    `The token works once and expires at ${args.expiresAt.toISOString()}.`,
    '',
  ].join('\n');
}

/**
 * The invitation a token stands for, if it may be used by someone holding `email` now. Errors:
 * unknown token NOT_FOUND; a token sent to another address FORBIDDEN; a used or expired one
 * BAD_USER_INPUT.
 */
export async function usableInvitation(db: Tx, token: string, email: string | null): Promise<ProjectInvitation> {
  const tokenHash = sha256Hex(token.trim());
  const invitation = await db.projectInvitation.findUnique({ where: { tokenHash } });
  if (!invitation) throw notFound('Invitation');
  if ((email ?? '').toLowerCase() !== invitation.email.toLowerCase()) {
    throw forbidden('This invitation was sent to a different email address.');
  }
  if (invitation.acceptedAt) throw badInput('This invitation has already been used.', 'token');
  if (invitation.expiresAt.getTime() <= Date.now()) throw badInput('This invitation has expired; ask for a new one.', 'token');
  return invitation;
}

/**
 * Joins the signed-in user to the invitation's project with its role. Errors: unknown token
 * NOT_FOUND; a token sent to another address FORBIDDEN; a used or expired one BAD_USER_INPUT; an
 * account whose address is not verified FORBIDDEN (reason EMAIL_NOT_VERIFIED); already a member
 * CONFLICT (the invitation stays unused).
 */
export async function acceptInvitation(deps: AppDeps, viewer: Viewer, token: string): Promise<Project> {
  const invitation = await usableInvitation(deps.db, token, viewer.user.email);
  // Only a verified address proves that this account is the invitation's addressee.
  if (!viewer.user.emailVerifiedAt) throw emailNotVerified('accepting an invitation');
  try {
    return await deps.db.$transaction((tx) => joinByInvitation(deps, tx, invitation, viewer.user.id));
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('You are already a member of this project.');
    throw error;
  }
}

/** Uses the invitation (once) to make the user a member, inside the caller's transaction. */
export async function joinByInvitation(
  deps: CoreDeps,
  tx: Prisma.TransactionClient,
  invitation: ProjectInvitation,
  userId: string,
): Promise<Project> {
  await lockProject(tx, invitation.projectId);
  if (await tx.projectMember.findUnique({ where: { projectId_userId: { projectId: invitation.projectId, userId } } })) {
    throw conflict('You are already a member of this project.');
  }
  const { count } = await tx.projectInvitation.updateMany({
    where: { id: invitation.id, acceptedAt: null, expiresAt: { gt: new Date() } },
    data: { acceptedAt: new Date(), acceptedBy: userId },
  });
  if (count === 0) throw badInput('This invitation has already been used.', 'token');
  await tx.projectMember.create({ data: { projectId: invitation.projectId, userId, role: invitation.role } });
  await membershipChanged(deps, tx, {
    action: 'member.joined',
    projectId: invitation.projectId,
    actorId: userId,
    userId,
    role: invitation.role,
    invitationId: invitation.id,
  });
  return tx.project.findUniqueOrThrow({ where: { id: invitation.projectId } });
}

/** OWNER/ADMIN change roles; only an OWNER makes or demotes OWNERs; the last OWNER stays. */
export async function setMemberRole(
  deps: AppDeps,
  viewer: Viewer,
  input: { projectId: string; userId: string; role: ProjectRole },
): Promise<ProjectMember> {
  return deps.db.$transaction(async (tx) => {
    await lockProject(tx, input.projectId);
    const { role: actorRole } = await requireProject(tx, viewer, input.projectId, 'manageMembers');
    const member = await findMember(tx, input.projectId, input.userId);
    if ((member.role === 'OWNER' || input.role === 'OWNER') && actorRole !== 'OWNER') {
      throw forbidden('Only an owner can make or demote owners.');
    }
    if (member.role === input.role) return member;
    if (member.role === 'OWNER') await keepAnOwner(tx, input.projectId);
    const updated = await tx.projectMember.update({
      where: { projectId_userId: { projectId: input.projectId, userId: input.userId } },
      data: { role: input.role },
    });
    await membershipChanged(deps, tx, {
      action: 'member.roleChanged',
      projectId: input.projectId,
      actorId: viewer.user.id,
      userId: input.userId,
      role: input.role,
      previousRole: member.role,
    });
    return updated;
  });
}

/** OWNER/ADMIN remove members (only an OWNER removes an OWNER); anyone may leave; the last OWNER stays. */
export async function removeMember(
  deps: AppDeps,
  viewer: Viewer,
  input: { projectId: string; userId: string },
): Promise<boolean> {
  return deps.db.$transaction(async (tx) => {
    await lockProject(tx, input.projectId);
    const leaving = input.userId === viewer.user.id;
    const { role: actorRole } = await requireProject(tx, viewer, input.projectId, leaving ? 'view' : 'manageMembers');
    const member = await findMember(tx, input.projectId, input.userId);
    if (member.role === 'OWNER' && actorRole !== 'OWNER') throw forbidden('Only an owner can remove an owner.');
    if (member.role === 'OWNER') await keepAnOwner(tx, input.projectId);
    await tx.projectMember.delete({ where: { projectId_userId: { projectId: input.projectId, userId: input.userId } } });
    await membershipChanged(deps, tx, {
      action: 'member.removed',
      projectId: input.projectId,
      actorId: viewer.user.id,
      userId: input.userId,
      previousRole: member.role,
    });
    return true;
  });
}

async function findMember(tx: Prisma.TransactionClient, projectId: string, userId: string): Promise<ProjectMember> {
  const member = await tx.projectMember.findUnique({ where: { projectId_userId: { projectId, userId } } });
  if (!member) throw notFound('Member');
  return member;
}

/** Refuses a change that would take away the project's last OWNER (call with the project locked). */
async function keepAnOwner(tx: Prisma.TransactionClient, projectId: string): Promise<void> {
  const owners = await tx.projectMember.count({ where: { projectId, role: 'OWNER' } });
  if (owners <= 1) {
    throw conflict('A project needs at least one owner: make another member OWNER first.');
  }
}
