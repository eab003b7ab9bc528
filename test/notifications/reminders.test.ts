/**
 * Reminders, over the Bot Framework protocol, on the sandbox, with the bot's clock and the sandbox's held by
 * the test (time moves only when the test says): a seat add through the bot is reminded once, a window
 * lead before its window closes, in the conversation where it was made, naming the person; nothing is posted
 * when the seats were removed first; a restart between scheduling and posting loses nothing, and two
 * instances on one store post once; a watched subscription renewing within the renewal lead with auto-renew
 * on is reminded, and one with auto-renew off is not.
 */
import { SEED } from '../../dev/sandbox';
import { refundableQuantityView } from '../../dev/sandbox/subscription-rules';
import { VERB } from '../../src/cards/verbs';
import { Leases } from '../../src/notifications/leases';
import { Notifier } from '../../src/notifications/notifier';
import { silentLogger } from '../../src/logging/logger';
import { HeldClock } from '../support/fake-clock';
import { until } from '../support/until';
import { CHANNEL, PERSONAL, cardOf, executeActions, startTestBot, textOf, type ConnectorCall, type TestBot } from '../support/teams';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const S = SEED.subscriptions;
const WINGTIP = SEED.customers.wingtip.domain;
const HOTELS = SEED.customers.contosoHotels.domain;
const CHANNEL_ROOT = CHANNEL.id.split(';')[0]!;

const posts = (calls: ConnectorCall[]) => calls.filter((c) => c.method === 'POST' && !c.activityId);
const reminders = (calls: ConnectorCall[]) => posts(calls).filter((c) => /can still be removed|renews automatically/.test(textOf(cardOf(c))));

describe('reminders before a seat window closes and before a renewal', () => {
  let bot: TestBot;
  let clock: HeldClock;
  const others: Notifier[] = [];
  beforeEach(async () => {
    clock = new HeldClock();
    bot = await startTestBot({}, { notifierAutoStart: false, clock, sandbox: { now: clock.now } });
  });
  afterEach(async () => {
    for (const n of others.splice(0)) await n.stop();
    await bot.close();
  });
  const pc = () => bot.running.sandbox!;
  const sub = (id: string) => pc().data.subscriptions.find((s) => s.resource.id === id)!;
  const cycle = () => bot.running.notifier.cycle();
  /** Another instance on the same store, with nothing in memory (a restart, or a second instance). */
  const instance = (id: string) => {
    const { store, client, identity, sender } = bot.running;
    const n = new Notifier({ store, client, tokens: identity!, sender, leases: new Leases(store, id, clock, 90_000), clock, logger: silentLogger, intervalMs: 60_000 });
    others.push(n);
    return n;
  };
  /** Adds 5 seats to Wingtip's Teams Rooms Pro (14 today) in the channel; returns when its window closes. */
  const addSeats = async () => {
    expect(sub(S.wingtipFewDays.id).resource.quantity).toBe(14);
    await bot.say(`sub set ${WINGTIP} ${S.wingtipFewDays.id} quantity=19`, { conversation: CHANNEL });
    expect(textOf(cardOf(bot.take().at(-1)))).toMatch(/Seats: 14 → 19/);
    const { details } = refundableQuantityView(sub(S.wingtipFewDays.id), clock.now());
    const newest = details.map((d) => Date.parse(d.allowedUntilDateTime)).sort().at(-1)!;
    expect(newest).toBeGreaterThan(clock.now() + 6 * DAY); // the sandbox states the new batch's window
    return newest;
  };

  it('posts once, 24 hours before the window closes, in the channel, naming the person, with a Remove button', async () => {
    const closes = await addSeats();
    await cycle();
    expect(reminders(bot.take())).toHaveLength(0);
    clock.advance(closes - 24 * HOUR - clock.now() - 60_000); // a minute before it is due
    await cycle();
    expect(reminders(bot.take())).toHaveLength(0);
    clock.advance(2 * 60_000);
    await cycle();
    const [reminder, ...more] = reminders(bot.take());
    expect(more).toHaveLength(0);
    expect(reminder).toMatchObject({ conversationId: CHANNEL_ROOT });
    const text = textOf(cardOf(reminder));
    expect(text).toMatch(/Alice Admin added 5 seats to Wingtip Toys's Microsoft Teams Rooms Pro on \w+day, \w+ \d+\. They can still be removed until \w+day, \w+ \d+ at .+ UTC\./);
    await cycle();
    expect(reminders(bot.take())).toHaveLength(0); // once

    // Remove: the existing seat change, back to 14, through its confirmation (nothing written yet).
    const remove = executeActions(cardOf(reminder)).find((a) => a.title === 'Remove 5 seats')!;
    expect(remove).toMatchObject({ verb: VERB.subUpdate, data: { subscriptionId: S.wingtipFewDays.id, quantity: '14' } });
    const patches = pc().requests.filter((r) => r.method === 'PATCH').length;
    const ask = await bot.execute(remove.verb!, remove.data!, { conversation: CHANNEL, replyToId: reminder!.responseId });
    expect(textOf(ask.body.value)).toMatch(/Seats\n19 → 14/);
    expect(pc().requests.filter((r) => r.method === 'PATCH')).toHaveLength(patches);
    // Confirmed on that card: the reminder's message itself ends as the result, for everyone, with no Remove left on it.
    const confirm = executeActions(ask.body.value).find((a) => a.verb === VERB.confirm)!;
    await bot.execute(confirm.verb!, confirm.data!, { conversation: CHANNEL, replyToId: reminder!.responseId });
    expect(sub(S.wingtipFewDays.id).resource.quantity).toBe(14);
    const replaced = bot.connector.calls.filter((c) => c.method === 'PUT' && c.activityId === reminder!.responseId);
    expect(textOf(cardOf(replaced.at(-1)))).toMatch(/Seats: 19 → 14/);
    expect(executeActions(cardOf(replaced.at(-1))).map((a) => a.title)).not.toContain('Remove 5 seats');
  });

  it('seats removed through the bot elsewhere in the conversation: the posted reminder is replaced in place, saying who removed them, without its Remove', async () => {
    const closes = await addSeats();
    clock.advance(closes - 24 * HOUR - clock.now() + 60_000);
    await cycle();
    const [reminder] = reminders(bot.take());
    expect(executeActions(cardOf(reminder)).map((a) => a.title)).toEqual(['Remove 5 seats', 'Show the subscription']);
    // Typed in the channel, confirmed on the confirmation's own message (not the reminder's).
    await bot.say(`sub set ${WINGTIP} ${S.wingtipFewDays.id} quantity=16`, { conversation: CHANNEL });
    const confirm = executeActions(cardOf(bot.take().at(-1))).find((a) => a.verb === VERB.confirm)!;
    await bot.execute(confirm.verb!, confirm.data!, { conversation: CHANNEL });
    expect(sub(S.wingtipFewDays.id).resource.quantity).toBe(16);
    const replaced = bot.take().filter((c) => c.method === 'PUT' && c.activityId === reminder!.responseId);
    expect(replaced).toHaveLength(1);
    const text = textOf(cardOf(replaced[0]));
    expect(text).toMatch(/^Acted on through Partner Ops\nAlice Admin removed 3 seats through Partner Ops on \w+day, \w+ \d+ at .+ UTC\. To see what can still be removed, open the subscription\./);
    expect(text).toMatch(/Seats\n16/);
    expect(executeActions(cardOf(replaced[0])).map((a) => a.title)).toEqual(['Show the subscription']);
    // Turning auto-renew off, a change that answers no window reminder, leaves it alone.
    await bot.say(`sub set ${WINGTIP} ${S.wingtipFewDays.id} autorenew=off`, { conversation: CHANNEL });
    const more = bot.take();
    const ok = executeActions(cardOf(more.at(-1))).find((a) => a.verb === VERB.confirm);
    if (ok) await bot.execute(ok.verb!, ok.data!, { conversation: CHANNEL });
    expect(bot.take().filter((c) => c.activityId === reminder!.responseId)).toHaveLength(0);
  });

  it('a seat add Partner Center applies later (202): scheduled once it lands, from the window the subscription then states', async () => {
    await bot.close();
    clock = new HeldClock();
    bot = await startTestBot({}, { notifierAutoStart: false, clock, sandbox: { now: clock.now, asyncApplyMs: 60_000 }, bot: { inlineWaitMs: 200, followUpIntervalMs: 100 } });
    await bot.say(`sub set ${WINGTIP} ${S.wingtipFewDays.id} quantity=16`, { conversation: CHANNEL });
    expect(textOf(cardOf(bot.take().at(-1)))).toContain('is still applying it');
    await cycle();
    clock.advance(61_000); // Partner Center applies it; the card's follow-up sees it land
    await until(() => bot.connector.calls.some((c) => c.method === 'PUT' && textOf(cardOf(c)).includes('The change has been applied.')), 10_000);
    bot.take();
    clock.advance(6 * DAY);
    await cycle();
    const sent = reminders(bot.take());
    expect(sent).toHaveLength(1);
    expect(textOf(cardOf(sent[0]))).toMatch(/Alice Admin added 2 seats to Wingtip Toys's Microsoft Teams Rooms Pro/);
  });

  it('reads the subscription again first: seats removed before it is due, nothing is posted', async () => {
    const closes = await addSeats();
    await bot.say(`sub set ${WINGTIP} ${S.wingtipFewDays.id} quantity=14`, { conversation: PERSONAL });
    const confirm = executeActions(cardOf(bot.take().at(-1))).find((a) => a.verb === VERB.confirm)!;
    await bot.execute(confirm.verb!, confirm.data!);
    expect(sub(S.wingtipFewDays.id).resource.quantity).toBe(14);
    bot.take();
    clock.advance(closes - 24 * HOUR - clock.now() + 60_000);
    const reads = pc().requests.length;
    await cycle();
    expect(reminders(bot.take())).toHaveLength(0);
    expect(pc().requests.slice(reads).filter((r) => r.path === `/v1/customers/${SEED.customers.wingtip.id}/subscriptions/${S.wingtipFewDays.id}`)).toHaveLength(1); // one GET
    await cycle();
    expect(pc().requests.length).toBe(reads + 1); // done: never read again
  });

  it('in a one-to-one chat says "You", in the time zone Teams gave; a person who signed out since is not posted for', async () => {
    await bot.say(`sub set ${WINGTIP} ${S.wingtipFewDays.id} quantity=15`, { conversation: PERSONAL, timezone: 'Europe/Paris' });
    bot.take();
    clock.advance(6 * DAY + HOUR);
    await cycle();
    const [reminder] = reminders(bot.take());
    expect(textOf(cardOf(reminder))).toMatch(/You added 1 seat to Wingtip Toys's Microsoft Teams Rooms Pro on \w+day, \w+ \d+\. It can still be removed until \w+day, \w+ \d+ at .+ GMT\+1\./);
    expect(executeActions(cardOf(reminder))[0]).toMatchObject({ title: 'Remove 1 seat', data: { quantity: '14' } });

    await bot.say(`sub set ${WINGTIP} ${S.wingtipFewDays.id} quantity=17`, { conversation: PERSONAL });
    await bot.say('signout', { conversation: PERSONAL });
    bot.take();
    clock.advance(6 * DAY + HOUR);
    const reads = pc().requests.length;
    await cycle();
    await cycle();
    expect(reminders(bot.take())).toHaveLength(0);
    expect(pc().requests.length).toBe(reads); // no token, no read, no post
  });

  it('survives a restart between scheduling and posting, and two instances post it once', async () => {
    const closes = await addSeats();
    await bot.running.notifier.stop(); // the instance goes away; nothing of the reminder is in memory
    clock.advance(closes - 24 * HOUR - clock.now() + 60_000);
    const a = instance('instance-a');
    const b = instance('instance-b');
    await Promise.all([a.cycle(), b.cycle()]);
    await Promise.all([a.cycle(), b.cycle()]);
    await Promise.all([a.cycle(), b.cycle()]);
    const sent = reminders(bot.take());
    expect(sent).toHaveLength(1);
    expect(textOf(cardOf(sent[0]))).toMatch(/Alice Admin added 5 seats/);
  });

  it('a re-read that outlasts the lease: the instance that took the partition over posts it, the slow one does not', async () => {
    const closes = await addSeats();
    clock.advance(closes - 24 * HOUR - clock.now() + 60_000);
    const path = `/v1/customers/${SEED.customers.wingtip.id}/subscriptions/${S.wingtipFewDays.id}`;
    pc().injectFault({ method: 'GET', path, delayMs: 1_500 });
    const mark = pc().requests.length;
    const slow = cycle(); // holds every partition, claims the reminder, waits for Partner Center
    await until(() => pc().requests.slice(mark).some((r) => r.path === path), 10_000);
    clock.advance(2 * 90_000); // its lease and its claim have aged past one lease period: taken for a crash
    await instance('instance-b').cycle();
    expect(reminders(bot.take())).toHaveLength(1);
    await slow;
    expect(reminders(bot.take())).toHaveLength(0);
  });

  it('a watched subscription with seats removable for less than the lead is reminded once, without a person; one closing later, not yet', async () => {
    await bot.say(`watch subs ${WINGTIP}`, { conversation: CHANNEL });
    const watchId = /watch (w-[0-9a-f]{8})/.exec(textOf(cardOf(bot.take()[0])))![1]!;
    await cycle();
    const sent = reminders(bot.take());
    expect(sent).toHaveLength(1); // Business Basic's window closes in 20 hours; Teams Rooms Pro's in 3 days
    const text = textOf(cardOf(sent[0]));
    expect(text).toMatch(/6 seats of Wingtip Toys's Microsoft 365 Business Basic can still be removed until .+ UTC\./);
    expect(text).toContain(`A reminder from watch ${watchId}, set by Alice Admin.`);
    expect(text).not.toContain('Wingtip Toys · Microsoft 365 Business Basic'); // its name is the card's title: said once
    // Those 6 are all its seats: removing them all is cancelling it (through its confirmation), not a seat change to 0.
    const [cancel, ...rest] = executeActions(cardOf(sent[0]));
    expect([cancel!.title, ...rest.map((a) => a.title)]).toEqual(['Cancel the subscription', 'Show the subscription']);
    expect((cancel as { style?: string }).style).toBe('destructive'); // red, as the windows card's Cancel
    const patches = pc().requests.filter((r) => r.method === 'PATCH').length;
    const ask = await bot.execute(cancel!.verb!, cancel!.data!, { conversation: CHANNEL });
    expect(textOf(ask.body.value)).toMatch(/Cancel Microsoft 365 Business Basic of Wingtip Toys\?/);
    expect(pc().requests.filter((r) => r.method === 'PATCH')).toHaveLength(patches);
    await cycle();
    expect(reminders(bot.take())).toHaveLength(0);
    clock.advance(2 * DAY + HOUR); // Teams Rooms Pro's 4 seats: now within 24 hours
    await cycle();
    const later = reminders(bot.take());
    expect(later).toHaveLength(1);
    expect(textOf(cardOf(later[0]))).toMatch(/4 seats of Wingtip Toys's Microsoft Teams Rooms Pro can still be removed/);
  });

  it('a watched subscription renewing within 7 days with auto-renew on is reminded, with its seats; one with auto-renew off is not', async () => {
    await bot.say(`watch subs ${HOTELS}`, { conversation: CHANNEL });
    bot.take();
    await cycle();
    expect(reminders(bot.take())).toHaveLength(0); // its term ends in 10 days: not yet
    clock.advance(3 * DAY + HOUR);
    await cycle();
    const sent = reminders(bot.take());
    expect(sent).toHaveLength(1);
    const text = textOf(cardOf(sent[0]));
    expect(text).toMatch(/Contoso Hotels's Microsoft 365 Business Standard renews automatically when its term ends on .+, with 30 seats\./);
    expect(text).not.toContain('Exchange Online'); // auto-renew off: it just ends
    expect(executeActions(cardOf(sent[0])).map((a) => a.title)).toEqual(['Turn auto-renew off', 'Show the subscription']);
    await cycle();
    expect(reminders(bot.take())).toHaveLength(0);

    // Auto-renew turned off through the bot in this channel (typed, not from the card): the reminder is replaced in place.
    const id = executeActions(cardOf(sent[0]))[0]!.data!.subscriptionId as string;
    await bot.say(`sub set ${HOTELS} ${id} autorenew=off`, { conversation: CHANNEL });
    const confirm = executeActions(cardOf(bot.take().at(-1))).find((a) => a.verb === VERB.confirm);
    if (confirm) await bot.execute(confirm.verb!, confirm.data!, { conversation: CHANNEL });
    const replaced = bot.take().filter((c) => c.method === 'PUT' && c.activityId === sent[0]!.responseId);
    expect(replaced).toHaveLength(1);
    expect(textOf(cardOf(replaced[0]))).toMatch(/Alice Admin turned auto-renew off through Partner Ops on .+ UTC: the subscription will not renew on .+\./);
    expect(executeActions(cardOf(replaced[0])).map((a) => a.title)).toEqual(['Show the subscription']);
  });
});
