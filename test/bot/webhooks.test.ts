/**
 * `webhooks`, `webhooks on`, `webhooks test` through the real Bot Framework protocol, against the sandbox's
 * registration endpoints; the test event travels back to the bot signed with the sandbox's TEST chain.
 */
import { SEED } from '../../dev/sandbox';
import { sendCallback, startCertificateHost, testRootPem, type CertificateHost } from '../../dev/sandbox/webhook-sender';
import { VERB } from '../../src/cards/verbs';
import { captureLogs } from '../support/log-capture';
import { cardOf, executeActions, GROUP, startTestBot, textOf, type TestBot } from '../support/teams';
import { until } from '../support/until';

function confirmationOf(card: unknown): Record<string, unknown> {
  const actions = (card as { actions: Array<{ verb?: string; data?: Record<string, unknown> }> }).actions;
  return actions.find((a) => a.verb === VERB.confirm)!.data!;
}

const OTHER = 'https://psa.contoso.example/partner-center/hooks';

describe('webhooks in chat', () => {
  let host: CertificateHost;
  let bot: TestBot;
  let logs: ReturnType<typeof captureLogs>;
  beforeAll(async () => {
    host = await startCertificateHost();
  });
  afterAll(() => host.close());
  beforeEach(async () => {
    logs = captureLogs('info');
    bot = await startTestBot(
      { WEBHOOK_CERTIFICATE_HOSTS: '127.0.0.1', WEBHOOK_EXTRA_ROOTS: testRootPem() },
      {
        notifierAutoStart: false,
        webhookTlsCa: [testRootPem()],
        // Partner Center's side: the test event goes to the registered URL, signed as Partner Center signs it.
        sandbox: { webhookDelivery: (url, event) => sendCallback(url, event, { signer: 'microsoft', certificateUrl: host.certificateUrl('microsoft') }) },
      },
      logs.logger,
    );
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const ours = () => `${bot.running.server.url}/api/partner-center/events`;
  const writes = () => pc().requests.filter((r) => r.path.startsWith('/webhooks/') && r.method !== 'GET');
  const say = async (text: string) => {
    await bot.say(text);
    return textOf(cardOf(bot.take().at(-1)));
  };

  it('shows that nothing is registered and the events on offer, then registers this bot for subscription-updated and test-created', async () => {
    expect(await say('webhooks')).toMatch(/No webhook is registered[\s\S]*Events on offer: .*subscription-updated.*[\s\S]*up to 48 hours/);
    expect(await say('webhooks on')).toMatch(`Partner Center now sends subscription-updated, test-created to ${ours()}`);
    expect(pc().data.webhooks.registration).toMatchObject({ webhookUrl: ours(), webhookEvents: ['subscription-updated', 'test-created'] });
    expect(await say('webhooks')).toMatch(/That is this bot/);
    expect(await say('webhooks on')).toMatch(/already registered/);
    expect(writes()).toHaveLength(1); // one POST; the second `webhooks on` sent nothing
  });

  it('draws each paragraph as a text block of its own, so hosts space them apart (a blank line inside one block shows no space)', async () => {
    await bot.say('webhooks');
    const body = (cardOf(bot.take().at(-1)) as { body: Array<{ type: string; text?: string }> }).body;
    const texts = body.filter((b) => b.type === 'TextBlock').map((b) => b.text ?? '');
    expect(texts).toEqual([
      'Partner Center webhooks',
      expect.stringMatching(/^No webhook is registered/),
      expect.stringMatching(/^Events on offer: /),
      expect.stringMatching(/^Webhooks complement/),
      expect.stringMatching(/^Type \*\*webhooks on\*\*/),
    ]);
    expect(texts.filter((t) => t.includes('\n'))).toEqual([]);
  });

  it('asks before replacing another tool’s URL, saying that tool will stop receiving the events; Keep as is leaves it', async () => {
    pc().data.webhooks.registration = { subscriberId: 's-1', webhookUrl: OTHER, webhookEvents: ['subscription-updated', 'invoice-ready'], lastModifiedTimestamp: '2026-01-01T00:00:00Z' };
    await bot.say('webhooks on');
    const ask = cardOf(bot.take().at(-1));
    expect(textOf(ask)).toMatch(new RegExp(`the tool at ${OTHER.replace(/\./g, '\\.')} will stop receiving subscription-updated, invoice-ready`));
    expect(writes()).toHaveLength(0); // asking writes nothing
    const data = confirmationOf(ask);
    const kept = await bot.execute(VERB.cancel, data);
    expect(textOf(kept.body.value)).toMatch(`still go to ${OTHER}`);
    expect(pc().data.webhooks.registration?.webhookUrl).toBe(OTHER);
    // Keep as is voided that card: its Confirm sends nothing. Asked again, Confirm registers this bot.
    const late = await bot.execute(VERB.confirm, data);
    expect(textOf(late.body.value)).toMatch(/set aside with Keep as is/);
    expect(writes()).toHaveLength(0);
    await bot.say('webhooks on');
    const again = confirmationOf(cardOf(bot.take().at(-1)));
    const done = await bot.execute(VERB.confirm, again);
    expect(textOf(done.body.value)).toMatch(`now sends subscription-updated, test-created to ${ours()}`);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /webhooks/v1/registration']);
    expect(pc().data.webhooks.registration?.webhookUrl).toBe(ours());
  });

  it('sends a test event, which reaches this bot verified, and reports its delivery', async () => {
    expect(await say('webhooks test')).toMatch(/Type \*?\*?webhooks on\*?\*? first/);
    await say('webhooks on');
    const text = await say('webhooks test');
    expect(text).toMatch(`sending a test event to ${ours()}`);
    expect(text).toMatch(/Delivery: completed[\s\S]*: 200\./);
    expect(host.requests).toEqual(['/microsoft.cer']);
  });

  it('hears a subscription changed in Partner Center through the registered webhook: read once, announced by the next cycle in the watching chat', async () => {
    const contoso = SEED.customers.contoso.id;
    const nce = SEED.subscriptions.contosoNce.id;
    await say('webhooks on');
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    await bot.running.notifier.cycle();
    bot.take();
    pc().setOptions({ asyncSubscriptionUpdates: 'never' }); // the change shows at once, and so does its event
    // Its next term is scheduled, which a seat change deletes: the change asks first, and is confirmed.
    await bot.say(`sub set contoso.onmicrosoft.com ${nce} quantity=30`);
    const ask = cardOf(bot.take().find((c) => c.method === 'POST' && c.activity.attachments));
    const confirm = executeActions(ask).find((a) => a.verb === VERB.confirm)!;
    await bot.execute(confirm.verb!, confirm.data!);
    bot.take();
    // Partner Center's side sent subscription-updated, signed; the bot verified it and read the subscription.
    await until(() => pc().data.webhooks.sent.length === 1 && pc().data.webhooks.sent[0]!.status === 200);
    expect(pc().data.webhooks.sent[0]!.event).toMatchObject({ EventName: 'subscription-updated', ResourceUri: expect.stringMatching(new RegExp(`/customers/${contoso}/subscriptions/${nce}$`)) });
    await until(() => logs.lines().some((l) => l.includes('"msg":"webhook event re-read"')));
    expect(JSON.parse(logs.lines().find((l) => l.includes('"msg":"webhook event re-read"'))!)).toMatchObject({ read: 1, changes: 1 });
    expect(await bot.running.notifier.cycle()).toMatchObject({ changes: 0, delivered: 1 });
    const [post] = bot.take();
    expect(post).toMatchObject({ method: 'POST', conversationId: GROUP.id });
    expect(textOf(cardOf(post))).toMatch(/Seats: 25 → 30/);
  });
});
