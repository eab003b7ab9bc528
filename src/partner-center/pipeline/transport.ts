/**
 * The pipeline's last step: sending one attempt over node:http(s), or over a fetch implementation in
 * tests, each with its own timeout, and turning a failed exchange into a PartnerCenterError.
 */
import http from 'node:http';
import https from 'node:https';
import { PartnerCenterError, redactRequest } from '../errors';
import { ResponseHeaders } from './response-headers';
import type { Fetch, Next, PcRequest, PcResponse } from './types';

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
