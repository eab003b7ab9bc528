/** Service requests and support topics, driven with the doc pages' own request bodies. */
import { createSandbox, NO_DATE, SEED } from '../../dev/sandbox';
import type { Sandbox } from '../../dev/sandbox';
import { createServiceRequestBody as CREATE_SERVICE_REQUEST_BODY, updateServiceRequestBody as UPDATE_SERVICE_REQUEST_BODY } from '../fixtures/seed-examples';
import { call, DAY, fakeClock, get, jwt } from './helpers';

const clock = fakeClock();
let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox({ now: clock.now });
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.reset();
  sb.setOptions({ decommissioned: {} });
});

const openPath = `/v1/servicerequests/${SEED.serviceRequests.open.id}`;

describe('create', () => {
  it('accepts the documented body verbatim and answers 201 with the new request', async () => {
    const res = await call(sb, 'POST', '/v1/servicerequests/en-US', { body: CREATE_SERVICE_REQUEST_BODY });
    expect(res.status).toBe(201);
    const now = new Date(clock.now()).toISOString();
    expect(res.body).toMatchObject({
      title: 'TrialSR',
      description: 'Ignore this SR',
      severity: 'critical',
      supportTopicId: '32444671',
      supportTopicName: SEED.supportTopics.profile.name,
      status: 'open',
      organization: { id: SEED.partner.id, name: SEED.partner.name },
      primaryContact: { firstName: 'Sandbox', lastName: 'Admin' },
      createdDate: now,
      lastModifiedDate: now,
      lastClosedDate: NO_DATE,
      notes: [],
      countryCode: 'US',
      attributes: { objectType: 'ServiceRequest' },
    });
    expect(res.body.id).toMatch(/^[1-9]\d{14}$/);
    expect((await get(sb, `/v1/servicerequests/${res.body.id}`)).body.title).toBe('TrialSR');
  });

  it('stamps notes with the caller name from the token', async () => {
    const token = jwt({ tid: 't', name: 'Grace Hopper', upn: 'grace@litwarecsp.com' });
    const body = { ...CREATE_SERVICE_REQUEST_BODY, Notes: [{ Text: 'First note' }] };
    const res = await call(sb, 'POST', '/v1/servicerequests/fr-FR', { body, token });
    expect(res.status).toBe(201);
    expect(res.body.notes).toEqual([{ createdByName: 'Grace Hopper', createdDate: new Date(clock.now()).toISOString(), text: 'First note' }]);
    expect(res.body.primaryContact).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@litwarecsp.com' });
  });

  it.each([
    ['Title', { Title: null }],
    ['Description', { Description: '' }],
    ['Severity', { Severity: 'unknown' }],
    ['Severity', { Severity: 'urgent' }],
    ['SupportTopicId', { SupportTopicId: null }],
    ['SupportTopicId', { SupportTopicId: '999' }],
  ])('answers 400 naming %s when it is missing or invalid', async (field, change) => {
    const res = await call(sb, 'POST', '/v1/servicerequests/en-US', { body: { ...CREATE_SERVICE_REQUEST_BODY, ...change } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('InvalidInput');
    expect(res.body.description).toContain(field);
  });

  it('answers 400 for an agent locale that is not like en-US', async () => {
    const res = await call(sb, 'POST', '/v1/servicerequests/english', { body: CREATE_SERVICE_REQUEST_BODY });
    expect(res.status).toBe(400);
    expect(res.body.description).toContain('agent-locale');
  });

  it('answers 410 OperationDecommissioned when create is retired', async () => {
    sb.setOptions({ decommissioned: { createServiceRequest: true } });
    const res = await call(sb, 'POST', '/v1/servicerequests/en-US', { body: CREATE_SERVICE_REQUEST_BODY });
    expect(res.status).toBe(410);
    expect(res.body).toEqual({
      code: 'OperationDecommissioned',
      description: 'This API has been decommissioned. Partners should use the Partner Center user interface.',
      data: [],
      source: 'PartnerFD',
    });
  });
});

describe('update', () => {
  it('the documented PATCH body only adds its note', async () => {
    const before = (await get(sb, openPath)).body;
    clock.advance(60_000);
    const res = await call(sb, 'PATCH', openPath, { body: UPDATE_SERVICE_REQUEST_BODY });
    expect(res.status).toBe(200);
    const now = new Date(clock.now()).toISOString();
    const { notes, lastModifiedDate, lastUpdatedBy, ...rest } = res.body;
    const { notes: oldNotes, lastModifiedDate: oldModified, ...oldRest } = before;
    expect(rest).toEqual(oldRest);
    expect(notes).toEqual([...oldNotes, { createdByName: 'Sandbox Admin', createdDate: now, text: 'Sample Note' }]);
    expect(lastModifiedDate).toBe(now);
    expect(oldModified).not.toBe(now);
    expect(lastUpdatedBy).toMatchObject({ firstName: 'Sandbox', lastName: 'Admin' });
  });

  it('closes with Status closed and reopens with open', async () => {
    const closed = await call(sb, 'PATCH', openPath, { body: { Status: 'closed' } });
    expect(closed.body).toMatchObject({ status: 'closed', lastClosedDate: new Date(clock.now()).toISOString() });
    clock.advance(1000);
    const reopened = await call(sb, 'PATCH', openPath, { body: { status: 'open' } });
    expect(reopened.body.status).toBe('open');
  });

  it('changes severity, accepts integer enums, and ignores Title and Description', async () => {
    const res = await call(sb, 'PATCH', openPath, { body: { Severity: 1, Title: 'new title', Description: 'new' } });
    expect(res.body).toMatchObject({ severity: 'critical', title: SEED.serviceRequests.open.title });
  });

  it('answers 400 for an empty note and changes nothing', async () => {
    const res = await call(sb, 'PATCH', openPath, { body: { Severity: 'minimal', NewNote: { Text: ' ' } } });
    expect(res.status).toBe(400);
    expect(res.body.description).toContain('NewNote.Text');
    expect((await get(sb, openPath)).body.severity).toBe('moderate');
  });

  it('answers 404 for an unknown id', async () => {
    for (const [method, body] of [['GET', undefined], ['PATCH', UPDATE_SERVICE_REQUEST_BODY]] as const) {
      const res = await call(sb, method, '/v1/servicerequests/999999999999999', { body });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ServiceRequestNotFound');
    }
  });
});

describe('list', () => {
  it('lists newest first with integer severity and status (the documented list quirk)', async () => {
    const res = await get(sb, '/v1/servicerequests');
    expect(res.status).toBe(200);
    expect(res.body.attributes).toEqual({ objectType: 'Collection' });
    expect(res.body.totalCount).toBe(6);
    const dates = res.body.items.map((i: { createdDate: string }) => Date.parse(i.createdDate));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    const open = res.body.items.find((i: { id: string }) => i.id === SEED.serviceRequests.open.id);
    expect(open).toMatchObject({ severity: 2, status: 1 });
    // single reads stay strings
    expect((await get(sb, openPath)).body).toMatchObject({ severity: 'moderate', status: 'open' });
  });

  it('filters by Status or Severity with URL-encoded JSON', async () => {
    const filter = encodeURIComponent(JSON.stringify({ Field: 'Status', Value: 'open', Operator: 'equals' }));
    const open = await get(sb, `/v1/servicerequests?filter=${filter}`);
    expect(open.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [SEED.serviceRequests.open.id, SEED.serviceRequests.partnerProfile.id, SEED.serviceRequests.azureQuota.id].sort(),
    );
    const critical = encodeURIComponent(JSON.stringify({ field: 'severity', value: 'critical', operator: 'Equals' }));
    expect((await get(sb, `/v1/servicerequests?filter=${critical}`)).body.totalCount).toBe(2);

    const bad = encodeURIComponent(JSON.stringify({ Field: 'Title', Value: 'x', Operator: 'equals' }));
    expect((await get(sb, `/v1/servicerequests?filter=${bad}`)).status).toBe(400);
  });

  it('pages with offset and size and a next link that keeps the filter', async () => {
    const filter = JSON.stringify({ Field: 'Status', Value: 'open', Operator: 'equals' });
    const first = await get(sb, `/v1/servicerequests?size=2&filter=${encodeURIComponent(filter)}`);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.links.next).toEqual({
      uri: `/v1/servicerequests?offset=2&size=2&filter=${encodeURIComponent(filter)}`,
      method: 'GET',
      headers: [],
    });
    const second = await get(sb, first.body.links.next.uri);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.links.next).toBeUndefined();
    expect((await get(sb, '/v1/servicerequests?size=201')).status).toBe(400);
  });

  it("lists one customer's requests", async () => {
    const res = await get(sb, `/v1/customers/${SEED.customers.contoso.id}/servicerequests`);
    expect(res.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [SEED.serviceRequests.open.id, SEED.serviceRequests.azureQuota.id].sort(),
    );
    expect((await get(sb, `/v1/customers/${SEED.customers.northwind.id}/servicerequests`)).status).toBe(403);
  });

  it('newly created requests come first', async () => {
    clock.advance(DAY);
    const created = await call(sb, 'POST', '/v1/servicerequests/en-US', { body: CREATE_SERVICE_REQUEST_BODY });
    const res = await get(sb, '/v1/servicerequests?size=1');
    expect(res.body.items[0].id).toBe(created.body.id);
  });
});

describe('support topics', () => {
  it('lists topics as {name, description, id}', async () => {
    const res = await get(sb, '/v1/servicerequests/supporttopics');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(8);
    expect(res.body.items[0]).toEqual({ name: expect.any(String), description: expect.any(String), id: expect.stringMatching(/^\d+$/) });
  });

  it('answers 410 when retired', async () => {
    sb.setOptions({ decommissioned: { supportTopics: true } });
    const res = await get(sb, '/v1/servicerequests/supporttopics');
    expect(res.status).toBe(410);
    expect(res.body.code).toBe('OperationDecommissioned');
  });
});
