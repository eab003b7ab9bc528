import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { cardOf, startTestBot, textOf, type TestBot } from '../support/teams';
import { until } from '../support/until';

const OPEN = SEED.serviceRequests.open.id;

describe('support profile', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(() => bot.close());
  const puts = () => bot.running.sandbox!.requests.filter((r) => r.method === 'PUT');

  it('shows the profile as a prefilled form', async () => {
    await bot.say('profile');
    const json = JSON.stringify(cardOf(bot.take()[0]));
    expect(json).toMatch(/"id":"email"[^}]*"value":"support@litwarecsp.com"/);
    expect(json).toMatch(/"id":"telephone"/);
    expect(json).toMatch(/"id":"website"/);
  });

  it('changes the phone by command: read, merge, put the whole profile', async () => {
    await bot.say('profile set phone="+1 425 555 0199"');
    const text = textOf(cardOf(bot.take()[0]));
    expect(text).toContain('Support phone: +1 (425) 555-0100 → +1 425 555 0199');
    expect(puts()).toHaveLength(1);
    expect(puts()[0]!.path).toBe('/v1/profiles/supportprofile');
    expect(puts()[0]!.body).toMatchObject({ email: 'support@litwarecsp.com', telephone: '+1 425 555 0199', website: 'https://www.litwarecsp.com/support' });
  });

  it('sends only what the form changed, and refuses invalid values field by field', async () => {
    const r = await bot.execute(VERB.profileUpdate, { email: 'support@litwarecsp.com', telephone: '+1 (425) 555-0100', website: 'www.litwarecsp.com' });
    expect(textOf(r.body.value)).toContain('Support website: https://www.litwarecsp.com/support → www.litwarecsp.com');
    const bad = await bot.execute(VERB.profileUpdate, { email: 'not an email', telephone: 'call me', website: 'www.litwarecsp.com' });
    const text = textOf(bad.body.value);
    expect(text).toContain('Enter an email address');
    expect(text).toContain('Enter a phone number');
    expect(JSON.stringify(bad.body.value)).toContain('call me'); // the user's values are kept
    const none = await bot.execute(VERB.profileUpdate, { email: 'support@litwarecsp.com', telephone: '+1 (425) 555-0100', website: 'www.litwarecsp.com' });
    expect(textOf(none.body.value)).toContain('Nothing to change: the support profile already has these values.');
    expect(puts()).toHaveLength(1);
  });
});

describe('robustness', () => {
  it('answers a card action within the deadline when Partner Center is slow, then updates the card', async () => {
    const bot = await startTestBot({}, { bot: { invokeDeadlineMs: 200 } });
    try {
      bot.running.sandbox!.setOptions({ latencyMs: 800 });
      const r = await bot.execute(VERB.srShow, { id: OPEN }, { replyToId: 'msg-slow' });
      expect(textOf(r.body.value)).toMatch(/Working on it/);
      // Answered while Partner Center still held the read (the sandbox records a status only once it answers).
      const read = bot.running.sandbox!.requests.filter((q) => q.path === `/v1/servicerequests/${OPEN}`);
      expect(read.map((q) => q.status)).toEqual([0]);
      await until(() => bot.connector.calls.filter((c) => c.method === 'PUT').length >= 2);
      const updates = bot.take().filter((c) => c.method === 'PUT');
      expect(updates.at(-1)!.activityId).toBe('msg-slow');
      expect(textOf(cardOf(updates.at(-1)))).toContain(SEED.serviceRequests.open.title);
    } finally {
      await bot.close();
    }
  });

  it('explains a failing Partner Center and keeps serving', async () => {
    const bot = await startTestBot({ PARTNER_CENTER_MAX_RETRIES: '1' });
    try {
      bot.running.sandbox!.injectFault({ path: `/v1/servicerequests/${OPEN}`, status: 503, times: 2 });
      await bot.say(`sr ${OPEN}`);
      expect(textOf(cardOf(bot.take()[0]))).toMatch(/Partner Center had a problem answering[\s\S]*Try again in a minute/);
      await bot.say(`sr ${OPEN}`);
      expect(textOf(cardOf(bot.take()[0]))).toContain(SEED.serviceRequests.open.title);
    } finally {
      await bot.close();
    }
  });

  it('refuses an oversized request body, an oversized command and unknown card verbs, and keeps serving', async () => {
    const bot = await startTestBot();
    try {
      const huge = await fetch(bot.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'x'.repeat(400_000) }) });
      expect(huge.status).toBe(413);
      await bot.say(`sr note ${OPEN} ${'y'.repeat(5_000)}`);
      expect(bot.take()[0]!.activity.text).toMatch(/too long for a command/);
      const big = await bot.execute(VERB.srNote, { id: OPEN, text: 'z'.repeat(20_000) });
      expect(textOf(big.body.value)).toMatch(/too much text/);
      const unknown = await bot.execute('drop.tables', { id: OPEN });
      expect(textOf(unknown.body.value)).toMatch(/cannot use/);
      const wrongId = await bot.execute(VERB.srShow, { id: "1 OR 1=1" });
      expect(textOf(wrongId.body.value)).toMatch(/cannot use/);
      expect(bot.running.sandbox!.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
      await bot.say('help');
      expect(textOf(cardOf(bot.take()[0]))).toContain('Partner Ops');
      const health = await fetch(bot.url.replace('/api/messages', '/healthz'));
      expect(health.status).toBe(200);
    } finally {
      await bot.close();
    }
  });

  it('never puts a token on a card, even when Partner Center echoes it back', async () => {
    const bot = await startTestBot();
    try {
      await bot.say('profile');
      const token = bot.running.sandbox!.requests[0]!.token!;
      bot.running.sandbox!.injectFault({ path: `/v1/servicerequests/${OPEN}`, status: 400, body: { code: '1', description: `bad token ${token}`, data: [], source: 'PartnerFD' } });
      await bot.say(`sr ${OPEN}`);
      const all = JSON.stringify(bot.connector.calls);
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.split('.')[1]!);
    } finally {
      await bot.close();
    }
  });

  it('answers messages without text and empty commands with a pointer to help', async () => {
    const bot = await startTestBot();
    try {
      await bot.say('   ');
      expect(textOf(cardOf(bot.take()[0]))).toMatch(/Type a command, or \*\*help\*\*/);
    } finally {
      await bot.close();
    }
  });
});
