/**
 * POST /api/partner-center/events tried the way an attacker and a bad day would, over real HTTP, with events
 * signed by the sandbox's TEST chain: a ResourceUri on another host or with path tricks, a subscription the
 * setter can no longer read, and a burst of 1,000 events for watched subscriptions. Each time: Partner Center
 * receives only reads of subscriptions a watch covers (the sandbox's requests), within the partner's share
 * of its budget; nothing else is fetched; no customer data in the logs; and the bot keeps serving.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendCallback, subscriptionUpdated } from '../../dev/sandbox/webhook-sender';
import { ManualClock } from '../support/fake-clock';
import { captureLogs } from '../support/log-capture';
import { GROUP, startTestBot, textOf, cardOf, type TestBot } from '../support/teams';
import { until } from '../support/until';
import { certificateHostForSuite, CONTOSO, eventsUrl, FABRIKAM, FABRIKAM_NCE, NCE, startWebhookBot } from '../support/webhooks';

describe('Partner Center webhooks, attacked and flooded', () => {
  const host = certificateHostForSuite();
  let bot: TestBot;
  let logs: ReturnType<typeof captureLogs>;
  let events: string;
  afterEach(() => bot.close());
  const start = async (env: Record<string, string> = {}, options: Parameters<typeof startTestBot>[1] = {}) => {
    logs = captureLogs('info');
    bot = await startWebhookBot(host(), logs.logger, env, options);
    events = eventsUrl(bot);
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    await bot.running.notifier.cycle(); // the first cycle remembers; it does not announce
    bot.take();
    pc().requests.length = 0;
  };
  const pc = () => bot.running.sandbox!;
  const send = (event: unknown) => sendCallback(events, event, { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') });
  const withUri = (uri: string) => ({ ...subscriptionUpdated(CONTOSO, NCE), ResourceUri: uri });
  const settled = () => logs.lines().filter((l) => /"msg":"webhook (event re-read|re-read failed|backlog full)/.test(l));
  const requests = () => pc().requests.map((r) => `${r.method} ${r.path.toLowerCase()}`);

  it('reads only the ids a ResourceUri names, from Partner Center itself: another host is never contacted, path tricks name nothing', async () => {
    await start();
    const elsewhere: string[] = [];
    const other: Server = createServer((req, res) => {
      elsewhere.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as AddressInfo).port;
    try {
      // Another host, with a watched customer's subscription in the path: the ids are read where the bot reads
      // everything (the configured Partner Center); the URL itself is never fetched.
      expect(await send(withUri(`http://127.0.0.1:${port}/v1/customers/${CONTOSO}/subscriptions/${NCE}`))).toEqual({ status: 200, body: '' });
      await until(() => settled().length === 1);
      expect(requests()).toEqual([`GET /v1/customers/${CONTOSO}/subscriptions/${NCE}`]);
      // Tricks: dot segments to a customer nobody watches, encoded ones, an id that is not one, a query, a fragment.
      const tricks = [
        `https://api.partnercenter.microsoft.com/v1/customers/${CONTOSO}/subscriptions/${NCE}/../../../../customers/${FABRIKAM}/subscriptions/${FABRIKAM_NCE}`,
        `https://api.partnercenter.microsoft.com/v1/customers/${CONTOSO}/subscriptions/%2e%2e`,
        `https://api.partnercenter.microsoft.com/v1/customers/${CONTOSO}/subscriptions/..%2f..%2fcustomers%2f${FABRIKAM}`,
        `https://api.partnercenter.microsoft.com/v1/customers/${CONTOSO}/subscriptions/not-a-subscription`,
        `https://api.partnercenter.microsoft.com/v1/customers/${FABRIKAM}/subscriptions/${FABRIKAM_NCE}?then=/customers/${CONTOSO}/subscriptions/${NCE}`,
        `https://api.partnercenter.microsoft.com/v1/customers/${FABRIKAM}/subscriptions/${FABRIKAM_NCE}#/customers/${CONTOSO}/subscriptions/${NCE}`,
        `javascript:alert(1)//customers/${CONTOSO}/subscriptions/${NCE}`,
        'not a url',
      ];
      for (const uri of tricks) expect(await send(withUri(uri))).toEqual({ status: 200, body: '' });
      await new Promise((r) => setTimeout(r, 300));
      expect(requests()).toEqual([`GET /v1/customers/${CONTOSO}/subscriptions/${NCE}`]);
      expect(elsewhere).toEqual([]);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('a subscription the setter can no longer read, or another customer\'s under a watched one: nothing recorded, no customer data logged, the bot keeps serving', async () => {
    await start();
    const path = `/v1/customers/${CONTOSO}/subscriptions/${NCE}`;
    pc().injectFault({ method: 'GET', path, status: 403, body: { code: '900', description: 'The user does not have access to this customer.' } });
    expect(await send(subscriptionUpdated(CONTOSO, NCE))).toEqual({ status: 200, body: '' });
    // Fabrikam's subscription under Contoso's id: Partner Center answers 404.
    expect(await send(subscriptionUpdated(CONTOSO, FABRIKAM_NCE))).toEqual({ status: 200, body: '' });
    await until(() => settled().length === 2);
    expect(settled().every((l) => l.includes('"msg":"webhook re-read failed; polling will see the change"'))).toBe(true);
    expect(requests().filter((r) => !r.startsWith('GET '))).toEqual([]);
    // What the webhook route writes about these events (turn lines are another matter: see the report).
    const said = logs.lines().filter((l) => l.includes('"component":"webhooks"')).join('\n').toLowerCase();
    for (const id of [CONTOSO, NCE, FABRIKAM_NCE]) expect(said).not.toContain(id);
    expect(await bot.running.notifier.cycle()).toMatchObject({ delivered: 0 });
    // Still serving: a command answers, and the next event is read and recorded.
    await bot.say('help');
    expect(bot.take().length).toBeGreaterThan(0);
    pc().data.subscriptions.find((s) => s.resource.id === NCE)!.resource.quantity = 40;
    await send(subscriptionUpdated(CONTOSO, NCE));
    await until(() => settled().length === 3);
    expect(settled()[2]).toContain('"msg":"webhook event re-read"');
    expect(await bot.running.notifier.cycle()).toMatchObject({ delivered: 1 });
    expect(textOf(cardOf(bot.take().at(-1)))).toMatch(/Seats: \d+ → 40/);
  });

  it('1,000 events at once for watched subscriptions: every one answered, at most the budget\'s burst read before time moves, the rest within the share a minute, and a bounded backlog', async () => {
    const clock = new ManualClock(Date.now());
    // 60 a minute: a burst of 6, then 54 over the minute (src/partner-center/budget.ts).
    await start({ PARTNER_CENTER_BUDGET_PER_MINUTE: '60' }, { clock, webhookMaxWaiting: 200 });
    const ids = Array.from({ length: 1_000 }, (_, i) => (i === 0 ? NCE : randomUUID()));
    const answers: number[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      const chunk = await Promise.all(ids.slice(i, i + 50).map((id) => send(subscriptionUpdated(CONTOSO, id))));
      answers.push(...chunk.map((r) => r.status));
    }
    expect(answers.filter((s) => s === 200)).toHaveLength(1_000);
    // Time has not moved: Partner Center got the burst and not one read more.
    await new Promise((r) => setTimeout(r, 200));
    expect(requests().filter((r) => r.startsWith('GET '))).toHaveLength(6);
    // At most 200 waiting plus one batch of 50 being read: the others are left to polling, and said so.
    const dropped = logs.lines().filter((l) => l.includes('"msg":"webhook backlog full; the event is left to polling"')).length;
    expect(dropped).toBeGreaterThanOrEqual(1_000 - 200 - 50);
    // A minute passes, second by second: within the share (burst + refill), never more.
    for (let s = 0; s < 60; s++) {
      clock.advance(1_000);
      await new Promise((r) => setTimeout(r, 10));
    }
    const gets = requests().filter((r) => r.startsWith('GET ')).length;
    expect(gets).toBeGreaterThan(6);
    expect(gets).toBeLessThanOrEqual(60);
    expect(requests().filter((r) => !r.startsWith('GET '))).toEqual([]);
    await bot.say('help');
    expect(bot.take().length).toBeGreaterThan(0);
  });
});
