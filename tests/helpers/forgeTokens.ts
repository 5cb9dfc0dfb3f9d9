import { importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { signingKeyAssociatedData } from '../../server/security/jwt.ts';
import type { TestApp } from './testApp.ts';

/**
 * The server's own ES256 signing key, opened out of the database exactly as server/security/jwt.ts
 * does, so tests can sign tokens whose only fault is the one they mean to test.
 */
export async function serverSigningKey(t: TestApp): Promise<{ kid: string; privateKey: CryptoKey; publicJwk: JWK }> {
  const row = await t.deps.db.signingKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
  const privateJwk = JSON.parse(
    t.deps.box.open({ ciphertext: row.privateCiphertext, nonce: row.privateNonce }, signingKeyAssociatedData).toString('utf8'),
  ) as JWK;
  return { kid: row.kid, privateKey: (await importJWK(privateJwk, 'ES256')) as CryptoKey, publicJwk: row.publicJwk as JWK };
}

/** The claims a genuine access token of `t` carries for `userId`, to be overridden one at a time. */
export function accessClaims(t: TestApp, userId: string, overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: userId,
    iss: t.deps.accessTokens.issuer,
    aud: t.deps.accessTokens.audience,
    iat: now,
    exp: now + 600,
    jti: `forged-${now}-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  };
}

/** Signs `claims` (undefined values dropped) with an ES256 key under the given kid. */
export async function signEs256(claims: JWTPayload, key: { kid: string; privateKey: CryptoKey }): Promise<string> {
  const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
}

export const base64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

/** An unsigned JWT: header {alg: 'none'}, empty signature. */
export function unsignedToken(claims: JWTPayload, header: Record<string, unknown> = { alg: 'none', typ: 'at+jwt' }): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}.`;
}
