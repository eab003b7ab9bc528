/**
 * Customers found by name or domain prefix, each with a button naming the customer: to its subscriptions,
 * or, when the list answers `watch subs «name»`, to watch them (the pick sets the watch).
 */
import { VERB } from '../../cards/verbs';
import type { Translator } from '../../i18n';
import type { Customer } from '../../partner-center';
import { shownOf } from '../../cards/common';
import { expandFitting, literal, type AdaptiveCard } from '../../cards/render';

export type CustomerListMode = 'find' | 'pick' | 'pickToWatch';

export function customerListCard(tr: Translator, typed: string, customers: Customer[], mode: CustomerListMode = 'find'): AdaptiveCard {
  const query = literal(typed);
  const items = customers.map((c) => ({
    id: c.id,
    name: literal(c.companyProfile?.companyName ?? c.id),
    // Each button names its customer: a row of identical "Subscriptions" buttons says nothing to a screen reader.
    buttonLabel:
      mode === 'pickToWatch'
        ? tr.t('customer.action.watch', { name: literal(c.companyProfile?.companyName ?? c.id) })
        : tr.t('customer.action.subscriptions', { name: literal(c.companyProfile?.companyName ?? c.id) }),
    verb: mode === 'pickToWatch' ? VERB.watchSubs : VERB.customerSubscriptions,
    domain: `${tr.t('customer.field.domain')}: ${literal(c.companyProfile?.domain ?? '—')}`,
    tenant: `${tr.t('customer.field.tenantId')}: ${literal(c.companyProfile?.tenantId ?? c.id)}`,
    // The search, so the subscriptions card can lead back to this list.
    query: typed.trim().slice(0, 200),
  }));
  return expandFitting('customer-list', items.length, (shown) => ({
    title: mode === 'pickToWatch' ? tr.t('customer.list.pickToWatch', { query }) : mode === 'pick' ? tr.t('customer.list.pick', { query }) : tr.t('customer.list.title', { query }),
    empty: tr.t('customer.list.empty', { query }),
    items: items.slice(0, shown),
    more: shownOf(tr, shown, items.length),
  }));
}
