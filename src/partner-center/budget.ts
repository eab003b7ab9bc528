/**
 * A share of Partner Center's request budget, per partner tenant, for bulk readers (`renewals` and
 * `windows` across every customer): a rate and a concurrency, on the injected clock.
 *
 * Partner Center documents "a rate limit of 500 requests per minute per tenant identifier" for customers,
 * subscriptions and orders (https://learn.microsoft.com/partner-center/developer/api-throttling-guidance),
 * shared with everything else the partner runs (their PSA, scripts, Partner Center's own UI). A bulk read
 * takes a share of it (PARTNER_CENTER_BUDGET_PER_MINUTE, 40% = 200 by default), so a partner's other tools
 * keep the rest.
 *
 * The budget is data the reader is given, not a loop with sleeps in a feature: a reader asks `take()` before
 * each Partner Center call and calls the release it gets when the call is over. A 429 seen by any reader of a
 * partner tenant (`pause`, fed from the call's `onThrottled`) holds back every reader of that tenant until
 * Partner Center's Retry-After has passed, as its guidance asks ("reduce parallelism, avoid immediate retries").
 *
 * Pacing is a token bucket whose burst and refill together never exceed the rate in any 60-second window
 * (burst + refill × 60 s = perMinute): a small read (a handful of customers) goes at once; a long one settles
 * at the refill rate.
 */
import type { Clock } from '../util/clock';

export interface BudgetSettings {
  /** Requests a minute this product may send per partner tenant (Partner Center's limit is 500). */
  perMinute: number;
  /** Requests in flight at once per partner tenant, for one bulk read or several. */
  concurrency: number;
}

/** Partner Center's documented per-tenant limit, and the default share of it (40%). */
export const PARTNER_CENTER_LIMIT_PER_MINUTE = 500;
export const DEFAULT_BUDGET: BudgetSettings = { perMinute: PARTNER_CENTER_LIMIT_PER_MINUTE * 0.4, concurrency: 4 };

const MINUTE_MS = 60_000;

/** The bucket's burst: a tenth of the rate (at least 1), so a 10-customer read does not wait for refills. */
function burstOf(perMinute: number): number {
  return Math.max(1, Math.floor(perMinute / 10));
}

interface Lane {
  tokens: number;
  refilledAt: number;
  pausedUntil: number;
  active: number;
  /** The takes waiting, first come first served: only the first one waits on the clock. */
  queue: Promise<void>;
  /** Resolved when a slot is released (a take waiting for concurrency waits on it). */
  released: Array<() => void>;
}

export interface BudgetStats {
  /** Tokens handed out (Partner Center calls paced by the budget). */
  taken: number;
  /** Times a 429 paused the tenant's readers. */
  pauses: number;
}

export class RequestBudget {
  private readonly lanes = new Map<string, Lane>();
  private readonly burst: number;
  /** Tokens per millisecond after the burst: what keeps any minute within `perMinute`. */
  private readonly refillPerMs: number;
  readonly stats: BudgetStats = { taken: 0, pauses: 0 };

  constructor(
    readonly settings: BudgetSettings,
    private readonly clock: Clock,
  ) {
    if (!(settings.perMinute >= 1) || !(settings.concurrency >= 1)) throw new Error('A request budget needs perMinute >= 1 and concurrency >= 1');
    this.burst = Math.min(burstOf(settings.perMinute), settings.perMinute);
    this.refillPerMs = Math.max(settings.perMinute - this.burst, 1) / MINUTE_MS;
  }

  private lane(tenant: string): Lane {
    let lane = this.lanes.get(tenant);
    if (!lane) this.lanes.set(tenant, (lane = { tokens: this.burst, refilledAt: this.clock.now(), pausedUntil: 0, active: 0, queue: Promise.resolve(), released: [] }));
    return lane;
  }

  private refill(lane: Lane, now: number): void {
    const from = Math.max(lane.refilledAt, lane.pausedUntil);
    if (now > from) lane.tokens = Math.min(this.burst, lane.tokens + (now - from) * this.refillPerMs);
    lane.refilledAt = Math.max(lane.refilledAt, now);
  }

  /**
   * Waits for a token and a slot of this tenant's budget; resolves with the release to call once the
   * Partner Center call is over (answered or failed).
   */
  take(tenant: string, signal?: AbortSignal): Promise<() => void> {
    const lane = this.lane(tenant);
    const turn = lane.queue.then(() => this.acquire(lane, signal));
    // The next take starts once this one has its token, whether it got it or was aborted.
    lane.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async acquire(lane: Lane, signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      signal?.throwIfAborted();
      if (lane.active >= this.settings.concurrency) {
        await new Promise<void>((resolve) => lane.released.push(resolve));
        continue;
      }
      const now = this.clock.now();
      if (lane.pausedUntil > now) {
        await this.clock.sleep(lane.pausedUntil - now, signal);
        continue;
      }
      this.refill(lane, now);
      if (lane.tokens < 1) {
        await this.clock.sleep(Math.ceil((1 - lane.tokens) / this.refillPerMs), signal);
        continue;
      }
      lane.tokens -= 1;
      lane.active += 1;
      this.stats.taken += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        lane.active -= 1;
        lane.released.shift()?.();
      };
    }
  }

  /** Partner Center answered 429 with this wait: every reader of the tenant holds back until it has passed. */
  pause(tenant: string, waitMs: number): void {
    const lane = this.lane(tenant);
    const until = this.clock.now() + Math.max(0, waitMs);
    if (until > lane.pausedUntil) {
      lane.pausedUntil = until;
      // After a 429 the bucket starts empty: no burst right after Partner Center said "too many".
      lane.tokens = 0;
      this.stats.pauses += 1;
    }
  }

  /** Runs one Partner Center call within the budget. */
  async run<T>(tenant: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.take(tenant, signal);
    try {
      return await call();
    } finally {
      release();
    }
  }
}
