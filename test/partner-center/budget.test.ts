/**
 * The bulk readers' share of Partner Center's budget, on a fake clock: a minute never holds more than the
 * rate, no more than the concurrency is in flight, and a 429 seen by one reader holds back every reader of
 * that partner tenant (and only that tenant) until Retry-After has passed.
 */
import { RequestBudget } from '../../src/partner-center/budget';
import { FakeClock } from '../support/fake-clock';

describe('RequestBudget', () => {
  it('keeps every 60-second window within the rate', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ perMinute: 200, concurrency: 4 }, clock);
    const at: number[] = [];
    for (let i = 0; i < 600; i++) await budget.run('t', async () => void at.push(clock.now()));
    for (let i = 0; i < at.length; i++) {
      const inWindow = at.filter((x) => x >= at[i]! && x < at[i]! + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(200);
    }
    // ...and does not go needlessly slow: 600 calls in under 3.3 minutes (the burst, then 180 a minute).
    expect(at.at(-1)! - at[0]!).toBeLessThan(3.3 * 60_000);
  });

  it('lets a small read through at once (the burst)', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ perMinute: 200, concurrency: 4 }, clock);
    const start = clock.now();
    for (let i = 0; i < 12; i++) await budget.run('t', async () => undefined);
    expect(clock.now()).toBe(start);
  });

  it('holds no more than the concurrency in flight', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ perMinute: 500, concurrency: 3 }, clock);
    let inFlight = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    const calls = Array.from({ length: 9 }, () =>
      budget.run('t', async () => {
        most = Math.max(most, ++inFlight);
        await new Promise<void>((r) => gates.push(r));
        inFlight--;
      }),
    );
    for (let i = 0; i < 9; i++) {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      gates.shift()!();
    }
    await Promise.all(calls);
    expect(most).toBe(3);
  });

  it('a 429 pauses every reader of the same partner tenant for Retry-After, and no other tenant', async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget({ perMinute: 200, concurrency: 4 }, clock);
    await budget.run('partner-a', async () => undefined);
    const paused = clock.now();
    budget.pause('partner-a', 57_000);
    await budget.run('partner-b', async () => undefined);
    expect(clock.now()).toBe(paused);
    await budget.run('partner-a', async () => undefined);
    expect(clock.now()).toBeGreaterThanOrEqual(paused + 57_000);
    expect(budget.stats.pauses).toBe(1);
  });
});
