/**
 * The one retry policy. Every caller that sends something again (Partner Center calls, Teams sends) runs
 * `retry()` with its own data: which outcomes are worth another try (its `decide`), how many tries, and how
 * the waits grow (its `RetrySchedule`), as octokit's plugin-retry and Azure's core-rest-pipeline keep retry
 * defaults as data. Waits go through the caller's sleep, so they run on the injected clock.
 */

export interface RetrySchedule {
  /** Tries in all, the first included. */
  maxAttempts: number;
  /** The first backoff step; each later step doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * 'equal': a random wait between half the step and the step ("equal jitter": never less than half), so
   * callers that failed together do not come back together; 'full': a random wait up to the step, for
   * writers colliding on one record, who spread best when some go again at once; 'none': exactly the step.
   */
  jitter: 'equal' | 'full' | 'none';
}

/** The wait before retry number `retry` (0 for the first retry). */
export function backoffMs(s: RetrySchedule, retry: number, random: () => number = Math.random): number {
  const step = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** retry);
  if (s.jitter === 'equal') return Math.round(step / 2 + (random() * step) / 2);
  return s.jitter === 'full' ? random() * step : step;
}

/**
 * Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3), in ms from `now`; else, when given, the
 * "Try again in N seconds" of Partner Center's 429 body ({"statusCode":429,"message":"Rate limit is
 * exceeded. Try again in 57 seconds."}). Undefined when neither says.
 */
export function parseRetryAfter(header: string | null | undefined, now: number, bodyText?: string): number | undefined {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const match = bodyText ? /try again in (\d+(?:\.\d+)?) seconds?/i.exec(bodyText) : null;
  return match ? Number(match[1]) * 1000 : undefined;
}

export type AttemptOutcome<T> = { value: T } | { error: unknown };

/** Another try, after `afterMs` (e.g. the server's Retry-After) or else the schedule's backoff. */
export interface RetryDecision {
  afterMs?: number;
}

export interface RetryRunner {
  schedule: RetrySchedule;
  sleep(ms: number): Promise<void>;
  random?: () => number;
}

/**
 * Runs `attempt` (given the 0-based try number) until `decide` declines another try or the schedule's tries
 * are spent; then returns the last value or throws the last error. `decide` sees values as well as errors:
 * an HTTP answer such as a 429 is a value worth retrying.
 */
export async function retry<T>(
  o: RetryRunner,
  attempt: (n: number) => Promise<T>,
  decide: (outcome: AttemptOutcome<T>, n: number, backoff: number) => RetryDecision | undefined,
): Promise<T> {
  for (let n = 0; ; n++) {
    let outcome: AttemptOutcome<T>;
    try {
      outcome = { value: await attempt(n) };
    } catch (error) {
      outcome = { error };
    }
    const backoff = backoffMs(o.schedule, n, o.random);
    const again = n + 1 < o.schedule.maxAttempts ? decide(outcome, n, backoff) : undefined;
    if (!again) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    await o.sleep(again.afterMs ?? backoff);
  }
}
