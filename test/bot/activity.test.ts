/** `activity`: Partner Center's activity log in chat, over the Bot Framework protocol against the sandbox. */
import { SEED, SEED_ACTIVITY } from '../../dev/sandbox';
import { appendAuditRecord } from '../../dev/sandbox/audit-records';
import { VERB } from '../../src/cards/verbs';
import { cardOf, executeActions, startTestBot, textOf, type TestBot } from '../support/teams';

const DAY = 86_400_000;
const CONTOSO = SEED.customers.contoso;
const ADATUM = SEED.customers.adatum;

describe('activity', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(() => bot.close());
  const sandbox = () => bot.running.sandbox!;
  const logCalls = () => sandbox().requests.filter((r) => r.path === '/v1/auditrecords');
  const ask = async (text: string, o: { timezone?: string; locale?: string } = {}) => {
    await bot.say(text, o);
    return cardOf(bot.take()[0]);
  };
  const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);

  it('shows a change made outside the bot: who, what, which customer and subscription, old → new, when, status', async () => {
    const text = textOf(await ask('activity'));
    expect(text).toContain('Partner Center activity');
    expect(text).toContain('The last 7 days');
    // Newest first: the portal change to Contoso's seats, then the order, then the other tool's change.
    const portal = text.indexOf(`${SEED_ACTIVITY.tania} changed a subscription`);
    const order = text.indexOf(`${SEED_ACTIVITY.tania} placed an order`);
    const tool = text.indexOf(`The application ${SEED_ACTIVITY.otherTool} changed a subscription`);
    expect([portal, order, tool].every((i) => i >= 0)).toBe(true);
    expect(portal).toBeLessThan(order);
    expect(order).toBeLessThan(tool);
    expect(text).toContain('Customer: Contoso Ltd');
    // The subscription by its name, not its id: Open shows it as Partner Center has it now.
    expect(text).toContain('Subscription: Microsoft 365 Business Basic\n');
    expect(text).not.toContain(SEED.subscriptions.contosoNce.id);
    expect(text).toContain('Seats: 20 → 25');
    expect(text).toContain(`Through the application ${SEED_ACTIVITY.portalApp}`);
    expect(text).toMatch(/UTC · Succeeded/);
    expect(text).toContain('1–3 of 3');
    // Only the changed fields, never the raw JSON value, its etag, or records older than the window.
    expect(text).not.toMatch(/\{"|Etag|seed-before/);
    expect(text).not.toContain('Adatum');
    expect(text).toContain('type **audit**');
    expect(logCalls()).toHaveLength(1);
    expect(logCalls()[0]!.query).toMatchObject({ startDate: day(7 * DAY), size: '100' });
    expect(logCalls()[0]!.query.filter).toBeUndefined();
  });

  it("each record's Open shows that subscription's card", async () => {
    const card = await ask('activity');
    const open = executeActions(card).filter((a) => a.title === 'Open');
    expect(open.map((a) => a.data?.subscriptionId)).toEqual([SEED.subscriptions.contosoNce.id, SEED.subscriptions.contosoNceNew.id, SEED.subscriptions.wingtipFewDays.id]);
    const shown = await bot.execute(open[0]!.verb!, open[0]!.data!);
    expect(textOf(shown.body.value)).toContain('Microsoft 365 Business Basic');
    expect(textOf(shown.body.value)).toContain(SEED.subscriptions.contosoNce.id);
  });

  it('narrows by customer: a name as CompanyName substring, a domain or tenant id as CustomerId equals', async () => {
    const byName = textOf(await ask('activity wingtip'));
    expect(byName).toContain('Partner Center activity: wingtip');
    expect(byName).toContain('Seats: 10 → 14');
    expect(byName).not.toContain('Contoso');
    expect(logCalls().at(-1)!.query.filter).toBe(JSON.stringify({ Field: 'CompanyName', Value: 'wingtip', Operator: 'substring' }));

    const byDomain = textOf(await ask(`activity ${CONTOSO.domain}`));
    expect(byDomain).toContain('Partner Center activity: Contoso Ltd');
    expect(byDomain).not.toContain('Wingtip');
    expect(logCalls().at(-1)!.query.filter).toBe(JSON.stringify({ Field: 'CustomerId', Value: CONTOSO.id, Operator: 'equals' }));

    const byId = textOf(await ask(`activity ${ADATUM.id} 30`));
    expect(logCalls().at(-1)!.query).toMatchObject({ startDate: day(30 * DAY), filter: JSON.stringify({ Field: 'CustomerId', Value: ADATUM.id, Operator: 'equals' }) });
    expect(byId).toContain(`${SEED_ACTIVITY.marco} changed a subscription`);
    expect(byId).toContain('Auto-renew: Yes → No');
    expect(byId).toMatch(/UTC · Failed/);
  });

  it('goes back as many days as asked, up to 90', async () => {
    const month = textOf(await ask('activity 30'));
    expect(month).toContain('The last 30 days');
    expect(month).toContain('Adatum Corporation'); // 12 days ago
    expect(month).toContain('Fabrikam, Inc.'); // 25 days ago
    expect(month).toContain('Status: Active → Suspended');
    expect(month).not.toContain('licenses'); // 45 days ago
    expect(textOf(await ask('activity 60'))).toContain("changed a customer user's licenses");
    // 90 days: Partner Center answers from the first whole day inside them, and the card says so.
    const first = Date.parse(`${day(89 * DAY)}T00:00:00Z`);
    const utc = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(first);
    expect(textOf(await ask('activity 90'))).toContain(`The last 90 days (since ${utc} UTC)`);
    expect(logCalls().at(-1)!.query.startDate).toBe(day(89 * DAY));
    await bot.say('activity 91');
    const tooFar = String(bot.take()[0]!.activity.text);
    expect(tooFar).toContain('"91" is not a valid «days»');
    expect(tooFar).toContain('activity [«customer»] [«days»]');
    expect(logCalls()).toHaveLength(3);
  });

  it('pages newest first with a total, and the next page asks the same question', async () => {
    const now = Date.now();
    for (let i = 0; i < 12; i++) {
      appendAuditRecord(sandbox().data, {
        customerId: CONTOSO.id,
        customerName: CONTOSO.companyName,
        userPrincipalName: `user${i}@litwarecsp.com`,
        applicationId: SEED_ACTIVITY.portalApp,
        resourceType: 'subscription',
        resourceOldValue: JSON.stringify({ Id: SEED.subscriptions.contosoNce.id, FriendlyName: 'Basic', Quantity: i }),
        resourceNewValue: JSON.stringify({ Id: SEED.subscriptions.contosoNce.id, FriendlyName: 'Basic', Quantity: i + 1 }),
        operationType: 'update_subscription',
        operationDate: new Date(now - (i + 1) * 60_000).toISOString(),
        operationStatus: 'succeeded',
        customizedData: [],
      });
    }
    const first = await ask('activity contoso');
    const text = textOf(first);
    expect(text).toContain('1–10 of 14');
    expect(text.indexOf('user0@')).toBeLessThan(text.indexOf('user1@'));
    expect(text).not.toContain('user10@');
    const next = (first as { actions: Array<{ title: string; verb: string; data: Record<string, unknown> }> }).actions.find((a) => a.title === 'Next page')!;
    expect(next).toMatchObject({ verb: VERB.activityList, data: { customer: 'contoso', days: 7, offset: 10 } });
    const r = await bot.execute(next.verb, next.data);
    const second = textOf(r.body.value);
    expect(second).toContain('11–14 of 14');
    expect(second).toContain('user10@');
    expect(second).toContain('user11@');
    expect(second).toContain(`${SEED_ACTIVITY.tania} placed an order`);
    expect(logCalls().at(-1)!.query.filter).toBe(JSON.stringify({ Field: 'CompanyName', Value: 'contoso', Operator: 'substring' }));
  });

  it('sorts what Partner Center sends newest first and keeps to the window asked (the service answers by whole days)', async () => {
    const rec = (upn: string, ago: number) => ({ userPrincipalName: upn, customerName: 'Contoso Ltd', operationType: 'update_subscription', operationStatus: 'succeeded', operationDate: new Date(Date.now() - ago).toISOString() });
    sandbox().injectFault({ path: '/v1/auditrecords', status: 200, body: { totalCount: 3, items: [rec('eight@x.com', 8 * DAY), rec('three@x.com', 3 * DAY), rec('one@x.com', DAY)], attributes: { objectType: 'Collection' } } });
    const text = textOf(await ask('activity'));
    expect(text).toContain('1–2 of 2');
    expect(text.indexOf('one@x.com')).toBeGreaterThan(0);
    expect(text.indexOf('one@x.com')).toBeLessThan(text.indexOf('three@x.com'));
    expect(text).not.toContain('eight@x.com');
  });

  it("shows a change made through the bot too, as Partner Center records it", async () => {
    await bot.say(`sub set ${CONTOSO.domain} ${SEED.subscriptions.contosoLegacy.id} name="Front desk"`);
    bot.take();
    const text = textOf(await ask(`activity ${CONTOSO.id}`));
    expect(text).toContain('Nickname: Office 365 E1 → Front desk');
  });

  it("shows times in the user's time zone when Teams sends one", async () => {
    const text = textOf(await ask('activity', { timezone: 'Asia/Tokyo' }));
    expect(text).toContain('GMT+9 · Succeeded');
    expect(text).not.toMatch(/UTC · /);
  });

  it('tells a role that cannot read the log so, rather than showing an empty log', async () => {
    sandbox().injectFault({ path: '/v1/auditrecords', status: 403, body: { code: 'Forbidden', description: 'Access denied.' } });
    const text = textOf(await ask('activity'));
    expect(text).toContain('Your Partner Center role cannot read the activity log');
    expect(text).toContain('**audit** still shows what was done from this chat');
    expect(text).not.toContain('no activity');
  });

  it('help says how activity differs from audit', async () => {
    const text = textOf(await ask('help activity'));
    expect(text).toContain("Partner Center's own record of who did what, from any tool or person");
    expect(text).toContain('**audit** shows only what was done from this chat');
  });
});
