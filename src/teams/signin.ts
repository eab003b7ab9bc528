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
import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { CardFactory, MessageFactory } from 'botbuilder';
import type { Actor, SignInReason } from '../identity';
import { ExchangeError, type DelegatedIdentity } from '../identity/delegated';
import type { KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import { deriveKey } from '../util/secrets';
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
  /** Names this ticket alone: what makes it single-use. */
  nonce: string;
  /** Epoch ms after which it is refused. */
  exp: number;
}

/** What /auth/callback gets back from the authority: the ticket, and the PKCE verifier (derived, never stored). */
export interface SignInState {
  ticket: SignInTicket;
  verifier: string;
}

export interface SignInOptions {
  identity: DelegatedIdentity;
  store: KeyValueStore;
  /**
   * The secret the ticket and sign-in state keys are derived from (Config.cardSigningKey), each key for that
   * purpose alone: a confirmation card's signature never verifies as a ticket. Unset: random per process.
   */
  secret: string | undefined;
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
/**
 * How long a sign-in button works: long enough to press it after reading the card, short enough that a
 * ticket seen in a channel (everyone sees the card) is soon worthless. It only opens the authority's page
 * anyway: the account signed in there must be the ticket's (the callback checks), and it signs in once.
 */
export const TICKET_TTL_MS = 10 * 60_000;
/** How long the authority's page may take (password, MFA) between /auth/start and /auth/callback. */
export const STATE_TTL_MS = 10 * 60_000;

const pendingKey = (a: Actor, conversationId: string) => `signin/pending/${a.tenantId}/${a.id}/${encodeURIComponent(conversationId)}`;
const codeKey = (code: string) => `signin/codes/${code}`;
// Under signin/state/ for the retention rule already sweeping that prefix (hourly: longer than ticket + state).
const usedKey = (nonce: string) => `signin/state/used-${nonce}`;

export class SignInFlow {
  private readonly ticketKey: string;
  private readonly stateKey: string;

  constructor(private readonly o: SignInOptions) {
    this.ticketKey = deriveKey(o.secret, 'sign-in ticket') ?? randomBytes(32).toString('base64url');
    this.stateKey = deriveKey(o.secret, 'sign-in pkce') ?? randomBytes(32).toString('base64url');
  }

  /** The sign-in page URL for this user: a signed ticket naming them, valid TICKET_TTL_MS and once. */
  signInUrl(t: Turn): string {
    const ticket: SignInTicket = {
      oid: t.actor.id,
      tid: t.actor.tenantId,
      name: t.actor.name,
      locale: t.locale,
      nonce: randomBytes(12).toString('base64url'),
      exp: this.o.clock.now() + TICKET_TTL_MS,
    };
    return `${this.o.publicUrl()}/auth/start?ticket=${seal(this.ticketKey, 'ticket', ticket)}`;
  }

  /** The ticket when its signature holds and it has not expired; nothing is read from storage or written. */
  readTicket(raw: string): SignInTicket | undefined {
    const t = open(this.ticketKey, 'ticket', raw) as Partial<SignInTicket> | undefined;
    if (!t || typeof t.exp !== 'number' || t.exp <= this.o.clock.now()) return undefined;
    if (![t.oid, t.tid, t.name, t.locale, t.nonce].every((v) => typeof v === 'string')) return undefined;
    return t as SignInTicket;
  }

  /**
   * The authority round trip for a valid ticket, without storing anything: `state` carries the ticket,
   * signed, and the PKCE verifier is an HMAC of the state's own nonce under a key only the bot holds, so
   * the callback can recompute it (the state travels through the browser; the verifier never does).
   */
  startState(ticket: SignInTicket): { state: string; challenge: string } {
    const nonce = randomBytes(16).toString('base64url');
    const state = seal(this.stateKey, 'state', { ticket, nonce, exp: this.o.clock.now() + STATE_TTL_MS });
    return { state, challenge: createHash('sha256').update(this.verifier(nonce)).digest('base64url') };
  }

  /** The ticket and verifier of a state this bot issued, while it is fresh. */
  readState(raw: string): SignInState | undefined {
    const s = open(this.stateKey, 'state', raw) as { ticket?: SignInTicket; nonce?: unknown; exp?: unknown } | undefined;
    if (!s?.ticket || typeof s.nonce !== 'string' || typeof s.exp !== 'number' || s.exp <= this.o.clock.now()) return undefined;
    return { ticket: s.ticket, verifier: this.verifier(s.nonce) };
  }

  /** Whether a ticket has signed someone in already. */
  async ticketUsed(ticket: SignInTicket): Promise<boolean> {
    return (await this.o.store.get(usedKey(ticket.nonce))) !== undefined;
  }

  /**
   * Marks the ticket used once its sign-in succeeded (write-once): false when another completed first. Only
   * the ticket's own user gets this far, so a colleague opening it in a channel cannot use it up.
   */
  async useTicket(ticket: SignInTicket): Promise<boolean> {
    return this.o.store.createIfAbsent(usedKey(ticket.nonce), { at: this.o.clock.now() });
  }

  private verifier(nonce: string): string {
    // 43 characters of base64url: what RFC 7636 asks of a verifier (43 to 128 unreserved characters).
    return createHmac('sha256', this.stateKey).update(`pkce verifier.${nonce}`).digest('base64url');
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

/** `<payload>.<mac>`, both base64url; the kind is inside the MAC so one kind never reads as another. */
function seal(key: string, kind: 'ticket' | 'state', value: object): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${body}.${mac(key, kind, body)}`;
}

function open(key: string, kind: 'ticket' | 'state', raw: string): unknown {
  const dot = raw.indexOf('.');
  if (dot <= 0 || raw.length > 4_096) return undefined;
  const body = raw.slice(0, dot);
  const given = Buffer.from(raw.slice(dot + 1));
  const expected = Buffer.from(mac(key, kind, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function mac(key: string, kind: string, body: string): string {
  return createHmac('sha256', key).update(`partner-ops sign-in ${kind}.${body}`).digest('base64url');
}
