/**
 * The client's reads and writes for renewals, over real HTTP against the sandbox: scheduling next-term
 * seats as "Schedule changes for a new commerce subscription" documents it (the full resource, If-Match,
 * product ids from the offer, the same term and billing), refused with auto-renew off, clearing, a
 * mid-term seat change deleting the schedule, the deadlines read from what Partner Center sends, and
 * every customer read page by page.
 */
import { SEED } from '../../dev/sandbox';
import { deadlinesOf } from '../../src/partner-center';
import { failure, partnerCenterPerTest, user } from '../support/partner-center';

const S = SEED.subscriptions;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('renewals and windows through the client', () => {
  const pc = partnerCenterPerTest();

  const calls = () => pc.sandbox.requests.map((r) => `${r.method} ${r.path}`);
  const pathOf = (s: { id: string; customerId: string }) => `/v1/customers/${s.customerId}/subscriptions/${s.id}`;
  const stored = (s: { id: string }) => pc.sandbox.data.subscriptions.find((x) => x.resource.id === s.id)!.resource;

  it('schedules next-term seats with the documented body: the full resource, If-Match, the offer ids, the same term and billing', async () => {
    const s = S.hotelsRenewsSoon;
    const asRead = (await pc.client.readSubscription(user(), s.customerId, s.id)).raw;
    pc.sandbox.requests.length = 0;
    const r = await pc.client.scheduleNextTerm(user(), s.customerId, s.id, { quantity: 25 });
    expect(r.state).toBe('completed');
    expect(calls()).toEqual([`GET ${pathOf(s)}`, `PATCH ${pathOf(s)}`]);
    const patch = pc.sandbox.requests[1]!;
    expect(patch.headers['if-match']).toBe(`"${(asRead.attributes as { etag: string }).etag}"`);
    // The whole resource as read, with only the instructions added: seats, auto-renew, links and the rest unchanged.
    const { scheduledNextTermInstructions, ...rest } = patch.body as Record<string, unknown>;
    expect(rest).toEqual(asRead);
    expect(rest).toMatchObject({ quantity: 30, autoRenewEnabled: true });
    expect(scheduledNextTermInstructions).toEqual({
      product: { productId: 'CFQ7TTC0LDPB', skuId: '0001', availabilityId: 'CFQ7TTC0KB06', billingCycle: 'monthly', termDuration: 'P1Y' },
      quantity: 25,
    });
    expect(r.subscription.quantity).toBe(30);
    expect(deadlinesOf(r.subscription, pc.clock.now()).renewal).toMatchObject({
      renews: true,
      next: { quantity: 25, termDuration: 'P1Y', billingCycle: 'monthly', offerId: 'CFQ7TTC0LDPB:0001:CFQ7TTC0KB06', sameOffer: true },
    });
    expect(stored(s).quantity).toBe(30);
  });

  it('writes from the snapshot the user saw: one PATCH, no second read', async () => {
    const s = S.hotelsRenewsSoon;
    const snap = await pc.client.readSubscription(user(), s.customerId, s.id);
    pc.sandbox.requests.length = 0;
    await pc.client.scheduleNextTerm(user(), s.customerId, s.id, { quantity: 28 }, { from: snap });
    expect(calls()).toEqual([`PATCH ${pathOf(s)}`]);
  });

  it('is refused before anything is sent when auto-renew is off', async () => {
    const s = S.hotelsRenewsSoonOff;
    const e = await failure(pc.client.scheduleNextTerm(user(), s.customerId, s.id, { quantity: 10 }));
    expect(e).toMatchObject({ kind: 'invalid-input', fields: [{ field: 'autoRenewEnabled', key: 'field.invalid' }] });
    expect(calls()).toEqual([`GET ${pathOf(s)}`]);
  });

  it('is refused on a legacy subscription, and for a quantity that is not a whole number of seats', async () => {
    const legacy = S.contosoLegacy;
    expect((await failure(pc.client.scheduleNextTerm(user(), legacy.customerId, legacy.id, { quantity: 10 }))).fields).toEqual([{ field: 'offerId', key: 'field.invalid' }]);
    pc.sandbox.requests.length = 0;
    expect((await failure(pc.client.scheduleNextTerm(user(), S.hotelsRenewsSoon.customerId, S.hotelsRenewsSoon.id, { quantity: 0 }))).kind).toBe('invalid-input');
    expect(calls()).toEqual([]);
  });

  it('clears what is scheduled by sending it as null', async () => {
    const s = S.hotelsScheduled;
    expect(deadlinesOf(await pc.client.getSubscription(user(), s.customerId, s.id), pc.clock.now()).renewal.next).toMatchObject({ quantity: 18 });
    const r = await pc.client.scheduleNextTerm(user(), s.customerId, s.id, 'clear');
    expect(r.state).toBe('completed');
    const patch = pc.sandbox.requests.find((q) => q.method === 'PATCH')!;
    expect(patch.body).toHaveProperty('scheduledNextTermInstructions', null);
    expect((patch.body as { quantity: number }).quantity).toBe(20);
    expect(deadlinesOf(r.subscription, pc.clock.now()).renewal.next).toBeNull();
    expect(stored(s).scheduledNextTermInstructions).toBeUndefined();
  });

  it('a mid-term seat change deletes what was scheduled for renewal', async () => {
    const s = S.hotelsScheduled;
    const r = await pc.client.updateSubscription(user(), s.customerId, s.id, { quantity: 22 });
    expect(r).toMatchObject({ state: 'completed', subscription: { quantity: 22 } });
    // The client sent the instructions back with the whole resource; Partner Center deleted them anyway.
    expect(pc.sandbox.requests.find((q) => q.method === 'PATCH')!.body).toMatchObject({ scheduledNextTermInstructions: { quantity: 18 } });
    const after = await pc.client.getSubscription(user(), s.customerId, s.id);
    expect(deadlinesOf(after, pc.clock.now()).renewal.next).toBeNull();
  });

  it('reads the windows from the resource, soonest first, and stops showing each once its date has passed', async () => {
    const soon = S.wingtipClosingSoon;
    const few = S.wingtipFewDays;
    const seeded = pc.clock.now();
    const read = async (s: typeof soon | typeof few) => deadlinesOf(await pc.client.getSubscription(user(), s.customerId, s.id), pc.clock.now());
    expect(await read(soon)).toMatchObject({
      newCommerce: true,
      seatWindows: [{ quantity: 6, until: new Date(seeded + 20 * HOUR).toISOString() }],
      cancellableUntil: new Date(seeded + 20 * HOUR).toISOString(),
    });
    expect(await read(few)).toMatchObject({ seatWindows: [{ quantity: 4, until: new Date(seeded + 3 * DAY).toISOString() }], cancellableUntil: null });
    pc.clock.advance(21 * HOUR);
    expect(await read(soon)).toMatchObject({ seatWindows: [], cancellableUntil: null });
    expect((await read(few)).seatWindows).toHaveLength(1);
  });

  it('reads the renewal: the end date, when processing starts, whether it renews, and after it the new term', async () => {
    const s = S.hotelsScheduled;
    const before = deadlinesOf(await pc.client.getSubscription(user(), s.customerId, s.id), pc.clock.now()).renewal;
    expect(before).toMatchObject({ renews: true, next: { quantity: 18, termDuration: 'P1Y', billingCycle: 'annual', sameOffer: true } });
    const due = Date.parse(before.processingFrom!);
    expect(due % DAY).toBe(0);
    expect(due - Date.parse(before.endDate!)).toBeGreaterThan(0);
    expect(due - Date.parse(before.endDate!)).toBeLessThanOrEqual(DAY);
    pc.clock.advance(due - pc.clock.now());
    const renewed = await pc.client.getSubscription(user(), s.customerId, s.id);
    expect(renewed.quantity).toBe(18);
    expect(deadlinesOf(renewed, pc.clock.now())).toMatchObject({ seatWindows: [{ quantity: 18 }], renewal: { renews: true, next: null } });
    const off = S.hotelsRenewsSoonOff;
    expect(deadlinesOf(await pc.client.getSubscription(user(), off.customerId, off.id), pc.clock.now()).renewal.renews).toBe(false);
  });

  it('reads every customer page by page, following MS-ContinuationToken', async () => {
    const pages = [];
    for await (const page of pc.client.listAllCustomers(user(), { size: 4 })) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([4, 2]);
    expect(pages.flatMap((p) => p.items.map((c) => c.companyProfile?.companyName))).toEqual([
      'Adatum Corporation', 'Contoso Hotels', 'Contoso Ltd', 'Contoso Pharmaceuticals', 'Fabrikam, Inc.', 'Wingtip Toys',
    ]);
    expect(pc.sandbox.requests.map((r) => [r.query.size, r.query.seekOperation, r.headers['ms-continuationtoken'] !== undefined])).toEqual([
      ['4', undefined, false],
      ['4', 'Next', true],
    ]);
  });
});
