import { AppError } from '../errors.ts';

/** Machine-readable reasons, sent as `extensions.reason` next to the code. */
export type MediaErrorReason =
  | 'EMPTY'
  | 'TEXT'
  | 'PLAYLIST'
  | 'CONCAT_LIST'
  | 'HTML'
  | 'NOT_MEDIA'
  | 'UNKNOWN_FORMAT'
  | 'UNREADABLE'
  | 'NO_AUDIO'
  | 'UNSUPPORTED_CODEC'
  | 'SILENT'
  | 'TIMEOUT'
  | 'TOO_LONG';

/**
 * An UNSUPPORTED_MEDIA / PAYLOAD_TOO_LARGE error whose message is safe to show. Tool output (which can
 * hold paths) goes only to `detail`, a non-enumerable property meant for server logs.
 */
export function mediaError(
  code: 'UNSUPPORTED_MEDIA' | 'PAYLOAD_TOO_LARGE',
  reason: MediaErrorReason,
  message: string,
  options: { detail?: string; extra?: Record<string, unknown> } = {},
): AppError {
  const error = new AppError(code, message, { reason, ...options.extra });
  if (options.detail) Object.defineProperty(error, 'detail', { value: options.detail, enumerable: false });
  return error;
}

/** "4 h", "1 h 30 min", "10 min", "2 min 5 s", "45 s", "1.5 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 59.95) return `${Number(seconds.toFixed(1))} s`;
  const totalSeconds = Math.round(seconds);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    const rest = totalSeconds % 60;
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const totalMinutes = Math.round(seconds / 60);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}
