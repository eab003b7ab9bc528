/**
 * A local token authority: what Entra ID is to the product, on https://127.0.0.1, so the real msal-node
 * code path (on-behalf-of, refresh, authorization code with PKCE) runs with no cloud account.
 *
 * It serves OpenID metadata, signing keys, a token endpoint and a sign-in page; mints the SSO token Teams
 * would send for a user; and records every token request for tests. Faithful where it matters to the bot:
 * consent can be required (AADSTS65001), MFA is carried from the SSO token into the access token (`amr`),
 * a claims challenge asking for MFA forces it, refresh tokens rotate and can be revoked.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { signJwt, verifyJwt, type Claims, type Jwk } from '../src/util/jwt';
import { keyMaterial, oauthError as entraError, readBody, SECRET_FIELDS, send, signInPage, wantsMfa } from './authority-wire';

export interface AuthorityUser {
  oid: string;
  tid: string;
  name: string;
  upn: string;
  /** Whether this user signs in with multi-factor authentication (amr contains "mfa"). */
  mfa: boolean;
  /** Whether this user has consented to the app (matters only when consent is required). */
  consented: boolean;
}

/** The bot's Entra ID application, as registered at this authority. */
export interface AuthorityClient {
  clientId: string;
  clientSecret: string;
  /** The Application ID URI Teams SSO tokens are issued for (api://botid-{BOT_ID}). */
  appIdUri: string;
}

export interface LocalAuthorityOptions {
  port?: number;
  now?: () => number;
  accessTokenLifetimeSec?: number;
  /** When true, on-behalf-of fails with consent_required until the user consents on the sign-in page. */
  requireConsent?: boolean;
  clients: AuthorityClient[];
}

export interface TokenRequestRecord {
  grantType: string;
  clientId: string;
  /** Form fields as sent, with client_secret, assertion, code and refresh_token masked. */
  form: Record<string, string>;
  /** Who the request was about, when known. */
  oid?: string;
  status: number;
  error?: string;
  at: number;
}

export interface LocalAuthority {
  url: string;
  /** host:port, for msal's knownAuthorities. */
  host: string;
  /** The self-signed certificate clients must trust. */
  caPem: string;
  users: Map<string, AuthorityUser>;
  tokenRequests: TokenRequestRecord[];
  authorityUrl(tenant: string): string;
  openIdConfiguration(tenant: string): Record<string, unknown>;
  jwks(): Jwk[];
  /** Registers (or updates) a user and returns them. */
  user(u: Partial<AuthorityUser> & Pick<AuthorityUser, 'oid' | 'tid'>): AuthorityUser;
  /** The SSO token Teams would send the bot for this user (audience: the app's ID URI). */
  mintSsoToken(oid: string, audience: string, lifetimeSec?: number): string;
  /** Verifies a token this authority issued: claims, or undefined. */
  verify(token: string, audience?: string): Claims | undefined;
  revokeRefreshTokens(oid: string): void;
  setOptions(o: Partial<Omit<LocalAuthorityOptions, 'port' | 'clients'>>): void;
  close(): Promise<void>;
}

interface Grant {
  user: AuthorityUser;
  clientId: string;
  scopes: string[];
  mfa: boolean;
}

interface PendingCode extends Grant {
  redirectUri: string;
  challenge: string;
  nonce?: string;
  expires: number;
}

export async function createLocalAuthority(options: LocalAuthorityOptions): Promise<LocalAuthority> {
  const opts = { now: Date.now, accessTokenLifetimeSec: 3600, requireConsent: false, ...options };
  const { pems, signing, jwk } = await keyMaterial();
  const users = new Map<string, AuthorityUser>();
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, Grant>();
  const tokenRequests: TokenRequestRecord[] = [];
  const nowSec = () => Math.floor(opts.now() / 1000);
  /** Access tokens already verified, by audience and token (see verify). */
  const verified = new Map<string, Claims>();

  let base = '';
  const issuer = (tenant: string) => `${base}/${tenant}/v2.0`;

  const user = (u: Partial<AuthorityUser> & Pick<AuthorityUser, 'oid' | 'tid'>): AuthorityUser => {
    const existing = users.get(u.oid);
    const merged: AuthorityUser = {
      name: 'Sandbox user',
      upn: `${u.oid.slice(0, 8)}@sandbox.onmicrosoft.com`,
      mfa: true,
      consented: false,
      ...existing,
      ...Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)),
    } as AuthorityUser;
    users.set(u.oid, merged);
    return merged;
  };

  const client = (id: string, secret?: string) => opts.clients.find((c) => c.clientId === id && (secret === undefined || c.clientSecret === secret));

  /** The resource of a scope such as https://api.partnercenter.microsoft.com/user_impersonation. */
  const resourceOf = (scopes: string[]) => {
    const s = scopes.find((x) => x.includes('/') && !['openid', 'profile', 'offline_access'].includes(x));
    return s ? { aud: s.slice(0, s.lastIndexOf('/')), scp: s.slice(s.lastIndexOf('/') + 1) } : undefined;
  };

  const issueTokens = (g: Grant, nonce?: string) => {
    const t = nowSec();
    const res = resourceOf(g.scopes);
    const common = { iss: issuer(g.user.tid), tid: g.user.tid, oid: g.user.oid, name: g.user.name, iat: t, nbf: t };
    const accessToken = signJwt(
      {
        ...common,
        aud: res?.aud ?? g.clientId,
        scp: res?.scp ?? 'User.Read',
        upn: g.user.upn,
        appid: g.clientId,
        amr: g.mfa ? ['pwd', 'mfa'] : ['pwd'],
        exp: t + opts.accessTokenLifetimeSec,
        uti: randomUUID(),
      },
      signing,
    );
    const idToken = signJwt(
      { ...common, aud: g.clientId, sub: g.user.oid, preferred_username: g.user.upn, exp: t + 3600, ...(nonce ? { nonce } : {}), ver: '2.0' },
      signing,
    );
    const refresh = randomBytes(32).toString('base64url');
    refreshTokens.set(refresh, g);
    return {
      token_type: 'Bearer',
      scope: g.scopes.join(' '),
      expires_in: opts.accessTokenLifetimeSec,
      ext_expires_in: opts.accessTokenLifetimeSec,
      access_token: accessToken,
      refresh_token: refresh,
      id_token: idToken,
      client_info: Buffer.from(JSON.stringify({ uid: g.user.oid, utid: g.user.tid })).toString('base64url'),
    };
  };

  /** Entra-shaped OAuth error, dated by this authority's clock. */
  const oauthError = (error: string, code: number, description: string, suberror?: string) => entraError(opts.now(), error, code, description, suberror);

  function token(form: Record<string, string>): { status: number; body: unknown; oid?: string } {
    const c = client(form.client_id ?? '', form.client_secret ?? '');
    if (!c) return { status: 401, body: oauthError('invalid_client', 7000215, 'Invalid client secret provided.') };
    const scopes = (form.scope ?? '').split(' ').filter(Boolean);
    switch (form.grant_type) {
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer': {
        if (form.requested_token_use !== 'on_behalf_of') return { status: 400, body: oauthError('invalid_request', 900144, 'requested_token_use must be on_behalf_of.') };
        const v = verifyJwt(form.assertion ?? '', [jwk], nowSec(), { audience: [c.appIdUri, c.clientId] });
        if (!v.ok) return { status: 400, body: oauthError('invalid_grant', 50013, `Assertion failed signature validation or is invalid: ${v.reason}.`) };
        const u = users.get(String(v.claims.oid));
        if (!u) return { status: 400, body: oauthError('invalid_grant', 50034, 'The user account does not exist in the directory.') };
        if (opts.requireConsent && !u.consented) {
          return { status: 400, body: oauthError('invalid_grant', 65001, 'The user or administrator has not consented to use the application.', 'consent_required'), oid: u.oid };
        }
        const mfa = Array.isArray(v.claims.amr) && v.claims.amr.includes('mfa');
        if (wantsMfa(form.claims) && !mfa) {
          return { status: 400, body: oauthError('interaction_required', 50076, 'Due to a configuration change you must use multi-factor authentication.', 'basic_action'), oid: u.oid };
        }
        return { status: 200, body: issueTokens({ user: u, clientId: c.clientId, scopes, mfa }), oid: u.oid };
      }
      case 'refresh_token': {
        const g = refreshTokens.get(form.refresh_token ?? '');
        if (!g || g.clientId !== c.clientId) return { status: 400, body: oauthError('invalid_grant', 700082, 'The refresh token has expired or been revoked.', 'bad_token') };
        refreshTokens.delete(form.refresh_token!); // rotation
        if (wantsMfa(form.claims) && !g.mfa) return { status: 400, body: oauthError('interaction_required', 50076, 'You must use multi-factor authentication.'), oid: g.user.oid };
        return { status: 200, body: issueTokens({ ...g, scopes: scopes.length ? scopes : g.scopes }), oid: g.user.oid };
      }
      case 'authorization_code': {
        const p = codes.get(form.code ?? '');
        codes.delete(form.code ?? '');
        if (!p || p.expires < opts.now() || p.clientId !== c.clientId || p.redirectUri !== form.redirect_uri) {
          return { status: 400, body: oauthError('invalid_grant', 70008, 'The provided authorization code or refresh token has expired or is invalid.') };
        }
        const verifier = createHash('sha256').update(form.code_verifier ?? '').digest('base64url');
        if (verifier !== p.challenge) return { status: 400, body: oauthError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.') };
        return { status: 200, body: issueTokens({ ...p, scopes: scopes.length ? scopes : p.scopes }, p.nonce), oid: p.user.oid };
      }
      case 'client_credentials': {
        const res = resourceOf(scopes.map((s) => s.replace(/\/\.default$/, '/.default')));
        const t = nowSec();
        const accessToken = signJwt({ iss: issuer('botframework.com'), aud: res?.aud ?? 'unknown', appid: c.clientId, iat: t, nbf: t, exp: t + opts.accessTokenLifetimeSec }, signing);
        return { status: 200, body: { token_type: 'Bearer', expires_in: opts.accessTokenLifetimeSec, ext_expires_in: opts.accessTokenLifetimeSec, access_token: accessToken } };
      }
      default:
        return { status: 400, body: oauthError('unsupported_grant_type', 70003, 'The app requested an unsupported grant type.') };
    }
  }

  function approve(form: Record<string, string>): { status: number; location?: string; body?: string } {
    const c = client(form.client_id ?? '');
    const u = users.get(form.oid ?? '');
    if (!c || !u || !form.redirect_uri || !form.code_challenge || form.code_challenge_method !== 'S256') {
      return { status: 400, body: 'Invalid sign-in request.' };
    }
    if (form.consent === '1') u.consented = true;
    const code = randomBytes(24).toString('base64url');
    codes.set(code, {
      user: u,
      clientId: c.clientId,
      scopes: (form.scope ?? '').split(' ').filter(Boolean),
      mfa: form.mfa === '1',
      redirectUri: form.redirect_uri,
      challenge: form.code_challenge,
      nonce: form.nonce,
      expires: opts.now() + 10 * 60_000,
    });
    const target = new URL(form.redirect_uri);
    target.searchParams.set('code', code);
    if (form.state) target.searchParams.set('state', form.state);
    target.searchParams.set('client_info', Buffer.from(JSON.stringify({ uid: u.oid, utid: u.tid })).toString('base64url'));
    return { status: 302, location: target.toString() };
  }

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const parts = url.pathname.split('/').filter(Boolean);
    const tenant = parts[0] ?? 'common';
    const rest = parts.slice(1).join('/');
    if (req.method === 'GET' && (rest === 'v2.0/.well-known/openid-configuration' || rest === '.well-known/openid-configuration')) {
      return send(res, 200, openIdConfiguration(tenant));
    }
    if (req.method === 'GET' && rest === 'discovery/v2.0/keys') return send(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && rest === 'discovery/instance') {
      return send(res, 200, { tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`, metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }] });
    }
    if (rest === 'oauth2/v2.0/token' && req.method === 'POST') {
      const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      const r = token(form);
      const masked = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? `[${k}]` : v]));
      const errorBody = r.status >= 400 ? (r.body as { error?: string }).error : undefined;
      tokenRequests.push({ grantType: form.grant_type ?? '', clientId: form.client_id ?? '', form: masked, oid: r.oid, status: r.status, error: errorBody, at: opts.now() });
      return send(res, r.status, r.body);
    }
    if (rest === 'oauth2/v2.0/authorize' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(signInPage(url.searchParams, tenant, users.values()));
      return;
    }
    if (rest === 'oauth2/v2.0/authorize' && req.method === 'POST') {
      const r = approve(Object.fromEntries(new URLSearchParams(await readBody(req))));
      res.writeHead(r.status, r.location ? { location: r.location } : { 'content-type': 'text/plain' });
      res.end(r.body ?? '');
      return;
    }
    send(res, 404, { error: 'not_found' });
  }

  function openIdConfiguration(tenant: string): Record<string, unknown> {
    return {
      issuer: issuer(tenant),
      authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
      jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'name', 'oid', 'tid', 'preferred_username', 'nonce'],
      tenant_region_scope: 'NA',
      cloud_instance_name: host,
      http_logout_supported: true,
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const host = `127.0.0.1:${port}`;
  base = `https://${host}`;

  return {
    url: base,
    host,
    caPem: pems.cert,
    users,
    tokenRequests,
    authorityUrl: (tenant) => `${base}/${tenant}`,
    openIdConfiguration,
    jwks: () => [jwk],
    user,
    mintSsoToken(oid, audience, lifetimeSec = 3600) {
      const u = users.get(oid);
      if (!u) throw new Error(`unknown user ${oid}`);
      const t = nowSec();
      return signJwt(
        { iss: issuer(u.tid), aud: audience, tid: u.tid, oid: u.oid, name: u.name, preferred_username: u.upn, scp: 'access_as_user', amr: u.mfa ? ['pwd', 'mfa'] : ['pwd'], iat: t, nbf: t, exp: t + lifetimeSec, ver: '2.0' },
        signing,
      );
    },
    verify(tokenValue, audience) {
      // A token whose signature checked out once is not checked again (a service caches validations too;
      // the RSA check was most of the sandbox's CPU per call). Its expiry is checked on every use.
      const key = `${audience ?? ''}\n${tokenValue}`;
      const known = verified.get(key);
      if (known) {
        if (typeof known.exp === 'number' && known.exp > nowSec()) return known;
        verified.delete(key);
      }
      const v = verifyJwt(tokenValue, [jwk], nowSec(), audience ? { audience } : {});
      if (!v.ok) return undefined;
      if (verified.size >= 1000) verified.clear();
      verified.set(key, v.claims);
      return v.claims;
    },
    revokeRefreshTokens(oid) {
      for (const [k, g] of refreshTokens) if (g.user.oid === oid) refreshTokens.delete(k);
    },
    setOptions(o) {
      Object.assign(opts, o);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
