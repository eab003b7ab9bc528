/**
 * What every Partner Center operation shares: who is acting (UserContext) and the call context made from it,
 * input validation before anything is sent, the read-modify-write merge, and recognising an operation
 * Partner Center has retired. The operations themselves live one resource family a file beside this one.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PartnerCenterError } from './errors';
import type { Raw } from './http';
import type { Logger } from '../logging/logger';
import type { CallContext } from './pipeline';
import { fieldProblems, localeSchema } from './schemas';

/** Where partners manage service requests when the API cannot (create was announced as decommissioned). */
export const PARTNER_CENTER_SERVICE_REQUESTS_URL = 'https://partner.microsoft.com/dashboard/support/servicerequests';

/** Who is acting, as the bot knows it from the Teams activity. */
export interface UserContext {
  getToken: () => Promise<string>;
  /** e.g. fr-FR; sent as X-Locale. Defaults to en-US. */
  locale?: string;
  /** One per user action; generated when absent. */
  correlationId?: string;
  /** The partner tenant (Teams `tenant.id`): the key of the concurrency limit. */
  tenantId?: string;
  signal?: AbortSignal;
  /** Where this user's calls are logged (a child logger carrying the Teams ids). */
  logger?: Logger;
  /** Told about every answer: the audit trail records a write's MS-RequestId from it. */
  onResponse?: CallContext['onResponse'];
  /** Bounds the total Retry-After wait of each call, and hears about each wait (someone is waiting in a chat). */
  throttleBudgetMs?: number;
  onThrottled?: CallContext['onThrottled'];
}

export interface Page<T> {
  items: T[];
  totalCount: number;
  /** Offset of the next page, when there is one. */
  nextOffset?: number;
  /** Items Partner Center sent that could not be read at all (no id): left out, and counted here. */
  skipped: number;
}

/** The call context of one operation by this user. */
export function callOf(user: UserContext): CallContext {
  const locale = localeSchema.safeParse(user.locale ?? 'en-US');
  return {
    getToken: user.getToken,
    correlationId: user.correlationId ?? randomUUID(),
    locale: locale.success ? locale.data : 'en-US',
    tenantKey: user.tenantId ?? 'default',
    signal: user.signal,
    logger: user.logger,
    onResponse: user.onResponse,
    throttleBudgetMs: user.throttleBudgetMs,
    onThrottled: user.onThrottled,
  };
}

/** Partner Center's clock and ours may disagree by a little: a read-back looks this far before the send. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Validates input before anything is sent; field-level messages in the error. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = fieldProblems(r.error).map((f) => (field && f.field === 'input' ? { ...f, field } : f));
  throw new PartnerCenterError({
    kind: 'invalid-input',
    // For logs: the field and its message key with values, e.g. "quantity field.min {"min":1}".
    message: `Invalid input: ${fields.map((f) => `${f.field} ${f.key}${f.params ? ` ${JSON.stringify(f.params)}` : ''}`).join('; ')}`,
    fields,
  });
}

/** Sets fields on a raw resource in the casing it already uses (camelCase unless a PascalCase key exists). */
export function mergeFields(raw: Raw, fields: Record<string, unknown>): Raw {
  const out: Raw = { ...raw };
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const existing = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
    out[existing ?? name] = value;
  }
  return out;
}

/** Create and support topics were announced as decommissioned: recognise the service saying so. */
export function isGone(e: unknown): e is PartnerCenterError {
  if (!(e instanceof PartnerCenterError) || e.kind !== 'http') return false;
  if (e.status === 404 || e.status === 405 || e.status === 410) return true;
  return /decommission|deprecat|retired|no longer (supported|available)/i.test(`${e.code ?? ''} ${e.description ?? ''}`);
}

export function asDecommissioned(e: unknown, message: string): unknown {
  if (!isGone(e)) return e;
  return new PartnerCenterError({
    kind: 'decommissioned',
    message: `${message} Use the Partner Center web page instead: ${PARTNER_CENTER_SERVICE_REQUESTS_URL}`.trim(),
    status: e.status,
    code: e.code,
    description: e.description,
    requestId: e.requestId,
    correlationId: e.correlationId,
    cv: e.cv,
    request: e.request,
  });
}
