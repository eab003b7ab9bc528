/** Subscription cards: a customer's list, and one subscription with its edit form and status actions. */
import { VERB } from '../../cards/verbs';
import type { Translator } from '../../i18n';
import { currentProductTerm, isNewCommerce, LIMITS, nextTermOf, renewalOf, type Customer, type NextTerm, type Subscription } from '../../partner-center';
import { bannerData, durationText, type Banner } from '../../cards/common';
import { expand, expandFitting, literal, type AdaptiveCard } from '../../cards/render';

export function customerName(c: Customer): string {
  return c.companyProfile?.companyName ?? c.companyProfile?.domain ?? c.id;
}

export function subscriptionName(s: Subscription): string {
  return s.friendlyName || s.offerName || s.id;
}

/** A billing cycle in words ("Monthly", "Annuelle"); one this product does not know, as Partner Center wrote it. */
export function billingLabel(tr: Translator, cycle: string | null | undefined): string {
  if (!cycle) return '—';
  const known = tr.maybe('sub.billing', cycle.toLowerCase().replace(/[-_\s]/g, ''));
  return known ?? literal(cycle.charAt(0).toUpperCase() + cycle.slice(1));
}

export function statusLabel(tr: Translator, status: string | null | undefined): string {
  if (!status) return '—';
  return tr.maybe('sub.status', status) ?? status;
}

/**
 * Until when the partner may cancel. Partner Center says it in `cancellationAllowedUntilDate` (.NET SDK:
 * null when cancelling is not allowed); older answers lack the field, and then new commerce can be
 * cancelled while a refund option has not expired. The subscription's own `actions`, when present, must
 * also allow "cancel".
 */
export function cancellableUntil(s: Subscription, now: number): string | undefined {
  if (s.actions && !allows(s, 'cancel')) return undefined;
  if (s.cancellationAllowedUntilDate !== undefined) {
    const until = s.cancellationAllowedUntilDate;
    return until && Date.parse(until) > now ? until : undefined;
  }
  if (!isNewCommerce(s)) return undefined;
  const open = (s.refundOptions ?? []).map((r) => r.expiresAt).filter((d): d is string => !!d && Date.parse(d) > now);
  return open.sort().at(-1);
}

/** True when Partner Center lists this action as allowed, or lists no actions at all. */
export function allows(s: Subscription, action: 'edit' | 'cancel'): boolean {
  return !s.actions || s.actions.some((a) => a.toLowerCase() === action);
}

/** Seats that can still be removed (new commerce), and until when, from `refundableQuantity`. */
export function refundable(s: Subscription, now: number): { total: number; windows: Array<{ quantity: number; until: string }> } | undefined {
  const r = s.refundableQuantity;
  if (!r || typeof r.totalQuantity !== 'number') return undefined;
  const windows = (r.details ?? [])
    .filter((d): d is typeof d & { quantity: number; allowedUntilDateTime: string } => typeof d.quantity === 'number' && d.quantity > 0 && !!d.allowedUntilDateTime && Date.parse(d.allowedUntilDateTime) > now)
    .map((d) => ({ quantity: d.quantity, until: d.allowedUntilDateTime }))
    .sort((a, b) => a.until.localeCompare(b.until));
  return { total: r.totalQuantity, windows };
}

function refundableText(tr: Translator, s: Subscription, now: number): string | undefined {
  const r = refundable(s, now);
  if (!r) return undefined;
  if (r.windows.length === 0) return tr.number(r.total);
  return r.windows.map((w) => tr.t('sub.refundableUntil', { count: w.quantity, date: tr.dateTime(w.until) })).join('; ');
}

/** Subscriptions shown per card; the rest are a "Next page" away. */
export const SUBSCRIPTIONS_PER_PAGE = 20;

/** The list page a subscription was opened from, and the customer search before it: where "Back" leads. */
export interface SubscriptionListPlace {
  offset: number;
  query?: string;
}

export function subscriptionListCard(tr: Translator, customer: Customer, subscriptions: Subscription[], offset = 0, skipped = 0, query?: string): AdaptiveCard {
  const name = literal(customerName(customer));
  // The ones that can still change come first; cancelled ones after them.
  const ordered = [...subscriptions.filter((s) => s.status !== 'deleted'), ...subscriptions.filter((s) => s.status === 'deleted')];
  const start = Math.min(Math.max(0, offset), Math.max(0, ordered.length - 1));
  const page = ordered.slice(start, start + SUBSCRIPTIONS_PER_PAGE);
  return expandFitting('subscription-list', page.length, (shown) => ({
    title: tr.t('sub.list.title', { customer: name }),
    subtitle: customer.id,
    empty: tr.t('sub.list.empty', { customer: name }),
    more: [
      shown < ordered.length ? tr.t('common.range', { from: start + 1, to: start + shown, total: ordered.length }) : '',
      skipped ? tr.t('common.skipped', { count: skipped }) : '',
    ]
      .filter(Boolean)
      .join(' · '),
    customerId: customer.id,
    // Reached from a customer search: back to it; every row and page keeps the way back.
    query: query ?? '',
    hasQuery: !!query,
    backLabel: tr.t('customer.action.back'),
    hasPrevious: start > 0,
    previousOffset: Math.max(0, start - SUBSCRIPTIONS_PER_PAGE),
    hasNext: start + shown < ordered.length,
    nextOffset: start + shown,
    previousLabel: tr.t('common.previous'),
    nextLabel: tr.t('common.next'),
    verb: { list: VERB.customerSubscriptions, find: VERB.customerFind },
    items: page.slice(0, shown).map((s) => ({
      id: s.id,
      customerId: customer.id,
      name: literal(subscriptionName(s)),
      summary: [
        s.offerName && s.offerName !== subscriptionName(s) ? literal(s.offerName) : undefined,
        tr.t('sub.list.seats', { count: s.quantity ?? 0 }),
        statusLabel(tr, s.status),
        `${tr.t('sub.field.autoRenew')}: ${tr.t(s.autoRenewEnabled ? 'sub.autoRenew.on' : 'sub.autoRenew.off')}`,
        tr.t(isNewCommerce(s) ? 'sub.kind.nce' : 'sub.kind.legacy'),
      ]
        .filter(Boolean)
        .join(' · '),
      verb: VERB.subShow,
      openLabel: tr.t('sub.action.open'),
      listOffset: start,
      query: query ?? '',
    })),
  }));
}

function asNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * What is scheduled for the next term, in words: "18 seats · 1 year · Annual", or "another product" when
 * the instructions name another product, SKU or availability (an upgrade scheduled in Partner Center).
 */
export function scheduledText(tr: Translator, s: Subscription, next: NextTerm): string {
  if (!next.sameOffer) return [tr.t('sub.renewal.otherProduct', { offer: literal(next.offerId ?? '—') }), ...scheduledExtras(tr, s, next)].join(' · ');
  return [
    tr.t('sub.list.seats', { count: next.quantity ?? s.quantity ?? 0 }),
    durationText(tr, next.termDuration ?? s.termDuration),
    billingLabel(tr, next.billingCycle ?? s.billingCycle),
    ...scheduledExtras(tr, s, next),
  ].join(' · ');
}

/**
 * What is scheduled besides seats, term and billing: a promotion and a custom term end ("promotion
 * 39NFJQT1Q5KV:0002", "term ending on 15 Mar 2028"). Named wherever what is scheduled is, so a change that
 * keeps them, replaces them or deletes them says so.
 */
export function scheduledExtras(tr: Translator, s: Subscription, next: NextTerm): string[] {
  const promotion = s.scheduledNextTermInstructions?.product?.promotionId;
  const end = next.customTermEndDate && !Number.isNaN(Date.parse(next.customTermEndDate)) ? next.customTermEndDate : undefined;
  return [
    ...(promotion ? [tr.t('sub.renewal.promotion', { id: literal(promotion) })] : []),
    ...(end ? [tr.t('sub.renewal.termEnds', { date: tr.date(end) })] : []),
  ];
}

/** Whether seats can be scheduled for the next term now: Partner Center's conditions, checked before asking. */
export function schedulable(s: Subscription): boolean {
  return s.status === 'active' && s.autoRenewEnabled === true && s.isTrial !== true && isNewCommerce(s) && !!currentProductTerm(s);
}

/** The next-term form's state: open (from the renewals card's button, or after an error), its value and error. */
export interface NextTermFormState {
  open?: boolean;
  value?: string | number;
  error?: string;
}

/**
 * The "At renewal" part: when the term ends, whether it renews and with what, what is scheduled, and the
 * buttons that change it (Next-term seats, Clear, or Turn auto-renew on first). Shown on live subscriptions.
 */
function renewalPart(tr: Translator, s: Subscription, form: NextTermFormState | undefined) {
  const renewal = renewalOf(s);
  const next = nextTermOf(s);
  const seats = s.quantity ?? 0;
  const lines = [tr.t('deadlines.row.ends', { date: tr.date(renewal.endDate) })];
  const nce = isNewCommerce(s);
  const canTurnOn = nce && s.status === 'active' && s.autoRenewEnabled !== true && s.isTrial !== true;
  // A legacy subscription says nothing about whether it renews (the renewal rules the product reads are new
  // commerce's), only why it has no renewal buttons: the same line as its row on the renewals card.
  if (!nce) lines.push(tr.t('deadlines.row.legacy'));
  else {
    if (!renewal.renews) lines.push(tr.t('deadlines.row.expires'));
    else if (next && !next.sameOffer) lines.push(tr.t('deadlines.row.renewsOther'));
    else {
      const at = next?.quantity ?? seats;
      lines.push(at === seats ? tr.t('deadlines.row.renews', { count: at }) : tr.t('deadlines.row.renewsScheduled', { count: at, current: seats }));
    }
    if (next) lines.push(tr.t('sub.renewal.scheduled', { what: scheduledText(tr, s, next) }));
    if (canTurnOn) lines.push(tr.t('sub.renewal.needsAutoRenew'));
  }
  const canSchedule = schedulable(s);
  const open = canSchedule && form?.open === true;
  return {
    title: tr.t('sub.renewal.title'),
    lines,
    canSchedule,
    // Next-term seats opens the form in place of the edit form: its Schedule then submits the seats alone (an
    // Action.Execute sends every input of its card, and an edit form being changed would block it).
    showButton: canSchedule && !open,
    open,
    canClear: canSchedule && !!next,
    canTurnOn,
    hasActions: canSchedule || canTurnOn,
    // Input.Number takes a number: what was typed if it is one, else what is scheduled, else today's seats.
    value: asNumber(form?.value) ?? next?.quantity ?? seats,
    error: form?.error ?? '',
  };
}

export interface SubscriptionFormState {
  values?: { quantity?: string | number; friendlyName?: string; autoRenewEnabled?: string | boolean };
  errors?: Partial<Record<'quantity' | 'friendlyName' | 'autoRenewEnabled', string>>;
  formError?: string;
}

export function subscriptionCard(
  tr: Translator,
  customer: Customer,
  s: Subscription,
  o: { now: number; banner?: Banner; form?: SubscriptionFormState; list?: SubscriptionListPlace; nextTerm?: NextTermFormState },
): AdaptiveCard {
  const nce = isNewCommerce(s);
  const live = s.status === 'active' || s.status === 'suspended';
  const until = cancellableUntil(s, o.now);
  const refundableRow = refundableText(tr, s, o.now);
  const facts = [
    { title: tr.t('sub.field.status'), value: statusLabel(tr, s.status) },
    { title: tr.t('sub.field.quantity'), value: tr.number(s.quantity ?? 0) },
    { title: tr.t('sub.field.autoRenew'), value: tr.t(s.autoRenewEnabled ? 'sub.autoRenew.on' : 'sub.autoRenew.off') },
    { title: tr.t('sub.field.offer'), value: `${literal(s.offerName ?? s.offerId ?? '—')} (${tr.t(nce ? 'sub.kind.nce' : 'sub.kind.legacy')})` },
    ...(s.termDuration ? [{ title: tr.t('sub.field.term'), value: literal(durationText(tr, s.termDuration)) }] : []),
    ...(s.billingCycle ? [{ title: tr.t('sub.field.billing'), value: billingLabel(tr, s.billingCycle) }] : []),
    // A live subscription says it in its "At renewal" part, with what follows it.
    ...(live ? [] : [{ title: tr.t('sub.field.commitmentEnd'), value: tr.date(s.commitmentEndDate) }]),
    ...(refundableRow ? [{ title: tr.t('sub.field.refundable'), value: refundableRow }] : []),
    ...(until ? [{ title: tr.t('sub.field.cancellableUntil'), value: tr.dateTime(until) }] : []),
    { title: tr.t('sub.field.id'), value: s.id },
  ];
  const v = o.form?.values;
  return expand('subscription', {
    id: s.id,
    customerId: customer.id,
    customer: literal(customerName(customer)),
    name: literal(subscriptionName(s)),
    facts,
    editable: s.status === 'active' && allows(s, 'edit') && o.nextTerm?.open !== true,
    canSuspend: s.status === 'active',
    canReactivate: s.status === 'suspended',
    canCancel: live && !!until,
    formError: o.form?.formError ?? '',
    hasRenewal: live,
    renewal: live ? renewalPart(tr, s, o.nextTerm) : {},
    values: {
      // Input.Number takes a number: what the user typed if it is one, else the current seats.
      quantity: asNumber(v?.quantity) ?? s.quantity ?? 1,
      friendlyName: v?.friendlyName ?? subscriptionName(s),
      autoRenewEnabled: String(v?.autoRenewEnabled ?? s.autoRenewEnabled ?? false),
    },
    errors: {
      quantity: o.form?.errors?.quantity ?? '',
      friendlyName: o.form?.errors?.friendlyName ?? '',
      autoRenewEnabled: o.form?.errors?.autoRenewEnabled ?? '',
    },
    limits: { quantity: LIMITS.quantity, friendlyName: LIMITS.friendlyName },
    labels: {
      form: tr.t('sub.form.title'),
      quantity: tr.t('sub.field.quantity'),
      friendlyName: tr.t('sub.field.friendlyName'),
      // The facts say "Auto-renew: On"; the toggle says what it does, so the label is not shown twice.
      renewal: tr.t('sub.form.renewal'),
      renewAutomatically: tr.t('sub.form.renewAutomatically'),
      required: tr.t('field.required'),
      save: tr.t('common.save'),
      suspend: tr.t('sub.action.suspend'),
      reactivate: tr.t('sub.action.reactivate'),
      cancel: tr.t('sub.action.cancel'),
      refresh: tr.t('common.refresh'),
      back: tr.t('common.backToList'),
      nextTerm: tr.t('deadlines.action.nextTerm'),
      nextQuantity: tr.t('sub.renewal.seats'),
      schedule: tr.t('sub.renewal.schedule'),
      clear: tr.t('sub.renewal.clear'),
      turnOn: tr.t('deadlines.action.renewOn'),
    },
    // Opened from a list: back to the same page, and Refresh keeps the way back.
    hasList: !!o.list,
    list: { offset: o.list?.offset ?? 0, query: o.list?.query ?? '' },
    verbs: { update: VERB.subUpdate, status: VERB.subStatus, show: VERB.subShow, list: VERB.customerSubscriptions, next: VERB.subNext },
    // Last: spread first, it would leave V8 a slow (dictionary) object for every key after it (3× the card's cost).
    ...bannerData(o.banner),
  });
}
