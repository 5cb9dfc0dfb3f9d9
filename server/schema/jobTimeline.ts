import { jobTimeline, runnerStatuses, timelineRange, type RunnerStatus, type TimelineBucket } from '../services/jobTimeline.ts';
import { builder } from './builder.ts';

const TimelineBucketSizeEnum = builder.enumType('TimelineBucketSize', { values: ['HOUR', 'DAY'] as const });

const JobTimelineBucketRef = builder.objectRef<TimelineBucket>('JobTimelineBucket').implement({
  description: 'Every job in one hour or UTC day (the last bucket ends now).',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime' }),
    submitted: t.exposeInt('submitted', { description: 'Jobs created in the bucket.' }),
    completed: t.exposeInt('completed', { description: 'Jobs that completed in the bucket.' }),
    failed: t.exposeInt('failed', { description: 'Jobs that failed in the bucket.' }),
    cancelled: t.exposeInt('cancelled', { description: 'Jobs cancelled in the bucket.' }),
    queued: t.exposeInt('queued', { description: 'Queue depth at the end of the bucket: jobs created and not yet started.' }),
    processing: t.exposeInt('processing', { description: 'Jobs processing at the end of the bucket.' }),
    busySeconds: t.exposeFloat('busySeconds', { description: 'Seconds of job processing in the bucket, over all workers.' }),
    busyWorkers: t.exposeFloat('busyWorkers', { description: 'busySeconds over the length of the bucket: workers busy on average.' }),
  }),
});

const JobRunnerRef = builder.objectRef<RunnerStatus>('JobRunner').implement({
  description: 'A job runner process, as its heartbeats say.',
  fields: (t) => ({
    id: t.exposeString('runnerId'),
    workers: t.exposeInt('workers', { description: 'Worker slots it runs.' }),
    seenAt: t.expose('seenAt', { type: 'DateTime', description: 'Its last heartbeat.' }),
    alive: t.exposeBoolean('alive', { description: 'Heard from within RUNNER_STALE_SECONDS.' }),
  }),
});

builder.queryFields((t) => ({
  adminJobTimeline: t.withAuth({ admin: true }).field({
    type: [JobTimelineBucketRef],
    description:
      'ADMIN only. Every job over time: per HOUR (default) or UTC DAY from `from` to `to` (default: the last 24 hours, or 30 days), at most 750 buckets. Queue depth and processing are reconstructed from the jobs as they are now (a retried job counts from its latest start).',
    args: {
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      bucket: t.arg({ type: TimelineBucketSizeEnum }),
    },
    resolve: (_root, args, context) => jobTimeline(context.deps, timelineRange(args)),
  }),
  adminJobRunners: t.withAuth({ admin: true }).field({
    type: [JobRunnerRef],
    description: 'ADMIN only. The job runners that sent a heartbeat in the last hour, the latest first.',
    resolve: (_root, _args, context) => runnerStatuses(context.deps),
  }),
}));
