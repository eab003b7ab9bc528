/**
 * The activity log as a change source ("watch plus resync", docs/STYLE): Partner Center's throttling
 * guidance recommends reading the activity log over listing every resource on a timer
 * (https://learn.microsoft.com/partner-center/developer/api-throttling-guidance).
 *
 * Each cycle, for each setter with subscription watches in this instance's partitions: one read of their
 * activity log since a stored cursor, following continuation ("Get a record of Partner Center activity",
 * GET /v1/auditrecords). Only the watched customers the log names are read again: the one subscription when
 * every record names the same one, else one list of the customer's subscriptions. What is read goes to the
 * recorder as observations; the record's own content is never trusted (it only says "look here"), so a
 * duplicate, late or out-of-order record costs a read, never a wrong announcement.
 *
 * The log records what partner users and applications did: "changes Microsoft makes, such as renewals or
 * suspensions, may not appear". So the polling source (polling.ts) still lists every watched customer in
 * full every NOTIFY_SWEEP_MINUTES (the sweep), as planned here (SetterLogs implements its SweepPlan).
 *
 * A setter whose role cannot read the log (Partner Center answers 403) has every watched customer listed
 * every cycle instead, as before; the log is tried again once per sweep interval.
 *
 * Per setter, one record in the shared store (`notify/setters/…`): the cursor, when the sweep last ran,
 * when the log was last refused. It is written only by the instance holding the setter's partition (and
 * ETag-guarded), the cursor only ever moves forward, and all of it runs on the injected clock: a restart or
 * a takeover carries on where the last holder stopped.
 */
import { createHash } from 'node:crypto';
import { SignInRequiredError, type TokenProvider } from '../identity';
import type { Logger } from '../logging/logger';
import { isRefusal, PartnerCenterError, subscriptionOf, type ActivityCursor, type PartnerCenterClient, type Subscription, type UserContext } from '../partner-center';
import type { KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import { subObservation, type Look, type Source } from './observations';
import type { Leases } from './leases';
import { PollingSource, type Setter, type SweepPlan, type SweepSlice } from './polling';
import { partitionOf, type Watch } from './watches';

/** What is kept per setter. */
export interface SetterLog {
  cursor?: ActivityCursor;
  /** When the last complete sweep of their watched customers began. */
  sweptAt?: number;
  /** A sweep in progress: when it began, and the last customer (in id order) it listed. */
  sweep?: { startedAt: number; after: string };
  /** When Partner Center last refused them the activity log (403): until the log is read again, their customers are listed every cycle. */
  deniedAt?: number;
}

export const setterLogKey = (s: Pick<Setter, 'tenantId' | 'id'>) =>
  `notify/setters/${createHash('sha256').update(`${s.tenantId.toLowerCase()}|${s.id}`).digest('base64url').slice(0, 32)}`;

/** A setter's record outlives their last watch by this long (every sweep rewrites it). */
const KEEP_MS = 100 * 86_400_000;
/** Records per page: the API's largest (the sandbox and SDK accept 500), so a busy cycle is still one call. */
const PAGE_SIZE = 500;
/** Pages one cycle may follow per setter; the cursor keeps the place, the next cycle reads on. */
const MAX_PAGES = 10;
/**
 * Only subscription records ("ResourceType equals", the page's example value). The API filters by day, not
 * by instant, so every cycle reads the cursor's whole day again: leaving out license, user and customer
 * records keeps that to a page for most partners. An order's record (a new subscription) is not needed: a
 * new item is remembered, not announced, and the sweep lists it.
 */
const SUBSCRIPTIONS_ONLY = { field: 'resourceType', value: 'Subscription' } as const;
const DAY = 86_400_000;
/** A cursor this many days older than a day ago, with nothing new since, is moved up (see read). */
const QUIET_DAYS = 6;
/** Operations that changed nothing: no read. */
const CHANGED_NOTHING = new Set(['failed', 'decline']);

export interface SetterLogsOptions {
  store: KeyValueStore;
  clock: Clock;
  /** NOTIFY_SWEEP_MINUTES in ms (more than 0). */
  sweepMs: number;
  /** NOTIFY_INTERVAL_MS: how often a cycle runs (the sweep's slices are sized by it). */
  intervalMs: number;
  /** Whether this instance holds the partition (partitionOf) of a setter: only the holder writes their record. */
  holds(partition: number): boolean;
}

/** The per-setter records, shared by the activity source and the polling source's sweep. */
export class SetterLogs implements SweepPlan {
  constructor(private readonly o: SetterLogsOptions) {}

  async get(setter: Setter): Promise<SetterLog> {
    return (await this.o.store.get<SetterLog>(setterLogKey(setter)))?.value ?? {};
  }

  /** Whether the log is to be read for `log` this cycle: not while it is refused, except once per sweep interval. */
  logReadable(log: SetterLog): boolean {
    return log.deniedAt === undefined || this.o.clock.now() - log.deniedAt >= this.o.sweepMs;
  }

  /**
   * The sweep, spread over the sweep interval so that it never spends a minute's budget at once: each cycle
   * lists the next ⌈customers × cycle interval ÷ sweep interval⌉ customers (in id order) after where the
   * sweep in progress stopped; a new sweep begins a sweep interval after the last one began. A setter's
   * first sweep, and every cycle while their log is refused, list every customer at once.
   */
  async slice(setter: Setter, customers: string[]): Promise<SweepSlice | undefined> {
    const log = await this.get(setter);
    const now = this.o.clock.now();
    const all = [...customers].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    if (log.sweptAt === undefined || log.deniedAt !== undefined) return { customers: all, done: true, startedAt: now };
    const running = log.sweep;
    if (!running && now - log.sweptAt < this.o.sweepMs) return undefined;
    const after = running?.after.toLowerCase() ?? '';
    const rest = all.filter((c) => c.toLowerCase() > after);
    const size = Math.max(1, Math.ceil((all.length * this.o.intervalMs) / this.o.sweepMs));
    return { customers: rest.slice(0, size), done: rest.length <= size, startedAt: running?.startedAt ?? now };
  }

  async listed(setter: Setter, slice: SweepSlice): Promise<void> {
    await this.change(setter, (log) => {
      const { sweep: _previous, ...rest } = log;
      if (slice.done) return { ...rest, sweptAt: Math.max(slice.startedAt, log.sweptAt ?? 0) };
      return { ...rest, sweep: { startedAt: slice.startedAt, after: slice.customers.at(-1) ?? log.sweep?.after ?? '' } };
    });
  }

  /** The cursor moves only forward: a slower instance's older cursor never replaces a newer one. */
  async advanced(setter: Setter, cursor: ActivityCursor): Promise<void> {
    await this.change(setter, (log) => {
      const { deniedAt: _readable, ...rest } = log;
      const cur = log.cursor;
      const later = !cur || Date.parse(cursor.at) > Date.parse(cur.at) || (Date.parse(cursor.at) === Date.parse(cur.at) && cursor.ids.some((id) => !cur.ids.includes(id)));
      if (!later && log.deniedAt === undefined) return undefined; // nothing new: no write every cycle
      return { ...rest, cursor: later ? cursor : cur };
    });
  }

  async denied(setter: Setter): Promise<void> {
    const now = this.o.clock.now();
    await this.change(setter, (log) => ({ ...log, deniedAt: now }));
  }

  /** `f` returns the new record, or undefined to leave it as it is (no write). */
  private async change(setter: Setter, f: (log: SetterLog) => SetterLog | undefined): Promise<void> {
    // Checked at the write: a partition lost since the cycle began is the new holder's to write.
    if (!this.o.holds(partitionOf(setter))) return;
    await this.o.store.update<SetterLog>(setterLogKey(setter), (cur) => f(cur ?? {}), undefined, { ttlMs: KEEP_MS });
  }
}

/** The active subscription watches among `watches` whose setter's activity log is refused: `watches` says so. */
export async function polledWatches(store: KeyValueStore, watches: Watch[]): Promise<Set<string>> {
  const subs = watches.filter((w) => w.kind === 'subs' && w.state === 'active');
  const logs = await store.getMany<SetterLog>([...new Set(subs.map((w) => setterLogKey(w.setBy)))]);
  return new Set(subs.filter((w) => logs.get(setterLogKey(w.setBy))?.value.deniedAt !== undefined).map((w) => w.id));
}

export interface ActivityLogSourceOptions {
  client: PartnerCenterClient;
  tokens: TokenProvider;
  clock: Clock;
  logger: Logger;
  logs: SetterLogs;
}

export class ActivityLogSource implements Source {
  readonly name = 'activity-log';

  constructor(private readonly o: ActivityLogSourceOptions) {}

  async look(watches: Watch[]): Promise<Look> {
    const look: Look = { observations: [], covered: [], paused: [], partnerCenterCalls: 0 };
    const bySetter = new Map<string, Watch[]>();
    // Only active, primed watches: the others are listed in full by polling until they are.
    for (const w of watches) {
      if (w.kind !== 'subs' || w.state !== 'active' || !w.primed) continue;
      const k = `${w.setBy.tenantId}/${w.setBy.id}`;
      bySetter.set(k, [...(bySetter.get(k) ?? []), w]);
    }
    for (const group of bySetter.values()) await this.read(group, look);
    return look;
  }

  private async read(group: Watch[], look: Look): Promise<void> {
    const setter = group[0]!.setBy;
    const log = await this.o.logs.get(setter);
    if (!this.o.logs.logReadable(log)) return; // polled every cycle meanwhile (polling.ts)
    const user: UserContext = { getToken: this.o.tokens.tokenFor(setter), tenantId: setter.tenantId, locale: group[0]!.locale };
    // A setter's first read starts where the log can no longer miss anything: their last full listing, or
    // their earliest watch (each watch starts from what its setter saw).
    const cursor = log.cursor ?? { at: new Date(Math.max(log.sweptAt ?? 0, Math.min(...group.map((w) => w.createdAt)))).toISOString(), ids: [] };
    let since;
    try {
      since = await this.o.client.readActivitySince(user, cursor, { filter: SUBSCRIPTIONS_ONLY, size: PAGE_SIZE, maxPages: MAX_PAGES });
    } catch (e) {
      if (e instanceof SignInRequiredError) look.paused.push(...group.map((w) => w.id));
      else if (e instanceof PartnerCenterError && e.kind === 'http' && e.status === 403) {
        // The role cannot read the log: polling lists every watched customer of theirs meanwhile.
        this.o.logger.info({ setter: setter.id, code: e.code }, 'activity log refused (403); this setter’s watches are polled every cycle');
        await this.o.logs.denied(setter);
      } else this.o.logger.warn({ err: e, setter: setter.id }, 'activity log read failed; next cycle will try again');
      return;
    }
    look.partnerCenterCalls += since.pages;
    if (since.gap) this.o.logger.warn({ setter: setter.id }, 'activity log cursor older than the 90 days Partner Center keeps; the next sweep repairs what was missed');
    const watched = new Set(group.map((w) => w.customerId!.toLowerCase()));
    /** Per watched customer the log names: the subscriptions named (undefined: a record named none, list them all). */
    const named = new Map<string, Set<string> | undefined>();
    for (const r of since.records) {
      const customerId = r.customerId?.toLowerCase();
      if (!customerId || !watched.has(customerId) || CHANGED_NOTHING.has(r.operationStatus?.toLowerCase() ?? '')) continue;
      const id = subscriptionOf(r).id;
      const ids = named.has(customerId) ? named.get(customerId) : new Set<string>();
      named.set(customerId, id && ids ? ids.add(id) : undefined);
    }
    for (const [customerId, ids] of named) {
      try {
        const subs: Subscription[] =
          ids?.size === 1 ? [await this.o.client.getSubscription(user, customerId, [...ids][0]!)] : (await this.o.client.listSubscriptions(user, customerId)).items;
        look.partnerCenterCalls++;
        const at = this.o.clock.now();
        for (const s of subs) look.observations.push(subObservation(setter.tenantId, customerId, s, at, this.name));
      } catch (e) {
        if (e instanceof SignInRequiredError) {
          look.paused.push(...group.map((w) => w.id));
          return;
        }
        look.partnerCenterCalls++;
        // Refused (gone, no longer this partner's): nothing to read again. Otherwise the same records are
        // read again next cycle, the cursor staying where it is.
        if (!isRefusal(e)) {
          this.o.logger.warn({ err: e, setter: setter.id }, 'reading what the activity log named failed; next cycle will try again');
          return;
        }
      }
    }
    // A quiet log: the cursor is brought up to a day ago (everything older was just read), so a setter with no
    // subscription records for months neither rereads old days nor falls out of the 90 days the log keeps.
    const dayAgo = this.o.clock.now() - DAY;
    const quiet = since.records.length === 0 && !since.more && Date.parse(since.cursor.at) < dayAgo - QUIET_DAYS * DAY;
    await this.o.logs.advanced(setter, quiet ? { at: new Date(dayAgo).toISOString(), ids: [] } : since.cursor);
  }

}

/**
 * The notifier's sources with the activity log: polling (service requests every cycle, subscriptions as a
 * sweep every `sweepMs`) and the log between sweeps. `sweepMs` 0: undefined, the notifier's default
 * (polling every watched customer every cycle).
 */
export function sourcesWithActivityLog(o: Omit<ActivityLogSourceOptions, 'logs'> & { store: KeyValueStore; sweepMs: number; intervalMs: number; leases: Pick<Leases, 'holds'> }): Source[] | undefined {
  if (o.sweepMs <= 0) return undefined;
  const logs = new SetterLogs({ store: o.store, clock: o.clock, sweepMs: o.sweepMs, intervalMs: o.intervalMs, holds: (p) => o.leases.holds(p) });
  return [new PollingSource({ client: o.client, tokens: o.tokens, clock: o.clock, logger: o.logger, sweep: logs }), new ActivityLogSource({ ...o, logs })];
}
