/**
 * Sign-in inside Teams, as the user experiences it:
 *
 * 1. A command or card action needs Partner Center and the user has no valid token: a message gets an
 *    OAuthCard carrying a token exchange resource (Teams SSO); a card action gets a 401 login request.
 *    What they asked for is kept.
 * 2. Teams sends the user's SSO token (`signin/tokenExchange`, or the card action again with
 *    `authentication.token`): the bot exchanges it on behalf of the user and finishes what they asked for.
 * 3. When the exchange needs consent or interaction (or Partner Center needs MFA), the sign-in button opens
 *    the bot's own pages (authorization code + PKCE) that end with `signin/verifyState` (or a code typed in
 *    the chat), and again the original command completes.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { CardFactory, MessageFactory } from 'botbuilder';
import type { Actor, SignInReason } from '../identity';
import { ExchangeError, type DelegatedIdentity } from '../identity/delegated';
import type { KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import type { Signer } from '../features/confirm/signing';
import type { Turn } from './turn';

/** What the user asked for, to finish after they sign in. */
export type PendingWork =
  | { kind: 'command'; text: string }
  | { kind: 'action'; verb: string; data: Record<string, unknown>; replyToId?: string };

export interface SignInTicket {
  oid: string;
  tid: string;
  name: string;
  locale: string;
}

export interface SignInOptions {
  identity: DelegatedIdentity;
  store: KeyValueStore;
  signer: Signer;
  clock: Clock;
  /** The Application ID URI SSO tokens are issued for. */
  appIdUri: string;
  /** Public base URL of the bot, for the sign-in pages (known once the server listens). */
  publicUrl: () => string;
}

/** The OAuth connection name Teams echoes back; the exchange itself is the bot's own (msal-node). */
export const CONNECTION_NAME = 'partner-center';
const PENDING_TTL_MS = 15 * 60_000;
const CODE_TTL_MS = 10 * 60_000;

const pendingKey = (a: Actor, conversationId: string) => `signin/pending/${a.tenantId}/${a.id}/${encodeURIComponent(conversationId)}`;
const codeKey = (code: string) => `signin/codes/${code}`;

export class SignInFlow {
  constructor(private readonly o: SignInOptions) {}

  /** The sign-in page URL for this user (a signed, short-lived ticket names them). */
  signInUrl(t: Turn): string {
    const ticket: SignInTicket = { oid: t.actor.id, tid: t.actor.tenantId, name: t.actor.name, locale: t.locale };
    const signed = Buffer.from(JSON.stringify(this.o.signer.sign(ticket))).toString('base64url');
    return `${this.o.publicUrl()}/auth/start?ticket=${signed}`;
  }

  readTicket(raw: string): SignInTicket | undefined {
    try {
      return this.o.signer.verify(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))) as SignInTicket | undefined;
    } catch {
      return undefined;
    }
  }

  async savePending(t: Turn, work: PendingWork): Promise<void> {
    await this.o.store.put(pendingKey(t.actor, conversationId(t)), { work, at: this.o.clock.now() });
  }

  async takePending(t: Turn): Promise<PendingWork | undefined> {
    const key = pendingKey(t.actor, conversationId(t));
    const rec = await this.o.store.get<{ work: PendingWork; at: number }>(key);
    if (!rec) return undefined;
    await this.o.store.delete(key);
    return rec.value.at + PENDING_TTL_MS > this.o.clock.now() ? rec.value.work : undefined;
  }

  /** The OAuthCard for a message: SSO first (token exchange resource), the sign-in page as the button. */
  oauthCard(t: Turn, reason: SignInReason) {
    const mfa = reason === 'mfa';
    const text = mfa ? t.tr.t('signin.mfa') : t.tr.t('signin.text');
    // With MFA required, SSO cannot add the claim: no exchange resource, the button's pages ask for MFA.
    const exchange = mfa ? undefined : { id: randomUUID(), uri: this.o.appIdUri, providerId: '' };
    return MessageFactory.attachment(CardFactory.oauthCard(CONNECTION_NAME, t.tr.t('signin.title'), text, this.signInUrl(t), exchange));
  }

  /** The Action.Execute answer asking Teams to sign the user in, inside the card. */
  loginRequest(t: Turn, reason: SignInReason): Record<string, unknown> {
    const mfa = reason === 'mfa';
    return {
      statusCode: 401,
      type: 'application/vnd.microsoft.activity.loginRequest',
      value: {
        text: mfa ? t.tr.t('signin.mfa') : t.tr.t('signin.text'),
        connectionName: CONNECTION_NAME,
        ...(mfa ? {} : { tokenExchangeResource: { id: randomUUID(), uri: this.o.appIdUri, providerId: '' } }),
        buttons: [{ type: 'signin', title: t.tr.t('signin.button'), value: this.signInUrl(t) }],
      },
    };
  }

  /**
   * Exchanges an SSO token for this turn's user. Duplicates of one exchange (Teams sends one per signed-in
   * client) are recognised by a write-once record: only the first runs. Returns what happened.
   */
  async exchange(t: Turn, ssoToken: string, exchangeId: string): Promise<'done' | 'duplicate' | ExchangeError> {
    const key = `signin/exchanges/${t.actor.tenantId}/${t.actor.id}/${exchangeId}`;
    const first = await this.o.store.createIfAbsent(key, { at: this.o.clock.now() });
    if (!first) return 'duplicate';
    try {
      await this.o.identity.exchange(t.actor, ssoToken);
      return 'done';
    } catch (e) {
      // A refused exchange must not block the user's next, genuine one.
      await this.o.store.delete(key);
      if (e instanceof ExchangeError) return e;
      throw e;
    }
  }

  /**
   * A one-time code the sign-in page hands to Teams (verifyState) or shows for typing in the chat. Created
   * only if that code is free (another user's live code is never overwritten); it expires (RETENTION).
   */
  async issueCode(actor: Actor): Promise<string> {
    for (let i = 0; i < 20; i++) {
      const code = String(randomInt(100_000, 1_000_000));
      if (await this.o.store.createIfAbsent(codeKey(code), { oid: actor.id, tid: actor.tenantId, at: this.o.clock.now() })) return code;
    }
    throw new Error('no free sign-in code after 20 tries');
  }

  /** True when the code was issued to this user, recently, and not used before. */
  async redeemCode(actor: Actor, code: string): Promise<boolean> {
    if (!/^\d{6}$/.test(code)) return false;
    const rec = await this.o.store.get<{ oid: string; tid: string; at: number }>(codeKey(code));
    if (!rec || rec.value.oid !== actor.id || rec.value.tid !== actor.tenantId) return false; // someone else's code stays valid for them
    await this.o.store.delete(codeKey(code));
    return rec.value.at + CODE_TTL_MS > this.o.clock.now();
  }
}

function conversationId(t: Turn): string {
  // Channel replies carry ";messageid=…": the thread. Keep the pending work per thread.
  return t.context.activity.conversation?.id ?? 'unknown';
}
