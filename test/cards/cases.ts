/**
 * Every card the bot sends, in the states it sends them, built from the sandbox seed read through the
 * client's schemas: shared by the card checks (cards.test.ts) and the template compiler's equivalence test.
 */
import { errorToCard } from '../../src/teams/errors';
import { errorCard, messageCard } from '../../src/cards/common';
import { confirmCard } from '../../src/features/confirm/cards';
import { helpCard } from '../../src/features/help/cards';
import { deadlinesCard, instant, progressCard } from '../../src/features/deadlines/cards';
import { digestCard, dueRows } from '../../src/notifications/digest-card';
import type { Watch } from '../../src/notifications/watches';
import { rowsOf, type Book } from '../../src/features/deadlines/read';
import { COMMANDS } from '../../src/features';
import { customerListCard } from '../../src/features/customers/cards';
import { profileCard } from '../../src/features/profile/cards';
import type { AdaptiveCard } from '../../src/cards/render';
import { reminderCard } from '../../src/notifications/reminders-cards';
import type { Reminder } from '../../src/notifications/reminders';
import { serviceRequestCard, serviceRequestFormCard, serviceRequestListCard } from '../../src/features/service-requests/cards';
import { scheduledText, subscriptionCard, subscriptionListCard } from '../../src/features/subscriptions/cards';
import { type Translator } from '../../src/i18n';
import { nextTermOf, PartnerCenterError, type Customer, type ServiceRequest, type Subscription } from '../../src/partner-center';
import { customerSchema, serviceRequestSchema, subscriptionSchema, supportProfileSchema, supportTopicSchema } from '../../src/partner-center/schemas';
import { createSeedData, SEED } from '../../dev/sandbox/seed';
import { refundableQuantityView } from '../../dev/sandbox/subscription-rules';

// ---------------------------------------------------------------------------------------------------------
// Data: the sandbox seed, parsed as the client parses Partner Center's answers.

export const NOW = Date.UTC(2025, 5, 2, 9, 0, 0);
export const DAY = 24 * 60 * 60 * 1000;
export const seed = createSeedData(NOW);

export const serviceRequest = (id: string): ServiceRequest =>
  serviceRequestSchema.parse(seed.serviceRequests.find((s) => s.resource.id === id)!.resource);
export const subscription = (id: string): Subscription => subscriptionSchema.parse(seed.subscriptions.find((s) => s.resource.id === id)!.resource);
export const customer = (c: { id: string; companyName: string; domain: string }): Customer =>
  customerSchema.parse({ id: c.id, companyProfile: { tenantId: c.id, domain: c.domain, companyName: c.companyName }, relationshipToPartner: 'reseller' });

export const topics = seed.supportTopics.map((t) => supportTopicSchema.parse(t));
export const fallbackTopics = topics.slice(0, 2);
export const profile = supportProfileSchema.parse(seed.supportProfile);
export const contoso = customer(SEED.customers.contoso);
export const fabrikam = customer(SEED.customers.fabrikam);

export const srOpen = serviceRequest(SEED.serviceRequests.open.id);
export const srClosed = serviceRequest(SEED.serviceRequests.closed.id);
export const srNoNotes = serviceRequest(SEED.serviceRequests.azureQuota.id);
export const srs = seed.serviceRequests.map((s) => serviceRequestSchema.parse(s.resource));
export const srPage = Array.from({ length: 10 }, (_, i) => ({ ...srs[i % srs.length]!, id: String(616122292880000 + i) }));

/** The worst case for size: the most notes, each as long as Partner Center allows. */
export const longText = (n: number, seedText: string) => seedText.repeat(Math.ceil(n / seedText.length)).slice(0, n);
export const srHuge: ServiceRequest = {
  ...srOpen,
  title: longText(200, 'Licences cannot be assigned to new users '),
  description: longText(4000, 'New hires get "no licenses available" although seats were added. '),
  notes: Array.from({ length: 200 }, (_, i) => ({
    createdByName: `Support Engineer ${i}`,
    createdDate: new Date(NOW - (200 - i) * 3_600_000).toISOString(),
    text: longText(4000, `Note ${i}: message trace attached, waiting on the customer to confirm. `),
  })),
};

/** The most customers `customer find` lists (MAX_MATCHES in the handler), with realistic names. */
export const manyCustomers: Customer[] = Array.from({ length: 25 }, (_, i) =>
  customer({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    companyName: `Contoso Regional Subsidiary ${i} Ltd.`,
    domain: `contosoregionalsub${i}.onmicrosoft.com`,
  }),
);
/** Unusually long names and domains: the card shows the rows that fit, and says so. */
export const manyLongCustomers: Customer[] = manyCustomers.map((c, i) =>
  customer({
    id: c.id,
    companyName: `Contoso Regional Subsidiary Number ${i} of the Northern Hemisphere Holdings, Ltd.`,
    domain: `contosoregionalsubsidiary${i}northernhemisphere.onmicrosoft.com`,
  }),
);

export const contosoSubs = seed.subscriptions.filter((s) => s.customerId === contoso.id).map((s) => subscriptionSchema.parse(s.resource));
export const manySubs: Subscription[] = Array.from({ length: 50 }, (_, i) => ({
  ...contosoSubs[i % contosoSubs.length]!,
  id: `a6c1f3e2-7b4d-4e8a-9c05-${String(i).padStart(12, '0')}`,
  friendlyName: `Sales department licences, EMEA region, batch ${i} (renewed yearly)`,
  status: i % 3 === 0 ? 'deleted' : 'active',
}));

export const subNce = subscription(SEED.subscriptions.contosoNceNew.id); // active, inside the cancellation window
export const subSuspended = subscription(SEED.subscriptions.fabrikamSuspended.id);
export const subDeleted = subscription(SEED.subscriptions.fabrikamDeleted.id);
export const subLegacy = subscription(SEED.subscriptions.contosoLegacy.id);
export const subScheduled = subscription(SEED.subscriptions.hotelsScheduled.id); // 20 seats, 18 scheduled
export const subRenewOff = subscription(SEED.subscriptions.hotelsRenewsSoonOff.id);

export const signedConfirmation = { p: { op: 'sub.update', customerId: contoso.id, subscriptionId: subNce.id, change: { quantity: 5 } }, s: 'c2lnbmF0dXJl' };

export const pcError = new PartnerCenterError({ kind: 'http', status: 400, code: '800090', message: 'x', requestId: 'r', correlationId: 'c' });
export const pcDecommissioned = new PartnerCenterError({ kind: 'decommissioned', status: 410, message: 'gone', requestId: 'r2', correlationId: 'c2' });
export const pcThrottled = new PartnerCenterError({ kind: 'throttled', status: 429, message: 'slow down', retryAfterMs: 42_000, requestId: 'r3' });

// ---------------------------------------------------------------------------------------------------------
// The cards: every builder, in the states the bot sends.

/** A seeded subscription as the sandbox serves it at NOW: with its windows (refundableQuantity, cancellationAllowedUntilDate). */
function served(s: (typeof seed.subscriptions)[number]): Subscription {
  const window = (s.resource.refundOptions ?? []).map((o) => o.expiresAt).filter((d) => Date.parse(d) > NOW).sort().at(-1);
  const nce = (s.resource.productType as { id?: string } | undefined)?.id === 'OnlineServicesNCE';
  return subscriptionSchema.parse(nce ? { ...s.resource, refundableQuantity: refundableQuantityView(s, NOW), cancellationAllowedUntilDate: window ?? null } : s.resource);
}
/** The seed's book as `renewals` and `windows` read it, and one of 25 customers with the same subscriptions. */
const seedCustomers = Object.values(SEED.customers).map((c) => customer(c));
export const book: Book = {
  readAt: NOW,
  customers: seedCustomers.length,
  unread: 1,
  rows: seedCustomers.flatMap((c) => rowsOf(c, seed.subscriptions.filter((s) => s.customerId === c.id).map(served), NOW)),
};
const manyBook: Book = { ...book, rows: Array.from({ length: 25 }, (_, i) => book.rows.map((r) => ({ ...r, id: `${r.id.slice(0, -2)}${String(i).padStart(2, '0')}` }))).flat() };

const seedSub = (id: string) => seed.subscriptions.find((s) => s.resource.id === id)!;
const wingtipFewDays = served(seedSub(SEED.subscriptions.wingtipFewDays.id));
/** A reminder of Wingtip's 4 removable seats (or, with `kind: 'renewal'`, of a term's end), in the reader's language. */
const reminder = (tr: Translator, o: Partial<Reminder>): Reminder => ({
  id: 'r-1', kind: 'window', customerId: SEED.customers.wingtip.id, customerName: 'Wingtip Toys', subscriptionId: wingtipFewDays.id,
  date: wingtipFewDays.refundableQuantity!.details!.at(-1)!.allowedUntilDateTime!, dueAt: NOW, partition: 0,
  reference: { conversation: { id: '19:general@thread.tacv2' } as never }, conversationKey: 'k', user: { id: 'u', name: 'Ada Lovelace', tenantId: 't' },
  locale: tr.locale, state: 'claimed', seats: 4, ...o,
});

export interface CardCase {
  name: string;
  render: (tr: Translator) => AdaptiveCard;
  /** Input ids the handler reads, in order (none when absent). */
  inputs?: readonly string[];
  /** Text the card must show (substrings of some string in the card). */
  shows?: (tr: Translator) => string[];
}

export const SR_FORM = ['title', 'description', 'severity', 'supportTopicId', 'text'] as const;
export const SUB_FORM = ['quantity', 'friendlyName', 'autoRenewEnabled'] as const;
export const PROFILE_FORM = ['email', 'telephone', 'website'] as const;

export const CARDS: CardCase[] = [
  { name: 'help', render: (tr) => helpCard(tr, COMMANDS), shows: (tr) => [tr.t('help.intro'), 'sr new', 'profile set'] },
  { name: 'help sub', render: (tr) => helpCard(tr, COMMANDS, 'sub'), shows: (tr) => [`sub set «${tr.t('arg.customer')}»`] },
  { name: 'help unknown topic', render: (tr) => helpCard(tr, COMMANDS, 'frobnicate'), shows: () => ['frobnicate'] },
  { name: 'error with ids and link', render: (tr) => errorCard(tr, { message: 'Boom', next: 'Retry', requestId: 'req-1', correlationId: 'corr-1', link: { title: 'Open', url: 'https://partner.microsoft.com/dashboard/support/servicerequests' } }), shows: () => ['Boom', 'req-1', 'corr-1'] },
  { name: 'error plain', render: (tr) => errorCard(tr, { message: 'Boom' }) },
  { name: 'message', render: () => messageCard('Working on it…') },
  { name: 'message with title', render: () => messageCard('Done.', 'Partner Ops') },
  {
    name: 'confirm',
    render: (tr) =>
      confirmCard(tr, {
        title: tr.t('sub.confirm.title', { name: 'Microsoft 365 E3', customer: 'Contoso Ltd' }),
        subject: [
          { title: tr.t('sub.field.customer'), value: 'Contoso Ltd (contoso.onmicrosoft.com)' },
          { title: tr.t('sub.field.subscription'), value: 'Sales seats' },
          { title: tr.t('sub.field.offer'), value: 'Microsoft 365 E3' },
        ],
        changes: [{ field: tr.t('sub.field.quantity'), from: '10', to: '5' }, { field: tr.t('sub.field.autoRenew'), from: tr.t('sub.autoRenew.on'), to: tr.t('sub.autoRenew.off') }],
        consequences: ['Seats removed now are refunded.', 'The subscription ends at the end of its term.'],
        confirmation: signedConfirmation,
      }),
    shows: (tr) => [tr.t('common.confirm'), tr.t('confirm.keep'), 'Contoso Ltd (contoso.onmicrosoft.com)', 'Sales seats', 'Microsoft 365 E3'],
  },
  {
    name: 'confirm close SR',
    render: (tr) =>
      confirmCard(tr, {
        title: tr.t('sr.confirmClose.title', { id: srOpen.id! }),
        subject: [{ title: tr.t('sr.field.id'), value: srOpen.id! }, { title: tr.t('sr.field.title'), value: srOpen.title! }],
        changes: [{ field: tr.t('sr.field.status'), from: tr.t('sr.status.open'), to: tr.t('sr.status.closed') }],
        consequences: [tr.t('sr.confirmClose.consequence')],
        confirmation: { p: { op: 'sr.close', id: srOpen.id }, s: 'x' },
      }),
    shows: () => [srOpen.id!, srOpen.title!],
  },

  { name: 'SR open with notes', render: (tr) => serviceRequestCard(tr, srOpen), inputs: ['text'], shows: () => [srOpen.title!, srOpen.notes![0]!.text!] },
  { name: 'SR closed', render: (tr) => serviceRequestCard(tr, srClosed), inputs: [] }, // a closed request takes no more notes
  { name: 'SR without notes', render: (tr) => serviceRequestCard(tr, srNoNotes), inputs: ['text'], shows: (tr) => [tr.t('sr.notes.none')] },
  { name: 'SR with banner', render: (tr) => serviceRequestCard(tr, srOpen, { text: 'Note added.', style: 'good', lines: ['Microsoft is notified.'] }), inputs: ['text'], shows: () => ['Note added.'] },
  { name: 'SR with 200 long notes', render: (tr) => serviceRequestCard(tr, srHuge), inputs: ['text'] },

  { name: 'SR list empty', render: (tr) => serviceRequestListCard(tr, { items: [], offset: 0, pageSize: 10 }), shows: (tr) => [tr.t('sr.list.empty')] },
  { name: 'SR list first page', render: (tr) => serviceRequestListCard(tr, { items: srPage, offset: 0, nextOffset: 10, pageSize: 10 }), shows: (tr) => [tr.t('common.next')] },
  { name: 'SR list middle page', render: (tr) => serviceRequestListCard(tr, { items: srPage, offset: 10, nextOffset: 20, pageSize: 10 }, 'open'), shows: (tr) => [tr.t('common.previous'), tr.t('common.next')] },

  { name: 'SR form empty', render: (tr) => serviceRequestFormCard(tr, { topics, topicsFromFallback: false, nonce: 'b3f1c2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b' }), inputs: SR_FORM },
  {
    name: 'SR form with errors',
    render: (tr) =>
      serviceRequestFormCard(tr, {
        topics,
        topicsFromFallback: false,
        nonce: 'b3f1c2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b',
        values: { title: 'Mail flow', description: '', severity: 'critical', supportTopicId: topics[4]!.id, text: 'Started this morning.' },
        errors: { description: tr.t('field.required'), title: 'Too short' },
        formError: tr.t('common.fixFields'),
      }),
    inputs: SR_FORM,
    shows: (tr) => [tr.t('common.fixFields'), 'Too short'],
  },
  { name: 'SR form with fallback topics', render: (tr) => serviceRequestFormCard(tr, { topics: fallbackTopics, topicsFromFallback: true, nonce: 'b3f1c2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b' }), inputs: SR_FORM, shows: (tr) => [tr.t('sr.form.topicsFallback')] },

  { name: 'customer find', render: (tr) => customerListCard(tr, 'contoso', [contoso, customer(SEED.customers.contosoPharma), customer(SEED.customers.contosoHotels)]) },
  { name: 'customer pick', render: (tr) => customerListCard(tr, 'contoso', [contoso, customer(SEED.customers.contosoPharma)], 'pick') },
  { name: 'customer list empty', render: (tr) => customerListCard(tr, 'nobody', []), shows: (tr) => [tr.t('customer.list.empty', { query: 'nobody' })] },
  { name: 'customer list of 25', render: (tr) => customerListCard(tr, 'contoso', manyCustomers) },
  { name: 'customer list of 25 long names', render: (tr) => customerListCard(tr, 'contoso', manyLongCustomers) },

  { name: 'subscription list', render: (tr) => subscriptionListCard(tr, contoso, contosoSubs) },
  { name: 'subscription list empty', render: (tr) => subscriptionListCard(tr, fabrikam, []) },
  { name: 'subscription list of 50', render: (tr) => subscriptionListCard(tr, contoso, manySubs) },
  {
    name: 'subscription NCE editable, banner, form errors',
    render: (tr) =>
      subscriptionCard(tr, contoso, subNce, {
        now: NOW,
        banner: { text: 'Change requested.', style: 'warning', lines: ['Quantity: 10 → 12'] },
        form: { values: { quantity: '12', friendlyName: '', autoRenewEnabled: 'false' }, errors: { friendlyName: tr.t('field.required') }, formError: tr.t('common.fixFields') },
      }),
    inputs: SUB_FORM,
    shows: (tr) => [tr.t('sub.action.cancel'), tr.t('sub.action.suspend')],
  },
  { name: 'subscription NCE', render: (tr) => subscriptionCard(tr, contoso, subNce, { now: NOW }), inputs: SUB_FORM },
  { name: 'subscription NCE after the cancellation window', render: (tr) => subscriptionCard(tr, contoso, subNce, { now: NOW + 30 * DAY }), inputs: SUB_FORM },
  { name: 'subscription suspended', render: (tr) => subscriptionCard(tr, fabrikam, subSuspended, { now: NOW }), shows: (tr) => [tr.t('sub.action.reactivate')] },
  { name: 'subscription deleted', render: (tr) => subscriptionCard(tr, fabrikam, subDeleted, { now: NOW }) },
  {
    name: 'subscription NCE, the next-term form open with an error',
    render: (tr) => subscriptionCard(tr, contoso, subNce, { now: NOW, nextTerm: { open: true, value: '0', error: 'Enter at least 1.' } }),
    inputs: ['nextQuantity'],
    shows: (tr) => [tr.t('sub.renewal.title'), tr.t('sub.renewal.schedule'), 'Enter at least 1.'],
  },
  {
    name: 'subscription with changes scheduled for renewal',
    render: (tr) => subscriptionCard(tr, contoso, subScheduled, { now: NOW }),
    inputs: SUB_FORM,
    shows: (tr) => [tr.t('sub.renewal.scheduled', { what: scheduledText(tr, subScheduled, nextTermOf(subScheduled)!) }), tr.t('sub.renewal.clear'), tr.t('deadlines.action.nextTerm')],
  },
  {
    name: 'subscription NCE with auto-renew off',
    render: (tr) => subscriptionCard(tr, contoso, subRenewOff, { now: NOW }),
    inputs: SUB_FORM,
    shows: (tr) => [tr.t('deadlines.row.expires'), tr.t('sub.renewal.needsAutoRenew'), tr.t('deadlines.action.renewOn')],
  },
  { name: 'subscription legacy', render: (tr) => subscriptionCard(tr, contoso, subLegacy, { now: NOW }), inputs: SUB_FORM },

  { name: 'profile', render: (tr) => profileCard(tr, profile), inputs: PROFILE_FORM, shows: () => [profile.email!] },
  { name: 'profile with banner', render: (tr) => profileCard(tr, profile, { banner: { text: 'Saved.', style: 'good', lines: ['Email: a → b'] } }), inputs: PROFILE_FORM },
  {
    name: 'profile with errors',
    render: (tr) => profileCard(tr, profile, { form: { values: { email: 'not-an-email', telephone: '', website: 'ftp://x' }, errors: { email: 'Not an email address', website: 'Must be https' }, formError: tr.t('common.fixFields') } }),
    inputs: PROFILE_FORM,
    shows: () => ['Not an email address', 'Must be https', 'not-an-email'],
  },

  { name: 'errorToCard PartnerCenterError 400', render: (tr) => errorToCard(turnFor(tr), pcError), shows: (tr) => [tr.t('pc.code.800090'), tr.t('error.ids', { requestId: 'r', correlationId: 'c' })] },
  { name: 'errorToCard decommissioned', render: (tr) => errorToCard(turnFor(tr), pcDecommissioned), shows: (tr) => [tr.t('common.openInPartnerCenter')] },
  { name: 'errorToCard throttled', render: (tr) => errorToCard(turnFor(tr, 'corr-9'), pcThrottled), shows: () => ['42'] },
  { name: 'errorToCard plain Error', render: (tr) => errorToCard(turnFor(tr, 'corr-10'), new Error('secret stack')), shows: (tr) => [tr.t('error.unexpected'), 'corr-10'] },
  // renewals and windows (cards/deadlines.json): the seed's whole book, one page and many, in UTC and in a time zone
  { name: 'renewals', render: (tr) => deadlinesCard({ tr }, { view: 'renewals', book, now: NOW, days: 30, customerRef: '', offset: 0, kept: false }), shows: (tr) => ['Contoso Hotels', tr.t('deadlines.row.renews', { count: 30 })] },
  { name: 'renewals kept, in a time zone', render: (tr) => deadlinesCard({ tr, timeZone: 'Europe/Paris' }, { view: 'renewals', book, now: NOW, days: 30, customerRef: '', offset: 0, kept: true }), shows: (tr) => [instant({ tr, timeZone: 'Europe/Paris' }, new Date(NOW).toISOString())] },
  { name: 'renewals of one customer, none', render: (tr) => deadlinesCard({ tr }, { view: 'renewals', book: { ...book, rows: [] }, now: NOW, days: 1, customerRef: 'contoso', customerName: 'Contoso Ltd', offset: 0, kept: false }), shows: (tr) => [tr.t('deadlines.renewals.empty', { days: 1 })] },
  { name: 'renewals, a middle page of many', render: (tr) => deadlinesCard({ tr }, { view: 'renewals', book: manyBook, now: NOW, days: 30, customerRef: '', offset: 10, kept: false }), shows: (tr) => [tr.t('common.previous'), tr.t('common.next')] },
  { name: 'windows', render: (tr) => deadlinesCard({ tr }, { view: 'windows', book, now: NOW, days: 30, customerRef: '', offset: 0, kept: false }), shows: () => ['Wingtip Toys'] },
  { name: 'windows in a time zone', render: (tr) => deadlinesCard({ tr, timeZone: 'America/Los_Angeles' }, { view: 'windows', book, now: NOW, days: 30, customerRef: '', offset: 0, kept: false }), shows: (tr) => [instant({ tr, timeZone: 'America/Los_Angeles' }, new Date(NOW).toISOString())] },
  { name: 'deadlines progress', render: (tr) => progressCard(tr, 'renewals', 30, { phase: 'reading', read: 120, total: 340 }), shows: () => ['120', '340'] },
  // the daily deadlines digest (cards/digest.json): windows closing within 48 hours, renewals within its days
  { name: 'deadlines digest', render: (tr) => digestCard(tr, digestWatch, book, dueRows(book, NOW, 30), NOW), shows: (tr) => [tr.t('digest.windows'), tr.t('deadlines.renewals.title', { days: 30 }), 'Wingtip Toys', tr.t('notify.stop')] },
  { name: 'deadlines digest of many, in a time zone', render: (tr) => digestCard(tr, { ...digestWatch, timeZone: 'Europe/Paris' }, manyBook, dueRows(manyBook, NOW, 30), NOW), shows: (tr) => [instant({ tr, timeZone: 'Europe/Paris' }, new Date(NOW).toISOString())] },
  // reminders (cards/reminder.json): a window closing (seats added through the bot, here and in a chat; seen by a watch), a renewal
  { name: 'reminder, seats added by someone, in a time zone', render: (tr) => reminderCard(reminder(tr, { by: { name: 'Ada Lovelace', at: NOW - 6 * DAY, personal: false }, timeZone: 'Europe/Paris' }), wingtipFewDays, 4, NOW), shows: (tr) => [tr.t('reminder.window.remove', { count: 4 })] },
  { name: 'reminder, seats added in a personal chat', render: (tr) => reminderCard(reminder(tr, { by: { name: 'Ada', at: NOW - 6 * DAY, personal: true } }), wingtipFewDays, 1, NOW), shows: (tr) => [tr.t('reminder.window.remove', { count: 1 })] },
  { name: 'reminder, window seen by a watch', render: (tr) => reminderCard(reminder(tr, { watchId: 'w-0000abcd' }), wingtipFewDays, 4, NOW), shows: () => ['w-0000abcd'] },
  { name: 'reminder, renewal with scheduled seats', render: (tr) => reminderCard(reminder(tr, { kind: 'renewal', date: served(seedSub(SEED.subscriptions.hotelsScheduled.id)).commitmentEndDate!, watchId: 'w-0000abcd' }), served(seedSub(SEED.subscriptions.hotelsScheduled.id)), 18, NOW), shows: (tr) => [tr.t('reminder.renewal.off')] },

];

/** A digest as `watch deadlines 30` sets it in a channel. */
const digestWatch: Watch = {
  id: 'w-0a1b2c3d',
  kind: 'deadlines',
  days: 30,
  reference: {},
  conversationKey: 'k',
  setBy: { id: 'u', name: 'Alice Admin', tenantId: 't' },
  locale: 'en-US',
  createdAt: NOW,
  state: 'active',
  primed: true,
  lastSeen: {},
  threads: {},
};

/** What the error sink reads of a turn: its language, its calls (none here: nothing was sent) and its ids. */
export function turnFor(tr: Translator, correlationId?: string) {
  return { tr, calls: [], user: { getToken: async () => '', correlationId } };
}
