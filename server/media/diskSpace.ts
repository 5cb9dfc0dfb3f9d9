// The one rule for local scratch space: work that stages files checks the free space first.
import { statfs } from 'node:fs/promises';

/** Bytes of a decoded 16 kHz mono 16-bit WAV per second of media. */
const DECODED_BYTES_PER_SECOND = 32_000;

/** Answers the bytes free to this process on the file system holding `dir`. */
export type FreeDiskReader = (dir: string) => Promise<number>;

/** The real reader: blocks available to unprivileged users times the block size. */
const readFreeDiskBytes: FreeDiskReader = async (dir) => {
  const stats = await statfs(dir);
  return Number(stats.bavail) * Number(stats.bsize);
};

/** The space a media file needs while it is worked on: the input itself plus its decoded WAV. */
export function mediaStagingBytes(inputBytes: number, durationSeconds: number): number {
  return Math.max(0, inputBytes) + Math.ceil(Math.max(0, durationSeconds) * DECODED_BYTES_PER_SECOND);
}

interface DiskCheck {
  /** Where the work will be written (it exists). */
  dir: string;
  /** The estimate of what the work writes there. */
  neededBytes: number;
  /** Kept free on top of the work (env MIN_FREE_DISK_BYTES). */
  reserveBytes: number;
  /** Injected by tests; the real file system otherwise. */
  readFree?: FreeDiskReader;
  /** What is being done, for the message: "process this media", "write this export". */
  purpose: string;
}

/**
 * Null when the work fits with the reserve to spare; otherwise the reason to show, such as
 * "Not enough free disk space to process this media: 1.2 GB needed, 300 MB free."
 */
export async function diskSpaceShortage(check: DiskCheck): Promise<string | null> {
  const free = await (check.readFree ?? readFreeDiskBytes)(check.dir);
  const needed = check.neededBytes + check.reserveBytes;
  if (free >= needed) return null;
  return `Not enough free disk space to ${check.purpose}: ${formatBytes(needed)} needed, ${formatBytes(free)} free.`;
}

/** Decimal units, as disk sizes are usually shown: 1.2 GB, 300 MB. */
function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} ${unit}`;
    }
  }
  return `${Math.max(0, Math.round(bytes))} bytes`;
}
