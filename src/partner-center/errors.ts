/**
 * One error type for everything that goes wrong talking to Partner Center.
 *
 * It carries what a user, an operator and Partner Center support need: the HTTP status, Partner Center's
 * `code` and `description`, the request id, correlation id and MS-CV, the Retry-After, and a redacted copy of
 * the request. The bearer token never goes into it.
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

  /** The one message a user should read: Partner Center's documented meaning of the code, else its own words. */
  get userMessage(): string {
    return explainError(this);
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

/**
 * Plain-language meaning of the Partner Center error codes the product can meet (PARTNER-CENTER.md,
 * "Errors and throttling"; https://learn.microsoft.com/partner-center/developer/error-codes).
 * Keys are Partner Center codes; the UI layer translates them by the same key.
 */
export const ERROR_CODE_MESSAGES: Readonly<Record<string, string>> = Object.freeze({
  '2001': 'The quantity cannot be changed in the same update as the status (for example while suspending). Change one, then the other.',
  '2002': 'The quantity is outside what this offer allows.',
  '2006': 'Partner Center does not allow updates to this offer.',
  '2011': 'This subscription has been deleted and can no longer be changed.',
  '2055': 'Someone else changed this subscription at the same time. It was re-read; try your change again.',
  '800090': 'Seats cannot be reduced: new-commerce subscriptions can only be reduced within 7 days of adding the seats.',
  '800091': 'This subscription is suspended: reactivate it before changing its seats.',
  '800093': 'This subscription is not eligible for auto-renew.',
  '800095': 'Partner Center does not allow the seats of this subscription to be changed now.',
  '800096': 'Partner Center does not allow the status of this subscription to be changed now (for new-commerce, cancellation is only possible inside the cancellation window).',
  '800014': 'A previous change to this subscription is still being processed. Wait a few minutes and try again.',
  '20003': 'Partner Center could not find this item. Check the id.',
  '20002': 'You no longer have a commerce relationship with this customer.',
  '900421': 'Partner Center requires multi-factor authentication for this action. Sign in again with MFA.',
});

const STATUS_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  400: 'Partner Center refused the request as invalid.',
  401: 'Partner Center did not accept your sign-in. Sign in again.',
  403: 'Your account is not allowed to do this in Partner Center (check your Partner Center role).',
  404: 'Partner Center could not find this item. Check the id.',
  409: 'Partner Center reports a conflicting change in progress. Try again in a few minutes.',
  412: 'The item changed since it was read. Read it again and retry.',
  429: 'Partner Center is throttling requests. Try again in a minute.',
});

export function explainError(e: PartnerCenterError): string {
  if (e.code && ERROR_CODE_MESSAGES[e.code]) return ERROR_CODE_MESSAGES[e.code]!;
  switch (e.kind) {
    case 'invalid-input':
      return e.message;
    case 'timeout':
      return 'Partner Center did not answer in time. Nothing is known to have changed; check before retrying.';
    case 'network':
      return 'Partner Center could not be reached. Try again shortly.';
    case 'aborted':
      return 'The request was cancelled.';
    case 'decommissioned':
      return e.message;
    case 'throttled':
      return STATUS_MESSAGES[429]!;
    default:
      break;
  }
  if (e.status && STATUS_MESSAGES[e.status]) {
    return e.description ? `${STATUS_MESSAGES[e.status]} ${e.description}` : STATUS_MESSAGES[e.status]!;
  }
  if (e.status && e.status >= 500) return 'Partner Center had a problem answering. Try again shortly.';
  return e.description ?? e.message;
}
