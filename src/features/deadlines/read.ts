/**
 * Reading the deadlines of a partner's book: every customer the user can see (page by page, following
 * MS-ContinuationToken), then each customer's subscriptions, each call within the partner tenant's budget
 * (src/partner-center/budget.ts); or one customer's subscriptions (its one or two reads). What is kept is
 * one small row per live subscription with the dates Partner Center states on it (deadlinesOf): which rows
 * show, and in what order, is decided when a card is drawn, on the clock of that moment.
 */
import { createHash } from 'node:crypto';
import type { BotDeps, Turn } from '../../commands/contract';
import { deadlinesOf, isNewCommerce, type Customer, type Deadlines, type Subscription, type UserContext } from '../../partner-center';
import { allows, customerName, subscriptionName } from '../subscriptions/cards';

/** One live subscription, as the renewals and windows cards need it. */
export interface DeadlineRow {
  customerId: string;
  customerName: string;
  /** What `sub «customer» «id»` takes: the domain, else the tenant id. */
  customerRef: string;
  id: string;
  name: string;
  offerName?: string;
  quantity: number;
  termDuration?: string;
  billingCycle?: string;
  autoRenewEnabled: boolean;
  /** Active (not suspended): the only state whose auto-renew and seats change. */
  active: boolean;
  trial: boolean;
  newCommerce: boolean;
  /** Partner Center lists "cancel" among the subscription's actions (or lists none). */
  cancelAllowed: boolean;
  deadlines: Deadlines;
}

export interface Book {
  /** When Partner Center was read (the injected clock). */
  readAt: number;
  customers: number;
  /** Customers whose subscriptions could not be read (their rows are missing). */
  unread: number;
  rows: DeadlineRow[];
}

export type Progress = { phase: 'listing'; customers: number } | { phase: 'reading'; read: number; total: number };

/** Customers a page (Partner Center's default and most for GET /customers is 200, per PARTNER-CENTER.md). */
const CUSTOMER_PAGE = 200;
/** A bulk read waits out Retry-After longer than a person waiting on one answer would (the card shows progress). */
const BULK_THROTTLE_BUDGET_MS = 5 * 60_000;

export function rowsOf(customer: Customer, subscriptions: Subscription[], now: number): DeadlineRow[] {
  return subscriptions
    .filter((s) => s.status === 'active' || s.status === 'suspended')
    .map((s) => ({
      customerId: customer.id,
      customerName: customerName(customer),
      customerRef: customer.companyProfile?.domain ?? customer.id,
      id: s.id,
      name: subscriptionName(s),
      offerName: s.offerName ?? undefined,
      quantity: s.quantity ?? 0,
      termDuration: s.termDuration ?? undefined,
      billingCycle: s.billingCycle ?? undefined,
      autoRenewEnabled: s.autoRenewEnabled === true,
      active: s.status === 'active',
      trial: s.isTrial === true,
      newCommerce: isNewCommerce(s),
      cancelAllowed: allows(s, 'cancel'),
      deadlines: deadlinesOf(s, now),
    }));
}

/**
 * What a read across every customer needs: the client and the budget, and the reader (a person in a turn, or
 * a digest's setter in the notifier, src/notifications/digest.ts).
 */
export type BulkDeps = Pick<BotDeps, 'client' | 'clock'> & { deadlines: Pick<BotDeps['deadlines'], 'budget'> };
export type BulkReader = Pick<Turn, 'user' | 'log'>;

/** The user as a bulk reader: its 429s pause the tenant's budget rather than speak in the chat. */
function bulkUser(d: BulkDeps, t: BulkReader): { user: UserContext; tenant: string } {
  const tenant = t.user.tenantId ?? 'default';
  const user: UserContext = { ...t.user, throttleBudgetMs: BULK_THROTTLE_BUDGET_MS, onThrottled: (ms) => d.deadlines.budget.pause(tenant, ms) };
  return { user, tenant };
}

/** Every customer, then each one's subscriptions, within the budget; `progress` hears how far it is. */
export async function readBook(d: BulkDeps, t: BulkReader, progress: (p: Progress) => void): Promise<Book> {
  const { user, tenant } = bulkUser(d, t);
  const budget = d.deadlines.budget;
  const customers: Customer[] = [];
  let continuationToken: string | undefined;
  do {
    const token = continuationToken;
    const page = await budget.run(tenant, () => d.client.listCustomers(user, { size: CUSTOMER_PAGE, continuationToken: token }));
    customers.push(...page.items);
    continuationToken = page.continuationToken;
    if (continuationToken) progress({ phase: 'listing', customers: customers.length });
  } while (continuationToken);
  const readAt = d.clock.now();
  let read = 0;
  let unread = 0;
  const every = Math.max(20, Math.ceil(customers.length / 10));
  const perCustomer = await Promise.all(
    customers.map(async (c) => {
      try {
        const subs = await budget.run(tenant, () => d.client.listSubscriptions(user, c.id));
        return rowsOf(c, subs.items, readAt);
      } catch (e) {
        // One customer that cannot be read (relationship ended, a refusal) does not hide the others: counted, and said.
        t.log.warn({ err: e, customerId: c.id }, 'renewals: a customer could not be read');
        unread++;
        return [];
      } finally {
        if (++read % every === 0 && read < customers.length) progress({ phase: 'reading', read, total: customers.length });
      }
    }),
  );
  return { readAt, customers: customers.length, unread, rows: perCustomer.flat() };
}

/** One customer's rows: its subscriptions, one read (the customer itself was resolved before). */
export async function readCustomer(d: BotDeps, t: Turn, customer: Customer): Promise<Book> {
  const subs = await d.client.listSubscriptions(t.user, customer.id);
  const readAt = d.clock.now();
  return { readAt, customers: 1, unread: 0, rows: rowsOf(customer, subs.items, readAt) };
}

/** The key of a user's kept read: per person and partner tenant, hashed (no ids in store keys). */
function cacheKey(t: Turn): string {
  return `deadlines/${createHash('sha256').update(`${t.actor.tenantId}\n${t.actor.id}`).digest('hex').slice(0, 32)}`;
}

/**
 * The user's kept read across every customer, for RENEWALS_CACHE_MS after it ended (the store's expiry): a
 * read of a large book takes minutes, so counting from its start would keep it for none. The card says
 * when it was read.
 */
export async function keptBook(d: BotDeps, t: Turn): Promise<Book | undefined> {
  if (d.deadlines.cacheMs <= 0) return undefined;
  return (await d.deadlines.store.get<Book>(cacheKey(t)))?.value;
}

/**
 * A read across every customer for this user: kept, else the one under way on this instance, else a new
 * one (kept for the next ask once done).
 */
export async function bookFor(d: BotDeps, t: Turn, progress: (p: Progress) => void, fresh = false): Promise<Book> {
  if (!fresh) {
    const kept = await keptBook(d, t);
    if (kept) return kept;
  }
  const key = cacheKey(t);
  const running = d.deadlines.reading.get(key);
  if (running) return running;
  const reading = readBook(d, t, progress).then(async (book) => {
    if (d.deadlines.cacheMs > 0) await d.deadlines.store.put(key, book, '*', { ttlMs: d.deadlines.cacheMs });
    return book;
  });
  d.deadlines.reading.set(key, reading);
  try {
    return await reading;
  } finally {
    d.deadlines.reading.delete(key);
  }
}
