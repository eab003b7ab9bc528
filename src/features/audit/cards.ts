/** `audit`: the recent Partner Center writes made from this chat or channel, each a sentence with old → new. */
import type { AuditEntry, AuditItem } from './log';
import type { Translator } from '../../i18n';
import { expand, literal, type AdaptiveCard } from '../../cards/render';

/** "Alice Admin closed service request 616… “Cannot assign licenses”." */
function sentence(tr: Translator, e: AuditEntry): string {
  const who = literal(e.by.name);
  const item: AuditItem = e.item ?? (e.action.startsWith('sr.') ? { kind: 'sr', id: e.target } : e.action === 'sub.update' ? { kind: 'sub', id: e.target, name: e.target } : { kind: 'profile' });
  const sr = item.kind === 'sr' ? { who, id: literal(item.id), title: literal(item.title) || '—' } : undefined;
  switch (e.action) {
    case 'sr.create':
      return tr.t('audit.did.sr.create', sr ?? { who, id: literal(e.target), title: '—' });
    case 'sr.note':
      return tr.t('audit.did.sr.note', sr ?? { who, id: literal(e.target), title: '—' });
    case 'sr.close':
      return tr.t('audit.did.sr.close', sr ?? { who, id: literal(e.target), title: '—' });
    case 'sub.update': {
      const sub = item.kind === 'sub' ? item : { name: e.target, customer: undefined };
      return tr.t('audit.did.sub.update', { who, name: literal(sub.name ?? e.target), customer: literal(sub.customer) || '—' });
    }
    case 'profile.update':
      return tr.t('audit.did.profile.update', { who });
  }
}

/** "Status: Open → Closed", or "Note: …" for a value that had none before. */
function changeLine(tr: Translator, c: AuditEntry['changes'][number]): string {
  if (!c.from || c.from === '—') return tr.t('audit.value', { field: c.field, to: literal(c.to) });
  return tr.t('sub.change.row', { field: c.field, from: literal(c.from), to: literal(c.to) });
}

export function auditCard(tr: Translator, entries: AuditEntry[]): AdaptiveCard {
  return expand('audit', {
    title: tr.t('audit.title'),
    empty: tr.t('audit.empty'),
    items: entries.map((e) => ({
      headline: sentence(tr, e),
      when: tr.dateTime(new Date(e.at).toISOString()),
      lines: [...e.changes.map((c) => changeLine(tr, c)), ...(e.pending ? [tr.t('audit.pending')] : [])],
      footer: tr.t('audit.ids', { requestId: e.requestId ?? '—', correlationId: e.correlationId }),
    })),
  });
}
