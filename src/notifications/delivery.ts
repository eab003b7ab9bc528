/**
 * Delivery: sends what the outbox holds. The first change to an item posts a root card with its current
 * state; later ones reply in that thread and update the root card in place; the author's name, when the
 * change was made through the bot, is on the card (authors.ts). Each entry Teams accepts is marked sent
 * (with the thread it went to) in the sender's next gap, and at the latest half a second later (marks.ts);
 * every mark is written before a delivery ends. What a delivery settled (entries sent or dropped, threads
 * started) is kept per shard until this instance next writes that shard (the recorder applies it); until
 * then the marks say it.
 */
import { translator, resolveLocale } from '../i18n';
import type { Logger } from '../logging/logger';
import type { KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import { changeCard, pausedCard, rootCard, type ItemView } from './cards';
import { Marks } from './marks';
import { DeliveryError, type TeamsSender } from './sender';
import { shardKey, shardOf, type Shard, type Snapshot, type Watch } from './watches';

export interface OutboxEntry {
  watchId: string;
  itemId: string;
  before?: Snapshot;
  after: Snapshot;
  view: ItemView;
  at: number;
  state: 'pending' | 'sent' | 'dropped';
  sentId?: string;
  /** Once sent: the root card of the item's thread it went to (its own id when it started the thread). */
  rootId?: string;
  /** Who made the change, when it was made through the bot (authors.ts). */
  by?: string;
}

/**
 * What a delivery settled in one shard, kept until this instance next writes that shard (the recorder),
 * which applies it: the outbox keys delivered or dropped leave the pending list, and the threads started
 * are saved in their watches.
 */
export interface Settled {
  finished: Set<string>;
  /** Per watch id: the watch's creation time (a watch removed and set again does not get them) and its new threads. */
  threads: Map<string, { createdAt: number; items: Record<string, { rootId: string }> }>;
}

/** The watch an outbox key belongs to (see outboxKey in recorder.ts). */
function watchOfKey(key: string): string {
  return key.split('/')[1] ?? '';
}

export interface DeliveryOptions {
  store: KeyValueStore;
  sender: TeamsSender;
  clock: Clock;
  logger: Logger;
}

export class Delivery {
  /** Per shard: what this instance's deliveries settled there since it last wrote that shard. */
  private readonly settled = new Map<number, Settled>();

  constructor(private readonly o: DeliveryOptions) {}

  /** What the next write of shard `n` should apply, if it would change `shard` (else it is forgotten). */
  settledFor(n: number, shard: Shard): Settled | undefined {
    const s = this.settled.get(n);
    if (s && !settles(shard, s)) this.settled.delete(n);
    return this.settled.get(n);
  }

  /** Whether a write of shard `n` is owed what was settled there. */
  owes(n: number): boolean {
    return this.settled.has(n);
  }

  /** Shard `n` was written with what was settled there. */
  written(n: number): void {
    this.settled.delete(n);
  }

  /** This instance holds no partition any more: the marks say it; whoever holds those watches now applies it. */
  forget(): void {
    this.settled.clear();
  }

  /**
   * Delivers the pending entries of the watches this instance polls, every shard and conversation at once
   * (the sender keeps Teams' limits), each watch's in the order they were seen. `created` are the entries
   * the recorder just wrote (not read back). Returns how many were posted.
   */
  async deliver(shards: Map<number, Shard>, created: Map<string, OutboxEntry>, mine: (w: Watch) => boolean): Promise<number> {
    // Another instance's entries are its own to deliver, and are not even read (the key names the watch); an
    // entry of a watch that is gone is anyone's to drop.
    const ours = new Map<number, string[]>();
    for (const [n, shard] of shards) {
      ours.set(n, shard.pending.filter((k) => {
        const w = shard.watches[watchOfKey(k)];
        return !w || mine(w);
      }));
    }
    const read = await this.o.store.getMany<OutboxEntry>([...ours.values()].flatMap((keys) => keys.filter((k) => !created.has(k))));
    const entryOf = (k: string) => created.get(k) ?? read.get(k)?.value;
    const work: Array<{ n: number; shard: Shard; keys: string[] }> = [];
    for (const [n, shard] of shards) {
      for (const keys of groupBy(ours.get(n)!, (k) => entryOf(k)?.watchId ?? '')) work.push({ n, shard, keys });
    }
    if (work.length === 0) return 0;
    let delivered = 0;
    const marks = new Marks<OutboxEntry>({ store: this.o.store, sender: this.o.sender, clock: this.o.clock, logger: this.o.logger });
    await Promise.all(
      work.map(async ({ n, shard, keys }) => {
        const settled = this.settledIn(n);
        for (const key of keys.sort((a, b) => (entryOf(a)?.at ?? 0) - (entryOf(b)?.at ?? 0))) {
          const e = entryOf(key);
          const w = e ? shard.watches[e.watchId] : undefined;
          if (!e || e.state !== 'pending' || !w || w.state === 'disabled') {
            // Delivered before (a crash, or another instance, came before its shard was written): its thread.
            if (e?.state === 'sent' && e.rootId && w && !w.threads[e.itemId]) threadsOf(settled, w)[e.itemId] ??= { rootId: e.rootId };
            settled.finished.add(key);
            continue;
          }
          const tr = translatorFor(w.locale);
          const started = settled.threads.get(w.id);
          const root = (started?.createdAt === w.createdAt ? started.items[e.itemId] : undefined) ?? w.threads[e.itemId];
          try {
            let sentId: string;
            let rootId: string;
            if (!root) {
              sentId = rootId = await this.o.sender.post(w.reference, rootCard(tr, w, e.view, e.after, { before: e.before, at: e.at, by: e.by }));
              threadsOf(settled, w)[e.itemId] = { rootId };
            } else {
              rootId = root.rootId;
              sentId = await this.o.sender.reply(w.reference, rootId, changeCard(tr, w, e.view, e.before, e.after, e.at, e.by));
              await this.o.sender.update(w.reference, rootId, rootCard(tr, w, e.view, e.after, { before: e.before, at: e.at, by: e.by })).catch(() => undefined);
            }
            marks.add(key, { ...e, state: 'sent', sentId, rootId });
            settled.finished.add(key);
            delivered++;
          } catch (err) {
            if (err instanceof DeliveryError && err.kind === 'gone') {
              await this.gone(w, err);
              marks.add(key, { ...e, state: 'dropped' });
              settled.finished.add(key);
              return;
            }
            this.o.logger.warn({ err, watch: w.id }, 'notification not delivered; it stays in the outbox');
            return; // keep this watch's order: later entries wait for the next cycle
          }
        }
      }),
    );
    await marks.drain();
    return delivered;
  }

  /** Posts once that the watch is paused until its setter signs in again. */
  async announcePause(w: Watch): Promise<void> {
    const tr = translatorFor(w.locale);
    try {
      await this.o.sender.post(w.reference, pausedCard(tr, w));
    } catch (e) {
      await this.gone(w, e);
    }
  }

  /** What this instance settled in shard `n` since that shard was last written. */
  private settledIn(n: number): Settled {
    let s = this.settled.get(n);
    if (!s) this.settled.set(n, (s = { finished: new Set(), threads: new Map() }));
    return s;
  }

  /** Teams says the bot cannot reach the conversation any more: disable the watch and drop the reference. */
  private async gone(w: Watch, e: unknown): Promise<void> {
    const code = e instanceof DeliveryError ? e.code ?? String(e.status) : 'unreachable';
    this.o.logger.warn({ watch: w.id, code }, 'conversation unreachable: watch disabled');
    await this.o.store.update<Shard>(shardKey(shardOf(w.id)), (s) => {
      const cur = s?.watches[w.id];
      if (!s || !cur) return undefined;
      s.watches[w.id] = { ...cur, state: 'disabled', reason: code, reference: {} };
      return s;
    });
  }
}

/** Applies what was settled to a shard being written: threads saved in their watches, finished keys out of pending. */
export function applySettled(s: Shard, settled: Settled): void {
  for (const [id, t] of settled.threads) {
    const w = s.watches[id];
    if (w && w.createdAt === t.createdAt && Object.keys(t.items).length > 0) s.watches[id] = { ...w, threads: { ...w.threads, ...t.items } };
  }
  s.pending = s.pending.filter((k) => !settled.finished.has(k));
}

/** Whether applying `settled` would change the shard. */
function settles(shard: Shard, settled: Settled): boolean {
  if (shard.pending.some((k) => settled.finished.has(k))) return true;
  for (const [id, t] of settled.threads) {
    const w = shard.watches[id];
    if (w && w.createdAt === t.createdAt && Object.entries(t.items).some(([item, { rootId }]) => w.threads[item]?.rootId !== rootId)) return true;
  }
  return false;
}

const translators = new Map<string, ReturnType<typeof translator>>();
/** Built once per locale, not per card. */
function translatorFor(locale: string): ReturnType<typeof translator> {
  const tr = translators.get(locale) ?? translator(resolveLocale(locale));
  translators.set(locale, tr);
  return tr;
}

/** The threads `w` started, in `settled` (kept with the watch's creation time: a watch set again starts afresh). */
function threadsOf(settled: Settled, w: Watch): Record<string, { rootId: string }> {
  let t = settled.threads.get(w.id);
  if (!t || t.createdAt !== w.createdAt) settled.threads.set(w.id, (t = { createdAt: w.createdAt, items: {} }));
  return t.items;
}

function groupBy<T>(xs: T[], key: (x: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const group = m.get(k);
    if (group) group.push(x);
    else m.set(k, [x]);
  }
  return [...m.values()];
}
