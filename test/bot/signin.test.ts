import { request } from 'node:https';
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { decodeJwt } from '../../src/util/jwt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../src/storage/file';
import { HeldClock } from '../support/fake-clock';
import { ALICE, BOB, CHANNEL, TENANT, cardOf, startTestBot, textOf, type ConnectorCall, type TestBot } from '../support/teams';
import { until } from '../support/until';

const OPEN = SEED.serviceRequests.open.id;
const APP_ID_URI = 'api://botid-local';
const OBO = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

type OAuthCard = { text: string; connectionName: string; tokenExchangeResource?: { id: string; uri: string }; buttons: Array<{ type: string; value: string }> };

function oauthCardOf(call: ConnectorCall | undefined): OAuthCard {
  const a = (call?.activity.attachments as Array<{ contentType: string; content: unknown }> | undefined)?.find((x) => x.contentType === 'application/vnd.microsoft.card.oauth');
  if (!a) throw new Error(`no OAuthCard in ${JSON.stringify(call?.activity).slice(0, 300)}`);
  return a.content as OAuthCard;
}

/** Waits until the connector has received a card showing `text`. */
async function cardShowing(bot: TestBot, text: string): Promise<void> {
  await until(() => bot.connector.calls.some((c) => JSON.stringify(c.activity).includes(text)));
}

/** A POST of a form over https trusting the local authority's certificate; resolves with status and Location. */
function postForm(url: string, form: Record<string, string>, ca: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('sign-in: Teams SSO, on-behalf-of tokens and the sign-in pages, through the protocol', () => {
  let bot: TestBot;
  let state: FileStateStore;
  beforeEach(async () => {
    state = new FileStateStore(mkdtempSync(path.join(tmpdir(), 'signin-')));
    bot = await startTestBot({}, { sandboxSso: false, state, bot: { invokeDeadlineMs: 2_000 } });
    for (const p of [ALICE, BOB]) bot.running.authority!.user({ oid: p.aadObjectId, tid: TENANT, name: p.name, upn: `${p.name.split(' ')[0]!.toLowerCase()}@litware.com` });
  });
  afterEach(async () => {
    await bot.close();
    rmSync(state.dir, { recursive: true, force: true });
  });
  const authority = () => bot.running.authority!;
  const pc = () => bot.running.sandbox!.requests;
  const exchanges = () => authority().tokenRequests.filter((r) => r.grantType === OBO);
  const sso = (who = ALICE) => authority().mintSsoToken(who.aadObjectId, APP_ID_URI);

  /** Plays Teams: answers the OAuthCard's token exchange with the user's SSO token. */
  async function exchange(card: OAuthCard, who = ALICE, conversation = undefined as typeof CHANNEL | undefined) {
    return bot.invoke('signin/tokenExchange', { id: card.tokenExchangeResource!.id, connectionName: card.connectionName, token: sso(who) }, { from: who, conversation });
  }

  it('asks to sign in, exchanges the SSO token on behalf of the user, then finishes the command', async () => {
    await bot.say(`sr ${OPEN}`);
    const card = oauthCardOf(bot.take()[0]);
    expect(card.tokenExchangeResource!.uri).toBe(APP_ID_URI);
    expect(card.buttons[0]).toMatchObject({ type: 'signin', value: expect.stringContaining('/auth/start?ticket=') });
    expect(pc()).toHaveLength(0); // nothing reached Partner Center without a token

    const r = await exchange(card);
    expect(r).toEqual({ status: 200, body: { id: card.tokenExchangeResource!.id } });
    await cardShowing(bot, SEED.serviceRequests.open.title);
    expect(textOf(cardOf(bot.take()[0]))).toContain(SEED.serviceRequests.open.title);

    const [obo] = exchanges();
    expect(obo!.form).toMatchObject({ requested_token_use: 'on_behalf_of', assertion: '[assertion]' });
    expect(obo!.form.scope).toContain('https://api.partnercenter.microsoft.com/user_impersonation');
    expect(obo!.form.scope).toContain('offline_access');
    expect(decodeJwt(pc()[0]!.token!)!.claims).toMatchObject({ oid: ALICE.aadObjectId, amr: ['pwd', 'mfa'] });

    // The next commands use the cached token: no second exchange, no sign-in card.
    await bot.say('sr list');
    await bot.say(`sr ${OPEN}`);
    expect(bot.take().every((c) => !JSON.stringify(c.activity).includes('card.oauth'))).toBe(true);
    expect(exchanges()).toHaveLength(1);
  });

  it('handles duplicate token exchanges (one per signed-in Teams client) once', async () => {
    await bot.say(`sr note ${OPEN} sent once`);
    const card = oauthCardOf(bot.take()[0]);
    const [a, b, c] = await Promise.all([exchange(card), exchange(card), exchange(card)]);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    await until(() => pc().some((r) => r.method === 'PATCH'));
    await new Promise((r) => setTimeout(r, 200));
    expect(exchanges()).toHaveLength(1);
    expect(pc().filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('renews the token silently once it is about to expire', async () => {
    authority().setOptions({ accessTokenLifetimeSec: 120 }); // within msal's 5-minute renewal window
    await bot.say(`sr ${OPEN}`);
    await exchange(oauthCardOf(bot.take()[0]));
    await cardShowing(bot, SEED.serviceRequests.open.title);
    bot.take();
    await bot.say(`sr ${OPEN}`);
    expect(textOf(cardOf(bot.take().at(-1)))).toContain(SEED.serviceRequests.open.title);
    // One exchange; every later token came from the refresh token, without asking the user again.
    const grants = authority().tokenRequests.map((r) => r.grantType);
    expect(grants[0]).toBe(OBO);
    expect(grants.slice(1).length).toBeGreaterThanOrEqual(1);
    expect(grants.slice(1).every((g) => g === 'refresh_token')).toBe(true);
  });

  it('falls back to the sign-in pages when consent is needed, ending in verifyState and the original command', async () => {
    authority().setOptions({ requireConsent: true });
    await bot.say(`sr ${OPEN}`);
    const card = oauthCardOf(bot.take()[0]);
    const refused = await exchange(card);
    expect(refused.status).toBe(412);
    expect(refused.body).toMatchObject({ id: card.tokenExchangeResource!.id, failureDetail: expect.stringMatching(/consent/) });

    // The sign-in button: our page sends the browser to the authority with PKCE and an MFA claims challenge.
    const start = await fetch(card.buttons[0]!.value, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(authority().url);
    const q = Object.fromEntries(authorize.searchParams);
    expect(q).toMatchObject({ client_id: expect.any(String), code_challenge_method: 'S256', response_type: 'code' });
    expect(JSON.parse(q.claims!)).toMatchObject({ access_token: { amr: { essential: true, values: ['mfa'] } } });

    // The user signs in and consents on the authority's page.
    const approved = await postForm(authorize.origin + authorize.pathname, { ...q, oid: ALICE.aadObjectId, consent: '1', mfa: '1' }, authority().caPem);
    expect(approved.status).toBe(302);
    const callback = await fetch(approved.location!);
    const html = await callback.text();
    expect(callback.status).toBe(200);
    const code = /id="code">(\d{6})</.exec(html)![1]!;
    expect(html).toContain('microsoftTeams.authentication.notifySuccess');
    // Its inline script and style run under a strict CSP: only what carries this response's nonce.
    const csp = callback.headers.get('content-security-policy')!;
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]{16,})'/.exec(csp)![1]!;
    expect(csp).toMatch(/^default-src 'none'/);
    expect(csp).toContain(`style-src 'nonce-${nonce}'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    const tags = html.match(/<(script|style)\b[^>]*>/g)!;
    expect(tags.length).toBeGreaterThanOrEqual(3);
    for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
    expect(callback.headers.get('x-content-type-options')).toBe('nosniff');
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer');

    const verified = await bot.invoke('signin/verifyState', { state: code });
    expect(verified.status).toBe(200);
    await cardShowing(bot, SEED.serviceRequests.open.title);
    expect(textOf(cardOf(bot.take()[0]))).toContain(SEED.serviceRequests.open.title);
    expect(authority().tokenRequests.map((r) => r.grantType)).toEqual([OBO, 'authorization_code']);
    // A code works once, and only for the user it was issued to.
    expect((await bot.invoke('signin/verifyState', { state: code })).status).toBe(412);
  });

  it('accepts the sign-in page\'s code typed in the chat, and refuses a wrong one', async () => {
    await bot.say(`sr ${OPEN}`);
    const card = oauthCardOf(bot.take()[0]);
    const authorize = new URL((await fetch(card.buttons[0]!.value, { redirect: 'manual' })).headers.get('location')!);
    const approved = await postForm(authorize.origin + authorize.pathname, { ...Object.fromEntries(authorize.searchParams), oid: ALICE.aadObjectId, consent: '1', mfa: '1' }, authority().caPem);
    const code = /id="code">(\d{6})</.exec(await (await fetch(approved.location!)).text())![1]!;
    await bot.say(code, { from: BOB });
    expect(bot.take()[0]!.activity.text).toMatch(/not valid or has expired/);
    await bot.say(code);
    const [signedIn, result] = bot.take();
    expect(signedIn!.activity.text).toMatch(/signed in as Alice Admin/);
    expect(textOf(cardOf(result))).toContain(SEED.serviceRequests.open.title);
  });

  it('refuses a sign-in as somebody else on the sign-in page', async () => {
    await bot.say(`sr ${OPEN}`);
    const card = oauthCardOf(bot.take()[0]);
    const authorize = new URL((await fetch(card.buttons[0]!.value, { redirect: 'manual' })).headers.get('location')!);
    const approved = await postForm(authorize.origin + authorize.pathname, { ...Object.fromEntries(authorize.searchParams), oid: BOB.aadObjectId, consent: '1', mfa: '1' }, authority().caPem);
    const page = await fetch(approved.location!);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/different account/);
    await bot.say('whoami');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/not signed in/);
  });

  it("leaves the victim's session untouched when somebody else completes their sign-in link", async () => {
    // Alice is signed in (SSO), and her sign-in link from the card is still valid.
    await bot.say(`sr ${OPEN}`);
    const card = oauthCardOf(bot.take()[0]);
    await exchange(card);
    await cardShowing(bot, SEED.serviceRequests.open.title);
    bot.take();
    const cacheKey = `tokens/${TENANT}/${ALICE.aadObjectId}`;
    const before = (await state.storage.read([cacheKey]))[cacheKey];
    expect(before).toBeDefined();

    // Bob opens Alice's link and signs in as himself, over real HTTP.
    const authorize = new URL((await fetch(card.buttons[0]!.value, { redirect: 'manual' })).headers.get('location')!);
    const approved = await postForm(authorize.origin + authorize.pathname, { ...Object.fromEntries(authorize.searchParams), oid: BOB.aadObjectId, consent: '1', mfa: '1' }, authority().caPem);
    const page = await fetch(approved.location!);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/different account/);

    // Nothing of Alice's changed: the same cache record (same eTag), and she works on without signing in again.
    expect((await state.storage.read([cacheKey]))[cacheKey]).toEqual(before);
    expect(await state.list(`tokens/${TENANT}/`)).toEqual([cacheKey]); // and nothing of Bob's was kept
    const grantsBefore = authority().tokenRequests.length;
    await bot.say(`sr ${OPEN}`);
    const [answer] = bot.take();
    expect(textOf(cardOf(answer))).toContain(SEED.serviceRequests.open.title);
    expect(authority().tokenRequests.slice(grantsBefore).filter((r) => r.grantType === OBO)).toHaveLength(0);
    await bot.say('whoami');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Alice Admin/);
  });

  it('answers a card action from a user without a token with a login request, then acts with the SSO token', async () => {
    const first = await bot.execute(VERB.srShow, { id: OPEN }, { replyToId: 'msg-card' });
    expect(first.body).toMatchObject({ statusCode: 401, type: 'application/vnd.microsoft.activity.loginRequest' });
    const login = (first.body as unknown as { value: OAuthCard }).value;
    expect(login.tokenExchangeResource!.uri).toBe(APP_ID_URI);
    expect(login.buttons[0]!.type).toBe('signin');
    const retried = await bot.execute(VERB.srShow, { id: OPEN }, { replyToId: 'msg-card', authentication: { id: login.tokenExchangeResource!.id, connectionName: 'partner-center', token: sso() } });
    expect(textOf(retried.body.value)).toContain(SEED.serviceRequests.open.title);
    expect(exchanges()).toHaveLength(1);
  });

  it('asks for MFA when Partner Center demands it, and keeps no token signed in without it', async () => {
    authority().user({ oid: ALICE.aadObjectId, tid: TENANT, mfa: false });
    await bot.say(`sr ${OPEN}`);
    const refused = await exchange(oauthCardOf(bot.take()[0]));
    expect(refused.status).toBe(412);
    expect(pc()).toHaveLength(0);

    authority().user({ oid: ALICE.aadObjectId, tid: TENANT, mfa: true });
    await bot.say(`sr ${OPEN}`);
    await exchange(oauthCardOf(bot.take()[0]));
    await cardShowing(bot, SEED.serviceRequests.open.title);
    bot.take();
    // Partner Center refuses the token for MFA (error 900421): sign in again, with MFA, no generic failure.
    bot.running.sandbox!.injectFault({ path: `/v1/servicerequests/${OPEN}`, status: 401, body: { code: '900421', description: 'MFA required', data: [], source: 'PartnerFD' } });
    await bot.say(`sr ${OPEN}`);
    const mfaCard = oauthCardOf(bot.take()[0]);
    expect(mfaCard.text).toMatch(/multi-factor authentication/);
    expect(mfaCard.tokenExchangeResource).toBeUndefined(); // SSO cannot add MFA: the button's pages ask for it
  });

  it('never lets one user act with another\'s token in a shared channel', async () => {
    await bot.say(`sr note ${OPEN} from Alice`, { conversation: CHANNEL });
    await exchange(oauthCardOf(bot.take()[0]), ALICE, CHANNEL);
    await bot.say(`sr note ${OPEN} from Bob`, { conversation: CHANNEL, from: BOB });
    const bobCard = oauthCardOf(bot.take().find((c) => JSON.stringify(c.activity).includes('card.oauth')));
    // Bob's client must not be able to pass Alice's SSO token off as his.
    const stolen = await bot.invoke('signin/tokenExchange', { id: bobCard.tokenExchangeResource!.id, connectionName: 'partner-center', token: sso(ALICE) }, { from: BOB, conversation: CHANNEL });
    expect(stolen.status).toBe(412);
    await exchange(bobCard, BOB, CHANNEL);
    await until(() => pc().filter((r) => r.method === 'PATCH').length === 2);
    const [a, b] = pc().filter((r) => r.method === 'PATCH');
    expect(decodeJwt(a!.token!)!.claims.oid).toBe(ALICE.aadObjectId);
    expect(decodeJwt(b!.token!)!.claims.oid).toBe(BOB.aadObjectId);
    expect(a!.body).toEqual({ NewNote: { Text: 'from Alice' } });
    expect(b!.body).toEqual({ NewNote: { Text: 'from Bob' } });
  });

  it('shows who is signed in, and forgets the tokens on signout', async () => {
    await bot.say('whoami');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/not signed in/);
    await bot.say(`sr ${OPEN}`);
    await exchange(oauthCardOf(bot.take()[0]));
    await cardShowing(bot, SEED.serviceRequests.open.title);
    bot.take();
    await bot.say('whoami');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Alice Admin[\s\S]*alice@litware.com[\s\S]*Tenant: litware.com \(f0f0f0f0-[\s\S]*MFA: Yes/);
    await bot.say('signout');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/signed out/);
    await bot.say(`sr ${OPEN}`);
    expect(oauthCardOf(bot.take()[0]).tokenExchangeResource).toBeDefined();
  });
});

describe('sign-in tickets: short-lived, single-use, and nothing stored before one is checked', () => {
  let bot: TestBot;
  let state: FileStateStore;
  let clock: HeldClock;
  beforeEach(async () => {
    state = new FileStateStore(mkdtempSync(path.join(tmpdir(), 'signin-')));
    clock = new HeldClock();
    bot = await startTestBot({}, { sandboxSso: false, state, clock, bot: { invokeDeadlineMs: 2_000 } });
    for (const p of [ALICE, BOB]) bot.running.authority!.user({ oid: p.aadObjectId, tid: TENANT, name: p.name, upn: `${p.name.split(' ')[0]!.toLowerCase()}@litware.com` });
  });
  afterEach(async () => {
    await bot.close();
    rmSync(state.dir, { recursive: true, force: true });
  });
  const authority = () => bot.running.authority!;
  const base = () => bot.url.replace('/api/messages', '');
  /** What the sign-in pages may write: the authority round trip's state, tickets marked used, one-time codes. */
  const pageRecords = async () => [...(await state.list('signin/state/')), ...(await state.list('signin/codes/'))];

  /** The sign-in button's URL of the OAuthCard the bot just sent (asking for `sr`). */
  async function ticketUrl(o: { from?: typeof ALICE; conversation?: typeof CHANNEL } = {}): Promise<string> {
    await bot.say(`sr ${OPEN}`, o);
    return oauthCardOf(bot.take().find((c) => JSON.stringify(c.activity).includes('card.oauth'))).buttons[0]!.value;
  }

  /** Follows a ticket to the authority and signs in there as `who`; the callback's answer. */
  async function signInAt(url: string, who = ALICE): Promise<{ status: number; html: string; callback: string }> {
    const start = await fetch(url, { redirect: 'manual' });
    if (start.status !== 302) return { status: start.status, html: await start.text(), callback: '' };
    const authorize = new URL(start.headers.get('location')!);
    const approved = await postForm(authorize.origin + authorize.pathname, { ...Object.fromEntries(authorize.searchParams), oid: who.aadObjectId, consent: '1', mfa: '1' }, authority().caPem);
    const page = await fetch(approved.location!);
    return { status: page.status, html: await page.text(), callback: approved.location! };
  }

  it('a ticket works for 10 minutes, then its page says it expired and sends nobody to the authority', async () => {
    const url = await ticketUrl();
    clock.advance(9 * 60_000);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(302);
    clock.advance(2 * 60_000);
    const late = await fetch(url, { redirect: 'manual' });
    expect(late.status).toBe(400);
    expect(await late.text()).toContain('This sign-in link has expired');
    expect(await pageRecords()).toEqual([]);
  });

  it('opening a sign-in link stores nothing, however often (valid, forged, or a confirmation passed off as a ticket)', async () => {
    const url = await ticketUrl();
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(url, { redirect: 'manual' }).then((r) => r.status)));
    expect(new Set(answers)).toEqual(new Set([302]));
    expect((await fetch(`${base()}/auth/start?ticket=forged.x`, { redirect: 'manual' })).status).toBe(400);
    expect(await pageRecords()).toEqual([]);
    // A confirmation card's signed payload, in the shape tickets used to have, is not a ticket.
    expect((await signInAt(url)).status).toBe(200);
    await bot.say(`sr close ${OPEN}`);
    const confirm = (cardOf(bot.take().at(-1)) as unknown as { actions: Array<{ verb?: string; data?: { confirmation?: unknown } }> }).actions.find((a) => a.verb === VERB.confirm)!.data!.confirmation;
    const asTicket = Buffer.from(typeof confirm === 'string' ? confirm : JSON.stringify(confirm)).toString('base64url');
    const refused = await fetch(`${base()}/auth/start?ticket=${asTicket}`, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    // What is stored came from the one sign-in that succeeded: the ticket marked used and the one-time code.
    expect((await state.list('signin/state/')).length).toBe(1);
    expect((await state.list('signin/codes/')).length).toBe(1);
  });

  it('a ticket signs in once: afterwards its link and its callback are refused, with no second token request', async () => {
    const url = await ticketUrl();
    const first = await signInAt(url);
    expect(first.status).toBe(200);
    expect(first.html).toContain('You are signed in to Partner Center as Alice Admin');
    const grants = authority().tokenRequests.length;
    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('This sign-in link has already been used');
    const replay = await fetch(first.callback);
    expect(replay.status).toBe(400);
    expect(authority().tokenRequests.length).toBe(grants);
  });

  it("in a channel, a colleague who opens someone's ticket neither signs in with it nor uses it up", async () => {
    const url = await ticketUrl({ conversation: CHANNEL });
    const bob = await signInAt(url, BOB);
    expect(bob.status).toBe(400);
    expect(bob.html).toMatch(/different account/);
    expect(await state.list(`tokens/${TENANT}/`)).toEqual([]);
    const alice = await signInAt(url, ALICE);
    expect(alice.status).toBe(200);
    expect((await signInAt(url, BOB)).html).toContain('already been used');
  });
});
