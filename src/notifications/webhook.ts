/**
 * The webhook source: a verified `subscription-updated` (src/webhooks/events.ts) made into one observation.
 *
 * A webhook carries no user and no state, only "look at this subscription". So the watches covering its
 * customer are found (on any instance: every shard is read, not only this instance's partitions), the
 * subscription is read once, as the setter of one of them, exactly as polling reads it, and the observation
 * goes to the recorder through `Notifier.observe`. The recorder alone decides whether anything changed, so
 * an event delivered twice, or after polling already saw the change, records nothing new. Delivery stays
 * with the instance holding the watch's partition, at its next cycle.
 *
 * One read per partner tenant whose people watch that customer (an observation is heard only by watches of
 * the partner that read it: observations.ts `covers`), usually exactly one. Events are handled one at a time
 * (Partner Center may deliver a backlog at once), and an event for a subscription already waiting its turn
 * joins it rather than queueing a second read.
 */
import { SignInRequiredError, type TokenProvider } from '../identity';
import { isNewCommerce, type PartnerCenterClient } from '../partner-center';
import type { Clock } from '../util/clock';
import type { ChangeSink, Resynced, SubscriptionChanged } from '../webhooks/events';
import { subSnapshot, type Observation } from './observations';
import type { Watch, WatchStore } from './watches';

export interface WebhookResyncOptions {
  watches: WatchStore;
  client: PartnerCenterClient;
  tokens: TokenProvider;
  clock: Clock;
  /** Records observations made outside a cycle (Notifier.observe); resolves with the changes recorded. */
  observe(observations: Observation[]): Promise<number>;
}

export class WebhookResync implements ChangeSink {
  private turn: Promise<unknown> = Promise.resolve();
  /** Events waiting their turn, by subscription: a second one for the same subscription joins the first. */
  private readonly waiting = new Map<string, Promise<Resynced>>();

  constructor(private readonly o: WebhookResyncOptions) {}

  subscriptionChanged(change: SubscriptionChanged): Promise<Resynced> {
    const key = `${change.customerId}/${change.subscriptionId}`;
    const queued = this.waiting.get(key);
    if (queued) return queued.then((r) => ({ ...r, joined: true }));
    const run = this.turn.then(() => {
      // From here on a new event for it is read again: what it says may be newer than this read.
      this.waiting.delete(key);
      return this.resync(change);
    });
    this.waiting.set(key, run);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async resync(c: SubscriptionChanged): Promise<Resynced> {
    const covering = (await this.o.watches.all()).filter((w) => w.kind === 'subs' && w.state === 'active' && (w.customerId ?? '').toLowerCase() === c.customerId);
    if (covering.length === 0) return { read: 0, changes: 0, unreadable: 0 };
    // Per partner tenant: its setters in turn, until one can get a token.
    const byTenant = new Map<string, Watch[]>();
    for (const w of covering) {
      const k = w.setBy.tenantId.toLowerCase();
      byTenant.set(k, [...(byTenant.get(k) ?? []), w]);
    }
    const observations: Observation[] = [];
    let unreadable = 0;
    for (const watches of byTenant.values()) {
      const o = await this.readAsOneOf(watches, c);
      if (o) observations.push(o);
      else unreadable++;
    }
    const changes = observations.length > 0 ? await this.o.observe(observations) : 0;
    return { read: observations.length, changes, unreadable };
  }

  /** One GET of the subscription as the first of these watches' setters who can get a token. */
  private async readAsOneOf(watches: Watch[], c: SubscriptionChanged): Promise<Observation | undefined> {
    const tried = new Set<string>();
    for (const w of watches) {
      if (tried.has(w.setBy.id)) continue;
      tried.add(w.setBy.id);
      const user = { getToken: this.o.tokens.tokenFor(w.setBy), tenantId: w.setBy.tenantId, locale: w.locale };
      try {
        const s = await this.o.client.getSubscription(user, c.customerId, c.subscriptionId);
        return {
          tenantId: w.setBy.tenantId,
          // The watch's customer id as the watch spells it: that is what its cards and threads are keyed by.
          item: { kind: 'subscription', id: s.id, customerId: w.customerId!, nce: isNewCommerce(s) },
          state: subSnapshot(s),
          seenAt: this.o.clock.now(),
          via: 'webhook',
        };
      } catch (e) {
        // Only a setter who cannot get a token is passed over; any other failure would be the same for the
        // next setter (the subscription, Partner Center), and polling reads it at the next cycle anyway.
        if (!(e instanceof SignInRequiredError)) throw e;
      }
    }
    return undefined;
  }
}
