/**
 * Reads a request body ourselves, bounded, before any work: restify's bodyParser inflates gzip without an
 * error handler (an invalid gzip body throws out of the process) and counts the compressed bytes against
 * its limit (a small gzip body can expand to hundreds of MB). Teams never compresses activities, so any
 * Content-Encoding but identity is refused, and no more than `maxBytes` is ever held in memory.
 */
import type { IncomingMessage } from 'node:http';
import { deadline, type Clock } from '../util/clock';

export type BodyFailure = 'encoding' | 'media-type' | 'too-large' | 'timeout' | 'aborted';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; failure: BodyFailure };

/** `application/json`, with or without parameters (Teams sends `application/json; charset=utf-8`). */
export function isJson(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return media === 'application/json';
}

export function readBody(
  req: IncomingMessage,
  o: {
    maxBytes: number;
    timeoutMs: number;
    /** What the timeout is counted on (the process's clock: a test holds it to reach the 408 without waiting). */
    clock: Clock;
    json: boolean;
    /** Asked before each chunk is kept, with the size the body would reach: false refuses it ('too-large'). */
    admit?: (size: number) => boolean;
  },
): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') return Promise.resolve({ ok: false, failure: 'encoding' });
  if (o.json && !isJson(req.headers['content-type'])) return Promise.resolve({ ok: false, failure: 'media-type' });
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > o.maxBytes) return Promise.resolve({ ok: false, failure: 'too-large' });

  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      timer.cancel();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      // Errors after the answer still need a listener: an unhandled 'error' event ends the process.
      if (!r.ok) chunks.length = 0;
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > o.maxBytes || (o.admit && !o.admit(size))) finish({ ok: false, failure: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onAborted = () => finish({ ok: false, failure: 'aborted' });
    const onClose = () => finish({ ok: false, failure: 'aborted' });
    const timer = deadline(o.clock, o.timeoutMs);
    void timer.reached.then(() => finish({ ok: false, failure: 'timeout' }));
    req.on('error', () => finish({ ok: false, failure: 'aborted' }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('close', onClose);
  });
}

/** How deeply a parsed JSON value nests (iteratively: a hostile body cannot overflow the stack here). */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return max;
}
