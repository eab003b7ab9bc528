/**
 * The compiled card templates (src/cards/render.ts) against adaptivecards-templating: every card the bot
 * sends (test/cards/cases.ts, shared with cards.test.ts), in every locale, must expand to exactly what
 * `new Template(json).expand({ $root: data })` gives, and through the compiled path (not the fallback).
 * The compiled code is built from the stored IR (cards/compiled/, checked against the templates by
 * compiled-ir.test.ts); the reference here is the real library.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'adaptivecards-templating';
import { CARDS_DIR, CARD_NAMES, expand, isCompiled, renderHooks, type AdaptiveCard, type CardName } from '../../src/cards/render';
import { seedAuditRecords } from '../../dev/sandbox/audit-seed';
import { createSeedData } from '../../dev/sandbox/seed';
import { activityCard } from '../../src/features/activity/cards';
import { auditRecordSchema } from '../../src/partner-center/activity-schema';
import { auditCard } from '../../src/features/audit/cards';
import { auditSentence } from '../../src/features';
import type { AuditEntry } from '../../src/features/audit/log';
import { sharedCard, unfurlCard } from '../../src/features/extension/cards';
import type { Item } from '../../src/features/extension/search';
import { LOCALES, translator, type Translator } from '../../src/i18n';
import { changeCard, pausedCard, rootCard, watchListCard, type ItemView } from '../../src/notifications/cards';
import type { Watch } from '../../src/notifications/watches';
import { CARDS, contoso, NOW, srOpen, subNce } from './cases';

const reference = (name: CardName, data: object) => new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8'))).expand({ $root: data });

// The cards cases.ts does not build (they have their own checks elsewhere): the message extension's, the
// notifications', the watch list and the audit log, with realistic data.
const watch = (w: Partial<Watch>): Watch => ({
  id: 'w-1a2b3c4d',
  kind: 'sr',
  srId: srOpen.id!,
  reference: {},
  conversationKey: 'k',
  setBy: { id: 'a', name: 'Alice [Admin]', tenantId: 't' },
  locale: 'en-US',
  createdAt: NOW,
  state: 'active',
  primed: true,
  lastSeen: {},
  threads: {},
  ...w,
});
const srView: ItemView = { kind: 'service-request', id: srOpen.id! };
const subView: ItemView = { kind: 'subscription', id: subNce.id!, customerId: contoso.id!, customerName: 'Contoso *Ltd*', nce: true };
const srBefore = { status: 'open', count: 2, title: srOpen.title! };
const subBefore = { status: 'active', count: 25, title: 'Sales seats' };
const where = { botId: '28:00000000-0000-4000-8000-0000000000b0', tenantId: 'f0f0f0f0-1111-4222-8333-444444444444' };
const items: Item[] = [
  { kind: 'customer', customer: contoso },
  { kind: 'subscription', customer: contoso, subscription: subNce },
  { kind: 'serviceRequest', sr: srOpen },
];
const entries = (tr: Translator): AuditEntry[] => [
  { at: NOW, by: { id: 'a', name: 'Alice Admin' }, action: 'sr.close', target: '616', item: { kind: 'sr', id: '616', title: 'Mail flow' }, changes: [{ field: tr.t('sr.field.status'), from: tr.t('sr.status.open'), to: tr.t('sr.status.closed') }], correlationId: 'c' },
  { at: NOW, by: { id: 'a', name: 'Alice Admin' }, action: 'sr.note', target: '616', item: { kind: 'sr', id: '616', title: 'Mail flow' }, changes: [{ field: tr.t('sr.field.note'), from: '—', to: 'Fixed' }], correlationId: 'c' },
  { at: NOW, by: { id: 'a', name: 'Alice Admin' }, action: 'sub.update', target: 'x', item: { kind: 'sub', id: 'x', name: 'Sales', customer: 'Contoso Ltd' }, changes: [{ field: tr.t('sub.change.quantity'), from: '25', to: '22' }], correlationId: 'c', pending: true },
  { at: NOW, by: { id: 'a', name: 'Alice Admin' }, action: 'profile.update', target: 'Support profile', changes: [], correlationId: 'c' },
];
const MORE: Array<{ name: string; render: (tr: Translator) => AdaptiveCard }> = [
  ...items.flatMap((item) => [
    { name: `shared ${item.kind}`, render: (tr: Translator) => sharedCard(tr, item, NOW, where, '29:1abcDEF-ghi_jkl') },
    { name: `shared ${item.kind}, sharer unknown`, render: (tr: Translator) => sharedCard(tr, item, NOW, where) },
    { name: `unfurl ${item.kind}`, render: (tr: Translator) => unfurlCard(tr, item, NOW, where) },
  ]),
  { name: 'notification root, SR', render: (tr) => rootCard(tr, watch({}), srView, srBefore) },
  { name: 'notification root, SR, after a change', render: (tr) => rootCard(tr, watch({}), srView, { ...srBefore, status: 'closed', count: 3 }, { before: srBefore, at: NOW }) },
  { name: 'notification root, subscription', render: (tr) => rootCard(tr, watch({ kind: 'subs', customerId: contoso.id!, customerName: 'Contoso Ltd' }), subView, subBefore) },
  { name: 'notification change, SR note', render: (tr) => changeCard(tr, watch({}), srView, srBefore, { ...srBefore, count: 3, detail: 'We **fixed** it: see [here](https://x)' }, NOW) },
  { name: 'notification change, SR status', render: (tr) => changeCard(tr, watch({}), srView, srBefore, { ...srBefore, status: 'closed' }, NOW) },
  { name: 'notification change, subscription', render: (tr) => changeCard(tr, watch({ kind: 'subs' }), subView, subBefore, { ...subBefore, status: 'suspended', count: 20 }, NOW) },
  { name: 'notification change, first seen', render: (tr) => changeCard(tr, watch({}), srView, undefined, srBefore, NOW) },
  { name: 'notification paused', render: (tr) => pausedCard(tr, watch({ state: 'paused' })) },
  {
    name: 'watch list',
    render: (tr) =>
      watchListCard(tr, [
        watch({}),
        watch({ id: 'w-00000002', kind: 'sr-all', openOnly: true, state: 'paused' }),
        watch({ id: 'w-00000003', kind: 'subs', customerId: contoso.id!, customerName: 'Contoso Ltd', state: 'disabled', reason: 'The customer relationship ended.' }),
      ]),
  },
  { name: 'watch list empty', render: (tr) => watchListCard(tr, []) },
  { name: 'audit', render: (tr) => auditCard(tr, entries(tr), auditSentence) },
  { name: 'audit empty', render: (tr) => auditCard(tr, [], auditSentence) },
  { name: 'activity', render: (tr) => activityCard(tr, { args: { days: 90 }, days: 90, since: NOW - 90 * 86_400_000, records: activityRecords(), offset: 0, pageSize: 10, skipped: 1, truncated: 500 }) },
  { name: 'activity of a customer, second page, in a time zone', render: (tr) => activityCard(tr, { customer: 'Contoso', args: { customer: 'Contoso', days: 30 }, days: 30, since: NOW - 30 * 86_400_000, records: [...activityRecords(), ...activityRecords()], offset: 10, pageSize: 10, skipped: 0, timeZone: 'Europe/Paris' }) },
  { name: 'activity empty', render: (tr) => activityCard(tr, { args: { days: 7 }, days: 7, since: NOW - 7 * 86_400_000, records: [], offset: 0, pageSize: 10, skipped: 0 }) },
];

/** The sandbox's seeded activity log, read as the client reads it. */
function activityRecords() {
  const data = createSeedData(NOW);
  seedAuditRecords(data, NOW);
  return data.auditRecords.map((r) => auditRecordSchema.parse(r.resource)).reverse();
}

test('the cases cover every template', () => {
  const names = new Set<CardName>();
  renderHooks.onExpand = (name) => names.add(name);
  try {
    for (const c of [...CARDS, ...MORE]) c.render(translator(LOCALES[0]!));
  } finally {
    renderHooks.onExpand = undefined;
  }
  expect([...names].sort()).toEqual([...CARD_NAMES].sort());
});

describe.each([...CARDS, ...MORE])('$name card', (c) => {
  test.each(LOCALES)('%s: compiled expansion equals adaptivecards-templating', (locale) => {
    const seen: Array<{ name: CardName; data: object; card: unknown; compiled: boolean }> = [];
    renderHooks.onExpand = (name, data, card, compiled) => seen.push({ name, data, card, compiled });
    try {
      c.render(translator(locale));
    } finally {
      renderHooks.onExpand = undefined;
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect({ name: s.name, compiled: s.compiled }).toEqual({ name: s.name, compiled: true });
      expect(s.card).toStrictEqual(reference(s.name, s.data));
    }
  });
});

test.each(CARD_NAMES)('%s: the template is compiled (uses only the constructs the compiler knows)', (name) => {
  expect(isCompiled(name)).toBe(true);
});

describe('the fallback', () => {
  // Data the compiler does not take on itself (absent fields, other types, keys differing in case): the
  // library's answer, whichever path gives it.
  const odd: object[] = [{}, { title: null, items: 'x', count: 3 }, { Title: 'A', title: 'B', items: [], notes: [], notesMore: '' }];
  test.each(CARD_NAMES)('%s', (name) => {
    for (const data of odd) {
      let want: unknown, wantError: unknown;
      try {
        want = reference(name, data);
      } catch (e) {
        wantError = e;
      }
      if (wantError) expect(() => expand(name, data)).toThrow();
      else expect(expand(name, data)).toStrictEqual(want);
    }
  });
});
