import { indexedSegmentFromStored } from '../transcripts/storedSegments.ts';
import { visibleSessionWhere } from '../services/access/liveSessions.ts';
import { visiblePromptWhere } from '../services/access/projectContent.ts';
import {
  appendLiveAudio,
  discardLiveSession,
  endLiveSession,
  sessionAudioUrl,
  sessionSubtitlesUrl,
  startLiveSession,
  type LiveAudioKind,
} from '../services/liveSessions.ts';
import { builder } from './builder.ts';
import { ProviderEnum } from './root.ts';
import { ProjectRef, visibleProjectOf } from './projects.ts';
import { SegmentRef } from './transcripts.ts';
import './prompts.ts';
import { UserRef } from './users.ts';
import { redactionFor } from '../services/access/redaction.ts';
import { redactedRows } from '../services/redaction.ts';
import { mutationAnswer } from './mutationAnswer.ts';

const LiveSessionStatusEnum = builder.enumType('LiveSessionStatus', {
  values: ['ACTIVE', 'ENDED', 'PROCESSING', 'READY', 'FAILED'] as const,
});
const AudioEncodingEnum = builder.enumType('AudioEncoding', {
  values: ['PCM_S16LE', 'WEBM_OPUS', 'OGG_OPUS'] as const,
});
const LiveAudioKindEnum = builder.enumType('LiveAudioKind', {
  description: 'The files of an aggregated session: SOURCE (the bytes received), MAIN (lossless FLAC), LIGHT (Ogg/Opus for web playback).',
  values: ['SOURCE', 'MAIN', 'LIGHT'] as const,
});

export const LiveSessionRef = builder.prismaNode('LiveSession', {
  id: { field: 'id' },
  fields: (t) => ({
    status: t.expose('status', { type: LiveSessionStatusEnum }),
    provider: t.expose('provider', { type: ProviderEnum, description: 'The first engine of the session (of `providers`).' }),
    providers: t.field({
      type: [ProviderEnum],
      description: 'The engines the session may use, in order: when one fails, the next takes over at the end of the last final segment.',
      resolve: (session) => (session.providers.length > 0 ? session.providers : [session.provider]),
    }),
    currentProvider: t.field({
      type: ProviderEnum,
      description: 'The engine in use (segments { provider } says which produced what).',
      resolve: (session) => session.currentProvider ?? session.provider,
    }),
    model: t.exposeString('model', { nullable: true }),
    language: t.exposeString('language', { nullable: true }),
    encoding: t.expose('encoding', { type: AudioEncodingEnum }),
    sampleRate: t.exposeInt('sampleRate'),
    owner: t.relation('owner', { type: UserRef }),
    project: t.field({
      type: ProjectRef,
      nullable: true,
      description: 'Null also when the viewer cannot see the project.',
      resolve: (session, _args, context) => visibleProjectOf(context, session.projectId),
    }),
    prompt: t.prismaField({
      type: 'Prompt',
      nullable: true,
      description: 'The project prompt that was read aloud, if any (null also when the viewer cannot see its project).',
      resolve: (query, session, _args, context) =>
        session.promptId && context.viewer
          ? context.deps.db.prompt.findFirst({ ...query, where: { AND: [{ id: session.promptId }, visiblePromptWhere(context.viewer)] } })
          : null,
    }),
    receivedSeconds: t.exposeFloat('receivedSeconds', { description: 'Seconds of audio applied so far.' }),
    nextSeq: t.exposeInt('nextSeq', {
      description: 'The chunk number the session expects next: every chunk before it has been applied. A reconnecting client continues from here.',
    }),
    segments: t.field({
      type: [SegmentRef],
      description: 'Final segments so far, in order.',
      select: { segments: { orderBy: { idx: 'asc' } } },
      resolve: async (session, _args, context) =>
        redactedRows(session.segments, await redactionFor(context.deps.db, context.viewer, session)).map(indexedSegmentFromStored),
    }),
    durationSeconds: t.exposeFloat('durationSeconds', { nullable: true, description: 'Length of the aggregated audio, once READY.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why aggregation failed, when FAILED.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    audioUrl: t.string({
      nullable: true,
      description:
        'Download URL of one of the aggregated files (same authentication as /graphql); null until READY. For a reader of the redacted segments (README "Redaction"): the audio with the redacted words silenced (Ogg/Opus), whichever kind.',
      args: { kind: t.arg({ type: LiveAudioKindEnum, required: true }) },
      resolve: async (session, args, context) => {
        if (session.status !== 'READY') return null;
        const redacted = (await redactionFor(context.deps.db, context.viewer, session)).length > 0;
        return sessionAudioUrl(context.deps, session.id, args.kind.toLowerCase() as LiveAudioKind, context.linkBase, redacted);
      },
    }),
    subtitlesUrl: t.string({
      nullable: true,
      description: 'Download URL of the WebVTT subtitles; null until READY.',
      resolve: (session, _args, context) => (session.status === 'READY' ? sessionSubtitlesUrl(context.deps, session.id, context.linkBase) : null),
    }),
  }),
});

const StartLiveSessionInput = builder.inputType('StartLiveSessionInput', {
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, description: "One engine (the same as providers: [provider]). Default: the project's providerOrder, else the server's PROVIDER_ORDER." }),
    providers: t.field({
      type: [ProviderEnum],
      description: 'Engines to fall back through, in order, when the one in use fails mid-session. Not with provider.',
    }),
    language: t.string(),
    model: t.string(),
    encoding: t.field({ type: AudioEncodingEnum, required: true }),
    sampleRate: t.int({ required: true, description: 'Hz; 8000..48000 for PCM_S16LE (mono, 16-bit little-endian). Opus containers carry their own.' }),
    projectId: t.id(),
    promptId: t.id(),
    vocabularySetIds: t.idList({
      description: "Vocabulary sets whose terms the engines should favour (at most 20), as for jobs. Not given: the project's default sets; [] for none.",
    }),
    contextPrompt: t.string({ description: 'Free text about the session (names, topic) for engines that take a prompt; at most 2000 characters.' }),
  }),
});

builder.queryFields((t) => ({
  liveSession: t.withAuth({ authenticated: true }).prismaField({
    type: 'LiveSession',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.deps.db.liveSession.findFirst({ ...query, where: { AND: [{ id: args.id }, visibleSessionWhere(context.viewer)] } }),
  }),
}));

builder.mutationFields((t) => ({
  startLiveSession: t.withAuth({ write: true }).prismaField({
    type: 'LiveSession',
    args: { input: t.arg({ type: StartLiveSessionInput, required: true }) },
    resolve: async (query, _root, { input }, context) => {
      const row = await startLiveSession(context.deps, context.viewer, input);
      return mutationAnswer(row, query, (planned) => context.deps.db.liveSession.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
  appendLiveAudio: t.withAuth({ $any: { write: true, liveStream: true } }).boolean({
    description: 'chunk: base64 audio bytes; seq starts at 0; a repeated seq is ignored. Also with a streaming token for this session.',
    args: {
      sessionId: t.arg.id({ required: true }),
      seq: t.arg.int({ required: true }),
      chunk: t.arg.string({ required: true }),
    },
    resolve: (_root, args, context) => appendLiveAudio(context.deps, context.viewer, args.sessionId, args.seq, args.chunk),
  }),
  endLiveSession: t.withAuth({ write: true }).prismaField({
    type: 'LiveSession',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const row = await endLiveSession(context.deps, context.viewer, args.id);
      return mutationAnswer(row, query, (planned) => context.deps.db.liveSession.findUnique({ ...planned, where: { id: row.id } }));
    },
  }),
  discardLiveSession: t.withAuth({ write: true }).boolean({
    description:
      "Drops an ACTIVE session (a take to record again): its audio and transcript are deleted; nothing is billed, aggregated or submitted. Its owner (or a site admin); CONFLICT once it has ended.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => discardLiveSession(context.deps, context.viewer, args.id),
  }),
}));
