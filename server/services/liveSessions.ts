/**
 * Live transcription sessions: start, append audio, end (and end when idle). The streaming side
 * (engines, chunk ordering, events) is in server/live/; this module validates, authorizes and
 * writes the session row's lifecycle. Aggregation into files runs in the worker
 * (jobs/tasks/aggregateSession.ts).
 */
import type { CoreDeps, Viewer } from '../context.ts';
import { Prisma, type AudioEncoding, type LiveSession, type Provider } from '../db/db.ts';
import { AppError, badInput, conflict, forbidden, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { LiveRegistry } from '../live/registry.ts';
import { MAX_AHEAD } from '../live/chunkOrder.ts';
import type { SessionInfo } from '../live/runtime.ts';
import { findChangeableSession, findVisibleSession } from './access/liveSessions.ts';
import { assertMaySubmitWork } from './access/work.ts';
import { requireProject, roleAllows } from './projectAccess.ts';
import { addJob, taskJobKey, type TaskName } from '../db/queue.ts';
import { topics } from '../pubsub/pubsub.ts';
import { signPath } from '../security/signedUrls.ts';
import { assertWithinQuota } from './quotas.ts';
import { recordSessionUsage } from './usage.ts';
import { resolveProviderKey } from './providerKeys.ts';
import { planEngines, requestedEngines } from './providerRouting.ts';
import { assertLiveAudioRate } from './rateLimit.ts';
import { optionalLanguage, optionalModel } from './validation.ts';
import { resolveJobVocabulary } from './vocabulary.ts';
import { vocabularyOf } from './vocabularyApplied.ts';

const AGGREGATE_SESSION_TASK = 'aggregateSession' satisfies TaskName;
const AGGREGATE_MAX_ATTEMPTS = 5;
export const aggregateJobKey = (sessionId: string) => taskJobKey(AGGREGATE_SESSION_TASK, sessionId);

export type LiveAudioKind = 'source' | 'main' | 'light';

interface StartLiveSessionInput {
  provider?: Provider | null;
  /** Engines to fall back through, in order (README, "Provider routing and fallback"). */
  providers?: Provider[] | null;
  language?: string | null;
  model?: string | null;
  encoding: AudioEncoding;
  sampleRate: number;
  projectId?: string | null;
  promptId?: string | null;
  /** Vocabulary sets to favour, as for jobs (README, "Vocabulary and context"); none given: the project's default sets. */
  vocabularySetIds?: string[] | null;
  contextPrompt?: string | null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** A tail longer than this is not re-transcribed when a session is ended from another process. */
const MAX_TAIL_FLUSH_SECONDS = 120;

/** A member removed from a project (or made REVIEWER) mid-session stops adding audio to it; ending it stays possible. */
async function assertStillRecords(deps: CoreDeps, viewer: Viewer, projectId: string): Promise<void> {
  const member = await deps.db.projectMember.findUnique({
    where: { projectId_userId: { projectId, userId: viewer.user.id } },
    select: { role: true },
  });
  if (!roleAllows(member?.role ?? null, 'record')) {
    throw forbidden('You may no longer record in this project; end the session.');
  }
}

const registries = new WeakMap<CoreDeps, LiveRegistry>();

/** This process's live sessions (created on first use; buildApp creates it at start for the idle sweep). */
export function liveRegistry(deps: CoreDeps): LiveRegistry {
  let registry = registries.get(deps);
  if (!registry) {
    registry = new LiveRegistry(deps, {
      onIdle: (id) => endSession(deps, id, { idle: true }),
      resolveKey: (session, provider) => resolveProviderKey(deps, session.ownerId, provider),
    });
    registries.set(deps, registry);
  }
  return registry;
}

/** Frees every engine of this process (at shutdown). Sessions stay ACTIVE; the idle sweep ends abandoned ones. */
export async function closeLiveRegistry(deps: CoreDeps): Promise<void> {
  const registry = registries.get(deps);
  registries.delete(deps);
  await registry?.close();
}

function sessionInfo(session: LiveSession): SessionInfo {
  return {
    id: session.id,
    ownerId: session.ownerId,
    provider: session.currentProvider ?? session.provider,
    providers: session.providers.length > 0 ? session.providers : [session.provider],
    encoding: session.encoding,
    sampleRate: session.sampleRate,
    language: session.language,
    model: session.model,
    vocabulary: vocabularyOf(session),
    nextSeq: session.nextSeq,
  };
}

export async function startLiveSession(deps: CoreDeps, viewer: Viewer, input: StartLiveSessionInput): Promise<LiveSession> {
  const { env } = deps;
  assertMaySubmitWork(env, viewer);
  const language = optionalLanguage(input.language);
  const model = optionalModel(input.model);
  if (!Number.isInteger(input.sampleRate)) throw badInput('sampleRate must be a whole number of Hz.', 'sampleRate');
  if (input.encoding === 'PCM_S16LE' && (input.sampleRate < 8000 || input.sampleRate > 48000)) {
    throw badInput('sampleRate must be between 8000 and 48000 Hz for PCM_S16LE.', 'sampleRate');
  }
  // Into a project: OWNER, ADMIN and CONTRIBUTOR may record there (NOT_FOUND when it is not
  // visible); a prompt must be one of that project's.
  const project = input.projectId ? (await requireProject(deps.db, viewer, input.projectId, 'record')).project : null;
  const projectId = project?.id ?? null;
  const requested = requestedEngines(deps, input, project?.providerOrder);
  const { providers } = await planEngines(deps, viewer.user.id, requested, { language, model, diarize: false });
  const provider = providers[0];
  let promptId: string | null = null;
  if (input.promptId) {
    if (!projectId) throw badInput('promptId needs the projectId of its project.', 'promptId');
    const prompt = await deps.db.prompt.findFirst({ where: { id: input.promptId, projectId }, select: { id: true } });
    if (!prompt) throw notFound('Prompt');
    promptId = prompt.id;
  }
  // The session keeps the terms as they are now, as a job does at submission.
  const vocabulary = await resolveJobVocabulary(deps, viewer, input, projectId, 'A live session');
  // Usage quota (issue 6): the session's length is unknown, so some of the month's quota must be left.
  await assertWithinQuota(deps, viewer.user.id, null);

  const registry = liveRegistry(deps);
  if (provider === 'LOCAL') registry.localSlots.assertFree();

  const session = await deps.db.liveSession.create({
    data: {
      id: newId('LiveSession'),
      ownerId: viewer.user.id,
      projectId,
      promptId,
      provider,
      providers,
      currentProvider: provider,
      model,
      language,
      encoding: input.encoding,
      sampleRate: input.sampleRate,
      ...vocabulary,
    },
  });
  // The engine starts now (a LOCAL decoder takes about 0.5 s to load), so the first words are
  // transcribed as soon as they arrive, and a refused key or a full server is reported here.
  const runtime = registry.runtimeFor(sessionInfo(session));
  try {
    await runtime.open();
  } catch (error) {
    await runtime.dispose();
    await deps.db.liveSession.delete({ where: { id: session.id } }).catch(() => {});
    throw error;
  }
  return session;
}

/**
 * Stores chunk `seq` (base64 audio) and applies it in order. A repeated seq is ignored; an early
 * one waits for the missing ones (see SessionRuntime.append).
 */
export async function appendLiveAudio(deps: CoreDeps, viewer: Viewer, sessionId: string, seq: number, chunk: string): Promise<boolean> {
  const maxBytes = deps.env.LIVE_MAX_CHUNK_BYTES;
  if (!Number.isInteger(seq) || seq < 0) throw badInput('seq must be a whole number, 0 or more.', 'seq');
  if (chunk.length > Math.ceil(maxBytes / 3) * 4) throw chunkTooLarge(maxBytes);
  if (chunk.length % 4 !== 0 || !BASE64.test(chunk)) throw badInput('chunk must be base64-encoded audio.', 'chunk');
  const bytes = Buffer.from(chunk, 'base64');
  if (bytes.length === 0) throw badInput('chunk is empty.', 'chunk');
  if (bytes.length > maxBytes) throw chunkTooLarge(maxBytes);

  await assertLiveAudioRate(deps, viewer.user.id);
  const session = await findChangeableSession(deps, viewer, sessionId);
  if (seq < session.nextSeq) return true; // already applied: a retry
  if (session.projectId && session.ownerId === viewer.user.id) await assertStillRecords(deps, viewer, session.projectId);
  if (session.status !== 'ACTIVE') throw conflict(`The live session has ended (${session.status}).`);
  if (seq > session.nextSeq + MAX_AHEAD) {
    throw new AppError(
      'BAD_USER_INPUT',
      `Chunk ${seq} is too far ahead: the session expects ${session.nextSeq}, and at most ${MAX_AHEAD} chunks may be outstanding.`,
      { field: 'seq', expectedSeq: session.nextSeq },
    );
  }
  const runtime = liveRegistry(deps).runtimeFor(sessionInfo(session));
  const seconds = runtime.chunkSeconds(bytes.length);
  if (session.receivedSeconds + seconds > deps.env.MAX_MEDIA_SECONDS) {
    throw new AppError('PAYLOAD_TOO_LARGE', `A live session may last at most ${deps.env.MAX_MEDIA_SECONDS} s.`, {
      reason: 'TOO_LONG',
      maxSeconds: deps.env.MAX_MEDIA_SECONDS,
    });
  }
  // The session's received seconds count as reserved until it ends, so this checks the whole session.
  await assertWithinQuota(deps, viewer.user.id, seconds);
  await runtime.append(seq, bytes);
  return true;
}

const chunkTooLarge = (maxBytes: number) =>
  new AppError('PAYLOAD_TOO_LARGE', `A chunk may hold at most ${maxBytes} bytes of audio; send smaller chunks.`, { maxBytes });

/** endLiveSession: flushes the engine's last final, marks the session ENDED and enqueues aggregation. */
export async function endLiveSession(deps: CoreDeps, viewer: Viewer, id: string): Promise<LiveSession> {
  const session = await findChangeableSession(deps, viewer, id);
  if (session.status !== 'ACTIVE') return session;
  return (await endSession(deps, id, { idle: false })) ?? findVisibleSession(deps, viewer, id);
}

/**
 * discardLiveSession: a take the speaker does not want (the web app's "Re-record"). Its owner (or an
 * admin) drops an ACTIVE session: the row, its segments and stored audio go; nothing is billed,
 * aggregated or submitted for review.
 */
export async function discardLiveSession(deps: CoreDeps, viewer: Viewer, id: string): Promise<boolean> {
  const session = await findChangeableSession(deps, viewer, id);
  if (session.status !== 'ACTIVE') throw conflict(`Only an active session can be discarded; this one is ${session.status}.`);
  const { count } = await deps.db.liveSession.deleteMany({ where: { id, status: 'ACTIVE' } });
  if (count === 0) throw conflict('The live session ended meanwhile.');
  await liveRegistry(deps).get(id)?.dispose();
  await publishSessionDone(deps, { id, status: 'ENDED' });
  await deps.storage
    .deletePrefix(`sessions/${id}/`)
    .catch((error: unknown) => deps.logger.warn({ err: error, sessionId: id }, 'could not delete the audio of a discarded session'));
  deps.logger.info({ sessionId: id }, 'live session discarded');
  return true;
}

/**
 * Ends an ACTIVE session (any caller's; authorization is the caller's job). With `idle`, only
 * when it has had no audio for LIVE_IDLE_SECONDS. Returns the session, or null when it was not
 * ended here.
 */
async function endSession(deps: CoreDeps, id: string, options: { idle: boolean }): Promise<LiveSession | null> {
  const { db, env } = deps;
  const registry = liveRegistry(deps);
  const idleFor = env.LIVE_IDLE_SECONDS;
  const [candidate] = await db.$queryRaw<{ id: string; tail: number }[]>`
    SELECT s.id, (s.received_seconds - COALESCE((SELECT MAX(end_seconds) FROM live_segments WHERE session_id = s.id), 0))::float8 AS tail
    FROM live_sessions s
    WHERE s.id = ${id} AND s.status = 'ACTIVE'
      AND (${!options.idle}::boolean OR COALESCE(s.last_audio_at, s.created_at) < now() - make_interval(secs => ${idleFor}::float8))`;
  let runtime = registry.get(id);
  if (!candidate) {
    // Ended elsewhere, or not idle after all (audio arrived through another process).
    if (runtime && options.idle) {
      const row = await db.liveSession.findUnique({ where: { id }, select: { status: true } });
      if (row?.status !== 'ACTIVE') await runtime.dispose();
      else runtime.touch();
    }
    return null;
  }
  if (!runtime && !options.idle && candidate.tail > 0.5 && candidate.tail <= MAX_TAIL_FLUSH_SECONDS) {
    // Audio since the last final was heard by an engine that is gone (a restart): transcribe it now.
    const row = await db.liveSession.findUnique({ where: { id } });
    if (row) {
      runtime = registry.runtimeFor(sessionInfo(row));
      await runtime.open().catch((error: unknown) => deps.logger.warn({ err: error, sessionId: id }, 'could not re-open the engine to flush'));
    }
  }
  if (runtime) await runtime.finish();
  // For Opus, received_seconds follows the decoder, which has now decoded everything.
  const decodedSeconds = runtime?.decodedSeconds ?? 0;
  const ended = await db.$transaction(async (tx) => {
    const { count } = await tx.liveSession.updateMany({
      where: { id, status: 'ACTIVE' },
      data: { status: 'ENDED', endedAt: new Date(), interim: Prisma.DbNull },
    });
    if (count === 0) return null;
    if (decodedSeconds > 0) {
      await tx.$executeRaw`UPDATE live_sessions SET received_seconds = GREATEST(received_seconds, ${decodedSeconds}::float8) WHERE id = ${id}`;
    }
    await enqueueAggregation(tx, id);
    const row = await tx.liveSession.findUniqueOrThrow({ where: { id } });
    // The session's length is settled now: it is billed (and stops counting as reserved).
    if (row.receivedSeconds > 0) await recordSessionUsage(deps, tx, row, row.receivedSeconds);
    return row;
  });
  if (!ended) return null;
  await publishSessionDone(deps, ended);
  deps.logger.info({ sessionId: id, reason: options.idle ? 'idle' : 'ended', receivedSeconds: ended.receivedSeconds }, 'live session ended');
  return ended;
}

/** Adds the aggregation job; de-duplicated by job key. */
async function enqueueAggregation(tx: Prisma.TransactionClient, sessionId: string): Promise<void> {
  await addJob(tx, AGGREGATE_SESSION_TASK, { sessionId }, { maxAttempts: AGGREGATE_MAX_ATTEMPTS, jobKey: aggregateJobKey(sessionId) });
}

/**
 * After their rows were deleted (account erasure): stops this process's engines of these sessions and
 * tells their subscribers they are over. Another process's engine notices at its next append or idle check.
 */
export async function releaseDeletedSessions(deps: CoreDeps, sessionIds: readonly string[]): Promise<void> {
  for (const id of sessionIds) {
    await liveRegistry(deps)
      .get(id)
      ?.dispose()
      .catch((error: unknown) => deps.logger.warn({ err: error, sessionId: id }, 'could not stop the engine of a deleted session'));
    await publishSessionDone(deps, { id, status: 'ENDED' });
  }
}

/** Tells transcriptChunks(sessionId:) subscribers that no more chunks will come. */
async function publishSessionDone(deps: CoreDeps, session: Pick<LiveSession, 'id' | 'status'>): Promise<void> {
  await deps.publisher
    .publish(topics.sessionChunks(session.id), { sessionId: session.id, done: true, status: session.status })
    .catch((error: unknown) => deps.logger.warn({ err: error, sessionId: session.id }, 'could not publish session end'));
}

/**
 * Signed download links of a READY session's files (valid SIGNED_URL_TTL_SECONDS; see security/signedUrls.ts), on
 * `base`: PUBLIC_URL, or the request's link base (Context.linkBase). `redacted`: the audio with the
 * redacted words silenced (services/redactedMedia.ts), the only link a redacted reader may be given.
 */
export function sessionAudioUrl(
  deps: Pick<CoreDeps, 'env' | 'box'>,
  sessionId: string,
  kind: LiveAudioKind,
  base = deps.env.publicUrl,
  redacted = false,
): string {
  const audio = `/sessions/${encodeURIComponent(sessionId)}/audio/${kind}${redacted ? '/redacted' : ''}`;
  return base + signPath(deps.box, audio, deps.env.SIGNED_URL_TTL_SECONDS);
}

export function sessionSubtitlesUrl(deps: Pick<CoreDeps, 'env' | 'box'>, sessionId: string, base = deps.env.publicUrl): string {
  return base + signPath(deps.box, `/sessions/${encodeURIComponent(sessionId)}/subtitles.vtt`, deps.env.SIGNED_URL_TTL_SECONDS);
}
