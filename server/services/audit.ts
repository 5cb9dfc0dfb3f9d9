/**
 * The audit log: one append-only row per admin action, role or membership change, key creation or
 * revocation, deletion and review. This module only ever inserts; the database refuses UPDATE,
 * DELETE and TRUNCATE of audit rows with a trigger (migration 0005), whoever asks.
 */
import type { AuditEntry, Prisma, Tx } from '../db/db.ts';
import { newId } from '../ids.ts';
import { currentRequestId } from '../observability/requestContext.ts';

/**
 * The actions written today (README, "Audit log"). `targetType` names the GraphQL type of the target
 * (User, ApiKey, ProviderKey, Job, Project, WebhookEndpoint, Recording).
 */
type AuditAction =
  | 'user.roleChanged'
  | 'user.activated'
  | 'user.deactivated'
  | 'user.quotaChanged'
  | 'user.deleted'
  | 'user.emailVerificationSent'
  | 'user.emailVerified'
  | 'apiKey.created'
  | 'apiKey.revoked'
  | 'providerKey.set'
  | 'providerKey.deleted'
  | 'job.deleted'
  | 'project.deleted'
  | 'member.added'
  | 'member.invited'
  | 'member.joined'
  | 'member.roleChanged'
  | 'member.removed'
  | 'recording.reviewed'
  | 'webhook.created'
  | 'webhook.deleted'
  | 'webhook.enabled'
  | 'webhook.disabled'
  | 'job.expired'
  | 'session.expired'
  | 'legalHold.set'
  | 'legalHold.released'
  | 'project.retentionChanged'
  | 'mfa.totpEnrolled'
  | 'mfa.totpConfirmed'
  | 'mfa.totpDisabled'
  | 'mfa.recoveryCodesRegenerated'
  | 'mfa.recoveryCodeUsed'
  | 'mfa.challengeBurned'
  | 'password.resetRequested'
  | 'password.reset'
  | 'password.changed'
  | 'sessions.revoked'
  | 'oidc.signedIn'
  | 'passkey.registered'
  | 'passkey.renamed'
  | 'passkey.deleted'
  | 'passkey.signedIn'
  | 'passkey.replayRefused';

interface AuditInput {
  /** Who acted; null for the system (a webhook disabled after failures, say). */
  actorId: string | null;
  action: AuditAction | (string & {});
  targetType?: string | null;
  targetId?: string | null;
  /** Defaults to the id of the GraphQL request being executed, when there is one. */
  requestId?: string | null;
  /** Small facts worth keeping (previous and new role, say). Never secrets. */
  details?: Record<string, unknown>;
}

/** Appends one audit row, inside the caller's transaction when given one. */
/** Audit rows join the caller's transaction (db.ts, Tx); without one, pass deps.db. */
export async function recordAudit(tx: Tx, entry: AuditInput): Promise<AuditEntry> {
  return tx.auditEntry.create({
    data: {
      id: newId('AuditEntry'),
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      requestId: entry.requestId ?? currentRequestId(),
      details: (entry.details ?? {}) as Prisma.InputJsonValue,
    },
  });
}

export function auditFilter(args: { actorId?: string | null; action?: string | null; targetId?: string | null }): Prisma.AuditEntryWhereInput {
  return {
    ...(args.actorId ? { actorId: args.actorId } : {}),
    ...(args.action ? { action: args.action } : {}),
    ...(args.targetId ? { targetId: args.targetId } : {}),
  };
}
