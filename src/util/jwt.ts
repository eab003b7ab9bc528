/**
 * Minimal JWT (RS256) signing, verification and decoding with node:crypto. Signing and verification serve
 * local stand-ins for Entra ID (development and tests); the bot only reads claims of tokens it already
 * trusts (never to trust a token by itself: decode does not verify).
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export type Claims = Record<string, unknown> & {
  iss?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  oid?: string;
  tid?: string;
  amr?: string[];
};

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

export function signJwt(claims: Claims, key: { privateKey: KeyObject; kid: string }): string {
  const head = b64({ alg: 'RS256', typ: 'JWT', kid: key.kid });
  const body = b64(claims);
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), key.privateKey).toString('base64url');
  return `${head}.${body}.${sig}`;
}

/** Header and claims of a JWT, unverified; undefined when it is not a JWT. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Claims } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')),
      claims: JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')),
    };
  } catch {
    return undefined;
  }
}

export interface Jwk {
  kid: string;
  kty: string;
  n: string;
  e: string;
  use?: string;
  alg?: string;
  [k: string]: unknown;
}

/** Verifies signature (against the JWK with the token's kid), expiry and not-before. Claims, or why not. */
/** Importing a JWK costs more than verifying a signature with it: each key is imported once. */
const publicKeys = new WeakMap<Jwk, KeyObject>();

export function verifyJwt(
  token: string,
  keys: readonly Jwk[],
  nowSeconds: number,
  expect: { issuer?: string; audience?: string | readonly string[] } = {},
): { ok: true; claims: Claims } | { ok: false; reason: string } {
  const decoded = decodeJwt(token);
  if (!decoded) return { ok: false, reason: 'not a JWT' };
  if (decoded.header.alg !== 'RS256') return { ok: false, reason: 'unsupported algorithm' };
  const jwk = keys.find((k) => k.kid === decoded.header.kid);
  if (!jwk) return { ok: false, reason: 'unknown signing key' };
  const [h, b, s] = token.split('.') as [string, string, string];
  let key = publicKeys.get(jwk);
  if (!key) publicKeys.set(jwk, (key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' })));
  if (!verify('sha256', Buffer.from(`${h}.${b}`), key, Buffer.from(s, 'base64url'))) return { ok: false, reason: 'bad signature' };
  const c = decoded.claims;
  if (typeof c.exp !== 'number' || c.exp <= nowSeconds) return { ok: false, reason: 'expired' };
  if (typeof c.nbf === 'number' && c.nbf > nowSeconds + 300) return { ok: false, reason: 'not yet valid' };
  if (expect.issuer && c.iss !== expect.issuer) return { ok: false, reason: 'wrong issuer' };
  if (expect.audience) {
    const wanted = typeof expect.audience === 'string' ? [expect.audience] : expect.audience;
    const got = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!got.some((a) => typeof a === 'string' && wanted.includes(a))) return { ok: false, reason: 'wrong audience' };
  }
  return { ok: true, claims: c };
}
