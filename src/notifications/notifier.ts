/**
 * The notification cycle. Each instance, every interval (jittered):
 *
 * 1. claims its share of the partitions (leases.ts): the watches are split by setter (their partner
 *    tenant, partitionOf), so one setter's watches are polled by one instance only;
 * 2. polls Partner Center as each watch's setter, with their delegated token renewed silently: one paged
 *    list of the partner's service requests covers all their service-request watches, one list per
 *    watched customer covers its subscriptions; cost grows with what is watched, not with how often, and
 *    not with the number of instances;
 * 3. compares with the last state each watch saw; every change becomes an outbox entry (write-once, keyed
 *    by watch, item and new state) and the new last-seen state is saved with it in one ETag-guarded write;
 * 4. delivers the outbox, every shard and conversation at once (the sender keeps Teams' limits): the first
 *    change to an item posts a root card with its current state; later ones reply in that thread and
 *    update the root card in place. Each entry Teams accepts is marked sent (with the thread it went to)
 *    in the sender's next gap, and at the latest half a second later (marks.ts); every mark is written
 *    before the cycle ends. The shard's pending list and threads catch up in the instance's next write of
 *    that shard (step 3 of the next cycle); until then the marks say it.
 *
 * What a crash can cause: nothing detected is lost (an entry leaves its shard's pending list only once
 * Teams accepted it, or its conversation is gone); an entry whose mark was written is never posted again,
 * and the thread it started is found again from its mark; an entry Teams accepted shortly before the
 * crash (at most MAX_DELAY_MS plus one storage write before), whose mark was not written yet, is posted
 * again after the restart, once, in its watch's order.
 *
 * A watch whose setter can no longer get a token is paused (posted once, with a button to sign in and
 * resume); a conversation the bot can no longer reach disables its watches.
 */
import { createHash } from 'node:crypto';
import { changeCard, pausedCard, rootCard, type ItemView } from './cards';
import { translator, resolveLocale } from '../i18n';
import { SignInRequiredError, type TokenProvider } from '../identity';
import type { Logger } from '../logging/logger';
import { isNewCommerce, type PartnerCenterClient, type ServiceRequest, type ServiceRequestState, type Subscription, type UserContext } from '../partner-center';
import { isETagConflict, type KeyValueStore, type Stored } from '../storage';
import type { Clock } from '../util/clock';
import type { Leases } from './leases';
import { Marks } from './marks';
import { Authors, changedItems, type Authored } from './authors';
import { DeliveryError, type TeamsSender } from './sender';
import { partitionOf, SHARDS, shardKey, shardOf, type Shard, type Snapshot, type Watch } from './watches';

interface OutboxEntry {
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
 * What a delivery settled in one shard, kept until this instance next writes that shard (record), which
 * applies it: the outbox keys delivered or dropped leave the pending list, and the threads started are
 * saved in their watches.
 */
interface Settled {
  finished: Set<string>;
  /** Per watch id: the watch's creation time (a watch removed and set again does not get them) and its new threads. */
  threads: Map<string, { createdAt: number; items: Record<string, { rootId: string }> }>;
}

export interface NotifierOptions {
  store: KeyValueStore;
  client: PartnerCenterClient;
  tokens: TokenProvider;
  sender: TeamsSender;
  leases: Leases;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
}

/** Partner Center calls made by the last cycle (the benchmark reads it). */
export interface CycleReport {
  /** Partitions this instance holds (leased). */
  shards: number;
  partnerCenterCalls: number;
  changes: number;
  delivered: number;
}

export const SR_PAGE = 200;

/** What a watch compares of a service request read in full (`watch` sets its first state with it). */
export function srSnapshot(sr: ServiceRequest): Snapshot {
  const notes = sr.notes ?? [];
  return { status: String(sr.status ?? 'none'), count: notes.length, title: sr.title ?? sr.id ?? '', detail: notes.at(-1)?.text ?? undefined, detailBy: notes.at(-1)?.createdByName ?? undefined };
}

/** The same, of a service request as the notifier lists it (listServiceRequestStates): equal for the same request. */
export function listedSnapshot(sr: ServiceRequestState): Snapshot {
  return { status: String(sr.status ?? 'none'), count: sr.noteCount, title: sr.title ?? sr.id ?? '', detail: sr.lastNote, detailBy: sr.lastNoteBy };
}

export function subSnapshot(s: Subscription): Snapshot {
  return { status: String(s.status ?? 'none'), count: s.quantity ?? 0, title: s.friendlyName || s.offerName || s.id };
}

/** What "watch sr all open" covers. */
export function isOpen(sr: { status?: string | null }): boolean {
  return sr.status === 'open' || sr.status === 'attention_needed' || sr.status === 'none';
}

function changed(a: Snapshot | undefined, b: Snapshot): boolean {
  return !!a && (a.status !== b.status || a.count !== b.count);
}

function outboxKey(watchId: string, itemId: string, s: Snapshot): string {
  const v = createHash('sha256').update(`${s.status}|${s.count}`).digest('base64url').slice(0, 12);
  return `outbox/${watchId}/${encodeURIComponent(itemId)}/${v}`;
}

/** The watch an outbox key belongs to (see outboxKey). */
function watchOfKey(key: string): string {
  return key.split('/')[1] ?? '';
}

export class Notifier {
  private timer?: NodeJS.Timeout;
  private running?: Promise<CycleReport>;
  private stopped = true;
  /** Per shard: what this instance's deliveries settled there since it last wrote that shard. */
  private readonly settled = new Map<number, Settled>();

  constructor(private readonly o: NotifierOptions) {}

  start(): void {
    this.stopped = false;
    const schedule = () => {
      if (this.stopped) return;
      const jitter = this.o.intervalMs * (0.8 + Math.random() * 0.4);
      this.timer = setTimeout(() => {
        void this.cycle()
          .catch((e) => this.o.logger.error({ err: e }, 'notification cycle failed'))
          .finally(schedule);
      }, jitter);
      this.timer.unref();
    };
    schedule();
  }

  /** Stops the loop, waits for a cycle in flight, and gives the leases back. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.o.leases.release();
  }

  cycle(): Promise<CycleReport> {
    const started = this.o.clock.now();
    this.running ??= this.runCycle()
      .then((r) => {
        // A cycle that found and sent nothing is not news every minute (its failures are logged as warnings).
        const idle = r.changes === 0 && r.delivered === 0;
        this.o.logger[idle ? 'debug' : 'info']({ ...r, ms: this.o.clock.now() - started }, 'notification cycle');
        return r;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async runCycle(): Promise<CycleReport> {
    const partitions = await this.o.leases.claim();
    const report: CycleReport = { shards: partitions.length, partnerCenterCalls: 0, changes: 0, delivered: 0 };
    if (partitions.length === 0) {
      this.settled.clear(); // the marks say it; whoever polls those watches now applies it
      return report;
    }
    const mine = (w: Watch) => this.o.leases.holds(partitionOf(w.setBy));
    // Shard by shard (one document in memory as text at a time): the memory a cycle takes stays small.
    const docs = new Map<number, Stored<Shard>>();
    const watches: Watch[] = [];
    for (let n = 0; n < SHARDS; n++) {
      const doc = await this.o.store.get<Shard>(shardKey(n));
      if (!doc) continue;
      const own = Object.values(doc.value.watches).filter(mine);
      if (own.length > 0 || doc.value.pending.length > 0 || this.settled.has(n)) docs.set(n, doc);
      for (const w of own) if (w.state !== 'disabled') watches.push(w);
    }

    // One batch of Partner Center reads per setter, shared by all their watches.
    const bySetter = new Map<string, Watch[]>();
    for (const w of watches) {
      const k = `${w.setBy.tenantId}/${w.setBy.id}`;
      const group = bySetter.get(k);
      if (group) group.push(w);
      else bySetter.set(k, [w]);
    }
    const observed = new Map<string, Map<string, { snap: Snapshot; view: ItemView }> | 'paused'>();
    for (const group of bySetter.values()) {
      const result = await this.observe(group, report);
      for (const w of group) observed.set(w.id, result === 'paused' ? 'paused' : result.get(w.id)!);
    }

    // Every shard's changes are recorded (one shard after the other) before any is delivered, then all
    // shards deliver at once.
    const shards = new Map<number, Shard>();
    const created = new Map<string, OutboxEntry>();
    for (const [n, doc] of docs) {
      const r = await this.record(n, doc, observed);
      shards.set(n, r.shard);
      for (const [k, e] of r.created) created.set(k, e);
      report.changes += r.detected;
    }
    docs.clear();
    report.delivered = await this.deliver(shards, created, mine);
    return report;
  }

  /** Reads what a setter's watches cover, as that setter. */
  private async observe(group: Watch[], report: CycleReport): Promise<Map<string, Map<string, { snap: Snapshot; view: ItemView }>> | 'paused'> {
    const setter = group[0]!.setBy;
    const user: UserContext = { getToken: this.o.tokens.tokenFor(setter), tenantId: setter.tenantId, locale: group[0]!.locale };
    const out = new Map<string, Map<string, { snap: Snapshot; view: ItemView }>>();
    try {
      // Only what is compared is read of each listed request (never its full resource), and only its
      // snapshot is kept once the page is read.
      let srs: Array<{ id: string; open: boolean; snap: Snapshot }> | undefined;
      if (group.some((w) => w.kind !== 'subs')) {
        srs = [];
        for (let offset = 0; ; ) {
          const page = await this.o.client.listServiceRequestStates(user, { offset, size: SR_PAGE });
          report.partnerCenterCalls++;
          for (const sr of page.items) if (sr.id) srs.push({ id: sr.id, open: isOpen(sr), snap: listedSnapshot(sr) });
          if (page.nextOffset === undefined || page.items.length === 0) break;
          offset = page.nextOffset;
        }
      }
      const subsByCustomer = new Map<string, Subscription[]>();
      for (const customerId of new Set(group.filter((w) => w.kind === 'subs').map((w) => w.customerId!))) {
        subsByCustomer.set(customerId, (await this.o.client.listSubscriptions(user, customerId)).items);
        report.partnerCenterCalls++;
      }
      const byId = new Map((srs ?? []).map((sr) => [sr.id, sr]));
      for (const w of group) {
        const items = new Map<string, { snap: Snapshot; view: ItemView }>();
        if (w.kind === 'subs') {
          for (const s of subsByCustomer.get(w.customerId!) ?? []) {
            items.set(s.id, { snap: subSnapshot(s), view: { kind: 'subscription', id: s.id, customerId: w.customerId!, customerName: w.customerName ?? '', nce: isNewCommerce(s) } });
          }
        } else if (w.kind === 'sr') {
          const sr = byId.get(w.srId ?? '');
          if (sr) items.set(sr.id, { snap: sr.snap, view: { kind: 'service-request', id: sr.id } });
        } else {
          for (const sr of srs ?? []) {
            // "all open": open ones, and any that was open when last seen (so its closing is heard).
            if (w.openOnly && !sr.open && !w.lastSeen[sr.id]) continue;
            items.set(sr.id, { snap: sr.snap, view: { kind: 'service-request', id: sr.id } });
          }
        }
        out.set(w.id, items);
      }
      return out;
    } catch (e) {
      if (e instanceof SignInRequiredError) return 'paused';
      this.o.logger.warn({ err: e, setter: setter.id }, 'watch polling failed; next cycle will try again');
      return new Map(group.map((w) => [w.id, new Map()]));
    }
  }

  /**
   * Writes the outbox entries first, then the new last-seen states with their keys, in one shard write
   * guarded by the ETag the cycle read (re-read and re-applied on a conflict). The same write applies what
   * this instance's last delivery settled in the shard. Returns the shard as written and the entries
   * created; a shard with nothing new is not written.
   */
  private async record(
    n: number,
    doc: Stored<Shard>,
    observed: Map<string, Map<string, { snap: Snapshot; view: ItemView }> | 'paused'>,
  ): Promise<{ shard: Shard; created: Map<string, OutboxEntry>; detected: number }> {
    const created = new Map<string, OutboxEntry>();
    const pausedNow: Watch[] = [];
    /** Who made the changes seen, through the bot: read once, only when a watch here saw a change. */
    let authored: Map<string, Authored> | undefined;
    for (const w of Object.values(doc.value.watches)) {
      const obs = observed.get(w.id);
      if (!obs || w.state === 'disabled') continue;
      if (obs === 'paused') {
        if (w.state !== 'paused') pausedNow.push(w);
        continue;
      }
      if (!w.primed) continue;
      for (const [itemId, { snap, view }] of obs) {
        const before = w.lastSeen[itemId];
        if (!before || !changed(before, snap)) continue; // a new item is remembered, not announced
        // Read once per shard, at its first change: a cycle that sees no change costs nothing more.
        authored ??= await new Authors(this.o.store).of(changedItems(doc.value, observed));
        // Made through the bot in this very conversation: the card there already says what, who and when.
        const a = authored.get(itemId);
        if (a?.conversationKey === w.conversationKey) continue;
        created.set(outboxKey(w.id, itemId, snap), { watchId: w.id, itemId, before, after: snap, view, at: this.o.clock.now(), state: 'pending', ...(a ? { by: a.by.name } : {}) });
      }
    }
    let settled = this.settled.get(n);
    if (settled && !settles(doc.value, settled)) {
      this.settled.delete(n);
      settled = undefined;
    }
    if (created.size === 0 && pausedNow.length === 0 && !settled && !this.seesNews(doc.value, observed)) return { shard: doc.value, created, detected: 0 };
    const detected = [...created.keys()];
    // An entry that was already there (written before a crash, or the same change seen before) is read back
    // from the store at delivery, as it is there: created here is only what this call wrote.
    const wrote = await Promise.all([...created].map(([key, entry]) => this.o.store.createIfAbsent<OutboxEntry>(key, entry)));
    wrote.forEach((ok, i) => ok || created.delete(detected[i]!));
    // Only the watches whose state changed are replaced, in place (see "Shards are changed in place" in
    // watches.ts): `s` is this cycle's own copy, just read.
    const apply = (s: Shard): Shard => {
      for (const w of Object.values(s.watches)) {
        const obs = observed.get(w.id);
        if (!obs || w.state === 'disabled') continue;
        if (obs === 'paused') {
          s.watches[w.id] = { ...w, state: 'paused', reason: 'sign-in' };
          continue;
        }
        if (!needsSave(w, obs)) continue;
        const lastSeen: Record<string, Snapshot> = {};
        for (const [itemId, { snap }] of obs) lastSeen[itemId] = snap;
        // An item no longer listed keeps its last state (it may come back; e.g. a page boundary moved).
        for (const [itemId, snap] of Object.entries(w.lastSeen)) lastSeen[itemId] ??= snap;
        s.watches[w.id] = { ...w, primed: true, lastSeen, state: 'active', reason: undefined };
      }
      if (settled) {
        for (const [id, t] of settled.threads) {
          const w = s.watches[id];
          if (w && w.createdAt === t.createdAt && Object.keys(t.items).length > 0) s.watches[id] = { ...w, threads: { ...w.threads, ...t.items } };
        }
      }
      s.pending = [...new Set([...(settled ? s.pending.filter((k) => !settled.finished.has(k)) : s.pending), ...detected])];
      return s;
    };
    let shard: Shard | undefined = apply(doc.value);
    try {
      await this.o.store.put<Shard>(shardKey(n), shard, doc.eTag);
    } catch (e) {
      if (!isETagConflict(e)) throw e;
      shard = await this.o.store.update<Shard>(shardKey(n), (s) => (s ? apply(s) : undefined));
    }
    this.settled.delete(n);
    for (const w of pausedNow) await this.announcePause(w);
    return { shard: shard ?? { watches: {}, pending: [] }, created, detected: detected.length };
  }

  /** Whether saving what was observed would change the shard (else the write is skipped). */
  private seesNews(shard: Shard, observed: Map<string, Map<string, { snap: Snapshot; view: ItemView }> | 'paused'>): boolean {
    for (const w of Object.values(shard.watches)) {
      const obs = observed.get(w.id);
      if (obs && w.state !== 'disabled' && obs !== 'paused' && needsSave(w, obs)) return true;
    }
    return false;
  }

  private async announcePause(w: Watch): Promise<void> {
    const tr = translatorFor(w.locale);
    try {
      await this.o.sender.post(w.reference, pausedCard(tr, w));
    } catch (e) {
      await this.gone(w, e);
    }
  }

  /**
   * Delivers the pending entries of the watches this instance polls, every shard and conversation at once
   * (the sender keeps Teams' limits), each watch's in the order they were detected. Each post Teams accepts
   * is marked in its outbox entry (marks.ts: written in the sender's gaps, all written before this returns).
   * What was settled (entries delivered or dropped, threads started) is kept for each shard's next write
   * (record, next cycle) instead of a second write of every shard now; until then the marks say it: an
   * entry marked sent or dropped is never posted again, and a sent entry gives back the thread it started.
   */
  private async deliver(shards: Map<number, Shard>, created: Map<string, OutboxEntry>, mine: (w: Watch) => boolean): Promise<number> {
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

/** Whether applying `settled` would change the shard. */
function settles(shard: Shard, settled: Settled): boolean {
  if (shard.pending.some((k) => settled.finished.has(k))) return true;
  for (const [id, t] of settled.threads) {
    const w = shard.watches[id];
    if (w && w.createdAt === t.createdAt && Object.entries(t.items).some(([item, { rootId }]) => w.threads[item]?.rootId !== rootId)) return true;
  }
  return false;
}

/** Whether what was observed differs from what the watch keeps. */
function needsSave(w: Watch, obs: Map<string, { snap: Snapshot }>): boolean {
  if (!w.primed || w.state !== 'active' || w.reason !== undefined) return true;
  for (const [itemId, { snap }] of obs) {
    const b = w.lastSeen[itemId];
    if (!b || b.status !== snap.status || b.count !== snap.count || b.title !== snap.title || b.detail !== snap.detail) return true;
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
