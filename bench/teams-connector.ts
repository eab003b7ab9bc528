/**
 * Teams' connector on loopback, enforcing Teams' documented limits the way Teams does: counted when a
 * request ARRIVES (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit): per bot per
 * thread 7/1 s, 8/2 s, 60/30 s, 1,800/3,600 s (the thread being the conversation in the URL), and 50
 * requests/s for the tenant. A request over a limit gets 429 with Retry-After and is not counted.
 *
 * `arrivalDelayMs` plays the network: each request "arrives" a random delay after its body was read, before
 * it is counted and answered, so a sender that counts when it sends (not at arrival) can be caught out.
 *
 * Used by the notifications benchmark (in its own process: run this module) and by the sender's test.
 */
import { createServer, type Server } from 'node:http';
import { serve } from './child';

export const THREAD_LIMITS = [
  { count: 7, ms: 1_000 },
  { count: 8, ms: 2_000 },
  { count: 60, ms: 30_000 },
  { count: 1_800, ms: 3_600_000 },
];
export const TENANT_LIMITS = [{ count: 50, ms: 1_000 }];

export interface Arrival {
  at: number;
  method: string;
  conversation: string;
}

export interface LimitedConnector {
  url: string;
  /** Accepted requests, at their arrival. */
  accepted: Arrival[];
  /** Requests answered 429. */
  readonly refused: number;
  close(): Promise<void>;
}

function over(times: number[], limits: ReadonlyArray<{ count: number; ms: number }>, now: number): boolean {
  return limits.some((l) => {
    let n = 0;
    for (let i = times.length - 1; i >= 0 && times[i]! > now - l.ms; i--) n++;
    return n >= l.count;
  });
}

/**
 * `now` is the time arrivals are stamped and counted in (default the wall clock): a test passes the clock it
 * holds, the one the bot's sender reads, so windows are counted in that clock's time whatever the load.
 */
export async function startLimitedConnector(o: { arrivalDelayMs?: [number, number]; now?: () => number } = {}): Promise<LimitedConnector> {
  const [lo, hi] = o.arrivalDelayMs ?? [0, 0];
  const clockNow = o.now ?? Date.now;
  const perThread = new Map<string, number[]>();
  const tenant: number[] = [];
  const accepted: Arrival[] = [];
  let refused = 0;
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const delay = lo + Math.random() * (hi - lo);
      setTimeout(() => {
        const now = clockNow();
        const conversation = decodeURIComponent(/\/v3\/conversations\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
        const t = perThread.get(conversation) ?? [];
        if (over(t, THREAD_LIMITS, now) || over(tenant, TENANT_LIMITS, now)) {
          refused++;
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          res.end('{"error":{"code":"TooManyRequests","message":"Too many requests"}}');
          return;
        }
        t.push(now);
        if (t.length > 2_000) t.splice(0, t.length - 1_800);
        perThread.set(conversation, t);
        tenant.push(now);
        if (tenant.length > 1_000) tenant.splice(0, tenant.length - 100);
        accepted.push({ at: now, method: req.method ?? '', conversation });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `m-${++n}` }));
      }, delay);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    accepted,
    get refused() {
      return refused;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The most requests that arrived within any `ms` window. */
export function busiestWindow(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j]! - t[i]! >= ms) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/**
 * The floor Teams' limits impose: the least time from the first to the last arrival of requests to these
 * conversations, in this order (each arrives as early as the windows allow, with no network at all).
 */
export function floorMs(conversations: string[]): number {
  const times: number[] = [];
  const byThread = new Map<string, number[]>();
  for (const c of conversations) {
    const mine = byThread.get(c) ?? [];
    let t = times.at(-1) ?? 0;
    for (const l of THREAD_LIMITS) if (mine.length >= l.count) t = Math.max(t, mine[mine.length - l.count]! + l.ms);
    for (const l of TENANT_LIMITS) if (times.length >= l.count) t = Math.max(t, times[times.length - l.count]! + l.ms);
    times.push(t);
    mine.push(t);
    byThread.set(c, mine);
  }
  return times.at(-1) ?? 0;
}

// Run as its own process (the benchmark): `mark` starts a count; `since` gives the arrivals after it.
if (require.main === module) {
  void (async () => {
    const delay = process.env.ARRIVAL_DELAY_MS ? (JSON.parse(process.env.ARRIVAL_DELAY_MS) as [number, number]) : undefined;
    const c = await startLimitedConnector({ arrivalDelayMs: delay });
    serve({
      url: () => c.url,
      count: () => ({ accepted: c.accepted.length, refused: c.refused }),
      since: (from: number) => ({ accepted: c.accepted.slice(from), refused: c.refused }),
    });
  })();
}
