/**
 * Who is calling. The sandbox accepts any bearer token (signature checks belong to a later feature) but
 * reads a JWT's claims when there are some, so rate limits are per partner tenant and notes carry the
 * signed-in user's name, as they do in Partner Center.
 */

export interface Caller {
  token: string;
  /** Rate-limit key: the JWT `tid` claim, else the whole token. */
  tenantKey: string;
  displayName: string;
  firstName: string;
  lastName: string;
  email: string;
  objectId: string;
}

const DEFAULT_NAME = 'Sandbox Admin';
const DEFAULT_OBJECT_ID = 'bb4ebcf5-d84c-4b35-8469-f4cfa4ac909e';

/** The token from `Authorization: Bearer <token>`, or null when absent, another scheme, or empty. */
export function readBearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S.*)$/i.exec(header?.trim() ?? '');
  return match ? match[1].trim() : null;
}

/** A JWT's payload, or null when the token is not three base64url parts with a JSON object in the middle. */
export function jwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+={0,2}$/.test(p))) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function callerFromToken(token: string, partnerDomain: string): Caller {
  const claims = jwtClaims(token) ?? {};
  const text = (name: string): string | undefined => {
    const v = claims[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const displayName = text('name') ?? DEFAULT_NAME;
  const [first, ...rest] = displayName.split(/\s+/);
  return {
    token,
    tenantKey: text('tid') ?? token,
    displayName,
    firstName: text('given_name') ?? first ?? '',
    lastName: text('family_name') ?? rest.join(' '),
    email: text('upn') ?? text('preferred_username') ?? text('email') ?? `admin@${partnerDomain}`,
    objectId: text('oid') ?? DEFAULT_OBJECT_ID,
  };
}
