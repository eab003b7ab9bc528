/**
 * The daily deadlines digest (`watch deadlines`), through the Bot Framework protocol, on the sandbox, with
 * the bot and the sandbox on one clock the test holds (real waits, time moved by the test): it posts at the
 * hour and not before, once a day, again the next day; nothing on a day with nothing due (the run is still
 * recorded, and `watches` shows it); once with two instances; once across a restart, and once after a crash
 * mid-run; `unwatch` stops it; a setter who can no longer get a token pauses it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startSandboxServices, type SandboxServices } from '../../dev/compose';
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { digestKey, POSTING_STALE_MS, type DigestDay } from '../../src/notifications/digest';
import { KeyValueStore } from '../../src/storage';
import { FileStateStore } from '../../src/storage/file';
import { HeldClock } from '../support/fake-clock';
import { ALICE, CHANNEL, GROUP, TENANT, cardOf, executeActions, startTestBot, textOf, type ConnectorCall, type Conversation, type TestBot } from '../support/teams';
import { until } from '../support/until';
import { captureLogs } from '../support/log-capture';
import { translator } from '../../src/i18n';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CHANNEL_ROOT = CHANNEL.id.split(';')[0]!;

/** Waits for a digest card posted after the connector's `since`-th call. */
async function nextDigest(bot: TestBot, since: number): Promise<void> {
  await until(() => digests(bot.connector.calls.slice(since)).length > 0, 10_000);
}

/** The digest cards a connector received. */
const digests = (calls: ConnectorCall[]) => calls.filter((c) => c.method === 'POST' && c.activity.attachments?.length && /^Deadlines on /.test(textOf(cardOf(c))));

/** A clock at 06:30 UTC tomorrow (real time goes on from there; the test moves it further). */
function clockAt0630(): HeldClock {
  const clock = new HeldClock();
  const d = new Date(Date.now() + DAY);
  clock.advance(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 6, 30) - Date.now());
  return clock;
}

/** The text `watches` answers in a conversation. */
async function listed(bot: TestBot, conversation: Conversation): Promise<string> {
  const mark = bot.connector.calls.length;
  await bot.say('watches', { conversation });
  return textOf(cardOf(bot.connector.calls.slice(mark).find((c) => c.activity.attachments?.length)));
}

/** Polls `watches` until it shows `pattern` (a digest's run ends beside the cycle that started it). */
async function untilListed(bot: TestBot, conversation: Conversation, pattern: RegExp, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = await listed(bot, conversation);
    if (pattern.test(text) || Date.now() > end) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the daily deadlines digest', () => {
  let bot: TestBot;
  let clock: HeldClock;
  const pc = () => bot.running.sandbox!;
  const reads = () => pc().requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/customers')).length;
  const cycle = () => bot.running.notifier.cycle();

  beforeEach(async () => {
    clock = clockAt0630();
    bot = await startTestBot({ DIGEST_HOUR_UTC: '7' }, { notifierAutoStart: false, clock, sandbox: { now: clock.now } });
  });
  afterEach(() => bot.close());

  it('posts one card at the hour, not before, once that day and again the next; `watches` shows its last run; `unwatch` stops it', async () => {
    await bot.say('watch deadlines', { conversation: CHANNEL });
    const set = textOf(cardOf(bot.take()[0]));
    expect(set).toMatch(/Daily deadlines digest set here \(watch w-[0-9a-f]{8}\)\. Every day at 7:00 AM UTC I will post the renewals within 7 days and the windows closing within 48 hours/);
    expect(set).toMatch(/The first is on .+7:00 AM UTC\./);
    const id = /watch (w-[0-9a-f]{8})/.exec(set)![1]!;

    // 06:30: not yet, and nothing is read.
    const before = reads();
    await cycle();
    await new Promise((r) => setTimeout(r, 300));
    expect(digests(bot.take())).toHaveLength(0);
    expect(reads()).toBe(before);

    // 07:01: one card, in the channel, read across every customer within the budget (1 list + 1 per customer).
    clock.advance(31 * MINUTE);
    await cycle();
    await until(() => digests(bot.connector.calls).length > 0, 10_000);
    const [first] = digests(bot.take());
    expect(first!.conversationId).toBe(CHANNEL_ROOT);
    const text = textOf(cardOf(first));
    // The window closing in 20 hours is in it; the one closing in 3 days and the renewals in 10 days are not.
    expect(text).toMatch(/Windows closing in the next 48 hours\nWingtip Toys\nMicrosoft 365 Business Basic\n6 seats · 1 month · Monthly\n6 seats can still be removed until .+ UTC\nCan be cancelled until .+ UTC/);
    expect(text).not.toContain('Microsoft Teams Rooms Pro');
    expect(text).not.toContain('Renewals in the next');
    expect(text).toMatch(new RegExp(`Watch ${id}, set by Alice Admin`));
    const actions = executeActions(cardOf(first));
    expect(actions.find((a) => a.title === 'Cancel the subscription')).toMatchObject({ verb: VERB.subStatus, data: { subscriptionId: SEED.subscriptions.wingtipClosingSoon.id, status: 'deleted' } });
    expect(actions.find((a) => a.title === 'Stop watching')).toMatchObject({ verb: VERB.watchRemove, data: { watchId: id } });
    const customers = Object.values(SEED.customers).filter((c) => c.id !== SEED.customers.northwind.id).length;
    expect(reads() - before).toBe(1 + customers);

    // Later that day: nothing more, and nothing read.
    const afterFirst = reads();
    clock.advance(3 * HOUR);
    await cycle();
    await cycle();
    await new Promise((r) => setTimeout(r, 300));
    expect(digests(bot.take())).toHaveLength(0);
    expect(reads()).toBe(afterFirst);
    expect(await listed(bot, CHANNEL)).toMatch(new RegExp(`${id} · the daily deadlines digest \\(renewals within 7 days, windows closing within 48 hours\\)\\nSet by Alice Admin on .+ · Last run .+ UTC: posted 1 deadline · Next: .+ UTC\\nActive`));

    // The next day at 07:01: the seats added 4 days before the first run close within 48 hours now.
    clock.advance(DAY - 3 * HOUR);
    const since = bot.connector.calls.length;
    await cycle();
    await nextDigest(bot, since);
    const second = textOf(cardOf(digests(bot.take())[0]));
    expect(second).toMatch(/Microsoft Teams Rooms Pro\n14 seats · 1 year · Annual\n4 seats can still be removed until .+ UTC\nOpen\nRemove 4 seats/);
    expect(second).not.toContain('Microsoft 365 Business Basic'); // that window closed overnight

    // unwatch: the next day posts nothing, and reads nothing.
    await bot.say(`unwatch ${id}`, { conversation: CHANNEL });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(new RegExp(`Watch ${id} stopped: the daily deadlines digest`));
    const stopped = reads();
    clock.advance(DAY);
    await cycle();
    await new Promise((r) => setTimeout(r, 300));
    expect(digests(bot.take())).toHaveLength(0);
    expect(reads()).toBe(stopped);
  }, 60_000);

  it('posts nothing on a day with nothing due, and records the run; renewals within its days are in it', async () => {
    await bot.say('watch deadlines 14', { conversation: GROUP });
    bot.take();
    // A partner whose customers have nothing due: every subscription's term far off, no window open.
    const subs = pc().data.subscriptions.splice(0);
    clock.advance(31 * MINUTE);
    await cycle();
    const text = await untilListed(bot, GROUP, /Last run/);
    expect(text).toMatch(/renewals within 14 days[\s\S]*Last run .+ UTC: nothing was due, so nothing was posted/);
    expect(digests(bot.take())).toHaveLength(0);

    // The next day the book is back: the renewals within 14 days are in the card, soonest first.
    pc().data.subscriptions.push(...subs);
    clock.advance(DAY);
    const since = bot.connector.calls.length;
    await cycle();
    await nextDigest(bot, since);
    const card = textOf(cardOf(digests(bot.take())[0]));
    expect(card).toMatch(/Renewals in the next 14 days\nContoso Hotels\n/);
    expect(card).toContain('Does not renew: auto-renew is off');
  }, 60_000);

  it('speaks the setter\'s language with plurals, in the time zone Teams gave when it was set; refuses days out of range', async () => {
    await bot.say('watch deadlines 1', { conversation: GROUP, locale: 'fr-FR', timezone: 'Europe/Paris' });
    const set = textOf(cardOf(bot.take()[0]));
    expect(set).toMatch(/Chaque jour à 07:00 UTC, je publierai les renouvellements du prochain jour et les fenêtres/);
    expect(set).toMatch(/Le premier sera publié le .+08:00 UTC\+1\./);
    await bot.say('watch deadlines 91', { conversation: GROUP });
    expect(bot.take()[0]!.activity.text).toMatch(/"91" is not a valid «days»\.[\s\S]*watch deadlines \[«days»\]/);
    await bot.say('watch deadlines', { conversation: GROUP });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Already watching the daily deadlines digest \(renewals within 1 day,/);
    clock.advance(31 * MINUTE);
    await cycle();
    const french = (calls: ConnectorCall[]) => calls.filter((c) => c.activity.attachments?.length && /^Échéances du /.test(textOf(cardOf(c))));
    await until(() => french(bot.connector.calls).length > 0, 10_000);
    const card = textOf(cardOf(french(bot.take())[0]));
    expect(card).toMatch(/Fenêtres qui se ferment dans les 48 heures à venir\nWingtip Toys/);
    // Dates in the setter's zone, named: the window seeded at 06:30 UTC + 20 hours closes at 03:30 in Paris.
    expect(card).toMatch(/6 licences peuvent encore être supprimées jusqu'au .+03:30 UTC\+1/);
  }, 60_000);

  it('pauses when its setter can no longer get a token (the pause card, once), and posts once they sign in', async () => {
    await bot.say('watch deadlines', { conversation: CHANNEL });
    const id = /watch (w-[0-9a-f]{8})/.exec(textOf(cardOf(bot.take()[0])))![1]!;
    await bot.running.identity!.signOut({ id: ALICE.aadObjectId, tenantId: TENANT, name: ALICE.name });
    clock.advance(31 * MINUTE);
    await cycle();
    await until(() => bot.connector.calls.some((c) => /is paused/.test(JSON.stringify(c.activity))), 10_000);
    await cycle();
    await new Promise((r) => setTimeout(r, 300));
    const paused = bot.take();
    expect(paused).toHaveLength(1);
    expect(textOf(cardOf(paused[0]))).toMatch(new RegExp(`Watch ${id} is paused[\\s\\S]*Alice Admin needs to sign in[\\s\\S]*Sign in and resume`));
    const r = await bot.execute(VERB.watchResume, { watchId: id }, { conversation: CHANNEL });
    expect(textOf(r.body.value)).toMatch(`Watch ${id} is active again`);
    bot.take();
    await cycle();
    await until(() => digests(bot.connector.calls).length > 0, 10_000);
    expect(digests(bot.take())).toHaveLength(1);
  }, 60_000);
});

describe('the digest across instances, restarts and crashes (one store, one sandbox)', () => {
  let services: SandboxServices;
  let dir: string;
  let clock: HeldClock;
  const bots: TestBot[] = [];
  /** Instances whose bot was stopped (a restart) but whose connector, Teams, is still up. */
  const stopped: TestBot[] = [];
  const instance = async (id: string) => {
    const b = await startTestBot(
      { INSTANCE_ID: id, DIGEST_HOUR_UTC: '7', NOTIFY_INTERVAL_MS: '60000', NOTIFY_LEASE_MS: '90000' },
      { state: new FileStateStore(dir), sandboxServices: services, notifierAutoStart: false, clock },
    );
    bots.push(b);
    return b;
  };
  const allDigests = () => bots.flatMap((b) => digests(b.connector.calls));

  beforeEach(async () => {
    clock = clockAt0630();
    services = await startSandboxServices(loadConfig({}), { now: clock.now });
    dir = mkdtempSync(path.join(tmpdir(), 'digest-'));
  });
  afterEach(async () => {
    for (const b of bots.splice(0)) {
      if (stopped.includes(b)) await b.connector.close();
      else await b.close();
    }
    stopped.length = 0;
    await services.sandbox.close();
    await services.authority.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts once with two instances cycling at once, and once across a restart', async () => {
    const a = await instance('instance-a');
    const b = await instance('instance-b');
    await a.say('watch deadlines', { conversation: CHANNEL });
    clock.advance(31 * MINUTE);
    for (let i = 0; i < 5; i++) await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()]);
    await until(() => allDigests().length > 0, 10_000);
    for (let i = 0; i < 3; i++) await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()]);
    await new Promise((r) => setTimeout(r, 500));
    expect(allDigests()).toHaveLength(1);

    // Both stop; a new instance on the same store, the same day: nothing more. The next day: one.
    // Both stop (Teams, the connector, stays); a new instance on the same store, the same day: nothing more.
    await a.running.stop();
    await b.running.stop();
    stopped.push(a, b);
    const c = await instance('instance-c');
    const since = a.connector.calls.length;
    await c.running.notifier.cycle();
    await new Promise((r) => setTimeout(r, 500));
    expect(digests(a.connector.calls.slice(since))).toHaveLength(0);
    // The next day: one, in the conversation the watch was set in (the connector instance A answered for).
    clock.advance(DAY);
    await c.running.notifier.cycle();
    await c.running.notifier.cycle();
    await nextDigest(a, since);
    await c.running.notifier.cycle();
    await new Promise((r) => setTimeout(r, 300));
    expect(digests(a.connector.calls.slice(since))).toHaveLength(1);
    expect(digests(c.connector.calls)).toHaveLength(0);
  }, 60_000);

  it('after a crash: a day claimed while reading is posted once; one crashed while posting is posted again only once its post is stale', async () => {
    const a = await instance('instance-a');
    await a.say('watch deadlines', { conversation: CHANNEL });
    const id = /watch (w-[0-9a-f]{8})/.exec(textOf(cardOf(a.take()[0])))![1]!;
    clock.advance(31 * MINUTE);
    const store = new KeyValueStore(new FileStateStore(dir), clock);
    const today = new Date(clock.now()).toISOString().slice(0, 10);
    // An instance that died reading today's digest left its claim.
    await store.put<DigestDay>(digestKey(id, today), { state: 'claimed', at: clock.now() - MINUTE, by: 'instance-dead', attempts: 1, claim: 'x' });
    await a.running.notifier.cycle();
    await until(() => digests(a.connector.calls).length > 0, 10_000);
    await a.running.notifier.cycle();
    await new Promise((r) => setTimeout(r, 300));
    expect(digests(a.take())).toHaveLength(1);

    // The next day, another instance died in the middle of posting: the card may be in Teams already, so
    // nothing is posted while that post could still be in flight; after that it is posted (at least once).
    clock.advance(DAY);
    const tomorrow = new Date(clock.now()).toISOString().slice(0, 10);
    await store.put<DigestDay>(digestKey(id, tomorrow), { state: 'posting', at: clock.now() - MINUTE, by: 'instance-dead', attempts: 1, claim: 'y' });
    await a.running.notifier.cycle();
    await new Promise((r) => setTimeout(r, 500));
    expect(digests(a.take())).toHaveLength(0);
    clock.advance(POSTING_STALE_MS);
    const since = a.connector.calls.length;
    await a.running.notifier.cycle();
    await nextDigest(a, since);
    await a.running.notifier.cycle();
    await new Promise((r) => setTimeout(r, 300));
    expect(digests(a.take())).toHaveLength(1);
    expect((await store.get<DigestDay>(digestKey(id, tomorrow)))?.value).toMatchObject({ state: 'posted', attempts: 2, by: 'instance-a' });
  }, 60_000);
});

describe('when a digest posts next, and what its runs cost', () => {
  let bot: TestBot;
  let clock: HeldClock;
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(async () => {
    clock = clockAt0630();
    logs = captureLogs('info');
    bot = await startTestBot({ DIGEST_HOUR_UTC: '7' }, { notifierAutoStart: false, clock, sandbox: { now: clock.now } }, logs.logger);
  });
  afterEach(() => bot.close());
  const reads = () => bot.running.sandbox!.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/customers')).length;
  /** An instant as an English reader sees it in UTC (the way every card of the bot writes one). */
  const utc = (ms: number) => translator('en-US').dateTime(new Date(ms).toISOString());

  it('`watches` says when each digest posts next, in the zone it was set in; each run logs one line with its calls, and the cycle report counts them', async () => {
    const seven = clock.now() + 30 * MINUTE;
    await bot.say('watch deadlines', { conversation: CHANNEL });
    await bot.say('watch deadlines', { conversation: GROUP, timezone: 'Europe/Paris' });
    bot.take();
    // Before its first run: today's hour, in UTC; the one set from Paris says it at 8:00 Paris time.
    expect(await listed(bot, CHANNEL)).toContain(`Next: ${utc(seven)}\nActive`);
    expect(await listed(bot, CHANNEL)).not.toContain('Last run');
    expect(await listed(bot, GROUP)).toMatch(/Next: .+8:00 AM GMT\+1\nActive/);

    // 07:01, before the cycle has run it: due now.
    clock.advance(31 * MINUTE);
    expect(await listed(bot, CHANNEL)).toContain(`Next: now, at the next check (it was due ${utc(seven)})`);

    const before = reads();
    const first = await bot.running.notifier.cycle();
    expect(first.digests).toEqual({ runs: 0, partnerCenterCalls: 0 }); // the runs have only started
    await until(() => logs.lines().filter((l) => l.includes('deadlines digest run')).length === 2, 10_000);
    const calls = reads() - before;
    const runs = logs.lines().filter((l) => l.includes('deadlines digest run')).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of runs) expect(r).toMatchObject({ level: 30, outcome: 'posted', rows: 1, unreadCustomers: 0 });
    expect(runs.map((r) => r.partnerCenterCalls as number).reduce((a, b) => a + b)).toBe(calls);
    expect(calls).toBeGreaterThan(2);
    // Counts, not customers: no name, domain or subscription id in the lines.
    const text = JSON.stringify(runs);
    for (const secret of [SEED.customers.wingtip.domain, 'Wingtip', SEED.subscriptions.wingtipClosingSoon.id, 'Alice']) expect(text).not.toContain(secret);
    // The next cycle's report holds the runs that ended since the previous one; the one after, none again.
    expect((await bot.running.notifier.cycle()).digests).toEqual({ runs: 2, partnerCenterCalls: calls });
    expect((await bot.running.notifier.cycle()).digests).toEqual({ runs: 0, partnerCenterCalls: 0 });

    // Once today's has posted: tomorrow's hour.
    expect(await untilListed(bot, CHANNEL, /Last run/)).toContain(`posted 1 deadline · Next: ${utc(seven + DAY)}\nActive`);
  }, 60_000);
});
