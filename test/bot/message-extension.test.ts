/**
 * The message extension over the protocol: `composeExtension/query`, `selectItem`, `queryLink` and the
 * shared card's refresh, against the real bot and the Partner Center sandbox (which counts the calls).
 */
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import type { AdaptiveCard } from '../../src/cards/render';
import { ALICE, BOB, GROUP, TENANT, startTestBot, textOf, type TestBot } from '../support/teams';
import { cardVersionErrors } from '../cards/version';
import { until } from '../support/until';
import { schemaErrors } from '../cards/validate';

const C = SEED.customers;
const S = SEED.subscriptions;
const SR = SEED.serviceRequests;
const APP_ID_URI = 'api://botid-local';
const CAROL = { id: '29:carol', name: 'Carol Sales', aadObjectId: 'c3c3c3c3-0000-4000-8000-000000000003' };

interface Attachment {
  contentType: string;
  content: AdaptiveCard;
  preview?: { contentType: string; content: { title: string; subtitle?: string; text: string; tap: { type: string; value: Record<string, string> } } };
}
interface ComposeExtension {
  type: string;
  text?: string;
  attachmentLayout?: string;
  attachments?: Attachment[];
  suggestedActions?: { actions: Array<{ type: string; value: string; title: string }> };
}

type Bot = TestBot;

async function query(bot: Bot, commandId: string, parameters: Record<string, string>, o: { from?: typeof ALICE; locale?: string; extra?: Record<string, unknown> } = {}) {
  const r = await bot.invoke(
    'composeExtension/query',
    { commandId, parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })), queryOptions: { skip: 0, count: 25 }, ...o.extra },
    { from: o.from, conversation: GROUP, locale: o.locale },
  );
  return { status: r.status, ce: (r.body as { composeExtension: ComposeExtension }).composeExtension };
}

const titles = (ce: ComposeExtension) => (ce.attachments ?? []).map((a) => a.preview!.content.title);

describe('message extension: search, choose, unfurl, refresh', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(() => bot.close());
  const pc = () => bot.running.sandbox!.requests;
  /** Partner Center calls made while `fn` runs. */
  async function calls<T>(fn: () => Promise<T>): Promise<{ value: T; calls: string[] }> {
    const before = pc().length;
    const value = await fn();
    return { value, calls: pc().slice(before).map((r) => `${r.method} ${r.path}`) };
  }

  it('finds customers by name or domain prefix: previews with company and domain, and the shared card', async () => {
    const { value, calls: made } = await calls(() => query(bot, 'customers', { query: 'Conto' }));
    expect(value.status).toBe(200);
    expect(value.ce.type).toBe('result');
    expect(value.ce.attachmentLayout).toBe('list');
    expect(titles(value.ce)).toEqual([C.contosoHotels.companyName, C.contoso.companyName, C.contosoPharma.companyName]);
    const contoso = value.ce.attachments!.find((a) => a.preview!.content.title === C.contoso.companyName)!;
    expect(contoso.preview!.contentType).toBe('application/vnd.microsoft.card.thumbnail');
    expect(contoso.preview!.content.text).toContain(C.contoso.domain);
    expect(contoso.preview!.content.tap).toEqual({ type: 'invoke', value: { kind: 'customer', customerId: C.contoso.id } });
    expect(contoso.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(textOf(contoso.content)).toContain(C.contoso.domain);
    // Partner Center searches one field per call: company name, then domain.
    expect(made).toHaveLength(2);
    expect(made).toEqual(['GET /v1/customers', 'GET /v1/customers']);
    const fields = pc().slice(-2).map((r) => JSON.parse(r.query.filter!).Field).sort();
    expect(fields).toEqual(['CompanyName', 'Domain']);
  });

  it('costs no Partner Center call while the user types on, or asks again within the cache time', async () => {
    const typed = ['fab', 'fabr', 'fabri', 'fabrik', 'fabrika', 'fabrikam', 'Fabrikam', ' fabrikam '];
    const { value, calls: made } = await calls(async () => {
      const out = [];
      for (const q of typed) out.push(await query(bot, 'customers', { query: q }));
      return out;
    });
    expect(made).toHaveLength(2); // the first keystroke's two searches; the rest are filtered from them
    for (const r of value) expect(titles(r.ce)).toEqual([C.fabrikam.companyName]);
    // Another user's search is their own (never another user's cached answer).
    const other = await calls(() => query(bot, 'customers', { query: 'fabrikam' }, { from: BOB }));
    expect(other.calls).toHaveLength(2);
  });

  it("lists a customer's subscriptions (offer, seats, status), then inserts the chosen one without reading again", async () => {
    const search = await calls(() => query(bot, 'subscriptions', { customer: C.contoso.domain }, { from: CAROL }));
    expect(search.value.ce.type).toBe('result');
    expect(search.calls).toEqual(['GET /v1/customers', 'GET /v1/customers', `GET /v1/customers/${C.contoso.id}/subscriptions`]);
    // Alice searches "Conto" first (this test does it, not an earlier one): her complete answer holds
    // Contoso Ltd, so only the list is read.
    await query(bot, 'customers', { query: 'Conto' });
    const alice = await calls(() => query(bot, 'subscriptions', { customer: C.contoso.domain }));
    expect(alice.calls).toEqual([`GET /v1/customers/${C.contoso.id}/subscriptions`]);
    const e3 = search.value.ce.attachments!.find((a) => a.preview!.content.tap.value.subscriptionId === S.contosoNceNew.id)!;
    expect(e3.preview!.content.text).toMatch(/Microsoft 365 E3 · \d+ seats? · Active/);

    const chosen = await calls(() => bot.invoke('composeExtension/selectItem', e3.preview!.content.tap.value, { conversation: GROUP, from: CAROL }));
    expect(chosen.calls).toEqual([]);
    const ce = (chosen.value.body as { composeExtension: ComposeExtension }).composeExtension;
    expect(ce.type).toBe('result');
    const card = ce.attachments![0]!.content;
    expect(schemaErrors(card)).toEqual([]);
    expect(card.version).toBe('1.5');
    expect(textOf(card)).toContain('Microsoft 365 E3');
    expect(textOf(card)).toMatch(/Read from Partner Center on /);
    // Read-only: links out, and a refresh for viewers; no button that writes.
    const actions = card.actions as Array<{ type: string; title: string; url: string }>;
    expect(actions.map((a) => a.type)).toEqual(['Action.OpenUrl', 'Action.OpenUrl']);
    const open = new URL(actions[0]!.url);
    expect(`${open.origin}${open.pathname}`).toBe('https://teams.microsoft.com/l/chat/0/0');
    expect(open.searchParams.get('users')).toBe('28:partner-ops');
    expect(open.searchParams.get('tenantId')).toBe(TENANT);
    expect(open.searchParams.get('message')).toBe(`sub ${C.contoso.id} ${S.contosoNceNew.id}`);
    expect(actions[0]!.url).not.toContain('+');
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', title: 'Refresh', verb: VERB.extRefresh, data: { kind: 'subscription', customerId: C.contoso.id, subscriptionId: S.contosoNceNew.id, sharedBy: CAROL.id } },
      userIds: [CAROL.id],
    });
  });

  it('asks which customer when several match, and says when one has no subscriptions', async () => {
    const several = await query(bot, 'subscriptions', { customer: 'contoso' });
    expect(several.ce.type).toBe('message');
    expect(several.ce.text).toContain(C.contosoPharma.companyName);
    const none = await query(bot, 'subscriptions', { customer: 'zzz-nobody' });
    expect(none.ce).toEqual({ type: 'message', text: expect.stringContaining('zzz-nobody') });
  });

  it('finds service requests by title words or id, with the status filter (parameter or status:…)', async () => {
    const all = await calls(() => query(bot, 'serviceRequests', { query: '' }));
    expect(all.value.ce.type).toBe('result');
    expect(all.calls).toHaveLength(1);
    const words = await calls(() => query(bot, 'serviceRequests', { query: 'assign LICENSES' }));
    expect(words.calls).toEqual([]); // the list read for the first keystroke is filtered
    expect(titles(words.value.ce)).toEqual([SR.open.title]);
    expect(words.value.ce.attachments![0]!.preview!.content.text).toMatch(/Open · /);
    const byId = await query(bot, 'serviceRequests', { query: SR.attentionNeeded.id.slice(0, 10) });
    expect(titles(byId.ce)).toContain(SR.attentionNeeded.title);
    const closedParam = await query(bot, 'serviceRequests', { query: '', status: 'closed' });
    const closedTyped = await query(bot, 'serviceRequests', { query: 'status:closed' });
    expect(titles(closedParam.ce).length).toBeGreaterThan(0);
    expect(titles(closedTyped.ce)).toEqual(titles(closedParam.ce));
    expect(titles(closedParam.ce)).not.toContain(SR.open.title);
    const nothing = await query(bot, 'serviceRequests', { query: 'no such words anywhere' });
    expect(nothing.ce).toEqual({ type: 'message', text: 'No service request matches "no such words anywhere".' });
  });

  it('unfurls a portal link to a service request into an Adaptive Card 1.3 card', async () => {
    const url = `https://partner.microsoft.com/en-us/dashboard/support/servicerequests/${SR.open.id}`;
    const r = await bot.invoke('composeExtension/queryLink', { url }, { conversation: GROUP });
    expect(r.status).toBe(200);
    const ce = (r.body as { composeExtension: ComposeExtension }).composeExtension;
    expect(ce.type).toBe('result');
    const card = ce.attachments![0]!.content;
    expect(card.version).toBe('1.3');
    expect(card.refresh).toBeUndefined();
    expect(cardVersionErrors(card, '1.3')).toEqual([]);
    expect(schemaErrors(card)).toEqual([]);
    expect(textOf(card)).toContain(SR.open.title);
  });

  it('unfurls customer and subscription links, and leaves other links alone', async () => {
    const sub = await bot.invoke('composeExtension/queryLink', { url: `https://partner.microsoft.com/commerce/customers/${C.fabrikam.id}/subscriptions/${S.fabrikamSuspended.id}` });
    const subCard = (sub.body as { composeExtension: ComposeExtension }).composeExtension.attachments![0]!.content;
    expect(textOf(subCard)).toContain('Suspended');
    const customer = await bot.invoke('composeExtension/queryLink', { url: `https://partner.microsoft.com/dashboard/commerce2/customers/${C.fabrikam.id}/account` });
    expect(textOf((customer.body as { composeExtension: ComposeExtension }).composeExtension.attachments![0]!.content)).toContain(C.fabrikam.domain);
    for (const url of ['https://partner.microsoft.com/dashboard/support/servicerequests', 'https://partner.microsoft.com/dashboard/home', 'https://evil.example/commerce/customers/x', 'not a url', '']) {
      const r = await bot.invoke('composeExtension/queryLink', { url });
      expect({ url, status: r.status, body: r.body }).toEqual({ url, status: 200, body: { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } } });
    }
  });

  it("refreshes a shared card for the viewer who opens it, as that viewer, without editing the sharer's message", async () => {
    const r = await calls(() => bot.execute(VERB.extRefresh, { kind: 'serviceRequest', id: SR.azureQuota.id, sharedBy: ALICE.id }, { from: BOB, conversation: GROUP }));
    expect(r.value.status).toBe(200);
    expect(r.value.body.statusCode).toBe(200);
    const card = r.value.body.value!;
    expect(textOf(card)).toContain(SR.azureQuota.title);
    expect((card.refresh as { userIds: string[] }).userIds).toEqual([ALICE.id]);
    expect(r.calls).toHaveLength(1);
    expect(bot.take().filter((c) => c.method === 'PUT')).toEqual([]);
    // A tampered refresh is refused before any work.
    const bad = await calls(() => bot.execute(VERB.extRefresh, { kind: 'subscription', customerId: 'x', subscriptionId: '../../v1/profiles' }, { conversation: GROUP }));
    expect(bad.calls).toEqual([]);
    expect(bad.value.status).toBe(200);
  });

  it('answers bad input with a sentence, never an error, and sends nothing odd to Partner Center', async () => {
    const empty = await calls(() => query(bot, 'customers', { query: '' }));
    expect(empty.value).toEqual({ status: 200, ce: { type: 'message', text: 'Type at least 2 characters to search.' } });
    expect(empty.calls).toEqual([]);
    const oneChar = await query(bot, 'subscriptions', { customer: ' c ' });
    expect(oneChar.ce.type).toBe('message');
    const huge = await calls(() => query(bot, 'customers', { query: 'x'.repeat(100_000) }));
    expect(huge.value).toEqual({ status: 200, ce: { type: 'message', text: 'This search is too long: use at most 100 characters.' } });
    expect(huge.calls).toEqual([]);

    for (const evil of ['\'"; DROP TABLE customers; --', '{"Field":"Domain","Value":"","Operator":"starts_with"}', '<at>Eve</at> [x](https://evil.example) **b**', '${$root.x} ../../v1/profiles', '%00\u0000\u202e']) {
      for (const command of ['customers', 'subscriptions', 'serviceRequests']) {
        const r = await query(bot, command, command === 'subscriptions' ? { customer: evil } : { query: evil });
        expect({ evil, command, status: r.status, type: r.ce.type }).toEqual({ evil, command, status: 200, type: expect.stringMatching(/^(result|message)$/) });
        for (const a of r.ce.attachments ?? []) expect(schemaErrors(a.content)).toEqual([]);
      }
    }
    // What reached Partner Center is the search as data: inside the filter's JSON (the sandbox records the
    // path and the decoded query apart), never in the path.
    const searches = pc().filter((p) => p.method === 'GET' && p.path === '/v1/customers' && p.query.filter !== undefined);
    const values = searches.map((s) => JSON.parse(s.query.filter!) as { Field: string; Value: string; Operator: string });
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect({ field: v.Field, operator: v.Operator }).toEqual({ field: expect.stringMatching(/^(CompanyName|Domain)$/), operator: 'starts_with' });
    for (const evil of ['\'"; DROP TABLE customers; --', '{"Field":"Domain","Value":"","Operator":"starts_with"}']) {
      // Partner Center's search is case-insensitive: the bot sends the search lower-cased, otherwise as typed.
      expect(values.filter((v) => v.Value === evil.toLowerCase()).map((v) => v.Field).sort()).toEqual(['CompanyName', 'Domain']);
    }
    expect(pc().filter((p) => /drop|profiles|%00/i.test(p.path))).toEqual([]);

    const unknown = await query(bot, 'frobnicate', { query: 'x' });
    expect(unknown.status).toBe(200);
    expect(unknown.ce.type).toBe('message');
    for (const value of [{}, { kind: 'customer', customerId: 'nope' }, { kind: 'weird' }, 'text', null]) {
      const r = await bot.invoke('composeExtension/selectItem', value);
      expect({ value, status: r.status, body: r.body }).toEqual({ value, status: 200, body: { composeExtension: { type: 'message', text: 'This result can no longer be shown. Search again.' } } });
    }
  });

  it('speaks the user’s language', async () => {
    const r = await query(bot, 'customers', { query: 'f' }, { locale: 'fr-FR' });
    expect(r.ce.text).toBe('Tapez au moins 2 caractères pour rechercher.');
    const found = await query(bot, 'subscriptions', { customer: C.fabrikam.domain }, { locale: 'it-IT' });
    expect(textOf(found.ce.attachments![0]!.content)).toContain('Letto dal Centro per i partner in data');
  });
});

describe('message extension: a slow Partner Center', () => {
  it('answers by the invoke deadline, and the same search a moment later from the read that went on', async () => {
    const bot = await startTestBot({}, { bot: { invokeDeadlineMs: 300 } });
    try {
      bot.running.sandbox!.setOptions({ latencyMs: 1_500 });
      const slow = await query(bot, 'customers', { query: 'fabrikam' });
      expect(slow).toEqual({ status: 200, ce: { type: 'message', text: 'Partner Center is taking longer than usual. Search again in a moment: the results will be ready then.' } });
      // The two searches (company name, domain) go on and land in the cache.
      await until(() => bot.running.sandbox!.requests.filter((r) => r.status !== 0).length >= 2, 10_000);
      const before = bot.running.sandbox!.requests.length;
      const again = await query(bot, 'customers', { query: 'fabrikam' });
      expect(titles(again.ce)).toEqual([C.fabrikam.companyName]);
      expect(bot.running.sandbox!.requests.length).toBe(before);
    } finally {
      await bot.close();
    }
  }, 30_000);
});

describe('message extension: a user who is not signed in', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startTestBot({}, { sandboxSso: false });
    bot.running.authority!.user({ oid: ALICE.aadObjectId, tid: TENANT, name: ALICE.name, upn: 'alice@litware.com' });
  });
  afterAll(() => bot.close());
  const pc = () => bot.running.sandbox!.requests;

  it('gets silentAuth with a sign-in link, then results once Teams sends the SSO token', async () => {
    const first = await query(bot, 'customers', { query: 'contoso' });
    expect(first.status).toBe(200);
    expect(first.ce.type).toBe('silentAuth');
    expect(first.ce.suggestedActions!.actions[0]).toMatchObject({ type: 'openUrl', title: 'Sign in to Partner Ops', value: expect.stringContaining('/auth/start?ticket=') });
    expect(pc()).toHaveLength(0);

    const token = bot.running.authority!.mintSsoToken(ALICE.aadObjectId, APP_ID_URI);
    const again = await query(bot, 'customers', { query: 'contoso' }, { extra: { authentication: { token } } });
    expect(again.ce.type).toBe('result');
    expect(titles(again.ce)).toContain(C.contoso.companyName);
  });

  it('is told (412) when the SSO token cannot be exchanged, and the link unfurl asks to sign in too', async () => {
    const r = await bot.invoke('composeExtension/query', { commandId: 'customers', parameters: [{ name: 'query', value: 'fab' }], authentication: { token: 'not-a-token' } }, { from: BOB });
    expect(r.status).toBe(412);
    const link = await bot.invoke('composeExtension/queryLink', { url: `https://partner.microsoft.com/dashboard/support/servicerequests/${SR.open.id}` }, { from: BOB });
    expect(link.status).toBe(200);
    expect((link.body as { composeExtension: ComposeExtension }).composeExtension.type).toBe('silentAuth');
  });
});
