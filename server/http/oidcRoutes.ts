// The browser's side of the web sign-in through an external OIDC issuer (services/oidcSignIn.ts):
//   GET /auth/oidc/<key>/start   sets the state cookie and redirects to the issuer's authorization endpoint
//   GET /auth/oidc/callback      the issuer's redirect URI: ends on the web app's login page, either with a
//                                one-time code in the fragment (the app trades it for a session) or with
//                                the reason it failed; never with a token or a stack trace.
import type http from 'node:http';
import type { AppDeps } from '../context.ts';
import { OIDC_STATE_TTL_SECONDS, OidcSignInFailed, finishOidcSignIn, startOidcSignIn } from '../services/oidcSignIn.ts';
import { clientAddress } from './clientAddress.ts';
import { sendError } from './httpError.ts';

const CALLBACK_PATH = '/auth/oidc/callback';
const START_PATH = /^\/auth\/oidc\/([a-z0-9][a-z0-9-]{0,62})\/start$/;
const COOKIE = 'parlance_oidc_state';
const COOKIE_PATH = '/auth/oidc/';
/** The web app's login page reads its fragment (admin/src/components/LoginPage.tsx). */
const LOGIN_PAGE = '/admin/login';

export function isOidcRoute(path: string): boolean {
  return path.startsWith('/auth/oidc/');
}

export async function serveOidc(deps: AppDeps, req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 'METHOD_NOT_ALLOWED', 'Use GET.');
  const url = new URL(req.url ?? '/', 'http://parlance.invalid');
  const start = START_PATH.exec(url.pathname);
  if (start) return serveStart(deps, req, res, start[1]);
  if (url.pathname === CALLBACK_PATH) return serveCallback(deps, req, res, url, requestId);
  sendError(res, 'NOT_FOUND', 'Not found.');
}

async function serveStart(deps: AppDeps, req: http.IncomingMessage, res: http.ServerResponse, key: string): Promise<void> {
  try {
    const { authorizationUrl, state } = await startOidcSignIn(deps, key, clientAddress(deps, req));
    res.setHeader('set-cookie', stateCookie(deps, state, OIDC_STATE_TTL_SECONDS));
    redirect(res, authorizationUrl);
  } catch (error) {
    if (!(error instanceof OidcSignInFailed)) throw error;
    deps.logger.info({ reason: error.reason, detail: error.detail, issuerKey: key }, 'oidc sign-in not started');
    redirect(res, `${LOGIN_PAGE}#oidc-error=${error.reason}`);
  }
}

async function serveCallback(
  deps: AppDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  const params = {
    state: url.searchParams.get('state'),
    code: url.searchParams.get('code'),
    error: url.searchParams.get('error'),
  };
  // The state is single use whatever happens next.
  res.setHeader('set-cookie', stateCookie(deps, '', 0));
  try {
    const completion = await finishOidcSignIn(deps, params, readCookie(req, COOKIE), requestId);
    redirect(res, `${LOGIN_PAGE}#oidc-code=${completion}`);
  } catch (error) {
    if (!(error instanceof OidcSignInFailed)) throw error;
    deps.logger.info({ requestId, reason: error.reason, detail: error.detail }, 'oidc sign-in refused');
    redirect(res, `${LOGIN_PAGE}#oidc-error=${error.reason}`);
  }
}

function stateCookie(deps: AppDeps, value: string, maxAgeSeconds: number): string {
  const secure = deps.env.publicUrl.startsWith('https:') ? '; Secure' : '';
  // Lax: the issuer's redirect back is a top-level GET from another site, which Lax cookies go with.
  return `${COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

function readCookie(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || null;
  }
  return null;
}

function redirect(res: http.ServerResponse, location: string): void {
  res.statusCode = 302;
  res.setHeader('location', location);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('referrer-policy', 'no-referrer');
  res.end();
}
