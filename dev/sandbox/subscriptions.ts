/**
 * Customer subscriptions: list, read, and PATCH with the full resource (rules in subscription-rules.ts).
 * Slow changes answer 202 + Location and only show on GETs later, as the real service does.
 */
import { recordSubscriptionUpdate } from './audit-records';
import type { Call, Handler } from './call';
import { headerValue, objectBody, selfUri } from './call';
import { requireCustomer } from './customers';
import type { SandboxData, StoredSubscription } from './model';
import type { PatchPlan } from './subscription-rules';
import { assertPatchable, isNewCommerce, planPatch, refundableQuantityView } from './subscription-rules';
import type { ResolvedOptions } from './types';
import { subscriptionUpdated } from './webhooks';
import { ApiError, Codes, collection, link } from './wire';

export const listSubscriptions: Handler = (call) => {
  const customer = requireCustomer(call.data, call.params.customerId);
  const items = call.data.subscriptions.filter((s) => s.customerId === customer.id).map((s) => subscriptionView(s, call.now));
  return { status: 200, body: collection(items, { self: link(selfUri(call)) }) };
};

export const getSubscription: Handler = (call) => ({
  status: 200,
  body: subscriptionView(requireSubscription(call), call.now),
});

export const patchSubscription: Handler = (call) => {
  const sub = requireSubscription(call);
  assertPatchable(sub);
  const plan = planPatch(sub, objectBody(call), headerValue(call, 'If-Match'), call.now);
  // Partner Center logs the operation it accepted, whether it shows at once or after a 202.
  recordSubscriptionUpdate(call, sub, plan.resource);
  if (isAsync(call, sub, plan)) {
    sub.pending = { applyAt: call.now + call.options.asyncApplyMs, resource: plan.resource, seatAdditions: plan.seatAdditions };
    // Relative and without /v1, exactly as the documented 202 response shows it.
    return { status: 202, headers: { Location: `/customers/${sub.customerId}/subscriptions/${sub.resource.id}` } };
  }
  sub.resource = plan.resource;
  sub.seatAdditions = plan.seatAdditions;
  subscriptionUpdated(call.data, call.options, sub, call.now);
  return { status: 200, body: subscriptionView(sub, call.now) };
};

/** Makes accepted 202 changes visible once their time has come; called on every request. */
export function settlePendingChanges(data: SandboxData, options: ResolvedOptions, now: number): void {
  for (const sub of data.subscriptions) {
    if (sub.pending && now >= sub.pending.applyAt) {
      sub.resource = sub.pending.resource;
      sub.seatAdditions = sub.pending.seatAdditions;
      sub.pending = null;
      subscriptionUpdated(data, options, sub, now);
    }
  }
}

function isAsync(call: Call, sub: StoredSubscription, plan: PatchPlan): boolean {
  const mode = call.options.asyncSubscriptionUpdates;
  return mode === 'all' || (mode === 'quantity' && plan.quantityChanged && isNewCommerce(sub.resource));
}

function requireSubscription(call: Call): StoredSubscription {
  const customer = requireCustomer(call.data, call.params.customerId);
  const id = call.params.subscriptionId?.toLowerCase();
  const sub = call.data.subscriptions.find((s) => s.customerId === customer.id && s.resource.id.toLowerCase() === id);
  if (!sub) throw new ApiError(404, Codes.notFound, `Subscription ${call.params.subscriptionId} was not found for customer ${customer.id}.`);
  return sub;
}

/**
 * What a GET shows, derived from the hidden state so it changes with the clock, in the documented shapes:
 * `refundableQuantity` an object, `cancellationAllowedUntilDate` the end of the cancellation window (null
 * once it has passed), and `actions` the actions allowed now.
 */
function subscriptionView(sub: StoredSubscription, now: number) {
  const r = sub.resource;
  if (!isNewCommerce(r)) return r;
  const window = (r.refundOptions ?? []).map((o) => o.expiresAt).filter((d) => Date.parse(d) > now).sort().at(-1);
  const live = r.status === 'active' || r.status === 'suspended';
  return {
    ...r,
    refundableQuantity: refundableQuantityView(sub, now),
    cancellationAllowedUntilDate: live && window ? window : null,
    actions: r.status === 'deleted' ? [] : [...(r.status === 'active' ? ['edit'] : []), ...(live && window ? ['cancel'] : [])],
  };
}
