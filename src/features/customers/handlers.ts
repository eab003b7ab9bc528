/** `customer find`, and turning what a user typed as "customer" into one customer. */
import { customerListCard, type CustomerListMode } from './cards';
import type { Customer } from '../../partner-center';
import { GUID } from '../../partner-center/schemas';
import { forAll, type Turn, type BotDeps, type Outcome } from '../../commands/contract';
import { found, notFound } from '../common/not-found';
import { literal } from '../../cards/render';

const MAX_MATCHES = 25;
/** Candidates checked for owning a subscription id before asking the user to pick. */
const MAX_OWNER_CHECKS = 5;

/** Customers whose company name or domain starts with the query (Partner Center searches one field per call). */
async function search(d: BotDeps, t: Turn, query: string): Promise<Customer[]> {
  const [byName, byDomain] = await Promise.all([
    d.client.findCustomers(t.user, { field: 'companyName', prefix: query, size: MAX_MATCHES }),
    d.client.findCustomers(t.user, { field: 'domain', prefix: query, size: MAX_MATCHES }),
  ]);
  const seen = new Map<string, Customer>();
  for (const c of [...byName.items, ...byDomain.items]) if (!seen.has(c.id)) seen.set(c.id, c);
  // Two searches of MAX_MATCHES each: keep the card to MAX_MATCHES, alphabetically.
  return [...seen.values()]
    .sort((a, b) => (a.companyProfile?.companyName ?? '').localeCompare(b.companyProfile?.companyName ?? ''))
    .slice(0, MAX_MATCHES);
}

export async function findCustomers(d: BotDeps, t: Turn, query: string): Promise<Outcome> {
  return forAll(customerListCard(t.tr, query, await search(d, t, query)));
}

/** One customer, by tenant id, or by a name or domain that names exactly one (else the matches to pick from). */
export async function showCustomer(d: BotDeps, t: Turn, query: string): Promise<Outcome> {
  const r = await resolveCustomer(d, t, query);
  return 'outcome' in r ? r.outcome : forAll(customerListCard(t.tr, query, [r.customer]));
}

/**
 * A tenant id is used as it is; a name or domain prefix must match exactly one customer (or one exactly,
 * among several that start with it). Otherwise the user gets the matches to pick from.
 */
export async function resolveCustomer(
  d: BotDeps,
  t: Turn,
  query: string,
  subscriptionId?: string,
  /** What picking from several matches does: show the subscriptions (default) or watch them. */
  pick: Extract<CustomerListMode, 'pick' | 'pickToWatch'> = 'pick',
): Promise<{ customer: Customer } | { outcome: Outcome }> {
  const q = query.trim();
  if (GUID.test(q)) {
    const customer = await found(d.client.getCustomer(t.user, q));
    return customer ? { customer } : { outcome: notFound(t, t.tr.t('customer.notFound', { id: q }), t.tr.t('customer.notFound.next')) };
  }
  const matches = await search(d, t, q);
  const lower = q.toLowerCase();
  const exact = matches.filter(
    (c) => c.companyProfile?.companyName?.toLowerCase() === lower || c.companyProfile?.domain?.toLowerCase() === lower,
  );
  if (matches.length === 1) return { customer: matches[0]! };
  if (exact.length === 1) return { customer: exact[0]! };
  if (subscriptionId && matches.length > 1 && matches.length <= MAX_OWNER_CHECKS) {
    // "sub contoso <id>": several Contosos, but the subscription id says which one.
    // Each: the customer when it has the subscription, null when it does not, undefined when that could not be told.
    const owners = await Promise.all(
      matches.map((c) => found(d.client.getSubscription(t.user, c.id, subscriptionId)).then((s) => (s ? c : null), () => undefined)),
    );
    const owner = owners.filter((c): c is Customer => !!c);
    if (owner.length === 1) return { customer: owner[0]! };
    // None of them has it: the subscription id is what is wrong, not the customer.
    if (owners.every((c) => c === null)) {
      return { outcome: notFound(t, t.tr.t('sub.notFoundAny', { query: literal(q), id: subscriptionId }), t.tr.t('sub.notFoundAny.next')) };
    }
  }
  return { outcome: forAll(customerListCard(t.tr, q, matches, matches.length > 0 ? pick : 'find')) };
}
