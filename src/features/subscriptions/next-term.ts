/**
 * `sub next`: the seats a new-commerce subscription renews with ("Schedule changes for a new commerce
 * subscription", https://learn.microsoft.com/partner-center/developer/create-scheduled-changes).
 *
 * What is checked before anything is asked or sent, from the resource: the subscription is new commerce (its
 * offerId is productId:skuId:availabilityId, which the instructions need), active, not a trial, and auto-renew
 * is on (the page's prerequisite). Every change asks first, saying from when the subscription renews with how
 * many seats and what it replaces; Confirm reads the subscription again, checks again, and sends one
 * full-resource PATCH with If-Match (client scheduleNextTerm). The outcome is applied or unknown (reportWrite);
 * a refusal reaches the error sink, which says Partner Center refused and nothing was changed.
 */
import type { Banner, ChangeRow } from '../../cards/common';
import { literal } from '../../cards/render';
import { forAll, forInteractor, type BotDeps, type Outcome, type Turn } from '../../commands/contract';
import type { Translator } from '../../i18n';
import { currentProductTerm, isNewCommerce, nextTermOf, renewalOf, schedulesCurrentProduct, type Customer, type Subscription } from '../../partner-center';
import { nextTermChangeSchema } from '../../partner-center/schemas';
import { confirmCard } from '../confirm/cards';
import { validateForm } from '../common/forms';
import { found } from '../common/not-found';
import { datesOf, instant, type Dates } from '../common/time-zone';
import { reportWrite } from '../common/written';
import { resolveCustomer } from '../customers/handlers';
import { customerName, scheduledExtras, scheduledText, schedulable, subscriptionCard, subscriptionName } from './cards';
import { customerLabel, subscriptionNotFound } from './handlers';

/** Seats for the next term, or `clear` to remove what is scheduled. */
export type NextTermWant = { quantity: number } | 'clear';

export interface NextTermRequest {
  op: 'sub.next';
  customerId: string;
  customerName: string;
  customerDomain?: string;
  subscriptionName?: string;
  subscriptionId: string;
  next: NextTermWant;
  by: string;
  byName?: string;
}

/** The seats form's one field, checked with the client's own bounds. */
const seatsSchema = nextTermChangeSchema.options[1];

/** The seats the subscription renews with now: what is scheduled, else today's (undefined when it does not renew). */
function renewsWith(s: Subscription): number | undefined {
  if (!renewalOf(s).renews) return undefined;
  const next = nextTermOf(s);
  return next?.sameOffer ? (next.quantity ?? s.quantity ?? 0) : next ? undefined : (s.quantity ?? 0);
}

/** Why seats cannot be scheduled on this subscription (nothing is sent), or undefined when they can. */
function unschedulable(tr: Translator, s: Subscription): Banner | undefined {
  if (schedulable(s)) return undefined;
  const name = literal(subscriptionName(s));
  if (!isNewCommerce(s) || !currentProductTerm(s)) return { text: tr.t('sub.next.legacy', { name }), style: 'attention' };
  if (s.status !== 'active') return { text: tr.t('sub.next.notActive', { name }), style: 'attention' };
  if (s.isTrial === true) return { text: tr.t('sub.next.trial', { name }), style: 'attention' };
  // Auto-renew off: the card's "At renewal" part carries the button that turns it on (the existing change).
  return { text: tr.t('sub.next.autoRenewOff', { name, date: tr.date(renewalOf(s).endDate) }), style: 'attention', lines: [tr.t('sub.next.autoRenewOff.next')] };
}

/** "Seats at renewal: 20 → 18", the one row a next-term change shows and the audit trail keeps. */
function row(tr: Translator, from: number | undefined, to: number | undefined): ChangeRow {
  const n = (v: number | undefined) => (v === undefined ? '—' : tr.number(v));
  return { field: tr.t('sub.renewal.seats'), from: n(from), to: n(to) };
}

/**
 * "When the term ends on Mar 3, 2027, the subscription renews with 18 seats (today 20 seats); Partner Center
 * processes renewals from 00:00 UTC the next day…". The date said first is the term's last day, as Partner
 * Center states it: the instant processing starts (00:00 UTC the day after) was read by partner admins as the
 * day the term ends. In the reader's time zone, when Teams gave one, that instant follows in brackets.
 */
function renewsLine(dates: Dates, s: Subscription, count: number): string {
  const { endDate, processingFrom } = renewalOf(s);
  const current = s.quantity ?? 0;
  if (!endDate || !processingFrom) return dates.tr.t('sub.next.renewsUndated', { count, current });
  const end = dates.tr.date(endDate);
  const zoned = dates.timeZone && !readsAsUtc(dates.timeZone, processingFrom);
  return zoned ? dates.tr.t('sub.next.renewsZoned', { end, count, current, date: instant(dates, processingFrom) }) : dates.tr.t('sub.next.renews', { end, count, current });
}

/** True when a zone's clock reads the instant as UTC's does (UTC itself, London in winter): the bracket would repeat "00:00 UTC". */
function readsAsUtc(timeZone: string, iso: string): boolean {
  const fields = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' } as const;
  const at = (tz: string) => new Intl.DateTimeFormat('en-US', { ...fields, timeZone: tz }).format(new Date(iso));
  return at(timeZone) === at('UTC');
}

/**
 * From the command, the card's form, or the renewals card's button (`want` undefined: the form, opened).
 * `typed` is what the form sent, shown again beside its error.
 */
export async function requestNextTerm(d: BotDeps, t: Turn, customerRef: string, subscriptionId: string, want: NextTermWant | undefined, typed?: unknown): Promise<Outcome> {
  const r = await resolveCustomer(d, t, customerRef, subscriptionId);
  if ('outcome' in r) return r.outcome;
  const s = await found(d.client.getSubscription(t.user, r.customer.id, subscriptionId));
  if (!s) return subscriptionNotFound(t, r.customer, subscriptionId);
  const now = d.clock.now();
  const refusal = unschedulable(t.tr, s);
  if (refusal) return forInteractor(subscriptionCard(t.tr, r.customer, s, { now, banner: refusal }));
  if (want === undefined) return forInteractor(subscriptionCard(t.tr, r.customer, s, { now, nextTerm: { open: true } }));
  if (want !== 'clear') {
    const v = validateForm(t.tr, seatsSchema, want);
    if (!v.ok) {
      const error = v.errors.quantity ?? v.errors._form ?? t.tr.t('common.fixFields');
      return forInteractor(subscriptionCard(t.tr, r.customer, s, { now, nextTerm: { open: true, value: typeof typed === 'string' ? typed : undefined, error } }));
    }
  }
  const name = literal(subscriptionName(s));
  const next = nextTermOf(s);
  const today = s.quantity ?? 0;
  const before = renewsWith(s);
  // Nothing to send: nothing scheduled to clear, or the subscription already renews with these seats as it is.
  if (want === 'clear' && !next) {
    return forAll(subscriptionCard(t.tr, r.customer, s, { now, banner: { text: t.tr.t('sub.next.nothingScheduled', { name, count: today }), style: 'accent' } }));
  }
  if (want !== 'clear' && before === want.quantity && (!next || schedulesCurrentProduct(s))) {
    return forAll(subscriptionCard(t.tr, r.customer, s, { now, banner: { text: t.tr.t('sub.next.already', { name, count: want.quantity }), style: 'accent' } }));
  }
  const dates = datesOf(t);
  const after = want === 'clear' ? today : want.quantity;
  // What it renews with, and what stays, lose nothing: said plainly. Only what this change deletes is a warning.
  const notes = [renewsLine(dates, s, after)];
  const consequences: string[] = [];
  // What is scheduled now goes: said whenever it is more than the seats this change sets (the client then
  // makes the instructions anew from today's product). When only the seats change, the rest stays: said too.
  if (next && (want === 'clear' || !schedulesCurrentProduct(s))) consequences.push(t.tr.t('sub.next.replaces', { what: scheduledText(t.tr, s, next) }));
  else if (next && scheduledExtras(t.tr, s, next).length > 0) notes.push(t.tr.t('sub.next.keeps', { what: scheduledExtras(t.tr, s, next).join(' · ') }));
  const payload: NextTermRequest = {
    op: 'sub.next',
    customerId: r.customer.id,
    customerName: customerName(r.customer),
    customerDomain: r.customer.companyProfile?.domain ?? undefined,
    subscriptionName: subscriptionName(s),
    subscriptionId,
    next: want,
    by: t.actor.id,
    byName: t.actor.name,
  };
  const names = { name, customer: literal(customerName(r.customer)) };
  return forAll(
    confirmCard(t.tr, {
      title: want === 'clear' ? t.tr.t('sub.next.confirm.clear', names) : t.tr.t('sub.next.confirm.title', names),
      subject: [
        { title: t.tr.t('sub.field.customer'), value: customerLabel(r.customer) },
        { title: t.tr.t('sub.field.subscription'), value: subscriptionName(s) },
        { title: t.tr.t('sub.field.offer'), value: s.offerName ?? s.offerId ?? '—' },
        { title: t.tr.t('sub.field.id'), value: subscriptionId },
      ],
      changes: [row(t.tr, before, after)],
      notes,
      consequences,
      confirmation: d.signer.sign(payload),
    }),
  );
}

/** Confirm: read again, check again (nothing sent if it no longer holds), then the one write. */
export async function applyNextTerm(d: BotDeps, t: Turn, p: NextTermRequest): Promise<Outcome> {
  const customer: Customer = { id: p.customerId, companyProfile: { companyName: p.customerName, domain: p.customerDomain } };
  const snap = await found(d.client.readSubscription(t.user, p.customerId, p.subscriptionId));
  if (!snap) return subscriptionNotFound(t, customer, p.subscriptionId);
  const now = d.clock.now();
  const refusal = unschedulable(t.tr, snap.subscription);
  if (refusal) return forAll(subscriptionCard(t.tr, customer, snap.subscription, { now, banner: refusal }));
  if (p.next === 'clear' && !nextTermOf(snap.subscription)) {
    const text = t.tr.t('sub.next.nothingScheduled', { name: literal(subscriptionName(snap.subscription)), count: snap.subscription.quantity ?? 0 });
    return forAll(subscriptionCard(t.tr, customer, snap.subscription, { now, banner: { text, style: 'accent' } }));
  }
  const result = await d.client.scheduleNextTerm(t.user, p.customerId, p.subscriptionId, p.next, { maxWaitMs: d.inlineWaitMs, from: snap });
  const after = p.next === 'clear' ? (result.previous.quantity ?? 0) : p.next.quantity;
  const rows = [row(t.tr, renewsWith(result.previous), after)];
  const name = subscriptionName(result.previous);
  const banner = await reportWrite(d, t, {
    outcome: result.state === 'unknown' ? 'unknown' : 'applied',
    rows,
    audit: {
      action: 'sub.next',
      target: `${customerName(customer)} / ${name} (${p.subscriptionId})`,
      item: { kind: 'sub', id: p.subscriptionId, name, customer: customerName(customer) },
      ...(result.state === 'in-progress' ? { pending: true } : {}),
    },
    requestId: result.requestId,
    confirmedByRead: result.state === 'completed' && result.confirmedByRead,
  });
  const card = (s: Subscription, b: Banner) => subscriptionCard(t.tr, customer, s, { now: d.clock.now(), banner: b });
  if (result.state !== 'in-progress') return forAll(card(result.subscription, banner));
  // Accepted (202) and not yet shown: followed in the background as a change now is (handlers.ts apply), the
  // card updated once scheduledNextTermInstructions shows it; the state first, then who changed what.
  const withWho = (text: string, style: Banner['style']): Banner => ({ text, style, lines: [banner.text, ...(banner.lines ?? [])] });
  return forAll(card(result.subscription, withWho(t.tr.t('sub.inProgress'), 'warning')), async (update) => {
    const r = await d.client.awaitNextTermChange(t.user, p.customerId, p.subscriptionId, p.next, { maxWaitMs: d.followUpWaitMs, intervalMs: d.followUpIntervalMs, location: result.location });
    await update(r.landed ? card(r.subscription!, withWho(t.tr.t('sub.landed'), 'good')) : card(r.subscription ?? result.subscription, withWho(t.tr.t('sub.stillInProgress'), 'attention')));
  });
}
