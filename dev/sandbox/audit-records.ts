/**
 * The activity log, GET /v1/auditrecords, as "Get a record of Partner Center activity" documents it:
 * - `startDate` and `endDate` are optional: without a start, the last 30 days; a start date more than 90
 *   days before today is refused with 400 (the page: "Requests with a start date greater than 90 days prior
 *   to the current date will receive a bad request exception (error code: 400)"). The page says to refuse,
 *   not to clamp, so the sandbox refuses. A date without a time covers its whole day (UTC).
 * - one `filter`: CustomerId `equals`, CompanyName `substring`, ResourceType `equals`; anything else is 400.
 * - `size`, and seek-based paging: a page with more has `links.next` (`/auditrecords?…&seekOperation=Next`
 *   with an `MS-ContinuationToken` header, relative to /v1 as the service writes links) and
 *   `continuationToken`.
 * Records are served newest first, as the throttling guidance's example response shows them.
 *
 * The sandbox's own subscription changes append a record as Partner Center would (resourceType
 * `subscription`, operationType `update_subscription`, the resource before and after as JSON strings, the
 * caller's UPN and application id). Service requests and the support profile are not recorded: the
 * documented resource types (customer, customer_user, order, subscription, license, …) have none for them.
 */
import type { Call, Handler } from './call';
import { filterParam, headerValue, intParam, queryParam, selfUri } from './call';
import type { AuditRecordResource, Link, SandboxData, StoredSubscription, SubscriptionResource } from './model';
import { collection, invalidInput, isoDate, link } from './wire';

const DAY = 24 * 60 * 60 * 1000;
const DEFAULT_DAYS = 30;
const MAX_DAYS_BACK = 90;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

/** The application id a call is recorded with when its token names none (a JWT's `appid` or `azp`). */
export const SANDBOX_APPLICATION_ID = '5f0c3b8e-2a71-4d6c-9e4b-8a1d7c2e6f30';

interface AuditFilter {
  field: 'customerid' | 'companyname' | 'resourcetype';
  value: string;
}

/** What a continuation token stands for (opaque to clients). */
interface Page {
  start: number;
  end: number;
  filter: AuditFilter | null;
  size: number;
  offset: number;
  /** Records added after the first page are not part of this listing (they would shift every offset). */
  maxSeq: number;
}

export const listAuditRecords: Handler = (call) => {
  const page = requestedPage(call);
  const matching = call.data.auditRecords
    .filter((r) => r.seq <= page.maxSeq && inWindow(r.resource, page) && matches(r.resource, page.filter))
    .sort((a, b) => Date.parse(b.resource.operationDate) - Date.parse(a.resource.operationDate) || b.seq - a.seq);
  const items = matching.slice(page.offset, page.offset + page.size).map((r) => r.resource);
  const links: Record<string, Link> = { self: link(selfUri(call).replace(/^\/v1/i, '')) };
  const body = collection(items, links);
  if (page.offset + page.size < matching.length) {
    const token = Buffer.from(JSON.stringify({ ...page, offset: page.offset + page.size }), 'utf8').toString('base64url');
    body.continuationToken = token;
    links.next = link(`/auditrecords?size=${page.size}&seekOperation=Next`, [{ key: 'MS-ContinuationToken', value: token }]);
  }
  return { status: 200, body };
};

function requestedPage(call: Call): Page {
  const seek = queryParam(call, 'seekOperation');
  if (seek !== undefined) {
    if (seek.toLowerCase() !== 'next') throw invalidInput(`seekOperation '${seek}' is not supported; use Next.`);
    const token = headerValue(call, 'MS-ContinuationToken');
    if (!token) throw invalidInput('seekOperation=Next needs the MS-ContinuationToken header from the previous page.');
    return decodeToken(token);
  }
  const now = call.now;
  const startRaw = queryParam(call, 'startDate');
  const endRaw = queryParam(call, 'endDate');
  const start = startRaw ? parseDate(startRaw, 'startDate').from : now - DEFAULT_DAYS * DAY;
  // "greater than 90 days prior to the current date": read strictly, a start day that began more than 90 days ago.
  if (start < now - MAX_DAYS_BACK * DAY) {
    throw invalidInput(`The start date ${startRaw} is more than ${MAX_DAYS_BACK} days ago: activity log data is available for the previous ${MAX_DAYS_BACK} days only.`);
  }
  const end = endRaw ? parseDate(endRaw, 'endDate').to : now;
  if (end < start) throw invalidInput('The end date is before the start date.');
  const maxSeq = call.data.auditRecords.reduce((m, r) => Math.max(m, r.seq), 0);
  return { start, end, filter: auditFilter(call), size: intParam(call, 'size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE), offset: 0, maxSeq };
}

/** `2020-09-02` is that whole day (UTC); a date with a time is that instant. */
function parseDate(raw: string, name: string): { from: number; to: number } {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const ms = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(ms)) throw invalidInput(`Query parameter '${name}' is not a date: '${raw}'.`);
  return { from: ms, to: dateOnly ? ms + DAY - 1 : ms };
}

function auditFilter(call: Call): AuditFilter | null {
  const f = filterParam(call);
  if (!f) return null;
  const allowed: Record<string, string> = { customerid: 'equals', companyname: 'substring', resourcetype: 'equals' };
  if (!(f.field in allowed)) throw invalidInput(`Filter field '${f.field}' is not supported; use CustomerId, CompanyName or ResourceType.`);
  if (allowed[f.field] !== f.operator) throw invalidInput(`Filter field '${f.field}' takes the operator '${allowed[f.field]}', not '${f.operator}'.`);
  if (typeof f.value !== 'string') throw invalidInput('The filter Value must be a string.');
  return { field: f.field as AuditFilter['field'], value: f.value.toLowerCase() };
}

function inWindow(r: AuditRecordResource, p: Page): boolean {
  const at = Date.parse(r.operationDate);
  return at >= p.start && at <= p.end;
}

function matches(r: AuditRecordResource, f: AuditFilter | null): boolean {
  if (!f) return true;
  if (f.field === 'customerid') return r.customerId?.toLowerCase() === f.value;
  if (f.field === 'companyname') return !!r.customerName?.toLowerCase().includes(f.value);
  return r.resourceType.toLowerCase() === f.value;
}

function decodeToken(token: string): Page {
  try {
    const p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Page;
    if ([p.start, p.end, p.size, p.offset, p.maxSeq].every(Number.isInteger) && p.size > 0) return p;
  } catch {
    // fall through: any unreadable token gets the same answer
  }
  throw invalidInput('The MS-ContinuationToken header is not a valid continuation token.');
}

// --- records of the sandbox's own writes -----------------------------------------------------------

/** Appends a record to the log, as the service does after an operation. */
export function appendAuditRecord(data: SandboxData, record: Omit<AuditRecordResource, 'id' | 'partnerId' | 'attributes'>): AuditRecordResource {
  const seq = data.auditRecords.reduce((m, r) => Math.max(m, r.seq), 0) + 1;
  const ticks = BigInt(Date.parse(record.operationDate)) * 10_000n + 621_355_968_000_000_000n; // .NET ticks, as the documented ids end
  const id = `${data.partner.id}_${record.customerId ?? data.partner.id}_${record.operationType.replace(/_/g, '')}_${ticks}${seq}`;
  const resource: AuditRecordResource = { id, partnerId: data.partner.id, ...record, attributes: { objectType: 'AuditRecord' } };
  data.auditRecords.push({ seq, resource });
  return resource;
}

/** A subscription PATCH the sandbox accepted (200 or 202): recorded with the resource before and after. */
export function recordSubscriptionUpdate(call: Call, sub: StoredSubscription, after: SubscriptionResource): void {
  const customer = call.data.customers.find((c) => c.id === sub.customerId);
  const claims = callerClaims(call.caller.token);
  appendAuditRecord(call.data, {
    customerId: sub.customerId,
    customerName: customer?.companyName,
    userPrincipalName: call.caller.email,
    applicationId: claims.appid ?? claims.azp ?? SANDBOX_APPLICATION_ID,
    resourceType: 'subscription',
    resourceOldValue: serialised(sub.resource),
    resourceNewValue: serialised(after),
    operationType: 'update_subscription',
    originalCorrelationId: headerValue(call, 'MS-CorrelationId'),
    operationDate: isoDate(call.now),
    operationStatus: 'succeeded',
    customizedData: [],
  });
}

function callerClaims(token: string): { appid?: string; azp?: string } {
  const parts = token.split('.');
  try {
    const c = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return { appid: typeof c.appid === 'string' ? c.appid : undefined, azp: typeof c.azp === 'string' ? c.azp : undefined };
  } catch {
    return {};
  }
}

/** The resource as the service serialises it into the log: PascalCase, as in the documented records. */
export function serialised(resource: object): string {
  const pascal = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(pascal);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(x)]));
    return v;
  };
  return JSON.stringify(pascal(resource));
}
