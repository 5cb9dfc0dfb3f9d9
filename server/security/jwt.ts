import { randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type KeyObject,
} from 'jose';
import type { Db } from '../db/db.ts';
import type { SecretBox } from './secretBox.ts';

const ALGORITHM = 'ES256';
const SIGNING_KEY_AAD = 'signing-key';
const CLOCK_TOLERANCE_SECONDS = 30;
/** Verified access tokens remembered per process (about 1 KiB each). */
const VERIFIED_TOKENS_KEPT = 10_000;

interface ActiveKey {
  kid: string;
  privateKey: CryptoKey | KeyObject;
  publicJwk: JWK;
}

interface StreamingTokenClaims extends JWTPayload {
  sub: string;
  exp: number;
  sid: string;
  ver?: number;
}

/** The JOSE `typ` of streaming tokens (access tokens are `at+jwt`). */
export const STREAMING_TYP = 'stream+jwt';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  exp: number;
  /** How the login behind this token was authenticated (RFC 8176 values: "pwd", "otp", "mfa", ...). */
  amr?: string[];
  /** The login (refresh token family) the token was issued for. */
  sid?: string;
  /** The user's token version when the token was issued; a password reset or change bumps it. */
  ver?: number;
}

/** Which login a token belongs to and the user's token version at issue (AccessTokenClaims sid, ver). */
export interface SessionClaims {
  sid?: string;
  ver?: number;
}

/**
 * Signs and verifies this server's access tokens (ES256). The key pair comes from JWT_PRIVATE_KEY
 * when set, otherwise it is generated on first start and kept in the database, its private half
 * sealed under the master key, so every API process of one installation signs with the same key.
 */
export class AccessTokens {
  /** Built once: createLocalJWKSet imports the keys, which cost about as much as the verification itself. */
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;
  /**
   * Access tokens whose signature and claims already checked out, by their exact text: the ES256
   * verification is the dearest step of a read. Only expiry is judged again on each use. Bounded.
   */
  private readonly verified = new Map<string, AccessTokenClaims>();

  private constructor(
    private readonly active: ActiveKey,
    private readonly publicJwks: JWK[],
    readonly issuer: string,
    readonly audience: string,
    readonly ttlSeconds: number,
  ) {
    this.keySet = createLocalJWKSet({ keys: publicJwks });
  }

  static async load(options: {
    db: Db;
    box: SecretBox;
    issuer: string;
    audience: string;
    ttlSeconds: number;
    privateKeyPem?: string;
  }): Promise<AccessTokens> {
    const active = options.privateKeyPem
      ? await keyFromPem(options.privateKeyPem)
      : await keyFromDatabase(options.db, options.box);
    const stored = await options.db.signingKey.findMany({ where: { retiredAt: null } });
    const jwks = new Map<string, JWK>([[active.kid, active.publicJwk]]);
    for (const row of stored) jwks.set(row.kid, row.publicJwk as JWK);
    return new AccessTokens(active, [...jwks.values()], options.issuer, options.audience, options.ttlSeconds);
  }

  /** The public keys, as served at /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: this.publicJwks };
  }

  async issue(
    userId: string,
    amr: readonly string[] = [],
    session: SessionClaims = {},
  ): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({ ...(amr.length > 0 ? { amr: [...amr] } : {}), ...session })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.active.kid, typ: 'at+jwt' })
      .setSubject(userId)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.active.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The audience of streaming tokens: distinct from access tokens', so neither passes for the other. */
  get streamingAudience(): string {
    return `${this.audience}:live-stream`;
  }

  /**
   * A streaming token (README, "Streaming tokens for browsers"): it names one live session (`sid`)
   * and only lets its bearer append audio to it and subscribe to its chunks. Never refreshed.
   */
  async issueStreaming(
    userId: string,
    sessionId: string,
    ttlSeconds: number,
    tokenVersion = 0,
  ): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + ttlSeconds;
    // ver: the user's token version, so a password reset or change ends streaming tokens too.
    const token = await new SignJWT({ sid: sessionId, ver: tokenVersion })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.active.kid, typ: STREAMING_TYP })
      .setSubject(userId)
      .setIssuer(this.issuer)
      .setAudience(this.streamingAudience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.active.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Throws unless the token is a valid, unexpired streaming token of ours. */
  async verifyStreaming(token: string): Promise<StreamingTokenClaims> {
    const { payload } = await jwtVerify(token, this.keySet, {
      algorithms: [ALGORITHM],
      issuer: this.issuer,
      audience: this.streamingAudience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub', 'iat', 'sid'],
      typ: STREAMING_TYP,
    });
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw new Error('Streaming token without a session.');
    return payload as StreamingTokenClaims;
  }

  /** The claims of an access token this process verified before and that has not expired; else null. */
  knownClaims(token: string): AccessTokenClaims | null {
    const known = this.verified.get(token);
    if (!known) return null;
    if (known.exp > Math.floor(Date.now() / 1000) - CLOCK_TOLERANCE_SECONDS) return known;
    this.verified.delete(token);
    return null;
  }

  /** Throws when the token is not one of ours, expired, or signed any other way. */
  async verify(token: string): Promise<AccessTokenClaims> {
    const known = this.knownClaims(token);
    if (known) return known;
    const claims = await this.verifySignedAccessToken(token);
    this.verified.set(token, claims);
    if (this.verified.size > VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value as string);
    return claims;
  }

  private async verifySignedAccessToken(token: string): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(token, this.keySet, {
      algorithms: [ALGORITHM],
      issuer: this.issuer,
      audience: this.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub', 'iat'],
      typ: 'at+jwt',
    });
    return Object.freeze(payload) as AccessTokenClaims;
  }
}

async function keyFromPem(pem: string): Promise<ActiveKey> {
  const privateKey = await importPKCS8(pem.replace(/\\n/g, '\n'), ALGORITHM, { extractable: true });
  const full = await exportJWK(privateKey);
  const publicJwk: JWK = { kty: full.kty, crv: full.crv, x: full.x, y: full.y };
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' } };
}

async function keyFromDatabase(db: Db, box: SecretBox): Promise<ActiveKey> {
  const existing = await newestKey(db);
  if (existing) return openKey(existing, box);
  await db.$transaction(async (tx) => {
    // Two processes starting together must not each create a key.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('parlance:signing-key'))`;
    if (await tx.signingKey.findFirst({ where: { retiredAt: null } })) return;
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const sealed = box.seal(JSON.stringify(await exportJWK(privateKey)), SIGNING_KEY_AAD);
    await tx.signingKey.create({
      data: {
        kid,
        algorithm: ALGORITHM,
        publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' },
        privateCiphertext: sealed.ciphertext,
        privateNonce: sealed.nonce,
        masterKeyId: sealed.masterKeyId,
      },
    });
  });
  const created = await newestKey(db);
  if (!created) throw new Error('Signing key was not created.');
  return openKey(created, box);
}

function newestKey(db: Db) {
  return db.signingKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
}

async function openKey(
  row: { kid: string; publicJwk: unknown; privateCiphertext: Uint8Array; privateNonce: Uint8Array; masterKeyId: string },
  box: SecretBox,
): Promise<ActiveKey> {
  if (row.masterKeyId !== box.keyId) {
    throw new Error(
      `The JWT signing key in the database was sealed with master key ${row.masterKeyId}, but ENCRYPTION_KEY ` +
        `(or DATA_DIR/encryption.key) is ${box.keyId}. Start with the key this database was set up with.`,
    );
  }
  const privateJwk = JSON.parse(
    box.open({ ciphertext: row.privateCiphertext, nonce: row.privateNonce }, SIGNING_KEY_AAD).toString('utf8'),
  ) as JWK;
  const privateKey = (await importJWK(privateJwk, ALGORITHM)) as CryptoKey;
  return { kid: row.kid, privateKey, publicJwk: row.publicJwk as JWK };
}

export const signingKeyAssociatedData = SIGNING_KEY_AAD;
