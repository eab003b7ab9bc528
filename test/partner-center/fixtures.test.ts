/**
 * The client against Partner Center as Microsoft documents it: every fixture under
 * test/fixtures/partner-center (written from the docs and the .NET SDK, not from our sandbox) is served by
 * the sandbox over HTTP and read through the client's public methods.
 */
import { SEED, type Sandbox } from '../../dev/sandbox';
import { changedFields, deadlinesOf, subscriptionOf, type PartnerCenterClient } from '../../src/partner-center';
import { FIXTURE_NAMES, fixture, fixtureSource } from '../fixtures/partner-center';
import { applied, failure, startPartnerCenter, user } from '../support/partner-center';

const CID = SEED.customers.contoso.id;
const SID = SEED.subscriptions.contosoNce.id;
const SUB_PATH = `/v1/customers/${CID}/subscriptions/${SID}`;

describe('Partner Center as documented (fixtures served over HTTP)', () => {
  let sandbox: Sandbox;
  let client: PartnerCenterClient;
  beforeEach(async () => {
    ({ sandbox, client } = await startPartnerCenter());
  });
  afterEach(() => sandbox.close());
  const serve = (name: string, o: { method?: string; path?: string | RegExp; status?: number } = {}) =>
    sandbox.injectFault({ method: o.method ?? 'GET', path: o.path, status: o.status ?? 200, body: fixture(name) });

  /** Each fixture, read the way the product reads it. A new fixture without a reader here fails the last test. */
  const readers: Record<string, () => Promise<void>> = {
    'subscription-nce': async () => {
      serve('subscription-nce', { path: SUB_PATH });
      const s = await client.getSubscription(user(), CID, SID);
      expect(s).toMatchObject({ quantity: 25, status: 'active', autoRenewEnabled: true, actions: ['edit', 'cancel'], cancellationAllowedUntilDate: '2099-12-08T23:59:00Z' });
      expect(s.refundableQuantity).toEqual({ totalQuantity: 5, details: [{ quantity: 5, allowedUntilDateTime: '2099-12-08T23:59:00Z' }] });
    },
    'subscription-scheduled-changes': async () => {
      serve('subscription-scheduled-changes', { path: SUB_PATH });
      const s = await client.getSubscription(user(), CID, SID);
      expect(s.scheduledNextTermInstructions).toEqual({
        product: { productId: 'CFQ7TTC0LH18', skuId: '0001', availabilityId: 'CFQ7TTC0K971', billingCycle: 'Monthly', termDuration: 'P1Y' },
        quantity: 1,
      });
      // The dates as the resource states them, at a moment inside both windows and after the seat window.
      expect(deadlinesOf(s, Date.parse('2026-12-07T12:00:00Z'))).toEqual({
        newCommerce: true,
        seatWindows: [{ quantity: 2, until: '2026-12-07T16:44:14.1210743Z' }],
        cancellableUntil: '2026-12-07T23:59:00Z',
        renewal: {
          endDate: '2027-11-29T00:00:00Z',
          processingFrom: '2027-11-30T00:00:00.000Z',
          renews: true,
          next: { quantity: 1, termDuration: 'P1Y', billingCycle: 'Monthly', offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971', sameOffer: true, customTermEndDate: undefined },
        },
      });
      expect(deadlinesOf(s, Date.parse('2026-12-07T18:00:00Z'))).toMatchObject({ seatWindows: [], cancellableUntil: '2026-12-07T23:59:00Z' });
      expect(deadlinesOf(s, Date.parse('2026-12-08T00:00:00Z'))).toMatchObject({ seatWindows: [], cancellableUntil: null });
    },
    'subscription-software': async () => {
      serve('subscription-software', { path: SUB_PATH });
      const s = await client.getSubscription(user(), CID, SID);
      expect(s).toMatchObject({ billingCycle: 'triennial', termDuration: 'P3Y', cancellationAllowedUntilDate: '2021-10-14T23:59:00Z' });
      expect(s.attributes?.etag).toBeUndefined();
    },
    'subscription-collection': async () => {
      serve('subscription-collection', { path: `/v1/customers/${CID}/subscriptions` });
      const page = await client.listSubscriptions(user(), CID);
      // One item without an id is skipped and counted; one with a quantity that is not a number is kept.
      expect(page.skipped).toBe(1);
      expect(page.items.map((s) => [s.friendlyName ?? s.offerName, s.status, s.quantity])).toEqual([
        ['Premium seats', 'suspended', 10],
        ['Office 365 E1', 'active', 15],
        ['Microsoft 365 Business Standard', 'active', undefined],
      ]);
      expect(page.items[1]!.commitmentEndDate).toBeNull(); // DateTime.MinValue: no date
    },
    'service-request': async () => {
      serve('service-request', { path: `/v1/servicerequests/${SEED.serviceRequests.open.id}` });
      const sr = await client.getServiceRequest(user(), SEED.serviceRequests.open.id);
      expect(sr).toMatchObject({ id: '616122292874576', status: 'open', severity: 'critical', lastClosedDate: null });
      expect(sr.notes?.[0]?.text).toBe('Sample Note');
    },
    'service-request-collection': async () => {
      serve('service-request-collection', { path: '/v1/servicerequests' });
      const page = await client.listServiceRequests(user());
      expect(page.skipped).toBe(1);
      expect(page.items.map((sr) => [sr.id, sr.severity, sr.status])).toEqual([
        ['616122292874576', 'unknown', 'open'],
        ['8c4f5e2a-1b3d-4f6a-9c8e-7d5b3a1f2e4c', 'minimal', 'closed'],
        ['SR2612AB7', 'critical', 'attention_needed'],
        ['616122292875555', 'moderate', 'open'],
      ]);
      expect(page.items[3]!.notes).toBeUndefined(); // notes in an unexpected shape: unknown, not fatal
    },
    customer: async () => {
      serve('customer', { path: `/v1/customers/${CID}` });
      expect((await client.getCustomer(user(), CID)).companyProfile).toMatchObject({ companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' });
    },
    'customer-collection': async () => {
      serve('customer-collection', { path: '/v1/customers' });
      const page = await client.findCustomers(user(), { field: 'companyName', prefix: 'cont' });
      expect(page.items.map((c) => c.companyProfile?.companyName)).toEqual(['Contoso Ltd', 'Contoso Pharmaceuticals']);
      expect(page.continuationToken).toBe('d19617b8-fbe5-4684-a5d8-0230972fb0cf,0000000000000000,0000000000000000');
    },
    'support-profile': async () => {
      serve('support-profile', { path: '/v1/profiles/support' });
      expect(await client.getSupportProfile(user())).toMatchObject({ email: 'email@sample.com', telephone: '4255555555', website: 'www.microsoft.com' });
    },
    'support-topic-collection': async () => {
      serve('support-topic-collection', { path: '/v1/servicerequests/supporttopics' });
      const topics = await client.listSupportTopics(user());
      expect(topics).toMatchObject({ source: 'partner-center', topics: [{ id: '32444671' }, { id: '32444672' }] });
    },
    'audit-record-collection': async () => {
      serve('audit-record-collection', { path: '/v1/auditrecords' });
      const page = await client.listActivity(user(), { size: 3 });
      expect(page.items.map((r) => r.operationType)).toEqual(['update_customer_user_licenses', 'create_order', 'update_subscription']);
      expect(page.items[1]).toMatchObject({ customerName: 'CustomMetersStagingTest', userPrincipalName: 'admin@testsw09.onmicrosoft.com', operationStatus: 'succeeded' });
      expect(subscriptionOf(page.items[1]!)).toEqual({ id: 'f428d44a-d08b-348b-579e-ce92a6362c7b', name: 'SaaS custom meter offer - Bronze' });
      expect(changedFields(page.items[2]!.resourceOldValue, page.items[2]!.resourceNewValue)).toEqual([
        { field: 'quantity', from: '1', to: '3' },
        { field: 'autoRenewEnabled', from: 'true', to: 'false' },
      ]);
      expect(page.next).toBeDefined();
    },
    'error-business-500': async () => {
      serve('error-business-500', { method: 'PATCH', path: SUB_PATH, status: 500 });
      const e = await failure(client.updateSubscription(user(), CID, SID, { friendlyName: 'Renamed' }));
      expect(e).toMatchObject({ kind: 'http', status: 500, code: '800083' });
      // A refusal, not a passing fault: sent once, never retried.
      expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    },
  };

  it.each(Object.keys(readers))('reads %s', async (name) => {
    await readers[name]!();
  });

  it('has a reader and a recorded source for every fixture', () => {
    expect([...FIXTURE_NAMES]).toEqual(Object.keys(readers).sort());
    for (const name of FIXTURE_NAMES) {
      expect(fixtureSource(name).written_from.length).toBeGreaterThan(0);
      expect(fixtureSource(name).checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('changes a documented new-commerce subscription: the whole resource goes back, unknown fields and all', async () => {
    serve('subscription-nce', { path: SUB_PATH });
    const r = await client.updateSubscription(user(), CID, SID, { quantity: 26 });
    expect(r.state === 'completed' || r.state === 'in-progress').toBe(true);
    const patch = sandbox.requests.find((q) => q.method === 'PATCH')!;
    const sent = patch.body as Record<string, unknown>;
    expect(sent).toMatchObject({
      quantity: 26,
      refundableQuantity: { totalQuantity: 5, details: [{ quantity: 5, allowedUntilDateTime: '2099-12-08T23:59:00Z' }] },
      cancellationAllowedUntilDate: '2099-12-08T23:59:00Z',
      actions: ['edit', 'cancel'],
      billingCycleEndDateTime: '2026-12-01T23:59:59Z',
      scheduledNextTermInstructions: { quantity: 25 },
      links: { self: { method: 'GET' } },
    });
    expect(patch.headers['if-match']).toBe('"eyJpZCI6ImE2YzFmM2UyIiwidmVyc2lvbiI6MTd9"');
    expect(patch.headers['ms-contract-version']).toBe('v1');
  });

  it('sends no If-Match for a subscription documented without an ETag, and does not re-send it after a timeout', async () => {
    await sandbox.close();
    ({ sandbox, client } = await startPartnerCenter({}, { timeoutMs: 100, verifyWaitMs: 0 }));
    serve('subscription-software', { path: SUB_PATH });
    sandbox.injectFault({ method: 'PATCH', path: SUB_PATH, delayMs: 400 });
    const r = await client.updateSubscription(user(), CID, SID, { friendlyName: 'RDS CALs' });
    const patches = sandbox.requests.filter((q) => q.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.headers['if-match']).toBeUndefined();
    // The read-back (the sandbox's own copy) does not show the change yet: unknown, never "failed".
    expect(r).toMatchObject({ state: 'unknown', correlationId: expect.any(String) });
  });

  it('reports a write Partner Center answered 200 as applied, whatever shape its body has', async () => {
    const odd = { ...fixture('service-request'), notes: 'three', severity: { level: 1 }, status: [] };
    sandbox.injectFault({ method: 'PATCH', path: `/v1/servicerequests/${SEED.serviceRequests.open.id}`, status: 200, body: odd });
    const r = await client.addServiceRequestNote(user(), SEED.serviceRequests.open.id, 'Shape test');
    expect(applied(r)).toMatchObject({ id: '616122292874576', title: 'TrialSR' });
    sandbox.injectFault({ method: 'PATCH', path: `/v1/servicerequests/${SEED.serviceRequests.open.id}`, status: 200, body: '<html>ok</html>' });
    const unread = await client.addServiceRequestNote(user(), SEED.serviceRequests.open.id, 'Body not JSON');
    // Applied; the body could not be read, so the request is read back to show it.
    expect(unread.outcome).toBe('applied');
    expect(sandbox.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v1/servicerequests/${SEED.serviceRequests.open.id}` });
  });
});
