/**
 * Who changed an item through the bot. Partner Center's subscription resource does not say who changed it,
 * so the bot keeps its own record of each change it wrote: the recorder names that person on the
 * notification, and does not post the change back into the conversation it was made from (the card there
 * already shows it, with who and when).
 *
 * A record names a change only when what the notifier sees is the state that write produced (status and
 * count): a later change by someone else in the Partner Center portal is never put in this person's name.
 */
import type { KeyValueStore } from '../storage';
import type { Shard, Snapshot } from './watches';

export interface Authored {
  by: { id: string; name: string };
  /** Where the change was made (conversationKeyOf). */
  conversationKey: string;
  at: number;
  /** The state the write produced, as a watch compares it. */
  after: Pick<Snapshot, 'status' | 'count'>;
}

/** Long enough for a paused watch's next cycle to find it; past that, a change is not attributed. */
const KEEP_MS = 24 * 60 * 60_000;
const keyOf = (itemId: string) => `authored/${encodeURIComponent(itemId)}`;

export class Authors {
  constructor(private readonly store: KeyValueStore) {}

  /** Records the latest change to an item made through the bot (the last write wins: it is the state now). */
  async record(itemId: string, a: Authored): Promise<void> {
    await this.store.put<Authored>(keyOf(itemId), a, '*', { ttlMs: KEEP_MS });
  }

  /** Per item id: who made the change that produced the state seen now, when the bot made it. */
  async of(seen: Map<string, Snapshot>): Promise<Map<string, Authored>> {
    const out = new Map<string, Authored>();
    if (seen.size === 0) return out;
    const ids = [...seen.keys()];
    const records = await this.store.getMany<Authored>(ids.map(keyOf));
    for (const id of ids) {
      const a = records.get(keyOf(id))?.value;
      const s = seen.get(id)!;
      if (isAuthored(a) && a.after.status === s.status && a.after.count === s.count) out.set(id, a);
    }
    return out;
  }
}

/** A record of the expected shape (a stored record may be anything: it is then ignored, not trusted). */
function isAuthored(a: unknown): a is Authored {
  const r = a as Partial<Authored> | undefined;
  return (
    !!r && typeof r === 'object' && typeof r.conversationKey === 'string' && typeof r.by?.name === 'string' && typeof r.by.id === 'string' &&
    typeof r.after?.status === 'string' && typeof r.after.count === 'number'
  );
}

/**
 * The items whose status or count changed since a watch of this shard last saw them (what the recorder
 * announces, and so what authorship is looked up for), from what each watch heard (recorder.ts).
 */
export function changedItems(shard: Shard, heard: Map<string, Map<string, { state: Snapshot }>>): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  for (const [id, items] of heard) {
    const w = shard.watches[id];
    if (!w || !w.primed || w.state === 'disabled') continue;
    for (const [itemId, { state }] of items) {
      const before = w.lastSeen[itemId];
      if (before && (before.status !== state.status || before.count !== state.count)) out.set(itemId, state);
    }
  }
  return out;
}
