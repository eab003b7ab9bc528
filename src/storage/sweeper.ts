/**
 * Deletes expired records, prefix by prefix (RETENTION), every `intervalMs` on the injected clock. Started
 * by main.ts and stopped on shutdown. Several instances sweeping one store is harmless: a delete is
 * conditional on the eTag the sweep read, so a record rewritten meanwhile is kept.
 */
import type { Clock } from '../util/clock';
import type { KeyValueStore } from './index';
import { RETENTION } from './retention';

export interface SweeperLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class Sweeper {
  private abort?: AbortController;
  private loop?: Promise<void>;

  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    private readonly logger: SweeperLogger,
    private readonly intervalMs = 60 * 60_000,
    private readonly prefixes: readonly string[] = RETENTION.map((r) => r.prefix),
  ) {}

  /** One pass over every prefix: the number of records deleted per prefix. */
  async sweepOnce(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const prefix of this.prefixes) {
      try {
        out[prefix] = await this.store.sweep(prefix);
      } catch (err) {
        this.logger.warn({ err, prefix }, 'expiry sweep failed; the next one will try again');
      }
    }
    const total = Object.values(out).reduce((a, b) => a + b, 0);
    if (total > 0) this.logger.info({ deleted: out }, 'expired records swept');
    return out;
  }

  start(): void {
    if (this.loop) return;
    const abort = (this.abort = new AbortController());
    this.loop = (async () => {
      while (!abort.signal.aborted) {
        try {
          await this.clock.sleep(this.intervalMs, abort.signal);
        } catch {
          return; // stopped
        }
        await this.sweepOnce();
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
  }
}
