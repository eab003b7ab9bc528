/**
 * What Partner Center accepts in a subscription PATCH, as documented
 * (https://learn.microsoft.com/partner-center/developer/update-a-subscription-by-id) and as seen in
 * its error codes (https://learn.microsoft.com/partner-center/developer/error-codes).
 * Pure functions: they compute the next state or throw an ApiError; the handler decides when to apply it.
 */
import type { SeatAddition, StoredSubscription, SubscriptionResource } from './model';
import { ApiError, invalidInput, isObject, newEtag } from './wire';

/** New-commerce seats can only be reduced within 7 days (168 hours) of being bought. */
export const SEAT_REFUND_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_QUANTITY_LEGACY = 10000;
const MAX_QUANTITY_NCE = 2000;
const TERMS = ['P1M', 'P1Y', 'P3Y'];
const BILLING_CYCLES = ['monthly', 'annual', 'triennial'];
const SETTABLE_STATUSES = ['active', 'suspended', 'deleted'];

export interface PatchPlan {
  resource: SubscriptionResource;
  seatAdditions: SeatAddition[];
  quantityChanged: boolean;
}

export function isNewCommerce(r: SubscriptionResource): boolean {
  return r.productType?.id === 'OnlineServicesNCE';
}

/**
 * `refundableQuantity` as Partner Center shows it (.NET SDK RefundableQuantity / RefundableQuantityDetail):
 * the seats that can still be removed, per purchase, each until its 7-day window closes.
 */
export function refundableQuantityView(sub: Pick<StoredSubscription, 'resource' | 'seatAdditions'>, now: number) {
  let left = Math.min(refundableQuantity(sub, now), sub.resource.quantity);
  const details: Array<{ quantity: number; allowedUntilDateTime: string }> = [];
  // The newest purchases are refunded first (adjustSeats), so they are listed first.
  for (const a of [...sub.seatAdditions].reverse()) {
    if (a.at <= now - SEAT_REFUND_WINDOW_MS || left <= 0) continue;
    const quantity = Math.min(a.quantity, left);
    left -= quantity;
    details.push({ quantity, allowedUntilDateTime: new Date(a.at + SEAT_REFUND_WINDOW_MS).toISOString() });
  }
  return { totalQuantity: details.reduce((n, d) => n + d.quantity, 0), details };
}

/** Seats bought within the refund window, never more than the current quantity. */
export function refundableQuantity(sub: Pick<StoredSubscription, 'resource' | 'seatAdditions'>, now: number): number {
  const recent = sub.seatAdditions
    .filter((a) => a.at > now - SEAT_REFUND_WINDOW_MS)
    .reduce((sum, a) => sum + a.quantity, 0);
  return Math.min(recent, sub.resource.quantity);
}

/** 400/2011 for a cancelled subscription, 409/800014 while a 202 change is still being applied. */
export function assertPatchable(sub: StoredSubscription): void {
  if (sub.resource.status === 'deleted') {
    throw new ApiError(400, '2011', `Subscription ${sub.resource.id} is deleted and cannot be updated.`);
  }
  if (sub.pending) {
    throw new ApiError(409, '800014', 'A pending adjustment exists for this subscription. Try again once it completes.');
  }
}

/** The normalised full resource from the body (see wire.normaliseKeys) against the current state. */
export function planPatch(sub: StoredSubscription, body: Record<string, unknown>, ifMatch: string | undefined, now: number): PatchPlan {
  const current = sub.resource;
  assertEtag(current, body, ifMatch);
  const next = readChanges(current, body);
  const quantityChanged = next.quantity !== current.quantity;
  const statusChanged = next.status !== current.status;

  if (statusChanged && !SETTABLE_STATUSES.includes(next.status)) {
    throw invalidInput(`Status can only be changed to ${SETTABLE_STATUSES.join(', ')}; got '${next.status}'.`);
  }
  if (statusChanged && quantityChanged) {
    throw new ApiError(400, '2001', 'The quantity cannot be changed in the same request as the status.');
  }
  if (quantityChanged) assertQuantityChange(sub, next.quantity, now);
  if (statusChanged && next.status === 'deleted') assertCancellable(current, now);
  if (next.autoRenewEnabled && !current.autoRenewEnabled) assertAutoRenewAllowed(current);

  if (next.status === 'deleted') next.autoRenewEnabled = false;
  // "If you make a mid-term (immediate) change before your renewal date, all scheduled changes that were
  // previously scheduled to occur at renewal are deleted." (scheduled-changes page)
  if (quantityChanged && isNewCommerce(current)) delete next.scheduledNextTermInstructions;
  next.attributes = { ...current.attributes, etag: newEtag() };
  const seatAdditions = isNewCommerce(current) ? adjustSeats(sub.seatAdditions, next.quantity - current.quantity, now) : sub.seatAdditions;
  return { resource: next, seatAdditions, quantityChanged };
}

/** If-Match (quoted or not) and the body's attributes.etag must both be current when present. */
function assertEtag(current: SubscriptionResource, body: Record<string, unknown>, ifMatch: string | undefined): void {
  const fromHeader = ifMatch?.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  const fromBody = isObject(body.attributes) ? body.attributes.etag : undefined;
  const stale =
    (fromHeader !== undefined && fromHeader !== '*' && fromHeader !== current.attributes.etag) ||
    (typeof fromBody === 'string' && fromBody !== current.attributes.etag);
  if (stale) {
    throw new ApiError(412, '2055', 'The ETag is no longer valid: the subscription changed since it was read. Get it again and retry.');
  }
}

/**
 * The body is the FULL resource. Faithful quirk from the docs: a body without autoRenewEnabled turns
 * auto-renew off, and one without scheduledNextTermInstructions drops them. Other omitted fields keep
 * their value; unknown fields are ignored.
 */
function readChanges(current: SubscriptionResource, body: Record<string, unknown>): SubscriptionResource {
  const next = structuredClone(current);
  if (body.quantity !== undefined && body.quantity !== null) {
    if (typeof body.quantity !== 'number' || !Number.isInteger(body.quantity)) throw invalidInput('Quantity must be an integer.');
    next.quantity = body.quantity;
  }
  if (typeof body.friendlyName === 'string' && body.friendlyName.trim() !== '') next.friendlyName = body.friendlyName;
  if (body.status !== undefined && body.status !== null) {
    if (typeof body.status !== 'string') throw invalidInput('Status must be a string such as active or suspended.');
    next.status = body.status.toLowerCase();
  }
  if (body.autoRenewEnabled !== undefined && body.autoRenewEnabled !== null && typeof body.autoRenewEnabled !== 'boolean') {
    throw invalidInput('AutoRenewEnabled must be true or false.');
  }
  next.autoRenewEnabled = body.autoRenewEnabled === true;
  const instructions = readNextTerm(current, body.scheduledNextTermInstructions, next.autoRenewEnabled);
  if (instructions === undefined) delete next.scheduledNextTermInstructions;
  else next.scheduledNextTermInstructions = instructions;
  return next;
}

function assertQuantityChange(sub: StoredSubscription, quantity: number, now: number): void {
  const current = sub.resource;
  if (current.status === 'suspended') {
    throw new ApiError(400, '800091', 'The quantity of a suspended subscription cannot be changed. Reactivate it first.');
  }
  const max = isNewCommerce(current) ? MAX_QUANTITY_NCE : MAX_QUANTITY_LEGACY;
  if (quantity < 1 || quantity > max) {
    throw new ApiError(400, '2002', `The quantity must be between 1 and ${max}; got ${quantity}.`);
  }
  const decrease = current.quantity - quantity;
  const refundable = refundableQuantity(sub, now);
  if (isNewCommerce(current) && decrease > refundable) {
    throw new ApiError(
      400,
      '800090',
      `The quantity cannot be decreased by ${decrease}: seats can only be reduced within 7 days of adding them, ` +
        `and ${refundable} seat(s) were added in the last 7 days.`,
    );
  }
}

/** New commerce can be cancelled only inside the cancellation window (a refund option not yet expired). */
function assertCancellable(current: SubscriptionResource, now: number): void {
  const open = (current.refundOptions ?? []).some((o) => Date.parse(o.expiresAt) > now);
  if (!isNewCommerce(current) || !open) {
    throw new ApiError(400, '800096', 'The subscription cannot be cancelled: the cancellation window has passed or the offer does not allow it.');
  }
}

function assertAutoRenewAllowed(current: SubscriptionResource): void {
  const legacyMonthly = !isNewCommerce(current) && current.billingCycle === 'monthly';
  if (current.isTrial === true || legacyMonthly) {
    throw new ApiError(400, '800093', 'The subscription is not eligible for auto-renew.');
  }
}

/** Record a purchase, or take a decrease out of the newest refundable purchases first. */
function adjustSeats(additions: SeatAddition[], delta: number, now: number): SeatAddition[] {
  if (delta > 0) return [...additions, { quantity: delta, at: now }];
  let toRemove = -delta;
  const kept = additions.map((a) => ({ ...a }));
  for (let i = kept.length - 1; i >= 0 && toRemove > 0; i--) {
    const a = kept[i];
    if (a.at <= now - SEAT_REFUND_WINDOW_MS) continue;
    const taken = Math.min(a.quantity, toRemove);
    a.quantity -= taken;
    toRemove -= taken;
  }
  return kept.filter((a) => a.quantity > 0);
}

/**
 * Scheduling without auto-renew: the scheduled-changes page requires auto-renew but names no error, so this
 * code is the sandbox's own and says what is wrong.
 */
export const AUTO_RENEW_REQUIRED = 'ScheduledChangesRequireAutoRenew';

/**
 * The next term's instructions from a PATCH body ("Schedule changes for a new commerce subscription"),
 * checked against the subscription; undefined clears them. An unchanged copy of what is stored (a
 * full-resource echo) is accepted as is. The next term must keep the product, SKU and availability:
 * upgrades go through transitions, which the sandbox does not simulate.
 */
export function readNextTerm(current: SubscriptionResource, sent: unknown, autoRenewEnabled: boolean): unknown {
  if (!isObject(sent)) return undefined;
  if (JSON.stringify(sent) === JSON.stringify(current.scheduledNextTermInstructions)) return sent;
  if (!isNewCommerce(current)) throw invalidInput('ScheduledNextTermInstructions are not applicable for legacy offers.');
  if (!autoRenewEnabled) {
    throw new ApiError(400, AUTO_RENEW_REQUIRED, 'Changes can be scheduled for renewal only when auto-renew is enabled on the subscription.');
  }
  const product = sent.product;
  if (!isObject(product)) throw invalidInput('ScheduledNextTermInstructions.Product is required.');
  for (const f of ['productId', 'skuId', 'availabilityId', 'billingCycle', 'termDuration']) {
    if (typeof product[f] !== 'string' || product[f] === '') throw invalidInput(`ScheduledNextTermInstructions.Product.${f} is required.`);
  }
  const offer = `${String(product.productId)}:${String(product.skuId)}:${String(product.availabilityId)}`;
  if (offer.toLowerCase() !== current.offerId.toLowerCase()) {
    throw invalidInput(`The sandbox schedules changes on the same product, SKU and availability only (${current.offerId}); got ${offer}.`);
  }
  if (!TERMS.includes(String(product.termDuration).toUpperCase())) throw invalidInput(`TermDuration '${String(product.termDuration)}' is not available for this offer.`);
  if (!BILLING_CYCLES.includes(String(product.billingCycle).toLowerCase())) {
    throw invalidInput(`BillingCycle '${String(product.billingCycle)}' is not available for this offer.`);
  }
  const q = sent.quantity;
  if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > MAX_QUANTITY_NCE) {
    throw new ApiError(400, '2002', `The quantity must be between 1 and ${MAX_QUANTITY_NCE}; got ${String(q)}.`);
  }
  return sent;
}
