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
import type { Clock } from '../../util/clock';
import type { Logger } from '../../logging/logger';
import { loggingPolicy } from '../call-log';
import { acceptPolicy, applicationPolicy, authorizationPolicy, concurrencyPolicy, correlationIdPolicy, localePolicy, requestIdPolicy, retryPolicy, type RetryOptions } from './policies';
import { fetchTransport, httpTransport } from './transport';
import type { Fetch, Next, Policy } from './types';

export * from './types';
export * from './policies';
export { fetchTransport, httpTransport } from './transport';

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
