/**
 * The dates on a new-commerce subscription that cost a partner money, read from the resource.
 *
 * Every date here is one Partner Center states (PARTNER-CENTER.md "New commerce: windows, renewals,
 * scheduled changes"): `refundableQuantity.details[].allowedUntilDateTime` (until when each batch of seats
 * can be removed), `cancellationAllowedUntilDate`, and the term end (`commitmentEndDateTime`, else
 * `commitmentEndDate`). None is computed from a number of days: the window lengths are Microsoft's to change.
 * The one derived date is when renewal processing starts, which the scheduled-changes page defines from
 * the term end: "after the final day of a term, starting at 12:00 AM UTC the following day".
 * Pure functions of (subscription, now): callers pass their injected clock's time.
 */
import { isNewCommerce, type NextTermInstructions, type Subscription } from './schemas';

export { isNewCommerce } from './schemas';

/** Seats that can still be removed, and until when (an ISO instant as Partner Center sent it). */
export interface SeatWindow {
  quantity: number;
  until: string;
}

/** What is scheduled for the next term, as Partner Center states it. */
export interface NextTerm {
  /** Seats at renewal; undefined when the instructions do not say. */
  quantity?: number;
  termDuration?: string;
  billingCycle?: string;
  /** `productId:skuId:availabilityId` of the next term, when the instructions name all three. */
  offerId?: string;
  /** False when the next term is another product, SKU or availability (an upgrade scheduled elsewhere). */
  sameOffer: boolean;
  customTermEndDate?: string;
}

export interface Renewal {
  /** The last day of the current term, as sent (commitmentEndDateTime, else commitmentEndDate); null when unknown. */
  endDate: string | null;
  /** 00:00 UTC the day after the term ends: when Partner Center starts processing the renewal. */
  processingFrom: string | null;
  /** autoRenewEnabled, and the subscription still live (active or suspended). */
  renews: boolean;
  /** Changes scheduled for the next term; null when nothing is scheduled. */
  next: NextTerm | null;
}

export interface Deadlines {
  newCommerce: boolean;
  /** Open seat windows (until after `now`), the one closing soonest first. */
  seatWindows: SeatWindow[];
  /** The cancellation window's end, or null when cancelling is not (or no longer) allowed. */
  cancellableUntil: string | null;
  renewal: Renewal;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The deadlines of one subscription at `now` (ms since the epoch). */
export function deadlinesOf(s: Subscription, now: number): Deadlines {
  const newCommerce = isNewCommerce(s);
  return {
    newCommerce,
    seatWindows: newCommerce ? openSeatWindows(s, now) : [],
    cancellableUntil: newCommerce ? openUntil(s.cancellationAllowedUntilDate, now) : null,
    renewal: renewalOf(s),
  };
}

export function openSeatWindows(s: Subscription, now: number): SeatWindow[] {
  const out: SeatWindow[] = [];
  for (const d of s.refundableQuantity?.details ?? []) {
    const until = openUntil(d.allowedUntilDateTime, now);
    if (until && typeof d.quantity === 'number' && d.quantity > 0) out.push({ quantity: d.quantity, until });
  }
  return out.sort((a, b) => Date.parse(a.until) - Date.parse(b.until));
}

export function renewalOf(s: Subscription): Renewal {
  const endDate = readable(s.commitmentEndDateTime) ?? readable(s.commitmentEndDate);
  const live = s.status === 'active' || s.status === 'suspended';
  return {
    endDate,
    processingFrom: endDate ? new Date(startOfUtcDay(Date.parse(endDate)) + DAY_MS).toISOString() : null,
    renews: s.autoRenewEnabled === true && live,
    next: nextTermOf(s),
  };
}

/** The scheduled next term, compared with the current offer; null when nothing is scheduled. */
export function nextTermOf(s: Pick<Subscription, 'scheduledNextTermInstructions' | 'offerId'>): NextTerm | null {
  const i: NextTermInstructions | null | undefined = s.scheduledNextTermInstructions;
  if (!i) return null;
  const p = i.product ?? undefined;
  const offerId = p?.productId && p.skuId && p.availabilityId ? `${p.productId}:${p.skuId}:${p.availabilityId}` : undefined;
  return {
    quantity: typeof i.quantity === 'number' ? i.quantity : undefined,
    termDuration: p?.termDuration ?? undefined,
    billingCycle: p?.billingCycle ?? undefined,
    offerId,
    sameOffer: offerId === undefined || s.offerId == null || offerId.toLowerCase() === s.offerId.toLowerCase(),
    customTermEndDate: i.customTermEndDate ?? undefined,
  };
}

/**
 * The product term of a new-commerce subscription as `scheduledNextTermInstructions.product` wants it: the
 * ids from its `offerId` (`productId:skuId:availabilityId`), its billing cycle and term. Undefined when the
 * offer id is not in that form (a legacy subscription cannot schedule changes).
 */
export function currentProductTerm(
  s: Pick<Subscription, 'offerId' | 'billingCycle' | 'termDuration'>,
): { productId: string; skuId: string; availabilityId: string; billingCycle: string; termDuration: string } | undefined {
  const parts = (s.offerId ?? '').split(':');
  if (parts.length !== 3 || parts.some((p) => p === '') || !s.billingCycle || !s.termDuration) return undefined;
  const [productId, skuId, availabilityId] = parts as [string, string, string];
  return { productId, skuId, availabilityId, billingCycle: s.billingCycle, termDuration: s.termDuration };
}

/**
 * Whether what is scheduled is today's product exactly: the same productId:skuId:availabilityId, term and
 * billing. Only then does a change of the next term's seats keep the rest of the instructions (a
 * `promotionId`, a `customTermEndDate`): a promotion and a custom term end are Partner Center's for one
 * product, term and billing, so they cannot be carried over to another.
 */
export function schedulesCurrentProduct(s: Pick<Subscription, 'scheduledNextTermInstructions' | 'offerId' | 'billingCycle' | 'termDuration'>): boolean {
  const next = nextTermOf(s);
  const now = currentProductTerm(s);
  if (!next || !now || next.offerId === undefined) return false;
  const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
  return same(next.offerId, `${now.productId}:${now.skuId}:${now.availabilityId}`) && same(next.termDuration, now.termDuration) && same(next.billingCycle, now.billingCycle);
}

/** Whether the term ends within `days` days of `now` (and has not already ended). */
export function endsWithin(s: Subscription, now: number, days: number): boolean {
  const end = renewalOf(s).endDate;
  if (!end) return false;
  const t = Date.parse(end);
  return t >= startOfUtcDay(now) && t <= now + days * DAY_MS;
}

function openUntil(date: string | null | undefined, now: number): string | null {
  const d = readable(date);
  return d && Date.parse(d) > now ? d : null;
}

function readable(date: string | null | undefined): string | null {
  return date && !Number.isNaN(Date.parse(date)) ? date : null;
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
