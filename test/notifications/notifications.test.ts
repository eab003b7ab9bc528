import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { Leases } from '../../src/notifications/leases';
import { Notifier } from '../../src/notifications/notifier';
import { systemClock } from '../../src/util/clock';
import { silentLogger } from '../../src/logging/logger';
import { until } from '../support/until';
import { ALICE, CHANNEL, GROUP, TENANT, cardOf, executeActions, startTestBot, textOf, type ConnectorCall, type TestBot } from '../support/teams';

const OPEN = SEED.serviceRequests.open.id;
const CHANNEL_ROOT = CHANNEL.id.split(';')[0]!;

function watchIdOf(call: ConnectorCall | undefined): string {
  return /watch (w-[0-9a-f]{8})/.exec(textOf(cardOf(call)))![1]!;
}

describe('watches: chats and channels hear about changes', () => {
  let bot: TestBot;
  beforeEach(async () => {
    // These tests change Partner Center's data directly, as Microsoft's side would (no activity-log record):
    // every watched customer is listed every cycle (activity-source.test.ts covers the log and the sweep).
    bot = await startTestBot({ NOTIFY_SWEEP_MINUTES: '0' }, { notifierAutoStart: false });
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const sr = (id: string) => pc().data.serviceRequests.find((s) => s.resource.id === id)!.resource;
  const sub = (id: string) => pc().data.subscriptions.find((s) => s.resource.id === id)!.resource;
  const cycle = () => bot.running.notifier.cycle();

  it('posts one root card per changed service request in the channel, then replies in its thread and updates the root', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    const created = bot.take()[0];
    expect(textOf(cardOf(created))).toMatch(/Watching service request 616122292874576 here \(watch w-[0-9a-f]{8}\)/);
    await cycle(); // the first cycle remembers, it does not announce
    expect(bot.take()).toHaveLength(0);

    sr(OPEN).status = 'closed';
    await cycle();
    const [root] = bot.take();
    expect(root).toMatchObject({ method: 'POST', conversationId: CHANNEL_ROOT, activityId: undefined });
    expect(textOf(cardOf(root))).toMatch(/Last change[\s\S]*Status: Open → Closed[\s\S]*Cannot assign licenses[\s\S]*Stop watching/);

    sr(OPEN).notes!.push({ createdByName: 'Microsoft Support', createdDate: new Date().toISOString(), text: 'We applied the fix.' });
    await cycle();
    const calls = bot.take();
    const reply = calls.find((c) => c.method === 'POST')!;
    expect(reply).toMatchObject({ conversationId: CHANNEL_ROOT, activityId: root!.responseId }); // a reply in the root's thread
    expect(textOf(cardOf(reply))).toMatch(/New note from Microsoft Support: We applied the fix\./); // Partner Center names the author
    const update = calls.find((c) => c.method === 'PUT')!;
    expect(update).toMatchObject({ conversationId: CHANNEL_ROOT, activityId: root!.responseId });
    expect(textOf(cardOf(update))).toMatch(/Notes\n2/);

    await cycle();
    expect(bot.take()).toHaveLength(0); // nothing changed: nothing posted
  });

  it('announces a change made right after the watch is set: the watch starts from what the user saw', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: GROUP });
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    bot.take();
    sr(OPEN).status = 'closed';
    sub(SEED.subscriptions.contosoNce.id).quantity = 30;
    await cycle(); // the first cycle after the watch
    const texts = bot.take().filter((c) => c.method === 'POST').map((c) => textOf(cardOf(c)));
    expect(texts).toEqual(expect.arrayContaining([expect.stringMatching(/Status: Open → Closed/), expect.stringMatching(/Seats: 25 → 30/)]));
  });

  it('covers every service-request watch of a user with one paged list per cycle, and each watched customer with one list', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: GROUP });
    await bot.say('watch sr all open', { conversation: CHANNEL });
    await bot.say(`watch sr ${SEED.serviceRequests.attentionNeeded.id}`);
    await bot.say('watch subs contoso.onmicrosoft.com');
    await cycle();
    pc().requests.length = 0;
    await cycle();
    expect(pc().requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      `GET /v1/customers/${SEED.customers.contoso.id}/subscriptions`,
      'GET /v1/servicerequests',
    ]);
  });

  it('announces subscription seat changes and suspensions of a watched customer', async () => {
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    bot.take();
    await cycle();
    sub(SEED.subscriptions.contosoNce.id).quantity = 30;
    sub(SEED.subscriptions.contosoLegacy.id).status = 'suspended';
    await cycle();
    const texts = bot.take().map((c) => textOf(cardOf(c)));
    expect(texts).toHaveLength(2);
    expect(texts.join('\n')).toMatch(/Seats: 25 → 30/);
    expect(texts.join('\n')).toMatch(/Status: Active → Suspended/);
  });

  it('watch subs «a name 3 customers share»: the pick card says picking sets the watch, the pick sets it, and it posts a change', async () => {
    await bot.say('watch subs contoso', { conversation: GROUP });
    const pick = cardOf(bot.take()[0]);
    expect(textOf(pick)).toMatch(/Several customers match "contoso"\. Pick the one whose subscriptions to watch here: picking sets the watch\./);
    const buttons = (JSON.parse(JSON.stringify(pick)) as { body: unknown[] }).body.flatMap(function walk(n: unknown): Array<{ title: string; verb: string; data: Record<string, unknown> }> {
      if (!n || typeof n !== 'object') return [];
      const o = n as Record<string, unknown>;
      return [...(o.type === 'Action.Execute' ? [o as never] : []), ...Object.values(o).flatMap((v) => (Array.isArray(v) ? v.flatMap(walk) : walk(v)))];
    });
    expect(buttons.map((b) => b.title)).toEqual(['Watch Contoso Hotels', 'Watch Contoso Ltd', 'Watch Contoso Pharmaceuticals']);
    const ltd = buttons.find((b) => b.title === 'Watch Contoso Ltd')!;
    const picked = await bot.execute(ltd.verb, ltd.data, { conversation: GROUP });
    expect(textOf(picked.body.value)).toMatch(/Watching the subscriptions of Contoso Ltd here \(watch w-[0-9a-f]{8}\)/);
    bot.take();
    await bot.say('watches', { conversation: GROUP });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/the subscriptions of Contoso Ltd[\s\S]*Active/);
    sub(SEED.subscriptions.contosoNce.id).quantity = 30;
    await cycle();
    const posted = bot.take().filter((c) => c.method === 'POST').map((c) => textOf(cardOf(c)));
    expect(posted).toEqual([expect.stringMatching(/Seats: 25 → 30/)]);
  });

  it('names who made a change through the bot, and does not echo it into the conversation it was made in', async () => {
    const NCE = SEED.subscriptions.contosoNce.id;
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: CHANNEL });
    bot.take();
    await cycle();
    // Alice changes the seats from the group chat: the channel hears who did it; the group chat already has the card.
    // Its next term is scheduled, which a seat change deletes: the change asks first, and Alice confirms.
    await bot.say(`sub set contoso.onmicrosoft.com ${NCE} quantity=30`, { conversation: GROUP });
    const ask = cardOf(bot.take().find((c) => c.method === 'POST' && c.activity.attachments));
    const confirm = executeActions(ask).find((a) => a.verb === VERB.confirm)!;
    expect(textOf((await bot.execute(confirm.verb!, confirm.data!, { conversation: GROUP })).body.value)).toMatch(/Alice Admin changed this/);
    bot.take();
    await until(() => sub(NCE).quantity === 30, 5_000);
    await cycle();
    const posted = bot.take().filter((c) => c.method === 'POST' && c.activity.attachments);
    expect(posted.map((c) => c.conversationId)).toEqual([CHANNEL_ROOT]);
    expect(textOf(cardOf(posted[0]))).toMatch(/Alice Admin made this change through Partner Ops\.[\s\S]*Seats: 25 → 30/);
    // A change made in the portal afterwards is nobody's through the bot: posted in both, with no name.
    sub(NCE).quantity = 31;
    await cycle();
    const portal = bot.take().filter((c) => c.method === 'POST' && c.activity.attachments);
    expect(portal.map((c) => c.conversationId).sort()).toEqual([CHANNEL_ROOT, GROUP.id].sort());
    for (const c of portal) {
      expect(textOf(cardOf(c))).toMatch(/Seats: 30 → 31/);
      expect(textOf(cardOf(c))).not.toMatch(/through Partner Ops/);
    }
  });

  it('a note added through the bot is not echoed where it was added, and is posted elsewhere with its author', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: GROUP });
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    await cycle();
    bot.take();
    await bot.say(`sr note ${OPEN} Customer confirmed the licenses`, { conversation: GROUP });
    expect(textOf(cardOf(bot.take().find((c) => c.method === 'POST' && c.activity.attachments)))).toMatch(/Your note was added/);
    await cycle();
    const posted = bot.take().filter((c) => c.method === 'POST' && c.activity.attachments);
    expect(posted.map((c) => c.conversationId)).toEqual([CHANNEL_ROOT]);
    expect(textOf(cardOf(posted[0]))).toMatch(/Alice Admin made this change through Partner Ops\.[\s\S]*New note from Alice Admin: Customer confirmed the licenses/);
  });

  it('lists the watches here with who set them, and stops one by command or by its button', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    const id = watchIdOf(bot.take()[0]);
    await bot.say('watch sr all', { conversation: CHANNEL });
    const all = watchIdOf(bot.take()[0]);
    await bot.say('watches', { conversation: CHANNEL });
    const list = textOf(cardOf(bot.take()[0]));
    expect(list).toMatch(new RegExp(`${id} · service request ${OPEN}[\\s\\S]*Set by Alice Admin[\\s\\S]*Active`));
    expect(list).toContain(`${all} · all the partner's service requests`);
    await bot.say('watches', { conversation: GROUP });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Nothing is watched here/);
    await bot.say(`unwatch ${id}`, { conversation: GROUP });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/There is no watch/); // only from where it was set
    await bot.say(`unwatch ${id}`, { conversation: CHANNEL });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(`Watch ${id} stopped`);
    const r = await bot.execute(VERB.watchRemove, { watchId: all }, { conversation: CHANNEL });
    expect(textOf(r.body.value)).toMatch(`Watch ${all} stopped`);
    await cycle();
    sr(OPEN).status = 'closed';
    await cycle();
    expect(bot.take().filter((c) => c.method === 'POST' && !c.activityId)).toHaveLength(0);
  });

  it('waits out Teams throttling (429 Retry-After) and retries a 503 without posting twice', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    bot.take();
    await cycle();
    sr(OPEN).status = 'closed';
    bot.connector.failNext(429, 1, { 'Retry-After': '1' });
    bot.connector.failNext(503, 1);
    // The sender's own retries (its clock is the system's here; sender.test.ts holds it): what is checked is
    // the outcome, one post after a 429 and a 503; the time is not asserted.
    await cycle();
    const posts = bot.take();
    expect(posts).toHaveLength(1);
    expect(bot.connector.attempts.filter((a) => a.method === 'POST').map((a) => a.status).slice(-3)).toEqual([429, 503, 200]);
    await cycle();
    expect(bot.take()).toHaveLength(0);
  });

  it.each([
    [403, 'BotNotInConversationRoster'],
    [403, 'ConversationBlockedByUser'],
    [404, 'ConversationNotFound'],
  ])('disables the watch and drops the reference on %s %s, without retrying', async (status, code) => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    const id = watchIdOf(bot.take()[0]);
    await cycle();
    sr(OPEN).status = 'closed';
    bot.connector.failNext(status, 1, {}, code);
    await cycle();
    expect(bot.connector.attempts.filter((a) => a.status === status)).toHaveLength(1);
    const w = await bot.running.watches.get(id);
    expect(w).toMatchObject({ state: 'disabled', reason: code, reference: {} });
    await bot.say('watches', { conversation: CHANNEL });
    expect(textOf(cardOf(bot.take().at(-1)))).toMatch(/Stopped: the bot can no longer post here/);
  });

  it('pauses a watch once when its setter cannot renew their token, and resumes after they sign in', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    const id = watchIdOf(bot.take()[0]);
    await cycle();
    await bot.running.identity!.signOut({ id: ALICE.aadObjectId, tenantId: TENANT, name: ALICE.name });
    sr(OPEN).status = 'closed';
    await cycle();
    await cycle();
    const paused = bot.take();
    expect(paused).toHaveLength(1);
    expect(textOf(cardOf(paused[0]))).toMatch(new RegExp(`Watch ${id} is paused[\\s\\S]*Alice Admin needs to sign in`));
    // The button signs Alice in (the sandbox plays Teams SSO) and resumes the watch.
    const r = await bot.execute(VERB.watchResume, { watchId: id }, { conversation: CHANNEL });
    expect(textOf(r.body.value)).toMatch(`Watch ${id} is active again`);
    bot.take();
    await cycle();
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Status: Open → Closed/);
  });

  it('loses nothing and repeats nothing when the process stops between detection and posting', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    bot.take();
    await cycle();
    sr(OPEN).status = 'closed';
    bot.connector.failNext(500, 50); // Teams is down: the change is detected and kept, not posted
    await cycle();
    expect(bot.take()).toHaveLength(0);
    await bot.running.notifier.stop(); // the instance goes away, its leases are given back
    bot.connector.clearFaults(); // Teams is back
    // A new instance (new leases, nothing in memory) on the same store takes over.
    const { store, client } = bot.running;
    const next = new Notifier({
      store,
      client,
      tokens: bot.running.identity!,
      sender: bot.running.sender,
      leases: new Leases(store, 'instance-2', systemClock, 90_000),
      clock: systemClock,
      logger: silentLogger,
      intervalMs: 60_000,
    });
    await next.cycle();
    const posts = bot.take();
    expect(posts).toHaveLength(1);
    expect(textOf(cardOf(posts[0]))).toMatch(/Status: Open → Closed/);
    await next.cycle();
    expect(bot.take()).toHaveLength(0);
    await next.stop();
  });

  /** A second instance on the same store, with nothing in memory (a restart, or another instance taking over). */
  const restart = (id: string) => {
    const s = bot.running.store;
    const leases = new Leases(s, id, systemClock, 90_000);
    const notifier = new Notifier({ store: s, client: bot.running.client, tokens: bot.running.identity!, sender: bot.running.sender, leases, clock: systemClock, logger: silentLogger, intervalMs: 60_000 });
    return Object.assign(notifier, { leases });
  };

  it('after a restart that follows a delivery, posts nothing again and keeps replying in the thread it started', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    bot.take();
    await cycle();
    sr(OPEN).status = 'closed';
    await cycle(); // posted; the shard is written again only by this instance's next cycle
    const [root] = bot.take();
    expect(root).toMatchObject({ method: 'POST', conversationId: CHANNEL_ROOT, activityId: undefined });
    await bot.running.notifier.stop(); // what it kept in memory is gone
    const next = restart('instance-2');
    await next.cycle();
    expect(bot.take()).toHaveLength(0); // the post is marked sent: never posted again
    sr(OPEN).notes!.push({ createdByName: 'Microsoft Support', createdDate: new Date().toISOString(), text: 'We applied the fix.' });
    await next.cycle();
    const calls = bot.take();
    // The thread the first instance started is found again (from the sent entry), not started anew.
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ conversationId: CHANNEL_ROOT, activityId: root!.responseId });
    expect(calls.find((c) => c.method === 'PUT')).toMatchObject({ conversationId: CHANNEL_ROOT, activityId: root!.responseId });
    await next.cycle();
    expect(bot.take()).toHaveLength(0);
    await next.stop();
  });
  // A post Teams accepted whose mark was never written (kill -9 before the mark): test/notifications/crash.test.ts.
});

describe('installation and conversation events keep the watches right', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot({}, { notifierAutoStart: false });
  });
  afterEach(() => bot.close());

  const event = (type: string, extra: Record<string, unknown>) =>
    fetch(bot.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type,
        id: `evt-${Math.random()}`,
        channelId: 'msteams',
        serviceUrl: bot.connector.url,
        from: { id: '29:alice', name: ALICE.name, aadObjectId: ALICE.aadObjectId },
        recipient: { id: '28:partner-ops', name: 'Partner Ops' },
        conversation: { id: CHANNEL_ROOT, conversationType: 'channel', tenantId: TENANT, isGroup: true, name: 'Support' },
        channelData: { tenant: { id: TENANT } },
        ...extra,
      }),
    });

  it('disables the watches of a conversation the bot is removed from, and restores them when it is added back', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    const id = watchIdOf(bot.take()[0]);
    expect((await event('installationUpdate', { action: 'remove' })).status).toBe(200);
    expect(await bot.running.watches.get(id)).toMatchObject({ state: 'disabled', reason: 'removed', reference: {} });
    expect((await event('installationUpdate', { action: 'add' })).status).toBe(200);
    const back = await bot.running.watches.get(id);
    expect(back).toMatchObject({ state: 'active', reference: { serviceUrl: bot.connector.url, conversation: { id: CHANNEL_ROOT } } });
  });

  it('welcomes a channel once when the bot is installed, however often the event comes, with one line (the help card is for personal chats)', async () => {
    bot.take();
    await event('installationUpdate', { action: 'add' });
    await event('installationUpdate', { action: 'add' });
    const welcomes = bot.take();
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]!.activity.text).toMatch(/^Hello! I am Partner Ops.*@mention me with \*\*help\*\*/);
  });

  it('disables the watches of a deleted channel, and follows a rename', async () => {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    const id = watchIdOf(bot.take()[0]);
    await event('conversationUpdate', { channelData: { tenant: { id: TENANT }, eventType: 'channelRenamed', channel: { id: CHANNEL_ROOT, name: 'Escalations' } }, conversation: { id: CHANNEL_ROOT, conversationType: 'channel', tenantId: TENANT, isGroup: true, name: 'Escalations' } });
    expect((await bot.running.watches.get(id))?.reference.conversation?.name).toBe('Escalations');
    await event('conversationUpdate', { channelData: { tenant: { id: TENANT }, eventType: 'channelDeleted', channel: { id: CHANNEL_ROOT } } });
    expect(await bot.running.watches.get(id)).toMatchObject({ state: 'disabled', reason: 'channel deleted' });
  });
});
