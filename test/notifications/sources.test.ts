/**
 * The notifier's way in for sources other than polling (the activity log, webhooks): observations fed
 * from outside go through the same recorder and delivery as the cycle's own. Fed twice, late, or for
 * another partner, they change nothing.
 */
import { SEED } from '../../dev/sandbox';
import type { Observation, Source } from '../../src/notifications/observations';
import { cardOf, GROUP, startTestBot, TENANT, textOf, type TestBot } from '../support/teams';

const NCE = SEED.subscriptions.contosoNce.id;
const CONTOSO = SEED.customers.contoso.id;

describe('sources: observations from outside the cycle', () => {
  let bot: TestBot;
  beforeEach(async () => {
    // The data is changed directly (no activity-log record): every watched customer is polled every cycle.
    bot = await startTestBot({ NOTIFY_SWEEP_MINUTES: '0' }, { notifierAutoStart: false });
  });
  afterEach(() => bot.close());
  const sub = (id: string) => bot.running.sandbox!.data.subscriptions.find((s) => s.resource.id === id)!.resource;
  const notifier = () => bot.running.notifier;
  const posts = () => bot.take().filter((c) => c.method === 'POST').map((c) => textOf(cardOf(c)));
  /** What a webhook source would hand over after reading the subscription again: its seats are now `seats`. */
  const seen = (seats: number, seenAt: number, tenantId = TENANT): Observation => ({
    tenantId,
    item: { kind: 'subscription', id: NCE, customerId: CONTOSO, nce: true },
    state: { status: String(sub(NCE).status), count: seats, title: String(sub(NCE).friendlyName || sub(NCE).offerName) },
    seenAt,
    via: 'webhook',
  });

  it('announces a change fed from outside once, however often it is fed, and ignores a late one', async () => {
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    bot.take();
    await notifier().cycle(); // the watch's first look: nothing to say
    expect(posts()).toEqual([]);

    sub(NCE).quantity = 30; // the change happens in Partner Center; a webhook source reads it
    const at = Date.now();
    expect(await notifier().observe([seen(30, at)])).toBe(1);
    expect(await notifier().observe([seen(30, at)])).toBe(0); // the same event delivered again
    await notifier().cycle(); // the holder delivers it (its own poll sees the same state: nothing new)
    expect(posts()).toEqual([expect.stringMatching(/Seats: 25 → 30/)]);

    expect(await notifier().observe([seen(30, at + 1)])).toBe(0);
    // A reading made before the change, arriving after it (a slow source): ignored, not "30 → 25".
    expect(await notifier().observe([seen(25, at - 60_000)])).toBe(0);
    await notifier().cycle();
    expect(posts()).toEqual([]);
  });

  it("is not heard by another partner's watches", async () => {
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    bot.take();
    await notifier().cycle();
    expect(await notifier().observe([seen(30, Date.now(), '0e0e0e0e-9999-4888-8777-666666666666')])).toBe(0);
    await notifier().cycle();
    expect(posts()).toEqual([]);
  });

  it('takes a registered source: its observations are recorded and delivered like polling’s', async () => {
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    bot.take();
    await notifier().cycle();
    const looked: string[][] = [];
    const activityLog: Source = {
      name: 'test-activity-log',
      look: async (watches) => {
        looked.push(watches.map((w) => w.kind));
        return { observations: sub(NCE).quantity === 40 ? [seen(40, Date.now())] : [], covered: [], paused: [], partnerCenterCalls: 1 };
      },
    };
    notifier().addSource(activityLog);
    sub(NCE).quantity = 40;
    const first = await notifier().cycle();
    expect(looked).toEqual([['subs']]); // it is shown the watches of this instance's partitions
    expect(first.partnerCenterCalls).toBe(2); // the poll's list, and the source's own call
    expect(first.changes).toBe(1); // polling and the source saw the same change: one entry
    expect(posts()).toEqual([expect.stringMatching(/Seats: 25 → 40/)]);
    await notifier().cycle();
    expect(posts()).toEqual([]);
  });

  it('keeps announcing what the other sources saw when one source fails', async () => {
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    bot.take();
    await notifier().cycle();
    notifier().addSource({ name: 'down', look: () => Promise.reject(new Error('the activity log is down')) });
    sub(NCE).quantity = 35;
    await notifier().cycle();
    expect(posts()).toEqual([expect.stringMatching(/Seats: 25 → 35/)]);
  });
});
