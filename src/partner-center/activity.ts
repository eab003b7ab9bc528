/**
 * The activity log: Partner Center's own record of what partner users and applications did, from any
 * tool ("Get a record of Partner Center activity"; .NET SDK `AuditRecords.Query(startDate, endDate, query)`).
 *
 * GET /v1/auditrecords?size=&startDate=&endDate=&filter= . The page documents: the last 30 days when no
 * start date is given; "Requests with a start date greater than 90 days prior to the current date will
 * receive a bad request exception (error code: 400)"; one filter: `CustomerId` equals, `CompanyName`
 * substring, `ResourceType` equals. The service works by day (its examples send `startDate=2020-09-02`),
 * so dates are sent as yyyy-mm-dd and the caller narrows to the instant it wants.
 *
 * Paging is the SDK's seek-based collection: a page that has more carries `links.next` (a uri and an
 * `MS-ContinuationToken` header), which the SDK's enumerator follows as given. The product hands the
 * caller that link as one opaque `next` string to pass back.
 */
import { PartnerCenterError } from './errors';
import type { PartnerCenterHttp } from './http';
import { validate } from './operations';
import type { CallContext } from './pipeline';
import { activityQuerySchema, auditRecordSchema, type ActivityFilter, type ActivityQuery, type AuditRecord } from './activity-schema';

export { OPERATION_STATUSES, type ActivityFilter, type ActivityQuery, type AuditRecord } from './activity-schema';

const DAY = 86_400_000;
/** The service's default window when no start date is sent. */
export const ACTIVITY_DEFAULT_DAYS = 30;
/** How far back the service answers at all. */
export const ACTIVITY_MAX_DAYS = 90;

export interface ActivityPage {
  items: AuditRecord[];
  /** The page's `totalCount` when Partner Center sends one (it counts the page, not the whole log). */
  totalCount?: number;
  /** Records that could not be read at all: left out, counted. */
  skipped: number;
  /** Pass back as `next` for the following page; absent on the last one. */
  next?: string;
  /** The first day the request covered (yyyy-mm-dd, UTC), as sent. */
  startDate: string;
}

const FILTER_FIELD: Record<ActivityFilter['field'], { field: string; operator: string }> = {
  customerId: { field: 'CustomerId', operator: 'equals' },
  companyName: { field: 'CompanyName', operator: 'substring' },
  resourceType: { field: 'ResourceType', operator: 'equals' },
};

/** One page of the activity log. */
export async function listActivity(http: PartnerCenterHttp, call: CallContext, query: ActivityQuery = {}): Promise<ActivityPage> {
  const q = validate(activityQuerySchema, query);
  const now = http.now();
  if (q.next) {
    const link = decodeNext(q.next);
    const page = await http.list(call, link.path, auditRecordSchema, 'auditRecord', { 'MS-ContinuationToken': link.token });
    return pageOf(page, link.startDate);
  }
  const startDate = dayOf(startOf(q.from?.getTime() ?? now - ACTIVITY_DEFAULT_DAYS * DAY, now));
  const params = new URLSearchParams({ size: String(q.size), startDate });
  if (q.to) {
    if (q.to.getTime() < Date.parse(startDate)) throw invalid('to', 'The end of the window is before its start.');
    params.set('endDate', dayOf(q.to.getTime()));
  }
  if (q.filter) {
    const f = FILTER_FIELD[q.filter.field];
    params.set('filter', JSON.stringify({ Field: f.field, Value: q.filter.value, Operator: f.operator }));
  }
  return pageOf(await http.list(call, `/v1/auditrecords?${params}`, auditRecordSchema, 'auditRecord'), startDate);
}

/**
 * The start to send: the day `from` falls on, unless that day begins more than 90 days ago (the service
 * refuses such a start with 400): then the first whole day inside the 90 days.
 */
function startOf(from: number, now: number): number {
  const limit = now - ACTIVITY_MAX_DAYS * DAY;
  const day = Math.floor(from / DAY) * DAY;
  if (day >= limit) return day;
  const first = Math.floor(limit / DAY) * DAY;
  return first >= limit ? first : first + DAY;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

type ListedPage = Awaited<ReturnType<PartnerCenterHttp['list']>> & { items: AuditRecord[] };

function pageOf(page: ListedPage, startDate: string): ActivityPage {
  const next = page.links?.next;
  const token = next?.headers?.find((h) => h.key.toLowerCase() === 'ms-continuationtoken')?.value ?? page.continuationToken ?? undefined;
  // A page with a token but no link (a shape the SDK also reads) continues the same request with seekOperation=Next.
  const uri = next?.uri ?? (token ? `/auditrecords?startDate=${startDate}&seekOperation=Next` : undefined);
  return {
    items: page.items,
    totalCount: page.totalCount ?? undefined,
    skipped: page.skipped,
    next: uri && token ? encodeNext({ path: apiPath(uri), token, startDate }) : undefined,
    startDate,
  };
}

/** The link's uri as a path under the API: the service writes it relative to /v1 ("/auditrecords?…"). */
function apiPath(uri: string): string {
  const u = new URL(uri, 'http://partner-center.invalid/');
  const path = /^\/v1\//i.test(u.pathname) ? u.pathname : `/v1${u.pathname}`;
  return `${path}${u.search}`;
}

interface NextLink {
  path: string;
  token: string;
  startDate: string;
}

function encodeNext(link: NextLink): string {
  return Buffer.from(JSON.stringify([link.path, link.token, link.startDate]), 'utf8').toString('base64url');
}

/**
 * A `next` comes back through a card, so it is checked before anything is sent: it may only name the
 * activity log, on the configured host (the path is appended to the base URL, never used as a URL).
 */
function decodeNext(next: string): NextLink {
  try {
    const [path, token, startDate] = JSON.parse(Buffer.from(next, 'base64url').toString('utf8')) as unknown[];
    if (typeof path === 'string' && /^\/v1\/auditrecords(\?|$)/i.test(path) && typeof token === 'string' && token && typeof startDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(startDate)) {
      return { path, token, startDate };
    }
  } catch {
    // any unreadable value gets the same refusal
  }
  throw invalid('next', 'Not a page of the activity log.');
}

function invalid(field: string, message: string): PartnerCenterError {
  return new PartnerCenterError({ kind: 'invalid-input', message: `Invalid input: ${field} ${message}`, fields: [{ field, key: 'field.invalid' }] });
}

// ---------------------------------------------------------------------------------------------------------
// Reading from a cursor (for a notifier source)

/**
 * Where a reader of the log stopped. The API takes dates, not instants, and has no sort order or record
 * sequence, so a reader asks again from the cursor's *day* and drops what it has seen: every record older
 * than `at`, and those at exactly `at` whose ids are in `ids` (several records can share one instant).
 * Records at later instants are new. The cursor moves only forward.
 */
export interface ActivityCursor {
  /** The newest operationDate seen (ISO). */
  at: string;
  /** The ids of the records seen at exactly `at`. */
  ids: string[];
}

export interface ActivitySince {
  records: AuditRecord[];
  cursor: ActivityCursor;
  /** The cursor was older than the 90 days the service answers for: records in between may be lost. */
  gap: boolean;
  /** Pages read (one call each). */
  pages: number;
  /** The page budget ran out before the last page: read again from the returned cursor. */
  more: boolean;
}

/** The records newer than `cursor` (following continuation, at most `maxPages` calls), oldest first. */
export async function readActivitySince(
  list: (q: ActivityQuery) => Promise<ActivityPage>,
  now: number,
  cursor: ActivityCursor,
  o: { filter?: ActivityFilter; size?: number; maxPages?: number } = {},
): Promise<ActivitySince> {
  const from = Date.parse(cursor.at);
  const gap = from < now - ACTIVITY_MAX_DAYS * DAY;
  const seen = new Set(cursor.ids);
  const fresh: AuditRecord[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const page = await list(next ? { next } : { from, filter: o.filter, size: o.size });
    pages++;
    for (const r of page.items) {
      const at = r.operationDate ? Date.parse(r.operationDate) : NaN;
      if (Number.isNaN(at) || at < from || (at === from && seen.has(r.id ?? ''))) continue;
      fresh.push(r);
    }
    next = page.next;
  } while (next && pages < (o.maxPages ?? 20));
  const records = fresh.sort((a, b) => Date.parse(a.operationDate!) - Date.parse(b.operationDate!));
  return { records, cursor: advance(cursor, records), gap, pages, more: !!next };
}

function advance(cursor: ActivityCursor, records: AuditRecord[]): ActivityCursor {
  const last = records.at(-1);
  if (!last?.operationDate) return cursor;
  const at = new Date(Date.parse(last.operationDate)).toISOString();
  const sameInstant = records.filter((r) => Date.parse(r.operationDate!) === Date.parse(at)).map((r) => r.id ?? '');
  const carried = Date.parse(at) === Date.parse(cursor.at) ? cursor.ids : [];
  return { at, ids: [...new Set([...carried, ...sameInstant])] };
}

// ---------------------------------------------------------------------------------------------------------
// What changed

export interface FieldChange {
  /** The field's path in the resource, camelCase ("quantity", "lineItems[0].quantity"). */
  field: string;
  from?: string;
  to?: string;
}

/** Fields never shown, whatever changed: secrets and the service's own bookkeeping. */
const HIDDEN = /password|secret|token|credential|^links(\.|$|\[)|(^|\.)links(\.|\[|$)|(^|\.)attributes(\.|$)|etag/i;
const MAX_CHANGES = 12;
const MAX_VALUE = 120;

/**
 * The fields that differ between a record's old and new values (JSON strings), each with its old and new
 * value as short text; never the raw strings. A value that is not JSON yields no change (and is not shown).
 */
export function changedFields(oldValue: string | null | undefined, newValue: string | null | undefined): FieldChange[] {
  const before = flatten(parse(oldValue));
  const after = flatten(parse(newValue));
  if (!before || !after) return [];
  const out: FieldChange[] = [];
  for (const field of new Set([...before.keys(), ...after.keys()])) {
    if (HIDDEN.test(field)) continue;
    const from = before.get(field);
    const to = after.get(field);
    if (from === to) continue;
    out.push({ field, from: from === undefined ? undefined : short(from), to: to === undefined ? undefined : short(to) });
    if (out.length >= MAX_CHANGES) break;
  }
  return out;
}

/** The resource a record's value describes, parsed (camelCase keys), or undefined. */
export function parsedValue(value: string | null | undefined): Record<string, unknown> | undefined {
  const v = parse(value);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The subscription a record is about, from its customizedData or its resource: id and name when known. */
export function subscriptionOf(r: AuditRecord): { id?: string; name?: string } {
  const data = new Map((r.customizedData ?? []).map((d) => [d.key?.toLowerCase() ?? '', d.value ?? undefined]));
  const resource = r.resourceType?.toLowerCase() === 'subscription' ? (parsedValue(r.resourceNewValue) ?? parsedValue(r.resourceOldValue)) : undefined;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const id = data.get('subscriptionid') ?? data.get('subscriptionid-0') ?? str(resource?.id);
  const name = data.get('subscriptionname') ?? data.get('subscriptionname-0') ?? str(resource?.friendlyName) ?? str(resource?.offerName);
  return { id: id ?? undefined, name: name ?? undefined };
}

function parse(value: string | null | undefined): unknown {
  if (!value) return undefined;
  try {
    return camelizeDeep(JSON.parse(value));
  } catch {
    return undefined;
  }
}

function camelizeDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelizeDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), camelizeDeep(x)]));
  return v;
}

/** Leaf values by path; arrays of plain values are one leaf ("a, b"). */
function flatten(v: unknown): Map<string, string> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out = new Map<string, string>();
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node) && node.every((x) => x === null || typeof x !== 'object')) out.set(path, node.map(String).join(', '));
    else if (Array.isArray(node)) node.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (node && typeof node === 'object') for (const [k, x] of Object.entries(node)) walk(x, path ? `${path}.${k}` : k);
    else if (node !== null && node !== undefined) out.set(path, String(node));
  };
  walk(v, '');
  return out;
}

function short(s: string): string {
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}
