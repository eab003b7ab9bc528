import { systemClock, type Clock } from '../../src/util/clock';

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

/**
 * A clock the test holds: it moves only when the test says, and its waits are real (the bot keeps running).
 * For a whole bot whose background loops must not race ahead (a FakeClock's sleeps would spin them).
 */
export class HeldClock implements Clock {
  private offset = 0;
  now = (): number => Date.now() + this.offset;
  sleep = systemClock.sleep;
  advance(ms: number): void {
    this.offset += ms;
  }
}

/**
 * A clock that stands still: time moves only by `advance`, and a sleep wakes only when time has been moved
 * past its end. What a part waits for is then counted in this clock's time, whatever the machine's load:
 * a check can say "not one request before the window opens, all of them once it has".
 */
export class ManualClock implements Clock {
  private readonly sleepers: Array<{ wake: number; resolve: () => void }> = [];
  constructor(private t = Date.parse('2026-11-21T09:00:00Z')) {}
  now = (): number => this.t;
  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper = {
        wake: this.t + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.sleepers.indexOf(sleeper);
        if (i >= 0) this.sleepers.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (ms <= 0) return sleeper.resolve();
      this.sleepers.push(sleeper);
    });
  /** When the earliest sleeper wakes (Infinity when nobody sleeps). */
  nextWake(): number {
    return this.sleepers.reduce((m, s) => Math.min(m, s.wake), Infinity);
  }
  /** How many are asleep. */
  get sleeping(): number {
    return this.sleepers.length;
  }
  /** Moves time forward and wakes, in order, everyone whose sleep has ended. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.wake <= this.t).sort((a, b) => a.wake - b.wake);
    for (const s of due) this.sleepers.splice(this.sleepers.indexOf(s), 1);
    for (const s of due) s.resolve();
  }
}
