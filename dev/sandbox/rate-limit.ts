/**
 * Sliding-window throttling per partner tenant, like Partner Center's documented per-tenant quotas
 * (e.g. 500 requests/minute for customers, orders, subscriptions:
 * https://learn.microsoft.com/partner-center/developer/api-throttling-guidance).
 */

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  check(key: string, now: number, rule: { limit: number; windowMs: number } | null): RateDecision {
    if (!rule) return { allowed: true };
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - rule.windowMs);
    if (recent.length >= rule.limit) {
      this.hits.set(key, recent);
      // The window frees when the oldest counted request ages out.
      const oldest = recent[0] ?? now; // a limit of 0 has no oldest request
      const waitMs = oldest + rule.windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    recent.push(now);
    this.hits.set(key, recent);
    return { allowed: true };
  }

  clear(): void {
    this.hits.clear();
  }
}
