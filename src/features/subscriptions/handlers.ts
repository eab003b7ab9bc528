/** Subscriptions: list, show, change (with confirmation when it loses seats, access or renewal), status. */
import type { Banner, ChangeRow } from '../../cards/common';
import { confirmCard } from '../confirm/cards';
import { customerName, refundable, scheduledText, statusLabel, subscriptionCard, subscriptionListCard, subscriptionName, type SubscriptionListPlace } from './cards';
import type { Translator } from '../../i18n';
import { isNewCommerce, nextTermOf, renewalOf, type Customer, type Subscription, type SubscriptionChange, type SubscriptionSnapshot } from '../../partner-center';
import { subscriptionChangeSchema } from '../../partner-center/schemas';
import { literal } from '../../cards/render';
import { echoValues, validateForm } from '../common/forms';
import { forAll, forInteractor, type Turn, type BotDeps, type Outcome } from '../../commands/contract';
import { resolveCustomer } from '../customers/handlers';
import { reportWrite } from '../common/written';
import { found, notFound } from '../common/not-found';
import { datesOf, type Dates } from '../common/time-zone';

/** "Contoso Ltd has no subscription with the id …", and the command that lists the ones it has. */
export function subscriptionNotFound(t: Turn, customer: Customer, subscriptionId: string): Outcome {
  return notFound(
    t,
    t.tr.t('sub.notFound', { customer: literal(customerName(customer)), id: subscriptionId }),
    t.tr.t('sub.notFound.next', { customer: literal(customer.companyProfile?.domain ?? customer.id) }),
  );
}

type Field = keyof SubscriptionChange;
const FIELDS: readonly Field[] = ['quantity', 'friendlyName', 'autoRenewEnabled', 'status'];

export interface SubscriptionUpdateRequest {
  op: 'sub.update';
  customerId: string;
  customerName: string;
  /** What the confirmation named: the customer's domain and the subscription's name. */
  customerDomain?: string;
  subscriptionName?: string;
  subscriptionId: string;
  change: SubscriptionChange;
  by: string;
  /** Who asked, by name: what others pressing the card's buttons are told. */
  byName?: string;
}

/** A customer's subscriptions; reached from a customer search (`query`), the card leads back to it. */
export async function listSubscriptions(d: BotDeps, t: Turn, customerRef: string, offset = 0, query?: string): Promise<Outcome> {
  const r = await resolveCustomer(d, t, customerRef);
  if ('outcome' in r) return r.outcome;
  const page = await d.client.listSubscriptions(t.user, r.customer.id);
  return forAll(subscriptionListCard(t.tr, r.customer, page.items, offset, page.skipped, query));
}

/** One subscription; opened from a list (`list`), its card leads back to that page. */
export async function showSubscription(d: BotDeps, t: Turn, customerRef: string, subscriptionId: string, list?: SubscriptionListPlace): Promise<Outcome> {
  const r = await resolveCustomer(d, t, customerRef, subscriptionId);
  if ('outcome' in r) return r.outcome;
  const s = await found(d.client.getSubscription(t.user, r.customer.id, subscriptionId));
  if (!s) return subscriptionNotFound(t, r.customer, subscriptionId);
  return forAll(subscriptionCard(t.tr, r.customer, s, { now: d.clock.now(), list }));
}

function display(tr: Translator, field: Field, value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (field === 'autoRenewEnabled') return tr.t(value ? 'sub.autoRenew.on' : 'sub.autoRenew.off');
  if (field === 'status') return statusLabel(tr, String(value));
  if (field === 'quantity') return tr.number(Number(value));
  return String(value);
}

export function changeRows(tr: Translator, before: Subscription, change: SubscriptionChange): ChangeRow[] {
  return FIELDS.filter((f) => change[f] !== undefined).map((f) => ({
    field: tr.t(`sub.change.${f}`),
    from: display(tr, f, before[f]),
    to: display(tr, f, change[f]),
  }));
}

/** What the user asked for, less what the subscription already has. */
function effectiveChange(current: Subscription, wanted: SubscriptionChange): SubscriptionChange {
  const out: SubscriptionChange = {};
  for (const f of FIELDS) {
    if (wanted[f] !== undefined && wanted[f] !== current[f]) (out as Record<Field, unknown>)[f] = wanted[f];
  }
  return out;
}

/**
 * A change Partner Center's documented rules refuse, said before any confirmation: new commerce lets seats
 * go only while `refundableQuantity` covers them.
 */
function knownRefusal(tr: Translator, s: Subscription, change: SubscriptionChange, now: number): Banner | undefined {
  if (change.quantity === undefined || change.quantity >= (s.quantity ?? 0) || !isNewCommerce(s)) return undefined;
  const r = refundable(s, now);
  const seats = s.quantity ?? 0;
  const asked = seats - change.quantity;
  if (!r || asked <= r.total) return undefined;
  // The limit, until when each part of it holds, and what can be done instead.
  const lines = r.windows.length > 0 ? r.windows.map((w) => tr.t('sub.refusal.window', { count: w.quantity, date: tr.dateTime(w.until) })) : [tr.t('sub.refusal.noWindow')];
  if (r.total > 0) lines.push(tr.t('sub.refusal.min', { min: seats - r.total }));
  // Seats can go down at renewal only if the subscription renews: with auto-renew off the term just ends.
  if (s.commitmentEndDate) {
    lines.push(s.autoRenewEnabled === false ? tr.t('sub.refusal.renewalOff', { date: tr.date(s.commitmentEndDate) }) : tr.t('sub.refusal.renewal', { date: tr.date(s.commitmentEndDate) }));
  }
  return { text: tr.t('sub.refusal.decrease', { refundable: r.total, asked }), style: 'attention', lines };
}

/** "Contoso Ltd (contoso.onmicrosoft.com)": the customer as a confirmation names it. */
export function customerLabel(c: Customer): string {
  const name = customerName(c);
  const domain = c.companyProfile?.domain;
  return domain && domain !== name ? `${name} (${domain})` : name;
}

/** "Nothing to change", naming the subscription, and the status it already has when the change was one. */
function noChange(tr: Translator, s: Subscription, wanted: SubscriptionChange): string {
  const name = literal(subscriptionName(s));
  if (wanted.status === 'suspended') return tr.t('sub.noChange.suspended', { name });
  if (wanted.status === 'active') return tr.t('sub.noChange.active', { name });
  if (wanted.status === 'deleted') return tr.t('sub.noChange.deleted', { name });
  return tr.t('sub.noChange', { name });
}

/**
 * Changes that lose seats, access or renewal ask first, saying what will happen. So does any seat change on a
 * subscription with changes scheduled for renewal: "If you make a mid-term (immediate) change before your
 * renewal date, all scheduled changes that were previously scheduled to occur at renewal are deleted"
 * (create-scheduled-changes). Of the changes this bot makes, seats are the mid-term (commerce) change; the
 * page lists nothing narrower. Turning auto-renew off or cancelling does not delete them by that rule, but
 * nothing renews, so the confirmation says they will not take effect.
 */
function consequences(dates: Dates, s: Subscription, change: SubscriptionChange, now: number): string[] {
  const tr = dates.tr;
  const out: string[] = [];
  const next = isNewCommerce(s) ? nextTermOf(s) : null;
  if (next && change.quantity !== undefined) {
    // Named by the term's last day, as the At renewal part does: not the instant renewal processing starts.
    const end = renewalOf(s).endDate;
    const what = scheduledText(tr, s, next);
    out.push(end ? tr.t('sub.consequence.dropsScheduled', { what, end: tr.date(end) }) : tr.t('sub.consequence.dropsScheduledUndated', { what }));
  }
  if (change.quantity !== undefined && change.quantity < (s.quantity ?? 0)) {
    out.push(
      isNewCommerce(s)
        ? tr.t('sub.consequence.decrease', { refundable: refundable(s, now)?.total ?? 0 })
        : tr.t('sub.consequence.decreaseLegacy'),
    );
  }
  if (change.status === 'suspended') out.push(tr.t('sub.consequence.suspend'));
  if (change.status === 'deleted') out.push(tr.t('sub.consequence.cancel'));
  if (change.autoRenewEnabled === false && s.autoRenewEnabled) out.push(tr.t('sub.consequence.autoRenewOff', { date: tr.date(s.commitmentEndDate) }));
  if (next && change.quantity === undefined && (change.status === 'deleted' || (change.autoRenewEnabled === false && s.autoRenewEnabled))) {
    out.push(tr.t('sub.consequence.scheduledLapses', { what: scheduledText(tr, s, next) }));
  }
  return out;
}

/**
 * A change from a command or a form: validated, compared with the subscription as it is now, confirmed
 * when risky, then applied.
 */
export async function requestChange(
  d: BotDeps,
  t: Turn,
  customerRef: string,
  subscriptionId: string,
  wanted: SubscriptionChange,
  form?: Record<string, unknown>,
): Promise<Outcome> {
  const r = await resolveCustomer(d, t, customerRef, subscriptionId);
  if ('outcome' in r) return r.outcome;
  // Read once: the change is compared with, and written from, this same snapshot.
  const snapshot = await found(d.client.readSubscription(t.user, r.customer.id, subscriptionId));
  if (!snapshot) return subscriptionNotFound(t, r.customer, subscriptionId);
  const current = snapshot.subscription;
  const v = validateForm(t.tr, subscriptionChangeSchema, wanted);
  if (!v.ok) {
    const { _form, ...errors } = v.errors;
    return forInteractor(
      subscriptionCard(t.tr, r.customer, current, {
        now: d.clock.now(),
        form: { values: form ? echoValues(form, ['quantity', 'friendlyName', 'autoRenewEnabled']) : undefined, errors, formError: _form ?? t.tr.t('common.fixFields') },
      }),
    );
  }
  const change = effectiveChange(current, v.value);
  if (Object.keys(change).length === 0) {
    return forAll(subscriptionCard(t.tr, r.customer, current, { now: d.clock.now(), banner: { text: noChange(t.tr, current, v.value), style: 'accent' } }));
  }
  const refusal = knownRefusal(t.tr, current, change, d.clock.now());
  if (refusal) return forInteractor(subscriptionCard(t.tr, r.customer, current, { now: d.clock.now(), banner: refusal }));
  const risks = consequences(datesOf(t), current, change, d.clock.now());
  if (risks.length === 0) return apply(d, t, r.customer, subscriptionId, change, snapshot);
  const payload: SubscriptionUpdateRequest = {
    op: 'sub.update',
    customerId: r.customer.id,
    customerName: customerName(r.customer),
    customerDomain: r.customer.companyProfile?.domain ?? undefined,
    subscriptionName: subscriptionName(current),
    subscriptionId,
    change,
    by: t.actor.id,
    byName: t.actor.name,
  };
  const names = { name: literal(subscriptionName(current)), customer: literal(customerName(r.customer)) };
  const title = change.status === 'suspended' ? t.tr.t('sub.confirm.suspend', names) : change.status === 'deleted' ? t.tr.t('sub.confirm.cancel', names) : t.tr.t('sub.confirm.title', names);
  return forAll(
    confirmCard(t.tr, {
      title,
      subject: [
        { title: t.tr.t('sub.field.customer'), value: customerLabel(r.customer) },
        { title: t.tr.t('sub.field.subscription'), value: subscriptionName(current) },
        { title: t.tr.t('sub.field.offer'), value: current.offerName ?? current.offerId ?? '—' },
        { title: t.tr.t('sub.field.id'), value: subscriptionId },
      ],
      changes: changeRows(t.tr, current, change),
      consequences: risks,
      confirmation: d.signer.sign(payload),
    }),
  );
}

/** Applies a change; a 202 that outlasts the inline wait is followed in the background and the card updated. */
export async function apply(d: BotDeps, t: Turn, customer: Customer, subscriptionId: string, change: SubscriptionChange, from?: SubscriptionSnapshot): Promise<Outcome> {
  const result = await d.client.updateSubscription(t.user, customer.id, subscriptionId, change, { maxWaitMs: d.inlineWaitMs, from });
  const rows = changeRows(t.tr, result.previous, change);
  const target = `${customerName(customer)} / ${subscriptionName(result.previous)} (${subscriptionId})`;
  const item = { kind: 'sub' as const, id: subscriptionId, name: subscriptionName(result.previous), customer: customerName(customer) };
  const banner = await reportWrite(d, t, {
    outcome: result.state === 'unknown' ? 'unknown' : 'applied',
    rows,
    audit: { action: 'sub.update', target, item, ...(result.state === 'in-progress' ? { pending: true } : {}) },
    requestId: result.requestId,
    confirmedByRead: result.state === 'completed' && result.confirmedByRead,
    // What this change leaves (also while a 202 is still being applied): the state a watch will see.
    watched: { itemId: subscriptionId, after: { status: String(change.status ?? result.previous.status ?? 'none'), count: change.quantity ?? result.previous.quantity ?? 0 } },
  });
  const card = (s: Subscription, b: Banner) => subscriptionCard(t.tr, customer, s, { now: d.clock.now(), banner: b });
  // Seats added on new commerce: a reminder before their window closes (once the window shows on the resource).
  const reminder = d.reminders.forTurn(t, { id: customer.id, name: customerName(customer) });
  const remind = (s: Subscription) => reminder(result.previous, s).catch((e: unknown) => t.log.warn({ err: e }, 'reminder not scheduled'));
  if (result.state === 'completed') await remind(result.subscription);
  if (result.state !== 'in-progress') return forAll(card(result.subscription, banner));
  // While Partner Center applies the change, and once it has: the state first, then who changed what.
  const withWho = (text: string, style: Banner['style']): Banner => ({ text, style, lines: [banner.text, ...(banner.lines ?? [])] });
  return forAll(card(result.subscription, withWho(t.tr.t('sub.inProgress'), 'warning')), async (update) => {
    const r = await d.client.awaitSubscriptionChange(t.user, customer.id, subscriptionId, change, { maxWaitMs: d.followUpWaitMs, intervalMs: d.followUpIntervalMs, location: result.location });
    if (r.landed) await remind(r.subscription!);
    await update(r.landed ? card(r.subscription!, withWho(t.tr.t('sub.landed'), 'good')) : card(r.subscription ?? result.subscription, withWho(t.tr.t('sub.stillInProgress'), 'attention')));
  });
}

export async function applyConfirmed(d: BotDeps, t: Turn, p: SubscriptionUpdateRequest): Promise<Outcome> {
  const customer: Customer = { id: p.customerId, companyProfile: { companyName: p.customerName, domain: p.customerDomain } };
  return apply(d, t, customer, p.subscriptionId, p.change);
}
