/**
 * Usage analytics over usage_records: one record per engine a finished file job used (written with
 * the job's completion, `created_at` = the job's `completedAt`; see README, "Provider routing and
 * fallback") and one per engine a live session used; plus chat_usage_records (services/chatUsage.ts),
 * which add tokens and cost but no jobs or audio. A bucket counts each job or session once. Buckets are UTC days,
 * providers, users or projects; DAY lists every day of the range, empty ones as zeros.
 */
import type { CoreDeps } from '../context.ts';
import { Prisma, type LiveSession, type Provider, type UsageRecord } from '../db/db.ts';
import { badInput } from '../errors.ts';
import { newId } from '../ids.ts';
import { estimateCostUsd } from './pricing.ts';
import { roundTo } from '../rounding.ts';

type UsageGroupBy = 'DAY' | 'PROVIDER' | 'USER' | 'PROJECT';

export interface UsageBucket {
  key: string;
  jobs: number;
  liveSessions: number;
  audioSeconds: number;
  /** Audio and chat together. */
  costUsd: number;
  chatInputTokens: number;
  chatOutputTokens: number;
  /** Of `costUsd`, the chat endpoint's. */
  chatCostUsd: number;
}

/** Longest range one query may cover. */
const MAX_USAGE_RANGE_DAYS = 366;
/** Default range: the last 30 UTC days, today included. */
const DEFAULT_USAGE_DAYS = 30;
/** The PROJECT bucket of usage outside any project. */
const NO_PROJECT_KEY = 'none';

const DAY_MS = 86_400_000;

/** Whose records: the viewer's own plus those of projects they administer, or everyone's (admins). */
type UsageScope = { userId: string } | 'all';

interface UsageRange {
  from: Date;
  to: Date;
}

const utcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
const dayKey = (day: Date) => day.toISOString().slice(0, 10);

/**
 * [from, to): `to` defaults to now, `from` to the start of the UTC day 29 days before the last day of
 * the range (so 30 days). Refused with BAD_USER_INPUT: from not before to, or more than 366 days.
 */
export function usageRange(args: { from?: Date | null; to?: Date | null }, now: Date = new Date()): UsageRange {
  const to = args.to ?? now;
  const from = args.from ?? new Date(utcDay(new Date(to.getTime() - 1)).getTime() - (DEFAULT_USAGE_DAYS - 1) * DAY_MS);
  if (from.getTime() >= to.getTime()) throw badInput('from must be before to.', 'from');
  if (to.getTime() - from.getTime() > MAX_USAGE_RANGE_DAYS * DAY_MS) {
    throw badInput(`The range may span at most ${MAX_USAGE_RANGE_DAYS} days.`, 'to');
  }
  return { from, to };
}

function scopeCondition(scope: UsageScope): Prisma.Sql {
  if (scope === 'all') return Prisma.sql`TRUE`;
  return Prisma.sql`(r.user_id = ${scope.userId} OR r.project_id IN (
    SELECT m.project_id FROM project_members m WHERE m.user_id = ${scope.userId} AND m.role IN ('OWNER', 'ADMIN')))`;
}

const groupExpressions: Record<UsageGroupBy, Prisma.Sql> = {
  DAY: Prisma.sql`to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  PROVIDER: Prisma.sql`r.provider::text`,
  USER: Prisma.sql`r.user_id`,
  PROJECT: Prisma.sql`COALESCE(r.project_id, ${NO_PROJECT_KEY})`,
};

export async function usageBuckets(
  deps: Pick<CoreDeps, 'db'>,
  scope: UsageScope,
  range: UsageRange,
  groupBy: UsageGroupBy,
): Promise<UsageBucket[]> {
  const key = groupExpressions[groupBy];
  // Chat usage (chat_usage_records) adds tokens and cost; jobs and sessions are counted from audio records only.
  const rows = await deps.db.$queryRaw<
    { key: string; jobs: number; live_sessions: number; audio_seconds: number; cost_usd: number; chat_input_tokens: number; chat_output_tokens: number; chat_cost_usd: number }[]
  >`
    SELECT ${key} AS key,
      count(DISTINCT COALESCE(r.job_id, r.session_id)) FILTER (WHERE r.is_audio)::int AS jobs,
      count(DISTINCT r.session_id)::int AS live_sessions,
      COALESCE(SUM(r.audio_seconds), 0)::float8 AS audio_seconds,
      COALESCE(SUM(r.cost_usd), 0)::float8 AS cost_usd,
      COALESCE(SUM(r.input_tokens), 0)::float8 AS chat_input_tokens,
      COALESCE(SUM(r.output_tokens), 0)::float8 AS chat_output_tokens,
      COALESCE(SUM(r.cost_usd) FILTER (WHERE NOT r.is_audio), 0)::float8 AS chat_cost_usd
    FROM (
      SELECT user_id, project_id, job_id, session_id, provider, created_at, audio_seconds, cost_usd,
             0 AS input_tokens, 0 AS output_tokens, true AS is_audio
        FROM usage_records
      UNION ALL
      SELECT user_id, project_id, job_id, NULL, provider, created_at, 0, cost_usd, input_tokens, output_tokens, false
        FROM chat_usage_records
    ) r
    WHERE r.created_at >= ${range.from} AND r.created_at < ${range.to} AND ${scopeCondition(scope)}
    GROUP BY 1
    ORDER BY 1`;
  const buckets = rows.map((row) => ({
    key: row.key,
    jobs: Number(row.jobs),
    liveSessions: Number(row.live_sessions),
    audioSeconds: roundTo(Number(row.audio_seconds), 3),
    costUsd: roundTo(Number(row.cost_usd), 6),
    chatInputTokens: Number(row.chat_input_tokens),
    chatOutputTokens: Number(row.chat_output_tokens),
    chatCostUsd: roundTo(Number(row.chat_cost_usd), 6),
  }));
  if (groupBy !== 'DAY') return buckets;
  const byDay = new Map(buckets.map((bucket) => [bucket.key, bucket]));
  const days: UsageBucket[] = [];
  const last = utcDay(new Date(range.to.getTime() - 1)).getTime();
  for (let day = utcDay(range.from).getTime(); day <= last; day += DAY_MS) {
    const k = dayKey(new Date(day));
    days.push(byDay.get(k) ?? { key: k, jobs: 0, liveSessions: 0, audioSeconds: 0, costUsd: 0, chatInputTokens: 0, chatOutputTokens: 0, chatCostUsd: 0 });
  }
  return days;
}

/**
 * The usage records of a live session, one per engine it used (keyed by session and engine): call it
 * in the transaction that settles the session's length, with the seconds to bill. They are split at
 * the hand-over points (README, "Provider routing and fallback"): an engine that took over started
 * from the end of the previous engine's last final, so it bills from there on; the seconds add up to
 * `audioSeconds`. Idempotent: a second call for the same session changes nothing. Until they are
 * written, the session's received seconds count as reserved against the owner's quota.
 */
export async function recordSessionUsage(
  deps: Pick<CoreDeps, 'prices'>,
  tx: Prisma.TransactionClient,
  session: Pick<LiveSession, 'id' | 'ownerId' | 'projectId' | 'provider' | 'currentProvider' | 'model'>,
  audioSeconds: number,
  at: Date = new Date(),
): Promise<UsageRecord[]> {
  const segments = await tx.liveSegment.findMany({
    where: { sessionId: session.id },
    orderBy: { idx: 'asc' },
    select: { endSeconds: true, provider: true },
  });
  const records: UsageRecord[] = [];
  for (const share of sessionEngineShares(session, segments, audioSeconds)) {
    records.push(
      await tx.usageRecord.upsert({
        where: { sessionId_provider: { sessionId: session.id, provider: share.provider } },
        create: {
          id: newId('UsageRecord'),
          userId: session.ownerId,
          projectId: session.projectId,
          sessionId: session.id,
          provider: share.provider,
          model: session.model,
          audioSeconds: share.seconds,
          costUsd: estimateCostUsd(deps.prices, share.provider, session.model, share.seconds),
          createdAt: at,
        },
        update: {},
      }),
    );
  }
  return records;
}

/**
 * The seconds of a live session each engine transcribed, in the order they were used. An engine
 * starts where the previous one's last final ended (its first segment names it; the engine in use
 * at the end may have produced none). Engines left with no seconds get no record, except when the
 * session has a single engine.
 */
export function sessionEngineShares(
  session: Pick<LiveSession, 'provider' | 'currentProvider'>,
  segments: ReadonlyArray<{ endSeconds: number; provider: Provider | null }>,
  audioSeconds: number,
): Array<{ provider: Provider; seconds: number }> {
  const clamp = (seconds: number) => Math.min(Math.max(seconds, 0), audioSeconds);
  const starts: Array<{ provider: Provider; from: number }> = [{ provider: session.provider, from: 0 }];
  let lastEnd = 0;
  const switchTo = (provider: Provider) => {
    if (provider !== starts[starts.length - 1].provider) starts.push({ provider, from: clamp(lastEnd) });
  };
  for (const segment of segments) {
    switchTo(segment.provider ?? session.provider);
    lastEnd = Math.max(lastEnd, segment.endSeconds);
  }
  switchTo(session.currentProvider ?? session.provider);
  const seconds = new Map<Provider, number>();
  starts.forEach((start, i) => {
    const to = i + 1 < starts.length ? starts[i + 1].from : audioSeconds;
    seconds.set(start.provider, (seconds.get(start.provider) ?? 0) + Math.max(0, to - start.from));
  });
  const shares = [...seconds].map(([provider, value]) => ({ provider, seconds: roundTo(value, 3) }));
  const used = shares.filter((share) => share.seconds > 0);
  if (used.length === 0) return shares.slice(0, 1).map((share) => ({ ...share, seconds: audioSeconds }));
  // Rounding must not change the total billed.
  const drift = audioSeconds - used.reduce((sum, share) => sum + share.seconds, 0);
  used[used.length - 1].seconds += drift;
  return used;
}
