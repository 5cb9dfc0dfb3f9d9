import { roundTo } from '../rounding.ts';

/** Whole milliseconds from seconds; negative, NaN and infinite inputs become 0. */
export function toMilliseconds(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.round(seconds * 1000);
}

/** Seconds rounded to whole milliseconds (for JSON output); non-finite values become null. */
export function roundSeconds(seconds: number | null | undefined): number | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  return roundTo(seconds, 3);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `HH:MM:SS<sep>mmm` from a millisecond count (hours grow past two digits if they must). */
function formatMilliseconds(ms: number, separator: ',' | '.'): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const secs = Math.floor((total % 60_000) / 1000);
  const millis = total % 1000;
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(secs, 2)}${separator}${pad(millis, 3)}`;
}

/** SRT uses a comma before the milliseconds, WebVTT a dot. 3725.5 -> "01:02:05,500" / "01:02:05.500". */
export function formatTimestamp(seconds: number, style: 'SRT' | 'VTT'): string {
  return formatMilliseconds(toMilliseconds(seconds), style === 'SRT' ? ',' : '.');
}
