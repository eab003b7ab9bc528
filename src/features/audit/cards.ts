/** `audit`: the recent Partner Center writes made from this chat or channel. */
import type { AuditEntry } from './log';
import type { Translator } from '../../i18n';
import { expand, literal, type AdaptiveCard } from '../../cards/render';

export function auditCard(tr: Translator, entries: AuditEntry[]): AdaptiveCard {
  return expand('audit', {
    title: tr.t('audit.title'),
    empty: tr.t('audit.empty'),
    items: entries.map((e) => ({
      headline: tr.t('audit.entry', { when: tr.dateTime(new Date(e.at).toISOString()), who: literal(e.by.name), action: tr.t(`audit.action.${e.action}` as const), target: literal(e.target) }),
      lines: [...e.changes.map((c) => tr.t('sub.change.row', { field: c.field, from: literal(c.from), to: literal(c.to) })), ...(e.pending ? [tr.t('audit.pending')] : [])],
      footer: tr.t('audit.ids', { requestId: e.requestId ?? '—', correlationId: e.correlationId }),
    })),
  });
}
