import type { Clock } from '../../src/util/clock';

/** A clock whose sleeps return at once and move time forward; `waits` records every wait asked for. */
export class FakeClock implements Clock {
  readonly waits: number[] = [];
  constructor(private t = Date.parse('2026-11-21T09:00:00Z')) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    this.waits.push(ms);
    this.t += ms;
    await Promise.resolve();
  };
}
