/**
 * The outbox's "sent" (and "dropped") marks, written off the critical path of delivery.
 *
 * A mark says that Teams accepted a post, so that a restart never posts it again. Writing each mark the
 * moment its answer comes back put one storage request (and its CPU) per post in the middle of a burst of
 * sends: the answers of the burst were then read late, and the next window of Teams' limits (counted from
 * those answers) opened late. Instead, marks are queued and written together, concurrently, when the sender
 * has a gap (nothing on the wire and nothing able to leave for GAP_MS), or once the oldest has waited
 * MAX_DELAY_MS whatever the sender does, and at the latest when the delivery ends (drain).
 *
 * What a crash can cause: a post Teams accepted whose mark was not written yet is posted again after the
 * restart, once. Such a post was accepted at most MAX_DELAY_MS plus one storage write before the crash
 * (before this change: one storage write). Nothing accepted is lost, and nothing whose mark was written
 * is posted again. A mark whose write fails is logged; its post still leaves the shard's pending list with
 * the shard's next write, so only a crash before that write posts it again.
 */
import type { Logger } from '../logging/logger';
import type { KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';

/** What the marks need of the sender: how long before it may next put a request on the wire. */
export interface Quiet {
  quietFor(): number;
}

/** A gap this long in the sender's traffic is enough to write the marks queued so far. */
export const GAP_MS = 100;
/** No mark waits longer than this for a gap (it bounds what a crash may post twice). */
export const MAX_DELAY_MS = 500;
/** How often queued marks check for a gap. */
const POLL_MS = 10;

export class Marks<T> {
  private queue: Array<{ key: string; value: T }> = [];
  /** When the oldest queued mark was queued. */
  private since = 0;
  private readonly writing = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly o: { store: KeyValueStore; sender: Quiet; clock: Clock; logger: Logger },
  ) {}

  /** Queues `value` to be written under `key`. */
  add(key: string, value: T): void {
    if (this.queue.length === 0) this.since = this.o.clock.now();
    this.queue.push({ key, value });
    this.arm();
  }

  /** Writes whatever is queued and waits for every write (the delivery ends). */
  async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.write();
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.o.sender.quietFor() >= GAP_MS || this.o.clock.now() - this.since >= MAX_DELAY_MS) this.write();
      else this.arm();
    }, POLL_MS);
    this.timer.unref();
  }

  private write(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const done: Promise<void> = Promise.all(
      batch.map(({ key, value }) =>
        this.o.store.put<T>(key, value).catch((err: unknown) => {
          this.o.logger.warn({ err, key }, 'outbox mark not written (the post stays settled by its shard\'s next write)');
        }),
      ),
    ).then(() => {
      this.writing.delete(done);
    });
    this.writing.add(done);
  }
}
