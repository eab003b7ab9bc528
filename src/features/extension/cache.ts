/**
 * What keeps typing in the compose box from costing a Partner Center call per keystroke: Teams sends a
 * `composeExtension/query` for every pause in typing. Answers are kept per user (never shared: what one
 * user may see is theirs) for a short time, keyed by the normalized query; the same read asked again while
 * it is running joins it instead of starting another; and the number of entries is bounded (the oldest go).
 */
import type { Clock } from '../../util/clock';

export interface Cached<T> {
  value: T;
  /** When Partner Center was read (what a card shows as "read on"). */
  readAt: number;
}

export interface SearchCacheOptions {
  clock: Clock;
  /** How long an answer is reused. */
  ttlMs?: number;
  /** Entries kept at most, over all users. */
  maxEntries?: number;
}

export const SEARCH_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 2_000;

/**
 * Whose answers these are, as a cache key: tenant and user each percent-encoded, so the `/` between them is
 * the only one (`tA` + `u/v` and `tA/u` + `v` are two people, two keys).
 */
export function cacheUser(actor: { tenantId: string; id: string }): string {
  return `${encodeURIComponent(actor.tenantId)}/${encodeURIComponent(actor.id)}`;
}

/** A query as a key: case, surrounding and repeated spaces do not make a new search. */
export function normalizeQuery(q: string): string {
  return q.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export class SearchCache {
  private readonly entries = new Map<string, { at: number; value: Promise<Cached<unknown>> }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly o: SearchCacheOptions) {
    this.ttlMs = o.ttlMs ?? SEARCH_CACHE_TTL_MS;
    this.maxEntries = o.maxEntries ?? MAX_ENTRIES;
  }

  /** The cached answer for this user and key, while fresh (settled or still running). */
  peek<T>(user: string, key: string): Promise<Cached<T>> | undefined {
    const k = `${user}\u0000${key}`;
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (e.at + this.ttlMs <= this.o.clock.now()) {
      this.entries.delete(k);
      return undefined;
    }
    return e.value as Promise<Cached<T>>;
  }

  /**
   * The answer for this user and key: the fresh cached one, the one being read, or a new read. A failed
   * read is not kept (the next keystroke tries again).
   */
  get<T>(user: string, key: string, read: () => Promise<T>): Promise<Cached<T>> {
    const hit = this.peek<T>(user, key);
    if (hit) return hit;
    const k = `${user}\u0000${key}`;
    const value = read().then((v) => ({ value: v, readAt: this.o.clock.now() }));
    this.put(k, value);
    value.catch(() => {
      if (this.entries.get(k)?.value === value) this.entries.delete(k);
    });
    return value;
  }

  /** Keeps an answer read some other way (an item read for a card) for the same user. */
  set<T>(user: string, key: string, value: T, readAt = this.o.clock.now()): void {
    this.put(`${user}\u0000${key}`, Promise.resolve({ value, readAt }));
  }

  /**
   * Drops every answer kept for this user (sign-out): the next search, choice or refresh reads Partner
   * Center with whatever token the user has then, or asks them to sign in. A read still running is dropped
   * too; it completes for its caller but is not kept.
   */
  forgetUser(user: string): void {
    const prefix = `${user}\u0000`;
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Entries held now (fresh or not yet swept). */
  get size(): number {
    return this.entries.size;
  }

  private put(k: string, value: Promise<Cached<unknown>>): void {
    this.entries.delete(k);
    this.entries.set(k, { at: this.o.clock.now(), value });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
