/**
 * Splitting the watch partitions (by setter's partner tenant, see partitionOf) between instances that share
 * one store: each partition is leased by one instance at a time (an ETag-guarded lease document with an
 * expiry). Instances announce themselves; each takes a fair share of the partitions, renews its leases every
 * cycle, gives leases back when others join, and takes over the partitions of an instance that stopped
 * within one lease period. (The lease documents keep their earlier name, `leases/shards/<n>`.)
 */
import { isETagConflict, type KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import { PARTITIONS } from './watches';

interface Lease {
  owner: string;
  until: number;
}

const leaseKey = (n: number) => `leases/shards/${n}`;
const INSTANCES = 'leases/instances';

export class Leases {
  private readonly owned = new Set<number>();
  /** Live instances at the last claim (this one included). */
  instances = 1;

  constructor(
    private readonly store: KeyValueStore,
    readonly instanceId: string,
    private readonly clock: Clock,
    readonly leaseMs: number,
    private readonly shards = PARTITIONS,
  ) {}

  /** Instances seen within one lease period (this one included). */
  async liveInstances(): Promise<number> {
    const now = this.clock.now();
    const all = await this.store.update<Record<string, number>>(INSTANCES, (cur) => {
      const next: Record<string, number> = { [this.instanceId]: now };
      for (const [id, at] of Object.entries(cur ?? {})) if (id !== this.instanceId && at > now - this.leaseMs) next[id] = at;
      return next;
    });
    this.instances = Math.max(1, Object.keys(all ?? {}).length);
    return this.instances;
  }

  /** Renews what this instance holds and claims free shards up to its fair share; returns the shards it holds. */
  async claim(): Promise<number[]> {
    const live = await this.liveInstances();
    const share = Math.ceil(this.shards / live);
    const now = this.clock.now();
    const until = now + this.leaseMs;
    const current = await this.store.getMany<Lease>(Array.from({ length: this.shards }, (_, n) => leaseKey(n)));
    // Renew first, giving back what is above the fair share (another instance joined).
    for (let n = 0; n < this.shards; n++) {
      const l = current.get(leaseKey(n));
      if (l?.value.owner !== this.instanceId) {
        this.owned.delete(n);
        continue;
      }
      if (this.owned.size > share && this.owned.has(n)) {
        await this.write(n, { owner: this.instanceId, until: now }, l.eTag); // expire it: free for others
        this.owned.delete(n);
        continue;
      }
      if (await this.write(n, { owner: this.instanceId, until }, l.eTag)) this.owned.add(n);
      else this.owned.delete(n);
    }
    for (let n = 0; n < this.shards && this.owned.size < share; n++) {
      if (this.owned.has(n)) continue;
      const l = current.get(leaseKey(n));
      if (l && l.value.until > now) continue; // held by a live instance
      const ok = l ? await this.write(n, { owner: this.instanceId, until }, l.eTag) : await this.store.createIfAbsent<Lease>(leaseKey(n), { owner: this.instanceId, until });
      if (ok) this.owned.add(n);
    }
    return [...this.owned].sort((a, b) => a - b);
  }

  /** Gives every lease back (clean shutdown), so another instance takes over at once. */
  async release(): Promise<void> {
    const now = this.clock.now();
    for (const n of [...this.owned]) {
      const l = await this.store.get<Lease>(leaseKey(n));
      if (l?.value.owner === this.instanceId) await this.write(n, { owner: this.instanceId, until: now }, l.eTag);
      this.owned.delete(n);
    }
    await this.store.update<Record<string, number>>(INSTANCES, (cur) => {
      if (!cur?.[this.instanceId]) return undefined;
      const { [this.instanceId]: _me, ...rest } = cur;
      return rest;
    });
  }

  /** Whether this instance still holds shard `n` (checked before acting on it). */
  holds(n: number): boolean {
    return this.owned.has(n);
  }

  private async write(n: number, lease: Lease, eTag: string): Promise<boolean> {
    try {
      await this.store.put(leaseKey(n), lease, eTag);
      return true;
    } catch (e) {
      if (isETagConflict(e)) return false;
      throw e;
    }
  }
}
