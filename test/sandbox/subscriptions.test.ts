/** Subscriptions: the full-resource PATCH with its documented rules, ETags, the 7-day rule and 202s. */
import { createSandbox, SEED } from '../../dev/sandbox';
import type { Sandbox } from '../../dev/sandbox';
import { updateSubscriptionBodyLegacy } from '../fixtures/seed-examples';
import { call, DAY, fakeClock, get } from './helpers';

const clock = fakeClock();
let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox({ now: clock.now, asyncSubscriptionUpdates: 'never' });
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.setOptions({ asyncSubscriptionUpdates: 'never', asyncApplyMs: 1500 });
  sb.reset();
});

type SubRef = { id: string; customerId: string };
const pathOf = (s: SubRef) => `/v1/customers/${s.customerId}/subscriptions/${s.id}`;
const read = async (s: SubRef) => (await get(sb, pathOf(s))).body;

/** The Italian seed's request #1a (PascalCase, minimal) aimed at a real subscription. */
function minimalSubscriptionBody(id: string, quantity: number, etag: string) {
  return { ...updateSubscriptionBodyLegacy, Id: id, Quantity: quantity, Attributes: { Etag: etag, ObjectType: 'Subscription' } };
}

/** The client's documented way: GET, change fields, PATCH the whole object with If-Match. */
async function update(s: SubRef, change: Record<string, unknown>, headers: Record<string, string> = {}) {
  const current = await read(s);
  return call(sb, 'PATCH', pathOf(s), {
    body: { ...current, ...change },
    headers: { 'If-Match': `"${current.attributes.etag}"`, ...headers },
  });
}

describe('reads', () => {
  it('lists a customer subscriptions with new-commerce and legacy shapes and unknown fields', async () => {
    const res = await get(sb, `/v1/customers/${SEED.customers.contoso.id}/subscriptions`);
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.items.map((s: { id: string }) => [s.id, s]));
    expect(byId[SEED.subscriptions.contosoNce.id]).toMatchObject({
      offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
      productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' },
      autoRenewEnabled: true,
      refundableQuantity: { totalQuantity: 5 },
      scheduledNextTermInstructions: expect.any(Object),
      someFutureField: { rolloutWave: 3, flags: ['preview'] },
      attributes: { etag: expect.any(String), objectType: 'Subscription' },
    });
    const legacy = byId[SEED.subscriptions.contosoLegacy.id];
    expect(legacy.offerId).toMatch(/^[0-9A-F-]{36}$/);
    expect(legacy.productType).toBeUndefined();
    expect(legacy.billingType).toBe('license');
  });

  it('answers 404/20003 for an unknown subscription', async () => {
    const res = await get(sb, `/v1/customers/${SEED.customers.contoso.id}/subscriptions/${SEED.subscriptions.fabrikamNce.id}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('20003');
  });
});

describe('PATCH basics', () => {
  it('changes the friendly name, answers 200 with the resource and a new etag', async () => {
    const before = await read(SEED.subscriptions.contosoNce);
    const res = await update(SEED.subscriptions.contosoNce, { friendlyName: 'Sales team' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ friendlyName: 'Sales team', autoRenewEnabled: true, quantity: 25 });
    expect(res.body.scheduledNextTermInstructions).toEqual(before.scheduledNextTermInstructions);
    expect(res.body.attributes.etag).not.toBe(before.attributes.etag);
    expect((await read(SEED.subscriptions.contosoNce)).friendlyName).toBe('Sales team');
  });

  it('a body without autoRenewEnabled turns auto-renew off and drops next-term instructions (documented quirk)', async () => {
    const current = await read(SEED.subscriptions.contosoNce);
    const { AutoRenewEnabled: _omitted, ...body } = minimalSubscriptionBody(current.id, current.quantity, current.attributes.etag);
    const res = await call(sb, 'PATCH', pathOf(SEED.subscriptions.contosoNce), { body });
    expect(res.status).toBe(200);
    expect(res.body.autoRenewEnabled).toBe(false);
    expect(res.body.scheduledNextTermInstructions).toBeUndefined();
    expect(res.body.friendlyName).toBe('nickname');
  });

  it('a stale If-Match or body etag answers 412/2055; quoted and unquoted current etags pass', async () => {
    const s = SEED.subscriptions.contosoNce;
    const current = await read(s);
    const stale = await call(sb, 'PATCH', pathOf(s), { body: current, headers: { 'If-Match': '"not-the-etag"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('2055');

    const seedPlaceholder = { ...updateSubscriptionBodyLegacy, Id: s.id, Quantity: current.quantity }; // Etag: '<etag>'
    expect((await call(sb, 'PATCH', pathOf(s), { body: seedPlaceholder })).status).toBe(412);

    const unquoted = await call(sb, 'PATCH', pathOf(s), { body: current, headers: { 'If-Match': current.attributes.etag } });
    expect(unquoted.status).toBe(200);
    // The old etag is now stale.
    const again = await call(sb, 'PATCH', pathOf(s), { body: current, headers: { 'If-Match': `"${current.attributes.etag}"` } });
    expect(again.status).toBe(412);
  });

  it('ignores unknown fields in the body', async () => {
    const res = await update(SEED.subscriptions.contosoNce, { brandNewField: { x: 1 }, friendlyName: 'ok' });
    expect(res.status).toBe(200);
    expect(res.body.brandNewField).toBeUndefined();
  });
});

describe('PATCH rules', () => {
  it('rejects a deleted subscription with 400/2011', async () => {
    const res = await update(SEED.subscriptions.fabrikamDeleted, { friendlyName: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('2011');
  });

  it('rejects a status and quantity change together with 2001', async () => {
    const res = await update(SEED.subscriptions.contosoNce, { status: 'suspended', quantity: 26 });
    expect(res.body.code).toBe('2001');
  });

  it('rejects a quantity change on a suspended subscription with 800091', async () => {
    const res = await update(SEED.subscriptions.fabrikamSuspended, { quantity: 6, autoRenewEnabled: false });
    expect(res.body.code).toBe('800091');
  });

  it('rejects quantities outside 1..max with 2002', async () => {
    expect((await update(SEED.subscriptions.contosoNce, { quantity: 0 })).body.code).toBe('2002');
    expect((await update(SEED.subscriptions.contosoNce, { quantity: 2001 })).body.code).toBe('2002');
    expect((await update(SEED.subscriptions.contosoLegacy, { quantity: 10001 })).body.code).toBe('2002');
    expect((await update(SEED.subscriptions.contosoLegacy, { quantity: 10000 })).status).toBe(200);
  });

  it('new commerce: seats bought in the last 7 days can be removed, older ones cannot (800090)', async () => {
    const s = SEED.subscriptions.contosoNce; // 20 seats 60 days ago + 5 seats 2 days ago
    const tooMany = await update(s, { quantity: 19 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe('800090');
    expect(tooMany.body.description).toMatch(/within 7 days/);

    const ok = await update(s, { quantity: 22 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ quantity: 22, refundableQuantity: { totalQuantity: 2 } });

    const old = await update(SEED.subscriptions.fabrikamNce, { quantity: 9 });
    expect(old.body.code).toBe('800090');
  });

  it('new commerce: the refund window closes 7 days after the seats were added', async () => {
    const s = SEED.subscriptions.contosoNce;
    clock.advance(4 * DAY); // the 5 seats are now 6 days old
    expect((await read(s)).refundableQuantity.totalQuantity).toBe(5);
    clock.advance(2 * DAY); // 8 days old
    expect((await read(s)).refundableQuantity.totalQuantity).toBe(0);
    expect((await update(s, { quantity: 24 })).body.code).toBe('800090');
  });

  it('new commerce: added seats become refundable for 7 days', async () => {
    const s = SEED.subscriptions.fabrikamNce;
    expect((await update(s, { quantity: 13 })).body).toMatchObject({ quantity: 13, refundableQuantity: { totalQuantity: 3 } });
    clock.advance(3 * DAY);
    expect((await update(s, { quantity: 11 })).body).toMatchObject({ quantity: 11, refundableQuantity: { totalQuantity: 1 } });
    clock.advance(5 * DAY);
    expect((await read(s)).refundableQuantity.totalQuantity).toBe(0);
  });

  it('legacy seats can be reduced any time', async () => {
    expect((await update(SEED.subscriptions.contosoLegacy, { quantity: 3 })).body.quantity).toBe(3);
  });

  it('cancels (deleted) only inside the new-commerce cancellation window (800096)', async () => {
    const fresh = await update(SEED.subscriptions.contosoNceNew, { status: 'deleted' });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ status: 'deleted', autoRenewEnabled: false });
    expect((await update(SEED.subscriptions.contosoNce, { status: 'deleted' })).body.code).toBe('800096');
    expect((await update(SEED.subscriptions.contosoLegacy, { status: 'deleted' })).body.code).toBe('800096');
  });

  it('refuses auto-renew on a trial or a legacy monthly subscription (800093)', async () => {
    expect((await update(SEED.subscriptions.contosoTrial, { autoRenewEnabled: true })).body.code).toBe('800093');
    expect((await update(SEED.subscriptions.contosoLegacy, { autoRenewEnabled: true })).body.code).toBe('800093');
    expect((await update(SEED.subscriptions.fabrikamNce, { autoRenewEnabled: true })).status).toBe(200);
  });

  it('suspends and reactivates', async () => {
    expect((await update(SEED.subscriptions.contosoPharmaNce, { status: 'suspended' })).body.status).toBe('suspended');
    expect((await update(SEED.subscriptions.fabrikamSuspended, { status: 'active' })).body.status).toBe('active');
  });

  it('accepts the PascalCase body', async () => {
    const current = await read(SEED.subscriptions.contosoLegacy);
    const body = minimalSubscriptionBody(current.id, 16, current.attributes.etag);
    const res = await call(sb, 'PATCH', pathOf(SEED.subscriptions.contosoLegacy), { body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ quantity: 16, friendlyName: 'nickname' });
  });
});

describe('asynchronous updates (202 + Location)', () => {
  it('answers 202 with a relative Location and applies the change after asyncApplyMs', async () => {
    sb.setOptions({ asyncSubscriptionUpdates: 'quantity', asyncApplyMs: 1500 });
    const s = SEED.subscriptions.contosoNce;
    const before = await read(s);
    const res = await update(s, { quantity: 30 });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/customers/${s.customerId}/subscriptions/${s.id}`);
    expect(res.body).toBeNull();

    clock.advance(1000);
    const stillOld = await read(s);
    expect(stillOld.quantity).toBe(25);
    expect(stillOld.attributes.etag).toBe(before.attributes.etag);

    const pending = await update(s, { quantity: 31 });
    expect(pending.status).toBe(409);
    expect(pending.body.code).toBe('800014');

    clock.advance(500);
    const applied = await read(s);
    expect(applied).toMatchObject({ quantity: 30, refundableQuantity: { totalQuantity: 10 } });
    expect(applied.attributes.etag).not.toBe(before.attributes.etag);
  });

  it("'quantity' mode keeps other changes synchronous; 'all' makes every change async", async () => {
    sb.setOptions({ asyncSubscriptionUpdates: 'quantity' });
    expect((await update(SEED.subscriptions.contosoNce, { friendlyName: 'x' })).status).toBe(200);
    expect((await update(SEED.subscriptions.contosoLegacy, { quantity: 20 })).status).toBe(200);
    sb.setOptions({ asyncSubscriptionUpdates: 'all' });
    expect((await update(SEED.subscriptions.contosoNce, { friendlyName: 'y' })).status).toBe(202);
  });

  it('validation errors are still answered synchronously', async () => {
    sb.setOptions({ asyncSubscriptionUpdates: 'all' });
    expect((await update(SEED.subscriptions.fabrikamNce, { quantity: 5 })).status).toBe(400);
  });
});
