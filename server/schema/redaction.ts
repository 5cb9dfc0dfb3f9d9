/**
 * Redaction (README, "Redaction"): the kinds, what a job and a project say about them, the
 * project policy mutation. Job.text/segments/transcript/downloadUrl (jobs.ts) read through the
 * same rule (services/access/redaction.ts).
 */
import type { Context } from '../context.ts';
import { redactionFor, redactionKindsOf } from '../services/access/redaction.ts';
import { setProjectRedactionPolicy } from '../services/projectRedaction.ts';
import { redactedRanges } from '../services/redaction.ts';
import { REDACTION_KINDS, redactText, type RedactionKind } from '../transcripts/redaction/index.ts';
import { builder } from './builder.ts';

export const RedactionKindEnum = builder.enumType('RedactionKind', {
  values: {
    EMAIL: { description: 'Email addresses, written or spoken ("ana at example dot com").' },
    PHONE: { description: 'Phone numbers: 7 to 15 digits, written or spoken digit by digit.' },
    CARD_NUMBER: { description: 'Payment card numbers: 13 to 19 digits that pass the Luhn check.' },
    SSN: { description: 'US social security numbers: 9 digits.' },
    URL: { description: 'Web addresses, written or spoken ("example dot com slash pricing").' },
    NUMBER: { description: 'Any other number of 3 or more digits.' },
  } satisfies Record<(typeof REDACTION_KINDS)[number], unknown>,
});

interface RedactedRange {
  start: number;
  end: number;
}

const RedactedRangeRef = builder.objectRef<RedactedRange>('RedactedRange').implement({
  description: 'Seconds of the audio whose words were redacted (the web-playback audio is silent over them).',
  fields: (t) => ({
    start: t.exposeFloat('start'),
    end: t.exposeFloat('end'),
  }),
});

/** The kinds to redact what the viewer reads of a job with ([] for the original). */
export function viewerRedaction(
  context: Context,
  job: { ownerId: string; projectId: string | null; redact: readonly string[] },
  asked: boolean | null | undefined,
): Promise<RedactionKind[]> {
  return redactionFor(context.deps.db, context.viewer, job, asked ?? false);
}

/** What a revision's before/after text needs of its job to be read through the redaction rule. */
export const revisionJob = { job: { select: { ownerId: true, projectId: true, redact: true } } } as const;

/** A revision's text as the viewer may read it (the rules run over that text alone). */
export async function revisionText(
  context: Context,
  job: { ownerId: string; projectId: string | null; redact: readonly string[] },
  text: string,
): Promise<string> {
  const kinds = await viewerRedaction(context, job, false);
  return kinds.length > 0 ? redactText(text, kinds) : text;
}

builder.prismaObjectFields('Job', (t) => ({
  redact: t.field({
    type: [RedactionKindEnum],
    description: "The kinds its transcript is redacted for: its own (`redact` at submission) and its project's policy.",
    resolve: (job, _args, context) => redactionKindsOf(context.deps.db, job),
  }),
  transcriptRedacted: t.boolean({
    description:
      "Whether what the viewer reads of the transcript (text, segments, transcript, downloads, subscriptions, media) is redacted: always for everyone but the project's OWNERs under a mandatory policy; otherwise for everyone but the job's owner, the project's OWNERs and admins.",
    resolve: async (job, _args, context) => (await viewerRedaction(context, job, false)).length > 0,
  }),
  redactedRanges: t.field({
    type: [RedactedRangeRef],
    description: 'The time ranges of the redacted words, merged and in order; empty without redaction.',
    select: { segments: { orderBy: { idx: 'asc' } } },
    resolve: async (job, _args, context) => redactedRanges(job.segments, await redactionKindsOf(context.deps.db, job)),
  }),
}));

builder.prismaObjectFields('Project', (t) => ({
  redact: t.field({
    type: [RedactionKindEnum],
    description: "Kinds every job of the project is redacted for (with the job's own).",
    resolve: (project) => project.redact as RedactionKind[],
  }),
  redactionMandatory: t.exposeBoolean('redactionMandatory', {
    description: "Everyone but the project's OWNERs reads only redacted transcripts, exports and playback audio.",
  }),
}));

builder.mutationField('setProjectRedactionPolicy', (t) =>
  t.withAuth({ write: true }).prismaField({
    type: 'Project',
    description:
      "The project's redaction policy (its OWNERs only): kinds redacted from every job of the project, and whether the redaction is mandatory for everyone but OWNERs. Applies to jobs already done as they are read. A mandatory policy needs at least one kind.",
    args: {
      projectId: t.arg.id({ required: true }),
      redact: t.arg({ type: [RedactionKindEnum], required: true }),
      mandatory: t.arg.boolean({ required: true }),
    },
    resolve: (_query, _root, args, context) =>
      setProjectRedactionPolicy(context.deps, context.viewer, String(args.projectId), { redact: args.redact, mandatory: args.mandatory }),
  }),
);
