/**
 * What a partner admin reads (issue 12), driven over the Bot Framework protocol with the sandbox counting
 * Partner Center requests: confirmations that name what they change, Keep as is, "nothing to change",
 * refusals with their limit and date, audit sentences, navigation back to lists, and wording that is true
 * for this chat and this deployment.
 */
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { CHANNEL, cardOf, startTestBot, textOf, type TestBot, executeActions } from '../support/teams';
import { until } from '../support/until';

const CONTOSO = SEED.customers.contoso.id;
const NCE = SEED.subscriptions.contosoNce.id; // 25 seats, 5 added 2 days ago
const FAB_NCE = SEED.subscriptions.fabrikamNce.id; // 10 seats, all 90 days old
const SUSPENDED = SEED.subscriptions.fabrikamSuspended.id;
const OPEN = SEED.serviceRequests.open;
const CLOSED = SEED.serviceRequests.closed;

type Action = { verb?: string; title?: string; data?: Record<string, unknown> };
const actionsOf = (card: unknown): Action[] => (card as { actions?: Action[] }).actions ?? [];
const byVerb = (card: unknown, verb: string) => actionsOf(card).find((a) => a.verb === verb)!;
const executes = executeActions;

describe('what a partner admin reads', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot({}, { sandbox: { asyncApplyMs: 0 }, bot: { invokeDeadlineMs: 2_000 } });
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const writes = () => pc().requests.filter((r) => r.method !== 'GET');
  const reply = () => cardOf(bot.take()[0]);

  it('a seat decrease names the customer, the subscription and its offer, old → new and the consequence; Keep as is names what stayed', async () => {
    await bot.say(`sub set contoso.onmicrosoft.com ${NCE} quantity=22`);
    const ask = reply();
    const text = textOf(ask);
    expect(text).toContain('Change Microsoft 365 Business Basic of Contoso Ltd?');
    expect(text).toMatch(/Customer\nContoso Ltd \(contoso\.onmicrosoft\.com\)/);
    expect(text).toMatch(/Subscription\nMicrosoft 365 Business Basic/);
    expect(text).toMatch(/Offer\nMicrosoft 365 Business Basic/);
    expect(text).toContain(NCE);
    expect(text).toMatch(/Seats\n25 → 22/);
    expect(text).toMatch(/5 seats can still be removed/);
    expect(actionsOf(ask).map((a) => a.title)).toEqual(['Confirm', 'Keep as is']);
    const kept = await bot.execute(VERB.cancel, byVerb(ask, VERB.cancel).data!);
    expect(textOf(kept.body.value)).toBe('You chose not to go ahead: nothing was sent to Partner Center for Microsoft 365 Business Basic of Contoso Ltd.\nIf you change your mind, run the command again.'.replace('\n', '\n\n'));
    expect(textOf(kept.body.value)).not.toMatch(/Cancelled/);
    expect(writes()).toHaveLength(0);
  });

  it('Keep as is on a card it cannot read still says plainly that nothing was sent', async () => {
    const kept = await bot.execute(VERB.cancel, {});
    expect(textOf(kept.body.value)).toMatch(/^You chose not to go ahead: nothing was sent to Partner Center\./);
  });

  it('suspending and cancelling name the action and the customer in the question', async () => {
    await bot.say(`sub suspend contoso.onmicrosoft.com ${NCE}`);
    expect(textOf(reply())).toContain('Suspend Microsoft 365 Business Basic of Contoso Ltd?');
    await bot.say(`sub cancel contoso.onmicrosoft.com ${SEED.subscriptions.contosoNceNew.id}`);
    expect(textOf(reply())).toContain('Cancel Microsoft 365 E3 of Contoso Ltd?');
  });

  it('refuses a decrease beyond refundableQuantity before asking, with the limit, until when, and what to do instead', async () => {
    await bot.say(`sub set contoso.onmicrosoft.com ${NCE} quantity=10`);
    const text = textOf(reply());
    expect(text).toContain('Partner Center allows removing at most 5 seats from this subscription now');
    expect(text).toMatch(/5 seats can be removed until \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M UTC\./);
    expect(text).toContain('To go ahead now, set at least 20 seats.');
    expect(text).toMatch(/seats can next be reduced when the term renews on \w{3} \d{1,2}, \d{4}\./);
    expect(text).not.toMatch(/Confirm|Correct the values/);
    await bot.say(`sub set fabrikam.onmicrosoft.com ${FAB_NCE} quantity=8`);
    const none = textOf(reply());
    expect(none).toContain('No seat can be removed now: every seat was added more than 7 days ago.');
    expect(none).not.toContain('set at least');
    expect(writes()).toHaveLength(0);
  });

  it('says "Nothing to change" the same way for a suspended subscription, a closed request and an unchanged profile', async () => {
    await bot.say(`sub suspend fabrikam.onmicrosoft.com ${SUSPENDED}`);
    expect(textOf(reply())).toContain('Nothing to change: Exchange Online (Plan 1) is already suspended.');
    await bot.say(`sr close ${CLOSED.id}`);
    const closed = reply();
    expect(textOf(closed)).toContain(`Nothing to change: service request ${CLOSED.id} is already closed.`);
    expect(textOf(closed)).toContain(CLOSED.title);
    await bot.say('profile set email=support@litwarecsp.com');
    expect(textOf(reply())).toContain('Nothing to change: the support profile already has these values.');
    expect(writes()).toHaveLength(0);
  });

  it('closing names the request (number and title), and the audit trail tells it as a sentence with the old → new the confirmation showed', async () => {
    await bot.say(`sr close ${OPEN.id}`);
    const ask = reply();
    expect(textOf(ask)).toMatch(new RegExp(`Close service request ${OPEN.id}\\?[\\s\\S]*Service request\\n${OPEN.id}[\\s\\S]*Title\\n${OPEN.title}[\\s\\S]*Status\\nOpen → Closed`));
    await bot.execute(VERB.confirm, byVerb(ask, VERB.confirm).data!);
    await bot.say(`sr note ${SEED.serviceRequests.attentionNeeded.id} Customer confirmed the fix`);
    await bot.say(`sub set contoso.onmicrosoft.com ${SEED.subscriptions.contosoLegacy.id} name="Head office"`);
    bot.take();
    await bot.say('audit');
    const audit = textOf(reply());
    expect(audit).toContain(`Alice Admin closed service request ${OPEN.id} “${OPEN.title}”.`);
    expect(audit).toContain('Status: Open → Closed');
    expect(audit).toContain(`Alice Admin added a note to service request ${SEED.serviceRequests.attentionNeeded.id} “${SEED.serviceRequests.attentionNeeded.title}”.`);
    expect(audit).toContain('Note: Customer confirmed the fix');
    expect(audit).toContain('Alice Admin changed the subscription Office 365 E1 of Contoso Ltd.');
    expect(audit).toContain('Nickname: Office 365 E1 → Head office');
    expect(audit).not.toMatch(/— →|· 616/);
  });

  it('shows terms, billing cycles and auto-renew in words, once each', async () => {
    await bot.say(`sub contoso.onmicrosoft.com ${NCE}`);
    const text = textOf(reply());
    expect(text).toMatch(/Term\n1 year/);
    expect(text).toMatch(/Billing\nMonthly/);
    expect(text).not.toMatch(/P1Y|P1M|\bmonthly\b|seat\(s\)/);
    expect(text.match(/Auto-renew/g)).toHaveLength(1);
    await bot.say(`sub contoso.onmicrosoft.com ${SEED.subscriptions.contosoNceNew.id}`, { locale: 'fr-FR' });
    expect(textOf(reply())).toMatch(/Durée\n1\s+mois[\s\S]*Facturation\nMensuelle/);
  });

  it('a service request opened from the list leads back to the same page; the list itself is not lost', async () => {
    await bot.say('sr list open');
    const list = reply();
    const row = executes(list).find((a) => a.verb === VERB.srShow)!;
    expect(row.data).toMatchObject({ filter: 'open', listOffset: 0 });
    const opened = await bot.execute(VERB.srShow, row.data!);
    const back = byVerb(opened.body.value, VERB.srList);
    expect(back).toMatchObject({ title: 'Back to the list', data: { filter: 'open', offset: 0 } });
    // Refresh keeps the way back.
    expect(byVerb(opened.body.value, VERB.srShow).data).toMatchObject({ filter: 'open', listOffset: 0 });
    const again = await bot.execute(VERB.srList, back.data!);
    expect(textOf(again.body.value)).toMatch(/Service requests: open/);
    // Opened by command, there is no list to go back to.
    bot.take();
    await bot.say(`sr ${OPEN.id}`);
    expect(actionsOf(reply()).map((a) => a.title)).not.toContain('Back to the list');
  });

  it('customers → subscriptions → one subscription, and back at each step', async () => {
    await bot.say('customer find contoso');
    const customers = reply();
    const subsButton = executes(customers).find((a) => a.verb === VERB.customerSubscriptions && a.data?.customerId === CONTOSO)!;
    expect(subsButton.data).toEqual({ customerId: CONTOSO, query: 'contoso' });
    const subs = (await bot.execute(VERB.customerSubscriptions, subsButton.data!)).body.value!;
    expect(byVerb(subs, VERB.customerFind)).toMatchObject({ title: 'Back to the customers', data: { query: 'contoso' } });
    const row = executes(subs).find((a) => a.verb === VERB.subShow && a.data?.subscriptionId === NCE)!;
    const one = (await bot.execute(VERB.subShow, row.data!)).body.value!;
    expect(byVerb(one, VERB.customerSubscriptions)).toMatchObject({ title: 'Back to the list', data: { customerId: CONTOSO, offset: 0, query: 'contoso' } });
    const backToSubs = await bot.execute(VERB.customerSubscriptions, byVerb(one, VERB.customerSubscriptions).data!);
    expect(textOf(backToSubs.body.value)).toContain('Subscriptions of Contoso Ltd');
    const backToCustomers = await bot.execute(VERB.customerFind, { query: 'contoso' });
    expect(textOf(backToCustomers.body.value)).toMatch(/Contoso Ltd[\s\S]*Contoso Pharmaceuticals/);
  });

  it('a watch says threads only in a channel', async () => {
    await bot.say(`watch sr ${OPEN.id}`);
    const personal = textOf(reply());
    expect(personal).toContain('I will post each change in this chat.');
    expect(personal).not.toContain('thread');
    expect(personal).toMatch(/To stop, type \*\*unwatch w-[0-9a-f]{8}\*\*\./);
    await bot.say(`watch sr ${OPEN.id}`, { conversation: CHANNEL });
    expect(textOf(reply())).toContain('I will post each change in its own thread.');
  });

  it('whoami shows the account beside the Teams user, and signout says what the next command does here (signed in without a prompt)', async () => {
    await bot.say('whoami');
    expect(textOf(reply())).toMatch(/Partner Center account: \*\*Alice Admin\*\*[\s\S]*Teams user: Alice Admin[\s\S]*Tenant: /);
    await bot.say('signout');
    const text = textOf(reply());
    expect(text).toContain('the next command that needs Partner Center signs you in again without asking');
    expect(text).not.toContain('will ask you to sign in');
  });
});

describe('progress', () => {
  it('a slow confirmed write says which step is running, then the card shows the outcome', async () => {
    const bot = await startTestBot({}, { bot: { invokeDeadlineMs: 150, inlineWaitMs: 50 } });
    try {
      await bot.say(`sub set contoso.onmicrosoft.com ${NCE} quantity=22`);
      const ask = cardOf(bot.take()[0]);
      bot.running.sandbox!.setOptions({ latencyMs: 400 });
      const r = await bot.execute(VERB.confirm, byVerb(ask, VERB.confirm).data!, { replyToId: 'msg-ask' });
      expect(textOf(r.body.value)).toBe('Changing the seats… Partner Center is taking a moment; this card will update when it is done.');
      const slowNote = await bot.execute(VERB.srNote, { id: OPEN.id, text: 'Slow note' }, { replyToId: 'msg-sr' });
      expect(textOf(slowNote.body.value)).toMatch(/^Adding your note… /);
      const slowRead = await bot.execute(VERB.srShow, { id: OPEN.id }, { replyToId: 'msg-sr2' });
      expect(textOf(slowRead.body.value)).toMatch(/^Working on it…/);
      // Then each card is replaced with its outcome: what the admin reads, not how many updates were sent.
      const last = (activityId: string) => bot.connector.calls.filter((c) => c.method === 'PUT' && c.activityId === activityId).at(-1);
      const shows = (id: string, pattern: RegExp) => last(id) !== undefined && pattern.test(textOf(cardOf(last(id))));
      await until(() => shows('msg-ask', /Seats: 25 → 22/) && !shows('msg-ask', /still applying|…/), 15_000);
      await until(() => shows('msg-sr', /Your note was added\./) && shows('msg-sr2', /Cannot assign licenses to new users[\s\S]*Open/), 10_000);
      expect(textOf(cardOf(last('msg-sr')))).not.toMatch(/…/);
      const stored = bot.running.sandbox!.data.subscriptions.find((x) => x.resource.id === NCE)!;
      expect(stored.resource.quantity).toBe(22);
    } finally {
      await bot.close();
    }
  }, 40_000);
});
