import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { downloadAccess, sendStoredFile } from './httpDownload.ts';
import { sendError } from './httpError.ts';
import { visibleSessionWhere } from '../services/access/liveSessions.ts';
import { playbackRedaction, redactionFor } from '../services/access/redaction.ts';
import { redactedRanges, redactedRows } from '../services/redaction.ts';
import { REDACTED_MEDIA_TYPE, redactedMediaKey } from '../services/redactedMedia.ts';
import { renderVtt } from '../transcripts/formats.ts';
import { segmentFromStored } from '../transcripts/storedSegments.ts';

const ROUTE = /^\/sessions\/([a-z0-9_]+)\/(audio\/(source|main|light)(\/redacted)?|subtitles\.vtt)$/;

export function isSessionDownload(path: string): boolean {
  return ROUTE.test(path);
}

/**
 * GET /sessions/{id}/audio/{source|main|light} and /sessions/{id}/subtitles.vtt: the files of an
 * aggregated (READY) live session, with the same authentication and visibility as /graphql, or
 * through a signed link from the API (audioUrl, subtitlesUrl, Recording.*Url). Whoever reads the
 * session redacted hears it redacted, as a job's media (jobMediaRoute.ts): its audio with the
 * redacted words silenced, whichever file is asked for (/audio/{kind}/redacted asks for that).
 */
export async function serveSessionFile(deps: AppDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const [, sessionId, , kind, redactedPath] = ROUTE.exec((req.url ?? '').split('?')[0])!;
  const access = await downloadAccess(deps, req, res);
  if (!access) return;
  const session = await deps.db.liveSession.findFirst({
    where: { AND: [{ id: sessionId }, access === 'signed' ? {} : visibleSessionWhere(access)] },
  });
  if (!session) return sendError(res, 'NOT_FOUND', 'Live session not found.');
  if (session.status !== 'READY') {
    return sendError(res, 'CONFLICT', `The files are not ready: the session is ${session.status.toLowerCase()}.`);
  }
  if (!kind) {
    // Under a project's redaction policy the subtitles are rendered from the redacted segments instead
    // (a signed link carries no reader: it gets them redacted too).
    const redact = await redactionFor(deps.db, access === 'signed' ? null : access, session);
    if (redact.length > 0) {
      const rows = await deps.db.liveSegment.findMany({ where: { sessionId: session.id }, orderBy: { idx: 'asc' } });
      const body = renderVtt(redactedRows(rows, redact).map(segmentFromStored));
      res.writeHead(200, {
        'content-type': 'text/vtt; charset=utf-8',
        'content-disposition': `attachment; filename="${session.id}-subtitles.vtt"`,
        'content-length': Buffer.byteLength(body),
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
  } else {
    const redact = await playbackRedaction(deps.db, access, session, Boolean(redactedPath));
    if (redact.length > 0) {
      const rows = await deps.db.liveSegment.findMany({ where: { sessionId: session.id }, orderBy: { idx: 'asc' } });
      const key = await redactedMediaKey(deps, { prefix: `sessions/${session.id}/`, sourceKey: session.mainKey }, redactedRanges(rows, redact));
      return sendStoredFile(deps, req, res, key, {
        contentType: REDACTED_MEDIA_TYPE,
        disposition: `inline; filename="${session.id}-redacted.ogg"`,
      });
    }
  }
  const file = kind ? audioFile(session, kind as 'source' | 'main' | 'light') : { key: session.vttKey, type: 'text/vtt; charset=utf-8', name: 'subtitles.vtt' };
  await sendStoredFile(deps, req, res, file.key, {
    contentType: file.type,
    disposition: `${kind ? 'inline' : 'attachment'}; filename="${session.id}-${file.name}"`,
  });
}

function audioFile(
  session: { encoding: string; sourceKey: string | null; mainKey: string | null; lightKey: string | null },
  kind: 'source' | 'main' | 'light',
): { key: string | null; type: string; name: string } {
  if (kind === 'main') return { key: session.mainKey, type: 'audio/flac', name: 'main.flac' };
  if (kind === 'light') return { key: session.lightKey, type: 'audio/ogg', name: 'light.ogg' };
  if (session.encoding === 'WEBM_OPUS') return { key: session.sourceKey, type: 'audio/webm', name: 'source.webm' };
  if (session.encoding === 'OGG_OPUS') return { key: session.sourceKey, type: 'audio/ogg', name: 'source.ogg' };
  return { key: session.sourceKey, type: 'audio/wav', name: 'source.wav' };
}

