/**
 * The HTTP side: record, inject faults, authenticate, throttle, route, and answer with Partner Center's
 * headers. Everything a client can observe on the wire (ids echoed, error shapes, latency) happens here,
 * once, so handlers only deal with resources.
 */
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { callerFromToken, readBearer } from './auth';
import type { ApiResponse } from './call';
import type { FaultQueue } from './faults';
import { stripTrailingSlash } from './faults';
import type { SandboxData } from './model';
import type { RateLimiter } from './rate-limit';
import { matchRoute } from './routes';
import { renewDueSubscriptions } from './renewals';
import { settlePendingChanges } from './subscriptions';
import type { FaultSpec, RecordedRequest, ResolvedOptions } from './types';
import {
  ApiError,
  Codes,
  errorBody,
  newCorrelationVector,
  newGuid,
  normaliseKeys,
  rateLimitBody,
  routeNotFound,
} from './wire';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerState {
  options: ResolvedOptions;
  data: SandboxData;
  requests: RecordedRequest[];
  faults: FaultQueue;
  limiter: RateLimiter;
  serverId: string;
  /** Aborted on close, so held (delayed) requests stop waiting. */
  closing: AbortSignal;
}

interface RawBody {
  bytes: Buffer;
  size: number;
}

/** A reply serialised at decision time, so latency added afterwards cannot leak later state into it. */
interface Outgoing {
  status: number;
  headers: Record<string, string>;
  payload?: string;
}

export function createRequestListener(state: ServerState): RequestListener {
  return (req, res) => {
    handle(state, req, res).catch(() => res.destroy());
  };
}

async function handle(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const token = readBearer(firstHeader(req.headers, 'authorization'));
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: flattenHeaders(req.headers),
    token,
    body: null,
    status: 0,
    at: state.options.now(),
  };
  state.requests.push(record);
  const raw = await readBody(req);
  record.body = recordedBody(raw);

  const fault = state.faults.take(method, url.pathname);
  if (fault?.delayMs) await sleep(fault.delayMs, state.closing);
  if (fault?.reset) {
    req.socket.destroy();
    return;
  }
  const reply = fault?.status !== undefined ? faultReply(fault) : serialise(answer(state, req, url, method, raw, token));
  await sleep(state.options.latencyMs, state.closing);
  if (res.destroyed) return;
  record.status = reply.status;
  res.writeHead(reply.status, { ...wireHeaders(req.headers, state.serverId), ...reply.headers });
  res.end(reply.payload);
}

/** Normal handling; every failure becomes Partner Center's error body. */
function answer(state: ServerState, req: IncomingMessage, url: URL, method: string, raw: RawBody, token: string | null): ApiResponse {
  try {
    if (raw.size > MAX_BODY_BYTES) throw new ApiError(413, Codes.payloadTooLarge, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    if (!token) {
      throw new ApiError(401, Codes.unauthorized, 'Authorization: Bearer <token> is required.', { 'WWW-Authenticate': 'Bearer' });
    }
    const verify = state.options.verifyToken;
    if (verify) {
      // Bound to the local authority: only its tokens for Partner Center, and (since April 2026) with MFA.
      const claims = verify(token);
      if (!claims) throw new ApiError(401, Codes.unauthorized, 'The access token is invalid, expired or not for Partner Center.', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      if (!Array.isArray(claims.amr) || !claims.amr.includes('mfa')) {
        throw new ApiError(401, '900421', 'Multi-factor authentication is required for App+User calls to Partner Center.');
      }
    }
    const now = state.options.now();
    const caller = callerFromToken(token, state.data.partner.domain);
    const decision = state.limiter.check(caller.tenantKey, now, state.options.rateLimit);
    if (!decision.allowed) {
      const seconds = decision.retryAfterSeconds;
      return { status: 429, body: rateLimitBody(seconds), headers: { 'Retry-After': String(seconds) } };
    }
    const path = stripTrailingSlash(url.pathname);
    const match = matchRoute(method, path);
    if (match.kind === 'not-found') throw routeNotFound(method, path);
    if (match.kind === 'wrong-method') {
      throw new ApiError(405, Codes.methodNotAllowed, `${method} is not supported on ${path}.`, { Allow: match.allowed.join(', ') });
    }
    const body = parseJson(raw.bytes);
    settlePendingChanges(state.data, state.options, now);
    renewDueSubscriptions(state.data, now);
    return match.handler({
      method, path, params: match.params, query: url.searchParams, headers: req.headers, body, caller,
      data: state.data, options: state.options, now,
    });
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, body: errorBody(e.code, e.description), headers: e.headers };
    return { status: 500, body: errorBody(Codes.internal, e instanceof Error ? e.message : String(e)) };
  }
}

function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return normaliseKeys(JSON.parse(bytes.toString('utf8')));
  } catch {
    throw new ApiError(400, Codes.malformedJson, 'The request body is not valid JSON.');
  }
}

function serialise(r: ApiResponse): Outgoing {
  if (r.body === undefined) return { status: r.status, headers: { 'Content-Length': '0', ...r.headers } };
  return { status: r.status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...r.headers }, payload: JSON.stringify(r.body) };
}

/** A scripted failure. A string body goes out as raw text (a gateway's HTML page, say). */
function faultReply(f: FaultSpec): Outgoing {
  const status = f.status ?? 500;
  if (typeof f.body === 'string') return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...f.headers }, payload: f.body };
  const defaults: Record<string, string> = status === 429 && f.body === undefined ? { 'Retry-After': '1' } : {};
  return serialise({ status, body: f.body ?? defaultFaultBody(status), headers: { ...defaults, ...f.headers } });
}

function defaultFaultBody(status: number): unknown {
  return status === 429 ? rateLimitBody(1) : errorBody('InjectedFault', `Injected fault: HTTP ${status}.`);
}

/** Partner Center echoes the caller's ids (or makes them up) and adds its own trace ids. */
function wireHeaders(headers: IncomingHttpHeaders, serverId: string): Record<string, string> {
  return {
    'MS-RequestId': firstHeader(headers, 'ms-requestid') ?? newGuid(),
    'MS-CorrelationId': firstHeader(headers, 'ms-correlationid') ?? newGuid(),
    'MS-CV': newCorrelationVector(),
    'MS-ServerId': serverId,
  };
}

function readBody(req: IncomingMessage): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is read and dropped: answering before the client finished sending
    // would make it see a reset instead of the 413.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve({ bytes: Buffer.concat(chunks), size }));
    req.on('error', reject);
  });
}

function recordedBody(raw: RawBody): unknown {
  if (raw.size > MAX_BODY_BYTES) return `[${raw.size} bytes, over the ${MAX_BODY_BYTES}-byte limit: not recorded]`;
  if (raw.size === 0) return null;
  const text = raw.bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
