/**
 * Everything the bot keeps goes through botbuilder's `Storage` interface (memory, file or Azure Blob),
 * with its ETag optimistic concurrency. This wrapper adds the one operation the bot needs beyond it:
 * create-if-absent, for write-once records (dedupe, claims).
 */
import type { Storage, StoreItem } from 'botbuilder';

export interface Stored<T> {
  value: T;
  eTag: string;
}

/** An ETag no stored item ever has: a write carrying it succeeds only when the key is absent. */
const CREATE_ONLY = 'partner-ops:create-only';

export function isETagConflict(e: unknown): boolean {
  return e instanceof Error && /etag conflict|precondition|conditionnotmet|412/i.test(`${e.message} ${(e as { code?: string }).code ?? ''}`);
}

export class KeyValueStore {
  constructor(readonly storage: Storage) {}

  async get<T>(key: string): Promise<Stored<T> | undefined> {
    const items = await this.storage.read([key]);
    const item = items[key] as (StoreItem & { value: T }) | undefined;
    return item ? { value: item.value, eTag: item.eTag ?? '*' } : undefined;
  }

  /** Writes; with an eTag, only if the item has not changed since it was read (else throws a conflict). */
  async put<T>(key: string, value: T, eTag = '*'): Promise<void> {
    await this.storage.write({ [key]: { value, eTag } });
  }

  /** True when this call created the item; false when it already existed. */
  async createIfAbsent<T>(key: string, value: T): Promise<boolean> {
    if (await this.get(key)) return false;
    try {
      await this.storage.write({ [key]: { value, eTag: CREATE_ONLY } });
      return true;
    } catch (e) {
      if (isETagConflict(e)) return false;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.storage.delete([key]);
  }
}
