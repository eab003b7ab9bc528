/**
 * One error type for everything that goes wrong talking to Partner Center.
 *
 * It carries what a user, an operator and Partner Center support need: the `kind` of failure, the HTTP
 * status, Partner Center's `code` and `description`, the request id, correlation id and MS-CV, the
 * Retry-After, and a redacted copy of the request. The bearer token never goes into it. It carries no
 * words for users: the UI says `kind` and `code` in the user's language (i18n `pc.*`); `message` is for logs.
 */

import type { Message, MessageKey } from '../i18n';
import { scrubSecrets } from '../util/secrets';

/** Why a call failed, so callers can branch without string-matching messages. */
export type PartnerCenterErrorKind =
  | 'invalid-input' // refused before any request was sent
  | 'http' // Partner Center answered with an error status
  | 'throttled' // 429 and out of retries
  | 'timeout' // a request or a bounded wait ran out
  | 'network' // connection refused/reset, DNS
  | 'aborted' // the caller cancelled
  | 'decommissioned' // the operation no longer exists at Partner Center
  | 'unexpected-response'; // a success status with a body we could not read

export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** The i18n key of a problem with one input field: the schemas carry keys, the UI words them. */
export type FieldKey = Extract<MessageKey, `field.${string}`>;
/** A field problem as a message key with its values (`field.tooLong` with `{ max }`). */
export type FieldMessage = Message<FieldKey>;
/** One invalid field of a client call (`field` is its path, e.g. `quantity`), for callers and logs. */
export type FieldProblem = { field: string } & FieldMessage;

export interface PartnerCenterErrorInit {
  kind: PartnerCenterErrorKind;
  message: string;
  status?: number;
  code?: string;
  description?: string;
  requestId?: string;
  correlationId?: string;
  cv?: string;
  retryAfterMs?: number;
  request?: RedactedRequest;
  fields?: FieldProblem[];
  cause?: unknown;
}

export class PartnerCenterError extends Error {
  readonly kind: PartnerCenterErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly description?: string;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly cv?: string;
  readonly retryAfterMs?: number;
  readonly request?: RedactedRequest;
  readonly fields: readonly FieldProblem[];

  constructor(init: PartnerCenterErrorInit) {
    // Partner Center's own words can echo what it was sent: mask anything token-shaped before keeping them.
    super(scrubSecrets(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'PartnerCenterError';
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.description = init.description === undefined ? undefined : scrubSecrets(init.description);
    this.requestId = init.requestId;
    this.correlationId = init.correlationId;
    this.cv = init.cv;
    this.retryAfterMs = init.retryAfterMs;
    this.request = init.request;
    this.fields = init.fields ?? [];
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      code: this.code,
      description: this.description,
      requestId: this.requestId,
      correlationId: this.correlationId,
      cv: this.cv,
      retryAfterMs: this.retryAfterMs,
      request: this.request,
      fields: this.fields,
    };
  }
}

/**
 * True when Partner Center definitely did not apply what was asked: it refused (a 4xx with its code, a 5xx
 * carrying a business code), throttled it, no longer offers it, or the input never left the bot. Only then
 * may a user be told "nothing was changed".
 */
export function isRefusal(e: unknown): e is PartnerCenterError {
  if (!(e instanceof PartnerCenterError)) return false;
  if (e.kind === 'invalid-input' || e.kind === 'throttled' || e.kind === 'decommissioned') return true;
  return e.kind === 'http' && e.status !== undefined && (e.status < 500 || isBusinessCode(e.code));
}

/**
 * Partner Center's error table lists 5xx answers that carry business codes (e.g. 500/800083): those are
 * refusals, not passing faults, so they are neither retried nor treated as an unknown outcome.
 */
export function isBusinessCode(code: string | undefined): boolean {
  return code !== undefined && /^\d{4,}$/.test(code);
}

/** Partner Center's error body (`{code, description}`, or `{error: {...}}`, or the gateway's 429 shape). */
export function parseErrorBody(text: string): { code?: string; description?: string } {
  try {
    const b = JSON.parse(text) as Record<string, unknown>;
    if (!b || typeof b !== 'object') return {};
    const lower = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
    const outer = lower(b);
    const inner = outer.error && typeof outer.error === 'object' ? lower(outer.error as Record<string, unknown>) : outer;
    const code = inner.code ?? inner.errorcode;
    const description = inner.description ?? inner.message ?? inner.errordescription;
    return {
      code: code === undefined || code === null ? undefined : String(code),
      description: typeof description === 'string' ? description : undefined,
    };
  } catch {
    return {};
  }
}

export function isPartnerCenterError(e: unknown): e is PartnerCenterError {
  return e instanceof PartnerCenterError;
}

const SENSITIVE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-ms-client-secret']);

/** A copy of a request safe for logs and error cards: no Authorization, no secrets in the query string. */
export function redactRequest(method: string, url: string, headers: Headers | Record<string, string>): RedactedRequest {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [k, v] of entries) out[k.toLowerCase()] = SENSITIVE_HEADERS.has(k.toLowerCase()) ? '[redacted]' : v;
  return { method, url: redactUrl(url), headers: out };
}

const HARMLESS_QUERY_KEYS = new Set(['size', 'offset', 'seekoperation', 'api-version']);

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    // Only paging values are kept: a filter carries what someone searched for (a customer's name).
    for (const key of [...u.searchParams.keys()]) {
      if (!HARMLESS_QUERY_KEYS.has(key.toLowerCase())) u.searchParams.set(key, '[redacted]');
    }
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
