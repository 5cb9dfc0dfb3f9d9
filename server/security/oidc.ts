import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { OidcIssuerConfig } from '../env.ts';

export interface ExternalIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  /** The issuer's `email_verified` claim is exactly `true`. */
  emailVerified: boolean;
  username: string | null;
  isAdmin: boolean;
}

/**
 * Verifies access tokens (and, for the web sign-in, ID tokens) from configured external issuers
 * (Authentik, Auth0, Keycloak, …) against their JWKS. Unknown `kid`s trigger a refetch, at most once per cooldown (30 s), which is how key
 * rotation at the issuer is picked up.
 */
export class ExternalIssuers {
  private readonly verifiers = new Map<
    string,
    { config: OidcIssuerConfig; jwks: ReturnType<typeof createRemoteJWKSet> }
  >();

  constructor(configs: OidcIssuerConfig[], options: { cooldownMs?: number } = {}) {
    for (const config of configs) {
      const jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
        cooldownDuration: options.cooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
        timeoutDuration: 5_000,
      });
      this.verifiers.set(normaliseIssuer(config.issuer), { config, jwks });
    }
  }

  handles(issuer: string): boolean {
    return this.verifiers.has(normaliseIssuer(issuer));
  }

  async verify(token: string, issuer: string): Promise<ExternalIdentity> {
    const entry = this.verifiers.get(normaliseIssuer(issuer));
    if (!entry) throw new Error('Unknown issuer.');
    const { config, jwks } = entry;
    const { payload } = await jwtVerify(token, jwks, {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: config.algorithms,
      clockTolerance: 30,
      requiredClaims: ['exp', 'sub'],
    });
    return identityFrom(config, payload);
  }

  /**
   * Verifies an ID token of the web sign-in (OpenID Connect Core 3.1.3.7) with the issuer's JWKS:
   * signature, `iss`, `aud` (the clientId; `azp` too when there are several audiences), `exp`, and
   * the `nonce` this server sent. The identity is read from its claims as from an access token's; `amr`
   * (how the issuer authenticated the person, RFC 8176) goes with it.
   */
  async verifyIdToken(idToken: string, issuer: string, expectedNonce: string): Promise<ExternalIdentity & { amr: string[] }> {
    const entry = this.verifiers.get(normaliseIssuer(issuer));
    if (!entry?.config.clientId) throw new Error('Unknown issuer.');
    const { config, jwks } = entry;
    const { payload } = await jwtVerify(idToken, jwks, {
      issuer: config.issuer,
      audience: config.clientId,
      algorithms: config.algorithms,
      clockTolerance: 30,
      requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
    });
    if (payload.nonce !== expectedNonce) throw new IdTokenNonceMismatch();
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== config.clientId) {
      throw new Error('ID token was issued to another party (azp).');
    }
    const amr = Array.isArray(payload.amr) ? payload.amr.filter((method): method is string => typeof method === 'string').slice(0, 16) : [];
    return { ...identityFrom(config, payload), amr };
  }
}

/** The ID token's nonce is not the one this sign-in sent (a replayed or injected token). */
export class IdTokenNonceMismatch extends Error {
  constructor() {
    super('ID token nonce does not match.');
  }
}

function identityFrom(config: OidcIssuerConfig, payload: JWTPayload): ExternalIdentity {
  const groups = readGroups(payload, config.groupsClaim);
  return {
    issuer: config.issuer,
    subject: payload.sub as string,
    email: typeof payload.email === 'string' ? payload.email.toLowerCase() : null,
    emailVerified: payload.email_verified === true,
    username: stringClaim(payload, config.usernameClaim),
    isAdmin: config.adminGroups.some((group) => groups.includes(group)),
  };
}

function normaliseIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

function stringClaim(payload: JWTPayload, claim: string): string | null {
  const value = claimAt(payload, claim);
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Groups may sit at a dotted path (Keycloak: "realm_access.roles") or a namespaced URL claim (Auth0). */
function readGroups(payload: JWTPayload, claim: string): string[] {
  const value = claimAt(payload, claim);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

function claimAt(payload: JWTPayload, claim: string): unknown {
  if (claim in payload) return payload[claim];
  return claim.split('.').reduce<unknown>((node, key) => {
    return node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }, payload);
}
