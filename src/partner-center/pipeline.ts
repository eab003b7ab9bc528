/**
 * The request pipeline: small named steps around `fetch`, in the manner of Azure's core-rest-pipeline.
 *
 * Order matters and is fixed in `createPipeline`:
 *   headers set once per call (MS-RequestId, MS-CorrelationId, X-Locale, ...)
 *   → retry (429 Retry-After, exponential backoff)  ← everything above is kept across retries
 *   → per-tenant concurrency limit                  ← a request waiting for a retry holds no slot
 *   → Authorization (token asked for on every attempt, so a renewed token is used)
 *   → log → transport (with the per-attempt timeout)
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../util/clock';
import { parseRetryAfter, retry, type RetrySchedule } from '../util/retry';
import type { Logger } from '../logging/logger';
import { loggingPolicy } from './call-log';
import { isBusinessCode, parseErrorBody, PartnerCenterError, redactRequest, type RedactedRequest } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What one user action carries into every Partner Center call it makes. */
export interface CallContext {
  /** The signed-in user's Partner Center token. Asked for per attempt; never stored by the client. */
  getToken: () => Promise<string>;
  /** Groups the calls of one user action (MS-CorrelationId). */
  correlationId: string;
  /** The user's locale, sent as X-Locale. */
  locale: string;
  /** Key of the per-partner-tenant concurrency limit. */
  tenantKey: string;
  signal?: AbortSignal;
  /** Logs of this call go here when given (carrying the Teams conversation and activity ids). */
  logger?: Logger;
  /** Told about every call (method, path, status, ids; status 0 when no answer came): the audit trail and the error sink read it. */
  onResponse?: (r: CallRecord) => void;
  /**
   * The most this call may spend waiting out Partner Center's Retry-After, in all: someone waiting in a chat
   * is told it failed (and when to try again) rather than left in silence. Default: the pipeline's own bound.
   */
  throttleBudgetMs?: number;
  /** Told before each wait for Retry-After, so the person waiting can be told why. */
  onThrottled?: (waitMs: number) => void;
}

export interface CallRecord {
  method: HttpMethod;
  path: string;
  status: number;
  requestId?: string;
  correlationId?: string;
  /** Why no answer came (status 0): timeout, network, aborted. */
  failure?: string;
  /** How long the attempt took. */
  ms?: number;
}

export interface PcRequest {
  method: HttpMethod;
  url: string;
  headers: Headers;
  body?: string;
  call: CallContext;
  /**
   * Whether sending this request twice has the effect of sending it once. GETs, the full-resource PUT and a
   * PATCH guarded by If-Match are; a service-request POST or a note PATCH is not, so after a timeout, a
   * reset or a 5xx it is never sent again blindly: the client reads back what happened instead.
   */
  idempotent: boolean;
}

export interface PcResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The request that got this answer, redacted (no Authorization); built only when an error needs it. */
  request: () => RedactedRequest;
}

export type Next = (req: PcRequest) => Promise<PcResponse>;
export interface Policy {
  name: string;
  send(req: PcRequest, next: Next): Promise<PcResponse>;
}

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

// ---------------------------------------------------------------------------------------------------------
// Timeout, transport (the logging step is in call-log.ts)

export type Fetch = typeof fetch;

/**
 * The default transport: node:http(s) with keep-alive connections. It costs far less CPU per call than
 * undici's fetch (measured by bench/commands.ts), which matters for a bot making a call per command.
 *
 * Each attempt has its own timeout (`timeoutMs`, the whole exchange: connecting, sending, the answer's
 * last byte). It is a timer that destroys the request, not an AbortController per attempt: the common
 * case, an answer in time, then costs one timer. A caller's abort (call.signal) is reported as such.
 */
export function httpTransport(timeoutMs: number): Next {
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }) };
  return (req) =>
    new Promise<PcResponse>((resolve, reject) => {
      const signal = req.call.signal;
      if (signal?.aborted) return reject(transportError(req, signal.reason, false));
      const url = new URL(req.url);
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
      const send = protocol === 'https:' ? https.request : http.request;
      let timedOut = false;
      let settled = false;
      const done = () => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: unknown) => {
        if (settled) return;
        done();
        reject(transportError(req, e, timedOut, timeoutMs));
      };
      const r = send(url, { method: req.method, headers, agent: agents[protocol] }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('the answer was cut off')));
        res.on('end', () => {
          if (settled) return;
          done();
          resolve({
            status: res.statusCode ?? 0,
            headers: new ResponseHeaders(res.headers) as unknown as Headers,
            text: Buffer.concat(chunks).toString('utf8'),
            request: () => redactRequest(req.method, req.url, req.headers),
          });
        });
      });
      const timer = setTimeout(() => {
        timedOut = true;
        r.destroy(new Error('timeout'));
      }, timeoutMs);
      const onAbort = () => r.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      r.on('error', fail);
      r.end(req.body);
    });
}

/** A header name as the Fetch standard accepts it (a token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** HTTP whitespace, which Headers strips from both ends of a value. */
const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** Headers' methods, declared as methods (undici-types declares them as properties, which TS will not override). */
declare class HeadersMethods {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  getSetCookie(): string[];
  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

/**
 * node:http's response headers as a Headers, filled only when something other than get/has is asked: most
 * calls read two or three headers, and filling a Headers costs more than the rest of the transport's work.
 * What it answers is what `new Headers()` with each header `set` (arrays joined with ", ") would answer.
 */
class ResponseHeaders extends (Headers as unknown as typeof HeadersMethods) {
  #raw: IncomingHttpHeaders | undefined;

  constructor(raw: IncomingHttpHeaders) {
    super();
    this.#raw = raw;
  }

  #fill(): void {
    const raw = this.#raw;
    if (!raw) return;
    this.#raw = undefined;
    for (const [k, v] of Object.entries(raw)) if (v !== undefined) super.set(k, Array.isArray(v) ? v.join(', ') : v);
  }

  /** The raw value of a valid header name, or undefined when the answer must come from the filled Headers. */
  #lookup(name: string): { value: string | null } | undefined {
    const raw = this.#raw;
    if (!raw || typeof name !== 'string' || !HEADER_NAME.test(name)) return undefined;
    const key = name.toLowerCase();
    if (!Object.prototype.hasOwnProperty.call(raw, key)) return { value: null };
    const v = raw[key];
    if (v === undefined) return { value: null };
    return { value: (Array.isArray(v) ? v.join(', ') : v).replace(HTTP_WS, '') };
  }

  override get(name: string): string | null {
    const found = this.#lookup(name);
    if (found) return found.value;
    this.#fill();
    return super.get(name);
  }

  override has(name: string): boolean {
    const found = this.#lookup(name);
    if (found) return found.value !== null;
    this.#fill();
    return super.has(name);
  }

  override set(name: string, value: string): void {
    this.#fill();
    super.set(name, value);
  }

  override append(name: string, value: string): void {
    this.#fill();
    super.append(name, value);
  }

  override delete(name: string): void {
    this.#fill();
    super.delete(name);
  }

  override getSetCookie(): string[] {
    this.#fill();
    return super.getSetCookie();
  }

  override forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.#fill();
    super.forEach(callback, thisArg);
  }

  override entries(): IterableIterator<[string, string]> {
    this.#fill();
    return super.entries();
  }

  override keys(): IterableIterator<string> {
    this.#fill();
    return super.keys();
  }

  override values(): IterableIterator<string> {
    this.#fill();
    return super.values();
  }

  override [Symbol.iterator](): IterableIterator<[string, string]> {
    this.#fill();
    return super[Symbol.iterator]();
  }
}

/** What a failed exchange means: the attempt's timeout, the caller's abort, or the network. */
function transportError(req: PcRequest, e: unknown, timedOut: boolean, timeoutMs = 0): PartnerCenterError {
  const ids = { requestId: req.headers.get('MS-RequestId') ?? undefined, correlationId: req.headers.get('MS-CorrelationId') ?? undefined };
  if (timedOut) {
    return new PartnerCenterError({
      kind: 'timeout',
      message: `Partner Center did not answer within ${timeoutMs} ms`,
      request: redactRequest(req.method, req.url, req.headers),
      ...ids,
    });
  }
  if (req.call.signal?.aborted) {
    return new PartnerCenterError({ kind: 'aborted', message: 'The Partner Center call was cancelled', request: redactRequest(req.method, req.url, req.headers) });
  }
  return new PartnerCenterError({
    kind: 'network',
    message: `Partner Center could not be reached (${networkCode(e)})`,
    request: redactRequest(req.method, req.url, req.headers),
    ...ids,
  });
}

/** A transport over a fetch implementation (tests wrap fetch to observe or interfere with calls), with the same per-attempt timeout. */
export function fetchTransport(fetchImpl: Fetch, timeoutMs: number): Next {
  return async (req) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.call.signal ? AbortSignal.any([req.call.signal, timeout]) : timeout;
    try {
      const res = await fetchImpl(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal,
        redirect: 'manual',
      });
      return {
        status: res.status,
        headers: res.headers,
        text: await res.text(),
        request: () => redactRequest(req.method, req.url, req.headers),
      };
    } catch (e) {
      throw transportError(req, e, timeout.aborted && !req.call.signal?.aborted, timeoutMs);
    }
  };
}

/** The system error code behind undici's "fetch failed", e.g. ECONNRESET. Never the message (it may carry the URL). */
function networkCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return 'network error';
}

export function compose(policies: readonly Policy[], transport: Next): Next {
  return policies.reduceRight<Next>((next, policy) => (req) => policy.send(req, next), transport);
}

export interface PipelineOptions {
  applicationName: string;
  timeoutMs: number;
  retry: Omit<RetryOptions, 'clock'>;
  concurrencyPerTenant: number;
  clock: Clock;
  logger: Logger;
  fetch?: Fetch;
}

export function createPipeline(o: PipelineOptions): Next {
  return compose(
    [
      requestIdPolicy,
      acceptPolicy,
      correlationIdPolicy,
      localePolicy,
      applicationPolicy(o.applicationName),
      retryPolicy({ ...o.retry, clock: o.clock }),
      concurrencyPolicy(o.concurrencyPerTenant),
      authorizationPolicy,
      loggingPolicy(o.logger, o.clock),
    ],
    o.fetch ? fetchTransport(o.fetch, o.timeoutMs) : httpTransport(o.timeoutMs),
  );
}
