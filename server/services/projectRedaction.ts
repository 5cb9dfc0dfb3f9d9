/** A project's redaction policy (README, "Redaction"): set by its OWNERs only, audited. */
import type { AppDeps, Viewer } from '../context.ts';
import type { Project } from '../db/db.ts';
import { badInput, forbidden } from '../errors.ts';
import { normaliseKinds, type RedactionKind } from '../transcripts/redaction/index.ts';
import { recordAudit } from './audit.ts';
import { requireProject } from './projectAccess.ts';

export async function setProjectRedactionPolicy(
  deps: AppDeps,
  viewer: Viewer,
  projectId: string,
  input: { redact: readonly RedactionKind[]; mandatory: boolean },
): Promise<Project> {
  const { project, role } = await requireProject(deps.db, viewer, projectId, 'manageSettings');
  // Only OWNERs read the original under a mandatory policy, so only they may loosen it (or set it).
  if (role !== 'OWNER') throw forbidden("Only the project's OWNERs set its redaction policy.");
  const redact = normaliseKinds(input.redact);
  if (input.mandatory && redact.length === 0) throw badInput('A mandatory policy needs at least one kind to redact.', 'redact');
  return deps.db.$transaction(async (tx) => {
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'project.redactionChanged',
      targetType: 'Project',
      targetId: projectId,
      details: { previous: { redact: project.redact, mandatory: project.redactionMandatory }, redact, mandatory: input.mandatory },
    });
    return tx.project.update({ where: { id: projectId }, data: { redact, redactionMandatory: input.mandatory } });
  });
}
