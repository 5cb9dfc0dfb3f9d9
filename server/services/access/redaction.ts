/**
 * Who reads a transcript's original text and who only its redaction: the one rule every path that
 * reads segment text asks (Job fields, downloads, documents, subscriptions, playback audio, live
 * sessions, recordings, webhooks, dataset exports). README, "Redaction".
 *
 * The kinds in force are the row's own (a job's `redact`) and its project's policy now. With them,
 * the original is for the row's owner, the project's OWNERs and site admins; a mandatory policy
 * narrows that to the project's OWNERs alone. Everyone else, and every path with no viewer
 * (webhooks, exports), gets the redacted text; anyone may ask for it (`redacted: true`).
 */
import type { Viewer } from '../../context.ts';
import type { Db } from '../../db/db.ts';
import { normaliseKinds, type RedactionKind } from '../../transcripts/redaction/index.ts';
import { viewerRoleIn } from '../projectAccess.ts';

type Reader = Pick<Db, 'project' | 'projectMember'>;

interface RedactableRow {
  ownerId: string;
  projectId: string | null;
  /** A job's own kinds; live sessions and recordings have only their project's. */
  redact?: readonly string[];
}

export interface ProjectRedactionPolicy {
  redact: RedactionKind[];
  redactionMandatory: boolean;
}

/** A project's policy (none without a project). Prisma batches these findUnique calls within a tick. */
export async function projectRedactionPolicy(db: Pick<Db, 'project'>, projectId: string | null): Promise<ProjectRedactionPolicy | null> {
  if (!projectId) return null;
  const project = await db.project.findUnique({ where: { id: projectId }, select: { redact: true, redactionMandatory: true } });
  return project ? { redact: normaliseKinds(project.redact), redactionMandatory: project.redactionMandatory } : null;
}

/** The kinds a row is redacted for: its own and its project's policy. */
export async function redactionKindsOf(db: Pick<Db, 'project'>, row: RedactableRow): Promise<RedactionKind[]> {
  const policy = await projectRedactionPolicy(db, row.projectId);
  return normaliseKinds([...(row.redact ?? []), ...(policy?.redact ?? [])]);
}

/**
 * The kinds to redact what `viewer` reads of `row` with: none when they read the original.
 * `viewer` null: a path with no person behind it (webhooks, exports), which never reads the original.
 */
export async function redactionFor(db: Reader, viewer: Viewer | null, row: RedactableRow, asked = false): Promise<RedactionKind[]> {
  const policy = await projectRedactionPolicy(db, row.projectId);
  const kinds = normaliseKinds([...(row.redact ?? []), ...(policy?.redact ?? [])]);
  if (kinds.length === 0) return [];
  if (asked || !viewer) return kinds;
  return (await mayReadOriginal(db, viewer, row, policy)) ? [] : kinds;
}

/**
 * The kinds a request for playback audio hears `row` with (none: the original). A signed link carries
 * no reader, so its path decides (a link to the original is only made for those who may hear it); a
 * reader with credentials hears what they read, or the redaction when they ask for it (`/redacted`).
 */
export async function playbackRedaction(db: Reader, access: Viewer | 'signed', row: RedactableRow, askedRedacted: boolean): Promise<RedactionKind[]> {
  if (access !== 'signed') return redactionFor(db, access, row, askedRedacted);
  return askedRedacted ? redactionKindsOf(db, row) : [];
}

async function mayReadOriginal(db: Reader, viewer: Viewer, row: RedactableRow, policy: ProjectRedactionPolicy | null): Promise<boolean> {
  const isProjectOwner = async () => row.projectId !== null && (await viewerRoleIn(db, viewer, row.projectId)) === 'OWNER';
  if (viewer.streamingSessionId) return false;
  if (policy?.redactionMandatory) return isProjectOwner();
  return row.ownerId === viewer.user.id || viewer.isAdmin || (await isProjectOwner());
}
