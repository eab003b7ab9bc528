/**
 * The sender against a connector that enforces Teams' limits at ARRIVAL, behind a network whose delay
 * varies per request (bench/teams-connector.ts): no request draws a 429, and the windows are used up to
 * the limit (posts per window counted at the connector; the spread of arrivals compared with the least
 * Teams' limits allow). Sleeping generously would pass the first check and fail the second.
 */
import { busiestWindow, floorMs, startLimitedConnector, type LimitedConnector } from '../../bench/teams-connector';
import type { AdaptiveCard } from '../../src/cards/render';
import { BOT, TENANT, startTestBot, type TestBot } from '../support/teams';
import { until } from '../support/until';

const card: AdaptiveCard = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Service request 1: Open → Closed' }] } as AdaptiveCard;

describe("sender: Teams' windows counted at arrival", () => {
  let bot: TestBot;
  let connector: LimitedConnector;
  beforeEach(async () => {
    bot = await startTestBot({}, { notifierAutoStart: false });
    // Each request reaches "Teams" 0–60 ms after it left: counting at send time would draw 429s here.
    connector = await startLimitedConnector({ arrivalDelayMs: [0, 60] });
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

  it('posts to 250 conversations at the tenant limit (50/s at arrival), with no 429', async () => {
    const conversations = Array.from({ length: 250 }, (_, i) => `19:tenant-${i}@thread.tacv2`);
    await Promise.all(conversations.map((c) => bot.running.sender.post(ref(c), card)));
    const arrivals = connector.accepted.map((a) => a.at);
    expect(connector.refused).toBe(0);
    expect(arrivals).toHaveLength(250);
    // Up to the limit: some second holds (nearly) 50 arrivals ...
    expect(busiestWindow(arrivals, 1_000)).toBeGreaterThanOrEqual(45);
    // ... and the whole run spreads over hardly more than the 4 s the limit imposes (not a timed assertion:
    // arrival stamps at the connector, against the floor for the same posts).
    const spread = Math.max(...arrivals) - Math.min(...arrivals);
    expect(spread / floorMs(connector.accepted.map((a) => a.conversation))).toBeLessThan(1.35);
  }, 30_000);

  it("keeps one thread within 7/1 s and 8/2 s at arrival, and uses them up", async () => {
    const thread = '19:one-thread@thread.tacv2';
    await Promise.all(Array.from({ length: 20 }, () => bot.running.sender.post(ref(thread), card)));
    const arrivals = connector.accepted.map((a) => a.at);
    expect(connector.refused).toBe(0);
    expect(arrivals).toHaveLength(20);
    expect(busiestWindow(arrivals, 1_000)).toBe(7);
    expect(busiestWindow(arrivals, 2_000)).toBe(8);
    const spread = Math.max(...arrivals) - Math.min(...arrivals);
    expect(spread / floorMs(connector.accepted.map((a) => a.conversation))).toBeLessThan(1.35);
  }, 30_000);

  it('says when it has a gap (nothing on the wire, everything waiting for a window) and when it has nothing to send', async () => {
    const sender = bot.running.sender;
    expect(sender.quietFor()).toBe(Infinity);
    const conversations = Array.from({ length: 60 }, (_, i) => `19:gap-${i}@thread.tacv2`);
    const all = Promise.all(conversations.map((c) => sender.post(ref(c), card)));
    // The first 50 go at once and are answered; the other 10 wait for the tenant window to let them go.
    await until(() => sender.quietFor() > 0 && sender.quietFor() !== Infinity, 10_000);
    expect(connector.accepted).toHaveLength(50);
    await all;
    expect(connector.accepted).toHaveLength(60);
    expect(sender.quietFor()).toBe(Infinity);
  }, 30_000);

  it('still shares the tenant window when one thread is busy and many others post', async () => {
    const busy = '19:busy@thread.tacv2';
    const others = Array.from({ length: 120 }, (_, i) => `19:other-${i}@thread.tacv2`);
    await Promise.all([...Array.from({ length: 10 }, () => bot.running.sender.post(ref(busy), card)), ...others.map((c) => bot.running.sender.post(ref(c), card))]);
    expect(connector.refused).toBe(0);
    expect(connector.accepted).toHaveLength(130);
    expect(busiestWindow(connector.accepted.map((a) => a.at), 1_000)).toBeGreaterThanOrEqual(45);
  }, 30_000);
});
