/**
 * The partner's support profile (https://learn.microsoft.com/partner-center/developer/update-support-profile).
 * The seed PUTs to /v1/profiles/supportprofile while Microsoft's SDK uses /v1/profiles/support; which of
 * the two exists is an option, so the client's fallback can be proven.
 */
import type { Handler } from './call';
import { objectBody } from './call';
import type { SupportProfile } from './model';
import { invalidInput, link, routeNotFound } from './wire';

export type SupportProfilePutPath = 'supportprofile' | 'support';

export const getSupportProfile: Handler = (call) => ({ status: 200, body: profileView(call.data.supportProfile) });

export function putSupportProfile(path: SupportProfilePutPath): Handler {
  return (call) => {
    if (!call.options.supportProfilePutPaths.includes(path)) throw routeNotFound(call.method, call.path);
    const body = objectBody(call);
    // Full replace: a field left out becomes empty.
    const profile: SupportProfile = {
      email: validated(body.email, 'Email', isEmail, 'an email address such as support@contoso.com'),
      telephone: validated(body.telephone, 'Telephone', isTelephone, 'digits, spaces, +, - and parentheses'),
      website: validated(body.website, 'Website', isWebsite, 'a host or URL such as www.contoso.com'),
    };
    call.data.supportProfile = profile;
    return { status: 200, body: profileView(profile) };
  };
}

function profileView(p: SupportProfile) {
  return {
    email: p.email,
    telephone: p.telephone,
    website: p.website,
    profileType: 'support_profile',
    links: { self: link('/v1/profiles/support') },
    attributes: { objectType: 'PartnerSupportProfile' },
  };
}

function validated(value: unknown, field: string, valid: (v: string) => boolean, expected: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalidInput(`${field} must be a string.`);
  const v = value.trim();
  if (v !== '' && !valid(v)) throw invalidInput(`${field} must be ${expected}; got '${value}'.`);
  return v;
}

function isEmail(v: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
}

function isTelephone(v: string): boolean {
  return /^[0-9+\-\s()]+$/.test(v) && /[0-9]/.test(v);
}

function isWebsite(v: string): boolean {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`);
    return (url.protocol === 'http:' || url.protocol === 'https:') && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(url.hostname);
  } catch {
    return false;
  }
}
