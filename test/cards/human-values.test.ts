/**
 * Values as a partner admin reads them, in every language: terms and billing cycles in words (Intl and the
 * catalogs), no label twice, buttons that cannot be read as a field's value, audit rows as sentences.
 */
import { auditCard } from '../../src/features/audit/cards';
import { auditSentence } from '../../src/features';
import type { AuditEntry } from '../../src/features/audit/log';
import { confirmCard } from '../../src/features/confirm/cards';
import { subscriptionCard } from '../../src/features/subscriptions/cards';
import { changeCard, rootCard } from '../../src/notifications/cards';
import type { Watch } from '../../src/notifications/watches';
import { LOCALES, translator } from '../../src/i18n';
import { customerSchema, subscriptionSchema } from '../../src/partner-center/schemas';
import { createSeedData, SEED } from '../../dev/sandbox/seed';
import { renderedTexts, rendererErrors, schemaErrors, strings } from './validate';

const NOW = Date.UTC(2025, 5, 2, 9, 0, 0);
const seed = createSeedData(NOW);
const sub = (id: string) => subscriptionSchema.parse(seed.subscriptions.find((s) => s.resource.id === id)!.resource);
const contoso = customerSchema.parse({ id: SEED.customers.contoso.id, companyProfile: { companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' } });
const nce = sub(SEED.subscriptions.contosoNce.id); // P1Y, monthly
const fabrikamNce = sub(SEED.subscriptions.fabrikamNce.id); // P1Y, annual

const watch: Watch = {
  id: 'w-1a2b3c4d',
  kind: 'sr',
  srId: SEED.serviceRequests.open.id,
  reference: {},
  conversationKey: 'k',
  setBy: { id: 'a', name: 'Alice Admin', tenantId: 't' },
  locale: 'en-US',
  createdAt: NOW,
  state: 'active',
  primed: true,
  lastSeen: {},
  threads: {},
};

describe.each(LOCALES)('%s', (locale) => {
  const tr = translator(locale);
  const years = (n: number) => new Intl.NumberFormat(locale, { style: 'unit', unit: 'year', unitDisplay: 'long' }).format(n);

  test('a subscription says its term and billing cycle in words, and names auto-renew once', () => {
    for (const s of [nce, fabrikamNce, { ...nce, termDuration: 'P3Y', billingCycle: 'triennial' }]) {
      const card = subscriptionCard(tr, contoso, s, { now: NOW });
      expect(schemaErrors(card)).toEqual([]);
      expect(rendererErrors(card)).toEqual([]);
      const texts = renderedTexts(card);
      const all = texts.join('\n');
      expect(all).not.toMatch(/\bP\d+[YMD]\b|\bmonthly\b|\bannual\b|\btriennial\b|\(s\)/);
      expect(all).toContain(years(s.termDuration === 'P3Y' ? 3 : 1));
      expect(all).toContain(tr.t(`sub.billing.${s.billingCycle as 'monthly' | 'annual' | 'triennial'}`));
      // The toggle says what it does: the "Auto-renew" label is the fact's alone.
      const label = tr.t('sub.field.autoRenew');
      expect([...strings(card)].filter((t) => t.value.includes(label))).toHaveLength(1);
    }
  });

  test('a billing cycle it does not know is shown as Partner Center wrote it, capitalized', () => {
    const all = renderedTexts(subscriptionCard(tr, contoso, { ...nce, billingCycle: 'biennial' }, { now: NOW })).join('\n');
    expect(all).toContain('Biennial');
  });

  test('notification buttons cannot be read as a field value ("Open" beside "Status Open")', () => {
    const view = { kind: 'service-request' as const, id: SEED.serviceRequests.open.id };
    const before = { status: 'open', count: 1, title: SEED.serviceRequests.open.title };
    for (const card of [rootCard(tr, watch, view, before), changeCard(tr, watch, view, before, { ...before, status: 'closed' }, NOW)]) {
      const c = card as { body: unknown[]; actions: Array<{ title: string }> };
      const values = ['open', 'closed', 'attention_needed', 'none'].map((s) => tr.t(`sr.status.${s}` as 'sr.status.open'));
      for (const a of c.actions) expect({ button: a.title, isValue: values.includes(a.title) }).toEqual({ button: a.title, isValue: false });
    }
  });

  test('the confirmation\'s buttons are Confirm and Keep as is, not an ambiguous Cancel', () => {
    const card = confirmCard(tr, { title: 't', subject: [], changes: [], consequences: [], confirmation: {} }) as { actions: Array<{ title: string }> };
    expect(card.actions.map((a) => a.title)).toEqual([tr.t('common.confirm'), tr.t('confirm.keep')]);
    expect(card.actions.map((a) => a.title)).not.toContain(tr.t('common.cancel'));
  });

  test('audit rows are sentences with old → new, and a value set for the first time reads "Field: value"', () => {
    const entries: AuditEntry[] = [
      { at: NOW, by: { id: 'a', name: 'Alice Admin' }, action: 'sr.close', target: '616', item: { kind: 'sr', id: '616', title: 'Mail flow' }, changes: [{ field: tr.t('sr.field.status'), from: tr.t('sr.status.open'), to: tr.t('sr.status.closed') }], correlationId: 'c' },
      { at: NOW, by: { id: 'a', name: 'Alice Admin' }, action: 'sr.note', target: '616', item: { kind: 'sr', id: '616', title: 'Mail flow' }, changes: [{ field: tr.t('sr.field.note'), from: '—', to: 'Fixed' }], correlationId: 'c' },
      { at: NOW, by: { id: 'a', name: 'Alice Admin' }, action: 'sub.update', target: 'x', item: { kind: 'sub', id: 'x', name: 'Sales', customer: 'Contoso Ltd' }, changes: [{ field: tr.t('sub.change.quantity'), from: '25', to: '22' }], correlationId: 'c' },
      // Written before audit rows named their item: still a sentence.
      { at: NOW, by: { id: 'a', name: 'Alice Admin' }, action: 'profile.update', target: 'Support profile', changes: [], correlationId: 'c' },
    ];
    const card = auditCard(tr, entries, auditSentence);
    expect(schemaErrors(card)).toEqual([]);
    const all = renderedTexts(card).join('\n');
    expect(all).toContain(tr.t('audit.did.sr.close', { who: 'Alice Admin', id: '616', title: 'Mail flow' }));
    expect(all).toContain(tr.t('sub.change.row', { field: tr.t('sr.field.status'), from: tr.t('sr.status.open'), to: tr.t('sr.status.closed') }));
    expect(all).toContain(tr.t('audit.value', { field: tr.t('sr.field.note'), to: 'Fixed' }));
    expect(all).toContain(tr.t('audit.did.sub.update', { who: 'Alice Admin', name: 'Sales', customer: 'Contoso Ltd' }));
    expect(all).toContain(tr.t('audit.did.profile.update', { who: 'Alice Admin' }));
    expect(all).not.toMatch(/— →/);
  });
});
