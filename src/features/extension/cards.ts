/**
 * What the message extension puts in a conversation, read-only:
 * - the shared card (Adaptive Card 1.5): key facts, when Partner Center was read, "Open in Partner Ops"
 *   (the bot's full card in a 1:1 chat) and the portal page, and a Universal Actions `refresh` so viewers
 *   who are signed in see current values;
 * - the unfurl card: the same, within Adaptive Cards 1.3 (what Teams renders for unfurled links), so
 *   without `refresh` (a 1.4 feature);
 * - the preview a search result shows in the flyout (a thumbnail card, whose tap chooses the item).
 */
import { expand, literal, type AdaptiveCard } from '../../cards/render';
import type { Translator } from '../../i18n';
import { customerName, statusLabel, subscriptionName } from '../subscriptions/cards';
import { VERB } from '../../cards/verbs';
import { botChatLink, commandFor, portalUrl, type PortalLink } from './links';
import { refOf, type Item } from './search';

export interface Where {
  /** The bot's id as Teams names it (`28:…`): where "Open in Partner Ops" leads. */
  botId: string;
  tenantId?: string;
}

function label(tr: Translator, prefix: 'sr.severity' | 'sr.status', value: string | null | undefined): string {
  if (!value) return '—';
  return tr.maybe(prefix, value) ?? value;
}

interface View {
  heading: string;
  title: string;
  subtitle: string;
  facts: Array<{ title: string; value: string }>;
  /** One line for the flyout preview. */
  summary: string;
}

/** The key facts of an item, as text for a card (Partner Center's text escaped). */
export function viewOf(tr: Translator, item: Item): View {
  switch (item.kind) {
    case 'customer': {
      const c = item.customer;
      const domain = c.companyProfile?.domain ?? '';
      return {
        heading: tr.t('ext.kind.customer'),
        title: literal(customerName(c)),
        subtitle: literal(domain),
        facts: [
          { title: tr.t('ext.field.domain'), value: literal(domain || '—') },
          { title: tr.t('ext.field.tenant'), value: c.id },
        ],
        summary: [literal(domain), c.id].filter(Boolean).join(' · '),
      };
    }
    case 'subscription': {
      const s = item.subscription;
      const seats = tr.t('sub.list.seats', { count: s.quantity ?? 0 });
      const offer = literal(s.offerName ?? s.offerId ?? '—');
      return {
        heading: tr.t('ext.kind.subscription'),
        title: literal(subscriptionName(s)),
        subtitle: literal(customerName(item.customer)),
        facts: [
          { title: tr.t('sub.field.offer'), value: offer },
          { title: tr.t('sub.field.quantity'), value: tr.number(s.quantity ?? 0) },
          { title: tr.t('sub.field.status'), value: statusLabel(tr, s.status) },
          { title: tr.t('ext.field.customer'), value: literal(customerName(item.customer)) },
        ],
        summary: [offer, seats, statusLabel(tr, s.status)].join(' · '),
      };
    }
    case 'serviceRequest': {
      const sr = item.sr;
      return {
        heading: tr.t('sr.title', { id: sr.id ?? '' }),
        title: literal(sr.title ?? '—'),
        subtitle: '',
        facts: [
          { title: tr.t('sr.field.status'), value: label(tr, 'sr.status', sr.status) },
          { title: tr.t('sr.field.severity'), value: label(tr, 'sr.severity', sr.severity) },
        ],
        summary: [label(tr, 'sr.status', sr.status), label(tr, 'sr.severity', sr.severity)].join(' · '),
      };
    }
  }
}

function cardData(tr: Translator, item: Item, readAt: number, where: Where) {
  const ref = refOf(item);
  const v = viewOf(tr, item);
  return {
    heading: v.heading,
    title: v.title,
    subtitle: v.subtitle,
    facts: v.facts,
    readAt: tr.t('ext.readAt', { when: tr.dateTime(new Date(readAt).toISOString()) }),
    openLabel: tr.t('ext.open'),
    openUrl: botChatLink(where.botId, commandFor(ref), where.tenantId),
    portalLabel: tr.t('common.openInPartnerCenter'),
    portalUrl: portalUrl(ref),
  };
}

/** What a refresh needs to read the item again: its kind and ids, and whose client refreshes it in a big channel. */
export function refreshData(ref: PortalLink, sharedBy?: string): Record<string, string> {
  return { ...ref, ...(sharedBy ? { sharedBy } : {}) };
}

/**
 * The card inserted into a conversation. Its `refresh` runs `ext.refresh` (Action.Execute) for viewers:
 * Teams refreshes it automatically for everyone in chats and channels of up to 60 people, and beyond that
 * only for the users in `userIds` (the person who shared it); others use "Refresh card" in the card's menu.
 */
export function sharedCard(tr: Translator, item: Item, readAt: number, where: Where, sharedBy?: string): AdaptiveCard {
  const card = expand('shared-item', cardData(tr, item, readAt, where));
  return {
    ...card,
    refresh: {
      action: { type: 'Action.Execute', title: tr.t('common.refresh'), verb: VERB.extRefresh, data: refreshData(refOf(item), sharedBy) },
      // An empty list would turn automatic refresh off; without the property, chats of up to 60 refresh for all.
      ...(sharedBy ? { userIds: [sharedBy] } : {}),
    },
  };
}

/** The card a pasted portal link unfurls into: Adaptive Cards 1.3, no refresh. */
export function unfurlCard(tr: Translator, item: Item, readAt: number, where: Where): AdaptiveCard {
  return expand('unfurl-item', cardData(tr, item, readAt, where));
}

/** The flyout's preview of a result: a thumbnail card whose tap sends `composeExtension/selectItem` with the item's ids. */
export function previewOf(tr: Translator, item: Item): { contentType: string; content: Record<string, unknown> } {
  const v = viewOf(tr, item);
  return {
    contentType: 'application/vnd.microsoft.card.thumbnail',
    content: {
      title: v.title,
      subtitle: v.subtitle || v.heading,
      text: v.summary,
      tap: { type: 'invoke', value: { ...refOf(item) } },
    },
  };
}
