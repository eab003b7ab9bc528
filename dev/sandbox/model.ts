/**
 * The sandbox's in-memory state. Resources are kept in their wire shape (camelCase) so a GET returns
 * them as stored; what the real service keeps server-side but never shows (which customer a service
 * request belongs to, when seats were added, a pending 202 change) sits beside the resource.
 */

export const SEVERITIES = ['unknown', 'critical', 'moderate', 'minimal'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SERVICE_REQUEST_STATUSES = ['none', 'open', 'closed', 'attention_needed'] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

/** Partner Center's "no date" (DateTime.MinValue serialised without a zone). */
export const NO_DATE = '0001-01-01T00:00:00';

export interface Link {
  uri: string;
  method: 'GET';
  headers: Array<{ key: string; value: string }>;
}

export interface Organization {
  id: string;
  name: string;
  phoneNumber: string;
}

export interface Contact {
  organization: Organization;
  contactId: string;
  lastName: string;
  firstName: string;
  email: string;
  phoneNumber: string;
}

export interface Note {
  createdByName: string;
  createdDate: string;
  text: string;
}

export interface ServiceRequestResource {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  supportTopicId: string;
  supportTopicName: string;
  status: ServiceRequestStatus;
  organization: Organization;
  primaryContact: Contact;
  lastUpdatedBy?: Contact;
  productName?: string;
  productId?: string;
  createdDate: string;
  lastModifiedDate: string;
  lastClosedDate: string;
  fileLinks: unknown[];
  notes: Note[];
  countryCode: string;
  attributes: { objectType: 'ServiceRequest' };
}

export interface StoredServiceRequest {
  /** Hidden: the customer the request was filed for, or null for the partner's own requests. */
  customerId: string | null;
  resource: ServiceRequestResource;
}

export interface SupportTopic {
  id: string;
  name: string;
  description: string;
}

export interface StoredCustomer {
  id: string;
  companyName: string;
  domain: string;
  /** Hidden: a former customer still resolves by id but answers 403/20002 (no commerce relationship). */
  relationshipEnded: boolean;
}

export interface SubscriptionResource {
  id: string;
  offerId: string;
  offerName: string;
  friendlyName: string;
  quantity: number;
  status: string;
  autoRenewEnabled: boolean;
  billingCycle: string;
  productType?: { id: string; displayName: string };
  isTrial?: boolean;
  refundOptions?: Array<{ type: string; expiresAt: string }>;
  scheduledNextTermInstructions?: unknown;
  attributes: { etag: string; objectType: 'Subscription' };
  /** Every other field (documented or not) is kept and returned as is. */
  [field: string]: unknown;
}

export interface SeatAddition {
  quantity: number;
  at: number;
}

export interface PendingChange {
  /** `now()` value from which the change is visible. */
  applyAt: number;
  resource: SubscriptionResource;
  seatAdditions: SeatAddition[];
}

export interface StoredSubscription {
  customerId: string;
  resource: SubscriptionResource;
  /** Hidden: new-commerce seat purchases; seats bought in the last 7 days are refundable. */
  seatAdditions: SeatAddition[];
  /** Hidden: a change accepted with 202 that GETs do not show yet. */
  pending: PendingChange | null;
}

export interface SupportProfile {
  email: string;
  telephone: string;
  website: string;
}

/** An AuditRecord as the activity log returns it ("Auditing resources"); old/new values are JSON strings. */
export interface AuditRecordResource {
  id: string;
  partnerId: string;
  customerId?: string;
  customerName?: string;
  userPrincipalName?: string;
  applicationId?: string;
  resourceType: string;
  resourceOldValue?: string;
  resourceNewValue?: string;
  operationType: string;
  originalCorrelationId?: string;
  operationDate: string;
  operationStatus: string;
  customizedData: Array<{ key: string; value: string | null }>;
  attributes: { objectType: 'AuditRecord' };
}

export interface StoredAuditRecord {
  /** Hidden: the order records were added in, so a continuation never repeats or skips one added meanwhile. */
  seq: number;
  resource: AuditRecordResource;
}

export interface SandboxData {
  webhooks: import('./webhooks').WebhookState;
  partner: Organization & { domain: string };
  supportTopics: SupportTopic[];
  serviceRequests: StoredServiceRequest[];
  customers: StoredCustomer[];
  subscriptions: StoredSubscription[];
  supportProfile: SupportProfile;
  /** The activity log: seeded changes made elsewhere, and a record of each subscription change made here. */
  auditRecords: StoredAuditRecord[];
}
