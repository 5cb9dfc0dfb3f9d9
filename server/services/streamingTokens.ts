/**
 * Streaming tokens (README, "Streaming tokens for browsers"): a short-lived JWT that lets a browser
 * append audio to one live session and subscribe to its chunks, and nothing else, so the page never
 * holds the account's own credentials. The token is checked where every credential is
 * (services/authentication.ts); this module only mints it.
 */
import type { AppDeps, Viewer } from '../context.ts';
import { badInput, conflict } from '../errors.ts';
import { findChangeableSession } from './access/liveSessions.ts';

export const STREAMING_TOKEN_MAX_SECONDS = 600;
export const STREAMING_TOKEN_DEFAULT_SECONDS = 300;

export interface StreamingToken {
  token: string;
  expiresAt: Date;
  sessionId: string;
}

/** Whoever may send audio to the session (its owner, or an admin) mints one for an ACTIVE session. */
export async function createStreamingToken(
  deps: AppDeps,
  viewer: Viewer,
  sessionId: string,
  expiresInSeconds: number | null | undefined,
): Promise<StreamingToken> {
  const seconds = expiresInSeconds ?? STREAMING_TOKEN_DEFAULT_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > STREAMING_TOKEN_MAX_SECONDS) {
    throw badInput(`expiresInSeconds must be a whole number from 1 to ${STREAMING_TOKEN_MAX_SECONDS}.`, 'expiresInSeconds');
  }
  const session = await findChangeableSession(deps, viewer, sessionId);
  if (session.status !== 'ACTIVE') throw conflict(`The live session has ended (${session.status}).`);
  const { token, expiresAt } = await deps.accessTokens.issueStreaming(viewer.user.id, session.id, seconds, viewer.user.tokenVersion);
  deps.logger.info({ sessionId: session.id, userId: viewer.user.id, expiresInSeconds: seconds }, 'streaming token issued');
  return { token, expiresAt, sessionId: session.id };
}
