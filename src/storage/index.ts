/**
 * Everything the bot keeps (watches, conversation references, the token cache, dedupe records, leases)
 * goes through botbuilder's `Storage` interface (memory, file or Azure Blob) with its ETag optimistic
 * concurrency. A StateStore adds what the bot needs beyond it: create-if-absent (write-once records:
 * dedupe, claims), listing by prefix and conditional delete (the expiry sweep), and a readiness probe.
 *
 * Shape: every read goes through the schema of its key's kind (records.ts); a record of the wrong shape is
 * set aside like a corrupt file (kept, reported once) and the feature carries on with what could be kept
 * of it, or with a fresh record.
 *
 * Expiry: a record may carry `expiresAt` (set from the write's `ttlMs`, or from RETENTION by key prefix);
 * reads take an expired record for absent, writes replace it, and `sweep` deletes it.
 */
import { MemoryStorage, type Storage, type StoreItem } from 'botbuilder';
import { systemClock, type Clock } from '../util/clock';
import { retry, type RetryRunner } from '../util/retry';
import { checkEnvelope } from './records';
import { ttlFor } from './retention';

export interface StateStore {
  readonly storage: Storage;
  /** Writes `value` under `key` only if nothing is there; true when this call created it. Atomic. */
  createIfAbsent(key: string, value: object): Promise<boolean>;
  /** The keys that start with `prefix`. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the key only while its eTag is `eTag`; true when it deleted it. */
  deleteIfMatch(key: string, eTag: string): Promise<boolean>;
  /** Resolves when the store can be read and written (GET /readyz, start-up). */
  ping(): Promise<void>;
  /**
   * A record of the wrong shape: keeps a copy of it for inspection and reports it once (as a corrupt one),
   * then, only while its eTag is still `eTag`, replaces it with `replacement` (what could be kept of it) or
   * deletes it. True when this call did; false when the record changed or went meanwhile.
   */
  setAside(key: string, eTag: string, reason: string, replacement?: object): Promise<boolean>;
  /** Where the state is, for messages ("DATA_DIR /var/lib/x", "Azure Blob container c at host"). */
  describe?(): string;
}

export interface Stored<T> {
  value: T;
  eTag: string;
}

export interface WriteOptions {
  /** The record expires this long after this write (default: RETENTION by key prefix, else never). */
  ttlMs?: number;
}

/** What KeyValueStore keeps under a key. */
type Envelope<T> = StoreItem & { value: T; expiresAt?: number };

/** A lost optimistic-concurrency race (botbuilder's "eTag conflict", a blob 409/412 condition), nothing else. */
export function isETagConflict(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const x = e as { statusCode?: number; code?: string };
  return /eTag conflict/i.test(e.message) || x.statusCode === 412 || x.code === '412' || /ConditionNotMet|BlobAlreadyExists/i.test(x.code ?? '');
}

/** An ETag no stored item ever has: with memory-style storage a write carrying it succeeds only when the key is absent. */
const CREATE_ONLY = 'partner-ops:create-only';

/** In memory: tests and single-process runs. create-if-absent relies on MemoryStorage's synchronous check. */
export class MemoryStateStore implements StateStore {
  private readonly memory: Record<string, string | undefined> = {};
  readonly storage = new MemoryStorage(this.memory as Record<string, string>);
  /** Records of the wrong shape, as they were when set aside (for inspection). */
  readonly setAsideRecords: Array<{ key: string; text: string; reason: string }> = [];

  constructor(private readonly options: { onCorrupt?: (info: { key: string; movedTo: string; reason: string }) => void } = {}) {}

  async setAside(key: string, eTag: string, reason: string, replacement?: object): Promise<boolean> {
    const text = this.memory[key];
    if (text === undefined || (JSON.parse(text) as StoreItem).eTag !== eTag) return false;
    if (replacement) {
      try {
        await this.storage.write({ [key]: { ...replacement, eTag } });
      } catch (e) {
        if (isETagConflict(e)) return false;
        throw e;
      }
    } else delete this.memory[key];
    this.setAsideRecords.push({ key, text, reason });
    this.options.onCorrupt?.({ key, movedTo: `memory #${this.setAsideRecords.length - 1}`, reason });
    return true;
  }
  async list(prefix: string): Promise<string[]> {
    return Object.keys(this.memory).filter((k) => k.startsWith(prefix) && this.memory[k] !== undefined);
  }
  async deleteIfMatch(key: string, eTag: string): Promise<boolean> {
    const raw = this.memory[key];
    if (raw === undefined || (JSON.parse(raw) as StoreItem).eTag !== eTag) return false;
    delete this.memory[key];
    return true;
  }
  describe(): string {
    return 'memory';
  }
  async createIfAbsent(key: string, value: object): Promise<boolean> {
    const existing = await this.storage.read([key]);
    if (existing[key]) return false;
    try {
      await this.storage.write({ [key]: { ...value, eTag: CREATE_ONLY } });
      return true;
    } catch (e) {
      if (isETagConflict(e)) return false;
      throw e;
    }
  }
  async ping(): Promise<void> {}
}

/**
 * The store's retries, on the one retry helper with their own data. Their waits are real timers, not the
 * injected clock: they last a few ms of real contention between writers, which a test holding the clock
 * must not stall.
 */
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * update() after an ETag conflict (`attempts` tries, 25 by default): full jitter from 5 ms doubling to
 * 200 ms, so many writers of one document each get their turn instead of colliding again.
 */
const ETAG_CONFLICT: RetryRunner = { schedule: { maxAttempts: 25, baseDelayMs: 5, maxDelayMs: 200, jitter: 'full' }, sleep: realSleep };

/** createIfAbsent() when the record it found was deleted before it could be read: 3 tries, at once. */
const RACE_LOST: RetryRunner = { schedule: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0, jitter: 'none' }, sleep: async () => undefined };

/** Typed access to a StateStore: values wrapped under `value`, with their ETags and expiry. */
export class KeyValueStore {
  constructor(
    readonly state: StateStore,
    readonly clock: Clock = systemClock,
  ) {}

  get storage(): Storage {
    return this.state.storage;
  }

  private expired(item: Envelope<unknown>): boolean {
    return typeof item.expiresAt === 'number' && item.expiresAt <= this.clock.now();
  }

  private envelope<T>(key: string, value: T, eTag: string, o?: WriteOptions): Envelope<T> {
    const ttl = o?.ttlMs ?? ttlFor(key);
    return ttl === undefined ? { value, eTag } : { value, expiresAt: this.clock.now() + ttl, eTag };
  }

  /** The stored record, expired or not, read through its kind's schema (records.ts). */
  private async raw<T>(key: string): Promise<Envelope<T> | undefined> {
    // Not a retry, so not on retry(): nothing failed and nothing is waited for. fits() has just set the
    // record aside and put back what could be kept of it, and this reads that. A record that keeps coming
    // back wrong (another writer of an older version) reads as absent rather than looping.
    for (let i = 0; ; i++) {
      const item = (await this.state.storage.read([key]))[key] as Envelope<T> | undefined;
      if (!item) return undefined;
      if (await this.fits(key, item)) return item;
      if (i >= 2) return undefined;
    }
  }

  /**
   * Whether `item` has the shape of its key's kind. When not, it is set aside (kept for inspection and
   * reported once by the store) and replaced by what could be kept of it, or deleted: the caller reads again,
   * and the feature carries on with the rest of the record, or with a fresh one.
   */
  private async fits(key: string, item: Envelope<unknown>): Promise<boolean> {
    const c = checkEnvelope(key, item);
    if (c.ok && c.dropped.length === 0) return true;
    const reason = c.ok ? `dropped ${c.dropped.length} part(s): ${c.dropped.slice(0, 3).join('; ')}` : c.reason;
    const replacement = c.ok ? (item.expiresAt === undefined ? { value: c.value } : { value: c.value, expiresAt: item.expiresAt }) : undefined;
    await this.state.setAside(key, item.eTag ?? '', reason, replacement);
    return false;
  }

  async get<T>(key: string): Promise<Stored<T> | undefined> {
    const item = await this.raw<T>(key);
    return item && !this.expired(item) ? { value: item.value, eTag: item.eTag ?? '*' } : undefined;
  }

  async getMany<T>(keys: string[]): Promise<Map<string, Stored<T>>> {
    const out = new Map<string, Stored<T>>();
    if (keys.length === 0) return out;
    const items = await this.state.storage.read(keys);
    for (const [k, item] of Object.entries(items)) {
      // One record of the wrong shape costs none of the others: it alone is set aside and read again.
      const i = (await this.fits(k, item as Envelope<unknown>)) ? (item as Envelope<T>) : await this.raw<T>(k);
      if (i && !this.expired(i)) out.set(k, { value: i.value, eTag: i.eTag ?? '*' });
    }
    return out;
  }

  /** Writes; with an eTag, only if the item has not changed since it was read (else throws a conflict). */
  async put<T>(key: string, value: T, eTag = '*', o?: WriteOptions): Promise<void> {
    await this.state.storage.write({ [key]: this.envelope(key, value, eTag, o) });
  }

  /** True when this call created the item; false when it already existed (an expired item counts as absent). */
  async createIfAbsent<T>(key: string, value: T, o?: WriteOptions): Promise<boolean> {
    const { eTag: _none, ...item } = this.envelope(key, value, '*', o);
    const created = await retry<boolean | 'deleted meanwhile'>(
      RACE_LOST,
      async () => {
        if (await this.state.createIfAbsent(key, item)) return true;
        const cur = await this.raw<T>(key);
        if (!cur) return 'deleted meanwhile';
        if (!this.expired(cur)) return false;
        try {
          await this.put(key, value, cur.eTag ?? '*', o); // replaces the expired record, unless someone else did first
          return true;
        } catch (e) {
          if (isETagConflict(e)) return false;
          throw e;
        }
      },
      (outcome) => ('value' in outcome && outcome.value === 'deleted meanwhile' ? {} : undefined),
    );
    return created === true;
  }

  async delete(key: string): Promise<void> {
    await this.state.storage.delete([key]);
  }

  /**
   * Read-modify-write with optimistic concurrency: re-reads and re-applies on an ETag conflict. `change`
   * returns the new value, or undefined to leave the item as it is (or absent).
   */
  async update<T>(key: string, change: (current: T | undefined) => T | undefined, attempts = 25, o?: WriteOptions): Promise<T | undefined> {
    return retry<T | undefined>(
      { ...ETAG_CONFLICT, schedule: { ...ETAG_CONFLICT.schedule, maxAttempts: attempts } },
      async () => {
        const raw = await this.raw<T>(key);
        const cur = raw && !this.expired(raw) ? raw.value : undefined;
        const next = change(cur);
        if (next === undefined) return cur;
        if (raw) await this.put(key, next, raw.eTag ?? '*', o);
        else if (!(await this.state.createIfAbsent(key, (({ eTag: _e, ...rest }) => rest)(this.envelope(key, next, '*', o)))))
          throw Object.assign(new Error('eTag conflict (created meanwhile)'), { code: '412' });
        return next;
      },
      (outcome) => ('error' in outcome && isETagConflict(outcome.error) ? {} : undefined),
    );
  }

  /** Deletes the expired records under `prefix`; the number deleted. A record rewritten meanwhile is kept. */
  async sweep(prefix: string): Promise<number> {
    let n = 0;
    for (const key of await this.state.list(prefix)) {
      const item = await this.raw<unknown>(key);
      if (item && this.expired(item) && item.eTag && (await this.state.deleteIfMatch(key, item.eTag))) n++;
    }
    return n;
  }
}
