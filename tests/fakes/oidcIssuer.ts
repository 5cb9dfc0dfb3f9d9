/**
 * A stand-in for an external OpenID Connect provider (Authentik, Auth0, Keycloak, …): an HTTP
 * server on loopback that publishes a JWKS document whose keys the test controls, and signs access
 * tokens with them. Nothing here talks to the network beyond 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface SigningKey {
  kid: string;
  alg: 'RS256';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/** An RS256 key pair with a fresh `kid`, not published anywhere until a fake issuer does so. */
export async function generateSigningKey(kid = `kid-${randomBytes(6).toString('hex')}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, alg: 'RS256', privateKey, publicKey, publicJwk };
}

export interface SignOptions {
  /** Sign with this key instead of the issuer's current one (e.g. a key it never published). */
  key?: SigningKey;
  /** The `kid` header; defaults to the signing key's. `null` leaves it out. */
  kid?: string | null;
  /** Overrides the `iss` claim (defaults to this issuer). */
  issuer?: string;
  /** Overrides the `aud` claim (defaults to the audience given to startFakeIssuer). */
  audience?: string | string[];
  /** Seconds from now until `exp`; negative for an already expired token. Default 300. */
  expiresIn?: number;
  /** Leave `exp` out altogether. */
  noExp?: boolean;
}

export interface FakeIssuer {
  /** The `iss` value this provider puts in its tokens, exactly as the app must be configured. */
  issuer: string;
  jwksUrl: string;
  /** The key new tokens are signed with. */
  currentKey: SigningKey;
  /** How many times the JWKS document has been fetched. */
  readonly jwksRequests: number;
  /** Signs an access token; `claims` are merged over iss/aud/iat/exp defaults. */
  sign: (claims: JWTPayload & Record<string, unknown>, options?: SignOptions) => Promise<string>;
  /** Switches to a new signing key (new kid). The JWKS then lists the new key, plus the old one if kept. */
  rotateKey: (options?: { keepOld?: boolean }) => Promise<SigningKey>;
  /** PEM of the current public key, for algorithm-confusion attempts. */
  publicKeyPem: () => Promise<string>;
  close: () => Promise<void>;
}

export async function startFakeIssuer(
  options: {
    /** Path of the issuer URL on the fake server, e.g. "/realms/parlance" or "/application/o/parlance/". */
    issuerPath?: string;
    /** Path the JWKS is served at, e.g. "/realms/parlance/protocol/openid-connect/certs". */
    jwksPath?: string;
    audience?: string | string[];
  } = {},
): Promise<FakeIssuer> {
  const issuerPath = options.issuerPath ?? '/';
  const jwksPath = options.jwksPath ?? '/.well-known/jwks.json';
  const audience = options.audience ?? 'parlance-api';

  let published: SigningKey[] = [await generateSigningKey()];
  let jwksRequests = 0;

  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (request.method === 'GET' && path === jwksPath) {
      jwksRequests += 1;
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      response.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeIssuer = {
    issuer: `${origin}${issuerPath}`,
    jwksUrl: `${origin}${jwksPath}`,
    currentKey: published[0],
    get jwksRequests() {
      return jwksRequests;
    },
    sign: async (claims, signOptions = {}) => {
      const key = signOptions.key ?? fake.currentKey;
      const kid = signOptions.kid === undefined ? key.kid : signOptions.kid;
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: signOptions.issuer ?? fake.issuer,
        aud: signOptions.audience ?? audience,
        iat: now,
        ...(signOptions.noExp ? {} : { exp: now + (signOptions.expiresIn ?? 300) }),
        ...claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(kid === null ? {} : { kid }) })
        .sign(key.privateKey);
    },
    rotateKey: async ({ keepOld = false } = {}) => {
      const next = await generateSigningKey();
      published = keepOld ? [next, ...published] : [next];
      fake.currentKey = next;
      return next;
    },
    publicKeyPem: () => exportSPKI(fake.currentKey.publicKey),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}

/** An unsecured JWT (`alg: none`, empty signature) carrying the given claims. */
export function unsecuredToken(claims: JWTPayload & Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}
