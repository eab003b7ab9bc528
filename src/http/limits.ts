/**
 * What an inbound POST may hold before anyone knows who sent it, for every POST endpoint of the process
 * (/api/messages today, a Partner Center webhook later): one BodyGate, shared.
 *
 * - Requests in flight are counted from arrival to the end of their answer; bytes in flight are the body
 *   bytes held (reserved from Content-Length on arrival, or counted as a chunked body arrives) until the
 *   answer ends. Past either cap the answer is 503 with Retry-After, and the connection is closed: a
 *   thousand stalled uploads cost a thousand refusals, not a thousand buffers.
 * - A body that does not arrive within `bodyTimeoutMs` of the headers is cut (408).
 * - Whatever is refused before its body was read is answered with `Connection: close`, so Node does not
 *   keep reading (and waiting for) a body nobody wants.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../util/clock';
import { readBody, type BodyResult } from './body';

export interface BodyLimits {
  /** Requests being read or answered at once, across the process. */
  maxRequestsInFlight: number;
  /** Body bytes held at once, across the process. */
  maxBytesInFlight: number;
  /** How long a body may take to arrive once the headers are in. */
  bodyTimeoutMs: number;
}

/** Teams sends a few requests per user action and answers in seconds: these leave room for hundreds of turns. */
export const DEFAULT_BODY_LIMITS: Readonly<BodyLimits> = Object.freeze({
  maxRequestsInFlight: 256,
  maxBytesInFlight: 16 * 1024 * 1024,
  bodyTimeoutMs: 5_000,
});

/** Seconds a refused sender is asked to wait: Bot Framework retries a 503 that says when. */
export const RETRY_AFTER_SECONDS = 2;

export type Admission = { ok: true; ticket: Ticket } | { ok: false; reason: 'requests' | 'bytes' };

/** One admitted request's share of the caps; `release` is idempotent and runs when the answer ends. */
export interface Ticket {
  /** Reads the body within the request's share; `busy` when it would push the process past the byte cap. */
  read(o: { maxBytes: number; json: boolean }): Promise<BodyResult | { ok: false; failure: 'busy' }>;
  release(): void;
}

export class BodyGate {
  private requests = 0;
  private bytes = 0;

  constructor(
    readonly limits: Readonly<BodyLimits> = DEFAULT_BODY_LIMITS,
    /** What `bodyTimeoutMs` is counted on (start()'s clock). */
    private readonly clock: Clock = systemClock,
  ) {}

  get inFlight(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }

  /**
   * Counts the request in, or says why not. The ticket is released when the response ends or the
   * connection closes, whichever comes first.
   */
  admit(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Admission {
    if (this.requests >= this.limits.maxRequestsInFlight) return { ok: false, reason: 'requests' };
    const declared = Number(req.headers['content-length'] ?? NaN);
    // A declared length is reserved at once (a body over maxBodyBytes is refused by readBody unread).
    const upFront = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, maxBodyBytes) : 0;
    if (this.bytes + upFront > this.limits.maxBytesInFlight) return { ok: false, reason: 'bytes' };
    this.requests++;
    this.bytes += upFront;
    let held = upFront;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.requests--;
      this.bytes -= held;
      held = 0;
    };
    res.once('finish', release);
    res.once('close', release);
    const ticket: Ticket = {
      read: async (o) => {
        let busy = false;
        const result = await readBody(req, {
          ...o,
          timeoutMs: this.limits.bodyTimeoutMs,
          clock: this.clock,
          // Chunked bodies (no Content-Length) take their share as they arrive.
          admit: (size) => {
            if (size <= held) return true;
            if (released || this.bytes + (size - held) > this.limits.maxBytesInFlight) {
              busy = true;
              return false;
            }
            this.bytes += size - held;
            held = size;
            return true;
          },
        });
        return busy ? { ok: false, failure: 'busy' } : result;
      },
      release,
    };
    return { ok: true, ticket };
  }
}

/**
 * Answers a request whose body will not be read, and closes its connection once the answer is out: with
 * `Connection: close`, Node ends the socket after the response instead of draining a body that may never come.
 */
export function refuseUnread(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent) return;
  res.shouldKeepAlive = false;
  res.writeHead(status, { ...headers, connection: 'close' });
  res.end(body);
}
