/**
 * POST /api/partner-center/events over real HTTP: callbacks signed as Partner Center signs them (with the
 * sandbox's TEST chain, trusted only through WEBHOOK_EXTRA_ROOTS), certificates downloaded over real https.
 */
import { X509Certificate } from 'node:crypto';
import { SEED } from '../../dev/sandbox';
import { MICROSOFT_ROOTS } from '../../src/webhooks/microsoft-roots';
import { sendCallback, signedHeaders, subscriptionUpdated } from '../../dev/sandbox/webhook-sender';
import { captureLogs } from '../support/log-capture';
import { ALICE, BOB, cardOf, CHANNEL, GROUP, TENANT, textOf, type TestBot } from '../support/teams';
import { until } from '../support/until';
import { certificateHostForSuite, CONTOSO, eventsUrl, FABRIKAM, FABRIKAM_NCE, NCE, startWebhookBot } from '../support/webhooks';

describe('Partner Center webhooks: POST /api/partner-center/events', () => {
  const host = certificateHostForSuite();
  let bot: TestBot;
  let logs: ReturnType<typeof captureLogs>;
  let events: string;
  beforeEach(async () => {
    logs = captureLogs('info');
    // NOTIFY_SWEEP_MINUTES 0: the data is changed directly (no activity-log record), and the event's cycle lists every watched customer.
    bot = await startWebhookBot(host(), logs.logger, { NOTIFY_SWEEP_MINUTES: '0' });
    events = eventsUrl(bot);
    host().requests.length = 0;
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const sub = (id: string) => pc().data.subscriptions.find((s) => s.resource.id === id)!.resource;
  const posts = () => bot.connector.calls.filter((c) => c.method === 'POST' && !c.activityId);
  /** Log lines saying an event was taken in (what "processed" means here). */
  const taken = () => logs.lines().filter((l) => /"msg":"webhook (event|test event received)"/.test(l));
  const refusals = () => logs.lines().filter((l) => l.includes('"refused"')).map((l) => JSON.parse(l).refused as string);

  async function watchContoso(): Promise<void> {
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: GROUP });
    await bot.running.notifier.cycle(); // the first cycle remembers; it does not announce
    bot.take();
  }

  /** The log line the route writes once an event's re-read is over (what it read and recorded: counts only). */
  const reread = () => logs.lines().filter((l) => l.includes('"msg":"webhook event re-read"')).map((l) => JSON.parse(l) as { read: number; changes: number; unreadable: number });
  const subscriptionGets = () => pc().requests.filter((r) => r.method === 'GET' && r.path.toLowerCase() === `/v1/customers/${CONTOSO}/subscriptions/${NCE}`);

  it('re-reads a subscription named by a signed subscription-updated event (one GET) and records its change at once; the next cycle announces it once; the same event again is ignored', async () => {
    await watchContoso();
    const before = posts().length;
    sub(NCE).quantity = 30;
    pc().requests.length = 0;
    const first = await sendCallback(events, subscriptionUpdated(CONTOSO, NCE), { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') });
    expect(first).toEqual({ status: 200, body: '' }); // the answer carries no data
    // No cycle was run: the event alone read the subscription, once, and recorded the change.
    await until(() => reread().length === 1);
    expect(reread()[0]).toMatchObject({ read: 1, changes: 1, unreadable: 0 });
    expect(pc().requests.map((r) => `${r.method} ${r.path.toLowerCase()}`)).toEqual([`GET /v1/customers/${CONTOSO}/subscriptions/${NCE}`]);
    expect(posts()).toHaveLength(before); // delivery is the lease holder's next cycle
    const cycle = await bot.running.notifier.cycle();
    // The cycle's own polling found nothing new (the event had recorded it); it delivered the event's change.
    expect(cycle).toMatchObject({ changes: 0, delivered: 1 });
    expect(posts()).toHaveLength(before + 1);
    expect(textOf(cardOf(posts().at(-1)))).toMatch(/Seats: 25 → 30/);

    // Partner Center retries: the same event (here in the x-ms-signature variant) reads once more and records nothing.
    const again = await sendCallback(events, subscriptionUpdated(CONTOSO, NCE), { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft'), msSignatureHeader: true });
    expect(again.status).toBe(200);
    await until(() => reread().length === 2);
    expect(reread()[1]).toMatchObject({ read: 1, changes: 0, unreadable: 0 });
    expect(subscriptionGets()).toHaveLength(2); // one GET per event
    expect(await bot.running.notifier.cycle()).toMatchObject({ changes: 0, delivered: 0 });
    expect(posts()).toHaveLength(before + 1);
    expect(host().requests).toEqual(['/microsoft.cer']); // downloaded once, then cached by URL
  });

  it('reads nothing for a subscription of a customer no watch covers', async () => {
    const debug = captureLogs('debug');
    await bot.close();
    bot = await startWebhookBot(host(), debug.logger);
    events = eventsUrl(bot);
    await watchContoso(); // Contoso is watched; Fabrikam is not
    pc().requests.length = 0;
    const r = await sendCallback(events, subscriptionUpdated(FABRIKAM, FABRIKAM_NCE), { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') });
    expect(r).toEqual({ status: 200, body: '' });
    await until(() => debug.lines().some((l) => l.includes('no active watch covers; nothing read')));
    expect(pc().requests).toHaveLength(0);
    expect(debug.lines().filter((l) => l.includes('webhook event re-read'))).toHaveLength(0);
  });

  it('reads as another setter of a covering watch when the first cannot get a token, and records the change for both', async () => {
    await watchContoso();
    await bot.say('watch subs contoso.onmicrosoft.com', { conversation: CHANNEL, from: BOB });
    await bot.running.notifier.cycle();
    bot.take();
    await bot.running.identity!.signOut({ id: ALICE.aadObjectId, tenantId: TENANT, name: ALICE.name });
    sub(NCE).quantity = 31;
    pc().requests.length = 0;
    await sendCallback(events, subscriptionUpdated(CONTOSO, NCE), { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') });
    await until(() => reread().length === 1);
    // One read, Bob's (Alice's token is gone): an observation of the partner's subscription, heard by both watches.
    expect(reread()[0]).toMatchObject({ read: 1, changes: 2, unreadable: 0 });
    expect(subscriptionGets()).toHaveLength(1);
    const claims = JSON.parse(Buffer.from(subscriptionGets()[0]!.token!.split('.')[1]!, 'base64url').toString('utf8')) as { oid?: string };
    expect(claims.oid).toBe(BOB.aadObjectId);
  });

  it('takes a burst of events at once (a backlog, a duplicate among them): each change recorded once, at most one GET per event, and announced once', async () => {
    await watchContoso();
    const ids = [NCE, SEED.subscriptions.contosoNceNew.id, SEED.subscriptions.contosoLegacy.id, SEED.subscriptions.contosoTrial.id];
    for (const id of ids) sub(id).quantity = (sub(id).quantity ?? 0) + 3;
    pc().requests.length = 0;
    const before = posts().length;
    const sent = [...ids, NCE].map((id) => sendCallback(events, subscriptionUpdated(CONTOSO, id), { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') }));
    expect((await Promise.all(sent)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await until(() => reread().length === 5);
    const gets = pc().requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBeLessThanOrEqual(5);
    for (const id of ids) expect(gets.filter((r) => r.path.toLowerCase().endsWith(id)).length).toBeGreaterThanOrEqual(1);
    expect(await bot.running.notifier.cycle()).toMatchObject({ changes: 0, delivered: 4 });
    expect(posts()).toHaveLength(before + 4);
    expect(await bot.running.notifier.cycle()).toMatchObject({ changes: 0, delivered: 0 });
  });

  it('finds the issuer of a certificate file that holds the leaf alone through its Authority Information Access, as the page\'s sample (.NET X509Chain) does', async () => {
    const ok = await sendCallback(events, { EventName: 'test-created', ResourceUri: 'NA' }, { signer: 'aia', certificateUrl: host().certificateUrl('aia') });
    expect(ok.status).toBe(200);
    expect(host().requests).toEqual(['/aia.cer', 'issuer:/test-intermediate.crt']);
  });

  it('acknowledges test-created and ignores events it does not act on, reading field names in any casing', async () => {
    const ok = await sendCallback(events, { eventName: 'test-created', resourceUri: 'NA', auditUrl: 'NA' }, { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') });
    expect(ok).toEqual({ status: 200, body: '' });
    expect(logs.lines().some((l) => l.includes('webhook test event received'))).toBe(true);
    const other = await sendCallback(events, { EventName: 'invoice-ready', ResourceUri: 'NA' }, { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') });
    expect(other).toEqual({ status: 200, body: '' });
  });

  describe('refuses, with nothing processed', () => {
    const EVENT = JSON.stringify(subscriptionUpdated(CONTOSO, NCE));
    const post = (headers: Record<string, string>, body: string = EVENT) => fetch(events, { method: 'POST', headers, body });

    async function expectRefused(res: Response, status: number, refused?: string): Promise<void> {
      expect(res.status).toBe(status);
      const text = await res.text();
      expect(text).not.toMatch(/subscription|contoso|certificate|127\.0\.0\.1|localhost/i); // the answer says nothing about why
      expect(taken()).toHaveLength(0);
      if (refused) expect(refusals().at(-1)).toBe(refused);
    }

    beforeEach(async () => {
      await watchContoso();
      sub(NCE).quantity = 30;
      pc().requests.length = 0;
    });
    afterEach(async () => {
      // Whatever was refused started no re-read: Partner Center was not called, and nothing was announced.
      await new Promise((r) => setTimeout(r, 100));
      expect(pc().requests).toHaveLength(0);
      expect(bot.take().filter((c) => c.method === 'POST')).toHaveLength(0);
    });

    it('an unsigned event (401), without reading its body or fetching anything', async () => {
      await expectRefused(await post({ 'content-type': 'application/json' }), 401);
      const withoutAlgorithm = signedHeaders(EVENT, { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') });
      delete withoutAlgorithm['x-ms-signature-algorithm'];
      await expectRefused(await post(withoutAlgorithm), 401);
      expect(host().requests).toHaveLength(0);
    });

    it('a bad signature (401): the body was changed after signing', async () => {
      const headers = signedHeaders(EVENT, { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') });
      await expectRefused(await post(headers, EVENT.replace('subscription-updated', 'subscription-updated ')), 401, 'signature');
    });

    it('a certificate from another root (401)', async () => {
      const headers = signedHeaders(EVENT, { signer: 'other-root', certificateUrl: host().certificateUrl('other-root') });
      await expectRefused(await post(headers), 401, 'chain');
    });

    it('a certificate whose organization is not Microsoft Corporation (401)', async () => {
      const headers = signedHeaders(EVENT, { signer: 'contoso', certificateUrl: host().certificateUrl('contoso') });
      await expectRefused(await post(headers), 401, 'organization');
    });

    it('an http or non-allow-listed certificate URL (401), never fetched', async () => {
      const http = host().certificateUrl('microsoft').replace('https:', 'http:');
      await expectRefused(await post(signedHeaders(EVENT, { signer: 'microsoft', certificateUrl: http })), 401, 'url');
      const otherHost = `${host().otherNameUrl}/microsoft.cer`;
      await expectRefused(await post(signedHeaders(EVENT, { signer: 'microsoft', certificateUrl: otherHost })), 401, 'url');
      expect(host().requests).toHaveLength(0);
    });

    it('a certificate file over the size cap (401)', async () => {
      await expectRefused(await post(signedHeaders(EVENT, { signer: 'microsoft', certificateUrl: `${host().url}/huge.cer` })), 401, 'fetch');
    });

    it('an oversized body (413) and a body that is not JSON (415), as /api/messages answers them', async () => {
      const huge = JSON.stringify({ ...subscriptionUpdated(CONTOSO, NCE), padding: 'x'.repeat(300 * 1024) });
      await expectRefused(await post(signedHeaders(huge, { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') }), huge), 413);
      const text = { ...signedHeaders(EVENT, { signer: 'microsoft', certificateUrl: host().certificateUrl('microsoft') }), 'content-type': 'text/plain' };
      await expectRefused(await post(text), 415);
      expect(host().requests).toHaveLength(0);
    });
  });
});

describe('the built-in Microsoft roots', () => {
  it('are the certificates whose thumbprints "Azure Certificate Authority details" lists', () => {
    for (const r of MICROSOFT_ROOTS) {
      const c = new X509Certificate(r.pem);
      expect([c.fingerprint, c.ca, c.subject.includes(`CN=${r.name}`)]).toEqual([r.sha1, true, true]);
    }
    expect(MICROSOFT_ROOTS.map((r) => r.name)).toEqual(['DigiCert Global Root G2', 'DigiCert Global Root CA', 'Microsoft RSA Root Certificate Authority 2017', 'Microsoft ECC Root Certificate Authority 2017']);
  });
});
