/** Secrets: masked wherever they appear in free text, and the keys derived from configured ones. */
import { hkdfSync } from 'node:crypto';

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi;
const ACCOUNT_KEY = /AccountKey=[^;'"\s]+/gi;

/** Masks tokens and keys inside free text (messages, error descriptions, URLs), wherever they appear. */
export function scrubSecrets(text: string): string {
  return text.replace(BEARER, 'Bearer [redacted]').replace(JWT, '[redacted-jwt]').replace(ACCOUNT_KEY, 'AccountKey=[redacted]');
}

/**
 * What each key derived from a configured secret is for. One secret may feed several keys; a separate key
 * per purpose means a value signed for one purpose (a confirmation card) never verifies as another (a
 * sign-in ticket), whatever the two formats have in common.
 */
export type KeyPurpose = 'confirmation' | 'sign-in ticket' | 'sign-in pkce';

/**
 * A 256-bit key for one purpose, derived with HKDF-SHA256 (RFC 5869) from `secret`, the purpose as its
 * info: as text (base64url), the form the HMAC signers take. Undefined without a secret (each user of the
 * key then makes a random one per process, as local mode does).
 */
export function deriveKey(secret: string | undefined, purpose: KeyPurpose): string | undefined {
  if (secret === undefined) return undefined;
  return Buffer.from(hkdfSync('sha256', secret, 'partner-ops key derivation v1', purpose, 32)).toString('base64url');
}
