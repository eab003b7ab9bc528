/**
 * Time, injectable. Production uses the real clock; tests pass a fake one so waits (Retry-After, backoff,
 * 202 polling) are proven without sleeping.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * The reason a cancelled deadline aborts with. Nobody reads it (the rejection is swallowed above), but
 * `abort()` without a reason builds a DOMException and captures its stack: every request body read pays
 * that once (about 40-55 µs per command in bench:commands' CPU profile).
 */
const CANCELLED: unknown = Symbol('deadline cancelled');

export interface PollOptions {
  /** Give up after this long (from the first attempt); the first attempt is always made. */
  maxWaitMs: number;
  intervalMs: number;
  /** Each wait is this many times the previous one, up to `maxIntervalMs`. Default 1 (steady). */
  growth?: number;
  maxIntervalMs?: number;
  /** Wait before the first attempt too (a 202 is not worth reading back at once). Default false. */
  waitFirst?: boolean;
  signal?: AbortSignal;
}

/**
 * The one Clock-based poll loop: tries `attempt` until it returns a value or the wait runs out (then
 * undefined), never sleeping past the deadline. Every "check again until" in the product uses it.
 */
export async function poll<T>(clock: Clock, o: PollOptions, attempt: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = clock.now() + o.maxWaitMs;
  let interval = o.intervalMs;
  for (let first = true; first || clock.now() < deadline; first = false) {
    if (!first || o.waitFirst) {
      const left = Math.max(0, deadline - clock.now());
      if (!first && left === 0) break;
      await clock.sleep(Math.min(interval, left), o.signal);
      interval = Math.min(interval * (o.growth ?? 1), o.maxIntervalMs ?? interval * (o.growth ?? 1));
    }
    const r = await attempt();
    if (r !== undefined) return r;
  }
  return undefined;
}

/**
 * A deadline on the clock: `reached` resolves once `ms` have passed; `cancel()` drops it, timer and all, and
 * `reached` then never settles (the race it was in is over).
 */
export function deadline(clock: Clock, ms: number): { reached: Promise<void>; cancel(): void } {
  const ac = new AbortController();
  return { reached: clock.sleep(ms, ac.signal).catch(() => new Promise<never>(() => undefined)), cancel: () => ac.abort(CANCELLED) };
}
