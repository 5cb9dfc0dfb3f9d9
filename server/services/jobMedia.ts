/** A job's media for playing beside its transcript (the web app's player). */
import type { CoreDeps } from '../context.ts';
import type { Job } from '../db/db.ts';
import { signPath } from '../security/signedUrls.ts';

const TYPES: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  webm: 'video/webm',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
};

/** The Content-Type to serve a job's source with, from its file name (players sniff the rest). */
export function jobMediaType(filename: string | null): string {
  const extension = /\.([a-z0-9]+)$/i.exec(filename ?? '')?.[1]?.toLowerCase() ?? '';
  return TYPES[extension] ?? 'application/octet-stream';
}

/**
 * A signed link to the job's stored media (valid SIGNED_URL_TTL_SECONDS), on `base` (PUBLIC_URL or
 * the request's link base), or to its redacted audio (services/redactedMedia.ts); null when no file is kept (a URL job, or media already dropped).
 */
export function jobMediaUrl(deps: Pick<CoreDeps, 'env' | 'box'>, job: Pick<Job, 'id' | 'sourceKey'>, base: string, redacted = false): string | null {
  if (!job.sourceKey) return null;
  const media = `/jobs/${encodeURIComponent(job.id)}/media${redacted ? '/redacted' : ''}`;
  return base + signPath(deps.box, media, deps.env.SIGNED_URL_TTL_SECONDS);
}
