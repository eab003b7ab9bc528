/**
 * `activity [customer] [days]`: Partner Center's activity log, read as the signed-in user. The log has no
 * sort order and no total of its own, so the whole window is read (following continuation, up to
 * MAX_RECORDS), sorted newest first, and shown a page at a time with the total; the next page reads it again
 * (it may have grown meanwhile, and a card keeps no records).
 */
import { errorCard } from '../../cards/common';
import { forAll, forInteractor, type BotDeps, type Outcome, type Turn } from '../../commands/contract';
import { isPartnerCenterError, type ActivityFilter, type AuditRecord } from '../../partner-center';
import { GUID } from '../../partner-center/schemas';
import { resolveCustomer } from '../customers/handlers';
import { activityCard, type ActivityView } from './cards';

const DAY = 86_400_000;
export const DEFAULT_DAYS = 7;
export const MAX_DAYS = 90;
/** Records shown per card. */
export const PAGE_SIZE = 10;
/** Records read per call, and at most in all (5 calls): past that the user is asked to narrow the window. */
const READ_SIZE = 100;
const MAX_RECORDS = 500;

export interface ActivityArgs {
  customer?: string;
  days: number;
  offset?: number;
}

export async function showActivity(d: BotDeps, t: Turn, a: ActivityArgs): Promise<Outcome> {
  const scope = await scopeOf(d, t, a.customer);
  if ('outcome' in scope) return scope.outcome;
  const now = d.clock.now();
  const from = now - a.days * DAY;
  let read: { records: AuditRecord[]; truncated: boolean; skipped: number; startDate: string };
  try {
    read = await readWindow(d, t, from, scope.filter);
  } catch (e) {
    // A role without access to the log: say so plainly (the generic 403 card talks about "doing this").
    if (isPartnerCenterError(e) && e.status === 403) {
      return forInteractor(errorCard(t.tr, { message: t.tr.t('activity.forbidden'), next: t.tr.t('activity.forbidden.next'), requestId: e.requestId, correlationId: e.correlationId ?? t.user.correlationId }));
    }
    throw e;
  }
  const view: ActivityView = {
    customer: scope.label,
    args: { customer: a.customer, days: a.days },
    days: a.days,
    // 90 days back starts at the first whole day Partner Center answers for: say that, not more.
    since: Math.max(from, Date.parse(`${read.startDate}T00:00:00Z`) || from),
    records: read.records,
    // The log may have shrunk since the card was posted (records age out): the last page there is.
    offset: Math.min(a.offset ?? 0, Math.max(0, Math.ceil(read.records.length / PAGE_SIZE) - 1) * PAGE_SIZE),
    pageSize: PAGE_SIZE,
    truncated: read.truncated ? MAX_RECORDS : undefined,
    skipped: read.skipped,
    timeZone: t.timeZone,
  };
  return forAll(activityCard(t.tr, view));
}

/** Which records: a tenant id (CustomerId equals), a domain (resolved to one customer), or a name (CompanyName substring). */
async function scopeOf(d: BotDeps, t: Turn, customer: string | undefined): Promise<{ filter?: ActivityFilter; label?: string } | { outcome: Outcome }> {
  const q = customer?.trim();
  if (!q) return {};
  if (GUID.test(q)) return { filter: { field: 'customerId', value: q.toLowerCase() }, label: q.toLowerCase() };
  if (/^[^\s]+\.[^\s]+$/.test(q)) {
    // The log filters on names and ids only: a domain is turned into its customer's tenant id first.
    const r = await resolveCustomer(d, t, q);
    if ('outcome' in r) return r;
    return { filter: { field: 'customerId', value: r.customer.id }, label: r.customer.companyProfile?.companyName ?? r.customer.id };
  }
  return { filter: { field: 'companyName', value: q }, label: q };
}

async function readWindow(d: BotDeps, t: Turn, from: number, filter: ActivityFilter | undefined) {
  const records: AuditRecord[] = [];
  let skipped = 0;
  let next: string | undefined;
  let startDate = '';
  do {
    const page = await d.client.listActivity(t.user, next ? { next } : { from: new Date(from), filter, size: READ_SIZE });
    startDate ||= page.startDate;
    skipped += page.skipped;
    // The service answers by whole days: keep what falls inside the window asked for.
    for (const r of page.items) if (!r.operationDate || Date.parse(r.operationDate) >= from) records.push(r);
    next = page.next;
  } while (next && records.length < MAX_RECORDS);
  records.sort((a, b) => (Date.parse(b.operationDate ?? '') || 0) - (Date.parse(a.operationDate ?? '') || 0));
  return { records: records.slice(0, MAX_RECORDS), truncated: !!next || records.length > MAX_RECORDS, skipped, startDate };
}
