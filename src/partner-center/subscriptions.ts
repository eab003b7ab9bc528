/**
 * Customers and their subscriptions (seed: update-subscription-by-id; PARTNER-CENTER.md "Resources").
 * Each operation takes the acting user's call context; the client (client.ts) makes it.
 */
import { z } from 'zod';
import { currentProductTerm, nextTermOf, schedulesCurrentProduct } from './deadlines';
import { parseErrorBody, PartnerCenterError } from './errors';
import { errorFromResponse, quoteEtag, type PartnerCenterHttp, type Raw } from './http';
import { mergeFields, validate, type Page } from './operations';
import type { CallContext } from './pipeline';
import {
  customerIdSchema,
  customerSchema,
  customerSearchSchema,
  isNewCommerce,
  nextTermChangeSchema,
  reflectsChange,
  subscriptionChangeSchema,
  subscriptionIdSchema,
  subscriptionSchema,
  type Customer,
  type CustomerSearch,
  type NextTermChange,
  type Subscription,
  type SubscriptionChange,
} from './schemas';

export interface CustomerPage {
  items: Customer[];
  /** Pass back in `findCustomers` to read the next page. */
  continuationToken?: string;
  skipped: number;
}

/** A subscription as read, with the raw body and ETag a full-resource PATCH needs: read once, used twice. */
export interface SubscriptionSnapshot {
  subscription: Subscription;
  raw: Raw;
  etag?: string;
}

export type SubscriptionUpdateResult =
  | { state: 'completed'; subscription: Subscription; previous: Subscription; requestId?: string; confirmedByRead?: boolean }
  /** Partner Center accepted the change (202) but it had not shown within the wait. */
  | { state: 'in-progress'; subscription: Subscription; previous: Subscription; location: string; requestId?: string }
  /** The PATCH timed out or failed in transit, and reading back could not show whether it was applied. */
  | { state: 'unknown'; subscription: Subscription; previous: Subscription; requestId?: string; correlationId: string };

/** GET /v1/customers?size=&filter= with a starts_with filter on CompanyName or Domain (case-insensitive). */
export async function findCustomers(http: PartnerCenterHttp, call: CallContext, search: CustomerSearch): Promise<CustomerPage> {
  const s = validate(customerSearchSchema, search);
  const params = new URLSearchParams({ size: String(s.size) });
  const headers: Record<string, string> = {};
  if (s.continuationToken) {
    params.set('seekOperation', 'Next');
    headers['MS-ContinuationToken'] = s.continuationToken;
  } else {
    const field = s.field === 'companyName' ? 'CompanyName' : 'Domain';
    params.set('filter', JSON.stringify({ Field: field, Value: s.prefix, Operator: 'starts_with' }));
  }
  return customerPage(http, call, params, headers);
}

/**
 * Every customer the user can see, one page a call (GET /v1/customers?size=N, then `seekOperation=Next`
 * with the MS-ContinuationToken header; "Get a list of customers"). A reader that keeps to a budget calls
 * it page by page, passing back `continuationToken` until there is none.
 */
export async function listCustomers(
  http: PartnerCenterHttp,
  call: CallContext,
  o: { size?: number; continuationToken?: string } = {},
): Promise<CustomerPage> {
  const size = validate(customerPageSizeSchema, o.size ?? 200, 'size');
  const params = new URLSearchParams({ size: String(size) });
  const headers: Record<string, string> = {};
  if (o.continuationToken) {
    params.set('seekOperation', 'Next');
    headers['MS-ContinuationToken'] = o.continuationToken;
  }
  return customerPage(http, call, params, headers);
}

async function customerPage(http: PartnerCenterHttp, call: CallContext, params: URLSearchParams, headers: Record<string, string>): Promise<CustomerPage> {
  const page = await http.list(call, `/v1/customers?${params}`, customerSchema, 'customer', headers);
  const next = page.links?.next?.headers?.find((h) => h.key.toLowerCase() === 'ms-continuationtoken')?.value;
  return { items: page.items, continuationToken: next ?? page.continuationToken ?? undefined, skipped: page.skipped };
}

/** The page sizes customer reads accept (the search's bound, customerSearchSchema). */
const customerPageSizeSchema = z.number().int().min(1).max(500);

export async function getCustomer(http: PartnerCenterHttp, call: CallContext, customerId: string): Promise<Customer> {
  const cid = validate(customerIdSchema, customerId, 'customerId');
  return http.read(call, `/v1/customers/${cid}`, customerSchema, 'customer');
}

export async function listSubscriptions(http: PartnerCenterHttp, call: CallContext, customerId: string): Promise<Page<Subscription>> {
  const cid = validate(customerIdSchema, customerId, 'customerId');
  const page = await http.list(call, `/v1/customers/${cid}/subscriptions`, subscriptionSchema, 'subscription');
  return { items: page.items, totalCount: page.totalCount ?? page.items.length, skipped: page.skipped };
}

/** The validated path of one subscription. */
export function subscriptionPath(customerId: string, subscriptionId: string): string {
  const cid = validate(customerIdSchema, customerId, 'customerId');
  const sid = validate(subscriptionIdSchema, subscriptionId, 'subscriptionId');
  return `/v1/customers/${cid}/subscriptions/${sid}`;
}

/** One GET of a subscription, kept whole so a change can be written from it without reading it again. */
export async function readSubscription(http: PartnerCenterHttp, call: CallContext, path: string): Promise<SubscriptionSnapshot> {
  const s = await http.readForUpdate(call, path, subscriptionSchema, 'subscription');
  return { subscription: s.value, raw: s.raw, etag: s.etag };
}

/**
 * PATCH /v1/customers/{cid}/subscriptions/{id} (seed: update-subscription-by-id).
 *
 * Read-modify-write of the whole resource, as the seed requires: a minimal body silently turns auto-renew
 * off and drops next-term instructions. Unknown fields go back as they came. The read is the caller's
 * snapshot when it has one (so a change shown to the user is written from what they saw), else one GET.
 * With an ETag the PATCH carries If-Match and is safe to send again after a timeout; a 412 then means
 * "re-read and compare": if the subscription already shows the change it was applied, else someone else
 * changed it and the change is applied once more on the fresh copy. A 202 is followed by polling its
 * Location until the change shows or the wait runs out.
 */
export async function updateSubscription(
  http: PartnerCenterHttp,
  call: CallContext,
  path: string,
  change: SubscriptionChange,
  options: { maxWaitMs: number; from?: SubscriptionSnapshot },
): Promise<SubscriptionUpdateResult> {
  const wanted = validate(subscriptionChangeSchema, change);
  return writeSubscription(http, call, path, {
    body: (snap) => mergeFields(snap.raw, wanted),
    shows: (s) => reflectsChange(s, wanted),
    optimistic: (previous) => ({ ...previous, ...wanted }),
    ...options,
  });
}

/** One full-resource write: the body made from a snapshot, and how to tell the subscription shows it. */
interface SubscriptionWrite {
  /** The whole resource to send, made from the snapshot it is written on (again after a 412). */
  body: (snap: SubscriptionSnapshot) => Raw;
  /** True when a read of the subscription shows the change (a 202 or a lost answer has landed). */
  shows: (s: Subscription) => boolean;
  /** What to show when Partner Center applied the change but its answer and the read-back could not be read. */
  optimistic: (previous: Subscription) => Subscription;
  /** Refuses before anything is sent, given the snapshot the change would be written on. */
  check?: (snap: SubscriptionSnapshot) => void;
  maxWaitMs: number;
  from?: SubscriptionSnapshot;
}

/**
 * The read-modify-write machinery updateSubscription and scheduleNextTerm share: If-Match when there is
 * an ETag, read-back after a lost answer (applied or unknown, never a guess), one re-read and re-send on a
 * 412 (or unless the fresh copy already shows the change), and a 202 followed until it lands.
 */
async function writeSubscription(http: PartnerCenterHttp, call: CallContext, path: string, w: SubscriptionWrite): Promise<SubscriptionUpdateResult> {
  let snap = w.from ?? (await readSubscription(http, call, path));
  const previous = snap.subscription;
  w.check?.(snap);

  for (let attempt = 0; ; attempt++) {
    const headers = snap.etag ? { 'If-Match': quoteEtag(snap.etag) } : undefined;
    const sent = await http.send(call, 'PATCH', path, { body: w.body(snap), headers, idempotent: headers !== undefined });
    if ('lost' in sent) {
      const seen = await http.readBackUntil(call, async () => {
        const now = await readSubscription(http, call, path);
        return { current: now.subscription, found: w.shows(now.subscription) ? now.subscription : undefined };
      });
      if (seen.found) return { state: 'completed', subscription: seen.found, previous, requestId: sent.requestId, confirmedByRead: true };
      return { state: 'unknown', subscription: seen.current ?? previous, previous, requestId: sent.requestId, correlationId: call.correlationId };
    }
    const res = sent.res;
    const requestId = res.headers.get('ms-requestid') ?? undefined;
    if (res.status === 200 || res.status === 201) {
      const shown = http.answered(res, subscriptionSchema, 'subscription');
      if (shown) return { state: 'completed', subscription: shown, previous, requestId };
      // Applied: Partner Center said so. Its body could not be read, so read the subscription to show it.
      const again = await readSubscription(http, call, path).catch(() => undefined);
      return { state: 'completed', subscription: again?.subscription ?? w.optimistic(previous), previous, requestId };
    }
    if (res.status === 202) {
      const location = http.resolveLocation(res.headers.get('location'), path);
      const r = await untilShown(http, call, location, w.shows, { maxWaitMs: w.maxWaitMs });
      if (r.landed) return { state: 'completed', subscription: r.subscription, previous, requestId };
      return { state: 'in-progress', subscription: r.subscription ?? previous, previous, location, requestId };
    }
    const conflict = res.status === 412 || parseErrorBody(res.text).code === '2055';
    if (!conflict || attempt === 1) throw errorFromResponse(res, call);
    // The ETag moved: our own earlier attempt landed, or someone else changed it. Re-read and compare.
    snap = await readSubscription(http, call, path);
    if (w.shows(snap.subscription)) return { state: 'completed', subscription: snap.subscription, previous, requestId, confirmedByRead: true };
    w.check?.(snap);
  }
}

/**
 * Schedules the seats of the next term, or clears what is scheduled ("Schedule changes for a new commerce
 * subscription"): the full resource with `scheduledNextTermInstructions` set, PATCHed with If-Match. The
 * product keeps its ids (from the new-commerce offerId), billing cycle and term; the current seats are
 * sent unchanged, since a seat change now is a mid-term change that deletes what is scheduled. When today's
 * product is what is scheduled already, only its quantity changes: a scheduled `promotionId` or
 * `customTermEndDate` (both documented fields of the instructions) stays, as a partner admin who asked for
 * seats expects; the confirmation (features/subscriptions/next-term.ts) says so, or says what is replaced.
 * `clear` sends `scheduledNextTermInstructions: null`, as the .NET SDK serialises a cleared property (and
 * as the page's example annotates the field: "original value = null").
 * Refused before sending (invalid-input on `autoRenewEnabled`) when auto-renew is off: the page requires
 * it on; and on a subscription that is not new commerce (scheduled changes are "not applicable for legacy
 * offers", .NET SDK Subscription.ScheduledNextTermInstructions).
 */
export async function scheduleNextTerm(
  http: PartnerCenterHttp,
  call: CallContext,
  path: string,
  change: NextTermChange,
  options: { maxWaitMs: number; from?: SubscriptionSnapshot },
): Promise<SubscriptionUpdateResult> {
  const wanted = validate(nextTermChangeSchema, change);
  const instructions = (s: Subscription, raw: Raw) => {
    if (wanted === 'clear') return null;
    // Today's product already scheduled: only its seats change, and the rest goes back as Partner Center sent
    // it (a promotionId, a customTermEndDate, fields this client does not know). Otherwise the instructions
    // are made anew from today's product, and the confirmation has said what they replace.
    const scheduled = raw[keyOf(raw, 'scheduledNextTermInstructions')];
    if (schedulesCurrentProduct(s) && isRecord(scheduled)) return { ...scheduled, [keyOf(scheduled, 'quantity')]: wanted.quantity };
    return { product: currentProductTerm(s)!, quantity: wanted.quantity };
  };
  return writeSubscription(http, call, path, {
    check: (snap) => refuseUnschedulable(snap.subscription),
    // The raw key as the resource spells it; null must be sent, so it is set here rather than by mergeFields.
    body: (snap) => ({ ...snap.raw, [keyOf(snap.raw, 'scheduledNextTermInstructions')]: instructions(snap.subscription, snap.raw) }),
    shows: showsNextTerm(wanted),
    optimistic: (previous) => ({
      ...previous,
      scheduledNextTermInstructions: wanted === 'clear' ? null : { ...(schedulesCurrentProduct(previous) ? previous.scheduledNextTermInstructions : { product: currentProductTerm(previous)! }), quantity: wanted.quantity },
    }),
    ...options,
  });
}

/** A key of a raw object as Partner Center spelled it (casing varies between answers), else `name`. */
function keyOf(o: Raw, name: string): string {
  return Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

function isRecord(v: unknown): v is Raw {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** True when a read shows the next term as asked: nothing scheduled (`clear`), or these seats on today's product, term and billing. */
function showsNextTerm(wanted: NextTermChange): (s: Subscription) => boolean {
  return (s) => (wanted === 'clear' ? !s.scheduledNextTermInstructions : schedules(s, wanted.quantity));
}

function schedules(s: Subscription, quantity: number): boolean {
  const next = nextTermOf(s);
  const now = currentProductTerm(s);
  return !!next && next.quantity === quantity && next.sameOffer && next.termDuration === now?.termDuration && next.billingCycle?.toLowerCase() === now?.billingCycle.toLowerCase();
}

function refuseUnschedulable(s: Subscription): void {
  const field = !isNewCommerce(s) || !currentProductTerm(s) ? 'offerId' : s.autoRenewEnabled !== true ? 'autoRenewEnabled' : undefined;
  if (!field) return;
  throw new PartnerCenterError({
    kind: 'invalid-input',
    message: `Invalid input: ${field} field.invalid (changes can be scheduled for renewal only on a new-commerce subscription with auto-renew on)`,
    fields: [{ field, key: 'field.invalid' }],
  });
}

/** Polls a subscription (a 202's Location) until it shows the change or the wait runs out. */
export async function untilChanged(
  http: PartnerCenterHttp,
  call: CallContext,
  path: string,
  wanted: SubscriptionChange | z.output<typeof subscriptionChangeSchema>,
  o: { maxWaitMs: number; intervalMs?: number },
): Promise<{ landed: true; subscription: Subscription } | { landed: false; subscription?: Subscription }> {
  return untilShown(http, call, path, (s) => reflectsChange(s, wanted), o);
}

/**
 * Polls a subscription (a 202's Location) until `scheduledNextTermInstructions` shows the next term as asked,
 * or the wait runs out: the same test scheduleNextTerm's own inline wait uses.
 */
export async function untilNextTermShown(
  http: PartnerCenterHttp,
  call: CallContext,
  path: string,
  change: NextTermChange,
  o: { maxWaitMs: number; intervalMs?: number },
): Promise<{ landed: true; subscription: Subscription } | { landed: false; subscription?: Subscription }> {
  return untilShown(http, call, path, showsNextTerm(validate(nextTermChangeSchema, change)), o);
}

async function untilShown(
  http: PartnerCenterHttp,
  call: CallContext,
  path: string,
  shows: (s: Subscription) => boolean,
  o: { maxWaitMs: number; intervalMs?: number },
): Promise<{ landed: true; subscription: Subscription } | { landed: false; subscription?: Subscription }> {
  const r = await http.until(call, async () => (await readSubscription(http, call, path)).subscription, shows, o);
  return r.landed ? { landed: true, subscription: r.latest! } : { landed: false, subscription: r.latest };
}
