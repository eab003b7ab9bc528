/**
 * Everything the bot keeps (watches, conversation references, the token cache, dedupe records, leases)
 * goes through botbuilder's `Storage` interface (memory, file or Azure Blob) with its ETag optimistic
 * concurrency. A StateStore adds the two operations the bot needs beyond it: create-if-absent (write-once
 * records: dedupe, claims) and a readiness probe.
 */
import { MemoryStorage, type Storage, type StoreItem } from 'botbuilder';

export interface StateStore {
  readonly storage: Storage;
  /** Writes `value` under `key` only if nothing is there; true when this call created it. Atomic. */
  createIfAbsent(key: string, value: object): Promise<boolean>;
  /** Resolves when the store can be read and written (GET /readyz). */
  ping(): Promise<void>;
}

export interface Stored<T> {
  value: T;
  eTag: string;
}

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
  readonly storage = new MemoryStorage();
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

/** Typed access to a StateStore: values wrapped under `value`, with their ETags. */
export class KeyValueStore {
  constructor(readonly state: StateStore) {}

  get storage(): Storage {
    return this.state.storage;
  }

  async get<T>(key: string): Promise<Stored<T> | undefined> {
    const items = await this.state.storage.read([key]);
    const item = items[key] as (StoreItem & { value: T }) | undefined;
    return item ? { value: item.value, eTag: item.eTag ?? '*' } : undefined;
  }

  async getMany<T>(keys: string[]): Promise<Map<string, Stored<T>>> {
    const out = new Map<string, Stored<T>>();
    if (keys.length === 0) return out;
    const items = await this.state.storage.read(keys);
    for (const [k, item] of Object.entries(items)) {
      const i = item as StoreItem & { value: T };
      out.set(k, { value: i.value, eTag: i.eTag ?? '*' });
    }
    return out;
  }

  /** Writes; with an eTag, only if the item has not changed since it was read (else throws a conflict). */
  async put<T>(key: string, value: T, eTag = '*'): Promise<void> {
    await this.state.storage.write({ [key]: { value, eTag } });
  }

  /** True when this call created the item; false when it already existed. */
  createIfAbsent<T>(key: string, value: T): Promise<boolean> {
    return this.state.createIfAbsent(key, { value });
  }

  async delete(key: string): Promise<void> {
    await this.state.storage.delete([key]);
  }

  /**
   * Read-modify-write with optimistic concurrency: re-reads and re-applies on an ETag conflict. `change`
   * returns the new value, or undefined to leave the item as it is (or absent).
   */
  async update<T>(key: string, change: (current: T | undefined) => T | undefined, attempts = 25): Promise<T | undefined> {
    for (let i = 0; ; i++) {
      const cur = await this.get<T>(key);
      const next = change(cur?.value);
      if (next === undefined) return cur?.value;
      try {
        if (cur) await this.put(key, next, cur.eTag);
        else if (!(await this.createIfAbsent(key, next))) throw Object.assign(new Error('eTag conflict (created meanwhile)'), { code: '412' });
        return next;
      } catch (e) {
        if (!isETagConflict(e) || i + 1 >= attempts) throw e;
        // Jittered backoff: many writers of one document each get their turn instead of colliding again.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** Math.min(i, 6))));
      }
    }
  }
}
