/**
 * The activity log as a change source, against the sandbox over real HTTP, the bot over the Bot Framework
 * protocol, and a clock the test holds (shared by the bot and the sandbox):
 * - a change made outside the bot (the "portal": another user calling Partner Center directly) is announced
 *   after one read of the log and one read of the subscription;
 * - a change Microsoft makes (no record in the log) is announced by the sweep, once its interval has passed;
 * - the cursor and the sweep's last run survive a restart; two instances read a setter's log once a cycle;
 * - a setter whose role cannot read the log (403) has their watches polled every cycle, and `watches` says so.
 */
import { SEED } from '../../dev/sandbox';
import { sourcesWithActivityLog } from '../../src/notifications/activity-source';
import { Leases } from '../../src/notifications/leases';
import { Notifier } from '../../src/notifications/notifier';
import { silentLogger } from '../../src/logging/logger';
import { HeldClock } from '../support/fake-clock';
import { cardOf, GROUP, startTestBot, TENANT, textOf, type TestBot } from '../support/teams';

const NCE = SEED.subscriptions.contosoNce.id;
const LEGACY = SEED.subscriptions.contosoLegacy.id;
const CONTOSO = SEED.customers.contoso.id;
const SWEEP_MS = 30 * 60_000;
const PORTAL_USER = { oid: 'c3c3c3c3-0000-4000-8000-000000000003', tid: TENANT, name: 'Pat Portal', upn: 'pat.portal@litwarecsp.com' };

describe('the activity log as a change source, with a sweep', () => {
  let bot: TestBot;
  let clock: HeldClock;
  beforeEach(async () => {
    clock = new HeldClock();
    bot = await startTestBot({}, { notifierAutoStart: false, clock, sandbox: { now: clock.now, asyncSubscriptionUpdates: 'never' } });
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const sub = (id: string) => pc().data.subscriptions.find((s) => s.resource.id === id)!.resource;
  const posts = () => bot.take().filter((c) => c.method === 'POST').map((c) => textOf(cardOf(c)));
  /** Partner Center requests since the last call, as "METHOD path". */
  const calls = () => pc().requests.splice(0).map((r) => `${r.method} ${r.path}`);
  const cycle = () => bot.running.notifier.cycle();

  /** Someone changes the seats in the Partner Center portal: a direct call to Partner Center as another user. */
  async function portalSetSeats(subscriptionId: string, quantity: number): Promise<void> {
    const authority = bot.running.authority!;
    authority.user({ ...PORTAL_USER, mfa: true, consented: true });
    const token = authority.mintSsoToken(PORTAL_USER.oid, 'https://api.partnercenter.microsoft.com');
    const url = `${pc().url}/v1/customers/${CONTOSO}/subscriptions/${subscriptionId}`;
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' };
    const current = (await (await fetch(url, { headers })).json()) as Record<string, unknown> & { attributes?: { etag?: string } };
    const res = await fetch(url, { method: 'PATCH', headers: { ...headers, 'if-match': `"${current.attributes?.etag}"` }, body: JSON.stringify({ ...current, quantity }) });
    expect(res.status).toBe(200);
  }

  async function watchContoso(): Promise<void> {
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    bot.take();
    await cycle(); // the first cycle lists the customer in full (the setter's first sweep) and starts the cursor
    expect(posts()).toEqual([]);
    calls();
  }

  it('announces a change made in the portal after one read of the log and one read of the subscription', async () => {
    await watchContoso();
    await cycle();
    const [read] = pc().requests;
    expect(JSON.parse(read!.query.filter!)).toEqual({ Field: 'ResourceType', Value: 'Subscription', Operator: 'equals' });
    expect(calls()).toEqual(['GET /v1/auditrecords']); // nothing changed: one call, not one per customer

    await portalSetSeats(NCE, 30);
    // The log records who made it: the sandbox logs writes from any client.
    expect(pc().data.auditRecords.at(-1)?.resource).toMatchObject({ customerId: CONTOSO, userPrincipalName: PORTAL_USER.upn, operationType: 'update_subscription' });
    calls();
    await cycle();
    expect(calls()).toEqual(['GET /v1/auditrecords', `GET /v1/customers/${CONTOSO}/subscriptions/${NCE}`]);
    expect(posts()).toEqual([expect.stringMatching(/Seats: 25 → 30/)]);

    await cycle(); // the cursor moved past the record: it is not read again
    expect(calls()).toEqual(['GET /v1/auditrecords']);
    expect(posts()).toEqual([]);
  });

  it('announces a change Microsoft makes (absent from the log) at the next sweep, on the held clock', async () => {
    await watchContoso();
    sub(LEGACY).status = 'suspended'; // e.g. a suspension for non-payment: Partner Center's log has no record of it
    await cycle();
    expect(calls()).toEqual(['GET /v1/auditrecords']);
    expect(posts()).toEqual([]);

    clock.advance(SWEEP_MS - 60_000); // a margin: the held clock also moves with real time
    await cycle();
    expect(calls()).toEqual(['GET /v1/auditrecords']);
    expect(posts()).toEqual([]);

    clock.advance(60_000); // the sweep is due: every watched customer is listed
    await cycle();
    expect(calls().sort()).toEqual([`GET /v1/customers/${CONTOSO}/subscriptions`, 'GET /v1/auditrecords'].sort());
    expect(posts()).toEqual([expect.stringMatching(/Status: Active → Suspended/)]);

    await cycle(); // and not again before another interval
    expect(calls()).toEqual(['GET /v1/auditrecords']);
  });

  it('spreads the sweep over the interval: with 3 customers and 60 s cycles, one customer a cycle, in id order', async () => {
    const C = SEED.customers;
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    await bot.say('watch subs adatum.onmicrosoft.com', { conversation: GROUP });
    await bot.say('watch subs wingtiptoys.onmicrosoft.com', { conversation: GROUP });
    bot.take();
    calls();
    await cycle(); // the setter's first sweep lists the three at once
    expect(calls().filter((c) => c.endsWith('/subscriptions')).length).toBe(3);
    const listed = async () => {
      await cycle();
      return calls().filter((c) => c !== 'GET /v1/auditrecords');
    };
    clock.advance(SWEEP_MS);
    const order = [C.adatum.id, C.wingtip.id, C.contoso.id].sort();
    for (const id of order) expect(await listed()).toEqual([`GET /v1/customers/${id}/subscriptions`]);
    expect(await listed()).toEqual([]); // swept: nothing until the next interval, counted from when this sweep began
    clock.advance(SWEEP_MS - 60_000); // (the held clock moves with real time only: a margin for a loaded machine)
    expect(await listed()).toEqual([]);
    clock.advance(60_000);
    expect(await listed()).toEqual([`GET /v1/customers/${order[0]}/subscriptions`]);
  });

  it('brings a quiet cursor up to a day ago, so old days are not read again every cycle', async () => {
    await watchContoso();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const startDates = () => pc().requests.splice(0).filter((r) => r.path === '/v1/auditrecords').map((r) => r.query.startDate);
    const watchedOn = day(clock.now());
    clock.advance(8 * 86_400_000); // a week without a subscription record
    await cycle();
    expect(startDates()).toEqual([watchedOn]); // read from the cursor's day: nothing new
    await cycle();
    expect(startDates()).toEqual([day(clock.now() - 86_400_000)]);
  });

  /** Another notifier on the same store, with nothing in memory: a restart, or a second instance. */
  const instance = (id: string) => {
    const { store, client, identity, sender } = bot.running;
    const leases = new Leases(store, id, clock, 90_000);
    const sources = sourcesWithActivityLog({ client, tokens: identity!, clock, logger: silentLogger, store, sweepMs: SWEEP_MS, intervalMs: 60_000, leases });
    return new Notifier({ store, client, tokens: identity!, sender, leases, clock, logger: silentLogger, intervalMs: 60_000, sources });
  };

  it('keeps the cursor and the last sweep across a restart: no sweep, nothing announced twice, nothing missed', async () => {
    await watchContoso();
    await portalSetSeats(LEGACY, 12);
    await cycle();
    expect(posts()).toEqual([expect.stringMatching(/Seats: 15 → 12/)]);
    await bot.running.notifier.stop();

    await portalSetSeats(NCE, 32); // while the bot is down
    calls();
    const next = instance('instance-2');
    await next.cycle();
    // One read of the log from the stored cursor, and the one subscription named since: no sweep, and not
    // the other subscription, whose record the cursor had passed (from the last sweep both would be named).
    expect(calls()).toEqual(['GET /v1/auditrecords', `GET /v1/customers/${CONTOSO}/subscriptions/${NCE}`]);
    expect(posts()).toEqual([expect.stringMatching(/Seats: 25 → 32/)]);
    await next.cycle();
    expect(calls()).toEqual(['GET /v1/auditrecords']);
    expect(posts()).toEqual([]);
    await next.stop();
  });

  it('two instances on one store read a setter’s log once per cycle, and announce a change once', async () => {
    await watchContoso();
    await bot.running.notifier.stop();
    const a = instance('instance-a');
    const b = instance('instance-b');
    // Until the partitions are split between them (the first takes them all, then gives half back).
    let split: number[] = [];
    for (let i = 0; i < 20 && split.join() !== '8,8'; i++) split = (await Promise.all([a.cycle(), b.cycle()])).map((r) => r.shards).sort();
    expect(split).toEqual([8, 8]);
    calls();
    for (let round = 0; round < 3; round++) {
      await Promise.all([a.cycle(), b.cycle()]);
      expect(calls()).toEqual(['GET /v1/auditrecords']);
    }
    await portalSetSeats(NCE, 27);
    calls();
    await Promise.all([a.cycle(), b.cycle()]);
    expect(calls()).toEqual(['GET /v1/auditrecords', `GET /v1/customers/${CONTOSO}/subscriptions/${NCE}`]);
    await Promise.all([a.cycle(), b.cycle()]);
    expect(posts()).toEqual([expect.stringMatching(/Seats: 25 → 27/)]);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('falls back to polling every cycle when the setter’s role cannot read the log, says so in `watches`, and tries the log again after a sweep interval', async () => {
    await watchContoso();
    pc().injectFault({ method: 'GET', path: '/v1/auditrecords', status: 403, body: { code: '2000', description: 'Forbidden' } });
    await cycle();
    expect(calls()).toEqual(['GET /v1/auditrecords']);

    sub(LEGACY).status = 'suspended'; // not in the log, and no sweep due: only polling sees it
    await cycle();
    expect(calls()).toEqual([`GET /v1/customers/${CONTOSO}/subscriptions`]); // the log is not asked again meanwhile
    expect(posts()).toEqual([expect.stringMatching(/Status: Active → Suspended/)]);

    await bot.say('watches', { conversation: GROUP });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/the subscriptions of Contoso Ltd[\s\S]*Active, read in full every cycle: Alice Admin's Partner Center role cannot read the activity log/);

    clock.advance(SWEEP_MS); // the log is tried again (it answers now), with the sweep
    await cycle();
    expect(calls().sort()).toEqual([`GET /v1/customers/${CONTOSO}/subscriptions`, 'GET /v1/auditrecords'].sort());
    await cycle();
    expect(calls()).toEqual(['GET /v1/auditrecords']); // back to the log alone
    await bot.say('watches', { conversation: GROUP });
    expect(textOf(cardOf(bot.take()[0]))).not.toMatch(/every cycle/);
  });
});
