/**
 * The message extension's cards in every locale: the shared card (1.5, with a Universal Actions refresh)
 * and the unfurl card (within Adaptive Cards 1.3), against the official schema, the renderer, and the
 * version each element and property was introduced in; the previews; Partner Center text shown literally.
 */
import { createSeedData, SEED } from '../../dev/sandbox/seed';
import type { AdaptiveCard } from '../../src/cards/render';
import { previewOf, sharedCard, unfurlCard } from '../../src/features/extension/cards';
import type { Item } from '../../src/features/extension/search';
import { VERB } from '../../src/cards/verbs';
import { LOCALES, translator } from '../../src/i18n';
import { customerSchema, serviceRequestSchema, subscriptionSchema } from '../../src/partner-center/schemas';
import { byteSize, executeActions, inputIds, leftoverErrors, rendererErrors, schemaErrors, strings, urlErrors, walk } from './validate';
import { cardVersionErrors } from './version';

const NOW = Date.UTC(2025, 5, 2, 9, 0, 0);
const seed = createSeedData(NOW);
const C = SEED.customers.contoso;
const contoso = customerSchema.parse({ id: C.id, companyProfile: { tenantId: C.id, domain: C.domain, companyName: C.companyName }, relationshipToPartner: 'reseller' });
const sub = subscriptionSchema.parse(seed.subscriptions.find((s) => s.resource.id === SEED.subscriptions.contosoNceNew.id)!.resource);
const sr = serviceRequestSchema.parse(seed.serviceRequests.find((s) => s.resource.id === SEED.serviceRequests.open.id)!.resource);
const where = { botId: '28:00000000-0000-4000-8000-0000000000b0', tenantId: 'f0f0f0f0-1111-4222-8333-444444444444' };
const SHARER = '29:1abcDEF-ghi_jkl';

const ITEMS: Array<[string, Item, string]> = [
  ['customer', { kind: 'customer', customer: contoso }, C.domain],
  ['subscription', { kind: 'subscription', customer: contoso, subscription: sub }, 'Microsoft 365 E3'],
  ['service request', { kind: 'serviceRequest', sr }, SEED.serviceRequests.open.title],
];

describe.each(ITEMS)('%s', (_name, item, shows) => {
  describe.each(LOCALES)('%s', (locale) => {
    const tr = translator(locale);
    const shared = sharedCard(tr, item, NOW, where, SHARER);
    const unfurl = unfurlCard(tr, item, NOW, where);

    test.each([
      ['shared', shared],
      ['unfurl', unfurl],
    ] as Array<[string, AdaptiveCard]>)('%s card: valid, rendered, https links, small, read-only', (_kind, card) => {
      expect(schemaErrors(card)).toEqual([]);
      expect(rendererErrors(card)).toEqual([]);
      expect(leftoverErrors(card)).toEqual([]);
      expect(urlErrors(card)).toEqual([]);
      expect(byteSize(card)).toBeLessThan(6_000);
      expect(inputIds(card)).toEqual([]);
      const texts = [...strings(card)].map((s) => s.value);
      expect(texts.some((t) => t.includes(shows))).toBe(true);
      expect(texts).toContain(tr.t('ext.readAt', { when: tr.dateTime(new Date(NOW).toISOString()) }));
      expect((card.actions as Array<{ type: string; title: string }>).map((a) => [a.type, a.title])).toEqual([
        ['Action.OpenUrl', tr.t('ext.open')],
        ['Action.OpenUrl', tr.t('common.openInPartnerCenter')],
      ]);
    });

    test('the unfurl card stays within Adaptive Cards 1.3 (what Teams renders for unfurled links)', () => {
      expect(unfurl.version).toBe('1.3');
      expect(cardVersionErrors(unfurl, '1.3')).toEqual([]);
    });

    test('the shared card refreshes through ext.refresh, automatically for the sharer in big channels', () => {
      expect(cardVersionErrors(shared, '1.5')).toEqual([]);
      expect(executeActions(shared).map((a) => a.verb)).toEqual([VERB.extRefresh]);
      expect((shared.refresh as { userIds: string[] }).userIds).toEqual([SHARER]);
      // Without a sharer there is no userIds: an empty list would turn automatic refresh off.
      expect(sharedCard(tr, item, NOW, where).refresh).not.toHaveProperty('userIds');
    });

    test('the preview is a thumbnail whose tap chooses the item', () => {
      const p = previewOf(tr, item);
      expect(p.contentType).toBe('application/vnd.microsoft.card.thumbnail');
      const { sharedBy: _sharer, ...ids } = (shared.refresh as { action: { data: Record<string, string> } }).action.data;
      expect(p.content.tap).toEqual({ type: 'invoke', value: ids });
      expect(ids.kind).toBe(item.kind);
    });
  });
});

describe('the version check itself', () => {
  it('finds what is newer than the version a card must stay within', () => {
    const card = {
      type: 'AdaptiveCard',
      version: '1.3',
      refresh: { action: { type: 'Action.Execute', verb: 'x' } },
      body: [{ type: 'Table', columns: [] }, { type: 'Container', rtl: true, items: [{ type: 'TextBlock', text: 'x', style: 'heading' }] }, { type: 'ActionSet', actions: [{ type: 'Action.Execute', title: 'x' }] }],
    };
    const errors = cardVersionErrors(card, '1.3');
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/refresh: AdaptiveCard\.refresh is Adaptive Cards 1\.4/),
        expect.stringMatching(/^\/body\/0: Table is Adaptive Cards 1\.5/),
        expect.stringMatching(/^\/body\/1\/rtl: .* 1\.5/),
        expect.stringMatching(/^\/body\/1\/items\/0\/style: TextBlock\.style is Adaptive Cards 1\.5/),
        expect.stringMatching(/^\/body\/2\/actions\/0: Action\.Execute is Adaptive Cards 1\.4/),
      ]),
    );
    expect(cardVersionErrors(card, '1.5').filter((e) => !e.includes('/version'))).toEqual([]);
    expect(cardVersionErrors({ ...card, version: '1.5' }, '1.3')[0]).toMatch(/^\/version: 1\.5 is newer than 1\.3/);
  });
});

describe('Partner Center text on the extension cards is shown literally', () => {
  const MD = '[click](https://evil.example) **x** <at>Eve</at> ${$root.title}';
  const tr = translator('en-US');
  const evil: Item = { kind: 'subscription', customer: { ...contoso, companyProfile: { ...contoso.companyProfile, companyName: MD } }, subscription: { ...sub, friendlyName: MD, offerName: MD } };
  it.each([
    ['shared', sharedCard(tr, evil, NOW, where)],
    ['unfurl', unfurlCard(tr, evil, NOW, where)],
  ] as Array<[string, AdaptiveCard]>)('%s', (_kind, card) => {
    const rendered = [...walk(card)].flatMap(({ value }) => (value.type === 'TextBlock' ? [String(value.text)] : value.type === 'FactSet' ? (value.facts as Array<{ value: string }>).map((f) => f.value) : []));
    const withIt = rendered.filter((t) => t.includes('click'));
    expect(withIt.length).toBeGreaterThanOrEqual(3);
    for (const t of withIt) {
      expect(t).not.toMatch(/(^|[^\\])\[click\]\(/);
      expect(t).not.toMatch(/(^|[^\\])<at>/);
      expect(t).toContain('${$root.title}');
    }
    expect(schemaErrors(card)).toEqual([]);
  });
});
