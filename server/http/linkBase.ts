// The base of the links the API returns (signed audio and subtitles, archives, transcripts).
// API clients get absolute links on PUBLIC_URL. A browser page of this server's own origin (the web
// app) gets links relative to that origin instead: they then work on whatever host name the app was
// opened (127.0.0.1 while PUBLIC_URL says localhost, an internal name, a second domain), and they
// match the app's content security policy ('self').
import type { Env } from '../env.ts';

interface LinkRequest {
  /** The Host header the request was addressed to. */
  host: string | null | undefined;
  /** The Origin header a browser sends (POST, WebSocket handshakes). */
  origin: string | null | undefined;
  /** Sec-Fetch-Site, which only a browser sets (scripts cannot). */
  fetchSite?: string | null;
}

/** '' (links relative to the caller's origin) for a page of this server's origin, else PUBLIC_URL. */
export function linkBaseFor(env: Pick<Env, 'publicUrl'>, request: LinkRequest): string {
  return isOwnOriginPage(request) ? '' : env.publicUrl;
}

function isOwnOriginPage({ host, origin, fetchSite }: LinkRequest): boolean {
  if (!host) return false;
  // Also said by a same-origin fetch that sends no Origin header (a GET).
  if (fetchSite === 'same-origin') return true;
  if (!origin || origin === 'null') return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}
