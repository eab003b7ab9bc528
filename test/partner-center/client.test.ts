import { SEED } from '../../dev/sandbox';
import type { PartnerCenterClient } from '../../src/partner-center';
import { ALICE_TOKEN, applied, errorCardFor, failure, seenBy, partnerCenterPerTest, user } from '../support/partner-center';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const contoso = SEED.customers.contoso.id;
const nce = SEED.subscriptions.contosoNce.id;

describe('Partner Center client against the sandbox', () => {
  const pc = partnerCenterPerTest();

  const calls = () => pc.sandbox.requests.map((r) => `${r.method} ${r.path}`);

  describe('service requests', () => {
    it('creates one with the agent locale in the path and every documented header, in one call', async () => {
      const sr = applied(await pc.client.createServiceRequest(user({ locale: 'fr-FR', correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd' }), {
        title: 'Licences introuvables',
        description: 'Les nouveaux utilisateurs ne reçoivent pas de licence.',
        severity: 'moderate',
        supportTopicId: SEED.supportTopics.licensing.id,
        notes: ['Cinq utilisateurs concernés.'],
      }));
      expect(sr).toMatchObject({ title: 'Licences introuvables', severity: 'moderate', status: 'open' });
      expect(sr.id).toMatch(/^\d{15}$/);
      expect(sr.notes?.map((n) => n.text)).toEqual(['Cinq utilisateurs concernés.']);
      expect(calls()).toEqual(['POST /v1/servicerequests/fr-FR']);
      const [req] = pc.sandbox.requests;
      expect(req!.token).toBe(ALICE_TOKEN);
      expect(req!.headers).toMatchObject({
        accept: 'application/json',
        'content-type': 'application/json',
        'x-locale': 'fr-FR',
        'ms-correlationid': 'aaaa0000-bb11-2222-33cc-444444dddddd',
        'ms-partnercenter-application': 'Partner Ops tests',
      });
      expect(req!.headers['ms-requestid']).toMatch(GUID);
      expect(req!.body).toMatchObject({ Title: 'Licences introuvables', Severity: 'moderate', Notes: [{ Text: 'Cinq utilisateurs concernés.' }] });
    });

    it('says plainly when Partner Center has retired create, with the web page to use', async () => {
      pc.sandbox.setOptions({ decommissioned: { createServiceRequest: true } });
      const e = await failure(
        pc.client.createServiceRequest(user(), { title: 't', description: 'd', severity: 'minimal', supportTopicId: SEED.supportTopics.billing.id }),
      );
      expect(e.kind).toBe('decommissioned');
      // The user reads that the API no longer does it, and gets a button to the web page.
      expect(seenBy(e)).toMatch(/no longer offers this through its API[\s\S]*Open in Partner Center/);
      expect(JSON.stringify(errorCardFor(e))).toContain('https://partner.microsoft.com/dashboard/support/servicerequests');
      expect(seenBy(e, 'it-IT')).toContain('Centro per i partner');
      expect(e.requestId).toMatch(GUID);
    });

    it('reads one, and lists the partner\'s newest first with a status filter and paging', async () => {
      const one = await pc.client.getServiceRequest(user(), SEED.serviceRequests.open.id);
      expect(one).toMatchObject({ title: SEED.serviceRequests.open.title, status: 'open' });

      const open = await pc.client.listServiceRequests(user(), { status: 'open', size: 2 });
      expect(open.items).toHaveLength(2);
      expect(open.items.every((s) => s.status === 'open')).toBe(true); // the list sends integers; read as names
      expect(open.nextOffset).toBe(2);
      const rest = await pc.client.listServiceRequests(user(), { status: 'open', size: 2, offset: 2 });
      expect(rest.nextOffset).toBeUndefined();
      const created = [...open.items, ...rest.items].map((s) => s.createdDate!);
      expect([...created].sort().reverse()).toEqual(created);
      expect(JSON.parse(pc.sandbox.requests[1]!.query.filter!)).toEqual({ Field: 'Status', Value: 'open', Operator: 'equals' });
    });

    it('adds a note with a PATCH that carries only the note', async () => {
      const sr = applied(await pc.client.addServiceRequestNote(user(), SEED.serviceRequests.open.id, 'Customer confirmed the fix.'));
      expect(sr.notes?.at(-1)?.text).toBe('Customer confirmed the fix.');
      expect(sr.status).toBe('open');
      expect(calls()).toEqual([`PATCH /v1/servicerequests/${SEED.serviceRequests.open.id}`]);
      expect(pc.sandbox.requests[0]!.body).toEqual({ NewNote: { Text: 'Customer confirmed the fix.' } });
    });

    it('closes one', async () => {
      const sr = applied(await pc.client.closeServiceRequest(user(), SEED.serviceRequests.open.id));
      expect(sr.status).toBe('closed');
      expect(sr.lastClosedDate).not.toBeNull();
      expect(pc.sandbox.requests[0]!.body).toEqual({ Status: 'closed' });
    });

    it('reports a wrong id as not found, with the ids support needs', async () => {
      const e = await failure(pc.client.getServiceRequest(user(), '999999999999999'));
      expect(e).toMatchObject({ kind: 'http', status: 404 });
      expect(e.requestId).toMatch(GUID);
      expect(e.correlationId).toMatch(GUID);
      expect(e.cv).toBeTruthy();
      expect(e.request).toMatchObject({ method: 'GET' });
    });

    it('lists support topics, and falls back to the configured list when the endpoint is gone', async () => {
      const live = await pc.client.listSupportTopics(user());
      expect(live.source).toBe('partner-center');
      expect(live.topics.map((t) => t.id)).toContain(SEED.supportTopics.billing.id);
      pc.sandbox.setOptions({ decommissioned: { supportTopics: true } });
      const fallback = await pc.client.listSupportTopics(user());
      expect(fallback).toEqual({ source: 'fallback', topics: [{ id: '1', name: 'Fallback topic', description: 'from configuration' }] });
    });
  });

  describe('customers and subscriptions', () => {
    it('finds customers by company-name or domain prefix, case-insensitively', async () => {
      const byName = await pc.client.findCustomers(user(), { field: 'companyName', prefix: 'CONTOSO' });
      expect(byName.items.map((c) => c.companyProfile?.companyName).sort()).toEqual([
        'Contoso Hotels',
        'Contoso Ltd',
        'Contoso Pharmaceuticals',
      ]);
      const byDomain = await pc.client.findCustomers(user(), { field: 'domain', prefix: 'fabrikam' });
      expect(byDomain.items.map((c) => c.id)).toEqual([SEED.customers.fabrikam.id]);
      expect(JSON.parse(pc.sandbox.requests[1]!.query.filter!)).toEqual({ Field: 'Domain', Value: 'fabrikam', Operator: 'starts_with' });
    });

    it('pages through customers with the continuation token', async () => {
      const first = await pc.client.findCustomers(user(), { field: 'companyName', prefix: 'contoso', size: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.continuationToken).toBeTruthy();
      const second = await pc.client.findCustomers(user(), { field: 'companyName', prefix: 'contoso', size: 2, continuationToken: first.continuationToken });
      expect(second.items).toHaveLength(1);
      expect(second.continuationToken).toBeUndefined();
      expect(pc.sandbox.requests[1]!.headers['ms-continuationtoken']).toBe(first.continuationToken);
    });

    it('reads a customer, its subscriptions and one subscription', async () => {
      expect((await pc.client.getCustomer(user(), contoso)).companyProfile?.domain).toBe('contoso.onmicrosoft.com');
      const subs = await pc.client.listSubscriptions(user(), contoso);
      expect(subs.items.map((s) => s.id)).toContain(nce);
      expect(subs.skipped).toBe(0);
      const sub = await pc.client.getSubscription(user(), contoso, nce);
      expect(sub).toMatchObject({ id: nce, autoRenewEnabled: true, status: 'active' });
    });

    it('explains a customer the partner no longer serves', async () => {
      const e = await failure(pc.client.getCustomer(user(), SEED.customers.northwind.id));
      expect(e).toMatchObject({ status: 403, code: '20002' });
      expect(seenBy(e)).toMatch(/no longer have a commerce relationship with this customer/);
      expect(seenBy(e, 'fr-FR')).toMatch(/n'avez plus de relation commerciale/);
    });

    it('updates by read-modify-write of the whole resource: auto-renew, next-term instructions and unknown fields survive', async () => {
      const before = pc.sandbox.data.subscriptions.find((s) => s.resource.id === nce)!.resource;
      const result = await pc.client.updateSubscription(user(), contoso, nce, { friendlyName: 'Contoso front office' });
      expect(result.state).toBe('completed');
      expect(result.subscription).toMatchObject({ friendlyName: 'Contoso front office', autoRenewEnabled: true });
      expect(result.previous.friendlyName).toBe(before.friendlyName);
      expect(calls()).toEqual([`GET /v1/customers/${contoso}/subscriptions/${nce}`, `PATCH /v1/customers/${contoso}/subscriptions/${nce}`]);
      const patch = pc.sandbox.requests[1]!;
      expect(patch.body).toMatchObject({
        friendlyName: 'Contoso front office',
        autoRenewEnabled: true,
        scheduledNextTermInstructions: expect.any(Object),
        someFutureField: { rolloutWave: 3, flags: ['preview'] },
      });
      expect(patch.headers['if-match']).toBe(`"${before.attributes.etag}"`);
      expect(patch.headers['ms-correlationid']).toBe(pc.sandbox.requests[0]!.headers['ms-correlationid']);
      expect(patch.headers['ms-requestid']).not.toBe(pc.sandbox.requests[0]!.headers['ms-requestid']);
      const after = pc.sandbox.data.subscriptions.find((s) => s.resource.id === nce)!.resource;
      expect(after.autoRenewEnabled).toBe(true);
      expect(after.scheduledNextTermInstructions).toBeTruthy();
    });

    it('follows a 202 by polling its Location until the change shows', async () => {
      pc.sandbox.setOptions({ asyncApplyMs: 2500 });
      const result = await pc.client.updateSubscription(user(), contoso, nce, { quantity: 30 });
      expect(result).toMatchObject({ state: 'completed', subscription: { quantity: 30 }, previous: { quantity: 25 } });
      const polls = calls().slice(2);
      expect(polls.length).toBeGreaterThanOrEqual(2);
      expect(new Set(polls)).toEqual(new Set([`GET /v1/customers/${contoso}/subscriptions/${nce}`]));
      expect(pc.clock.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2500);
    });

    it('answers "in progress" when the 202 outlasts the bounded wait', async () => {
      pc.sandbox.setOptions({ asyncApplyMs: 60_000 });
      const result = await pc.client.updateSubscription(user(), contoso, nce, { quantity: 26 }, { maxWaitMs: 5_000 });
      expect(result.state).toBe('in-progress');
      expect(result.subscription.quantity).toBe(25);
      expect(result.state === 'in-progress' && result.location).toBe(`/v1/customers/${contoso}/subscriptions/${nce}`);
      expect(pc.clock.waits.reduce((a, b) => a + b, 0)).toBe(5_000);
    });

    it('re-reads and retries once when someone else changed the subscription in between', async () => {
      // Another admin renames the subscription between our GET and our PATCH: the ETag we hold goes stale.
      let interfered = false;
      const racing: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        if (!interfered && init?.method === 'GET') {
          interfered = true;
          const other = await fetch(`${pc.sandbox.url}/v1/customers/${contoso}/subscriptions/${nce}`, { headers: { authorization: 'Bearer bob' } });
          await fetch(`${pc.sandbox.url}/v1/customers/${contoso}/subscriptions/${nce}`, {
            method: 'PATCH',
            headers: { authorization: 'Bearer bob', 'content-type': 'application/json' },
            body: JSON.stringify({ ...((await other.json()) as object), friendlyName: 'Renamed by Bob' }),
          });
        }
        return res;
      };
      await pc.restart({}, { fetch: racing });
      const result = await pc.client.updateSubscription(user(), contoso, nce, { autoRenewEnabled: false });
      expect(result.state).toBe('completed');
      expect(result.subscription).toMatchObject({ autoRenewEnabled: false, friendlyName: 'Renamed by Bob' });
      const mine = pc.sandbox.requests.filter((r) => r.token === ALICE_TOKEN);
      expect(mine.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'PATCH 412', 'GET 200', 'PATCH 200']);
    });

    it('reports the new-commerce seat-decrease rule in plain words', async () => {
      const e = await failure(pc.client.updateSubscription(user(), SEED.customers.fabrikam.id, SEED.subscriptions.fabrikamNce.id, { quantity: 9 }));
      expect(e).toMatchObject({ status: 400, code: '800090' });
      expect(seenBy(e)).toMatch(/only be reduced within 7 days of adding them/);
    });
  });

  describe('support profile', () => {
    it('reads, merges and PUTs the full profile on the seed\'s path: two calls', async () => {
      const { result, previous } = await pc.client.updateSupportProfile(user(), { telephone: '+1 425 555 0199' });
      const p = applied(result);
      expect(previous.telephone).toBe(SEED.supportProfile.telephone);
      expect(p).toMatchObject({ telephone: '+1 425 555 0199', email: SEED.supportProfile.email, website: SEED.supportProfile.website });
      expect(calls()).toEqual(['GET /v1/profiles/support', 'PUT /v1/profiles/supportprofile']);
      expect(pc.sandbox.requests[1]!.body).toMatchObject({ email: SEED.supportProfile.email, telephone: '+1 425 555 0199', profileType: 'support_profile' });
    });

    it('falls back to the SDK\'s path on 404, and remembers it', async () => {
      pc.sandbox.setOptions({ supportProfilePutPaths: ['support'] });
      await pc.client.updateSupportProfile(user(), { email: 'help@litwarecsp.com' });
      await pc.client.updateSupportProfile(user(), { website: 'www.litwarecsp.com' });
      expect(calls()).toEqual([
        'GET /v1/profiles/support',
        'PUT /v1/profiles/supportprofile',
        'PUT /v1/profiles/support',
        'GET /v1/profiles/support',
        'PUT /v1/profiles/support',
      ]);
      expect(await pc.client.getSupportProfile(user())).toMatchObject({ email: 'help@litwarecsp.com', website: 'www.litwarecsp.com' });
    });
  });

  describe('invalid input never reaches the network', () => {
    // Problems carry message keys (the bot words them in the user's language), and the log message lists them.
    it.each<[string, (c: PartnerCenterClient) => Promise<unknown>, Record<string, unknown>]>([
      ['empty title', (c) => c.createServiceRequest(user(), { title: '  ', description: 'd', severity: 'critical', supportTopicId: '1' }), { field: 'title', key: 'field.required' }],
      ['unknown severity', (c) => c.createServiceRequest(user(), { title: 't', description: 'd', severity: 'urgent' as 'critical', supportTopicId: '1' }), { field: 'severity', key: 'field.choice' }],
      ['oversized description', (c) => c.createServiceRequest(user(), { title: 't', description: 'x'.repeat(5000), severity: 'critical', supportTopicId: '1' }), { field: 'description', key: 'field.tooLong', params: { max: 4000 } }],
      ['bad agent locale', (c) => c.createServiceRequest(user(), { title: 't', description: 'd', severity: 'critical', supportTopicId: '1' }, 'french'), { field: 'agentLocale', key: 'field.invalid' }],
      ['path injection in an id', (c) => c.getServiceRequest(user(), '123/../../customers'), { field: 'id', key: 'field.invalid' }],
      ['empty note', (c) => c.addServiceRequestNote(user(), SEED.serviceRequests.open.id, '\n '), { field: 'text', key: 'field.required' }],
      ['control characters', (c) => c.addServiceRequestNote(user(), SEED.serviceRequests.open.id, 'a\u0000b'), { field: 'text', key: 'field.controlChars' }],
      ['customer id not a GUID', (c) => c.listSubscriptions(user(), 'contoso'), { field: 'customerId', key: 'field.invalid' }],
      ['zero seats', (c) => c.updateSubscription(user(), contoso, nce, { quantity: 0 }), { field: 'quantity', key: 'field.min', params: { min: 1 } }],
      ['fractional seats', (c) => c.updateSubscription(user(), contoso, nce, { quantity: 2.5 }), { field: 'quantity', key: 'field.wholeNumber' }],
      ['seats and status together', (c) => c.updateSubscription(user(), contoso, nce, { quantity: 3, status: 'suspended' }), { field: 'quantity', key: 'field.quantityWithStatus' }],
      ['a field that does not exist', (c) => c.updateSubscription(user(), contoso, nce, { billingCycle: 'annual' } as never), { key: 'field.invalid' }],
      ['no change', (c) => c.updateSupportProfile(user(), {}), { field: 'input', key: 'field.noChange' }],
      ['bad email', (c) => c.updateSupportProfile(user(), { email: 'support at litware' }), { field: 'email', key: 'field.email' }],
    ])('%s', async (_name, act, problem) => {
      const e = await failure(act(pc.client));
      expect(e.kind).toBe('invalid-input');
      expect(e.fields).toContainEqual(expect.objectContaining(problem));
      expect(e.message).toContain(`${problem.field ?? ''} ${problem.key}`.trim());
      expect(pc.sandbox.requests).toHaveLength(0);
    });
  });
});
