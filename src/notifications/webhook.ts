/**
 * The webhook source: a verified `subscription-updated` (src/webhooks/events.ts) made into one observation.
 *
 * A webhook carries no user and no state, only "look at this subscription". So the watches covering its
 * customer are found (on any instance: every shard is read, not only this instance's partitions), the
 * subscription is read once, as the setter of one of them, exactly as polling reads it, and the observation
 * goes to the recorder through `Notifier.observe`, which reads again only those watches' shards. The
 * recorder alone decides whether anything changed, so an event delivered twice, or after polling already
 * saw the change, records nothing new. Delivery stays with the instance holding the watch's partition, at
 * its next cycle.
 *
 * One read per partner tenant whose people watch that customer (an observation is heard only by watches of
 * the partner that read it: observations.ts `covers`), usually exactly one. Events are handled in batches,
 * one batch at a time (see pump), and an event for a subscription already waiting its turn joins it rather
 * than queueing a second read.
 *
 * A backlog (Partner Center delivers what it held back, up to 10 attempts an event) is bounded twice: each
 * re-read takes its turn in the partner tenant's share of Partner Center's budget (the one `renewals` uses,
 * src/partner-center/budget.ts; a 429 pauses both), and at most `maxWaiting` subscriptions wait their turn.
 * Past that an event is acknowledged and left to polling, which reads every watched customer anyway: the
 * memory an event burst takes stays bounded, and so do the calls it makes.
 */
import { SignInRequiredError, type TokenProvider } from '../identity';
import type { PartnerCenterClient } from '../partner-center';
import type { RequestBudget } from '../partner-center/budget';
import type { Clock } from '../util/clock';
import type { ChangeSink, Resynced, SubscriptionChanged } from '../webhooks/events';
import { subObservation, type Observation } from './observations';
import { shardOf, type Watch, type WatchStore } from './watches';

export interface WebhookResyncOptions {
  watches: WatchStore;
  client: PartnerCenterClient;
  tokens: TokenProvider;
  clock: Clock;
  /**
   * Records observations made outside a cycle (Notifier.observe); resolves with the changes recorded.
   * `shards`: those of the watches that can hear them (shardOf), so that only those are read again.
   */
  observe(observations: Observation[], shards: ReadonlySet<number>): Promise<number>;
  /** The partner tenants' share of Partner Center's budget; every re-read takes its turn in it. */
  budget?: RequestBudget;
  /** Subscriptions waiting their turn at most (default WEBHOOK_MAX_WAITING). */
  maxWaiting?: number;
}

/** Subscriptions waiting at most: a few MB of small records, more than a 1,000-customer book's usual backlog. */
export const WEBHOOK_MAX_WAITING = 10_000;

/** A re-read waits out Retry-After as long as a bulk read does: nobody is waiting on it in a chat. */
const THROTTLE_BUDGET_MS = 5 * 60_000;

/** Events recorded together: one read of the shards and one recorder pass for up to this many subscriptions. */
export const WEBHOOK_BATCH = 50;

interface Waiting {
  change: SubscriptionChanged;
  waiters: Array<{ resolve(r: Resynced): void; reject(e: unknown): void; joined: boolean }>;
}

export class WebhookResync implements ChangeSink {
  /** Events not yet started, by subscription: a second one for the same subscription joins the first. */
  private readonly waiting = new Map<string, Waiting>();
  private pumping = false;

  constructor(private readonly o: WebhookResyncOptions) {}

  subscriptionChanged(change: SubscriptionChanged): Promise<Resynced> {
    return new Promise<Resynced>((resolve, reject) => {
      const key = `${change.customerId}/${change.subscriptionId}`;
      const queued = this.waiting.get(key);
      if (queued) queued.waiters.push({ resolve, reject, joined: true });
      else if (this.waiting.size >= (this.o.maxWaiting ?? WEBHOOK_MAX_WAITING)) resolve({ read: 0, changes: 0, unreadable: 0, dropped: true });
      else this.waiting.set(key, { change, waiters: [{ resolve, reject, joined: false }] });
      void this.pump();
    });
  }

  /**
   * One batch at a time: what arrived while a batch ran is the next batch (Partner Center may deliver a
   * backlog at once), so the shards are read, and the recorder runs, once per batch rather than per event.
   */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting.size > 0) {
        const batch: Waiting[] = [];
        for (const [key, w] of this.waiting) {
          if (batch.length >= WEBHOOK_BATCH) break;
          batch.push(w);
          this.waiting.delete(key);
        }
        await this.resync(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async resync(batch: Waiting[]): Promise<void> {
    const settle = (w: Waiting, r: Resynced | { error: unknown }) => {
      for (const x of w.waiters) 'error' in r ? x.reject(r.error) : x.resolve(x.joined ? { ...r, joined: true } : r);
    };
    let all: Watch[];
    try {
      all = (await this.o.watches.all()).filter((w) => w.kind === 'subs' && w.state === 'active');
    } catch (error) {
      for (const w of batch) settle(w, { error });
      return;
    }
    const observations: Observation[] = [];
    // Only the watches read above hear these observations (active, of the customer, of the partner that read
    // it: observations.ts covers), so only their shards need recording.
    const shards = new Set<number>();
    const done: Array<{ w: Waiting; read: number; unreadable: number }> = [];
    for (const w of batch) {
      const c = w.change;
      // Per partner tenant whose people watch the customer: its setters in turn, until one can get a token.
      const byTenant = new Map<string, Watch[]>();
      for (const x of all) {
        if ((x.customerId ?? '').toLowerCase() !== c.customerId) continue;
        const k = x.setBy.tenantId.toLowerCase();
        byTenant.set(k, [...(byTenant.get(k) ?? []), x]);
      }
      try {
        let read = 0;
        let unreadable = 0;
        for (const watches of byTenant.values()) {
          const o = await this.readAsOneOf(watches, c);
          if (o) {
            observations.push(o);
            for (const x of watches) shards.add(shardOf(x.id));
            read++;
          } else unreadable++;
        }
        done.push({ w, read, unreadable });
      } catch (error) {
        settle(w, { error });
      }
    }
    let changes = 0;
    try {
      if (observations.length > 0) changes = await this.o.observe(observations, shards);
    } catch (error) {
      for (const d of done) settle(d.w, { error });
      return;
    }
    for (const d of done) settle(d.w, { read: d.read, unreadable: d.unreadable, changes: d.read > 0 ? changes : 0, ...(batch.length > 1 ? { batch: batch.length } : {}) });
  }

  /** One GET of the subscription as the first of these watches' setters who can get a token. */
  private async readAsOneOf(watches: Watch[], c: SubscriptionChanged): Promise<Observation | undefined> {
    const tried = new Set<string>();
    for (const w of watches) {
      if (tried.has(w.setBy.id)) continue;
      tried.add(w.setBy.id);
      const tenant = w.setBy.tenantId;
      const budget = this.o.budget;
      const user = {
        getToken: this.o.tokens.tokenFor(w.setBy),
        tenantId: tenant,
        locale: w.locale,
        throttleBudgetMs: THROTTLE_BUDGET_MS,
        // A 429 holds back every reader of the partner's budget, `renewals` included, until Retry-After has passed.
        onThrottled: (ms: number) => budget?.pause(tenant, ms),
      };
      try {
        const read = () => this.o.client.getSubscription(user, c.customerId, c.subscriptionId);
        const s = await (budget ? budget.run(tenant, read) : read());
        // The watch's customer id as the watch spells it: that is what its cards and threads are keyed by.
        return subObservation(w.setBy.tenantId, w.customerId!, s, this.o.clock.now(), 'webhook');
      } catch (e) {
        // Only a setter who cannot get a token is passed over; any other failure would be the same for the
        // next setter (the subscription, Partner Center), and polling reads it at the next cycle anyway.
        if (!(e instanceof SignInRequiredError)) throw e;
      }
    }
    return undefined;
  }
}
