/**
 * Runs a card submission once, however many times it arrives: a double click, or Teams re-delivering an
 * invoke. The first arrival claims a write-once record and runs; the others wait for its result and get
 * the same answer. Concurrent duplicates on one instance share the promise; across instances the record
 * in storage decides.
 */
import { poll, type Clock } from '../util/clock';
import type { KeyValueStore } from '.';

type Record<T> = { state: 'pending'; at: number } | { state: 'done'; at: number; result: T };

export class Dedupe {
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    /** How long a duplicate waits for the first arrival's result before giving up. */
    private readonly waitMs = 10_000,
  ) {}

  async once<T>(key: string, run: () => Promise<T>): Promise<{ duplicate: boolean; result: T | undefined }> {
    const storeKey = `dedupe/${key}`;
    const local = this.inflight.get(storeKey) as Promise<T> | undefined;
    if (local) return { duplicate: true, result: await local.catch(() => undefined) };

    const claimed = await this.store.createIfAbsent<Record<T>>(storeKey, { state: 'pending', at: this.clock.now() });
    if (!claimed) return { duplicate: true, result: await this.waitForResult<T>(storeKey) };

    const p = run();
    this.inflight.set(storeKey, p);
    let result: T;
    try {
      result = await p;
    } catch (e) {
      // The work failed before changing anything (writes whose outcome is unknown return, they do not
      // throw): a deliberate retry must not be blocked.
      await this.store.delete(storeKey).catch(() => undefined);
      throw e;
    } finally {
      this.inflight.delete(storeKey);
    }
    // The work is done whatever happens to its record: a store that fails now leaves the claim pending (a
    // duplicate then waits, and is told it was already handled), and never turns the result into a failure.
    await this.store.put<Record<T>>(storeKey, { state: 'done', at: this.clock.now(), result }).catch(() => undefined);
    return { duplicate: false, result };
  }

  private async waitForResult<T>(storeKey: string): Promise<T | undefined> {
    const seen = await poll(this.clock, { maxWaitMs: this.waitMs, intervalMs: 250 }, async () => {
      const rec = await this.store.get<Record<T>>(storeKey);
      if (!rec) return { result: undefined }; // released: the first arrival failed
      return rec.value.state === 'done' ? { result: rec.value.result } : undefined;
    });
    return seen?.result;
  }
}
