/** Masks tokens and keys inside free text (messages, error descriptions, URLs), wherever they appear. */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi;
const ACCOUNT_KEY = /AccountKey=[^;'"\s]+/gi;

export function scrubSecrets(text: string): string {
  return text.replace(BEARER, 'Bearer [redacted]').replace(JWT, '[redacted-jwt]').replace(ACCOUNT_KEY, 'AccountKey=[redacted]');
}
