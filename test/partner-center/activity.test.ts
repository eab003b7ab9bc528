/** The activity log through the client, over real HTTP against the sandbox: the query as documented, paging, the cursor. */
import { SEED, SEED_ACTIVITY, type Sandbox } from '../../dev/sandbox';
import { changedFields, type PartnerCenterClient } from '../../src/partner-center';
import type { FakeClock } from '../support/fake-clock';
import { failure, startPartnerCenter, user } from '../support/partner-center';

const DAY = 86_400_000;
let sandbox: Sandbox;
let client: PartnerCenterClient;
let clock: FakeClock;
beforeEach(async () => {
  ({ sandbox, client, clock } = await startPartnerCenter({ asyncSubscriptionUpdates: 'never' }));
});
afterEach(() => sandbox.close());

const logCalls = () => sandbox.requests.filter((r) => r.path === '/v1/auditrecords');
const day = (msAgo: number) => new Date(clock.now() - msAgo).toISOString().slice(0, 10);

it('sends the window as dates and each documented filter as Field, Value, Operator', async () => {
  await client.listActivity(user(), { from: new Date(clock.now() - 7 * DAY), to: new Date(clock.now()), filter: { field: 'customerId', value: SEED.customers.contoso.id } });
  await client.listActivity(user(), { filter: { field: 'companyName', value: 'Conto' }, size: 50 });
  await client.listActivity(user(), { filter: { field: 'resourceType', value: 'subscription' } });
  const [byId, byName, byType] = logCalls();
  expect(byId!.query).toEqual({
    size: '100',
    startDate: day(7 * DAY),
    endDate: day(0),
    filter: JSON.stringify({ Field: 'CustomerId', Value: SEED.customers.contoso.id, Operator: 'equals' }),
  });
  // Without a start: the service's own default, 30 days.
  expect(byName!.query).toEqual({ size: '50', startDate: day(30 * DAY), filter: JSON.stringify({ Field: 'CompanyName', Value: 'Conto', Operator: 'substring' }) });
  expect(byType!.query.filter).toBe(JSON.stringify({ Field: 'ResourceType', Value: 'subscription', Operator: 'equals' }));
});

it('reads the records leniently: who, what, which customer, when, status', async () => {
  const page = await client.listActivity(user(), { from: new Date(clock.now() - 7 * DAY) });
  expect(page.items.map((r) => [r.operationType, r.customerName, r.userPrincipalName ?? r.applicationId])).toEqual([
    ['update_subscription', 'Contoso Ltd', SEED_ACTIVITY.tania],
    ['create_order', 'Contoso Ltd', SEED_ACTIVITY.tania],
    ['update_subscription', 'Wingtip Toys', SEED_ACTIVITY.otherTool],
  ]);
  expect(page.items[0]).toMatchObject({ operationStatus: 'succeeded', resourceType: 'subscription', operationDate: new Date(clock.now() - 2 * DAY).toISOString() });
});

it('moves a start older than 90 days to the first day the service answers for, instead of getting a 400', async () => {
  const page = await client.listActivity(user(), { from: new Date(clock.now() - 200 * DAY) });
  expect(logCalls()[0]!.query.startDate).toBe(day(89 * DAY));
  expect(page.startDate).toBe(day(89 * DAY));
  expect(page.items.some((r) => r.operationType === 'update_customer_user_licenses')).toBe(true);
});

it('follows continuation as the SDK does: the next link with its MS-ContinuationToken header', async () => {
  const seen: string[] = [];
  let next: string | undefined;
  do {
    const page = await client.listActivity(user(), next ? { next } : { from: new Date(clock.now() - 60 * DAY), size: 2 });
    seen.push(...page.items.map((r) => r.id!));
    next = page.next;
  } while (next);
  expect(seen).toHaveLength(6);
  expect(new Set(seen).size).toBe(6);
  const calls = logCalls();
  expect(calls).toHaveLength(3);
  expect(calls[1]!.query).toEqual({ size: '2', seekOperation: 'Next' });
  expect(calls[1]!.headers['ms-continuationtoken']).toBeTruthy();
  expect(calls[0]!.headers['ms-continuationtoken']).toBeUndefined();
});

it('refuses a tampered page link before sending anything', async () => {
  const forged = Buffer.from(JSON.stringify(['/v1/customers', 't', '2026-11-01'])).toString('base64url');
  const e = await failure(client.listActivity(user(), { next: forged }));
  expect(e.kind).toBe('invalid-input');
  expect(sandbox.requests).toHaveLength(0);
});

it('reads from a cursor without repeats: ids seen at the cursor instant are skipped, later records kept once', async () => {
  const first = await client.readActivitySince(user(), { at: new Date(clock.now() - 5 * DAY).toISOString(), ids: [] });
  expect(first.records.map((r) => r.operationType)).toEqual(['update_subscription', 'create_order', 'update_subscription']); // oldest first
  expect(first.cursor.at).toBe(new Date(clock.now() - 2 * DAY).toISOString());
  expect(first.cursor.ids).toHaveLength(1);
  // Nothing new: asking again from the cursor (its whole day is re-read) gives nothing.
  expect((await client.readActivitySince(user(), first.cursor)).records).toEqual([]);
  // A change lands: it alone is new, and the cursor moves to it.
  clock.advance(60_000);
  await client.updateSubscription(user(), SEED.customers.contoso.id, SEED.subscriptions.contosoNce.id, { quantity: 26 });
  const second = await client.readActivitySince(user(), first.cursor, { size: 1 });
  expect(second.records).toHaveLength(1);
  expect(changedFields(second.records[0]!.resourceOldValue, second.records[0]!.resourceNewValue)).toContainEqual({ field: 'quantity', from: '25', to: '26' });
  expect(second.cursor.at).toBe(new Date(clock.now()).toISOString());
  expect(second.pages).toBeGreaterThan(1); // size 1: continuation followed
});

it('says when a cursor is older than the 90 days the log answers for', async () => {
  const r = await client.readActivitySince(user(), { at: new Date(clock.now() - 120 * DAY).toISOString(), ids: [] });
  expect(r.gap).toBe(true);
  expect(logCalls()[0]!.query.startDate).toBe(day(89 * DAY));
});

it('a role that cannot read the log gets a 403 error, not an empty log', async () => {
  sandbox.injectFault({ path: '/v1/auditrecords', status: 403, body: { code: 'Forbidden', description: 'The caller is not authorized.' } });
  const e = await failure(client.listActivity(user()));
  expect(e).toMatchObject({ kind: 'http', status: 403 });
});

describe('changedFields', () => {
  it('shows only the fields that changed, never secrets or bookkeeping, and nothing for a value that is not JSON', () => {
    const before = JSON.stringify({ Id: 'x', Quantity: 5, Status: 'active', UserCredentials: { Password: 'old' }, Attributes: { Etag: '1' }, Links: { Self: { Uri: '/a' } } });
    const after = JSON.stringify({ Id: 'x', Quantity: 7, Status: 'active', UserCredentials: { Password: 'new' }, Attributes: { Etag: '2' }, Links: { Self: { Uri: '/b' } }, FriendlyName: 'Sales' });
    expect(changedFields(before, after)).toEqual([
      { field: 'quantity', from: '5', to: '7' },
      { field: 'friendlyName', from: undefined, to: 'Sales' },
    ]);
    expect(changedFields('not json', after)).toEqual([]);
    expect(changedFields(undefined, after)).toEqual([]);
  });
});
