/** Customers found by name or domain prefix, each with a button to its subscriptions. */
import { VERB } from '../../cards/verbs';
import type { Translator } from '../../i18n';
import type { Customer } from '../../partner-center';
import { shownOf } from '../../cards/common';
import { expandFitting, literal, type AdaptiveCard } from '../../cards/render';

export function customerListCard(tr: Translator, typed: string, customers: Customer[], mode: 'find' | 'pick' = 'find'): AdaptiveCard {
  const query = literal(typed);
  const items = customers.map((c) => ({
    id: c.id,
    name: literal(c.companyProfile?.companyName ?? c.id),
    domain: `${tr.t('customer.field.domain')}: ${literal(c.companyProfile?.domain ?? '—')}`,
    tenant: `${tr.t('customer.field.tenantId')}: ${literal(c.companyProfile?.tenantId ?? c.id)}`,
    buttonLabel: tr.t('customer.action.subscriptions'),
    verb: VERB.customerSubscriptions,
    // The search, so the subscriptions card can lead back to this list.
    query: typed.trim().slice(0, 200),
  }));
  return expandFitting('customer-list', items.length, (shown) => ({
    title: mode === 'pick' ? tr.t('customer.list.pick', { query }) : tr.t('customer.list.title', { query }),
    empty: tr.t('customer.list.empty', { query }),
    items: items.slice(0, shown),
    more: shownOf(tr, shown, items.length),
  }));
}
