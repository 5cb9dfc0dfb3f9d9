/**
 * Corrections of a finished job's transcript and the names of its speakers. transcript_segments
 * always hold the latest text and words (so every reader, export and download serves the latest
 * revision); each save is a numbered revision keeping the segment's text and words before and
 * after, so the engine's output stays recoverable. Who may do it: `mayChangeJob` (access/jobs.ts).
 */
import type { AppDeps, Viewer } from '../context.ts';
import type { Job, Prisma } from '../db/db.ts';
import { AppError, badInput, conflict } from '../errors.ts';
import type { Word } from '../providers/types.ts';
import { correctedWords } from '../transcripts/correction.ts';
import { codePointLength, normalizeText } from '../transcripts/tokens.ts';
import { findChangeableJob } from './access/jobs.ts';
import { recordAudit } from './audit.ts';
import { publishJobChange } from './jobs.ts';
import { storeJobRedactions } from './redaction.ts';

/** The longest corrected segment text, in characters (a segment is a sentence or a few; engines cut at ~30 s). */
export const MAX_SEGMENT_TEXT_LENGTH = 2000;
/** The longest speaker name, in characters. */
export const MAX_SPEAKER_NAME_LENGTH = 80;

interface EditSegmentInput {
  jobId: string;
  segmentIndex: number;
  text: string;
  /** The revision the edit was made on (Job.revision as the client read it). */
  expectedRevision: number;
}

/** A stale `expectedRevision`: the client must reload the transcript and redo its edit on the latest revision. */
function staleRevision(expected: number, current: number): AppError {
  return new AppError(
    'CONFLICT',
    `The transcript changed since you loaded it (revision ${expected}; it is now at revision ${current}). Reload it and edit again.`,
    { currentRevision: current },
  );
}

async function findCompletedChangeableJob(deps: AppDeps, viewer: Viewer, jobId: string): Promise<Job> {
  const job = await findChangeableJob(deps, viewer, jobId);
  if (job.status !== 'COMPLETED') {
    throw conflict(`Only a completed transcript can be corrected: the job is ${job.status.toLowerCase()}.`);
  }
  return job;
}

function checkedSegmentText(raw: string): string {
  const text = normalizeText(raw);
  if (text === '') throw badInput('The text cannot be empty.', 'text');
  if (codePointLength(text) > MAX_SEGMENT_TEXT_LENGTH) {
    throw badInput(`The text is longer than ${MAX_SEGMENT_TEXT_LENGTH} characters.`, 'text');
  }
  return text;
}

/**
 * Saves a new text for one segment as the next revision: unchanged words keep their timings, new
 * and changed ones are spread over the gaps between them (transcripts/correction.ts); the job's
 * whole text follows. All in one transaction, only when the job is still at `expectedRevision`.
 * The same text again saves nothing.
 */
export async function editTranscriptSegment(deps: AppDeps, viewer: Viewer, input: EditSegmentInput): Promise<Job> {
  const text = checkedSegmentText(input.text);
  if (!Number.isInteger(input.expectedRevision) || input.expectedRevision < 0) {
    throw badInput('expectedRevision must be a revision number (0 or more).', 'expectedRevision');
  }
  const job = await findCompletedChangeableJob(deps, viewer, input.jobId);
  const segment = await deps.db.transcriptSegment.findUnique({ where: { jobId_idx: { jobId: job.id, idx: input.segmentIndex } } });
  if (!segment) throw badInput(`The transcript has no segment ${input.segmentIndex}.`, 'segmentIndex');
  if (job.revision !== input.expectedRevision) throw staleRevision(input.expectedRevision, job.revision);
  if (normalizeText(segment.text) === text) return job;

  const updated = await deps.db.$transaction(async (tx) => {
    // The row lock taken here orders concurrent saves; the loser sees the revision moved on.
    const bumped = await tx.job.updateMany({
      where: { id: job.id, status: 'COMPLETED', revision: input.expectedRevision },
      data: { revision: { increment: 1 } },
    });
    if (bumped.count === 0) {
      const current = await tx.job.findUnique({ where: { id: job.id }, select: { revision: true, status: true } });
      if (!current || current.status !== 'COMPLETED') throw conflict('The job changed while saving; reload it.');
      throw staleRevision(input.expectedRevision, current.revision);
    }
    const number = input.expectedRevision + 1;
    const before = await tx.transcriptSegment.findUniqueOrThrow({ where: { jobId_idx: { jobId: job.id, idx: input.segmentIndex } } });
    const words = correctedWords(
      { start: before.startSeconds, end: before.endSeconds, speaker: before.speaker, words: (before.words as Word[] | null) ?? [] },
      text,
    );
    await tx.transcriptSegment.update({
      where: { jobId_idx: { jobId: job.id, idx: input.segmentIndex } },
      data: { text, words: words as unknown as Prisma.InputJsonValue },
    });
    await storeJobRedactions(tx, job.id, input.segmentIndex);
    await tx.transcriptRevision.create({
      data: {
        jobId: job.id,
        number,
        authorId: viewer.user.id,
        segmentIdx: input.segmentIndex,
        beforeText: before.text,
        afterText: text,
        beforeWords: before.words as Prisma.InputJsonValue,
        afterWords: words as unknown as Prisma.InputJsonValue,
      },
    });
    const segments = await tx.transcriptSegment.findMany({ where: { jobId: job.id }, orderBy: { idx: 'asc' }, select: { text: true } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'transcript.edited',
      targetType: 'Job',
      targetId: job.id,
      details: { revision: number, segmentIndex: input.segmentIndex },
    });
    return tx.job.update({ where: { id: job.id }, data: { text: segments.map((s) => s.text).join(' ') } });
  });
  await publishJobChange(deps, updated);
  return updated;
}

interface RenameSpeakerInput {
  jobId: string;
  /** The speaker's id as segments carry it (TranscriptSegment.speaker). */
  speaker: string;
  /** The name to show; null or blank goes back to the default ("Speaker 1"). */
  name?: string | null;
}

/** Names one of the job's speakers (or clears its name); every export and the API show it. */
export async function renameSpeaker(deps: AppDeps, viewer: Viewer, input: RenameSpeakerInput): Promise<Job> {
  const name = normalizeText(input.name ?? '');
  if (codePointLength(name) > MAX_SPEAKER_NAME_LENGTH) {
    throw badInput(`The name is longer than ${MAX_SPEAKER_NAME_LENGTH} characters.`, 'name');
  }
  const job = await findCompletedChangeableJob(deps, viewer, input.jobId);
  const [{ found }] = await deps.db.$queryRaw<Array<{ found: boolean }>>`
    SELECT EXISTS (
      SELECT 1 FROM transcript_segments
      WHERE job_id = ${job.id}
        AND (speaker = ${input.speaker} OR words @> jsonb_build_array(jsonb_build_object('speaker', ${input.speaker}::text)))
    ) AS found`;
  if (!found) throw badInput(`The transcript has no speaker "${input.speaker}".`, 'speaker');
  const key = { jobId_speaker: { jobId: job.id, speaker: input.speaker } };
  await deps.db.$transaction(async (tx) => {
    if (name === '') await tx.jobSpeaker.deleteMany({ where: { jobId: job.id, speaker: input.speaker } });
    else await tx.jobSpeaker.upsert({ where: key, create: { jobId: job.id, speaker: input.speaker, name }, update: { name } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'transcript.speakerRenamed',
      targetType: 'Job',
      targetId: job.id,
      details: { speaker: input.speaker, name: name || null },
    });
  });
  await publishJobChange(deps, job);
  return job;
}
