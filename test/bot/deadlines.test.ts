/**
 * `renewals` and `windows` through the Bot Framework protocol, on the sandbox: what a partner admin reads
 * (which subscriptions, in which order, what renews with how many seats, which windows and until when), what
 * it costs Partner Center (calls counted at the sandbox), a 429 in the middle of a read, the per-user cache,
 * paging with a total, the time zone Teams sends, and the row buttons leading to the existing confirmations.
 *
 * The bot runs on the system clock (start() takes none), so the sandbox's clock is what moves: a sandbox
 * running 21 hours behind states windows that, for the bot, have already closed.
 */
import { randomUUID } from 'node:crypto';
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { ALICE, BOB, BOT, PERSONAL, TENANT, cardOf, executeActions, startTestBot, textOf, type ConnectorCall, type TestBot } from '../support/teams';
import { until } from '../support/until';

const HOUR = 60 * 60 * 1000;
const S = SEED.subscriptions;
const C = SEED.customers;

const actionsOf = executeActions;

/** The card the user reads now: the last one posted or updated (a long read replaces its progress card). */
const lastCard = (calls: ConnectorCall[]) => cardOf([...calls].reverse().find((c) => c.activity.attachments?.length));

/** Where a name first appears in a text (-1 when absent): to check the order of rows. */
const at = (text: string, s: string) => text.indexOf(s);

describe('renewals and windows through the Bot Framework protocol', () => {
  let bot: TestBot;
  afterEach(() => bot?.close());
  const pc = () => bot.running.sandbox!;
  /** Partner Center calls the bot made (reads of customers and subscriptions), by path. */
  const reads = () => pc().requests.filter((r) => r.method === 'GET').map((r) => r.path);

  describe('renewals across every customer', () => {
    beforeEach(async () => {
      bot = await startTestBot();
    });

    it('lists the terms ending within 30 days, soonest first, with what each renews with, and not one ending later; 1 + one call per customer', async () => {
      await bot.say('renewals');
      const text = textOf(lastCard(bot.take()));
      expect(text).toContain('Renewals in the next 30 days');
      // Ends in 10 days (auto-renew on), 10 days (off), 25 days (18 seats scheduled, 20 today).
      expect(text).toMatch(/Microsoft 365 Business Standard\n30 seats · 1 year · Monthly\nTerm ends on [^\n]+\nRenews with 30 seats/);
      expect(text).toMatch(/Exchange Online \(Plan 1\)\n12 seats · 1 month · Monthly\nTerm ends on [^\n]+\nDoes not renew: auto-renew is off/);
      expect(text).toContain('Renews with 18 seats (scheduled; 20 seats today)');
      expect(at(text, 'Renews with 30 seats')).toBeLessThan(at(text, 'Renews with 18 seats'));
      // Contoso Pharmaceuticals' term ends in 165 days: not within 30.
      expect(text).not.toContain('Contoso Pharmaceuticals');
      expect(text).toMatch(/Read from Partner Center on .+ UTC\./);
      // The customers, listed once (one page), then each customer's subscriptions once.
      const customers = Object.values(C).filter((c) => c.id !== C.northwind.id);
      expect(reads().filter((p) => p === '/v1/customers')).toHaveLength(1);
      expect(reads().filter((p) => /^\/v1\/customers\/[^/]+\/subscriptions$/.test(p)).sort()).toEqual(customers.map((c) => `/v1/customers/${c.id}/subscriptions`).sort());
      expect(reads()).toHaveLength(1 + customers.length);
    });

    it('answers a repeated ask from what it read, saying when, with no call; Refresh reads again; another person reads their own', async () => {
      await bot.say('renewals');
      bot.take();
      const calls = pc().requests.length;
      await bot.say('renewals');
      const card = lastCard(bot.take());
      expect(textOf(card)).toMatch(/Read from Partner Center on .+ UTC; Refresh reads it again\./);
      expect(textOf(card)).toContain('Renews with 18 seats');
      // Another horizon is the same read, drawn again.
      await bot.say('renewals 5');
      expect(textOf(lastCard(bot.take()))).toContain('No subscription\'s term ends in the next 5 days.');
      expect(pc().requests).toHaveLength(calls);
      const refresh = actionsOf(card).find((a) => a.title === 'Refresh')!;
      const r = await bot.execute(refresh.verb!, refresh.data!);
      expect(textOf(r.body.value)).toMatch(/Read from Partner Center on .+ UTC\./);
      expect(pc().requests.length).toBeGreaterThan(calls);
      const afterRefresh = pc().requests.length;
      await bot.say('renewals', { from: BOB });
      expect(textOf(lastCard(bot.take()))).not.toContain('Refresh reads it again');
      expect(pc().requests.length).toBeGreaterThan(afterRefresh);
    });

    it('pages with a total, the next page from what was read', async () => {
      await bot.say('renewals 366');
      const first = lastCard(bot.take());
      const total = Number(/1–10 of (\d+)/.exec(textOf(first))?.[1]);
      expect(total).toBeGreaterThan(10);
      const calls = pc().requests.length;
      const next = actionsOf(first).find((a) => a.title === 'Next page')!;
      const r = await bot.execute(next.verb!, next.data!);
      expect(textOf(r.body.value)).toContain(`11–${total} of ${total}`);
      expect(actionsOf(r.body.value).map((a) => a.title)).toContain('Previous page');
      expect(pc().requests).toHaveLength(calls);
    });

    it('for one customer costs its one or two reads, and shows only that customer', async () => {
      await bot.say('renewals contosohotels.onmicrosoft.com');
      const text = textOf(lastCard(bot.take()));
      expect(text).toContain('Renewals of Contoso Hotels in the next 30 days');
      expect(text).not.toContain('Wingtip');
      // Its domain searched once, its subscriptions listed once.
      expect(reads()).toHaveLength(2);
      expect(reads().at(-1)).toBe(`/v1/customers/${C.contosoHotels.id}/subscriptions`);
    });

    it('says the total on a single page too: "3 subscriptions", in every language', async () => {
      await bot.say('renewals contosohotels.onmicrosoft.com');
      const card = lastCard(bot.take());
      // Contoso Hotels has three terms ending within 30 days, all on one page: no paging, yet the total is said.
      expect(textOf(card)).toMatch(/\n3 subscriptions$/);
      expect(actionsOf(card).map((a) => a.title)).not.toContain('Next page');
      await bot.say('renewals contosohotels.onmicrosoft.com', { locale: 'it-IT' });
      expect(textOf(lastCard(bot.take()))).toMatch(/\n3 sottoscrizioni$/);
      // Nothing due: the empty sentence, and no "0 subscriptions" under it.
      await bot.say('renewals contosohotels.onmicrosoft.com 1');
      expect(textOf(lastCard(bot.take()))).not.toMatch(/subscriptions?$/);
    });

    it('labels a legacy subscription and says why it has no auto-renew or next-term button', async () => {
      await bot.say('renewals contoso.onmicrosoft.com');
      const card = lastCard(bot.take());
      // Office 365 E1 is legacy (its offer id is not productId:skuId:availabilityId): no term, auto-renew off. Whether
      // it renews is not claimed ("Does not renew: auto-renew is off" is new commerce's rule).
      expect(textOf(card)).toMatch(/Office 365 E1\n15 seats · Monthly · Legacy\nTerm ends on [^\n]+\nLegacy renewal rules differ from new commerce: Partner Center shows how it renews\. Auto-renew can be turned on, and changes for renewal scheduled, only on new-commerce subscriptions\.\nOpen\n/);
      const titles = actionsOf(card).filter((a) => a.data?.subscriptionId === S.contosoLegacy.id).map((a) => a.title);
      expect(titles).toEqual(['Open']);
      // A new-commerce row of the same customer carries no such line.
      expect(textOf(card).match(/Legacy renewal rules/g)).toHaveLength(1);
      // Its own card's "At renewal" part says the same, and nothing about whether it renews.
      const opened = textOf((await bot.execute(VERB.subShow, actionsOf(card).find((a) => a.title === 'Open' && a.data?.subscriptionId === S.contosoLegacy.id)!.data!)).body.value);
      expect(opened).toMatch(/At renewal\nTerm ends on [^\n]+\nLegacy renewal rules differ from new commerce/);
      expect(opened).not.toMatch(/Does not renew|Renews with/);
    });

    it('a row turns auto-renew off through the existing confirmation', async () => {
      await bot.say('renewals contosohotels.onmicrosoft.com');
      const card = lastCard(bot.take());
      const off = actionsOf(card).find((a) => a.title === 'Turn auto-renew off' && a.data?.subscriptionId === S.hotelsRenewsSoon.id)!;
      expect(off.verb).toBe(VERB.subUpdate);
      // Next-term seats only where Partner Center can schedule them: not with auto-renew off (test/bot/sub-next.test.ts).
      expect(actionsOf(card).filter((a) => a.verb === VERB.subNext).map((a) => a.data?.subscriptionId)).not.toContain(S.hotelsRenewsSoonOff.id);
      const open = actionsOf(card).find((a) => a.title === 'Open' && a.data?.subscriptionId === S.hotelsRenewsSoon.id)!;
      expect(open.verb).toBe(VERB.subShow);
      const ask = await bot.execute(off.verb!, off.data!);
      expect(textOf(ask.body.value)).toMatch(/will end at the end of its term/);
      expect(pc().requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
    });

    it('has help entries', async () => {
      await bot.say('help renewals');
      expect(textOf(lastCard(bot.take()))).toContain('renewals [«customer»] [«days»]');
      await bot.say('help windows', { locale: 'it-IT' });
      expect(textOf(lastCard(bot.take()))).toContain('Le finestre aperte della nuova esperienza commerciale');
    });

    it('speaks French, with plurals', async () => {
      await bot.say('renewals contosohotels.onmicrosoft.com', { locale: 'fr-FR' });
      const text = textOf(lastCard(bot.take()));
      expect(text).toContain('Se renouvelle avec 18 licences (planifié\u00a0; 20 licences aujourd\'hui)');
    });
  });

  describe('a 429 in the middle of a read', () => {
    beforeEach(async () => {
      // One call at a time, so what follows the 429 is the bot's own next call.
      bot = await startTestBot({ PARTNER_CENTER_BUDGET_CONCURRENCY: '1' });
    });

    it('waits out Retry-After before any further call, then ends with the full answer', async () => {
      const path = `/v1/customers/${C.contosoHotels.id}/subscriptions`;
      pc().injectFault({ method: 'GET', path, status: 429, headers: { 'Retry-After': '1' }, body: { statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' } });
      await bot.say('renewals');
      await until(() => textOf(lastCard(bot.connector.calls)).includes('Renews with 18 seats'), 15_000);
      const requests = pc().requests;
      const throttled = requests.findIndex((r) => r.status === 429);
      expect(throttled).toBeGreaterThan(0);
      expect(requests[throttled + 1]!.path).toBe(path);
      expect(requests[throttled + 1]!.at - requests[throttled]!.at).toBeGreaterThanOrEqual(990);
      expect(requests.filter((r) => r.path === path).map((r) => r.status)).toEqual([429, 200]);
      expect(textOf(lastCard(bot.connector.calls))).not.toMatch(/could not be read/);
    });
  });

  describe('a read that takes longer than the cache setting', () => {
    beforeEach(async () => {
      bot = await startTestBot({ PARTNER_CENTER_BUDGET_CONCURRENCY: '1', RENEWALS_CACHE_MS: '1000' }, { sandbox: { latencyMs: 200 } });
    });

    it('is kept for that long after it ended, not after it began', async () => {
      await bot.say('renewals');
      const calls = pc().requests.length;
      await bot.say('windows');
      expect(textOf(lastCard(bot.take()))).toContain('Refresh reads it again');
      expect(pc().requests).toHaveLength(calls);
    });
  });

  describe('a slow read', () => {
    beforeEach(async () => {
      bot = await startTestBot({ PARTNER_CENTER_BUDGET_CONCURRENCY: '1' }, { sandbox: { latencyMs: 400 } });
    });

    it('posts its progress, then replaces that card with the full answer', async () => {
      await bot.say('renewals');
      const progress = bot.take().find((c) => c.activity.attachments?.length);
      expect(textOf(cardOf(progress))).toContain('Reading the customers from Partner Center…');
      await until(() => bot.connector.calls.some((c) => c.method === 'PUT' && textOf(cardOf(c)).includes('Renews with 18 seats')), 15_000);
      const update = bot.take().find((c) => c.method === 'PUT')!;
      expect(update.activityId).toBe(progress!.responseId);
    });
  });

  it('says which subscription is suspended or a trial (the reason it offers no auto-renew button)', async () => {
    bot = await startTestBot();
    await bot.say('renewals fabrikam 60');
    const card = lastCard(bot.take());
    expect(textOf(card)).toMatch(/Exchange Online \(Plan 1\)\n5 seats · 1 month · Monthly · Suspended\n/);
    expect(actionsOf(card).filter((a) => a.data?.subscriptionId === S.fabrikamSuspended.id).map((a) => a.title)).toEqual(['Open']);
    await bot.say(`renewals ${C.contoso.domain} 60`);
    const contoso = lastCard(bot.take());
    expect(textOf(contoso)).toMatch(/Microsoft Teams Essentials\n25 seats · 1 month · Monthly · Trial\n/);
    expect(actionsOf(contoso).filter((a) => a.data?.subscriptionId === S.contosoTrial.id).map((a) => a.title)).toEqual(['Open']);
    expect(textOf(contoso)).toMatch(/Microsoft 365 E3\n10 seats · 1 month · Monthly\n/);
  });

  describe('windows', () => {
    it('lists the open windows, the one closing in 20 hours before the one closing in 3 days, with remove and cancel through the existing confirmations', async () => {
      bot = await startTestBot();
      await bot.say('windows');
      const card = lastCard(bot.take());
      const text = textOf(card);
      expect(text).toMatch(/Microsoft 365 Business Basic\n6 seats · 1 month · Monthly\n6 seats can still be removed until .+ UTC\nCan be cancelled until .+ UTC/);
      expect(text).toMatch(/Microsoft Teams Rooms Pro\n14 seats · 1 year · Annual\n4 seats can still be removed until .+ UTC/);
      expect(at(text, '6 seats can still be removed')).toBeLessThan(at(text, '4 seats can still be removed'));
      // No window on a subscription whose seats were all bought months ago.
      expect(text).not.toContain('Microsoft 365 Business Premium');
      const remove = actionsOf(card).find((a) => a.title === 'Remove 4 seats')!;
      expect(remove).toMatchObject({ verb: VERB.subUpdate, data: { subscriptionId: S.wingtipFewDays.id, quantity: 10 } });
      const ask = await bot.execute(remove.verb!, remove.data!);
      expect(textOf(ask.body.value)).toMatch(/Seats\n14 → 10/);
      const cancel = actionsOf(card).find((a) => a.title === 'Cancel the subscription' && a.data?.subscriptionId === S.wingtipClosingSoon.id)!;
      expect(cancel).toMatchObject({ verb: VERB.subStatus, data: { status: 'deleted' } });
      expect(textOf((await bot.execute(cancel.verb!, cancel.data!)).body.value)).toMatch(/ends now and its users lose access/);
      expect(pc().requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
    });

    it('hides a window that has passed, by the dates the resource states', async () => {
      // Partner Center 21 hours behind: it still states the 20-hour window, which for the bot closed an hour ago.
      bot = await startTestBot({}, { sandbox: { now: () => Date.now() - 21 * HOUR } });
      await bot.say('windows wingtiptoys.onmicrosoft.com');
      const text = textOf(lastCard(bot.take()));
      const stated = pc().requests.length > 0;
      expect(stated).toBe(true);
      expect(text).not.toContain('6 seats can still be removed');
      expect(text).not.toContain('Can be cancelled');
      expect(text).toContain('4 seats can still be removed');
    });

    it('gives dates in the time zone Teams sends on the activity', async () => {
      bot = await startTestBot();
      const activity = {
        id: randomUUID(),
        type: 'message',
        channelId: 'msteams',
        serviceUrl: bot.connector.url,
        timestamp: new Date().toISOString(),
        locale: 'en-US',
        text: 'windows wingtiptoys.onmicrosoft.com',
        from: { id: ALICE.id, name: ALICE.name, aadObjectId: ALICE.aadObjectId },
        recipient: BOT,
        conversation: { id: PERSONAL.id, conversationType: 'personal', tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
        entities: [{ type: 'clientInfo', locale: 'en-US', country: 'JP', platform: 'Web', timezone: 'Asia/Tokyo', localTimezone: 'Asia/Tokyo' }],
      };
      await fetch(bot.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = textOf(lastCard(bot.take()));
      expect(text).toMatch(/4 seats can still be removed until .+ GMT\+9/);
      expect(text).not.toMatch(/UTC/);
    });

    // Teams puts the zone on the activity (`localTimezone`), and names it `timezone` in clientInfo: either is read.
    it('reads the time zone from the activity itself (localTimezone)', async () => {
      bot = await startTestBot();
      await bot.say('windows wingtiptoys.onmicrosoft.com', { timezone: 'Asia/Tokyo' });
      const text = textOf(lastCard(bot.take()));
      expect(text).toMatch(/4 seats can still be removed until .+ GMT\+9/);
      expect(text).not.toMatch(/UTC/);
    });
  });
});
