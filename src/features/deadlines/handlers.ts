/**
 * `renewals [«customer»] [«days»]` and `windows [«customer»]`: one customer costs its one or two reads;
 * every customer is a read within the partner's budget that answers at once when it is quick, else posts
 * its progress and replaces the card with the full answer; the same person's next ask within the cache
 * setting is answered from what was read, saying when.
 */
import { forAll, type BotDeps, type CardUpdater, type Outcome, type Turn } from '../../commands/contract';
import type { Customer } from '../../partner-center';
import { GUID } from '../../partner-center/schemas';
import { resolveCustomer } from '../customers/handlers';
import { customerName } from '../subscriptions/cards';
import { bookFor, keptBook, readCustomer, type Book, type Progress } from './read';
import { deadlinesCard, progressCard, validTimeZone, type Dates, type View } from './cards';

export const DEFAULT_DAYS = 30;
/**
 * How long a read across every customer may take before the answer is a progress card that updates itself.
 * Real time, not the injected clock: it is how long a person looks at nothing, not a business rule.
 */
const INLINE_READ_MS = 2_000;

export interface DeadlinesAsk {
  view: View;
  /** As typed; '' (or absent) for every customer. */
  customer?: string;
  days: number;
  offset?: number;
  /** Read Partner Center again rather than answer from the kept read (the card's Refresh). */
  fresh?: boolean;
}

/**
 * One customer in as few reads as the words allow: a domain (it has a dot) is searched by domain, a name by
 * company name (then by domain, for a domain prefix typed without its dot); one match is the customer. A
 * tenant id, no match or several matches get the usual answer (resolveCustomer: the customer, "not found",
 * or the matches to pick from).
 */
async function oneCustomer(d: BotDeps, t: Turn, ref: string): Promise<{ customer: Customer } | { outcome: Outcome }> {
  if (!GUID.test(ref)) {
    const fields = ref.includes('.') ? (['domain', 'companyName'] as const) : (['companyName', 'domain'] as const);
    for (const field of fields) {
      const page = await d.client.findCustomers(t.user, { field, prefix: ref, size: 2 });
      if (page.items.length === 1) return { customer: page.items[0]! };
      if (page.items.length > 1) break;
    }
  }
  return resolveCustomer(d, t, ref);
}

/**
 * Dates in the time zone Teams sends, when it sends a valid one: the activity's `localTimezone` (where Teams
 * puts it), else the clientInfo entity's `timezone` (its documented name) or `localTimezone`; UTC otherwise.
 */
function datesOf(t: Turn): Dates {
  const a = t.context.activity as { localTimezone?: unknown; entities?: Array<{ type?: string; timezone?: unknown; localTimezone?: unknown }> };
  const info = a.entities?.find((e) => e.type === 'clientInfo');
  const timeZone = [a.localTimezone, info?.timezone, info?.localTimezone].map(validTimeZone).find((z) => z !== undefined);
  return { tr: t.tr, timeZone };
}

export async function showDeadlines(d: BotDeps, t: Turn, ask: DeadlinesAsk): Promise<Outcome> {
  const dates = datesOf(t);
  const base = { view: ask.view, days: ask.days, offset: ask.offset ?? 0 };
  const customerRef = ask.customer?.trim() ?? '';
  if (customerRef) {
    const r = await oneCustomer(d, t, customerRef);
    if ('outcome' in r) return r.outcome;
    const book = await readCustomer(d, t, r.customer);
    return forAll(deadlinesCard(dates, { ...base, book, now: d.clock.now(), customerRef, customerName: customerName(r.customer), kept: false }));
  }
  const card = (book: Book, kept: boolean) => deadlinesCard(dates, { ...base, book, now: d.clock.now(), customerRef: '', kept });
  const kept = ask.fresh ? undefined : await keptBook(d, t);
  if (kept) return forAll(card(kept, true));

  // Progress goes to the posted card once there is one; updates are sent one after another, never after the answer.
  let update: CardUpdater | undefined;
  let last: Progress | undefined;
  let chain = Promise.resolve();
  let done = false;
  const show = (p: Progress) => {
    last = p;
    if (!update || done) return;
    const u = update;
    chain = chain.then(() => (done ? undefined : u(progressCard(t.tr, ask.view, ask.days, p)))).catch((err) => t.log.warn({ err }, 'renewals: progress not shown'));
  };
  const reading = bookFor(d, t, show, ask.fresh);
  let timer: NodeJS.Timeout | undefined;
  const quick = await Promise.race([reading, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), INLINE_READ_MS)))]).finally(() => clearTimeout(timer));
  if (quick) return forAll(card(quick, false));
  return forAll(progressCard(t.tr, ask.view, ask.days, last), async (u) => {
    update = u;
    if (last) show(last);
    const book = await reading;
    done = true;
    await chain;
    await u(card(book, false));
  });
}
