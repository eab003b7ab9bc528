/**
 * deadlinesOf reads the dates Partner Center states, never a number of days of its own, and reads a
 * subscription whose next-term instructions come in an unexpected shape without failing it. Subscriptions
 * are served over HTTP by the sandbox (the documented fixture, changed per case) and read by the client.
 */
import type { Sandbox } from '../../dev/sandbox';
import { SEED } from '../../dev/sandbox';
import { deadlinesOf, type PartnerCenterClient } from '../../src/partner-center';
import { fixture } from '../fixtures/partner-center';
import { startPartnerCenter, user } from '../support/partner-center';

const CID = SEED.customers.contoso.id;
const SID = SEED.subscriptions.contosoNce.id;
const NOW = Date.parse('2026-12-07T12:00:00Z');

describe('deadlines read from the resource', () => {
  let sandbox: Sandbox;
  let client: PartnerCenterClient;
  beforeEach(async () => {
    ({ sandbox, client } = await startPartnerCenter());
  });
  afterEach(() => sandbox.close());

  const served = async (change: (body: Record<string, any>) => void) => {
    const body = fixture('subscription-scheduled-changes');
    change(body);
    sandbox.injectFault({ method: 'GET', path: `/v1/customers/${CID}/subscriptions/${SID}`, status: 200, body });
    return client.getSubscription(user(), CID, SID);
  };

  it('keeps a window open as long as the resource says, however long after the purchase', async () => {
    const s = await served((b) => {
      b.refundableQuantity.details = [
        { quantity: 3, allowedUntilDateTime: '2027-01-30T10:00:00Z' },
        { quantity: 2, allowedUntilDateTime: '2026-12-20T10:00:00Z' },
        { quantity: 4, allowedUntilDateTime: '2026-12-01T10:00:00Z' },
      ];
      b.cancellationAllowedUntilDate = '2027-01-30T23:59:00Z';
    });
    const d = deadlinesOf(s, Date.parse('2027-01-15T00:00:00Z'));
    expect(d.seatWindows).toEqual([{ quantity: 3, until: '2027-01-30T10:00:00Z' }]);
    expect(d.cancellableUntil).toBe('2027-01-30T23:59:00Z');
    // Soonest first; a passed one is not shown.
    expect(deadlinesOf(s, NOW).seatWindows.map((w) => w.quantity)).toEqual([2, 3]);
  });

  it('prefers commitmentEndDateTime for the term end, and renews only with auto-renew on and the subscription live', async () => {
    const s = await served((b) => {
      b.commitmentEndDateTime = '2027-11-29T23:59:59Z';
      b.autoRenewEnabled = false;
    });
    expect(deadlinesOf(s, NOW).renewal).toMatchObject({ endDate: '2027-11-29T23:59:59Z', processingFrom: '2027-11-30T00:00:00.000Z', renews: false });
    const expired = await served((b) => void (b.status = 'expired'));
    expect(deadlinesOf(expired, NOW).renewal.renews).toBe(false);
  });

  it('reads next-term instructions of an unexpected shape as unknown, and names another offer', async () => {
    const odd = await served((b) => {
      b.scheduledNextTermInstructions.quantity = 'eighteen';
      b.scheduledNextTermInstructions.product.skuId = '0002';
    });
    expect(odd.quantity).toBe(2);
    expect(deadlinesOf(odd, NOW).renewal.next).toMatchObject({ quantity: undefined, offerId: 'CFQ7TTC0LH18:0002:CFQ7TTC0K971', sameOffer: false });
    const none = await served((b) => void (b.ScheduledNextTermInstructions = null));
    expect(deadlinesOf(none, NOW).renewal.next).toBeNull();
  });

  it('shows no windows on a subscription that is not new commerce', async () => {
    const legacy = await served((b) => {
      b.offerId = '91FD106F-4B2C-4938-95AC-F54F74E9A239';
      delete b.productType;
    });
    expect(deadlinesOf(legacy, NOW)).toMatchObject({ newCommerce: false, seatWindows: [], cancellableUntil: null });
  });
});
