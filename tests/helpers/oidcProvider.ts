/**
 * External OpenID Connect providers (Authentik, Auth0, Keycloak, …) for tests: oauth2-mock-server serves the
 * JWKS on loopback and builds and signs the tokens. This module adds what tests steer: the issuer and JWKS
 * paths, key rotation (its key store cannot drop a key, so a rotation serves a fresh store), a count of
 * JWKS fetches, and tokens signed with keys the provider never published.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportSPKI, importJWK, type CryptoKey, type JWTPayload } from 'jose';
import { JWKStore, OAuth2Issuer, OAuth2Service, type JWK } from 'oauth2-mock-server';

export interface SigningKey {
  kid: string;
  /** The private JWK (with `alg`), as oauth2-mock-server's key store holds it. */
  jwk: JWK;
}

/** An RS256 key pair with a fresh `kid`, not published anywhere until a provider does so. */
export async function generateSigningKey(): Promise<SigningKey> {
  const jwk = await new JWKStore().generate('RS256');
  return { kid: jwk.kid, jwk };
}

export interface SignOptions {
  /** Sign with this key instead of the provider's current one (e.g. a key it never published). */
  key?: SigningKey;
  /** The `kid` header; defaults to the signing key's. `null` leaves it out. */
  kid?: string | null;
  /** Overrides the `iss` claim (defaults to this issuer). */
  issuer?: string;
  /** Overrides the `aud` claim (defaults to the audience given to startOidcProvider). */
  audience?: string | string[];
  /** Seconds from now until `exp`; negative for an already expired token. Default 300. */
  expiresIn?: number;
  /** Leave `exp` out altogether. */
  noExp?: boolean;
}

export interface OidcProvider {
  /** The `iss` value this provider puts in its tokens, exactly as the app must be configured. */
  issuer: string;
  jwksUrl: string;
  /** The key new tokens are signed with. */
  currentKey: SigningKey;
  /** How many times the JWKS document has been fetched. */
  readonly jwksRequests: number;
  /** oauth2-mock-server's service (discovery, /authorize, /token): hook its events, e.g. `beforeTokenSigning`. */
  readonly service: OAuth2Service;
  /** Signs an access token; `claims` are merged over the iss/aud/iat/nbf/exp the library sets. */
  sign: (claims: JWTPayload & Record<string, unknown>, options?: SignOptions) => Promise<string>;
  /** Switches to a new signing key (new kid). The JWKS then lists the new key, plus the old ones if kept. */
  rotateKey: (options?: { keepOld?: boolean }) => Promise<SigningKey>;
  /** PEM of the current public key, for algorithm-confusion attempts. */
  publicKeyPem: () => Promise<string>;
  close: () => Promise<void>;
}

async function serviceFor(issuerUrl: string, jwksPath: string, keys: SigningKey[]): Promise<OAuth2Service> {
  const issuer = new OAuth2Issuer();
  issuer.url = issuerUrl;
  for (const key of keys) await issuer.keys.add(key.jwk);
  return new OAuth2Service(issuer, { jwks: jwksPath });
}

export async function startOidcProvider(
  options: {
    /** Path of the issuer URL on the server, e.g. "/realms/parlance" or "/application/o/parlance/". */
    issuerPath?: string;
    /** Path the JWKS is served at, e.g. "/realms/parlance/protocol/openid-connect/certs". */
    jwksPath?: string;
    audience?: string | string[];
  } = {},
): Promise<OidcProvider> {
  const issuerPath = options.issuerPath ?? '/';
  const jwksPath = options.jwksPath ?? '/.well-known/jwks.json';
  const audience = options.audience ?? 'parlance-api';

  let published: SigningKey[] = [await generateSigningKey()];
  let service: OAuth2Service | undefined;
  let jwksRequests = 0;
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://provider').pathname;
    if (request.method === 'GET' && path.replace(/\/$/, '') === jwksPath.replace(/\/$/, '')) jwksRequests += 1;
    service!.requestHandler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${issuerPath}`;
  service = await serviceFor(issuer, jwksPath, published);

  const provider: OidcProvider = {
    issuer,
    jwksUrl: `${origin}${jwksPath}`,
    currentKey: published[0],
    get jwksRequests() {
      return jwksRequests;
    },
    get service() {
      return service!;
    },
    sign: async (claims, signOptions = {}) => {
      const key = signOptions.key ?? provider.currentKey;
      // A signer of its own, so keys the provider does not publish can sign too.
      const signer = new OAuth2Issuer();
      signer.url = signOptions.issuer ?? issuer;
      await signer.keys.add(key.jwk);
      return signer.buildToken({
        kid: key.kid,
        expiresIn: signOptions.expiresIn ?? 300,
        scopesOrTransform: (header, payload) => {
          if (signOptions.kid === null) delete (header as { kid?: string }).kid;
          else if (signOptions.kid !== undefined) header.kid = signOptions.kid;
          payload.aud = signOptions.audience ?? audience;
          if (signOptions.noExp) delete (payload as { exp?: number }).exp;
          Object.assign(payload, claims);
        },
      });
    },
    rotateKey: async ({ keepOld = false } = {}) => {
      const next = await generateSigningKey();
      published = keepOld ? [next, ...published] : [next];
      service = await serviceFor(issuer, jwksPath, published);
      provider.currentKey = next;
      return next;
    },
    publicKeyPem: async () => {
      const publicJwk = service!.issuer.keys.toJSON().find((key) => key.kid === provider.currentKey.kid)!;
      return exportSPKI((await importJWK(publicJwk, 'RS256')) as CryptoKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return provider;
}

/** An unsecured JWT (`alg: none`, empty signature) carrying the given claims; no library issues these. */
export function unsecuredToken(claims: JWTPayload & Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}
