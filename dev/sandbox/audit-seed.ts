/**
 * The activity log's seeded records: changes made elsewhere (in the Partner Center web portal, by another
 * tool, by other people), so `activity` has outside changes to show. Each agrees with the seeded
 * subscriptions (Contoso's 5 seats bought 2 days ago, Wingtip's 4 seats 4 days ago, Fabrikam's suspension)
 * and is shaped like the records of the throttling guidance's example response.
 */
import { appendAuditRecord, serialised } from './audit-records';
import type { SandboxData, SubscriptionResource } from './model';
import { SEED } from './seed';
import { isoDate } from './wire';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

/** Who made the seeded changes, and with what: tests and docs name them. */
export const SEED_ACTIVITY = {
  /** The application id the documented example's portal records carry. */
  portalApp: '4990cffe-04e8-4e8b-808a-1175604b879f',
  /** Another partner tool (a PSA integration), acting as an application. */
  otherTool: 'b7e4c2a9-6d1f-4e3b-9a58-0c2d4e6f8a1b',
  tania: 'tania.carr@litwarecsp.com',
  marco: 'marco.rossi@litwarecsp.com',
  billing: 'billing@litwarecsp.com',
} as const;

export function seedAuditRecords(data: SandboxData, now: number): void {
  const sub = (id: string) => data.subscriptions.find((s) => s.resource.id === id)!;
  const customer = (id: string) => data.customers.find((c) => c.id === id)!;
  const update = (
    ref: { id: string; customerId: string },
    o: { ago: number; by?: string; app: string; before: Partial<SubscriptionResource>; after?: Partial<SubscriptionResource>; status?: string },
  ) => {
    const now_ = sub(ref.id).resource;
    appendAuditRecord(data, {
      customerId: ref.customerId,
      customerName: customer(ref.customerId).companyName,
      userPrincipalName: o.by,
      applicationId: o.app,
      resourceType: 'subscription',
      resourceOldValue: serialised({ ...now_, ...o.before, attributes: { etag: 'seed-before', objectType: 'Subscription' } }),
      resourceNewValue: serialised({ ...now_, ...o.after }),
      operationType: 'update_subscription',
      operationDate: isoDate(now - o.ago),
      operationStatus: o.status ?? 'succeeded',
      customizedData: [],
    });
  };
  const S = SEED.subscriptions;

  appendAuditRecord(data, {
    customerId: SEED.customers.wingtip.id,
    customerName: SEED.customers.wingtip.companyName,
    userPrincipalName: SEED_ACTIVITY.tania,
    applicationId: SEED_ACTIVITY.portalApp,
    resourceType: 'customer',
    operationType: 'add_customer',
    operationDate: isoDate(now - 100 * DAY), // older than the 90 days the log answers for: never served
    operationStatus: 'succeeded',
    customizedData: [{ key: 'PrimaryDomainName', value: SEED.customers.wingtip.domain }],
  });
  appendAuditRecord(data, {
    customerId: SEED.customers.contoso.id,
    customerName: SEED.customers.contoso.companyName,
    userPrincipalName: SEED_ACTIVITY.tania,
    applicationId: 'FulfillmentService',
    resourceType: 'license',
    operationType: 'update_customer_user_licenses',
    operationDate: isoDate(now - 45 * DAY),
    operationStatus: 'succeeded',
    customizedData: [{ key: 'CustomerUserId', value: '933808c7-b165-496c-a24e-1a4b7846fab4' }],
  });
  update(S.fabrikamSuspended, { ago: 25 * DAY, by: SEED_ACTIVITY.billing, app: SEED_ACTIVITY.portalApp, before: { status: 'active', autoRenewEnabled: true } });
  update(S.adatumNce, { ago: 12 * DAY, by: SEED_ACTIVITY.marco, app: SEED_ACTIVITY.portalApp, before: {}, after: { autoRenewEnabled: false }, status: 'failed' });
  update(S.wingtipFewDays, { ago: 4 * DAY, app: SEED_ACTIVITY.otherTool, before: { quantity: 10 } });
  const e3 = sub(S.contosoNceNew.id).resource;
  appendAuditRecord(data, {
    customerId: SEED.customers.contoso.id,
    customerName: SEED.customers.contoso.companyName,
    userPrincipalName: SEED_ACTIVITY.tania,
    applicationId: SEED_ACTIVITY.portalApp,
    resourceType: 'order',
    resourceNewValue: serialised({
      id: 'Ia80ZLkXp6eWOqpp35pBQJLhqv9IiGVZ2',
      referenceCustomerId: SEED.customers.contoso.id,
      billingCycle: e3.billingCycle,
      lineItems: [{ lineItemNumber: 0, offerId: e3.offerId, subscriptionId: e3.id, friendlyName: e3.friendlyName, quantity: e3.quantity }],
      status: 'pending',
      attributes: { objectType: 'Order' },
    }),
    operationType: 'create_order',
    operationDate: isoDate(now - 2 * DAY - 2 * HOUR),
    operationStatus: 'succeeded',
    customizedData: [
      { key: 'OrderId', value: 'Ia80ZLkXp6eWOqpp35pBQJLhqv9IiGVZ2' },
      { key: 'SubscriptionId-0', value: e3.id },
      { key: 'SubscriptionName-0', value: e3.friendlyName },
      { key: 'Quantity-0', value: String(e3.quantity) },
    ],
  });
  update(S.contosoNce, { ago: 2 * DAY, by: SEED_ACTIVITY.tania, app: SEED_ACTIVITY.portalApp, before: { quantity: 20 } });
}
