/**
 * Talking to Partner Center, for every operation alike: send through the pipeline, read the answer
 * leniently, decide what a write's answer means (applied, refused, or unknown until read back), and follow
 * a 202. The client (client.ts) holds one method per operation and none of this.
 */
import type { z } from 'zod';
import { poll, type Clock } from '../util/clock';
import type { Logger } from '../logging/logger';
import { isPartnerCenterError, isRefusal, parseErrorBody, PartnerCenterError } from './errors';
import { retryAfterMs, type CallContext, type HttpMethod, type Next, type PcResponse } from './pipeline';
import { readLeniently, reportUnreadable } from './read';
import { camelizeKeys, camelKey, collectionSchema } from './schemas';

export type Raw = Record<string, unknown>;

/** Reads one item of a collection: its value and the fields it could not read, or not at all. */
export type ItemReader<T> = (raw: unknown) => { ok: true; value: T; unreadable: string[] } | { ok: false };

/**
 * What became of a write. A refusal is thrown (a PartnerCenterError for which `isRefusal` is true): only
 * then did nothing change. Otherwise the write was either applied (a 2xx, or a read-back that shows it) or
 * its outcome is unknown (a timeout, a reset, a 5xx, and a bounded read-back that could not confirm it).
 */
export type WriteResult<T> =
  | {
      outcome: 'applied';
      /** The resource as Partner Center now shows it; absent when it answered 2xx but could not be read back. */
      resource?: T;
      /** True when the write's own answer was lost and a read-back showed it had been applied. */
      confirmedByRead?: boolean;
      requestId?: string;
    }
  | {
      outcome: 'unknown';
      /** What Partner Center shows now, when it could be read. */
      current?: T;
      requestId?: string;
      correlationId: string;
    };

/** A resource as read for a full-resource write: read once, shown to the user and written from. */
export interface Snapshot<T> {
  value: T;
  raw: Raw;
  etag?: string;
}

/** After a write whose answer was lost: what Partner Center shows now, and the resource if it shows the write. */
export type ReadBack<T> = () => Promise<{ current?: T; found?: T }>;

export interface HttpOptions {
  baseUrl: string;
  pipeline: Next;
  clock: Clock;
  logger: Logger;
  /** How long a write whose answer was lost is read back before its outcome is called unknown. */
  verifyWaitMs: number;
  verifyIntervalMs: number;
  /** First wait between polls of a 202's Location (growing 1.5× to 5 s). */
  pollIntervalMs: number;
}

export class PartnerCenterHttp {
  private readonly baseUrl: string;
  private readonly pipeline: Next;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly o: HttpOptions;

  constructor(o: HttpOptions) {
    this.o = o;
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    this.pipeline = o.pipeline;
    this.clock = o.clock;
    this.logger = o.logger;
  }

  async read<S extends z.ZodType>(call: CallContext, path: string, schema: S, kind: string): Promise<z.output<S>> {
    const { body, res } = await this.readRaw(call, path);
    return this.parse(schema, body, res, call, kind);
  }

  /** A GET whose body is kept exactly as sent (for read-modify-write), with the response for its ETag. */
  async readRaw(call: CallContext, path: string, headers?: Record<string, string>): Promise<{ body: Raw; res: PcResponse }> {
    const sent = await this.send(call, 'GET', path, { headers, idempotent: true });
    if ('lost' in sent) throw sent.error;
    const res = sent.res;
    if (res.status !== 200) throw errorFromResponse(res, call);
    const body = parseJson(res, call);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw unexpected(res, call, 'expected a JSON object');
    return { body: body as Raw, res };
  }

  /** A resource read for a full-resource write: the parsed view, the raw body as sent, and its ETag. */
  async readForUpdate<S extends z.ZodType>(call: CallContext, path: string, schema: S, kind: string): Promise<Snapshot<z.output<S>>> {
    const { body, res } = await this.readRaw(call, path);
    const value = this.parse(schema, body, res, call, kind);
    const attrs = camelizeKeys(body.attributes ?? body.Attributes) as { etag?: unknown } | undefined;
    const etag = (typeof attrs?.etag === 'string' && attrs.etag) || res.headers.get('etag') || undefined;
    return { value, raw: body, etag };
  }

  /**
   * Reads a collection item by item: an item that cannot be read is skipped and counted, never fatal.
   * Each item is read with `item`: a schema (read leniently), or a reader of its own (the notifier's, which
   * reads only what it compares). The envelope (count, links) is read without walking the items.
   */
  async list<T>(call: CallContext, path: string, item: z.ZodType<T> | ItemReader<T>, kind: string, headers?: Record<string, string>) {
    const { body, res } = await this.readRaw(call, path, headers);
    let raw: unknown;
    const rest: Raw = {};
    for (const [k, v] of Object.entries(body)) {
      if (camelKey(k) === 'items') raw = v;
      else rest[k] = v;
    }
    const envelope = this.parse(collectionSchema, rest, res, call, 'collection');
    const read: ItemReader<T> = typeof item === 'function' ? item : (v) => readLeniently(item, v);
    const items: T[] = [];
    let skipped = 0;
    for (const one of Array.isArray(raw) ? raw : []) {
      const r = read(one);
      if (r.ok) {
        reportUnreadable(this.logger, kind, r.unreadable);
        items.push(r.value);
      } else {
        skipped++;
        reportUnreadable(this.logger, kind, ['(item)']);
      }
    }
    return { ...envelope, items, skipped };
  }

  parse<S extends z.ZodType>(schema: S, body: unknown, res: PcResponse, call: CallContext, kind: string): z.output<S> {
    const r = readLeniently(schema, body);
    if (!r.ok) throw unexpected(res, call, r.why);
    reportUnreadable(this.logger, kind, r.unreadable);
    return r.value;
  }

  /**
   * One request through the pipeline. An exchange whose answer never came (timeout, reset, cancelled) is
   * `lost`: for a write that means its outcome is unknown, never that it failed.
   */
  async send(
    call: CallContext,
    method: HttpMethod,
    path: string,
    o: { body?: unknown; headers?: Record<string, string>; idempotent: boolean },
  ): Promise<{ res: PcResponse } | { lost: true; error: PartnerCenterError; requestId?: string }> {
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const headers = new Headers(o.headers);
    try {
      const res = await this.pipeline({ method, url, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), call, idempotent: o.idempotent });
      return { res };
    } catch (e) {
      if (e instanceof PartnerCenterError && e.kind !== 'aborted') return { lost: true, error: e, requestId: e.requestId };
      if (call.signal?.aborted || (e instanceof PartnerCenterError && e.kind === 'aborted')) {
        const error = new PartnerCenterError({ kind: 'aborted', message: 'The Partner Center call was cancelled', correlationId: call.correlationId });
        return { lost: true, error, requestId: headers.get('MS-RequestId') ?? undefined };
      }
      throw e;
    }
  }

  /**
   * A write with an explicit outcome. 2xx: applied (re-read when its body cannot be read). A refusal (4xx, a
   * 5xx with a business code, throttled): thrown, nothing changed. Anything else (no answer, or a 5xx that
   * does not say): unknown until `readBack` shows it, checked for a bounded time.
   */
  async write<S extends z.ZodType>(
    call: CallContext,
    method: HttpMethod,
    path: string,
    body: unknown,
    o: { idempotent: boolean; schema: S; kind: string; readBack: ReadBack<z.output<S>> },
  ): Promise<WriteResult<z.output<S>>> {
    const sent = await this.send(call, method, path, { body, idempotent: o.idempotent });
    if ('res' in sent) {
      const res = sent.res;
      const requestId = res.headers.get('ms-requestid') ?? undefined;
      if (res.status >= 200 && res.status < 300) {
        const r = readLeniently(o.schema, parseJsonOrUndefined(res));
        if (r.ok) {
          reportUnreadable(this.logger, o.kind, r.unreadable);
          return { outcome: 'applied', resource: r.value, requestId };
        }
        // Applied, whatever the body says: show the resource as Partner Center now has it.
        const again = await o.readBack().catch(() => undefined);
        return { outcome: 'applied', resource: again?.found ?? again?.current, requestId };
      }
      const refused = errorFromResponse(res, call);
      if (isRefusal(refused)) throw refused;
    }
    const requestId = 'lost' in sent ? sent.requestId : sent.res.headers.get('ms-requestid') ?? undefined;
    const seen = await this.readBackUntil(call, o.readBack);
    if (seen.found) return { outcome: 'applied', resource: seen.found, confirmedByRead: true, requestId };
    return { outcome: 'unknown', current: seen.current, requestId, correlationId: call.correlationId };
  }

  /** Reads back until the write shows or the bounded wait runs out; read failures just mean "not yet". */
  async readBackUntil<T>(call: CallContext, readBack: ReadBack<T>): Promise<{ found?: T; current?: T }> {
    let current: T | undefined;
    const found = await poll(this.clock, { maxWaitMs: this.o.verifyWaitMs, intervalMs: this.o.verifyIntervalMs, signal: call.signal }, async () => {
      try {
        const r = await readBack();
        current = r.current ?? current;
        return r.found;
      } catch (e) {
        (call.logger ?? this.logger).warn({ failure: isPartnerCenterError(e) ? e.kind : 'error' }, 'reading back a write failed; trying again');
        return undefined;
      }
    });
    return { found, current: found ?? current };
  }

  now(): number {
    return this.clock.now();
  }

  /** The resource a 2xx write answered with, read leniently; undefined when its body cannot be read (still applied). */
  answered<S extends z.ZodType>(res: PcResponse, schema: S, kind: string): z.output<S> | undefined {
    const r = readLeniently(schema, parseJsonOrUndefined(res));
    if (!r.ok) return undefined;
    reportUnreadable(this.logger, kind, r.unreadable);
    return r.value;
  }

  /** Polls `path` until `shows` holds for what it reads (a 202 landing), or the wait runs out. */
  async until<T>(call: CallContext, read: () => Promise<T>, shows: (v: T) => boolean, o: { maxWaitMs: number; intervalMs?: number }): Promise<{ landed: boolean; latest?: T }> {
    let latest: T | undefined;
    const opts = { maxWaitMs: o.maxWaitMs, intervalMs: o.intervalMs ?? this.o.pollIntervalMs, growth: o.intervalMs ? 1 : 1.5, maxIntervalMs: 5_000, waitFirst: true, signal: call.signal };
    const landed = await poll(this.clock, opts, async () => {
      latest = await read();
      return shows(latest) ? latest : undefined;
    });
    return { landed: landed !== undefined, latest };
  }

  /**
   * The seed's Location is relative and lacks /v1 (`/customers/{cid}/subscriptions/{id}`). The user's token
   * only ever goes to the configured Partner Center origin: a Location elsewhere is not followed.
   */
  resolveLocation(location: string | null, fallbackPath: string): string {
    if (!location) return fallbackPath;
    let url: URL;
    try {
      url = new URL(location, `${this.baseUrl}/`);
    } catch {
      return fallbackPath;
    }
    if (url.origin !== new URL(this.baseUrl).origin) return fallbackPath;
    const p = url.pathname.startsWith('/v1/') ? url.pathname : `/v1${url.pathname.startsWith('/') ? '' : '/'}${url.pathname}`;
    return `${p}${url.search}`;
  }
}

export function quoteEtag(etag: string): string {
  return /^(W\/)?".*"$/.test(etag) ? etag : `"${etag}"`;
}

function ids(res: PcResponse | undefined, call: CallContext) {
  return {
    requestId: res?.headers.get('ms-requestid') ?? undefined,
    correlationId: res?.headers.get('ms-correlationid') ?? call.correlationId,
    cv: res?.headers.get('ms-cv') ?? undefined,
  };
}

function parseJson(res: PcResponse, call: CallContext): unknown {
  if (res.text.trim() === '') return undefined;
  try {
    return JSON.parse(res.text);
  } catch {
    throw unexpected(res, call, 'the body is not JSON');
  }
}

function parseJsonOrUndefined(res: PcResponse): unknown {
  try {
    return res.text.trim() === '' ? undefined : JSON.parse(res.text);
  } catch {
    return undefined;
  }
}

export function unexpected(res: PcResponse, call: CallContext, why: string): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'unexpected-response',
    message: `Partner Center answered ${res.status} with a body the bot could not read (${why})`,
    status: res.status,
    request: res.request(),
    ...ids(res, call),
  });
}

/** Turns an error status into a PartnerCenterError with everything support will ask for, and no token. */
export function errorFromResponse(res: PcResponse, call: CallContext): PartnerCenterError {
  const { code, description } = parseErrorBody(res.text);
  const throttled = res.status === 429;
  const retryAfter = throttled ? retryAfterMs(res, Date.now()) : undefined;
  return new PartnerCenterError({
    kind: throttled ? 'throttled' : 'http',
    message: `Partner Center answered ${res.status}${code ? ` (${code})` : ''}${description ? `: ${description}` : ''}`,
    status: res.status,
    code: throttled ? undefined : code,
    description,
    retryAfterMs: retryAfter,
    request: res.request(),
    ...ids(res, call),
  });
}

