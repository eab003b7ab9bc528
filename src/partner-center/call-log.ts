/**
 * The pipeline's logging step: every attempt is told to the caller (`call.onResponse`: the turn's one log
 * line lists them, src/logging/turn-line.ts; the audit trail and the error sink read them) and written as
 * a line at debug. What is logged of a call names no one: its path, and of its query only paging values
 * and a filter's field name.
 */
import type { Clock } from '../util/clock';
import type { Logger } from '../logging/logger';
import { PartnerCenterError } from './errors';
import type { Policy } from './pipeline/types';

/** Query parameters whose values say nothing about anyone (paging), kept in a call's logged query. */
const PAGING_KEYS = new Set(['size', 'offset', 'seekoperation']);

/**
 * A call's query as logged: paging values, and a filter's field name only (`filter=CompanyName`), never
 * what was searched for (a customer's name). Two searches of one list then read as two calls, not one
 * call made twice (`sub list contoso` searches by company name and by domain).
 */
export function loggedQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const parts: string[] = [];
  for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
    if (PAGING_KEYS.has(key.toLowerCase())) parts.push(`${key}=${encodeURIComponent(value)}`);
    else if (key.toLowerCase() === 'filter') parts.push(`filter=${filterField(value)}`);
    else parts.push(key);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function filterField(value: string): string {
  try {
    const field = (JSON.parse(value) as { Field?: unknown }).Field;
    return typeof field === 'string' && /^[A-Za-z]{1,40}$/.test(field) ? field : '…';
  } catch {
    return '…';
  }
}

/**
 * Tells `call.onResponse` about every attempt (the turn's one log line lists them: src/logging/turn-line.ts)
 * and writes a line per attempt at debug. The correlation id is not repeated on these lines when the call's
 * logger is bound to it already (a turn's is): the logger drops a field its bindings carry.
 */
export function loggingPolicy(logger: Logger, clock: Clock): Policy {
  return {
    name: 'log',
    async send(req, next) {
      const started = clock.now();
      const log = req.call.logger ?? logger;
      const base = {
        method: req.method,
        // The path, and of the query only what names no one (loggedQuery).
        path: req.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0]! + loggedQuery(req.url),
        requestId: req.headers.get('MS-RequestId') ?? undefined,
        correlationId: req.headers.get('MS-CorrelationId') ?? undefined,
      };
      try {
        const res = await next(req);
        const ms = clock.now() - started;
        // The line's fields only when it is written (pino's disabled levels are no-ops).
        if (typeof log.isLevelEnabled !== 'function' || log.isLevelEnabled('debug')) {
          log.debug({ ...base, status: res.status, ms, cv: res.headers.get('MS-CV') }, 'partner center call');
        }
        req.call.onResponse?.({ ...base, status: res.status, ms });
        return res;
      } catch (e) {
        const kind = e instanceof PartnerCenterError ? e.kind : 'error';
        const ms = clock.now() - started;
        log.debug({ ...base, failure: kind, ms }, 'partner center call failed');
        req.call.onResponse?.({ ...base, status: 0, failure: kind, ms }); // sent, never answered: a write's outcome is unknown
        throw e;
      }
    },
  };
}
