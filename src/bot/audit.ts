/**
 * The audit trail: every write the bot makes in Partner Center (who, what, old → new, when, the request
 * id Partner Center support can trace), kept in the shared store per conversation and shown by `audit`.
 */
import { TurnContext } from 'botbuilder';
import type { ChangeRow } from '../cards/common';
import { conversationKeyOf } from '../notifications/watches';
import type { KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import type { Turn } from './turn';

export type AuditAction = 'sr.create' | 'sr.note' | 'sr.close' | 'sub.update' | 'profile.update';

export interface AuditEntry {
  at: number;
  by: { id: string; name: string };
  action: AuditAction;
  /** What was changed: a service request id, "customer/subscription", or "support profile". */
  target: string;
  changes: ChangeRow[];
  /** MS-RequestId of the write, MS-CorrelationId of the user's action. */
  requestId?: string;
  correlationId: string;
  /** A subscription change Partner Center accepted (202) but had not applied yet. */
  pending?: boolean;
}

/** Entries kept per conversation (the oldest go first). */
const KEEP = 200;
const key = (conversationKey: string) => `audit/${conversationKey}`;

export class AuditLog {
  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
  ) {}

  async record(t: Turn, e: Omit<AuditEntry, 'at' | 'by' | 'requestId' | 'correlationId'>): Promise<void> {
    const write = [...t.calls].reverse().find((c) => c.method !== 'GET' && c.status < 300);
    const entry: AuditEntry = {
      ...e,
      at: this.clock.now(),
      by: { id: t.actor.id, name: t.actor.name },
      requestId: write?.requestId,
      correlationId: t.user.correlationId ?? '',
    };
    // The log names what changed; the values (notes, phone numbers…) stay in the audit store, not in logs.
    t.log.info({ audit: { ...entry, by: entry.by.id, changes: entry.changes.map((c) => c.field) } }, 'partner center write');
    await this.store.update<AuditEntry[]>(key(conversationKeyOf(TurnContext.getConversationReference(t.context.activity))), (cur) => [...(cur ?? []), entry].slice(-KEEP));
  }

  async recent(t: Turn, n = 20): Promise<AuditEntry[]> {
    const all = (await this.store.get<AuditEntry[]>(key(conversationKeyOf(TurnContext.getConversationReference(t.context.activity)))))?.value ?? [];
    return all.slice(-n).reverse();
  }
}
