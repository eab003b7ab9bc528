/**
 * The REST surface: one table from path pattern to a handler per method. A known path with another
 * method answers 405; anything else 404.
 */
import { listAuditRecords } from './audit-records';
import type { Handler } from './call';
import { getCustomer, listCustomers } from './customers';
import {
  createServiceRequest,
  getServiceRequest,
  listCustomerServiceRequests,
  listServiceRequests,
  listSupportTopics,
  patchServiceRequest,
} from './service-requests';
import { getSubscription, listSubscriptions, patchSubscription } from './subscriptions';
import { getSupportProfile, putSupportProfile } from './support-profile';
import { getRegistration, getValidationEvent, listEvents, postValidationEvent, putOrPostRegistration } from './webhooks';

interface Route {
  /** Literal segments match case-insensitively; `:name` captures a segment. */
  pattern: string;
  methods: Partial<Record<string, Handler>>;
}

// Order matters where patterns overlap: "supporttopics" before ":id".
const ROUTES: Route[] = [
  { pattern: '/v1/servicerequests', methods: { GET: listServiceRequests } },
  { pattern: '/v1/servicerequests/supporttopics', methods: { GET: listSupportTopics } },
  // POST's segment is the agent locale (create); GET and PATCH's is the request id.
  { pattern: '/v1/servicerequests/:id', methods: { GET: getServiceRequest, PATCH: patchServiceRequest, POST: createServiceRequest } },
  { pattern: '/v1/customers', methods: { GET: listCustomers } },
  { pattern: '/v1/customers/:customerId', methods: { GET: getCustomer } },
  { pattern: '/v1/customers/:customerId/servicerequests', methods: { GET: listCustomerServiceRequests } },
  { pattern: '/v1/customers/:customerId/subscriptions', methods: { GET: listSubscriptions } },
  { pattern: '/v1/customers/:customerId/subscriptions/:subscriptionId', methods: { GET: getSubscription, PATCH: patchSubscription } },
  { pattern: '/v1/profiles/support', methods: { GET: getSupportProfile, PUT: putSupportProfile('support') } },
  { pattern: '/v1/auditrecords', methods: { GET: listAuditRecords } },
  { pattern: '/v1/profiles/supportprofile', methods: { PUT: putSupportProfile('supportprofile') } },
  { pattern: '/webhooks/v1/registration', methods: { GET: getRegistration, POST: putOrPostRegistration('POST'), PUT: putOrPostRegistration('PUT') } },
  { pattern: '/webhooks/v1/registration/events', methods: { GET: listEvents } },
  { pattern: '/webhooks/v1/registration/validationEvents', methods: { POST: postValidationEvent } },
  { pattern: '/webhooks/v1/registration/validationEvents/:correlationId', methods: { GET: getValidationEvent } },
];

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'not-found' };

export function matchRoute(method: string, path: string): RouteMatch {
  const segments = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    const handler = route.methods[method];
    return handler ? { kind: 'found', handler, params } : { kind: 'wrong-method', allowed: Object.keys(route.methods) };
  }
  return { kind: 'not-found' };
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = pattern.split('/').filter(Boolean);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const segment = safeDecode(segments[i]);
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part.toLowerCase() !== segment.toLowerCase()) return null;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
