/**
 * The message extension's searches and reads, as the signed-in user, through the per-user cache:
 *
 * - customers: company name or domain prefix (Partner Center searches one field per call: two calls). A
 *   complete answer for a shorter prefix already holds every match of a longer one, so typing on after the
 *   first answer is filtered here and costs no call.
 * - subscriptions: the customer (tenant id, or a name or domain prefix naming one customer), then its list.
 * - service requests: the partner's list (one page of up to 200, per status filter), matched here by id
 *   prefix or by every word of the title; a full id not in that page is read by id.
 *
 * Each item found is also kept under its own key, so choosing it (selectItem) or a refresh right after
 * reads nothing again.
 */
import { isPartnerCenterError, type Customer, type ServiceRequest, type Subscription } from '../../partner-center';
import { GUID, SR_ID_PATTERN } from '../../partner-center/schemas';
import type { Turn, BotDeps } from '../../commands/contract';
import { cacheUser, normalizeQuery, SearchCache, type Cached } from './cache';
import type { PortalLink } from './links';

export type Item =
  | { kind: 'customer'; customer: Customer }
  | { kind: 'subscription'; customer: Customer; subscription: Subscription }
  | { kind: 'serviceRequest'; sr: ServiceRequest };

export type Found = Cached<Item>;

/** What a search answers: items, or a sentence for the user (too short, several customers, nothing found). */
export type SearchAnswer =
  | { items: Found[]; total: number }
  | { say: 'tooShort' | 'tooLong'; limit: number }
  | { say: 'severalCustomers'; query: string; names: string[] }
  | { say: 'noCustomer' | 'nothing'; query: string }
  | { say: 'noSubscriptions'; customer: Customer };

export const SEARCH_COMMANDS = ['customers', 'subscriptions', 'serviceRequests'] as const;
export type SearchCommand = (typeof SEARCH_COMMANDS)[number];

/** Queries shorter than this are not sent to Partner Center (a prefix of one letter matches half the list). */
export const MIN_QUERY_CHARS = 2;
/** Longer than any name, domain, id or title words anyone searches for. */
export const MAX_QUERY_CHARS = 100;
/** Per field, per call: more matches than this and the user is asked to type more. */
const CUSTOMER_PAGE = 50;
const SR_PAGE = 200;
/** Names shown when several customers match a subscription search. */
const MAX_NAMES = 5;

export type SrStatusFilter = 'any' | 'open' | 'closed' | 'attention';
const SR_STATUS: Record<Exclude<SrStatusFilter, 'any'>, 'open' | 'closed' | 'attention_needed'> = { open: 'open', closed: 'closed', attention: 'attention_needed' };
const FILTER_WORDS: Readonly<Record<string, SrStatusFilter>> = {
  any: 'any',
  all: 'any',
  open: 'open',
  closed: 'closed',
  attention: 'attention',
  attention_needed: 'attention',
  'attention-needed': 'attention',
};

/** One cache per bot: the route and the refresh action share it. */
const caches = new WeakMap<BotDeps, SearchCache>();
export function searchCacheFor(d: BotDeps): SearchCache {
  let c = caches.get(d);
  if (!c) {
    c = new SearchCache({ clock: d.clock });
    caches.set(d, c);
  }
  return c;
}

const userKey = (t: Turn) => cacheUser(t.actor);

export function itemKey(ref: PortalLink): string {
  switch (ref.kind) {
    case 'customer':
      return `item/customer/${ref.customerId.toLowerCase()}`;
    case 'subscription':
      return `item/subscription/${ref.customerId.toLowerCase()}/${ref.subscriptionId.toLowerCase()}`;
    case 'serviceRequest':
      return `item/sr/${ref.id}`;
  }
}

export function refOf(item: Item): PortalLink {
  switch (item.kind) {
    case 'customer':
      return { kind: 'customer', customerId: item.customer.id };
    case 'subscription':
      return { kind: 'subscription', customerId: item.customer.id, subscriptionId: item.subscription.id };
    case 'serviceRequest':
      return { kind: 'serviceRequest', id: item.sr.id ?? '' };
  }
}

function keep(cache: SearchCache, t: Turn, items: Found[]): Found[] {
  for (const f of items) cache.set(userKey(t), itemKey(refOf(f.value)), f.value, f.readAt);
  return items;
}

// --- customers ------------------------------------------------------------------------------------------

interface CustomerMatches {
  customers: Customer[];
  /** Every customer matching the prefix is here (neither field's answer was cut at the page size). */
  complete: boolean;
}

function startsWith(c: Customer, prefix: string): boolean {
  return [c.companyProfile?.companyName, c.companyProfile?.domain].some((v) => !!v && normalizeQuery(v).startsWith(prefix));
}

async function customersMatching(d: BotDeps, cache: SearchCache, t: Turn, prefix: string): Promise<Cached<CustomerMatches>> {
  const user = userKey(t);
  // A complete answer for a shorter prefix (settled or still being read) already holds every match.
  for (let len = prefix.length - 1; len >= MIN_QUERY_CHARS; len--) {
    const shorter = await cache.peek<CustomerMatches>(user, `customers/${prefix.slice(0, len)}`)?.catch(() => undefined);
    if (shorter?.value.complete) return { value: { customers: shorter.value.customers.filter((c) => startsWith(c, prefix)), complete: true }, readAt: shorter.readAt };
  }
  return cache.get(user, `customers/${prefix}`, async () => {
    const [byName, byDomain] = await Promise.all([
      d.client.findCustomers(t.user, { field: 'companyName', prefix, size: CUSTOMER_PAGE }),
      d.client.findCustomers(t.user, { field: 'domain', prefix, size: CUSTOMER_PAGE }),
    ]);
    const seen = new Map<string, Customer>();
    for (const c of [...byName.items, ...byDomain.items]) if (!seen.has(c.id)) seen.set(c.id, c);
    const cut = (p: { items: unknown[]; continuationToken?: string }) => p.items.length >= CUSTOMER_PAGE || !!p.continuationToken;
    const customers = [...seen.values()].sort((a, b) => (a.companyProfile?.companyName ?? '').localeCompare(b.companyProfile?.companyName ?? ''));
    return { customers, complete: !cut(byName) && !cut(byDomain) };
  });
}

function checkLength(q: string, min: number): SearchAnswer | undefined {
  if (q.length > MAX_QUERY_CHARS) return { say: 'tooLong', limit: MAX_QUERY_CHARS };
  if (q.length < min) return { say: 'tooShort', limit: min };
  return undefined;
}

export async function searchCustomers(d: BotDeps, t: Turn, raw: string): Promise<SearchAnswer> {
  const q = normalizeQuery(raw);
  const bad = checkLength(q, MIN_QUERY_CHARS);
  if (bad) return bad;
  const cache = searchCacheFor(d);
  if (GUID.test(q)) {
    const c = await customerById(d, t, q);
    return c ? { items: keep(cache, t, [{ value: { kind: 'customer', customer: c.value }, readAt: c.readAt }]), total: 1 } : { say: 'noCustomer', query: raw.trim() };
  }
  const found = await customersMatching(d, cache, t, q);
  if (found.value.customers.length === 0) return { say: 'noCustomer', query: raw.trim() };
  const items = found.value.customers.map((customer): Found => ({ value: { kind: 'customer', customer }, readAt: found.readAt }));
  return { items: keep(cache, t, items), total: items.length };
}

async function customerById(d: BotDeps, t: Turn, id: string): Promise<Cached<Customer> | undefined> {
  const cache = searchCacheFor(d);
  const known = await cache.peek<Item>(userKey(t), itemKey({ kind: 'customer', customerId: id }))?.catch(() => undefined);
  if (known?.value.kind === 'customer') return { value: known.value.customer, readAt: known.readAt };
  try {
    return await cache.get(userKey(t), `customer/${id}`, () => d.client.getCustomer(t.user, id));
  } catch (e) {
    if (isPartnerCenterError(e) && e.status === 404) return undefined;
    throw e;
  }
}

// --- subscriptions --------------------------------------------------------------------------------------

export async function searchSubscriptions(d: BotDeps, t: Turn, raw: string): Promise<SearchAnswer> {
  const q = normalizeQuery(raw);
  const bad = checkLength(q, MIN_QUERY_CHARS);
  if (bad) return bad;
  const cache = searchCacheFor(d);
  let customer: Customer;
  if (GUID.test(q)) {
    const c = await customerById(d, t, q);
    if (!c) return { say: 'noCustomer', query: raw.trim() };
    customer = c.value;
  } else {
    const found = (await customersMatching(d, cache, t, q)).value.customers;
    const exact = found.filter((c) => [c.companyProfile?.companyName, c.companyProfile?.domain].some((v) => !!v && normalizeQuery(v) === q));
    if (found.length === 0) return { say: 'noCustomer', query: raw.trim() };
    if (found.length > 1 && exact.length !== 1) {
      return { say: 'severalCustomers', query: raw.trim(), names: found.slice(0, MAX_NAMES).map((c) => c.companyProfile?.companyName ?? c.companyProfile?.domain ?? c.id) };
    }
    customer = exact[0] ?? found[0]!;
  }
  const list = await cache.get(userKey(t), `subscriptions/${customer.id}`, () => d.client.listSubscriptions(t.user, customer.id));
  if (list.value.items.length === 0) return { say: 'noSubscriptions', customer };
  // The ones that can still change first, cancelled ones last.
  const ordered = [...list.value.items.filter((s) => s.status !== 'deleted'), ...list.value.items.filter((s) => s.status === 'deleted')];
  const items = ordered.map((subscription): Found => ({ value: { kind: 'subscription', customer, subscription }, readAt: list.readAt }));
  return { items: keep(cache, t, items), total: items.length };
}

// --- service requests -----------------------------------------------------------------------------------

/** The status filter: the command's `status` parameter, or `status:open` / `is:open` typed in the query. */
export function srQuery(raw: string, statusParam: unknown): { words: string; status: SrStatusFilter } {
  let status: SrStatusFilter = typeof statusParam === 'string' ? (FILTER_WORDS[statusParam.toLowerCase()] ?? 'any') : 'any';
  const words = normalizeQuery(raw)
    .split(' ')
    .filter((w) => {
      const m = /^(?:status|is):(.+)$/.exec(w);
      if (m && FILTER_WORDS[m[1]!]) {
        status = FILTER_WORDS[m[1]!]!;
        return false;
      }
      return w !== '';
    })
    .join(' ');
  return { words, status };
}

function matchesSr(sr: ServiceRequest, words: string): boolean {
  if (!words) return true;
  if (!words.includes(' ') && sr.id?.toLowerCase().startsWith(words)) return true;
  const title = normalizeQuery(sr.title ?? '');
  return words.split(' ').every((w) => title.includes(w));
}

export async function searchServiceRequests(d: BotDeps, t: Turn, raw: string, statusParam?: unknown): Promise<SearchAnswer> {
  if (normalizeQuery(raw).length > MAX_QUERY_CHARS) return { say: 'tooLong', limit: MAX_QUERY_CHARS };
  const { words, status } = srQuery(raw, statusParam);
  const cache = searchCacheFor(d);
  const list = await cache.get(userKey(t), `srs/${status}`, () =>
    d.client.listServiceRequests(t.user, { status: status === 'any' ? undefined : SR_STATUS[status], size: SR_PAGE }),
  );
  let items = list.value.items.filter((sr) => !!sr.id && matchesSr(sr, words)).map((sr): Found => ({ value: { kind: 'serviceRequest', sr }, readAt: list.readAt }));
  if (items.length === 0 && SR_ID_PATTERN.test(words) && /\d/.test(words) && words.length >= 6) {
    // Not in the first page: read by id (a closed request when the list shows open ones, or an old one).
    const one = await readItem(d, t, { kind: 'serviceRequest', id: words }).catch((e) => {
      if (isPartnerCenterError(e) && (e.status === 404 || e.status === 400)) return undefined;
      throw e;
    });
    if (one && (status === 'any' || one.value.kind !== 'serviceRequest' || one.value.sr.status === SR_STATUS[status])) items = [one];
  }
  if (items.length === 0) return { say: 'nothing', query: raw.trim() };
  return { items: keep(cache, t, items), total: items.length };
}

// --- one item -------------------------------------------------------------------------------------------

/** One item, as the user: from the cache when it was just read (search, selection, refresh), else from Partner Center. */
export async function readItem(d: BotDeps, t: Turn, ref: PortalLink): Promise<Found> {
  const cache = searchCacheFor(d);
  return cache.get<Item>(userKey(t), itemKey(ref), async (): Promise<Item> => {
    switch (ref.kind) {
      case 'customer':
        return { kind: 'customer', customer: await d.client.getCustomer(t.user, ref.customerId) };
      case 'subscription': {
        const [customer, subscription] = await Promise.all([
          customerById(d, t, ref.customerId).then((c) => c?.value ?? d.client.getCustomer(t.user, ref.customerId)),
          d.client.getSubscription(t.user, ref.customerId, ref.subscriptionId),
        ]);
        return { kind: 'subscription', customer, subscription };
      }
      case 'serviceRequest':
        return { kind: 'serviceRequest', sr: await d.client.getServiceRequest(t.user, ref.id) };
    }
  });
}

