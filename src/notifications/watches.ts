/**
 * Watches: a chat or channel asking to hear about changes to service requests or a customer's
 * subscriptions. Kept in the shared store, spread over shards (the unit of work an instance leases), each
 * shard one document updated with ETag concurrency. A watch lives in exactly one document, its shard:
 * creating it is one conditional write, and `watches` reads the shards, so what is listed is what posts
 * (no second document to fall out of step after a crash).
 *
 * A watch's id is derived from what it watches and where (conversation, kind, target), so the same watch
 * asked twice lands on the same id in the same shard, and the shard's conditional write answers "already
 * watching" atomically, across instances.
 *
 * A watch remembers the last state it saw of every item it covers, and the thread it posted each item's
 * changes in, so after a restart nothing is missed and nothing is posted twice.
 *
 * Shards are changed in place. Every store read returns the reader's own copy (parsed from what is
 * stored), so a change function may edit the shard it is given and return it. Copying a shard's record of
 * hundreds of watches instead (`{ ...shard.watches }`) makes V8 build a new hidden class, property by
 * property, for every copy: hundreds of KB per copy, several MB per notification cycle, most of it
 * surviving long enough to be promoted to the old generation.
 */
import { createHash } from 'node:crypto';
import type { ConversationReference } from 'botbuilder';
import type { KeyValueStore } from '../storage';

/** `deadlines`: the daily deadlines digest (digest.ts), posted at a set hour rather than on a change. */
export type WatchKind = 'sr' | 'sr-all' | 'subs' | 'deadlines';
export type WatchState = 'active' | 'paused' | 'disabled';

/** What a watch compares between cycles. */
export interface Snapshot {
  /** Service request: status and number of notes; subscription: status and seats. */
  status: string;
  count: number;
  title: string;
  /** The newest note's text, to say what changed. */
  detail?: string;
  /** Who wrote it, as Partner Center names them. */
  detailBy?: string;
  /**
   * In a watch's lastSeen: when this state was seen (observations.ts), refreshed whenever the watch is saved
   * anyway. An observation older than it is ignored. Absent in a watch's first state, and in outbox entries.
   */
  seenAt?: number;
}

export interface Watch {
  id: string;
  kind: WatchKind;
  srId?: string;
  openOnly?: boolean;
  customerId?: string;
  customerName?: string;
  /** A digest: the renewals within this many days are in it. */
  days?: number;
  /** A digest: the setter's IANA time zone, when Teams gave one when it was set (its dates are then in it, else in UTC). */
  timeZone?: string;
  /** A digest: its last run (digest.ts), what `watches` shows. */
  lastRun?: DigestRun;
  /** Where to post: the chat, or the channel (not the thread the command was typed in). */
  reference: Partial<ConversationReference>;
  conversationKey: string;
  setBy: { id: string; name: string; tenantId: string };
  locale: string;
  createdAt: number;
  state: WatchState;
  /** Why it is paused or disabled (shown by `watches`). */
  reason?: string;
  /** The first cycle records what is there; only later differences are changes. */
  primed: boolean;
  lastSeen: Record<string, Snapshot>;
  /** Per item: the root card of its thread. */
  threads: Record<string, { rootId: string }>;
}

/** What a digest's run of one day came to. */
export interface DigestRun {
  /** The UTC day it ran for (yyyy-mm-dd). */
  day: string;
  at: number;
  /** posted: a card with `rows` deadlines; empty: nothing was due; failed: Teams or Partner Center failed, 3 times; paused: the setter must sign in. */
  outcome: 'posted' | 'empty' | 'failed' | 'paused';
  rows: number;
}

export interface Shard {
  watches: Record<string, Watch>;
  /** Outbox entries detected but not yet delivered (keys into the store). */
  pending: string[];
}

export const SHARDS = 16;

export const shardKey = (n: number) => `watches/shards/${n}`;

export function shardOf(watchId: string): number {
  return createHash('sha256').update(watchId).digest().readUInt32BE(0) % SHARDS;
}

/**
 * Polling is split between instances by setter: a watch belongs to the partition of the partner tenant of
 * the person who set it (the one whose token polls). Every setter of one partner is polled by one instance,
 * so a partner's service requests are listed once per setter per cycle whatever the number of instances,
 * and that partner's Partner Center quota and Teams' per-tenant rate are spent in one place. Storage
 * shards (by watch id, above) and partitions (by setter) are independent: a shard holds watches of many
 * partitions, and each instance updates only its own watches in it (ETag-guarded).
 */
export const PARTITIONS = SHARDS;

export function partitionOf(setBy: Pick<Watch['setBy'], 'tenantId'>): number {
  return createHash('sha256').update(setBy.tenantId.toLowerCase()).digest().readUInt32BE(0) % PARTITIONS;
}

/** What makes two watches the same: where they post, and what they watch. */
function identityOf(w: Pick<Watch, 'conversationKey' | 'kind' | 'srId' | 'openOnly' | 'customerId'>): string {
  return JSON.stringify([w.conversationKey, w.kind, w.srId ?? null, w.kind === 'sr-all' ? !!w.openOnly : null, w.customerId ?? null]);
}

/** The id of the watch of `what` in its conversation: the same request gives the same id. */
export function watchIdFor(w: Pick<Watch, 'conversationKey' | 'kind' | 'srId' | 'openOnly' | 'customerId'>): string {
  return `w-${createHash('sha256').update(identityOf(w)).digest('hex').slice(0, 8)}`;
}

/** The conversation notifications go to: a channel's root (no `;messageid=`), or the chat itself. */
export function postingReference(ref: Partial<ConversationReference>): Partial<ConversationReference> {
  const id = ref.conversation?.id ?? '';
  return { ...ref, activityId: undefined, conversation: { ...ref.conversation!, id: id.split(';messageid=')[0]! } };
}

export function conversationKeyOf(ref: Partial<ConversationReference>): string {
  const id = (ref.conversation?.id ?? '').split(';messageid=')[0]!;
  return createHash('sha256').update(`${ref.channelId}|${id}`).digest('base64url').slice(0, 32);
}

export class WatchStore {
  /** `store` is public so `watches` can read what the notifier keeps beside the watches (activity-source.ts). */
  constructor(readonly store: KeyValueStore) {}

  /**
   * Adds the watch in one conditional write of its shard, unless the same watch (same id) is there:
   * then `created` is false and `watch` is the existing one. Give it an id from watchIdFor().
   */
  async add(w: Watch): Promise<{ created: boolean; watch: Watch }> {
    let existing: Watch | undefined;
    await this.store.update<Shard>(shardKey(shardOf(w.id)), (s) => {
      const shard = s ?? { watches: {}, pending: [] };
      existing = shard.watches[w.id];
      // A 32-bit id clash with a different watch is not "the same watch": never overwrite it.
      if (existing && identityOf(existing) !== identityOf(w)) throw new Error(`watch id ${w.id} clashes with a different watch`);
      if (existing) return undefined;
      shard.watches[w.id] = w;
      return shard;
    });
    return existing ? { created: false, watch: existing } : { created: true, watch: w };
  }

  /** Every watch, shard by shard (what the notifier polls). */
  async all(): Promise<Watch[]> {
    const keys = Array.from({ length: SHARDS }, (_, n) => shardKey(n));
    const shards = await this.store.getMany<Shard>(keys);
    return keys.flatMap((k) => Object.values(shards.get(k)?.value.watches ?? {}));
  }

  async get(id: string): Promise<Watch | undefined> {
    if (!/^w-[0-9a-f]{8}$/.test(id)) return undefined;
    return (await this.store.get<Shard>(shardKey(shardOf(id))))?.value.watches[id];
  }

  async remove(id: string): Promise<Watch | undefined> {
    let removed: Watch | undefined;
    await this.store.update<Shard>(shardKey(shardOf(id)), (s) => {
      removed = s?.watches[id];
      if (!s || !removed) return undefined;
      delete s.watches[id];
      return s;
    });
    return removed;
  }

  /** The conversation's watches, read from the shards themselves: exactly the ones that post here. */
  async inConversation(conversationKey: string): Promise<Watch[]> {
    return (await this.all()).filter((w) => w.conversationKey === conversationKey);
  }

  /** Changes one watch in place (state, reason, reference); no-op when it is gone. */
  async patch(id: string, change: (w: Watch) => Watch): Promise<void> {
    await this.store.update<Shard>(shardKey(shardOf(id)), (s) => {
      const w = s?.watches[id];
      if (!s || !w) return undefined;
      s.watches[id] = change(w);
      return s;
    });
  }

  /** Every watch of a conversation: disable (the bot was removed) or re-point (renamed/moved). */
  async patchConversation(conversationKey: string, change: (w: Watch) => Watch): Promise<number> {
    const watches = await this.inConversation(conversationKey);
    for (const w of watches) await this.patch(w.id, change);
    return watches.length;
  }
}
