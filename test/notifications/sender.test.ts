/**
 * The sender against a connector that enforces Teams' limits where Teams does, at arrival
 * (bench/teams-connector.ts), on a clock the test holds: the bot's sender and the connector read the same
 * ManualClock, which moves only when every request is asleep waiting for a window, and then only to the
 * first wake. Windows are counted in that clock's time, so "no 429" and "the windows used up to the limit"
 * are exact whatever the machine's load: sleeping generously passes the first check and fails the second.
 * (The same run over a real network with varying delays is measured, not asserted, by bench/notifications.ts.)
 */
import { busiestWindow, floorMs, startLimitedConnector, type LimitedConnector } from '../../bench/teams-connector';
import type { AdaptiveCard } from '../../src/cards/render';
import { safetyMarginMs } from '../../src/notifications/sender';
import { ManualClock } from '../support/fake-clock';
import { BOT, TENANT, startTestBot, type TestBot } from '../support/teams';
import { until } from '../support/until';

const card: AdaptiveCard = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Service request 1: Open → Closed' }] } as AdaptiveCard;

describe("sender: Teams' windows counted at arrival, on the held clock", () => {
  let bot: TestBot;
  let connector: LimitedConnector;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock();
    bot = await startTestBot({}, { notifierAutoStart: false, clock });
    connector = await startLimitedConnector({ now: clock.now });
  });
  afterEach(async () => {
    await connector.close();
    await bot.close();
  });

  const ref = (conversation: string) => ({
    channelId: 'msteams',
    serviceUrl: connector.url,
    bot: BOT,
    conversation: { id: conversation, conversationType: 'channel', tenantId: TENANT, isGroup: true, name: '' },
  });
  /** Every request still to go is asleep, waiting for a window: nothing on the wire. */
  const asleep = () => {
    const q = bot.running.sender.quietFor();
    return q > 0 && q !== Infinity;
  };
  /** Lets the posts run to the end, moving the held clock to the sender's next wake whenever it is asleep. */
  const run = async (posts: Array<Promise<unknown>>): Promise<void> => {
    let done = false;
    const all = Promise.all(posts).finally(() => (done = true));
    while (!done) {
      await until(() => done || asleep(), 10_000);
      if (!done) clock.advance(bot.running.sender.quietFor());
    }
    await all;
  };
  /** The most a window's wait may add to the floor: its safety margin, and the 1 ms past its end. */
  const slack = (windowMs: number) => safetyMarginMs(windowMs) + 1;
  /** First to last arrival, in held time. */
  const spread = (times: number[]) => Math.max(...times) - Math.min(...times);

  it('posts to 250 conversations at the tenant limit (50/s at arrival), with no 429 and no time lost', async () => {
    const conversations = Array.from({ length: 250 }, (_, i) => `19:tenant-${i}@thread.tacv2`);
    await run(conversations.map((c) => bot.running.sender.post(ref(c), card)));
    const arrivals = connector.accepted.map((a) => a.at);
    expect(connector.refused).toBe(0);
    expect(arrivals).toHaveLength(250);
    // Up to the limit: every second of held time holds the 50 Teams allows ...
    expect(busiestWindow(arrivals, 1_000)).toBe(50);
    // ... and the run takes the 4 s the limit imposes, plus at most the safety margin per window.
    const floor = floorMs(connector.accepted.map((a) => a.conversation));
    expect(floor).toBe(4_000);
    expect(spread(arrivals)).toBeGreaterThanOrEqual(floor);
    expect(spread(arrivals)).toBeLessThanOrEqual(floor + 4 * slack(1_000));
  }, 30_000);

  it('keeps one thread within 7/1 s and 8/2 s at arrival, and uses them up', async () => {
    const thread = '19:one-thread@thread.tacv2';
    await run(Array.from({ length: 20 }, () => bot.running.sender.post(ref(thread), card)));
    const arrivals = connector.accepted.map((a) => a.at);
    expect(connector.refused).toBe(0);
    expect(arrivals).toHaveLength(20);
    expect(busiestWindow(arrivals, 1_000)).toBe(7);
    expect(busiestWindow(arrivals, 2_000)).toBe(8);
    const floor = floorMs(connector.accepted.map((a) => a.conversation));
    expect(spread(arrivals)).toBeGreaterThanOrEqual(floor);
    // At most one window's slack per second the floor imposes (a wait ends one window, and none is shorter).
    expect(spread(arrivals)).toBeLessThanOrEqual(floor + (floor / 1_000) * slack(2_000));
  }, 30_000);

  it('says when it has a gap (nothing on the wire, everything waiting for a window) and when it has nothing to send', async () => {
    const sender = bot.running.sender;
    expect(sender.quietFor()).toBe(Infinity);
    const conversations = Array.from({ length: 60 }, (_, i) => `19:gap-${i}@thread.tacv2`);
    const all = Promise.all(conversations.map((c) => sender.post(ref(c), card)));
    // The first 50 go at once and are answered; the other 10 wait for the tenant window to let them go.
    await until(asleep, 10_000);
    expect(connector.accepted).toHaveLength(50);
    const gap = sender.quietFor();
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThanOrEqual(1_000 + slack(1_000));
    // Held time short of the gap: nobody wakes, nothing more is sent.
    clock.advance(gap - 1);
    expect(sender.quietFor()).toBe(1);
    expect(connector.accepted).toHaveLength(50);
    clock.advance(1);
    await all;
    expect(connector.accepted).toHaveLength(60);
    expect(sender.quietFor()).toBe(Infinity);
  }, 30_000);

  it('still shares the tenant window when one thread is busy and many others post', async () => {
    const busy = '19:busy@thread.tacv2';
    const others = Array.from({ length: 120 }, (_, i) => `19:other-${i}@thread.tacv2`);
    await run([...Array.from({ length: 10 }, () => bot.running.sender.post(ref(busy), card)), ...others.map((c) => bot.running.sender.post(ref(c), card))]);
    expect(connector.refused).toBe(0);
    expect(connector.accepted).toHaveLength(130);
    expect(busiestWindow(connector.accepted.map((a) => a.at), 1_000)).toBe(50);
  }, 30_000);
});

describe('sender: its retry policy alone decides, on the held clock', () => {
  let bot: TestBot;
  const clock = new ManualClock();
  beforeAll(async () => {
    bot = await startTestBot({}, { notifierAutoStart: false, clock });
  });
  afterAll(() => bot.close());
  const ref = (conversation: string) => ({
    channelId: 'msteams',
    serviceUrl: bot.connector.url,
    bot: BOT,
    conversation: { id: conversation, conversationType: 'channel', tenantId: TENANT, isGroup: true, name: '' },
  });
  const attempts = (conversation: string) => bot.connector.attempts.filter((a) => a.method === 'POST' && a.path.includes(encodeURIComponent(conversation))).map((a) => a.status);

  it("waits out a 429's Retry-After and backs off a 503 on its clock, each try one request: the connector library retries nothing by itself", async () => {
    const conversation = '19:retry@thread.tacv2';
    bot.connector.failNext(429, 1, { 'Retry-After': '30' });
    const sent = bot.running.sender.post(ref(conversation), card);
    // One request went out, and the sender sleeps the 30 s on the held clock (the library would have slept them itself, on a timer).
    await until(() => bot.running.sender.quietFor() > 0 && bot.running.sender.quietFor() !== Infinity);
    expect(attempts(conversation)).toEqual([429]);
    expect(bot.running.sender.quietFor()).toBe(30_000);
    bot.connector.failNext(503, 1);
    clock.advance(30_000);
    // The 503 (no Retry-After) is backed off by the sender's schedule, again on the held clock.
    await until(() => attempts(conversation).length === 2 && bot.running.sender.quietFor() > 0 && bot.running.sender.quietFor() !== Infinity);
    expect(attempts(conversation)).toEqual([429, 503]);
    clock.advance(bot.running.sender.quietFor());
    await expect(sent).resolves.toMatch(/^msg-/);
    expect(attempts(conversation)).toEqual([429, 503, 200]);
  });
});
