/**
 * The pipeline's steps before the transport: the headers set once per call, the retry, the per-tenant
 * concurrency limit and the Authorization asked for on every attempt. Their order is fixed in index.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../util/clock';
import { parseRetryAfter, retry, type RetrySchedule } from '../../util/retry';
import { isBusinessCode, parseErrorBody, PartnerCenterError } from '../errors';
import type { PcResponse, Policy } from './types';

function setIfAbsent(headers: Headers, name: string, value: string): void {
  if (!headers.has(name)) headers.set(name, value);
}

// ---------------------------------------------------------------------------------------------------------
// Header steps

/**
 * MS-RequestId: one per call. The REST headers page says to reuse it only when retrying after a timeout and
 * to use a new one after any response (the retry step does that); no page promises the service
 * deduplicates writes by it, so nothing relies on that.
 */
export const requestIdPolicy: Policy = {
  name: 'requestId',
  send: (req, next) => (setIfAbsent(req.headers, 'MS-RequestId', randomUUID()), next(req)),
};

export const acceptPolicy: Policy = {
  name: 'accept',
  send: (req, next) => {
    setIfAbsent(req.headers, 'Accept', 'application/json');
    // Listed as required on Partner Center's REST headers page (the .NET SDK omits it).
    setIfAbsent(req.headers, 'MS-Contract-Version', 'v1');
    if (req.body !== undefined) setIfAbsent(req.headers, 'Content-Type', 'application/json');
    return next(req);
  },
};

export const correlationIdPolicy: Policy = {
  name: 'correlationId',
  send: (req, next) => (setIfAbsent(req.headers, 'MS-CorrelationId', req.call.correlationId), next(req)),
};

export const localePolicy: Policy = {
  name: 'locale',
  send: (req, next) => (setIfAbsent(req.headers, 'X-Locale', req.call.locale), next(req)),
};

export function applicationPolicy(applicationName: string): Policy {
  return {
    name: 'application',
    send: (req, next) => (setIfAbsent(req.headers, 'MS-PartnerCenter-Application', applicationName), next(req)),
  };
}

export const authorizationPolicy: Policy = {
  name: 'authorization',
  send: async (req, next) => {
    const token = await req.call.getToken();
    req.headers.set('Authorization', `Bearer ${token}`);
    return next(req);
  },
};

// ---------------------------------------------------------------------------------------------------------
// Retry

export interface RetryOptions {
  maxRetries: number;
  /** First backoff step; doubles each attempt, capped at maxDelayMs, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails as throttled, with the wait in it. */
  maxRetryAfterMs: number;
  clock: Clock;
  random?: () => number;
}

/**
 * 408 and 5xx except 501 (not implemented) and 505 (HTTP version) are transient, as are connection resets
 * and timeouts (Partner Center guidance; Azure core-rest-pipeline's exponential strategy). Every other 4xx is
 * final: retrying a 400/401/403/404/409 cannot succeed.
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/** A transient status that is not a business refusal in disguise (a 5xx carrying a business code). */
export function isPassingFault(res: Pick<PcResponse, 'status' | 'text'>): boolean {
  return isTransientStatus(res.status) && !(res.status >= 500 && isBusinessCode(parseErrorBody(res.text).code));
}

/** Retry-After as seconds, or an HTTP date; else the 429 body's "Try again in N seconds". */
export function retryAfterMs(res: PcResponse, now: number): number | undefined {
  return parseRetryAfter(res.headers.get('retry-after'), now, res.text);
}

/**
 * Partner Center calls on the one retry helper (src/util/retry.ts), with their own data: 429 (not
 * processed, so safe to send again whatever the method) waits out Retry-After within the call's throttle
 * budget; a passing fault (408, 5xx) and a timeout or reset are retried only for idempotent requests,
 * since a write that timed out may have been applied.
 */
export function retryPolicy(o: RetryOptions): Policy {
  const schedule: RetrySchedule = { maxAttempts: o.maxRetries + 1, baseDelayMs: o.baseDelayMs, maxDelayMs: o.maxDelayMs, jitter: 'equal' };
  return {
    name: 'retry',
    send(req, next) {
      let throttledFor = 0;
      return retry<PcResponse>(
        { schedule, sleep: (ms) => o.clock.sleep(ms, req.call.signal), random: o.random },
        () => next(req),
        (outcome, _n, backoff) => {
          if ('error' in outcome) {
            const e = outcome.error;
            const retryable = req.idempotent && e instanceof PartnerCenterError && (e.kind === 'network' || e.kind === 'timeout');
            return retryable ? {} : undefined; // same MS-RequestId: this is the retry after a timeout the headers page describes
          }
          const res = outcome.value;
          if (res.status === 429) {
            const after = retryAfterMs(res, o.clock.now());
            const wait = after ?? backoff;
            const budget = req.call.throttleBudgetMs ?? Infinity;
            if ((after !== undefined && after > o.maxRetryAfterMs) || throttledFor + wait > budget) return undefined;
            throttledFor += wait;
            req.call.onThrottled?.(wait);
            req.headers.set('MS-RequestId', randomUUID());
            return { afterMs: wait };
          }
          if (req.idempotent && isPassingFault(res)) {
            req.headers.set('MS-RequestId', randomUUID()); // a new one after any response
            return {};
          }
          return undefined;
        },
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Concurrency

/** At most `limit` requests in flight per partner tenant; the rest wait in order (abortably). */
export function concurrencyPolicy(limit: number): Policy {
  const lanes = new Map<string, { active: number; waiting: Array<() => void> }>();
  const acquire = (key: string, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      let lane = lanes.get(key);
      if (!lane) lanes.set(key, (lane = { active: 0, waiting: [] }));
      if (lane.active < limit) {
        lane.active++;
        return resolve();
      }
      if (signal?.aborted) return reject(signal.reason);
      const l = lane;
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        l.active++;
        resolve();
      };
      const onAbort = () => {
        l.waiting.splice(l.waiting.indexOf(go), 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      l.waiting.push(go);
    });
  const release = (key: string) => {
    const lane = lanes.get(key)!;
    lane.active--;
    const nextWaiter = lane.waiting.shift();
    if (nextWaiter) nextWaiter();
    else if (lane.active === 0) lanes.delete(key);
  };
  return {
    name: 'concurrency',
    async send(req, next) {
      await acquire(req.call.tenantKey, req.call.signal);
      try {
        return await next(req);
      } finally {
        release(req.call.tenantKey);
      }
    },
  };
}
