/**
 * Wire-level conventions shared by every endpoint: error bodies, collections, key casing, ids.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Link } from './model';

/** A handler's way to answer with Partner Center's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${code}: ${description}`);
  }
}

export interface ErrorBody {
  code: string;
  description: string;
  data: unknown[];
  source: 'PartnerFD';
}

export function errorBody(code: string, description: string): ErrorBody {
  return { code, description, data: [], source: 'PartnerFD' };
}

/** 429 comes from the gateway, not PartnerFD, hence its different shape. */
export function rateLimitBody(seconds: number): { statusCode: 429; message: string } {
  return { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` };
}

/** Codes used across endpoints, so every not-found or validation answer is the same. */
export const Codes = {
  invalidInput: 'InvalidInput',
  malformedJson: 'MalformedJson',
  unauthorized: 'Unauthorized',
  routeNotFound: 'RouteNotFound',
  methodNotAllowed: 'MethodNotAllowed',
  payloadTooLarge: 'RequestEntityTooLarge',
  decommissioned: 'OperationDecommissioned',
  serviceRequestNotFound: 'ServiceRequestNotFound',
  notFound: '20003',
  noRelationship: '20002',
  internal: 'InternalServerError',
} as const;

export function invalidInput(description: string): ApiError {
  return new ApiError(400, Codes.invalidInput, description);
}

export function decommissioned(): ApiError {
  return new ApiError(
    410,
    Codes.decommissioned,
    'This API has been decommissioned. Partners should use the Partner Center user interface.',
  );
}

export function routeNotFound(method: string, path: string): ApiError {
  return new ApiError(404, Codes.routeNotFound, `No resource at ${method} ${path}.`);
}

export function link(uri: string, headers: Link['headers'] = []): Link {
  return { uri, method: 'GET', headers };
}

export interface Collection<T> {
  totalCount: number;
  items: T[];
  links: Record<string, Link>;
  attributes: { objectType: 'Collection' };
  continuationToken?: string;
}

/** Like Partner Center, totalCount is the number of items in this page, not in the whole result. */
export function collection<T>(items: T[], links: Record<string, Link>): Collection<T> {
  return { totalCount: items.length, items, links, attributes: { objectType: 'Collection' } };
}

/**
 * The service is case-insensitive on input: `SupportTopicId`, `supportTopicId` and `SUPPORTTOPICID` are
 * the same field. Keys are mapped to the camelCase spelling the handlers read; a key we do not know
 * just gets a lower-case first letter (only subscription PATCH sees those, and it ignores them).
 */
const KNOWN_KEYS = [
  'id', 'title', 'description', 'severity', 'status', 'supportTopicId', 'supportTopicName', 'organization',
  'name', 'phoneNumber', 'primaryContact', 'lastUpdatedBy', 'contactId', 'lastName', 'firstName', 'email',
  'productName', 'productId', 'createdDate', 'lastModifiedDate', 'lastClosedDate', 'fileLinks', 'newNote',
  'notes', 'createdByName', 'text', 'countryCode', 'attributes', 'objectType', 'etag', 'offerId', 'offerName',
  'friendlyName', 'quantity', 'unitType', 'parentSubscriptionId', 'creationDate', 'effectiveStartDate',
  'commitmentEndDate', 'autoRenewEnabled', 'billingType', 'billingCycle', 'termDuration', 'renewalTermDuration',
  'refundOptions', 'refundableQuantity', 'expiresAt', 'type', 'scheduledNextTermInstructions', 'product',
  'skuId', 'availabilityId', 'promotionId', 'customTermEndDate', 'orderId', 'productType', 'displayName',
  'isTrial', 'hasPurchasableAddons', 'publisherName', 'isMicrosoftProduct', 'partnerId', 'contractType',
  'attentionNeeded', 'actionTaken', 'links', 'self', 'uri', 'method', 'headers', 'key', 'value', 'telephone',
  'website', 'profileType', 'field', 'operator', 'totalQuantity', 'details', 'allowedUntilDateTime',
  'cancellationAllowedUntilDate', 'actions', 'commitmentEndDateTime', 'entitlementId',
];
const CANONICAL = new Map(KNOWN_KEYS.map((k) => [k.toLowerCase(), k]));

export function canonicalKey(key: string): string {
  return CANONICAL.get(key.toLowerCase()) ?? key.charAt(0).toLowerCase() + key.slice(1);
}

export function normaliseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseKeys);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[canonicalKey(key)] = normaliseKeys(v);
  return out;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const newGuid = randomUUID;

/** MS-CV looks like `vB9EuWs/ukaxQmuV.0`: 16 base64 characters and a vector suffix. */
export function newCorrelationVector(): string {
  return `${randomBytes(12).toString('base64')}.0`;
}

/** Opaque, changes on every write: clients must treat it as a token, never parse it. */
export function newEtag(): string {
  return randomBytes(24).toString('base64');
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
