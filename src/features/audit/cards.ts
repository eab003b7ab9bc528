/** `audit`: the recent Partner Center writes made from this chat or channel, each a sentence with old → new. */
import type { AuditEntry } from './log';
import type { Audited } from '../../commands/contract';
import type { Translator } from '../../i18n';
import { expand, literal, type AdaptiveCard } from '../../cards/render';

/** The sentence each audit action is told by, as the commands declare it (src/features/index.ts gathers them). */
export type AuditSentences = (action: string) => Audited | undefined;

/**
 * "Alice Admin closed service request 616… “Cannot assign licenses”." An action no command declares (one
 * a newer version wrote, or a command since removed) is still shown, named by what it changed.
 */
function sentence(tr: Translator, e: AuditEntry, sentences: AuditSentences): string {
  return sentences(e.action)?.sentence(tr, e) ?? tr.t('audit.did.other', { who: literal(e.by.name), target: literal(e.target) || '—' });
}

/** "Status: Open → Closed", or "Note: …" for a value that had none before. */
function changeLine(tr: Translator, c: AuditEntry['changes'][number]): string {
  if (!c.from || c.from === '—') return tr.t('audit.value', { field: c.field, to: literal(c.to) });
  return tr.t('sub.change.row', { field: c.field, from: literal(c.from), to: literal(c.to) });
}

export function auditCard(tr: Translator, entries: AuditEntry[], sentences: AuditSentences): AdaptiveCard {
  return expand('audit', {
    title: tr.t('audit.title'),
    empty: tr.t('audit.empty'),
    items: entries.map((e) => ({
      headline: sentence(tr, e, sentences),
      when: tr.dateTime(new Date(e.at).toISOString()),
      lines: [...e.changes.map((c) => changeLine(tr, c)), ...(e.pending ? [tr.t('audit.pending')] : [])],
      footer: tr.t('audit.ids', { requestId: e.requestId ?? '—', correlationId: e.correlationId }),
    })),
  });
}
