/**
 * The notification cycle, in three parts: sources observe, the recorder records, delivery sends. Each
 * instance, every interval (jittered):
 *
 * 1. claims its share of the partitions (leases.ts): the watches are split by setter (their partner
 *    tenant, partitionOf), so one setter's watches are read by one instance only;
 * 2. asks each source what the watches of its partitions cover (observations.ts). Polling (polling.ts) is
 *    the first: it lists Partner Center as each watch's setter; its cost grows with what is watched, not
 *    with how often, and not with the number of instances;
 * 3. the recorder (recorder.ts) compares each observation with the last state each watch saw; every change
 *    becomes an outbox entry (write-once, keyed by watch, item and new state) and the new last-seen state
 *    is saved with it in one ETag-guarded write of the shard;
 * 4. delivery (delivery.ts) sends the outbox, every shard and conversation at once (the sender keeps Teams'
 *    limits), marks each entry Teams accepts (marks.ts), and hands what it settled to the recorder's next
 *    write of that shard (step 3 of the next cycle); until then the marks say it.
 *
 * 5. reminders (reminders.ts) are derived from what the watches saw (a seat window closing, a renewal
 *    coming), and the due ones of this instance's partitions are run: one write-once record each, claimed,
 *    checked against Partner Center again, posted, marked.
 *
 * A source that hears of changes between cycles (a webhook) gives its observations to `observe`: they are
 * recorded at once, on whichever instance received them (the shard write is ETag-guarded and the outbox
 * write-once), and delivered by the instance holding their watches' partition in its next cycle.
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
import type { RequestBudget } from '../partner-center/budget';
import type { Stored } from '../storage';
import { Delivery, type OutboxEntry } from './delivery';
import type { Digests } from './digest';
import type { NotificationParts } from './parts';
import { ObservationIndex, type Observation, type Source } from './observations';
import { PollingSource } from './polling';
import { ReminderRunner, type ReminderSettings } from './reminders';
import { Recorder, type Batch } from './recorder';
import { partitionOf, SHARDS, shardKey, type Shard, type Watch } from './watches';

export interface NotifierOptions extends NotificationParts {
  intervalMs: number;
  /** What each cycle asks, in order (default: polling Partner Center). More can be added with addSource. */
  sources?: Source[];
  /** The daily deadlines digests (digest.ts): each cycle starts the due ones of this instance's partitions. */
  digests?: Digests;
  /** Reminder leads (default 24 hours before a window closes, 7 days before a renewal). */
  reminders?: ReminderSettings;
  /** The partner tenants' request budget the reminders' reads count against (default: their own). */
  budget?: RequestBudget;
}

/** Partner Center calls made by the last cycle (the benchmark reads it). */
export interface CycleReport {
  /** Partitions this instance holds (leased). */
  shards: number;
  partnerCenterCalls: number;
  changes: number;
  delivered: number;
  /**
   * The deadlines digests' runs that ended since this instance's previous cycle, and their Partner Center
   * calls: apart from `partnerCenterCalls`, since a run goes on beside the cycles (digest.ts) and its calls
   * belong to no one cycle.
   */
  digests: { runs: number; partnerCenterCalls: number };
}

export class Notifier {
  private timer?: NodeJS.Timeout;
  private running?: Promise<CycleReport>;
  private stopped = true;
  /** Cycles and outside observations run one at a time: each reads the shards the one before wrote. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly sources: Source[];
  private readonly recorder: Recorder;
  private readonly delivery: Delivery;
  private readonly reminders: ReminderRunner;

  constructor(private readonly o: NotifierOptions) {
    this.sources = [...(o.sources ?? [new PollingSource({ client: o.client, tokens: o.tokens, clock: o.clock, logger: o.logger })])];
    this.recorder = new Recorder(o.store);
    this.delivery = new Delivery({ store: o.store, sender: o.sender, clock: o.clock, logger: o.logger });
    this.reminders = new ReminderRunner({ ...o, settings: o.reminders });
  }

  /** Adds a source each cycle asks after the others (the recorder and delivery are the same for all). */
  addSource(source: Source): void {
    this.sources.push(source);
  }

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
    await this.turn.catch(() => undefined);
    await this.o.leases.release();
  }

  cycle(): Promise<CycleReport> {
    const started = this.o.clock.now();
    this.running ??= this.inTurn(() => this.runCycle())
      .then((r) => {
        // A cycle that found and sent nothing is not news every minute (its failures are logged as warnings).
        const idle = r.changes === 0 && r.delivered === 0;
        this.o.logger[idle ? 'debug' : 'info']({ ...r, ms: this.o.clock.now() - started }, 'notification cycle');
        return r;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Records observations made outside the cycle (a webhook, a test): each change to a watched item becomes
   * an outbox entry, delivered by the next cycle of the instance holding the watch. Fed again, late or out
   * of order, they change nothing. Returns the number of changes recorded. `shards`: the only shards whose
   * watches can hear them, when the caller knows (the webhook read every watch already); default: all.
   */
  observe(observations: Observation[], shards?: ReadonlySet<number>): Promise<number> {
    return this.inTurn(async () => {
      const batch: Batch = { observations: new ObservationIndex(observations), covered: new Set(), paused: new Set() };
      let changes = 0;
      for (let n = 0; n < SHARDS; n++) {
        if (shards && !shards.has(n)) continue;
        const doc = await this.o.store.get<Shard>(shardKey(n));
        if (!doc) continue;
        const r = await this.recorder.record(n, doc, batch, this.delivery.settledFor(n, doc.value));
        this.delivery.written(n);
        changes += r.detected;
      }
      return changes;
    });
  }

  private inTurn<T>(f: () => Promise<T>): Promise<T> {
    const run = this.turn.then(f, f);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async runCycle(): Promise<CycleReport> {
    const partitions = await this.o.leases.claim();
    const report: CycleReport = { shards: partitions.length, partnerCenterCalls: 0, changes: 0, delivered: 0, digests: this.o.digests?.takeFinished() ?? { runs: 0, partnerCenterCalls: 0 } };
    if (partitions.length === 0) {
      this.delivery.forget();
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
      if (own.length > 0 || doc.value.pending.length > 0 || this.delivery.owes(n)) docs.set(n, doc);
      for (const w of own) if (w.state !== 'disabled') watches.push(w);
    }

    const observations: Observation[] = [];
    const covered = new Set<string>();
    const paused = new Set<string>();
    for (const source of this.sources) {
      // One source failing (its service down) does not keep the others' changes from being recorded.
      const look = await source.look(watches).catch((err: unknown) => {
        this.o.logger.warn({ err, source: source.name }, 'notification source failed; next cycle will try again');
        return undefined;
      });
      if (!look) continue;
      report.partnerCenterCalls += look.partnerCenterCalls;
      for (const o of look.observations) observations.push(o);
      for (const id of look.covered) covered.add(id);
      for (const id of look.paused) paused.add(id);
    }
    // Only this instance's watches hear the cycle's observations (another instance reads its own).
    const batch: Batch = { observations: new ObservationIndex(observations), covered, paused, only: new Set(watches.map((w) => w.id)) };

    // Every shard's changes are recorded (one shard after the other) before any is delivered, then all
    // shards deliver at once.
    const shards = new Map<number, Shard>();
    const created = new Map<string, OutboxEntry>();
    for (const [n, doc] of docs) {
      const r = await this.recorder.record(n, doc, batch, this.delivery.settledFor(n, doc.value));
      this.delivery.written(n);
      shards.set(n, r.shard);
      for (const [k, e] of r.created) created.set(k, e);
      report.changes += r.detected;
      for (const w of r.pausedNow) await this.delivery.announcePause(w);
    }
    docs.clear();
    report.delivered = await this.delivery.deliver(shards, created, mine);
    // 5. Reminders (reminders.ts): from what the watches saw now, and every due one of this instance's partitions.
    const reminded = await this.reminders.cycle(watches, observations);
    report.partnerCenterCalls += reminded.partnerCenterCalls;
    report.delivered += reminded.posted;
    // 6. The daily deadlines digests (digest.ts): the due ones of this instance's partitions start beside the cycle.
    this.o.digests?.start(watches);
    return report;
  }
}
