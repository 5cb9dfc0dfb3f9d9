// What a user reads when the API refuses a job: the server's own message, introduced by what kind
// of problem it is (quota, file, size, rate, engine), so the next step is clear.
import { ApiError } from '../../../api/client.ts';

const INTRODUCTIONS: Record<string, string> = {
  QUOTA_EXCEEDED: 'Your monthly transcription quota is used up',
  UNSUPPORTED_MEDIA: 'This file cannot be transcribed',
  PAYLOAD_TOO_LARGE: 'This file is too large',
  RATE_LIMITED: 'Too many jobs at once',
  PROVIDER_UNAVAILABLE: 'That engine cannot be used',
  BAD_USER_INPUT: 'Please check the form',
  NETWORK_ERROR: 'Connection problem',
};

export function describeJobError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  // A reason in words adds to the message; a reason code (TEXT, PLAYLIST) is for programs.
  const given = error.body.extensions?.reason;
  const reason = typeof given === 'string' && !/^[A-Z0-9_]+$/.test(given) ? ` (${given})` : '';
  const introduction = INTRODUCTIONS[error.code];
  return introduction ? `${introduction}: ${error.message}${reason}` : `${error.message}${reason}`;
}
