/**
 * Work that continues after Teams has its answer (a slow Partner Center call, a 202 still being applied).
 * Tracked so shutdown can wait for it, and so its failures are logged rather than lost.
 */
import type { BackgroundWork as Background } from '../commands/contract';
import { logFailure } from '../logging/failure';
import type { Logger } from '../logging/logger';

export class BackgroundWork implements Background {
  private readonly running = new Set<Promise<void>>();
  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<void>): void {
    const p = work()
      .catch((e) => logFailure(this.logger, 'error', e, { work: name }, 'background work failed'))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves when everything started so far has finished. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
