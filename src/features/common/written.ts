/**
 * After a write, what the user is told and what the audit trail keeps, in one place for every write.
 *
 * The rules: a change Partner Center applied is shown as applied, whatever happens after it (an audit store
 * that fails says so on the card, it never turns the change into a failure); a change whose outcome is
 * unknown says exactly that, with what Partner Center shows now and the request id.
 */
import type { Banner, ChangeRow } from '../../cards/common';
import type { Message } from '../../i18n';
import type { AuditEntry } from '../audit/log';
import type { Turn, BotDeps } from '../../commands/contract';
import { changedBanner, changeLine } from './banners';
import type { Authored } from '../../notifications/authors';

export interface WriteReport {
  outcome: 'applied' | 'unknown';
  /** What was done, e.g. "Your note was added." (applied only). */
  done?: Message;
  rows: ChangeRow[];
  /** What the audit trail keeps; its `changes` default to `rows`. */
  audit: Omit<AuditEntry, 'at' | 'by' | 'correlationId' | 'changes' | 'unconfirmed'> & { changes?: ChangeRow[] };
  requestId?: string;
  /** The answer was lost, and a read-back showed the change. */
  confirmedByRead?: boolean;
  createdKey?: 'common.createdBy';
  /** The item a watch may follow and the state this write left it in: a notification then names who did it. */
  watched?: { itemId: string; after: Authored['after'] };
}

/** Records the write (whatever becomes of the record) and returns the banner that says what happened. */
export async function reportWrite(d: BotDeps, t: Turn, w: WriteReport): Promise<Banner> {
  const saved = await d.audit.record(t, { changes: w.rows, ...w.audit, requestId: w.requestId, ...(w.outcome === 'unknown' ? { unconfirmed: true } : {}) });
  if (w.outcome === 'unknown') {
    return {
      text: t.tr.t('write.unknown'),
      style: 'attention',
      lines: [
        ...w.rows.map((r) => changeLine(t, r)),
        ...(w.requestId ? [t.tr.t('write.requestId', { requestId: w.requestId })] : []),
      ],
    };
  }
  if (w.watched) {
    // Kept only as a name for notifications: a store that fails here must not turn the change into a failure.
    const a: Authored = { by: { id: t.actor.id, name: t.actor.name }, conversationKey: t.conversationKey, at: d.clock.now(), after: w.watched.after };
    await d.authors.record(w.watched.itemId, a).catch((e: unknown) => t.log.warn({ err: e }, 'could not record who made a change'));
  }
  const banner = changedBanner(t, d.clock.now(), w.rows, w.createdKey);
  banner.lines = [
    ...(w.done ? [t.tr.text(w.done)] : []),
    ...(banner.lines ?? []),
    ...(w.confirmedByRead ? [t.tr.t('write.confirmedByRead')] : []),
  ];
  if (!saved) {
    banner.lines.push(t.tr.t('audit.notSaved'));
    banner.style = 'warning';
  }
  return banner;
}
