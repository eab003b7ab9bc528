/**
 * New-commerce deadlines in the sandbox, as "Schedule changes for a new commerce subscription" documents
 * them: the seeds renewing within 30 days and with windows about to close, windows that close at their
 * dates as the clock moves, scheduling refused without auto-renew, a mid-term seat change deleting what
 * is scheduled, and renewals from 00:00 UTC the day after a term ends.
 */
import { createSandbox, SEED } from '../../dev/sandbox';
import type { Sandbox } from '../../dev/sandbox';
import { call, DAY, fakeClock, get } from './helpers';

const HOUR = 60 * 60 * 1000;
const S = SEED.subscriptions;
const clock = fakeClock();
let sb: Sandbox;
let seededAt: number;
beforeAll(async () => {
  sb = await createSandbox({ now: clock.now, asyncSubscriptionUpdates: 'never' });
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.reset();
  seededAt = clock.now();
});

type SubRef = { id: string; customerId: string };
const pathOf = (s: SubRef) => `/v1/customers/${s.customerId}/subscriptions/${s.id}`;
const read = async (s: SubRef) => (await get(sb, pathOf(s))).body;
const at = (iso: string) => Date.parse(iso);

/** GET, change fields, PATCH the whole object with If-Match: what the client does. */
async function update(s: SubRef, change: Record<string, unknown>) {
  const current = await read(s);
  return call(sb, 'PATCH', pathOf(s), { body: { ...current, ...change }, headers: { 'If-Match': `"${current.attributes.etag}"` } });
}

const nextTerm = (s: { offerId: string; billingCycle: string; termDuration: string }, quantity: number) => {
  const [productId, skuId, availabilityId] = s.offerId.split(':');
  return { product: { productId, skuId, availabilityId, billingCycle: s.billingCycle, termDuration: s.termDuration }, quantity };
};

describe('seeds', () => {
  it('has terms ending within 30 days with auto-renew on and off, and 18 seats scheduled for a renewal', async () => {
    const items = (await get(sb, `/v1/customers/${SEED.customers.contosoHotels.id}/subscriptions`)).body.items;
    const byId = Object.fromEntries(items.map((s: { id: string }) => [s.id, s]));
    const endsIn = (id: string) => (at(byId[id].commitmentEndDate) - seededAt) / DAY;
    expect(endsIn(S.hotelsRenewsSoon.id)).toBeCloseTo(10, 5);
    expect(byId[S.hotelsRenewsSoon.id]).toMatchObject({ autoRenewEnabled: true, quantity: 30 });
    expect(byId[S.hotelsRenewsSoon.id].scheduledNextTermInstructions).toBeUndefined();
    expect(endsIn(S.hotelsRenewsSoonOff.id)).toBeCloseTo(10, 5);
    expect(byId[S.hotelsRenewsSoonOff.id].autoRenewEnabled).toBe(false);
    expect(endsIn(S.hotelsScheduled.id)).toBeCloseTo(25, 5);
    expect(byId[S.hotelsScheduled.id]).toMatchObject({
      quantity: 20,
      scheduledNextTermInstructions: { product: { productId: 'CFQ7TTC0LFLX', skuId: '0001', availabilityId: 'CFQ7TTC0N8SS', billingCycle: 'annual', termDuration: 'P1Y' }, quantity: 18 },
    });
  });

  it('has windows closing in 20 hours and in 3 days, stated on the resource', async () => {
    const soon = await read(S.wingtipClosingSoon);
    expect(soon.refundableQuantity.details).toEqual([{ quantity: 6, allowedUntilDateTime: new Date(seededAt + 20 * HOUR).toISOString() }]);
    expect(soon.cancellationAllowedUntilDate).toBe(new Date(seededAt + 20 * HOUR).toISOString());
    const later = await read(S.wingtipFewDays);
    expect(later.refundableQuantity.details).toEqual([{ quantity: 4, allowedUntilDateTime: new Date(seededAt + 3 * DAY).toISOString() }]);
    expect(later.cancellationAllowedUntilDate).toBeNull();
  });
});

describe('windows close at their dates as the clock moves', () => {
  afterEach(() => clock.advance(-(clock.now() - seededAt)));

  it('the 20-hour window is open a minute before and gone a minute after; the 3-day one stays until its own date', async () => {
    clock.advance(20 * HOUR - 60_000);
    expect((await read(S.wingtipClosingSoon)).refundableQuantity.totalQuantity).toBe(6);
    expect((await read(S.wingtipClosingSoon)).actions).toContain('cancel');
    clock.advance(2 * 60_000);
    const closed = await read(S.wingtipClosingSoon);
    expect(closed.refundableQuantity).toEqual({ totalQuantity: 0, details: [] });
    expect(closed.cancellationAllowedUntilDate).toBeNull();
    expect(closed.actions).not.toContain('cancel');
    expect((await update(S.wingtipClosingSoon, { quantity: 5 })).body.code).toBe('800090');
    expect((await read(S.wingtipFewDays)).refundableQuantity.totalQuantity).toBe(4);
    clock.advance(3 * DAY - 20 * HOUR);
    expect((await read(S.wingtipFewDays)).refundableQuantity).toEqual({ totalQuantity: 0, details: [] });
  });
});

describe('scheduling changes for renewal', () => {
  it('accepts the full resource with next-term instructions and keeps the current seats', async () => {
    const current = await read(S.hotelsRenewsSoon);
    const res = await update(S.hotelsRenewsSoon, { scheduledNextTermInstructions: nextTerm(current, 25) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ quantity: 30, scheduledNextTermInstructions: { quantity: 25 } });
  });

  it('refuses them without auto-renew (400 ScheduledChangesRequireAutoRenew) and changes nothing', async () => {
    const current = await read(S.hotelsRenewsSoonOff);
    const res = await update(S.hotelsRenewsSoonOff, { scheduledNextTermInstructions: nextTerm(current, 10) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ScheduledChangesRequireAutoRenew');
    expect(await read(S.hotelsRenewsSoonOff)).toEqual(current);
  });

  it('refuses another product, SKU or availability (upgrades are transitions) and a quantity out of range', async () => {
    const current = await read(S.hotelsRenewsSoon);
    const other = nextTerm({ ...current, offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971' }, 25);
    expect((await update(S.hotelsRenewsSoon, { scheduledNextTermInstructions: other })).status).toBe(400);
    expect((await update(S.hotelsRenewsSoon, { scheduledNextTermInstructions: nextTerm(current, 0) })).body.code).toBe('2002');
  });

  it('clears them with null', async () => {
    const res = await update(S.hotelsScheduled, { scheduledNextTermInstructions: null });
    expect(res.status).toBe(200);
    expect(res.body.scheduledNextTermInstructions).toBeUndefined();
  });

  it('a mid-term seat change deletes what was scheduled, even when the body carries it back', async () => {
    const current = await read(S.hotelsScheduled);
    expect(current.scheduledNextTermInstructions.quantity).toBe(18);
    const res = await update(S.hotelsScheduled, { quantity: 21 });
    expect(res.status).toBe(200);
    expect(res.body.quantity).toBe(21);
    expect(res.body.scheduledNextTermInstructions).toBeUndefined();
    // A change that is not a seat change keeps them.
    const renamed = await update(S.contosoNce, { friendlyName: 'Front office' });
    expect(renamed.body.scheduledNextTermInstructions).toBeTruthy();
  });
});

describe('renewals', () => {
  afterEach(() => clock.advance(-(clock.now() - seededAt)));

  it('renews from 00:00 UTC the day after the term ends: the schedule applied, a new term and a new window', async () => {
    const before = await read(S.hotelsScheduled);
    const end = at(before.commitmentEndDate);
    const due = Math.floor(end / DAY) * DAY + DAY;
    clock.advance(due - 1 - clock.now());
    expect(await read(S.hotelsScheduled)).toMatchObject({ quantity: 20, commitmentEndDate: before.commitmentEndDate });
    clock.advance(1);
    const after = await read(S.hotelsScheduled);
    expect(after).toMatchObject({ status: 'active', quantity: 18, billingCycle: 'annual', termDuration: 'P1Y', effectiveStartDate: new Date(due).toISOString() });
    expect(after.scheduledNextTermInstructions).toBeUndefined();
    // The documented examples end a term the day before its anniversary.
    const nextEnd = new Date(due);
    nextEnd.setUTCFullYear(nextEnd.getUTCFullYear() + 1);
    expect(after.commitmentEndDate).toBe(new Date(nextEnd.getTime() - DAY).toISOString());
    expect(after.refundableQuantity.details).toEqual([{ quantity: 18, allowedUntilDateTime: new Date(due + 7 * DAY).toISOString() }]);
    expect(after.cancellationAllowedUntilDate).toBe(new Date(due + 7 * DAY).toISOString());
    expect(after.attributes.etag).not.toBe(before.attributes.etag);
  });

  it('renews with the same seats when nothing is scheduled, and lets a term without auto-renew expire', async () => {
    clock.advance(11 * DAY);
    expect(await read(S.hotelsRenewsSoon)).toMatchObject({ status: 'active', quantity: 30 });
    expect((await read(S.hotelsRenewsSoon)).refundableQuantity.totalQuantity).toBe(30);
    expect(await read(S.hotelsRenewsSoonOff)).toMatchObject({ status: 'expired', autoRenewEnabled: false });
  });
});
