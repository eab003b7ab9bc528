/**
 * Benchmark: `renewals` across every customer, at the default budget, for 10 and 1,000 customers.
 *
 *   npm run bench:renewals     (add -- --customers 10,1000 for the book sizes, -- --latency 50 for the
 *                               sandbox's delay per call in ms, -- --per-minute 200 for the budget,
 *                               -- --log-level info for the bot's log lines on stdout)
 *
 * The real bot (production's start() with the embedded sandbox, as `npm start` runs it) is sent `renewals`
 * over the Bot Framework protocol; a connector on loopback records its replies and card updates. The
 * sandbox is seeded with that many more customers, each with three new-commerce subscriptions (one ending
 * in 10 days, one in 25, one in 200). Reported per size: the Partner Center calls (counted at the sandbox:
 * customer pages and subscription lists), the time until the card holds the full answer, the time the
 * budget alone imposes on that many calls (its burst, then its refill rate: src/partner-center/budget.ts),
 * and their ratio, the busiest 60 seconds of calls (which must stay within the budget's rate), the progress
 * updates the card got, and a repeated ask (answered from the per-user cache: no call).
 * Not a test: nothing here asserts a time. It checks that every ask got its full answer.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging/logger';
import { MemoryStateStore } from '../src/storage';
import { startDev } from '../dev/compose';
import type { StoredCustomer, StoredSubscription } from '../dev/sandbox/model';

const argText = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const SIZES = argText('customers', '10,1000').split(',').map(Number);
const LATENCY_MS = Number(argText('latency', '50'));
const PER_MINUTE = Number(argText('per-minute', '200'));
const LOG_LEVEL = argText('log-level', 'silent') as 'silent';
const DAY = 24 * 60 * 60 * 1000;
const TENANT = 'f0f0f0f0-1111-4222-8333-444444444444';

interface Sent {
  method: string;
  text: string;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Teams' connector, only as far as recording what the bot posts and updates (text of its cards). */
async function connector() {
  const sent: Sent[] = [];
  let n = 0;
  const server = createServer(async (req, res) => {
    const text = await body(req);
    sent.push({ method: req.method ?? '', text });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: req.method === 'PUT' ? 'same' : `msg-${++n}` }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sent, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** `count` customers, each with three new-commerce subscriptions copied from the seed's, with new ids and dates. */
function seed(data: { customers: StoredCustomer[]; subscriptions: StoredSubscription[] }, count: number, now: number): void {
  const template = data.subscriptions.find((s) => (s.resource as { productType?: { id?: string } }).productType?.id === 'OnlineServicesNCE')!;
  // Only the seeded customers: the bench's book is exactly `count` large.
  data.customers.length = 0;
  data.subscriptions.length = 0;
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    data.customers.push({ id, companyName: `Bench Customer ${String(i).padStart(4, '0')}`, domain: `bench${i}.onmicrosoft.com`, relationshipEnded: false });
    for (const endsInDays of [10, 25, 200]) {
      const copy: StoredSubscription = JSON.parse(JSON.stringify(template));
      copy.customerId = id;
      copy.resource.id = randomUUID();
      copy.resource.commitmentEndDate = new Date(now + endsInDays * DAY).toISOString().slice(0, 10);
      copy.seatAdditions = [{ quantity: copy.resource.quantity as number, at: now - 300 * DAY }];
      data.subscriptions.push(copy);
    }
  }
}

/** The most calls in any 60 seconds. */
function busiestMinute(at: number[]): number {
  const s = [...at].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i]! - s[j]! >= 60_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function run(customers: number): Promise<void> {
  const conn = await connector();
  const config = loadConfig({ PORT: '0', LOG_LEVEL: LOG_LEVEL, PARTNER_CENTER_BUDGET_PER_MINUTE: String(PER_MINUTE) });
  const running = await startDev(config, createLogger({ level: LOG_LEVEL }), { state: new MemoryStateStore(), sandbox: { latencyMs: LATENCY_MS } });
  const sandbox = running.sandbox!;
  try {
    seed(sandbox.data, customers, Date.now());
    const ask = async (): Promise<{ ms: number; calls: number; updates: number; callTimes: number[] }> => {
      sandbox.requests.length = 0;
      conn.sent.length = 0;
      const started = performance.now();
      const activity = {
        id: randomUUID(),
        type: 'message',
        channelId: 'msteams',
        serviceUrl: conn.url,
        text: 'renewals',
        locale: 'en-US',
        from: { id: '29:alice', name: 'Alice Admin', aadObjectId: 'a1a1a1a1-0000-4000-8000-000000000001' },
        recipient: { id: '28:partner-ops', name: 'Partner Ops' },
        conversation: { id: 'a:bench', conversationType: 'personal', tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
      };
      await fetch(`${running.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      // The full answer: a card (posted or updated) saying when it was read.
      const gaveUpAt = started + 30 * 60_000;
      while (!conn.sent.some((s) => s.text.includes('Read from Partner Center on'))) {
        if (performance.now() > gaveUpAt) throw new Error(`no full answer; the card last said: ${conn.sent.at(-1)?.text.slice(0, 2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const ms = performance.now() - started;
      const calls = sandbox.requests.filter((r) => r.path.startsWith('/v1/customers'));
      return { ms, calls: calls.length, updates: conn.sent.filter((s) => s.method === 'PUT').length, callTimes: calls.map((r) => r.at) };
    };
    const first = await ask();
    const again = await ask();
    const burst = Math.max(1, Math.floor(PER_MINUTE / 10));
    const floorMs = (Math.max(0, first.calls - burst) / (PER_MINUTE - burst)) * 60_000;
    console.log(
      JSON.stringify({
        customers,
        budgetPerMinute: PER_MINUTE,
        sandboxLatencyMs: LATENCY_MS,
        partnerCenterCalls: first.calls,
        seconds: +(first.ms / 1000).toFixed(2),
        budgetFloorSeconds: +(floorMs / 1000).toFixed(2),
        timeOverBudgetFloor: floorMs > 0 ? +(first.ms / floorMs).toFixed(2) : null,
        busiestMinuteCalls: busiestMinute(first.callTimes),
        progressUpdates: first.updates > 0 ? first.updates - 1 : 0,
        repeated: { partnerCenterCalls: again.calls, seconds: +(again.ms / 1000).toFixed(3) },
      }),
    );
  } finally {
    await running.stop();
    await conn.close();
  }
}

async function main(): Promise<void> {
  for (const n of SIZES) await run(n);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
