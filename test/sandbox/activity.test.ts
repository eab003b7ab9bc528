/** The activity log (GET /v1/auditrecords): window, filters, continuation, and records of the sandbox's own writes. */
import { createSandbox, SEED, SEED_ACTIVITY, type Sandbox } from '../../dev/sandbox';
import { call, DAY, fakeClock, get, jwt } from './helpers';

const clock = fakeClock(Date.parse('2026-12-07T10:00:00Z'));
let sb: Sandbox;
beforeEach(async () => {
  sb = await createSandbox({ now: clock.now, asyncSubscriptionUpdates: 'never' });
});
afterEach(() => sb.close());

const filter = (field: string, value: string, operator: string) => encodeURIComponent(JSON.stringify({ Field: field, Value: value, Operator: operator }));
const day = (msAgo: number) => new Date(clock.now() - msAgo).toISOString().slice(0, 10);
type Rec = { operationType: string; customerName?: string; operationDate: string; userPrincipalName?: string; resourceOldValue?: string; resourceNewValue?: string };

it('answers the last 30 days without a start date, newest first, in the documented shape', async () => {
  const res = await get(sb, '/v1/auditrecords');
  expect(res.status).toBe(200);
  const items = res.body.items as Rec[];
  expect(items.map((r) => r.operationType)).toEqual(['update_subscription', 'create_order', 'update_subscription', 'update_subscription', 'update_subscription']);
  expect(items.map((r) => Date.parse(r.operationDate))).toEqual([...items.map((r) => Date.parse(r.operationDate))].sort((a, b) => b - a));
  expect(res.body).toMatchObject({ totalCount: 5, attributes: { objectType: 'Collection' } });
  expect(items[0]).toMatchObject({ customerName: 'Contoso Ltd', userPrincipalName: SEED_ACTIVITY.tania, resourceType: 'subscription', operationStatus: 'succeeded', attributes: { objectType: 'AuditRecord' } });
  // Old and new values are JSON strings of the resource, PascalCase as the service writes them.
  expect(JSON.parse(items[0]!.resourceOldValue!)).toMatchObject({ Id: SEED.subscriptions.contosoNce.id, Quantity: 20 });
  expect(JSON.parse(items[0]!.resourceNewValue!)).toMatchObject({ Quantity: 25 });
});

it('takes a date window (a date is its whole day) and refuses a start more than 90 days back with 400', async () => {
  const old = await get(sb, `/v1/auditrecords?startDate=${day(60 * DAY)}&endDate=${day(30 * DAY)}`);
  expect((old.body.items as Rec[]).map((r) => r.operationType)).toEqual(['update_customer_user_licenses']);
  const today = await get(sb, `/v1/auditrecords?startDate=${day(2 * DAY)}&endDate=${day(2 * DAY)}`);
  expect((today.body.items as Rec[]).map((r) => r.operationType)).toEqual(['update_subscription', 'create_order']);
  const tooOld = await get(sb, `/v1/auditrecords?startDate=${day(91 * DAY)}`);
  expect(tooOld.status).toBe(400);
  expect(tooOld.body.description).toMatch(/90 days/);
  // The day 90 days back began more than 90 days ago (it is 10:00): refused too.
  expect((await get(sb, `/v1/auditrecords?startDate=${day(90 * DAY)}`)).status).toBe(400);
  const limit = await get(sb, `/v1/auditrecords?startDate=${day(89 * DAY)}`);
  expect((limit.body.items as Rec[]).some((r) => r.operationType === 'add_customer')).toBe(false); // 100 days old: never served
});

it('filters by CustomerId equals, CompanyName substring and ResourceType equals, and refuses other filters', async () => {
  const start = `startDate=${day(60 * DAY)}`;
  const byId = await get(sb, `/v1/auditrecords?${start}&filter=${filter('CustomerId', SEED.customers.contoso.id, 'equals')}`);
  expect(new Set((byId.body.items as Rec[]).map((r) => r.customerName))).toEqual(new Set(['Contoso Ltd']));
  expect(byId.body.items).toHaveLength(3);
  const byName = await get(sb, `/v1/auditrecords?${start}&filter=${filter('CompanyName', 'ingti', 'substring')}`);
  expect((byName.body.items as Rec[]).map((r) => r.customerName)).toEqual(['Wingtip Toys']);
  const byType = await get(sb, `/v1/auditrecords?${start}&filter=${filter('ResourceType', 'license', 'equals')}`);
  expect((byType.body.items as Rec[]).map((r) => r.operationType)).toEqual(['update_customer_user_licenses']);
  expect((await get(sb, `/v1/auditrecords?filter=${filter('CompanyName', 'Contoso', 'starts_with')}`)).status).toBe(400);
  expect((await get(sb, `/v1/auditrecords?filter=${filter('OperationType', 'x', 'equals')}`)).status).toBe(400);
});

it('pages with links.next and MS-ContinuationToken, without repeating a record added meanwhile', async () => {
  const first = await get(sb, `/v1/auditrecords?startDate=${day(60 * DAY)}&size=2`);
  expect(first.body.items).toHaveLength(2);
  const next = first.body.links.next as { uri: string; headers: Array<{ key: string; value: string }> };
  expect(next.uri).toBe('/auditrecords?size=2&seekOperation=Next');
  expect(next.headers[0]!.key).toBe('MS-ContinuationToken');
  expect(first.body.continuationToken).toBe(next.headers[0]!.value);
  // A change lands between two pages: it is newest, and must not shift the pages being read.
  await changeSeats(10);
  const seen: string[] = (first.body.items as Array<{ id: string }>).map((r) => r.id);
  let link: typeof next | undefined = next;
  while (link) {
    const page = await get(sb, `/v1${link.uri}`, { headers: { 'MS-ContinuationToken': link.headers[0]!.value } });
    expect(page.status).toBe(200);
    seen.push(...(page.body.items as Array<{ id: string }>).map((r) => r.id));
    link = page.body.links.next;
  }
  expect(seen).toHaveLength(6);
  expect(new Set(seen).size).toBe(6);
  expect((await get(sb, '/v1/auditrecords?seekOperation=Next', { headers: { 'MS-ContinuationToken': 'garbage' } })).status).toBe(400);
});

it("records the sandbox's own subscription change: who, which app, old and new value", async () => {
  const token = jwt({ tid: 'litware', name: 'Alice Admin', upn: 'alice@litwarecsp.com', appid: 'c0ffee00-0000-4000-8000-00000000beef' });
  await changeSeats(12, token);
  const res = await get(sb, `/v1/auditrecords?filter=${filter('CustomerId', SEED.customers.wingtip.id, 'equals')}`);
  const mine = res.body.items[0];
  expect(mine).toMatchObject({
    userPrincipalName: 'alice@litwarecsp.com',
    applicationId: 'c0ffee00-0000-4000-8000-00000000beef',
    customerName: 'Wingtip Toys',
    resourceType: 'subscription',
    operationType: 'update_subscription',
    operationStatus: 'succeeded',
    operationDate: new Date(clock.now()).toISOString(),
  });
  expect(JSON.parse(mine.resourceOldValue).Quantity).toBe(14);
  expect(JSON.parse(mine.resourceNewValue).Quantity).toBe(12);
});

async function changeSeats(quantity: number, token = 'test-token') {
  const path = `/v1/customers/${SEED.customers.wingtip.id}/subscriptions/${SEED.subscriptions.wingtipFewDays.id}`;
  const current = await get(sb, path, { token });
  const res = await call(sb, 'PATCH', path, { token, body: { ...current.body, quantity }, headers: { 'If-Match': current.body.attributes.etag } });
  expect(res.status).toBe(200);
}
