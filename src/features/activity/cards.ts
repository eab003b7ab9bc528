/**
 * The activity card: one entry per record, newest first: who, what (the operation in words), which customer
 * and subscription, the fields that changed (old → new, never the raw values), when and with what status.
 */
import { expand, literal, type AdaptiveCard } from '../../cards/render';
import { VERB } from '../../cards/verbs';
import type { Translator } from '../../i18n';
import { changedFields, subscriptionOf, type AuditRecord, type FieldChange } from '../../partner-center';

export interface ActivityView {
  /** What the records were narrowed to (a name, or a customer's name or id). */
  customer?: string;
  /** What the command was given, so "Next page" asks the same. */
  args: { customer?: string; days: number };
  days: number;
  /** The start of the window (ms), as the bot's clock put it. */
  since: number;
  records: AuditRecord[];
  offset: number;
  pageSize: number;
  /** Set when the log had more than this many records in the window (only those are shown). */
  truncated?: number;
  skipped: number;
  /** The user's IANA time zone; UTC (labelled) when unknown. */
  timeZone?: string;
}

/** Resource fields the product already has words for (the subscription card's labels). */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  quantity: 'quantity',
  friendlyName: 'friendlyName',
  autoRenewEnabled: 'autoRenew',
  status: 'status',
  billingCycle: 'billing',
  termDuration: 'term',
  offerName: 'offer',
};

export function activityCard(tr: Translator, v: ActivityView): AdaptiveCard {
  const page = v.records.slice(v.offset, v.offset + v.pageSize);
  const total = v.records.length;
  const when = timeFormat(tr, v.timeZone);
  const since = when(new Date(v.since).toISOString());
  return expand('activity', {
    title: v.customer ? tr.t('activity.titleCustomer', { customer: literal(v.customer) }) : tr.t('activity.title'),
    window: tr.t('activity.window', { days: v.days, since }),
    range: total > 0 ? tr.t('activity.range', { from: tr.number(v.offset + 1), to: tr.number(v.offset + page.length), total: tr.number(total) }) : '',
    empty: tr.t('activity.empty'),
    items: page.map((r) => entry(tr, r, when)),
    notes: [
      ...(v.truncated ? [tr.t('activity.truncated', { count: v.truncated })] : []),
      ...(v.skipped > 0 ? [tr.t('common.skipped', { count: v.skipped })] : []),
    ],
    footer: tr.t('activity.footer'),
    verb: VERB.activityList,
    customer: v.args.customer ?? '',
    days: v.args.days,
    hasPrevious: v.offset > 0,
    previousOffset: Math.max(0, v.offset - v.pageSize),
    previousLabel: tr.t('common.previous'),
    hasNext: v.offset + v.pageSize < total,
    nextOffset: v.offset + v.pageSize,
    nextLabel: tr.t('common.next'),
  });
}

function entry(tr: Translator, r: AuditRecord, when: (iso: string | null | undefined) => string) {
  const who = r.userPrincipalName ? literal(r.userPrincipalName) : r.applicationId ? tr.t('activity.app', { id: literal(r.applicationId) }) : tr.t('activity.someone');
  const op = r.operationType ?? '';
  const what = tr.maybe('activity.op', op) ?? tr.t('activity.op.other', { operation: literal(op.replace(/_/g, ' ')) || '—' });
  const sub = subscriptionOf(r);
  const about = [
    ...(r.customerName || r.customerId ? [tr.t('activity.customer', { name: literal(r.customerName ?? r.customerId) })] : []),
    // The subscription by its name; its id (a GUID that wraps over two lines) is behind Open instead.
    ...(sub.id || sub.name ? [tr.t('activity.subscription', { name: literal(sub.name ?? sub.id) })] : []),
    ...(r.userPrincipalName && r.applicationId ? [tr.t('activity.via', { id: literal(r.applicationId) })] : []),
  ];
  const status = r.operationStatus ? (tr.maybe('activity.status', r.operationStatus.toLowerCase()) ?? literal(r.operationStatus)) : '—';
  return {
    headline: tr.t('activity.headline', { who, what }),
    about,
    lines: changedFields(r.resourceOldValue, r.resourceNewValue).map((c) => changeLine(tr, c)),
    when: tr.t('activity.when', { when: when(r.operationDate), status }),
    // Open shows the subscription as Partner Center has it now (the subscription card, with its actions).
    open: Boolean(r.customerId && sub.id),
    openLabel: tr.t('activity.open'),
    showVerb: VERB.subShow,
    customerId: r.customerId ?? '',
    subscriptionId: sub.id ?? '',
  };
}

function changeLine(tr: Translator, c: FieldChange): string {
  const label = FIELD_LABELS[c.field];
  const field = (label && tr.maybe('sub.field', label)) || literal(c.field);
  // A subscription's status reads as the subscription card says it ("Cancelled" for deleted).
  const shown = (v: string | undefined) => (c.field === 'status' && v ? (tr.maybe('sub.status', v.toLowerCase()) ?? value(tr, v)) : value(tr, v));
  return tr.t('sub.change.row', { field, from: shown(c.from), to: shown(c.to) });
}

function value(tr: Translator, v: string | undefined): string {
  if (v === undefined || v === '') return '—';
  if (v === 'true') return tr.t('common.yes');
  if (v === 'false') return tr.t('common.no');
  return literal(v);
}

/** Dates in the user's time zone, named ("7 Dec 2026, 11:00 CET"), else in UTC, labelled so. */
function timeFormat(tr: Translator, timeZone: string | undefined): (iso: string | null | undefined) => string {
  if (!timeZone) return (iso) => tr.dateTime(iso);
  const f = new Intl.DateTimeFormat(tr.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const zone = new Intl.DateTimeFormat(tr.locale, { timeZone, timeZoneName: 'short' });
  return (iso) => {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return literal(iso);
    const name = zone.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
    return `${f.format(d)} ${name}`;
  };
}
