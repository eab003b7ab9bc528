/** Customers and subscriptions (the client's subscriptions.ts): the resources as read, and the inputs. */
import { z } from 'zod';
import { LIMITS, M, text } from './input';
import { pcDate, pcDateOrNone, resource, str, tolerantEnum } from './reading';

/** The .NET SDK's SubscriptionStatus order (None 0, Active 1, Suspended 2, Deleted 3, Expired 4, Pending 5, Disabled 6). */
export const SUBSCRIPTION_STATUSES = ['none', 'active', 'suspended', 'deleted', 'expired', 'pending', 'disabled'] as const;

export const customerSchema = resource({
  id: z.string(),
  companyProfile: z
    .looseObject({ tenantId: str, domain: str, companyName: str })
    .nullish(),
  relationshipToPartner: str,
});
export type Customer = z.infer<typeof customerSchema>;

export const subscriptionSchema = resource({
  id: z.string(),
  offerId: str,
  offerName: str,
  friendlyName: str,
  quantity: z.number().int().nullish(),
  unitType: str,
  parentSubscriptionId: str,
  creationDate: pcDate,
  effectiveStartDate: pcDate,
  commitmentEndDate: pcDate,
  status: tolerantEnum(SUBSCRIPTION_STATUSES).nullish(),
  autoRenewEnabled: z.boolean().nullish(),
  billingType: str,
  billingCycle: str,
  termDuration: str,
  isTrial: z.boolean().nullish(),
  commitmentEndDateTime: pcDate,
  /** .NET SDK: the last date the partner can cancel this term; null when cancelling is not allowed. */
  cancellationAllowedUntilDate: pcDateOrNone,
  refundOptions: z.array(z.looseObject({ type: str, expiresAt: pcDate })).nullish(),
  /** .NET SDK RefundableQuantity: the seats that can still be removed, per return window. */
  refundableQuantity: z
    .looseObject({
      totalQuantity: z.number().int().nullish(),
      details: z.array(z.looseObject({ quantity: z.number().int().nullish(), allowedUntilDateTime: pcDate })).nullish(),
    })
    .nullish(),
  /** The actions Partner Center allows on this subscription now (e.g. "edit", "cancel"), when it says. */
  actions: z.array(z.string()).nullish(),
  productType: z.looseObject({ id: str, displayName: str }).nullish(),
  renewalTermDuration: str,
  /** What the next term will be ("Schedule changes for a new commerce subscription"); null when nothing is scheduled. */
  scheduledNextTermInstructions: z
    .looseObject({
      product: z.looseObject({ productId: str, skuId: str, availabilityId: str, billingCycle: str, termDuration: str, promotionId: str }).nullish(),
      quantity: z.number().int().nullish(),
      customTermEndDate: pcDateOrNone,
    })
    .nullish(),
  orderId: str,
  attributes: z.looseObject({ etag: str, objectType: str }).nullish(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;
export type NextTermInstructions = NonNullable<Subscription['scheduledNextTermInstructions']>;

/** New commerce (NCE) subscriptions have the `OnlineServicesNCE` product type or a `product:sku:availability` offer id. */
export function isNewCommerce(s: Pick<Subscription, 'productType' | 'offerId'>): boolean {
  return s.productType?.id === 'OnlineServicesNCE' || /^[A-Z0-9]+:[0-9]+:[A-Z0-9]+$/i.test(s.offerId ?? '');
}

export const subscriptionChangeSchema = z
  .strictObject({
    quantity: z.number(M.wholeNumber).int(M.wholeNumber).min(1, M.min).max(LIMITS.quantity, M.max).optional(),
    friendlyName: text(LIMITS.friendlyName).optional(),
    autoRenewEnabled: z.boolean(M.invalid).optional(),
    status: z.enum(['active', 'suspended', 'deleted'], M.choice).optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: M.noChange, path: [] })
  // Partner Center refuses this combination with 400/2001; say so before sending it.
  .refine((c) => c.quantity === undefined || c.status === undefined, {
    message: M.quantityWithStatus,
    path: ['quantity'],
  });
export type SubscriptionChange = z.input<typeof subscriptionChangeSchema>;

/** Seats for the next term, or `clear` to remove what is scheduled (scheduleNextTerm). */
export const nextTermChangeSchema = z.union([
  z.literal('clear'),
  z.strictObject({ quantity: z.number(M.wholeNumber).int(M.wholeNumber).min(1, M.min).max(LIMITS.quantity, M.max) }),
]);
export type NextTermChange = z.input<typeof nextTermChangeSchema>;

/** True when the subscription shows every field of the change (a 202 change has landed). */
export function reflectsChange(s: Subscription, change: SubscriptionChange): boolean {
  return (
    (change.quantity === undefined || s.quantity === change.quantity) &&
    (change.friendlyName === undefined || s.friendlyName === change.friendlyName) &&
    (change.autoRenewEnabled === undefined || s.autoRenewEnabled === change.autoRenewEnabled) &&
    (change.status === undefined || s.status === change.status)
  );
}

export const customerSearchSchema = z.strictObject({
  field: z.enum(['companyName', 'domain']),
  prefix: z.string(M.required).trim().min(1, M.required).max(256, M.tooLong),
  size: z.number().int().min(1).max(500).default(50),
  continuationToken: z.string().max(4096).optional(),
});
export type CustomerSearch = z.input<typeof customerSearchSchema>;
