import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { BOB, CHANNEL, cardOf, startTestBot, textOf, type ConnectorCall, type TestBot } from '../support/teams';
import { until } from '../support/until';

const CONTOSO = SEED.customers.contoso.id;
const NCE = SEED.subscriptions.contosoNce.id; // 25 seats, 5 refundable, auto-renew on
const LEGACY = SEED.subscriptions.contosoLegacy.id;
const FAB = SEED.customers.fabrikam.id;
const SUSPENDED = SEED.subscriptions.fabrikamSuspended.id;

type Action = { verb?: string; title?: string; data?: Record<string, unknown> };
const actionsOf = (card: unknown) => (card as { actions: Action[] }).actions;
const confirmData = (card: unknown) => actionsOf(card).find((a) => a.verb === VERB.confirm)!.data!;

describe('customers and subscriptions through the Bot Framework protocol', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot({}, { sandbox: { asyncApplyMs: 300 }, bot: { inlineWaitMs: 50, followUpIntervalMs: 100, invokeDeadlineMs: 2_000 } });
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const patches = () => pc().requests.filter((r) => r.method === 'PATCH');

  it('shows one customer named by its domain, with a button to its subscriptions', async () => {
    await bot.say('customer contoso.onmicrosoft.com');
    const text = textOf(cardOf(bot.take()[0]));
    expect(text).toMatch(/Contoso Ltd[\s\S]*contoso\.onmicrosoft\.com[\s\S]*Subscriptions/);
    expect(text).not.toContain('Contoso Pharmaceuticals');
  });

  it('finds customers by name or domain prefix, with a button to their subscriptions', async () => {
    await bot.say('customer find contoso');
    const card = cardOf(bot.take()[0]);
    const text = textOf(card);
    for (const name of ['Contoso Ltd', 'Contoso Pharmaceuticals', 'Contoso Hotels']) expect(text).toContain(name);
    expect(text).toContain(CONTOSO);
    expect(JSON.stringify(card)).toContain(`"verb":"${VERB.customerSubscriptions}"`);
    const r = await bot.execute(VERB.customerSubscriptions, { customerId: CONTOSO });
    expect(textOf(r.body.value)).toContain('Subscriptions of Contoso Ltd');
  });

  it('resolves a customer by tenant id, exact domain or unique prefix, and offers a pick list otherwise', async () => {
    await bot.say(`sub list ${CONTOSO}`);
    expect(textOf(cardOf(bot.take()[0]))).toContain('Subscriptions of Contoso Ltd');
    await bot.say('sub list contoso.onmicrosoft.com');
    expect(textOf(cardOf(bot.take()[0]))).toContain('Microsoft 365 Business Basic');
    await bot.say('sub list fabri');
    expect(textOf(cardOf(bot.take()[0]))).toContain('Subscriptions of Fabrikam, Inc.');
    await bot.say('sub list contoso');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Several customers match "contoso"/);
    await bot.say('sub list nobody-like-this');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/No customer's company name or domain starts with/);
  });

  it('shows one subscription with its edit form prefilled', async () => {
    await bot.say(`sub contoso.onmicrosoft.com ${NCE}`);
    const card = cardOf(bot.take()[0]);
    const json = JSON.stringify(card);
    expect(json).toMatch(/"id":"quantity"[^}]*"value":25/);
    expect(json).toMatch(/"id":"autoRenewEnabled"[^}]*"value":"true"/);
    expect(textOf(card)).toMatch(/Seats that can still be removed\n5/);
    expect(actionsOf(card).map((a) => a.title)).toEqual(['Save', 'Suspend', 'Refresh']);
  });

  it('adds seats by command: 202 accepted, the card says "in progress", then updates itself when the change lands', async () => {
    await bot.say(`sub set contoso.onmicrosoft.com ${NCE} quantity=30`);
    // Its next term is scheduled (25 seats): a seat change now deletes that, so even adding seats asks first.
    const ask = cardOf(bot.take()[0]);
    expect(textOf(ask)).toMatch(/This removes what is scheduled for renewal when the term ends on \w{3} \d{1,2}, \d{4}: 25 seats · 1 year · Monthly\./);
    expect(patches()).toHaveLength(0);
    const confirmed = await bot.execute(VERB.confirm, confirmData(ask), { replyToId: 'msg-confirm' });
    expect(textOf(confirmed.body.value)).toMatch(/still applying it/);
    expect(textOf(confirmed.body.value)).toContain('Seats: 25 → 30');
    // The confirmation card is replaced for everyone with that answer, then once more when the change lands.
    const landed = (c: ConnectorCall) => c.method === 'PUT' && /The change has been applied/.test(textOf(cardOf(c)));
    await until(() => bot.connector.calls.some(landed));
    const update = bot.take().find(landed);
    expect(update).toMatchObject({ method: 'PUT', activityId: 'msg-confirm' });
    const text = textOf(cardOf(update));
    expect(text).toMatch(/Seats\n30/);
    // Read-modify-write: auto-renew and the unknown field went back to Partner Center untouched.
    expect(patches()[0]!.body).toMatchObject({ quantity: 30, autoRenewEnabled: true, someFutureField: { rolloutWave: 3, flags: ['preview'] } });
  });

  it('asks before removing seats, with the 7-day rule, and applies only on Confirm', async () => {
    await bot.say(`sub set contoso.onmicrosoft.com ${NCE} quantity=22`);
    const ask = cardOf(bot.take()[0]);
    expect(textOf(ask)).toMatch(/Seats\n25 → 22/);
    expect(textOf(ask)).toMatch(/within 7 days of adding them; 5 seats can still be removed/);
    expect(patches()).toHaveLength(0);
    const r = await bot.execute(VERB.confirm, confirmData(ask));
    expect(r.body.statusCode).toBe(200);
    expect(patches().map((p) => (p.body as { quantity: number }).quantity)).toEqual([22]);
  });

  it('changes seats through the form, with its confirmation, shown to everyone in a channel with who did it', async () => {
    const form = await bot.execute(VERB.subUpdate, { customerId: CONTOSO, subscriptionId: NCE, quantity: '23', friendlyName: 'Microsoft 365 Business Basic', autoRenewEnabled: 'true' }, { conversation: CHANNEL, replyToId: 'msg-sub' });
    const ask = form.body.value!;
    expect(textOf(ask)).toMatch(/Seats\n25 → 23/);
    expect(textOf(ask)).not.toMatch(/Nickname|Auto-renew\n/); // unchanged fields are not part of the change
    bot.take();
    await bot.execute(VERB.confirm, confirmData(ask), { conversation: CHANNEL, replyToId: 'msg-confirm' });
    const [update] = bot.take();
    expect(update).toMatchObject({ method: 'PUT', activityId: 'msg-confirm', conversationId: CHANNEL.id });
    expect(textOf(cardOf(update))).toMatch(/Alice Admin changed this on/);
  });

  it('asks before turning auto-renew off, suspending and cancelling; reactivating goes straight through', async () => {
    await bot.say(`sub set contoso.onmicrosoft.com ${NCE} autorenew=off`);
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/will end at the end of its term/);
    await bot.say(`sub suspend contoso.onmicrosoft.com ${NCE}`);
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/lose access to its services until it is reactivated/);
    await bot.say(`sub cancel contoso.onmicrosoft.com ${SEED.subscriptions.contosoNceNew.id}`);
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/ends now and its users lose access/);
    expect(patches()).toHaveLength(0);
    await bot.say(`sub reactivate fabrikam.onmicrosoft.com ${SUSPENDED}`);
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Status: Suspended → Active/);
    expect(patches()).toHaveLength(1);
  });

  it('renames without asking, and says so when nothing would change', async () => {
    await bot.say(`sub set contoso.onmicrosoft.com ${LEGACY} name="Head office E1"`);
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Nickname: Office 365 E1 → Head office E1/);
    await bot.say(`sub set contoso.onmicrosoft.com ${LEGACY} name="Head office E1"`);
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/already has these values/);
    expect(patches()).toHaveLength(1);
  });

  it('refuses a seat decrease the documented rules forbid before asking, with the limit', async () => {
    await bot.say(`sub set fabrikam.onmicrosoft.com ${SEED.subscriptions.fabrikamNce.id} quantity=8`);
    const text = textOf(cardOf(bot.take()[0]));
    expect(text).toMatch(/at most 0 seats[\s\S]*did not ask to remove 2\. Nothing was changed\./);
    expect(text).not.toMatch(/Confirm/);
    // The same refusal in French and Bulgarian: the plural of each language, no "licence(s)" or "лиценз(а)".
    await bot.say(`sub set fabrikam.onmicrosoft.com ${SEED.subscriptions.fabrikamNce.id} quantity=8`, { locale: 'fr-FR' });
    expect(textOf(cardOf(bot.take()[0]))).toContain('permet de retirer au plus 0 licence de cet abonnement');
    await bot.say(`sub set fabrikam.onmicrosoft.com ${SEED.subscriptions.fabrikamNce.id} quantity=8`, { locale: 'bg-BG' });
    expect(textOf(cardOf(bot.take()[0]))).toContain('най-много 0 лиценза от този абонамент');
    expect(pc().requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('explains Partner Center\'s refusal in plain words, with the ids for support', async () => {
    pc().injectFault({ method: 'PATCH', status: 400, body: { code: '800090', description: 'Quantity cannot be decreased.', data: [], source: 'PartnerFD' } });
    await bot.say(`sub set contoso ${NCE} quantity=24`);
    const refused = await bot.execute(VERB.confirm, confirmData(cardOf(bot.take()[0])));
    expect(pc().requests.at(-1)!.status).toBe(400);
    expect(textOf(refused.body.value)).toMatch(/only be reduced within 7 days[\s\S]*refused the change, so nothing was changed[\s\S]*request id/);
    const r = await bot.execute(VERB.subStatus, { customerId: FAB, subscriptionId: SEED.subscriptions.fabrikamDeleted.id, status: 'active' });
    expect(textOf(r.body.value)).toMatch(/deleted and can no longer be changed|could not find/);
  });

  it('re-renders the form with field messages for invalid or tampered values, and sends nothing', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ quantity: '0', friendlyName: 'x', autoRenewEnabled: 'true' }, /Enter at least 1/],
      [{ quantity: 'lots', friendlyName: 'x', autoRenewEnabled: 'true' }, /whole number|not valid/],
      [{ quantity: '25', friendlyName: '', autoRenewEnabled: 'true' }, /This field is required/],
      [{ quantity: '25', friendlyName: { $gt: '' }, autoRenewEnabled: 'true' }, /not valid/],
      [{ quantity: '25', friendlyName: 'x'.repeat(500), autoRenewEnabled: 'true' }, /At most 128 characters/],
      [{ quantity: '25', friendlyName: 'x', autoRenewEnabled: 'perhaps' }, /not valid/],
    ];
    for (const [data, message] of cases) {
      const r = await bot.execute(VERB.subUpdate, { customerId: CONTOSO, subscriptionId: NCE, ...data });
      expect({ data, text: textOf(r.body.value) }).toEqual({ data, text: expect.stringMatching(message) });
    }
    for (const ids of [{ customerId: 'contoso', subscriptionId: NCE }, { customerId: CONTOSO, subscriptionId: '../../profiles/support' }, {}]) {
      const r = await bot.execute(VERB.subUpdate, { ...ids, quantity: '30' });
      expect(textOf(r.body.value)).toMatch(/cannot use/);
    }
    const status = await bot.execute(VERB.subStatus, { customerId: CONTOSO, subscriptionId: NCE, status: 'deleted-forever' });
    expect(textOf(status.body.value)).toMatch(/cannot use/);
    expect(patches()).toHaveLength(0);
  });

  it('words field problems in the user\'s language, with the limit in the plural form of that language', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['fr-FR', { quantity: '25', friendlyName: 'x'.repeat(500), autoRenewEnabled: 'true' }, '128 caractères au maximum.'],
      ['it-IT', { quantity: '0', friendlyName: 'x', autoRenewEnabled: 'true' }, 'Immettere almeno 1.'],
      ['bg-BG', { quantity: '25', friendlyName: 'x'.repeat(500), autoRenewEnabled: 'true' }, 'Най-много 128 знака.'],
      ['en-US', { quantity: '200000', friendlyName: 'x', autoRenewEnabled: 'true' }, 'Enter at most 100,000.'],
    ];
    for (const [locale, data, message] of cases) {
      const r = await bot.execute(VERB.subUpdate, { customerId: CONTOSO, subscriptionId: NCE, ...data }, { locale });
      expect({ locale, text: textOf(r.body.value) }).toEqual({ locale, text: expect.stringContaining(message) });
    }
    expect(patches()).toHaveLength(0);
  });

  it('uses each person\'s own identity in a shared channel', async () => {
    await bot.say(`sub set contoso.onmicrosoft.com ${LEGACY} name="By Alice"`, { conversation: CHANNEL });
    await bot.say(`sub set contoso.onmicrosoft.com ${LEGACY} name="By Bob"`, { conversation: CHANNEL, from: BOB });
    const [a, b] = patches();
    expect(a!.token).not.toBe(b!.token);
    expect(JSON.parse(Buffer.from(a!.token!.split('.')[1]!, 'base64url').toString()).name).toBe('Alice Admin');
    expect(JSON.parse(Buffer.from(b!.token!.split('.')[1]!, 'base64url').toString()).name).toBe('Bob Support');
  });
});

describe('customer names that match several customers', () => {
  it('uses the subscription id to tell which customer is meant (the help card\'s own example)', async () => {
    const bot = await startTestBot();
    try {
      await bot.say(`sub contoso ${SEED.subscriptions.contosoNce.id}`);
      expect(textOf(cardOf(bot.take()[0]))).toMatch(/Contoso Ltd[\s\S]*Microsoft 365 Business Basic/);
      // An id none of them has: the subscription id is what is wrong, and the answer says so, echoing it.
      await bot.say(`sub contoso ${'0'.repeat(8)}-0000-4000-8000-000000000000`);
      const text = textOf(cardOf(bot.take()[0]));
      expect(text).toContain('None of the customers matching "contoso" has a subscription with the id 00000000-0000-4000-8000-000000000000.');
      expect(text).toMatch(/Check the subscription id: \*\*sub list «customer»\*\*/);
      expect(text).not.toMatch(/Several customers match/);
      // One customer, a wrong id: that customer is named, with the command that lists its subscriptions.
      await bot.say(`sub contoso.onmicrosoft.com ${'0'.repeat(8)}-0000-4000-8000-000000000000`);
      const one = textOf(cardOf(bot.take()[0]));
      expect(one).toContain('Contoso Ltd has no subscription with the id 00000000-0000-4000-8000-000000000000.');
      expect(one).toContain('**sub list contoso.onmicrosoft.com**');
      // A tenant id that is not a customer's.
      await bot.say(`sub list ${'1'.repeat(8)}-1111-4111-8111-111111111111`);
      expect(textOf(cardOf(bot.take()[0]))).toContain('None of your customers has the tenant id 11111111-1111-4111-8111-111111111111.');
    } finally {
      await bot.close();
    }
  });
});
