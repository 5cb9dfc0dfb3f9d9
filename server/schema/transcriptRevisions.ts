/** Correcting a job's transcript: its revision, the revision history, speaker names, the media to play beside it. */
import { jobMediaType, jobMediaUrl } from '../services/jobMedia.ts';
import { editTranscriptSegment, MAX_SEGMENT_TEXT_LENGTH, MAX_SPEAKER_NAME_LENGTH, renameSpeaker } from '../services/transcriptRevisions.ts';
import { speakersOf, type TranscriptSpeaker } from '../services/transcripts.ts';
import { speakerDisplayName } from '../transcripts/formats.ts';
import { builder } from './builder.ts';
import './jobs.ts';
import { SegmentRef } from './transcripts.ts';
import { revisionJob, revisionText, viewerRedaction } from './redaction.ts';
import { REDACTED_MEDIA_TYPE } from '../services/redactedMedia.ts';
import { UserRef } from './users.ts';

builder.prismaObject('TranscriptRevision', {
  description: "One saved correction of a segment's text. The engine's output is the `before` of the first revision of each segment.",
  fields: (t) => ({
    number: t.exposeInt('number', { description: '1, 2, ...: Job.revision after this save.' }),
    author: t.relation('author', { type: UserRef, nullable: true, description: 'Null when that account was deleted.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    segmentIndex: t.exposeInt('segmentIdx', { description: 'TranscriptSegment.index of the corrected segment.' }),
    before: t.string({ select: revisionJob, resolve: (revision, _args, context) => revisionText(context, revision.job, revision.beforeText) }),
    after: t.string({ select: revisionJob, resolve: (revision, _args, context) => revisionText(context, revision.job, revision.afterText) }),
  }),
});

const TranscriptSpeakerRef = builder.objectRef<TranscriptSpeaker>('TranscriptSpeaker').implement({
  description: "A speaker of a job's transcript and the name it is shown with.",
  fields: (t) => ({
    speaker: t.exposeString('speaker', { description: 'The id segments and words carry (TranscriptSegment.speaker).' }),
    name: t.exposeString('name', { nullable: true, description: 'The name given with renameSpeaker, or null.' }),
    displayName: t.exposeString('displayName', { description: 'The name, else "Speaker n": what every export shows.' }),
  }),
});

builder.objectField(SegmentRef, 'speakerName', (t) =>
  t.string({
    nullable: true,
    description: 'How the speaker is shown in exports: the name given to it (renameSpeaker), else "Speaker n"; null without a speaker.',
    resolve: (segment) => segment.speakerName ?? (segment.speaker === null ? null : speakerDisplayName(segment.speaker)),
  }),
);

builder.prismaObjectFields('Job', (t) => ({
  revision: t.exposeInt('revision', {
    description: 'The latest transcript revision: 0 is the engine output, each correction adds one. Send it back as expectedRevision.',
  }),
  revisions: t.relation('revisions', {
    description: 'Corrections of the transcript, newest first.',
    query: { orderBy: { number: 'desc' } },
  }),
  speakers: t.field({
    type: [TranscriptSpeakerRef],
    description: 'The speakers of the transcript in order of appearance, with their names.',
    select: { segments: { orderBy: { idx: 'asc' } }, speakerNames: true },
    resolve: (job) => speakersOf(job.segments, job.speakerNames),
  }),
  mediaUrl: t.string({
    nullable: true,
    description:
      'A signed link (valid SIGNED_URL_TTL_SECONDS) to the uploaded media, for playing beside the transcript; null when none is kept (URL jobs). When transcriptRedacted: its audio with the redacted words silenced (Ogg/Opus).',
    resolve: async (job, _args, context) => jobMediaUrl(context.deps, job, context.linkBase, (await viewerRedaction(context, job, false)).length > 0),
  }),
  mediaType: t.string({
    nullable: true,
    description: "The media's content type (audio/... or video/...), from its file name; null without mediaUrl.",
    resolve: async (job, _args, context) =>
      job.sourceKey ? ((await viewerRedaction(context, job, false)).length > 0 ? REDACTED_MEDIA_TYPE : jobMediaType(job.filename)) : null,
  }),
}));

const EditTranscriptSegmentInput = builder.inputType('EditTranscriptSegmentInput', {
  fields: (t) => ({
    jobId: t.id({ required: true }),
    segmentIndex: t.int({ required: true, description: 'TranscriptSegment.index.' }),
    text: t.string({ required: true, description: `The corrected text: not empty, at most ${MAX_SEGMENT_TEXT_LENGTH} characters.` }),
    expectedRevision: t.int({
      required: true,
      description: 'Job.revision as the client last read it: CONFLICT (extensions.currentRevision) when the transcript has moved on.',
    }),
  }),
});

const RenameSpeakerInput = builder.inputType('RenameSpeakerInput', {
  fields: (t) => ({
    jobId: t.id({ required: true }),
    speaker: t.string({ required: true, description: 'The speaker id (TranscriptSegment.speaker).' }),
    name: t.string({ description: `At most ${MAX_SPEAKER_NAME_LENGTH} characters; null or blank goes back to "Speaker n".` }),
  }),
});

builder.mutationFields((t) => ({
  editTranscriptSegment: t.withAuth({ write: true }).prismaField({
    type: 'Job',
    description:
      "Corrects one segment of a COMPLETED job's transcript (its owner, or an admin) as a new revision: unchanged words keep their timings, new ones are spread between them. Exports and the API then serve it.",
    args: { input: t.arg({ type: EditTranscriptSegmentInput, required: true }) },
    resolve: async (query, _root, { input }, context) => {
      const job = await editTranscriptSegment(context.deps, context.viewer, input);
      return context.deps.db.job.findUniqueOrThrow({ ...query, where: { id: job.id } });
    },
  }),
  renameSpeaker: t.withAuth({ write: true }).prismaField({
    type: 'Job',
    description: "Names one speaker of a COMPLETED job's transcript (its owner, or an admin); every export shows the name.",
    args: { input: t.arg({ type: RenameSpeakerInput, required: true }) },
    resolve: async (query, _root, { input }, context) => {
      const job = await renameSpeaker(context.deps, context.viewer, input);
      return context.deps.db.job.findUniqueOrThrow({ ...query, where: { id: job.id } });
    },
  }),
}));
