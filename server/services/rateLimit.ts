import type { CoreDeps } from '../context.ts';
import { AppError } from '../errors.ts';

/**
 * Rate limits shared by every API process: a token bucket per key in PostgreSQL (the
 * `rate_limit_take` function of migration 0005 takes a token atomically). A bucket holds `limit`
 * tokens and refills at `limit / windowSeconds` per second, so `limit` requests may come at once
 * and then one every `windowSeconds / limit` seconds. A refused request takes nothing.
 */
export async function assertRateLimit(
  deps: Pick<CoreDeps, 'db'>,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<void> {
  if (limit <= 0) return; // 0: no limit
  const [row] = await deps.db.$queryRaw<{ wait: number }[]>`
    SELECT rate_limit_take(${key}::text, ${limit}::int, ${windowSeconds}::float8) AS wait`;
  const wait = Number(row?.wait ?? 0);
  if (wait > 0) {
    const retryAfterSeconds = Math.max(1, Math.ceil(wait));
    throw new AppError(
      'RATE_LIMITED',
      `Too many requests: at most ${limit} per ${formatWindow(windowSeconds)}. Try again in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    );
  }
}

/** The buckets in use: job submissions, live audio chunks and questions, per user. */
export const rateLimitKeys = {
  jobSubmissions: (userId: string) => `jobs:${userId}`,
  liveAudio: (userId: string) => `live-audio:${userId}`,
  questions: (userId: string) => `questions:${userId}`,
};

/** Questions about transcripts of one user (askTranscript): QUESTIONS_PER_MINUTE. */
export function assertQuestionRate(deps: Pick<CoreDeps, 'db' | 'env'>, userId: string): Promise<void> {
  return assertRateLimit(deps, rateLimitKeys.questions(userId), deps.env.QUESTIONS_PER_MINUTE, 60);
}

/** Job submissions of one user: JOB_SUBMISSIONS_PER_MINUTE. */
export function assertJobSubmissionRate(deps: Pick<CoreDeps, 'db' | 'env'>, userId: string): Promise<void> {
  return assertRateLimit(deps, rateLimitKeys.jobSubmissions(userId), deps.env.JOB_SUBMISSIONS_PER_MINUTE, 60);
}

/**
 * Live audio is measured over this window: LIVE_AUDIO_CHUNKS_PER_SECOND on average, so a client
 * catching up after a reconnect (up to LIVE_MAX_SPEED times real time) may burst for a few seconds.
 */
const LIVE_AUDIO_WINDOW_SECONDS = 10;

/** Live audio chunks of one user, across their sessions: LIVE_AUDIO_CHUNKS_PER_SECOND on average over 10 s. */
export function assertLiveAudioRate(deps: Pick<CoreDeps, 'db' | 'env'>, userId: string): Promise<void> {
  const perSecond = deps.env.LIVE_AUDIO_CHUNKS_PER_SECOND;
  return assertRateLimit(deps, rateLimitKeys.liveAudio(userId), perSecond * LIVE_AUDIO_WINDOW_SECONDS, LIVE_AUDIO_WINDOW_SECONDS);
}

function formatWindow(seconds: number): string {
  if (seconds === 1) return 'second';
  if (seconds === 60) return 'minute';
  if (seconds === 3600) return 'hour';
  return `${seconds} s`;
}
