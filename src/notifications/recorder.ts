/**
 * The recorder: compares observations with what each watch last saw, and writes every change as a
 * write-once outbox entry (keyed by watch, item and new state) before saving the new last-seen states with
 * their keys in one ETag-guarded write of the shard (re-read and re-applied on a conflict). It does not
 * know which source saw what: an observation equal to the last state is not a change, and one older than
 * it is ignored (observations.ts), so the same change seen twice, or by two sources, is recorded once.
 */
import { createHash } from 'node:crypto';
import { isETagConflict, type KeyValueStore, type Stored } from '../storage';
import { Authors, changedItems, type Authored } from './authors';
import type { ItemView } from './cards';
import { applySettled, type OutboxEntry, type Settled } from './delivery';
import type { Observation, ObservationIndex } from './observations';
import { shardKey, type Shard, type Snapshot, type Watch } from './watches';

/** What the recorder is given: observations, and what the sources that read watches in full found of them. */
export interface Batch {
  observations: ObservationIndex;
  /** Watches read in full this time (see Look.covered). */
  covered: ReadonlySet<string>;
  /** Watches whose setter must sign in again. */
  paused: ReadonlySet<string>;
  /** When set, only these watches hear the observations (a cycle's: the watches of this instance's partitions). */
  only?: ReadonlySet<string>;
}

export interface Recorded {
  /** The shard as written (or as read, when nothing was new). */
  shard: Shard;
  /** The outbox entries this call wrote. */
  created: Map<string, OutboxEntry>;
  /** Changes detected (written now, or found already written). */
  detected: number;
  /** Watches paused by this write: the setter is to be told once. */
  pausedNow: Watch[];
}

function changed(a: Snapshot | undefined, b: Snapshot): boolean {
  return !!a && (a.status !== b.status || a.count !== b.count);
}

export function outboxKey(watchId: string, itemId: string, s: Snapshot): string {
  const v = createHash('sha256').update(`${s.status}|${s.count}`).digest('base64url').slice(0, 12);
  return `outbox/${watchId}/${encodeURIComponent(itemId)}/${v}`;
}

export class Recorder {
  constructor(private readonly store: KeyValueStore) {}

  /**
   * Records what `batch` says about the watches of shard `n` (read as `doc`), applying `settled` (what this
   * instance's last delivery settled there) in the same write. A shard with nothing new is not written.
   */
  async record(n: number, doc: Stored<Shard>, batch: Batch, settled: Settled | undefined): Promise<Recorded> {
    const created = new Map<string, OutboxEntry>();
    const pausedNow: Watch[] = [];
    const heard = new Map<string, Map<string, Observation>>();
    for (const w of Object.values(doc.value.watches)) {
      if (w.state === 'disabled') continue;
      if (batch.paused.has(w.id)) {
        if (w.state !== 'paused') pausedNow.push(w);
        continue;
      }
      const h = hears(w, batch);
      if (h) heard.set(w.id, h);
    }
    /** Who made the changes seen, through the bot: read once, only when a watch here saw a change. */
    let authored: Map<string, Authored> | undefined;
    for (const [id, items] of heard) {
      const w = doc.value.watches[id]!;
      if (!w.primed) continue; // the first look records what is there
      for (const [itemId, o] of items) {
        const before = w.lastSeen[itemId];
        if (!before || !changed(before, o.state)) continue; // a new item is remembered, not announced
        // Read once per shard, at its first change: a look that sees no change costs nothing more.
        authored ??= await new Authors(this.store).of(changedItems(doc.value, heard));
        // Made through the bot in this very conversation: the card there already says what, who and when.
        const a = authored.get(itemId);
        if (a?.conversationKey === w.conversationKey) continue;
        const { seenAt: _, ...was } = before;
        created.set(outboxKey(w.id, itemId, o.state), { watchId: w.id, itemId, before: was, after: o.state, view: viewOf(w, o), at: o.seenAt, state: 'pending', ...(a ? { by: a.by.name } : {}) });
      }
    }
    const news = [...heard].some(([id, items]) => needsSave(doc.value.watches[id]!, items, batch.covered.has(id)));
    if (created.size === 0 && pausedNow.length === 0 && !settled && !news) return { shard: doc.value, created, detected: 0, pausedNow };
    const detected = [...created.keys()];
    // An entry that was already there (written before a crash, or the same change seen before) is read back
    // from the store at delivery, as it is there: created is only what this call wrote.
    const wrote = await Promise.all([...created].map(([key, entry]) => this.store.createIfAbsent<OutboxEntry>(key, entry)));
    wrote.forEach((ok, i) => ok || created.delete(detected[i]!));
    // Only the watches whose state changed are replaced, in place (see "Shards are changed in place" in
    // watches.ts): `s` is this write's own copy, just read. On a conflict the copy re-read is compared
    // afresh: what another instance saved in between is never moved backwards.
    const apply = (s: Shard): Shard => {
      for (const w of Object.values(s.watches)) {
        if (w.state === 'disabled') continue;
        if (batch.paused.has(w.id)) {
          s.watches[w.id] = { ...w, state: 'paused', reason: 'sign-in' };
          continue;
        }
        const items = s === doc.value ? heard.get(w.id) : hears(w, batch);
        const covered = batch.covered.has(w.id);
        if (!items || !needsSave(w, items, covered)) continue;
        const lastSeen: Record<string, Snapshot> = { ...w.lastSeen };
        // An item no longer listed keeps its last state (it may come back; e.g. a page boundary moved).
        for (const [itemId, o] of items) lastSeen[itemId] = { ...o.state, seenAt: o.seenAt };
        s.watches[w.id] = covered ? { ...w, primed: true, lastSeen, state: 'active', reason: undefined } : { ...w, lastSeen };
      }
      if (settled) applySettled(s, settled);
      s.pending = [...new Set([...s.pending, ...detected])];
      return s;
    };
    let shard: Shard | undefined = apply(doc.value);
    try {
      await this.store.put<Shard>(shardKey(n), shard, doc.eTag);
    } catch (e) {
      if (!isETagConflict(e)) throw e;
      shard = await this.store.update<Shard>(shardKey(n), (s) => (s ? apply(s) : undefined));
    }
    return { shard: shard ?? { watches: {}, pending: [] }, created, detected: detected.length, pausedNow };
  }
}

/** What `w` hears of the batch (undefined: nothing, it stays as it is: paused and not read again, or not active). */
function hears(w: Watch, batch: Batch): Map<string, Observation> | undefined {
  if (w.state === 'disabled' || batch.paused.has(w.id) || (batch.only && !batch.only.has(w.id))) return undefined;
  // A paused watch resumes only when a source reads it in full as its setter (the setter signed in again).
  if (w.state !== 'active' && !batch.covered.has(w.id)) return undefined;
  return batch.observations.heardBy(w);
}

function viewOf(w: Watch, o: Observation): ItemView {
  return o.item.kind === 'subscription' ? { ...o.item, customerName: w.customerName ?? '' } : o.item;
}

/** Whether what was heard (or being read in full) changes what the watch keeps. */
function needsSave(w: Watch, items: Map<string, Observation>, covered: boolean): boolean {
  if (covered && (!w.primed || w.state !== 'active' || w.reason !== undefined)) return true;
  for (const [itemId, { state }] of items) {
    const b = w.lastSeen[itemId];
    if (!b || b.status !== state.status || b.count !== state.count || b.title !== state.title || b.detail !== state.detail) return true;
  }
  return false;
}
