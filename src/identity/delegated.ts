/**
 * Delegated Partner Center tokens, per user: Teams SSO token in, on-behalf-of token out (msal-node), kept
 * in that user's encrypted cache partition and renewed silently with the refresh token the grant returned.
 *
 * Partner Center requires MFA on App+User calls: a token without `mfa` in `amr` is not used; the user is
 * asked to sign in again with MFA instead of letting Partner Center refuse the call.
 */
import { InteractionRequiredAuthError, type AccountInfo, type ConfidentialClientApplication } from '@azure/msal-node';
import type { Logger } from '../logging/logger';
import type { KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import { decodeJwt } from '../util/jwt';
import { SignInRequiredError, type Actor, type TokenProvider } from './types';
import { createMsalApp, type AuthoritySettings } from './msal';
import { cacheKey, CacheCipher, userCachePlugin } from './token-cache';

export interface DelegatedSettings extends AuthoritySettings {
  /** The Partner Center delegated scope. */
  scope: string;
  /** Secret the token cache is encrypted with. */
  cacheSecret: string;
}

export type ExchangeFailure = 'consent-required' | 'interaction-required' | 'mfa-required' | 'wrong-user' | 'invalid-token' | 'unavailable';

export class ExchangeError extends Error {
  constructor(readonly reason: ExchangeFailure, detail?: string) {
    super(`token exchange failed: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'ExchangeError';
  }
}

export interface SignedInAccount {
  name: string;
  username: string;
  tenantId: string;
  mfa: boolean;
}

/** Renew a little before expiry, so a token never expires in flight. */
const RENEW_BEFORE_MS = 5 * 60_000;
const MAX_APPS = 2_000;

export class DelegatedIdentity implements TokenProvider {
  private readonly cipher: CacheCipher;
  private readonly apps = new Map<string, ConfidentialClientApplication>();
  /** Per-instance memo of each user's current token, so a burst of commands reads the cache once. */
  private readonly memo = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly s: DelegatedSettings,
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.cipher = new CacheCipher(s.cacheSecret);
  }

  private key(actor: Actor): string {
    return cacheKey(actor.tenantId, actor.id);
  }

  private app(actor: Actor): ConfidentialClientApplication {
    const key = this.key(actor);
    let app = this.apps.get(key);
    if (!app) {
      if (this.apps.size >= MAX_APPS) this.apps.delete(this.apps.keys().next().value!);
      app = createMsalApp(this.s, userCachePlugin(this.store, this.cipher, key), this.logger);
      this.apps.set(key, app);
    }
    return app;
  }

  private async account(actor: Actor): Promise<AccountInfo | undefined> {
    const accounts = await this.app(actor).getTokenCache().getAllAccounts();
    return accounts.find((a) => a.localAccountId === actor.id && a.tenantId === actor.tenantId);
  }

  tokenFor(actor: Actor): () => Promise<string> {
    return async () => {
      const key = this.key(actor);
      const m = this.memo.get(key);
      if (m && m.expiresAt - RENEW_BEFORE_MS > this.clock.now()) return m.token;
      const account = await this.account(actor);
      if (!account) throw new SignInRequiredError('not-signed-in');
      let result;
      try {
        result = await this.app(actor).acquireTokenSilent({ account, scopes: [this.s.scope] });
      } catch (e) {
        if (e instanceof InteractionRequiredAuthError) throw new SignInRequiredError('expired');
        this.logger.warn({ err: e }, 'silent token renewal failed');
        throw new SignInRequiredError('expired');
      }
      if (!result?.accessToken) throw new SignInRequiredError('expired');
      return this.remember(actor, result.accessToken, result.expiresOn);
    };
  }

  private remember(actor: Actor, token: string, expiresOn: Date | null): string {
    const claims = decodeJwt(token)?.claims;
    // Belt and braces: a token is only ever used for the user it was issued to.
    if (claims?.oid && claims.oid !== actor.id) throw new SignInRequiredError('not-signed-in');
    if (!claims?.amr?.includes('mfa')) throw new SignInRequiredError('mfa');
    this.memo.set(this.key(actor), { token, expiresAt: expiresOn?.getTime() ?? this.clock.now() + 60_000 });
    return token;
  }

  /**
   * The on-behalf-of exchange of a Teams SSO token. The SSO token must be this Teams user's own (its oid
   * and tid are the activity's): a token from anyone else is refused, never exchanged.
   */
  async exchange(actor: Actor, ssoToken: string): Promise<void> {
    const claims = decodeJwt(ssoToken)?.claims;
    if (!claims) throw new ExchangeError('invalid-token');
    if (claims.oid !== actor.id || claims.tid !== actor.tenantId) throw new ExchangeError('wrong-user');
    let r;
    try {
      r = await this.app(actor).acquireTokenOnBehalfOf({ oboAssertion: ssoToken, scopes: [this.s.scope] });
    } catch (e) {
      throw asExchangeError(e);
    }
    if (!r?.accessToken) throw new ExchangeError('unavailable');
    this.memo.delete(this.key(actor));
    try {
      this.remember(actor, r.accessToken, r.expiresOn);
    } catch (e) {
      // Signed in without MFA: Partner Center would refuse the token, so it is not kept.
      await this.signOut(actor);
      throw e instanceof SignInRequiredError && e.reason === 'mfa' ? new ExchangeError('mfa-required') : e;
    }
  }

  /** The authorization-code sign-in (the fallback when SSO cannot be used): the URL to send the user to. */
  async authCodeUrl(o: { redirectUri: string; state: string; challenge: string; loginHint?: string }): Promise<string> {
    const app = createMsalApp(this.s, undefined, this.logger);
    return app.getAuthCodeUrl({
      scopes: [this.s.scope],
      redirectUri: o.redirectUri,
      state: o.state,
      codeChallenge: o.challenge,
      codeChallengeMethod: 'S256',
      prompt: 'select_account',
      ...(o.loginHint ? { loginHint: o.loginHint } : {}),
      // A claims challenge: Partner Center requires MFA on every App+User call, so always ask for it.
      claims: JSON.stringify({ access_token: { amr: { essential: true, values: ['mfa'] } } }),
    });
  }

  /**
   * Redeems a sign-in code for the actor; refuses a sign-in as somebody else. The code is redeemed in a
   * throwaway in-memory cache: the actor's partition is neither read nor written until the result is known
   * to be theirs, with MFA. So when Bob completes Alice's sign-in link, nothing of Alice's changes.
   */
  async redeem(actor: Actor, o: { code: string; verifier: string; redirectUri: string }): Promise<void> {
    const scratch = createMsalApp(this.s, undefined, this.logger);
    let r;
    try {
      r = await scratch.acquireTokenByCode({ code: o.code, codeVerifier: o.verifier, redirectUri: o.redirectUri, scopes: [this.s.scope] });
    } catch (e) {
      throw asExchangeError(e);
    }
    if (!r?.account || r.account.localAccountId !== actor.id || !r.accessToken) throw new ExchangeError('wrong-user');
    const claims = decodeJwt(r.accessToken)?.claims;
    if (claims?.oid && claims.oid !== actor.id) throw new ExchangeError('wrong-user');
    if (!claims?.amr?.includes('mfa')) throw new ExchangeError('mfa-required');
    // Theirs: the new sign-in replaces their partition.
    const key = this.key(actor);
    await this.store.put(key, this.cipher.seal(scratch.getTokenCache().serialize(), key));
    this.apps.delete(key);
    this.memo.delete(key);
    this.remember(actor, r.accessToken, r.expiresOn);
  }

  async signOut(actor: Actor): Promise<void> {
    const key = this.key(actor);
    this.memo.delete(key);
    this.apps.delete(key);
    await this.store.delete(key);
  }

  async whoami(actor: Actor): Promise<SignedInAccount | undefined> {
    const account = await this.account(actor);
    if (!account) return undefined;
    let mfa = false;
    try {
      await this.tokenFor(actor)();
      mfa = true;
    } catch (e) {
      if (!(e instanceof SignInRequiredError) || e.reason !== 'mfa') return undefined;
    }
    return { name: account.name ?? '', username: account.username, tenantId: account.tenantId, mfa };
  }
}

function asExchangeError(e: unknown): ExchangeError {
  if (e instanceof ExchangeError) return e;
  const err = e as { errorCode?: string; subError?: string; errorMessage?: string; message?: string };
  const text = `${err.errorCode ?? ''} ${err.subError ?? ''} ${err.errorMessage ?? err.message ?? ''}`;
  if (/consent_required|AADSTS65001/.test(text)) return new ExchangeError('consent-required');
  if (e instanceof InteractionRequiredAuthError || /interaction_required|AADSTS50076|AADSTS50079/.test(text)) return new ExchangeError('interaction-required');
  if (/invalid_grant/.test(text)) return new ExchangeError('invalid-token', err.errorCode);
  return new ExchangeError('unavailable', err.errorCode);
}
