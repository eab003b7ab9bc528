/** The pipeline's shapes: what a call carries, what a step sees, and what an answer is. */
import type { Logger } from '../../logging/logger';
import type { RedactedRequest } from '../errors';

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

export type Fetch = typeof fetch;
