/**
 * This server as an OpenID Connect client of an external issuer (the web sign-in: authorization code
 * flow with PKCE S256): discovery, the authorization URL and the code exchange. Issuers are the
 * operator's configuration, so these requests follow the rule of the JWKS fetch (oidc.ts, jose's
 * createRemoteJWKSet): any address, loopback included; no redirects followed; 5 s timeout.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OidcIssuerConfig } from '../env.ts';

const TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 256 * 1024;
/** A discovery document is kept this long; a failed fetch is retried on the next sign-in. */
const DISCOVERY_TTL_MS = 60 * 60_000;

interface Discovery {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** How the issuer accepts the client secret at the token endpoint. */
  secretAuth: 'client_secret_basic' | 'client_secret_post';
}

/** Something went wrong talking to the issuer; `detail` is for the log (never secrets). */
export class IssuerUnreachable extends Error {}

const discoveries = new WeakMap<OidcIssuerConfig, { at: number; discovery: Promise<Discovery> }>();

/** The issuer's /.well-known/openid-configuration, cached per process. */
export function discover(config: OidcIssuerConfig, now = Date.now()): Promise<Discovery> {
  const cached = discoveries.get(config);
  if (cached && now - cached.at < DISCOVERY_TTL_MS) return cached.discovery;
  const discovery = fetchDiscovery(config);
  discoveries.set(config, { at: now, discovery });
  discovery.catch(() => {
    if (discoveries.get(config)?.discovery === discovery) discoveries.delete(config);
  });
  return discovery;
}

async function fetchDiscovery(config: OidcIssuerConfig): Promise<Discovery> {
  const url = `${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const document = await getJson(url, { method: 'GET', headers: { accept: 'application/json' } });
  if (typeof document.issuer !== 'string' || !sameIssuer(document.issuer, config.issuer)) {
    throw new IssuerUnreachable(`discovery document names another issuer (${String(document.issuer)})`);
  }
  const authorizationEndpoint = httpUrl(document.authorization_endpoint, 'authorization_endpoint');
  const tokenEndpoint = httpUrl(document.token_endpoint, 'token_endpoint');
  const methods = Array.isArray(document.token_endpoint_auth_methods_supported)
    ? document.token_endpoint_auth_methods_supported
    : [];
  const challengeMethods = document.code_challenge_methods_supported;
  if (Array.isArray(challengeMethods) && !challengeMethods.includes('S256')) {
    throw new IssuerUnreachable('the issuer does not support PKCE with S256');
  }
  // client_secret_basic is the default (RFC 8414); post only when that is all the issuer lists.
  const secretAuth = methods.includes('client_secret_post') && !methods.includes('client_secret_basic') ? 'client_secret_post' : 'client_secret_basic';
  return { authorizationEndpoint, tokenEndpoint, secretAuth };
}

/** A fresh PKCE verifier (RFC 7636: 43 characters of base64url) and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizationUrl(
  config: OidcIssuerConfig,
  discovery: Discovery,
  request: { redirectUri: string; state: string; nonce: string; codeChallenge: string },
): string {
  const url = new URL(discovery.authorizationEndpoint);
  const params = {
    response_type: 'code',
    client_id: config.clientId!,
    redirect_uri: request.redirectUri,
    scope: config.scopes.join(' '),
    state: request.state,
    nonce: request.nonce,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/** Exchanges the authorization code at the token endpoint; answers the ID token. */
export async function exchangeCode(
  config: OidcIssuerConfig,
  discovery: Discovery,
  request: { code: string; redirectUri: string; codeVerifier: string },
): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: request.code,
    redirect_uri: request.redirectUri,
    code_verifier: request.codeVerifier,
  });
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (config.clientSecret && discovery.secretAuth === 'client_secret_basic') {
    // RFC 6749 2.3.1: both parts form-encoded before base64.
    const pair = `${encodeURIComponent(config.clientId!)}:${encodeURIComponent(config.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    body.set('client_id', config.clientId!);
    if (config.clientSecret) body.set('client_secret', config.clientSecret);
  }
  const answer = await getJson(discovery.tokenEndpoint, { method: 'POST', headers, body: body.toString() });
  if (typeof answer.id_token !== 'string') throw new IssuerUnreachable('the token endpoint answered no id_token');
  return answer.id_token;
}

async function getJson(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new IssuerUnreachable(`${new URL(url).origin} did not answer (${(error as Error).name})`);
  }
  const text = await response.text();
  if (text.length > MAX_BODY_BYTES) throw new IssuerUnreachable(`${new URL(url).pathname} answered too large a body`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    // The OAuth error code only: error_description may echo what was sent.
    const code = body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : '';
    throw new IssuerUnreachable(`${new URL(url).pathname} answered ${response.status} ${code.slice(0, 64)}`.trim());
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new IssuerUnreachable(`${new URL(url).pathname} answered no JSON object`);
  return body as Record<string, unknown>;
}

function httpUrl(value: unknown, name: string): string {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.toString();
    } catch {
      // reported below
    }
  }
  throw new IssuerUnreachable(`discovery document has no usable ${name}`);
}

function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
