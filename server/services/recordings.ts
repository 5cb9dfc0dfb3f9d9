/**
 * Recordings: live sessions recorded into a project, once aggregated. They enter the project's
 * review queue with the checks measured at submission (services/sessionAggregation.ts) and are
 * approved or rejected by reviewers; approved ones go into dataset exports.
 */
import { createHmac } from 'node:crypto';
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { LiveSession, Prisma, Recording, ReviewStatus } from '../db/db.ts';
import { badInput, conflict } from '../errors.ts';
import { newId } from '../ids.ts';
import { findReviewableRecording } from './access/recordings.ts';
import { recordAudit } from './audit.ts';
import { isSuspicious, suspicionOf, type RecordingChecks } from './recordingChecks.ts';
import { emitEvent } from './webhooks/emit.ts';

const MAX_REVIEW_NOTE = 2000;

/** A speaker's stable pseudonym within one project (dataset manifests): not derivable from the user id alone. */
export function speakerPseudonym(projectPseudonymKey: string, userId: string): string {
  return `spk_${createHmac('sha256', projectPseudonymKey).update(userId).digest('hex').slice(0, 16)}`;
}

/**
 * Puts an aggregated session into its project's review queue, inside the transaction that marks
 * the session READY, and tells webhooks (recording.submitted). Idempotent per session.
 */
export async function submitRecording(
  deps: Pick<CoreDeps, 'db' | 'env'>,
  tx: Prisma.TransactionClient,
  session: Pick<LiveSession, 'id' | 'ownerId' | 'projectId' | 'promptId'>,
  input: { durationSeconds: number; recognisedText: string; checks: RecordingChecks },
): Promise<Recording | null> {
  if (!session.projectId) return null;
  const existing = await tx.recording.findUnique({ where: { sessionId: session.id } });
  if (existing) return existing;
  const recording = await tx.recording.create({
    data: {
      id: newId('Recording'),
      sessionId: session.id,
      projectId: session.projectId,
      promptId: session.promptId,
      speakerId: session.ownerId,
      durationSeconds: input.durationSeconds,
      recognisedText: input.recognisedText,
      checks: input.checks as unknown as Prisma.InputJsonValue,
      suspicion: suspicionOf(input.checks),
    },
  });
  await emitEvent(
    deps,
    {
      type: 'recording.submitted',
      ownerId: recording.speakerId,
      projectId: recording.projectId,
      payload: {
        recordingId: recording.id,
        projectId: recording.projectId,
        sessionId: recording.sessionId,
        promptId: recording.promptId,
        speakerId: recording.speakerId,
        durationSeconds: recording.durationSeconds,
        suspicious: isSuspicious(input.checks),
      },
    },
    tx,
  );
  return recording;
}

/**
 * Approves or rejects a recording (who may: access/recordings.ts). A decision can be changed later
 * (each change is audited and sent to webhooks).
 */
export async function reviewRecording(
  deps: AppDeps,
  viewer: Viewer,
  id: string,
  status: ReviewStatus,
  rawNote: string | null | undefined,
): Promise<Recording> {
  if (status === 'PENDING') throw badInput('status must be APPROVED or REJECTED.', 'status');
  const note = rawNote?.trim() || null;
  if (note && note.length > MAX_REVIEW_NOTE) throw badInput(`note must be at most ${MAX_REVIEW_NOTE} characters.`, 'note');
  await findReviewableRecording(deps, viewer, id);
  return deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ review_status: ReviewStatus }[]>`
      SELECT review_status FROM recordings WHERE id = ${id} FOR UPDATE`;
    if (!locked) throw conflict('The recording was deleted.');
    const reviewed = await tx.recording.update({
      where: { id },
      data: { reviewStatus: status, reviewNote: note, reviewedBy: viewer.user.id, reviewedAt: new Date() },
    });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'recording.reviewed',
      targetType: 'Recording',
      targetId: id,
      details: { projectId: reviewed.projectId, status, previous: locked.review_status },
    });
    await emitEvent(
      deps,
      {
        type: 'recording.reviewed',
        ownerId: reviewed.speakerId,
        projectId: reviewed.projectId,
        payload: {
          recordingId: id,
          projectId: reviewed.projectId,
          promptId: reviewed.promptId,
          reviewStatus: status,
          reviewNote: note,
          reviewedBy: viewer.user.id,
        },
      },
      tx,
    );
    return reviewed;
  });
}
