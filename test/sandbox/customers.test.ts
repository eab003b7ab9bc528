/** Customers: read, prefix search, continuation-token paging, former customers. */
import { createSandbox, SEED } from '../../dev/sandbox';
import type { Sandbox } from '../../dev/sandbox';
import { get } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox();
});
afterAll(() => sb.close());

const search = (field: string, value: string, operator = 'starts_with') =>
  encodeURIComponent(JSON.stringify({ Field: field, Value: value, Operator: operator }));
const names = (items: Array<{ companyProfile: { companyName: string } }>) => items.map((c) => c.companyProfile.companyName);

it('reads a customer in the Customer resource shape', async () => {
  const { id, companyName, domain } = SEED.customers.contoso;
  const res = await get(sb, `/v1/customers/${id}`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    id,
    companyProfile: { tenantId: id, domain, companyName },
    relationshipToPartner: 'reseller',
    attributes: { objectType: 'Customer' },
  });
});

it('answers 404/20003 for an unknown customer and 403/20002 for a former one', async () => {
  const unknown = await get(sb, '/v1/customers/00000000-0000-4000-8000-000000000000');
  expect(unknown.status).toBe(404);
  expect(unknown.body.code).toBe('20003');
  const former = await get(sb, `/v1/customers/${SEED.customers.northwind.id}`);
  expect(former.status).toBe(403);
  expect(former.body.code).toBe('20002');
  expect((await get(sb, `/v1/customers/${SEED.customers.northwind.id}/subscriptions`)).status).toBe(403);
});

it('lists all current customers without a filter (not former ones)', async () => {
  const res = await get(sb, '/v1/customers');
  expect(res.body.totalCount).toBe(6);
  expect(names(res.body.items)).not.toContain(SEED.customers.northwind.companyName);
  expect(res.body.continuationToken).toBeUndefined();
});

it('searches by company name or domain prefix, case-insensitively', async () => {
  const byName = await get(sb, `/v1/customers?size=10&filter=${search('CompanyName', 'CONT')}`);
  expect(names(byName.body.items).sort()).toEqual(['Contoso Hotels', 'Contoso Ltd', 'Contoso Pharmaceuticals']);
  const byDomain = await get(sb, `/v1/customers?filter=${search('domain', 'fabrikam')}`);
  expect(names(byDomain.body.items)).toEqual([SEED.customers.fabrikam.companyName]);
  const none = await get(sb, `/v1/customers?filter=${search('CompanyName', 'zzz')}`);
  expect(none.body).toMatchObject({ totalCount: 0, items: [] });
});

it('answers 400 for operators other than starts_with and unknown fields', async () => {
  expect((await get(sb, `/v1/customers?filter=${search('CompanyName', 'cont', 'equals')}`)).status).toBe(400);
  expect((await get(sb, `/v1/customers?filter=${search('Country', 'US')}`)).status).toBe(400);
  expect((await get(sb, '/v1/customers?filter=not-json')).status).toBe(400);
});

it('pages with MS-ContinuationToken and seekOperation=Next', async () => {
  const first = await get(sb, `/v1/customers?size=2&filter=${search('CompanyName', 'cont')}`);
  expect(first.body.items).toHaveLength(2);
  const token = first.body.continuationToken;
  expect(typeof token).toBe('string');
  expect(first.body.links.next).toEqual({
    uri: '/v1/customers?size=2&seekOperation=Next',
    method: 'GET',
    headers: [{ key: 'MS-ContinuationToken', value: token }],
  });

  const next = first.body.links.next;
  const second = await get(sb, next.uri, { headers: { [next.headers[0].key]: next.headers[0].value } });
  expect(second.body.items).toHaveLength(1);
  expect(second.body.continuationToken).toBeUndefined();
  expect(names([...first.body.items, ...second.body.items]).sort()).toEqual(['Contoso Hotels', 'Contoso Ltd', 'Contoso Pharmaceuticals']);

  expect((await get(sb, next.uri)).status).toBe(400); // no token header
  expect((await get(sb, next.uri, { headers: { 'MS-ContinuationToken': 'garbage' } })).status).toBe(400);
});
