/**
 * New-commerce renewals and the changes scheduled for them, as Microsoft documents them
 * ("Schedule changes for a new commerce subscription using Partner Center APIs",
 * https://learn.microsoft.com/partner-center/developer/create-scheduled-changes):
 * - `scheduledNextTermInstructions { product { productId, skuId, availabilityId, billingCycle, termDuration,
 *   promotionId? }, quantity, customTermEndDate? }`, sent in the full resource; auto-renew must be on.
 * - "If you make a mid-term (immediate) change before your renewal date, all scheduled changes that were
 *   previously scheduled to occur at renewal are deleted." (planPatch applies it to seat changes;
 *   the instructions are checked in subscription-rules.ts readNextTerm.)
 * - "Renewals are processed after the final day of a term, starting at 12:00 AM UTC the following day"
 *   (the page adds they may take up to 24 hours; the sandbox renews at the first request from that instant).
 * What the page does not say and the sandbox chooses: a term without auto-renew expires at its end, and a
 * renewal opens the same 7-day seat and cancellation window as a purchase.
 */
import type { SandboxData, StoredSubscription, SubscriptionResource } from './model';
import { isNewCommerce, SEAT_REFUND_WINDOW_MS } from './subscription-rules';
import { isObject, isoDate, newEtag } from './wire';

const DAY = 24 * 60 * 60 * 1000;
const TERM_MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

/** 00:00 UTC the day after the term's last day: when the renewal is processed. */
export function renewalDueAt(r: SubscriptionResource): number | undefined {
  const end = typeof r.commitmentEndDate === 'string' ? Date.parse(r.commitmentEndDate) : NaN;
  if (Number.isNaN(end)) return undefined;
  return Math.floor(end / DAY) * DAY + DAY;
}

/**
 * Renews (or lets expire) every new-commerce term whose renewal is due; called on every request, so
 * terms roll over as the sandbox's clock moves. A clock moved by several terms renews several times.
 */
export function renewDueSubscriptions(data: SandboxData, now: number): void {
  for (const sub of data.subscriptions) {
    for (let i = 0; i < 100 && isRenewable(sub); i++) {
      const due = renewalDueAt(sub.resource);
      if (due === undefined || now < due) break;
      if (sub.resource.autoRenewEnabled) renew(sub, due);
      else {
        sub.resource = { ...sub.resource, status: 'expired', attributes: { ...sub.resource.attributes, etag: newEtag() } };
        delete sub.resource.scheduledNextTermInstructions;
      }
    }
  }
}

function isRenewable(sub: StoredSubscription): boolean {
  return isNewCommerce(sub.resource) && sub.resource.status === 'active' && sub.resource.isTrial !== true && sub.pending === null;
}

/** A new term from `at`: the scheduled changes applied, then removed; a new seat and cancellation window opens. */
function renew(sub: StoredSubscription, at: number): void {
  const r = structuredClone(sub.resource);
  const next = isObject(r.scheduledNextTermInstructions) ? r.scheduledNextTermInstructions : undefined;
  const product = next && isObject(next.product) ? next.product : undefined;
  if (typeof next?.quantity === 'number') r.quantity = next.quantity;
  if (typeof product?.termDuration === 'string') r.termDuration = product.termDuration.toUpperCase();
  if (typeof product?.billingCycle === 'string') r.billingCycle = product.billingCycle.toLowerCase();
  delete r.scheduledNextTermInstructions;
  r.effectiveStartDate = isoDate(at);
  r.commitmentEndDate = isoDate(lastDayOfTerm(at, String(r.termDuration)));
  r.refundOptions = [{ type: 'Full', expiresAt: isoDate(at + SEAT_REFUND_WINDOW_MS) }];
  r.attributes = { ...r.attributes, etag: newEtag() };
  sub.resource = r;
  sub.seatAdditions = [{ quantity: r.quantity, at }];
}

/** The documented examples end a term the day before its anniversary (2021-09-14 → 2024-09-13). */
function lastDayOfTerm(start: number, term: string): number {
  const d = new Date(start);
  d.setUTCMonth(d.getUTCMonth() + (TERM_MONTHS[term.toUpperCase()] ?? 12));
  return d.getTime() - DAY;
}
