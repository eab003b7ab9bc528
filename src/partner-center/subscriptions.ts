/**
 * Customers and their subscriptions (seed: update-subscription-by-id; PARTNER-CENTER.md "Resources").
 * Each operation takes the acting user's call context; the client (client.ts) makes it.
 */
import type { z } from 'zod';
import { parseErrorBody } from './errors';
import { errorFromResponse, quoteEtag, type PartnerCenterHttp, type Raw } from './http';
import { mergeFields, validate, type Page } from './operations';
import type { CallContext } from './pipeline';
import {
  customerIdSchema,
  customerSchema,
  customerSearchSchema,
  reflectsChange,
  subscriptionChangeSchema,
  subscriptionIdSchema,
  subscriptionSchema,
  type Customer,
  type CustomerSearch,
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
  const page = await http.list(call, `/v1/customers?${params}`, customerSchema, 'customer', headers);
  const next = page.links?.next?.headers?.find((h) => h.key.toLowerCase() === 'ms-continuationtoken')?.value;
  return { items: page.items, continuationToken: next ?? page.continuationToken ?? undefined, skipped: page.skipped };
}

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
  let snap = options.from ?? (await readSubscription(http, call, path));
  const previous = snap.subscription;

  for (let attempt = 0; ; attempt++) {
    const headers = snap.etag ? { 'If-Match': quoteEtag(snap.etag) } : undefined;
    const sent = await http.send(call, 'PATCH', path, { body: mergeFields(snap.raw, wanted), headers, idempotent: headers !== undefined });
    if ('lost' in sent) {
      const seen = await http.readBackUntil(call, async () => {
        const now = await readSubscription(http, call, path);
        return { current: now.subscription, found: reflectsChange(now.subscription, wanted) ? now.subscription : undefined };
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
      return { state: 'completed', subscription: again?.subscription ?? { ...previous, ...wanted }, previous, requestId };
    }
    if (res.status === 202) {
      const location = http.resolveLocation(res.headers.get('location'), path);
      const r = await untilChanged(http, call, location, wanted, { maxWaitMs: options.maxWaitMs });
      if (r.landed) return { state: 'completed', subscription: r.subscription, previous, requestId };
      return { state: 'in-progress', subscription: r.subscription ?? previous, previous, location, requestId };
    }
    const conflict = res.status === 412 || parseErrorBody(res.text).code === '2055';
    if (!conflict || attempt === 1) throw errorFromResponse(res, call);
    // The ETag moved: our own earlier attempt landed, or someone else changed it. Re-read and compare.
    snap = await readSubscription(http, call, path);
    if (reflectsChange(snap.subscription, wanted)) return { state: 'completed', subscription: snap.subscription, previous, requestId, confirmedByRead: true };
  }
}

/** Polls a subscription (a 202's Location) until it shows the change or the wait runs out. */
export async function untilChanged(
  http: PartnerCenterHttp,
  call: CallContext,
  path: string,
  wanted: SubscriptionChange | z.output<typeof subscriptionChangeSchema>,
  o: { maxWaitMs: number; intervalMs?: number },
): Promise<{ landed: true; subscription: Subscription } | { landed: false; subscription?: Subscription }> {
  const r = await http.until(call, async () => (await readSubscription(http, call, path)).subscription, (s) => reflectsChange(s, wanted), o);
  return r.landed ? { landed: true, subscription: r.latest! } : { landed: false, subscription: r.latest };
}
