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
 * Verifies access tokens from configured external issuers (Authentik, Auth0, Keycloak, …) against
 * their JWKS. Unknown `kid`s trigger a refetch, at most once per cooldown (30 s), which is how key
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
