/**
 * The audit trail: every write the bot makes in Partner Center (who, what, old → new, when, the request
 * id Partner Center support can trace), kept in the shared store per conversation and shown by `audit`.
 */
import type { ChangeRow } from '../../cards/common';
import type { KeyValueStore } from '../../storage';
import type { Clock } from '../../util/clock';
import type { AuditItem, Turn } from '../../commands/contract';

export type { AuditItem };

/** The action a command or card action declares (its spec's `audit`): 'sr.note', 'sub.update', … */
export type AuditAction = string;

export interface AuditEntry {
  at: number;
  by: { id: string; name: string };
  action: AuditAction;
  /** What was changed: a service request id, "customer/subscription", or "support profile". */
  target: string;
  /** The same, named for the sentence `audit` shows (entries written before it have only `target`). */
  item?: AuditItem;
  changes: ChangeRow[];
  /** MS-RequestId of the write, MS-CorrelationId of the user's action. */
  requestId?: string;
  correlationId: string;
  /** A subscription change Partner Center accepted (202) but had not applied yet. */
  pending?: boolean;
  /** The write's answer was lost and reading back could not confirm it: it may or may not have happened. */
  unconfirmed?: boolean;
}

/** Entries kept per conversation (the oldest go first). */
const KEEP = 200;
const key = (conversationKey: string) => `audit/${conversationKey}`;

export class AuditLog {
  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Records a write. It never throws: an applied change stays applied whatever happens to its record, so the
   * caller learns `false` and tells the user the record could not be saved.
   */
  async record(t: Turn, e: Omit<AuditEntry, 'at' | 'by' | 'correlationId'>): Promise<boolean> {
    const write = [...t.calls].reverse().find((c) => c.method !== 'GET' && c.status > 0 && c.status < 300);
    const entry: AuditEntry = {
      ...e,
      at: this.clock.now(),
      by: { id: t.actor.id, name: t.actor.name },
      requestId: e.requestId ?? write?.requestId,
      correlationId: t.user.correlationId ?? '',
    };
    // The log names what changed; the values and names (notes, phone numbers, customers) stay in the store.
    // On the turn's one line (or a line of its own when the write lands after the turn's line was written).
    t.line.add({ audit: { action: entry.action, by: entry.by.id, changes: entry.changes.map((c) => c.field), requestId: entry.requestId, pending: entry.pending, unconfirmed: entry.unconfirmed } }, 'partner center write');
    try {
      await this.store.update<AuditEntry[]>(key(t.conversationKey), (cur) => [...(cur ?? []), entry].slice(-KEEP));
      return true;
    } catch (err) {
      t.log.error({ err, action: entry.action, requestId: entry.requestId }, 'audit record could not be saved after a Partner Center write');
      return false;
    }
  }

  async recent(t: Turn, n = 20): Promise<AuditEntry[]> {
    const all = (await this.store.get<AuditEntry[]>(key(t.conversationKey)))?.value ?? [];
    return all.slice(-n).reverse();
  }
}
