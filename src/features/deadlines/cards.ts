/**
 * The renewals and windows cards (cards/deadlines.json): rows of a read (read.ts) chosen and ordered at the
 * moment the card is drawn, paged with a total, dates in the reader's time zone when Teams gave one.
 */
import type { Banner } from '../../cards/common';
import { durationText } from '../../cards/common';
import { expandFitting, literal, type AdaptiveCard } from '../../cards/render';
import { VERB } from '../../cards/verbs';
import type { Translator } from '../../i18n';
import { billingLabel } from '../subscriptions/cards';
import type { Book, DeadlineRow, Progress } from './read';
import { instant, type Dates } from '../common/time-zone';

export type View = 'renewals' | 'windows';
export const ROWS_PER_PAGE = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

// The reader's time zone and how instants are shown live in common/time-zone.ts (one reader for every card).
export { instant, type Dates } from '../common/time-zone';

/** Terms ending within `days` days of `now` (not already ended), the soonest first. */
export function renewing(book: Book, now: number, days: number): DeadlineRow[] {
  const startOfToday = Math.floor(now / DAY_MS) * DAY_MS;
  const end = (r: DeadlineRow) => (r.deadlines.renewal.endDate ? Date.parse(r.deadlines.renewal.endDate) : NaN);
  return book.rows
    .filter((r) => {
      const e = end(r);
      return e >= startOfToday && e <= now + days * DAY_MS;
    })
    .sort((a, b) => end(a) - end(b) || a.customerName.localeCompare(b.customerName) || a.name.localeCompare(b.name));
}

/** A row's windows still open at `now` (a read kept for a few minutes may hold one that has since closed). */
function openWindows(r: DeadlineRow, now: number) {
  const seats = r.deadlines.seatWindows.filter((w) => Date.parse(w.until) > now);
  const cancel = r.deadlines.cancellableUntil && Date.parse(r.deadlines.cancellableUntil) > now ? r.deadlines.cancellableUntil : null;
  return { seats, cancel };
}

/** The soonest moment a row's open windows close. */
export function closesAt(r: DeadlineRow, now: number): number {
  const w = openWindows(r, now);
  return Math.min(...w.seats.map((s) => Date.parse(s.until)), w.cancel ? Date.parse(w.cancel) : Infinity);
}

/** Subscriptions with an open seat or cancellation window, the one closing soonest first; passed windows hidden. */
export function windowsOpen(book: Book, now: number): DeadlineRow[] {
  return book.rows.filter((r) => r.newCommerce && Number.isFinite(closesAt(r, now))).sort((a, b) => closesAt(a, now) - closesAt(b, now) || a.name.localeCompare(b.name));
}

function seatsTermBilling(tr: Translator, r: DeadlineRow): string {
  // Rows are active or suspended (read.ts): a suspended one says so, and a trial too (neither can turn auto-renew
  // on), or the missing buttons would be a puzzle. A legacy one is labelled for the same reason (it has no term
  // to show either: Partner Center states termDuration on new commerce).
  const state = r.active ? (r.trial ? tr.t('deadlines.row.trial') : undefined) : tr.t('sub.status.suspended');
  const kind = r.newCommerce ? undefined : tr.t('sub.kind.legacy');
  return [tr.t('sub.list.seats', { count: r.quantity }), r.termDuration ? durationText(tr, r.termDuration) : undefined, r.billingCycle ? billingLabel(tr, r.billingCycle) : undefined, kind, state]
    .filter(Boolean)
    .join(' · ');
}

function renewalLines(tr: Translator, r: DeadlineRow): string[] {
  const renewal = r.deadlines.renewal;
  const lines = [seatsTermBilling(tr, r), tr.t('deadlines.row.ends', { date: tr.date(renewal.endDate) })];
  // A legacy row says why it offers no Turn auto-renew on and no Next term, and nothing about whether it renews:
  // PARTNER-CENTER.md's renewal rules and scheduled changes are new commerce's, and legacy renewal rules differ.
  if (!r.newCommerce) return [...lines, tr.t('deadlines.row.legacy')];
  if (!renewal.renews) lines.push(tr.t('deadlines.row.expires'));
  else if (!renewal.next) lines.push(tr.t('deadlines.row.renews', { count: r.quantity }));
  else if (!renewal.next.sameOffer) lines.push(tr.t('deadlines.row.renewsOther'));
  else {
    const seats = renewal.next.quantity ?? r.quantity;
    lines.push(seats === r.quantity ? tr.t('deadlines.row.renews', { count: seats }) : tr.t('deadlines.row.renewsScheduled', { count: seats, current: r.quantity }));
  }
  return lines;
}

function windowLines(dates: Dates, r: DeadlineRow, now: number): string[] {
  const { tr } = dates;
  const w = openWindows(r, now);
  return [
    seatsTermBilling(tr, r),
    ...w.seats.map((s) => tr.t('deadlines.row.seatWindow', { count: s.quantity, date: instant(dates, s.until) })),
    ...(w.cancel && r.cancelAllowed ? [tr.t('deadlines.row.cancelUntil', { date: instant(dates, w.cancel) })] : []),
  ];
}

/** The labels and verbs of the rows' buttons, and of the list's paging (every row carries them: the compiled templates read no $root). */
function buttons(tr: Translator) {
  const labels = {
    open: tr.t('deadlines.action.open'),
    renewOff: tr.t('deadlines.action.renewOff'),
    renewOn: tr.t('deadlines.action.renewOn'),
    nextTerm: tr.t('deadlines.action.nextTerm'),
    cancel: tr.t('deadlines.action.cancel'),
    previous: tr.t('common.previous'),
    next: tr.t('common.next'),
    refresh: tr.t('common.refresh'),
  };
  const verbs = { show: VERB.subShow, update: VERB.subUpdate, status: VERB.subStatus, next: VERB.subNext, page: VERB.deadlinesPage };
  return { labels, verbs };
}

/**
 * Rows of the renewals or windows list as a card draws them (cards/deadlines.json, cards/digest.json): what each
 * says, and its buttons.
 */
export function rowItems(dates: Dates, view: View, rows: DeadlineRow[], now: number) {
  const { tr } = dates;
  const { labels, verbs } = buttons(tr);
  return rows.map((r) => {
    const live = view === 'renewals';
    const w = openWindows(r, now);
    const removable = w.seats.reduce((n, s) => n + s.quantity, 0);
    // Removing every seat is not a seat change but a cancellation: then only Cancel is offered.
    const removeTo = !live && removable > 0 && r.quantity - removable >= 1 ? r.quantity - removable : 0;
    return {
      customerId: r.customerId,
      id: r.id,
      customer: literal(r.customerName),
      name: literal(r.name),
      lines: live ? renewalLines(tr, r) : windowLines(dates, r, now),
      // Auto-renew and next-term seats change only on an active new-commerce subscription that is not a trial.
      renewOff: live && r.active && r.autoRenewEnabled,
      renewOn: live && r.active && !r.autoRenewEnabled && r.newCommerce && !r.trial,
      // Next-term seats (`sub next`): only where Partner Center can schedule them (new commerce, auto-renew on).
      nextTerm: live && r.active && r.autoRenewEnabled && r.newCommerce && !r.trial,
      // Each row carries the labels and verbs: the compiled templates read no $root.
      labels,
      verbs,
      remove: removeTo > 0,
      removeTo,
      removeLabel: removeTo > 0 ? tr.t('deadlines.action.remove', { count: removable }) : '',
      cancel: !live && !!w.cancel && r.cancelAllowed,
    };
  });
}

export interface DeadlinesCardInput {
  view: View;
  book: Book;
  now: number;
  /** renewals: the horizon in days. */
  days: number;
  /** The customer asked for, as typed ('' for every customer). */
  customerRef: string;
  /** The customer's name, when one was asked for. */
  customerName?: string;
  offset: number;
  /** The read was kept from an earlier ask: the card says when it was read, and offers Refresh. */
  kept: boolean;
  notice?: Banner;
}

export function deadlinesCard(dates: Dates, o: DeadlinesCardInput): AdaptiveCard {
  const { tr } = dates;
  const rows = o.view === 'renewals' ? renewing(o.book, o.now, o.days) : windowsOpen(o.book, o.now);
  const start = Math.min(Math.max(0, o.offset), Math.max(0, rows.length - 1));
  const page = rows.slice(start, start + ROWS_PER_PAGE);
  const customer = o.customerName ? literal(o.customerName) : undefined;
  const title =
    o.view === 'renewals'
      ? customer
        ? tr.t('deadlines.renewals.titleCustomer', { customer, days: o.days })
        : tr.t('deadlines.renewals.title', { days: o.days })
      : customer
        ? tr.t('deadlines.windows.titleCustomer', { customer })
        : tr.t('deadlines.windows.title');
  const readAt = instant(dates, new Date(o.book.readAt).toISOString());
  const subtitle = [o.kept ? tr.t('deadlines.kept', { when: readAt }) : tr.t('deadlines.readAt', { when: readAt }), o.book.unread ? tr.t('deadlines.unread', { count: o.book.unread }) : '']
    .filter(Boolean)
    .join(' ');
  const { labels, verbs } = buttons(tr);
  return expandFitting('deadlines', page.length, (shown) => ({
    view: o.view,
    customerRef: o.customerRef,
    days: o.days,
    title,
    subtitle,
    notice: o.notice?.text ?? '',
    noticeStyle: o.notice?.style ?? 'default',
    empty: o.view === 'renewals' ? tr.t('deadlines.renewals.empty', { days: o.days }) : tr.t('deadlines.windows.empty'),
    // The total is always said: "1–10 of 23" when paged, "3 subscriptions" when one page holds them all.
    more:
      rows.length > shown
        ? tr.t('deadlines.shown', { from: tr.number(start + 1), to: tr.number(start + shown), total: tr.number(rows.length) })
        : rows.length > 0
          ? tr.t('deadlines.total', { count: rows.length })
          : '',
    hasPrevious: start > 0,
    previousOffset: Math.max(0, start - ROWS_PER_PAGE),
    hasNext: start + shown < rows.length,
    nextOffset: start + shown,
    canRefresh: !o.customerName,
    labels,
    verbs,
    items: rowItems(dates, o.view, page.slice(0, shown), o.now),
  }));
}

/** The card a long read shows while it runs. */
export function progressCard(tr: Translator, view: View, days: number, p: Progress | undefined): AdaptiveCard {
  const text = !p
    ? tr.t('deadlines.progress.start')
    : p.phase === 'listing'
      ? tr.t('deadlines.progress.listing', { count: p.customers })
      : tr.t('deadlines.progress.reading', { read: tr.number(p.read), total: p.total });
  return expandFitting('deadlines', 0, () => ({
    view,
    customerRef: '',
    days,
    title: view === 'renewals' ? tr.t('deadlines.renewals.title', { days }) : tr.t('deadlines.windows.title'),
    subtitle: '',
    notice: text,
    noticeStyle: 'emphasis',
    empty: '',
    more: '',
    hasPrevious: false,
    previousOffset: 0,
    hasNext: false,
    nextOffset: 0,
    canRefresh: false,
    labels: {},
    verbs: {},
    items: [],
  }));
}
