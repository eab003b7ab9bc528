/**
 * A failure in the log without its words. An error's message or description may echo what Partner Center
 * was sent or holds (a customer's name, a domain): lines at info and above carry its class, kind, status,
 * code and request id, and where a bug was thrown; its text goes to a debug line, masked (mask.ts).
 */
import type { Logger } from './logger';
import { maskText } from './mask';

/** What a failure was, as far as it is safe to log at any level. */
export interface FailureFacts {
  name?: string;
  kind?: string;
  status?: number;
  code?: string;
  requestId?: string;
}

const short = (v: unknown) => (typeof v === 'string' && v.length <= 80 ? v : undefined);

export function failureFacts(e: unknown): FailureFacts {
  if (!e || typeof e !== 'object') return { name: typeof e };
  const o = e as { name?: unknown; kind?: unknown; status?: unknown; code?: unknown; requestId?: unknown };
  return {
    name: short(o.name),
    kind: short(o.kind),
    status: typeof o.status === 'number' ? o.status : undefined,
    code: short(o.code) ?? (typeof o.code === 'number' ? String(o.code) : undefined),
    requestId: short(o.requestId),
  };
}

/** Where a bug was thrown (the stack's frames, without the message above them): code paths, no data. */
function framesOf(e: unknown): string | undefined {
  if (!(e instanceof Error) || !e.stack) return undefined;
  const frames = e.stack.split('\n').filter((l) => /^\s+at /.test(l));
  return frames.length ? frames.slice(0, 8).map((l) => l.trim()).join('\n') : undefined;
}

/** An error's own words: Partner Center's description when it gave one, else its message. */
function textOf(e: unknown): string {
  const description = (e as { description?: unknown } | null)?.description;
  if (typeof description === 'string') return description;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Logs a failure at `level` with its facts (and, for an error that is not Partner Center's answer, where it
 * was thrown), and its text, masked, at debug.
 */
export function logFailure(log: Logger, level: 'warn' | 'error', e: unknown, fields: Record<string, unknown>, msg: string): void {
  const facts = failureFacts(e);
  const answered = facts.status !== undefined || facts.name === 'PartnerCenterError';
  log[level]({ ...fields, failure: facts, at: answered ? undefined : framesOf(e) }, msg);
  if (log.isLevelEnabled('debug')) log.debug({ ...fields, text: maskText(textOf(e)) }, `${msg}: its text, masked`);
}
