/**
 * `node(id)`: whether the viewer may see the row an id names, by the same rule as the noun's own
 * query. An id the viewer may not see is answered like one that does not exist.
 */
import type { Viewer } from '../../context.ts';
import type { Db } from '../../db/db.ts';
import type { NodeTypeName } from '../../ids.ts';
import { visibleProjectWhere } from '../projectAccess.ts';
import { manageableWebhookWhere } from '../webhooks/access.ts';
import { visibleJobWhere } from './jobs.ts';
import { visibleSessionWhere } from './liveSessions.ts';
import { ownRowsWhere } from './personal.ts';
import { visibleExportWhere, visiblePromptWhere } from './projectContent.ts';
import { visibleRecordingWhere } from './recordings.ts';
import { visibleUserWhere } from './users.ts';
import { visibleVocabularySetWhere } from '../vocabulary.ts';

type Counts = (db: Db, viewer: Viewer, id: string) => Promise<number>;

/** Operator records (audit log, outbox): admins acting with admin power only. */
const adminOnly = (count: (db: Db, id: string) => Promise<number>): Counts => async (db, viewer, id) =>
  viewer.isAdmin ? count(db, id) : 0;

const visibleNodes: Partial<Record<NodeTypeName, Counts>> = {
  User: (db, viewer, id) => db.user.count({ where: { AND: [{ id }, visibleUserWhere(viewer)] } }),
  ApiKey: (db, viewer, id) => db.apiKey.count({ where: { id, ...ownRowsWhere(viewer) } }),
  ProviderKey: (db, viewer, id) => db.providerKey.count({ where: { id, ...ownRowsWhere(viewer) } }),
  Passkey: (db, viewer, id) => db.passkey.count({ where: { id, ...ownRowsWhere(viewer) } }),
  Job: (db, viewer, id) => db.job.count({ where: { AND: [{ id }, visibleJobWhere(viewer)] } }),
  LiveSession: (db, viewer, id) => db.liveSession.count({ where: { AND: [{ id }, visibleSessionWhere(viewer)] } }),
  Project: (db, viewer, id) => db.project.count({ where: { AND: [{ id }, visibleProjectWhere(viewer)] } }),
  Prompt: (db, viewer, id) => db.prompt.count({ where: { AND: [{ id }, visiblePromptWhere(viewer)] } }),
  Recording: (db, viewer, id) => db.recording.count({ where: { AND: [{ id }, visibleRecordingWhere(viewer)] } }),
  DatasetExport: (db, viewer, id) => db.datasetExport.count({ where: { AND: [{ id }, visibleExportWhere(viewer)] } }),
  // node() opens what the viewer may manage, which for admins is every endpoint (see webhooks/access.ts).
  WebhookEndpoint: (db, viewer, id) => db.webhookEndpoint.count({ where: { AND: [{ id }, manageableWebhookWhere(viewer)] } }),
  VocabularySet: (db, viewer, id) => db.vocabularySet.count({ where: { AND: [{ id }, visibleVocabularySetWhere(viewer)] } }),
  AuditEntry: adminOnly((db, id) => db.auditEntry.count({ where: { id } })),
  OutboxEmail: adminOnly((db, id) => db.outboxEmail.count({ where: { id } })),
};

export async function canSeeNode(db: Db, viewer: Viewer | null, typename: string, id: string): Promise<boolean> {
  const count = visibleNodes[typename as NodeTypeName];
  return viewer !== null && count !== undefined && (await count(db, viewer, id)) > 0;
}
