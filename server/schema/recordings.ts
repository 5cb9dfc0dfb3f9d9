import type { Context } from '../context.ts';
import { sessionAudioUrl, sessionSubtitlesUrl, type LiveAudioKind } from '../services/liveSessions.ts';
import { checkLimits, isSuspicious, type RecordingChecks } from '../services/recordingChecks.ts';
import { reviewRecording } from '../services/recordings.ts';
import { renderVtt } from '../transcripts/formats.ts';
import { segmentFromStored } from '../transcripts/storedSegments.ts';
import { builder } from './builder.ts';
import { LiveSessionRef } from './liveSessions.ts';
import { ProjectRef } from './projects.ts';
import { pageSizes } from './root.ts';
import { UserRef } from './users.ts';
import './prompts.ts';
import { redactionFor } from '../services/access/redaction.ts';
import { redactedRows } from '../services/redaction.ts';
import { redactText } from '../transcripts/redaction/index.ts';
import { mutationAnswer } from './mutationAnswer.ts';

const ReviewStatusEnum = builder.enumType('ReviewStatus', {
  values: ['PENDING', 'APPROVED', 'REJECTED'] as const,
});

const RecordingChecksRef = builder.objectRef<RecordingChecks>('RecordingChecks').implement({
  description: 'Measurements taken when the recording was submitted; the flags say which look wrong.',
  fields: (t) => ({
    tooShort: t.exposeBoolean('tooShort', { description: `Shorter than ${checkLimits.minSeconds} s.` }),
    mostlySilence: t.exposeBoolean('mostlySilence', {
      description: `More than ${checkLimits.maxSilenceRatio * 100}% of it is silence (below -40 dBFS for 0.3 s or more).`,
    }),
    tooQuiet: t.exposeBoolean('tooQuiet', { description: `Peak level below ${checkLimits.quietPeakDb} dBFS.` }),
    clipped: t.exposeBoolean('clipped', {
      description: `More than ${checkLimits.clippedRatio * 100}% of samples within 1 dB of full scale.`,
    }),
    wordErrorRate: t.exposeFloat('wordErrorRate', {
      nullable: true,
      description: 'Word error rate of the recognised text against the prompt; null without a prompt.',
    }),
    wordErrorRateHigh: t.exposeBoolean('wordErrorRateHigh', { description: `wordErrorRate above ${checkLimits.maxWordErrorRate}.` }),
    silenceRatio: t.exposeFloat('silenceRatio'),
    meanVolumeDb: t.exposeFloat('meanVolumeDb', { nullable: true, description: 'dBFS (about -91 for digital silence); null when not measured.' }),
    maxVolumeDb: t.exposeFloat('maxVolumeDb', { nullable: true, description: 'Peak level, dBFS; null when not measured.' }),
    clippedRatio: t.exposeFloat('clippedRatio'),
  }),
});

const REDACTED_AUDIO = "For a reader of the redacted text (README \"Redaction\"): the audio with the redacted words silenced (Ogg/Opus).";

/** A signed link to one of the recording's files, or to its silenced audio for a redacted reader (the rule of its text). */
async function recordingAudioUrl(
  context: Context,
  recording: { sessionId: string; projectId: string; session: { ownerId: string } },
  kind: LiveAudioKind,
): Promise<string> {
  const kinds = await redactionFor(context.deps.db, context.viewer, { ownerId: recording.session.ownerId, projectId: recording.projectId });
  return sessionAudioUrl(context.deps, recording.sessionId, kind, context.linkBase, kinds.length > 0);
}

builder.prismaNode('Recording', {
  id: { field: 'id' },
  description: 'An aggregated live session recorded into a project: audio and subtitles, reviewable.',
  fields: (t) => ({
    session: t.relation('session', { type: LiveSessionRef }),
    project: t.relation('project', { type: ProjectRef }),
    prompt: t.relation('prompt', { nullable: true }),
    speaker: t.relation('speaker', { type: UserRef }),
    durationSeconds: t.exposeFloat('durationSeconds'),
    recognisedText: t.string({
      description: "What the engine heard (redacted under the project's policy, README \"Redaction\").",
      select: { session: { select: { ownerId: true } } },
      resolve: async (recording, _args, context) => {
        const row = { ownerId: recording.session.ownerId, projectId: recording.projectId };
        const kinds = await redactionFor(context.deps.db, context.viewer, row);
        return kinds.length > 0 ? redactText(recording.recognisedText, kinds) : recording.recognisedText;
      },
    }),
    checks: t.field({ type: RecordingChecksRef, resolve: (recording) => recording.checks as unknown as RecordingChecks }),
    suspicious: t.boolean({
      description: 'Whether any check failed.',
      resolve: (recording) => isSuspicious(recording.checks as unknown as RecordingChecks),
    }),
    vtt: t.string({
      description: 'WebVTT subtitles of the recording.',
      select: { session: { select: { ownerId: true, segments: { orderBy: { idx: 'asc' } } } } },
      resolve: async (recording, _args, context) => {
        const row = { ownerId: recording.session.ownerId, projectId: recording.projectId };
        const kinds = await redactionFor(context.deps.db, context.viewer, row);
        return renderVtt(redactedRows(recording.session.segments, kinds).map(segmentFromStored));
      },
    }),
    sourceAudioUrl: t.string({
      description: `The audio as received (same authentication as /graphql). ${REDACTED_AUDIO}`,
      select: { session: { select: { ownerId: true } } },
      resolve: async (recording, _args, context) => recordingAudioUrl(context, recording, 'source'),
    }),
    mainAudioUrl: t.string({
      description: `Full quality, lossless (FLAC). ${REDACTED_AUDIO}`,
      select: { session: { select: { ownerId: true } } },
      resolve: async (recording, _args, context) => recordingAudioUrl(context, recording, 'main'),
    }),
    lightAudioUrl: t.string({
      description: `Small, for web playback (Ogg/Opus). ${REDACTED_AUDIO}`,
      select: { session: { select: { ownerId: true } } },
      resolve: async (recording, _args, context) => recordingAudioUrl(context, recording, 'light'),
    }),
    subtitlesUrl: t.string({
      resolve: (recording, _args, context) => sessionSubtitlesUrl(context.deps, recording.sessionId, context.linkBase),
    }),
    reviewStatus: t.expose('reviewStatus', { type: ReviewStatusEnum }),
    reviewNote: t.exposeString('reviewNote', { nullable: true }),
    reviewedBy: t.relation('reviewer', { type: UserRef, nullable: true }),
    reviewedAt: t.expose('reviewedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField('Project', 'recordings', (t) =>
  t.relatedConnection(
    'recordings',
    {
      cursor: 'id',
      ...pageSizes,
      description: 'The review queue: the most suspicious first (failed checks, then word error rate), then oldest first.',
      totalCount: true,
      args: {
        reviewStatus: t.arg({ type: ReviewStatusEnum }),
        speakerId: t.arg.id({ description: "Only this member's recordings." }),
        promptId: t.arg.id({ description: 'Only the recordings of this prompt.' }),
      },
      query: (args) => ({
        where: {
          ...(args.reviewStatus ? { reviewStatus: args.reviewStatus } : {}),
          ...(args.speakerId ? { speakerId: args.speakerId } : {}),
          ...(args.promptId ? { promptId: args.promptId } : {}),
        },
        orderBy: [{ suspicion: 'desc' }, { id: 'asc' }],
      }),
    },
    { name: 'RecordingConnection' },
    { name: 'RecordingEdge' },
  ),
);

builder.prismaObjectField('LiveSession', 'recording', (t) =>
  t.relation('recording', { nullable: true, description: 'Set once a session recorded into a project has been aggregated.' }),
);

builder.mutationField('reviewRecording', (t) =>
  t.withAuth({ write: true }).prismaField({
    type: 'Recording',
    description:
      "OWNER, ADMIN and REVIEWER of the recording's project; never the speaker. status: APPROVED or REJECTED; note: up to 2000 characters. A decision may be changed later.",
    args: {
      id: t.arg.id({ required: true }),
      status: t.arg({ type: ReviewStatusEnum, required: true }),
      note: t.arg.string(),
    },
    resolve: async (query, _root, args, context) => {
      const row = await reviewRecording(context.deps, context.viewer, args.id, args.status, args.note);
      return mutationAnswer(row, query, (planned) => context.deps.db.recording.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
);
