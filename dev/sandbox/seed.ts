/**
 * Seeded data: a CSP partner ("Litware CSP") with customers, new-commerce and legacy subscriptions,
 * service requests and a support profile. Ids are constants (SEED) so tests and docs can name them;
 * dates are relative to the clock at seeding time so rules such as "seats can be reduced within 7 days"
 * hold whatever day the suite runs.
 */
import { emptyWebhookState } from './webhooks';
import type {
  Note,
  SandboxData,
  SeatAddition,
  ServiceRequestResource,
  Severity,
  ServiceRequestStatus,
  StoredServiceRequest,
  StoredSubscription,
  SubscriptionResource,
} from './model';
import { NO_DATE } from './model';
import { isoDate, link, newEtag } from './wire';

const DAY = 24 * 60 * 60 * 1000;

const partner = {
  id: '3b33e682-00c3-41ee-9dd2-a548adf56438',
  name: 'Litware CSP',
  phoneNumber: '4255550100',
  domain: 'litwarecsp.onmicrosoft.com',
} as const;

const supportTopics = {
  profile: { id: '32444671', name: 'Cannot manage my profile', description: 'Partner profile, MPN ID, company details or contacts in Partner Center.' },
  billing: { id: '32444672', name: 'Billing and invoices', description: 'Invoices, reconciliation files, charges, credits and payment methods.' },
  subscriptions: { id: '32444673', name: 'Subscription management', description: 'Buying, changing, suspending or cancelling customer subscriptions.' },
  licensing: { id: '32444674', name: 'Licensing and license assignment', description: 'License counts, assignment and availability in customer tenants.' },
  microsoft365: { id: '32444675', name: 'Technical: Microsoft 365', description: 'Exchange Online, SharePoint, Teams and other Microsoft 365 services.' },
  azure: { id: '32444676', name: 'Technical: Azure', description: 'Azure plan, quotas, resources and Azure portal access.' },
  dynamics365: { id: '32444677', name: 'Technical: Dynamics 365', description: 'Dynamics 365 and Power Platform apps.' },
  security: { id: '32444678', name: 'Security incident', description: 'Suspected compromise, suspicious sign-ins or fraud on a customer or partner tenant.' },
} as const;

const customers = {
  contoso: { id: 'd8202a51-69f9-4228-b900-d0e081af17d7', companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' },
  contosoPharma: { id: '4f5c9e21-8a3b-4d7e-b6a1-2c9d0e8f7a61', companyName: 'Contoso Pharmaceuticals', domain: 'contosopharma.onmicrosoft.com' },
  contosoHotels: { id: '9a1e7c43-5b2d-4f80-a3c6-71d8e2b4f015', companyName: 'Contoso Hotels', domain: 'contosohotels.onmicrosoft.com' },
  fabrikam: { id: '0b7d3f6a-2c1e-4a59-9e84-5f3b6c7d8e90', companyName: 'Fabrikam, Inc.', domain: 'fabrikam.onmicrosoft.com' },
  adatum: { id: '6e2a4c8b-9d1f-4b37-8c5e-a0f1b2c3d4e5', companyName: 'Adatum Corporation', domain: 'adatum.onmicrosoft.com' },
  wingtip: { id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f', companyName: 'Wingtip Toys', domain: 'wingtiptoys.onmicrosoft.com' },
  /** Former customer: the relationship ended, so it answers 403/20002 and is not listed. */
  northwind: { id: '7f8e9d0c-1b2a-4394-a5b6-c7d8e9f0a1b2', companyName: 'Northwind Traders', domain: 'northwindtraders.onmicrosoft.com' },
} as const;

const subscriptions = {
  /** NCE, 25 seats: 20 bought 60 days ago, 5 bought 2 days ago (refundableQuantity 5). Auto-renews with next-term instructions. */
  contosoNce: { id: 'a6c1f3e2-7b4d-4e8a-9c05-3d2e1f0a9b87', customerId: customers.contoso.id, offerName: 'Microsoft 365 Business Basic' },
  /** NCE bought 2 days ago: inside the cancellation window, all 10 seats refundable. */
  contosoNceNew: { id: 'e4b2d8c6-1a3f-4c5e-8b7d-9f0e2a4c6b81', customerId: customers.contoso.id, offerName: 'Microsoft 365 E3' },
  /** Legacy monthly license subscription (auto-renew not allowed). */
  contosoLegacy: { id: '5d3c1b9a-8e7f-4a6b-b5c4-d3e2f1a0b9c8', customerId: customers.contoso.id, offerName: 'Office 365 E1' },
  /** NCE trial (auto-renew not allowed). */
  contosoTrial: { id: '2f4e6a8c-0b1d-4f3e-a5c7-e9d1b3f5a7c9', customerId: customers.contoso.id, offerName: 'Microsoft Teams Essentials' },
  /** NCE, all 10 seats bought 90 days ago: refundableQuantity 0, no decrease allowed. */
  fabrikamNce: { id: '8b0d2f4a-6c8e-4a1c-9e3f-5a7c9e1b3d5f', customerId: customers.fabrikam.id, offerName: 'Microsoft 365 Business Premium' },
  fabrikamSuspended: { id: '1c3e5a7b-9d2f-4b6a-8c0e-2d4f6a8b0c1e', customerId: customers.fabrikam.id, offerName: 'Exchange Online (Plan 1)' },
  fabrikamDeleted: { id: '3e5a7c9d-1f4b-4d8e-a2c6-4f8a0c2e6b9d', customerId: customers.fabrikam.id, offerName: 'Office 365 E3' },
  contosoPharmaNce: { id: '7a9c1e3f-5b8d-4e2a-b6d0-8c1f3a5e7b9d', customerId: customers.contosoPharma.id, offerName: 'Microsoft 365 Business Standard' },
  adatumNce: { id: '4b6d8f0a-2c5e-4a9b-8d1f-6a8c0e2b4d7f', customerId: customers.adatum.id, offerName: 'Dynamics 365 Business Central Essentials' },
  northwindNce: { id: '9c1e3a5b-7d0f-4b2e-a4c6-0e2a4c6e8a1b', customerId: customers.northwind.id, offerName: 'Microsoft 365 Business Basic' },
  // Renewals and windows (issue 20): on customers that had no subscriptions, so earlier listings are unchanged.
  /** NCE P1Y, 30 seats bought 355 days ago: the term ends in 10 days, auto-renew on, nothing scheduled. */
  hotelsRenewsSoon: { id: '5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b', customerId: customers.contosoHotels.id, offerName: 'Microsoft 365 Business Standard' },
  /** NCE P1M, 12 seats bought 20 days ago: the term ends in 10 days, auto-renew off (it will expire). */
  hotelsRenewsSoonOff: { id: '6f8b0d2c-4e6a-4b8d-8f2c-4e6a8b0d2f4c', customerId: customers.contosoHotels.id, offerName: 'Exchange Online (Plan 1)' },
  /** NCE P1Y, 20 seats bought 340 days ago: the term ends in 25 days and renews with 18 seats (scheduled). */
  hotelsScheduled: { id: '7a9c1e3d-5f7b-4c9e-9a3d-5f7b9c1e3a5d', customerId: customers.contosoHotels.id, offerName: 'Microsoft 365 E3' },
  /** NCE P1M, 6 seats bought 6 days 4 hours ago: its seat and cancellation windows close in 20 hours. */
  wingtipClosingSoon: { id: '8b0d2f4e-6a8c-4d0f-8b4e-6a8c0d2f4b6e', customerId: customers.wingtip.id, offerName: 'Microsoft 365 Business Basic' },
  /** NCE P1Y, 10 seats bought 40 days ago and 4 more 4 days ago: those 4 can be removed for 3 more days; no cancellation. */
  wingtipFewDays: { id: '9c1e3a5f-7b9d-4e1a-9c5f-7b9d1e3a5c7f', customerId: customers.wingtip.id, offerName: 'Microsoft Teams Rooms Pro' },
} as const;

const serviceRequests = {
  open: { id: '616122292874576', title: 'Cannot assign licenses to new users', customerId: customers.contoso.id },
  closed: { id: '616122292871093', title: 'Duplicate charge on October invoice', customerId: null },
  attentionNeeded: { id: '616122292876602', title: 'Mail flow delayed for all users', customerId: customers.fabrikam.id },
  partnerProfile: { id: '616122292873318', title: 'Update the MPN ID on our partner profile', customerId: null },
  azureQuota: { id: '616122292875127', title: 'Azure vCPU quota increase for West Europe', customerId: customers.contoso.id },
  securityIncident: { id: '616122292870458', title: 'Suspicious sign-ins on customer tenant', customerId: customers.adatum.id },
} as const;

const supportProfile = {
  email: 'support@litwarecsp.com',
  telephone: '+1 (425) 555-0100',
  website: 'https://www.litwarecsp.com/support',
} as const;

export const SEED = { partner, supportTopics, customers, subscriptions, serviceRequests, supportProfile } as const;

/** Fresh, mutable state; every call returns new objects. */
export function createSeedData(now: number): SandboxData {
  return {
    partner: { ...partner },
    supportTopics: Object.values(supportTopics).map((t) => ({ ...t })),
    serviceRequests: seedServiceRequests(now),
    customers: Object.values(customers).map((c) => ({ ...c, relationshipEnded: c.id === customers.northwind.id })),
    subscriptions: seedSubscriptions(now),
    supportProfile: { ...supportProfile },
    webhooks: emptyWebhookState(),
    auditRecords: [],
  };
}

// --- service requests -------------------------------------------------------------------------------

interface SrSeed {
  ref: { id: string; title: string; customerId: string | null };
  description: string;
  severity: Severity;
  status: ServiceRequestStatus;
  topic: { id: string; name: string };
  createdDaysAgo: number;
  closedDaysAgo?: number;
  notes?: string[];
}

function seedServiceRequests(now: number): StoredServiceRequest[] {
  const seeds: SrSeed[] = [
    {
      ref: serviceRequests.open, description: 'New hires get "no licenses available" although 5 seats were added this week.',
      severity: 'moderate', status: 'open', topic: supportTopics.licensing, createdDaysAgo: 3,
      notes: ['Affected users: 5. Screenshot of the error sent by email.'],
    },
    {
      ref: serviceRequests.closed, description: 'The October invoice lists the Azure plan charge twice.',
      severity: 'minimal', status: 'closed', topic: supportTopics.billing, createdDaysAgo: 20, closedDaysAgo: 15,
      notes: ['Credit note issued, closing.'],
    },
    {
      ref: serviceRequests.attentionNeeded, description: 'Outbound mail is queued for up to 2 hours since this morning.',
      severity: 'critical', status: 'attention_needed', topic: supportTopics.microsoft365, createdDaysAgo: 1,
      notes: ['Microsoft: please send message trace results for an affected mailbox.'],
    },
    {
      ref: serviceRequests.partnerProfile, description: 'Our MPN ID changed after the merger; the profile still shows the old one.',
      severity: 'minimal', status: 'open', topic: supportTopics.profile, createdDaysAgo: 6,
    },
    {
      ref: serviceRequests.azureQuota, description: 'Need 64 more Dv5 vCPUs in West Europe for the customer migration.',
      severity: 'moderate', status: 'open', topic: supportTopics.azure, createdDaysAgo: 10,
    },
    {
      ref: serviceRequests.securityIncident, description: 'Impossible-travel alerts for three admin accounts.',
      severity: 'critical', status: 'closed', topic: supportTopics.security, createdDaysAgo: 30, closedDaysAgo: 28,
    },
  ];
  return seeds.map((s) => ({ customerId: s.ref.customerId, resource: serviceRequestFromSeed(s, now) }));
}

function serviceRequestFromSeed(s: SrSeed, now: number): ServiceRequestResource {
  const created = now - s.createdDaysAgo * DAY;
  const org = { id: partner.id, name: partner.name, phoneNumber: partner.phoneNumber };
  const notes: Note[] = (s.notes ?? []).map((text, i) => ({
    createdByName: 'Sandbox Admin',
    createdDate: isoDate(created + (i + 1) * 60 * 60 * 1000),
    text,
  }));
  return {
    id: s.ref.id,
    title: s.ref.title,
    description: s.description,
    severity: s.severity,
    supportTopicId: s.topic.id,
    supportTopicName: s.topic.name,
    status: s.status,
    organization: org,
    primaryContact: {
      organization: org,
      contactId: 'bb4ebcf5-d84c-4b35-8469-f4cfa4ac909e',
      lastName: 'Admin',
      firstName: 'Sandbox',
      email: `admin@${partner.domain}`,
      phoneNumber: partner.phoneNumber,
    },
    createdDate: isoDate(created),
    lastModifiedDate: isoDate(s.closedDaysAgo !== undefined ? now - s.closedDaysAgo * DAY : created + 2 * 60 * 60 * 1000),
    lastClosedDate: s.closedDaysAgo !== undefined ? isoDate(now - s.closedDaysAgo * DAY) : NO_DATE,
    fileLinks: [],
    notes,
    countryCode: 'US',
    attributes: { objectType: 'ServiceRequest' },
  };
}

// --- subscriptions ----------------------------------------------------------------------------------

interface NceSeed {
  ref: { id: string; customerId: string; offerName: string };
  offerId: string;
  termDuration: 'P1M' | 'P1Y';
  billingCycle: 'monthly' | 'annual';
  /** Seat purchases as [quantity, days ago]; the first one is the original order. */
  seats: Array<[number, number]>;
  status?: string;
  autoRenewEnabled?: boolean;
  isTrial?: boolean;
  /** Changes scheduled for the next term: `true` the same seats, or the next term's seats. */
  nextTerm?: boolean | { quantity: number };
  extra?: Record<string, unknown>;
}

interface LegacySeed {
  ref: { id: string; customerId: string; offerName: string };
  offerId: string;
  quantity: number;
  createdDaysAgo: number;
  status: string;
}

function seedSubscriptions(now: number): StoredSubscription[] {
  const nce: NceSeed[] = [
    {
      ref: subscriptions.contosoNce, offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971', termDuration: 'P1Y', billingCycle: 'monthly',
      seats: [[20, 60], [5, 2]], nextTerm: true,
      extra: { someFutureField: { rolloutWave: 3, flags: ['preview'] } },
    },
    { ref: subscriptions.contosoNceNew, offerId: 'CFQ7TTC0LFLX:0001:CFQ7TTC0N8SS', termDuration: 'P1M', billingCycle: 'monthly', seats: [[10, 2]] },
    {
      ref: subscriptions.contosoTrial, offerId: 'CFQ7TTC0RL1C:0001:CFQ7TTC0KCX7', termDuration: 'P1M', billingCycle: 'monthly',
      seats: [[25, 12]], isTrial: true, autoRenewEnabled: false,
    },
    { ref: subscriptions.fabrikamNce, offerId: 'CFQ7TTC0LCHC:0002:CFQ7TTC0KB1F', termDuration: 'P1Y', billingCycle: 'annual', seats: [[10, 90]] },
    {
      ref: subscriptions.fabrikamSuspended, offerId: 'CFQ7TTC0LH16:0001:CFQ7TTC0JN4R', termDuration: 'P1M', billingCycle: 'monthly',
      seats: [[5, 120]], status: 'suspended', autoRenewEnabled: false,
    },
    { ref: subscriptions.contosoPharmaNce, offerId: 'CFQ7TTC0LDPB:0001:CFQ7TTC0KB06', termDuration: 'P1Y', billingCycle: 'annual', seats: [[40, 200]] },
    { ref: subscriptions.adatumNce, offerId: 'CFQ7TTC0LH0R:0001:CFQ7TTC0JW1S', termDuration: 'P1M', billingCycle: 'monthly', seats: [[3, 45]] },
    { ref: subscriptions.northwindNce, offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971', termDuration: 'P1Y', billingCycle: 'monthly', seats: [[8, 300]] },
    { ref: subscriptions.hotelsRenewsSoon, offerId: 'CFQ7TTC0LDPB:0001:CFQ7TTC0KB06', termDuration: 'P1Y', billingCycle: 'monthly', seats: [[30, 355]] },
    {
      ref: subscriptions.hotelsRenewsSoonOff, offerId: 'CFQ7TTC0LH16:0001:CFQ7TTC0JN4R', termDuration: 'P1M', billingCycle: 'monthly',
      seats: [[12, 20]], autoRenewEnabled: false,
    },
    {
      ref: subscriptions.hotelsScheduled, offerId: 'CFQ7TTC0LFLX:0001:CFQ7TTC0N8SS', termDuration: 'P1Y', billingCycle: 'annual',
      seats: [[20, 340]], nextTerm: { quantity: 18 },
    },
    { ref: subscriptions.wingtipClosingSoon, offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971', termDuration: 'P1M', billingCycle: 'monthly', seats: [[6, 6 + 4 / 24]] },
    {
      ref: subscriptions.wingtipFewDays, offerId: 'CFQ7TTC0QW7C:0001:CFQ7TTC0QW5P', termDuration: 'P1Y', billingCycle: 'annual',
      seats: [[10, 40], [4, 4]],
    },
  ];
  const legacy: LegacySeed[] = [
    { ref: subscriptions.contosoLegacy, offerId: '91FD106F-4B2C-4938-95AC-F54F74E9A239', quantity: 15, createdDaysAgo: 900, status: 'active' },
    { ref: subscriptions.fabrikamDeleted, offerId: '796B6B5F-613C-4E24-A17C-EBA730D49C02', quantity: 12, createdDaysAgo: 1200, status: 'deleted' },
  ];
  return [...nce.map((s) => nceSubscription(s, now)), ...legacy.map((s) => legacySubscription(s, now))];
}

function nceSubscription(s: NceSeed, now: number): StoredSubscription {
  const seatAdditions: SeatAddition[] = s.seats.map(([quantity, daysAgo]) => ({ quantity, at: now - daysAgo * DAY }));
  const created = seatAdditions[0]?.at ?? now;
  const [productId, skuId, availabilityId] = s.offerId.split(':');
  const autoRenewEnabled = s.autoRenewEnabled ?? true;
  const resource: SubscriptionResource = {
    id: s.ref.id,
    offerId: s.offerId,
    offerName: s.ref.offerName,
    friendlyName: s.ref.offerName,
    productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' },
    quantity: s.seats.reduce((sum, [q]) => sum + q, 0),
    unitType: 'Licenses',
    hasPurchasableAddons: false,
    creationDate: isoDate(created),
    effectiveStartDate: isoDate(created),
    commitmentEndDate: isoDate(termEnd(created, s.termDuration, now)),
    status: s.status ?? 'active',
    autoRenewEnabled,
    isTrial: s.isTrial ?? false,
    billingType: 'license',
    billingCycle: s.billingCycle,
    termDuration: s.termDuration,
    renewalTermDuration: '',
    // New commerce allows cancellation within 7 days of purchase (the window closes at expiresAt).
    refundOptions: [{ type: 'Full', expiresAt: isoDate(created + 7 * DAY) }],
    isMicrosoftProduct: true,
    partnerId: '',
    attentionNeeded: false,
    actionTaken: false,
    contractType: 'subscription',
    links: {
      product: link(`/products/${productId}?country=US`),
      sku: link(`/products/${productId}/skus/${skuId}?country=US`),
      availability: link(`/products/${productId}/skus/${skuId}/availabilities/${availabilityId}?country=US`),
      self: link(`/customers/${s.ref.customerId}/subscriptions/${s.ref.id}`),
    },
    publisherName: 'Microsoft Corporation',
    orderId: s.ref.id.replace(/-/g, '').slice(0, 12),
    attributes: { etag: newEtag(), objectType: 'Subscription' },
    ...s.extra,
  };
  if (s.nextTerm && autoRenewEnabled) {
    resource.scheduledNextTermInstructions = {
      product: { productId, skuId, availabilityId, billingCycle: s.billingCycle, termDuration: s.termDuration, promotionId: '' },
      quantity: typeof s.nextTerm === 'object' ? s.nextTerm.quantity : resource.quantity,
      customTermEndDate: null,
    };
  }
  return { customerId: s.ref.customerId, resource, seatAdditions, pending: null };
}

function legacySubscription(s: LegacySeed, now: number): StoredSubscription {
  const created = now - s.createdDaysAgo * DAY;
  const resource: SubscriptionResource = {
    id: s.ref.id,
    offerId: s.offerId,
    offerName: s.ref.offerName,
    friendlyName: s.ref.offerName,
    quantity: s.quantity,
    unitType: 'Licenses',
    parentSubscriptionId: null,
    creationDate: isoDate(created),
    effectiveStartDate: isoDate(created),
    commitmentEndDate: isoDate(termEnd(created, 'P1M', now)),
    status: s.status,
    autoRenewEnabled: false,
    billingType: 'license',
    billingCycle: 'monthly',
    partnerId: null,
    contractType: 'subscription',
    links: {
      offer: link(`/v1/offers/${s.offerId}`),
      self: link(`/customers/${s.ref.customerId}/subscriptions/${s.ref.id}`),
    },
    orderId: s.ref.id.split('-')[4] ?? s.ref.id,
    attributes: { etag: newEtag(), objectType: 'Subscription' },
  };
  return { customerId: s.ref.customerId, resource, seatAdditions: [], pending: null };
}

/** The end of the current term: the first term boundary after `now`. */
function termEnd(start: number, term: 'P1M' | 'P1Y', now: number): number {
  const step = term === 'P1Y' ? 365 * DAY : 30 * DAY;
  const elapsedTerms = Math.floor((now - start) / step) + 1;
  return start + elapsedTerms * step;
}
