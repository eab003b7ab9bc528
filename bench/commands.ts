/**
 * Benchmark: commands per second through POST /api/messages, the real bot against a minimal teams-ai bot.
 *
 *   npm run bench:commands          (add -- --rounds 10 --per-round 300 --warmup 600 to change the sample,
 *                                    -- --concurrency 1,16 for the levels, -- --latency 20 to give the
 *                                    sandbox a service-like delay in ms, -- --only product|minimal|ceiling
 *                                    to run one side alone (or equal), -- --log-level silent to have no bot
 *                                    log (by default both write their lines at info, production's default
 *                                    level, to /dev/null), -- --cpu-prof DIR
 *                                    to write each bot's V8 CPU profile of the measured rounds to DIR;
 *                                    summarise one with node dist/bench/cpuprofile.js FILE --per N)
 *
 * Product: `sr 616122292874576` through the real bot (production's start(), as `npm start` runs it): parse
 * the command, GET the service request from the Partner Center sandbox, render its card, post it to the
 * connector. Equal work: a bot built only from teams-ai, restify and fetch, with no product code, that does
 * the same: one GET of the same service request from the same sandbox with a bearer token, and one card of
 * the same JSON posted (the product's reply, captured once before the rounds); it logs one line at info per
 * turn. The product/equal-work ratio is the product's own cost. Minimal: a teams-ai Application answering
 * every message with the text `pong`, built with the product's own adapter class, Application options
 * (src/teams/app.ts) and HTTP front door (src/http/server.ts): the framework's floor.
 *
 * Every party runs in its own process (bench/processes.ts): the harness (this one), the connector, the
 * sandbox with the token authority, and each bot. So a bot's CPU time per command is read from the bot's
 * own process.cpuUsage() (asked over IPC before and after each round): the sandbox's token checks, the
 * connector and the harness are not in it. Both bots get the same activity from the same harness
 * (node:http, keep-alive) and reply to the same connector. Each round sends a fixed number of requests
 * with a fixed number in flight; the two sides alternate (and alternate which goes first), so machine
 * noise hits both alike; each figure is the median of the per-round figures or ratios.
 * The HTTP answer comes once the turn is over, reply included, so latency covers the whole turn.
 * A third target, a raw node:http server answering 200, shows what the harness alone can drive.
 * Not a test: nothing here asserts a time; it does check that every request got its card (or its pong).
 */
import http from 'node:http';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './args';
import { startChild, type Child } from './processes';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const num = (name: string, fallback: number) => {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number >= 0`);
  return v;
};

const COMMAND = 'sr 616122292874576';
const SR_TITLE = 'Cannot assign licenses to new users';
const ALICE = { oid: 'a1a1a1a1-0000-4000-8000-000000000001', tid: 'f0f0f0f0-1111-4222-8333-444444444444', name: 'Alice Admin' };

// ---------------------------------------------------------------------------------------------------------
// Targets

interface Target {
  name: string;
  /** POST target, e.g. http://127.0.0.1:1234/api/messages */
  url: string;
  /** The process serving it. */
  child: Child;
  /** Checked after each round: how many connector calls the round should have caused, and anything else. */
  repliesPerRequest: number;
  afterRound?: (requests: number) => Promise<string | undefined>;
}

async function productBot(services: Child, logLevel: string): Promise<Target> {
  const child = await startChild('product', { ...services.ready, logLevel });
  return {
    name: 'product',
    url: child.ready.url as string,
    child,
    repliesPerRequest: 1,
    afterRound: sandboxCalls(services),
  };
}

/** One GET per command, all answered 200 (the sandbox clears its log each time it is asked). */
function sandboxCalls(services: Child): (requests: number) => Promise<string | undefined> {
  return async (requests) => {
    const { n, bad } = await services.call<{ n: number; bad: number }>('requests');
    if (n !== requests || bad > 0) return `sandbox saw ${n} requests (${bad} not GET 200) for ${requests} commands`;
    return undefined;
  };
}

/** The equal-work bot; `reply` is the activity the product posted for the same command. */
async function equalBot(services: Child, logLevel: string, reply: unknown): Promise<Target> {
  const child = await startChild('equal', { logLevel, sandboxUrl: services.ready.sandboxUrl, pcToken: services.ready.pcToken, reply });
  return { name: 'equal', url: child.ready.url as string, child, repliesPerRequest: 1, afterRound: sandboxCalls(services) };
}

async function minimalBot(logLevel: string): Promise<Target> {
  const child = await startChild('minimal', { logLevel });
  return { name: 'minimal', url: child.ready.url as string, child, repliesPerRequest: 1 };
}

/** The harness's own ceiling: a raw node:http server that reads the body and answers 200, no bot. */
async function rawServer(): Promise<Target> {
  const child = await startChild('raw');
  return { name: 'harness ceiling', url: child.ready.url as string, child, repliesPerRequest: 0 };
}

// ---------------------------------------------------------------------------------------------------------
// The harness: N requests, C in flight, each timed from write to the end of the answer.

function activityBody(serviceUrl: string): (i: number) => Buffer {
  const base = {
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    from: { id: '29:alice', name: 'Alice Admin', aadObjectId: 'a1a1a1a1-0000-4000-8000-000000000001' },
    recipient: { id: '28:partner-ops', name: 'Partner Ops' },
    conversation: { id: 'a:personal-alice', conversationType: 'personal', tenantId: 'f0f0f0f0-1111-4222-8333-444444444444', isGroup: false },
    channelData: { tenant: { id: 'f0f0f0f0-1111-4222-8333-444444444444' } },
    type: 'message',
    text: COMMAND,
    entities: [],
  };
  // Everything but the id and timestamp is serialised once; a request costs the harness one concatenation.
  const rest = JSON.stringify(base).slice(1);
  return (i) => Buffer.from(`{"id":"bench-${i}","timestamp":"${new Date().toISOString()}",${rest}`);
}

interface RunResult {
  ms: number;
  latencies: Float64Array;
  /** The bot process's CPU time (user + system, all threads) per request, in ms: less sensitive to other load on the machine than req/s. */
  cpuMs: number;
}

function poster(url: string, concurrency: number): { post: (body: Buffer) => Promise<number>; close: () => void } {
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

let seq = 0;
async function run(target: Target, body: (i: number) => Buffer, n: number, concurrency: number, post: (b: Buffer) => Promise<number>): Promise<RunResult> {
  const latencies = new Float64Array(n);
  let next = 0;
  let failures = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const b = body(seq++);
      const t0 = performance.now();
      const status = await post(b);
      latencies[i] = performance.now() - t0;
      if (status !== 200) failures++;
    }
  };
  const cpu0 = await target.child.cpuMs();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const ms = performance.now() - t0;
  const cpu = (await target.child.cpuMs()) - cpu0;
  if (failures > 0) throw new Error(`${target.name}: ${failures} of ${n} requests did not answer 200`);
  return { ms, latencies, cpuMs: cpu / n };
}

// ---------------------------------------------------------------------------------------------------------

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.sort();
}

interface SideStats {
  rps: number[];
  latencies: Float64Array[];
  cpuMs: number[];
  /** CPU per request of the other processes in the round: the connector, and (product) the sandbox. */
  connectorCpuMs: number[];
  sandboxCpuMs: number[];
}

async function main(): Promise<void> {
  const rounds = num('rounds', 10);
  const perRound = num('per-round', 300);
  const warmup = num('warmup', 600);
  const latencyMs = num('latency', 0);
  const logLevel = arg('log-level', 'info');
  const profileDir = arg('cpu-prof', '');
  const levels = arg('concurrency', '1,16').split(',').map(Number);
  if (levels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--concurrency takes positive integers, e.g. 1,16');
  const only = arg('only', '');
  if (only && !['product', 'equal', 'minimal', 'ceiling'].includes(only)) throw new Error('--only takes product, equal, minimal or ceiling');
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const connector = await startChild('connector');
  const needsProduct = !only || only === 'product' || only === 'equal';
  const services = needsProduct ? await startChild('services', { latencyMs, actor: ALICE }) : undefined;
  const body = activityBody(connector.ready.url as string);
  const all: Target[] = [];
  const product = services ? await productBot(services, logLevel) : undefined;
  if (product && only !== 'equal') all.push(product);
  if (!only || only === 'minimal') all.push(await minimalBot(logLevel));
  const ceiling = !only || only === 'ceiling' ? await rawServer() : undefined;

  // Check once that each side answers what it should: the product the service request's card, the minimal
  // bot its pong (an error card would also answer HTTP 200).
  const answer = async (target: Target): Promise<string> => {
    await connector.call('capture');
    const p = poster(target.url, 1);
    await run(target, body, 1, 1, p.post);
    p.close();
    const got = await connector.call<string[]>('captured');
    const problem = await target.afterRound?.(1);
    if (problem) throw new Error(`${target.name}: ${problem}`);
    const ok =
      got.length === 1 &&
      (target.name === 'minimal' ? got[0]!.includes('"text":"pong"') : got[0]!.includes('application/vnd.microsoft.card.adaptive') && got[0]!.includes(SR_TITLE));
    if (!ok) throw new Error(`${target.name} answered unexpectedly: ${got.join('\n').slice(0, 600)}`);
    return got[0]!;
  };
  // The equal-work bot posts the product's own reply: captured here, once, before any round.
  const productReply = product ? await answer(product) : undefined;
  if (services && productReply && (!only || only === 'equal')) {
    const activity = JSON.parse(productReply.slice(productReply.indexOf(' {') + 1)) as unknown;
    all.splice(product && only !== 'equal' ? 1 : 0, 0, await equalBot(services, logLevel, activity));
  }
  if (product && only === 'equal') await product.child.close();
  for (const target of all) if (target !== product) await answer(target);
  const t0 = performance.now();

  const results = new Map<string, SideStats>();
  const key = (name: string, c: number) => `${name}@${c}`;
  for (const c of levels) {
    const posters = new Map(all.map((t) => [t.name, poster(t.url, c)]));
    // Warm up: JIT, sockets, caches, at this level, both sides.
    for (const target of all) {
      await run(target, body, warmup, c, posters.get(target.name)!.post);
      await target.afterRound?.(warmup);
    }
    if (profileDir) for (const target of all) await target.child.call('profile-start');
    if (profileDir && services) await services.call('profile-start');
    for (const target of all) results.set(key(target.name, c), { rps: [], latencies: [], cpuMs: [], connectorCpuMs: [], sandboxCpuMs: [] });
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? all : [...all].reverse();
      for (const target of order) {
        const calls0 = await connector.call<number>('calls');
        const usesSandbox = target.name !== 'minimal';
        const others0 = await Promise.all([connector.cpuMs(), usesSandbox ? services!.cpuMs() : 0]);
        const res = await run(target, body, perRound, c, posters.get(target.name)!.post);
        const others = await Promise.all([connector.cpuMs(), usesSandbox ? services!.cpuMs() : 0]);
        const replies = (await connector.call<number>('calls')) - calls0;
        if (replies !== perRound * target.repliesPerRequest) {
          throw new Error(`${target.name}: the connector got ${replies} replies for ${perRound} requests`);
        }
        const problem = await target.afterRound?.(perRound);
        if (problem) throw new Error(`${target.name}: ${problem}`);
        const s = results.get(key(target.name, c))!;
        s.rps.push((perRound / res.ms) * 1000);
        s.latencies.push(res.latencies);
        s.cpuMs.push(res.cpuMs);
        s.connectorCpuMs.push((others[0] - others0[0]) / perRound);
        s.sandboxCpuMs.push((others[1] - others0[1]) / perRound);
      }
    }
    if (profileDir) {
      for (const target of all) {
        const file = resolve(join(profileDir, `${target.name}-c${c}.cpuprofile`));
        await target.child.call('profile-stop', { file });
        console.log(`CPU profile of ${target.name} at concurrency ${c} (${rounds * perRound} commands): ${file}`);
      }
      if (services) {
        const file = resolve(join(profileDir, `sandbox-c${c}.cpuprofile`));
        await services.call('profile-stop', { file });
        console.log(`CPU profile of the sandbox at concurrency ${c} (${rounds * perRound} product commands): ${file}`);
      }
    }
    for (const p of posters.values()) p.close();
  }

  // The harness alone, after the bots (so it does not warm anything up for them).
  const ceilingRps = new Map<number, number>();
  if (ceiling) {
    for (const c of levels) {
      const p = poster(ceiling.url, c);
      await run(ceiling, body, warmup, c, p.post);
      const rps: number[] = [];
      for (let r = 0; r < Math.max(3, Math.min(rounds, 5)); r++) rps.push((perRound / (await run(ceiling, body, perRound, c, p.post)).ms) * 1000);
      p.close();
      ceilingRps.set(c, median(rps));
    }
  }
  const seconds = (performance.now() - t0) / 1000;

  for (const target of all) await target.child.close();
  await ceiling?.child.close();
  await services?.close();
  await connector.close();

  const f0 = (n: number) => n.toFixed(0).padStart(6);
  const f2 = (n: number) => n.toFixed(2).padStart(7);
  console.log(
    `Commands through POST /api/messages: \`${COMMAND}\` (product) vs the same work with no product code (equal: teams-ai, restify, fetch)` +
      ` and a teams-ai bot answering 'pong' (minimal, the framework's floor);` +
      ` ${rounds} rounds x ${perRound} requests per side and level after ${warmup} warm-up requests; sandbox latency ${latencyMs} ms;` +
      ` log level ${logLevel}; bots, sandbox, connector and harness each in their own process; ${seconds.toFixed(1)} s`,
  );
  for (const c of levels) {
    console.log(`concurrency ${c}:`);
    const stats = all.map((t) => {
      const s = results.get(key(t.name, c))!;
      const lat = concat(s.latencies);
      return { name: t.name, rps: median(s.rps), p50: percentile(lat, 50), p99: percentile(lat, 99), cpuMs: median(s.cpuMs), s };
    });
    for (const s of stats) {
      console.log(
        `  ${s.name.padEnd(8)} ${f0(s.rps)} req/s (median of rounds, min ${Math.min(...s.s.rps).toFixed(0)}, max ${Math.max(...s.s.rps).toFixed(0)})` +
          `   p50 ${f2(s.p50)} ms   p99 ${f2(s.p99)} ms   bot CPU ${s.cpuMs.toFixed(3)} ms/request` +
          `   (other processes: connector ${median(s.s.connectorCpuMs).toFixed(3)}` +
          (s.name !== 'minimal' ? `, sandbox ${median(s.s.sandboxCpuMs).toFixed(3)} ms/request)` : ' ms/request)'),
      );
    }
    const product = stats.find((s) => s.name === 'product');
    const equalWork = stats.find((s) => s.name === 'equal');
    const minimal = stats.find((s) => s.name === 'minimal');
    if (product && equalWork) {
      const ratios = product.s.rps.map((p, i) => p / equalWork.s.rps[i]!);
      const cpuRatios = product.s.cpuMs.map((p, i) => equalWork.s.cpuMs[i]! / p);
      console.log(
        `  ratio product/equal-work: median ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}; aim >= 0.9)` +
          `; from CPU per request (equal/product): median ${median(cpuRatios).toFixed(3)}` +
          ` (${median(product.s.cpuMs).toFixed(3)} vs ${median(equalWork.s.cpuMs).toFixed(3)} ms, +${(median(product.s.cpuMs) - median(equalWork.s.cpuMs)).toFixed(3)} ms per command)`,
      );
    }
    if (product && minimal) {
      const ratios = product.s.rps.map((p, i) => p / minimal.s.rps[i]!);
      console.log(
        `  ratio product/minimal: median ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}; aim >= 0.8)`,
      );
      const cpuRatios = product.s.cpuMs.map((p, i) => minimal.s.cpuMs[i]! / p);
      console.log(
        `  same ratio from the bots' CPU time per request (minimal/product): median ${median(cpuRatios).toFixed(3)}` +
          ` (${median(product.s.cpuMs).toFixed(3)} vs ${median(minimal.s.cpuMs).toFixed(3)} ms; the product costs +${(median(product.s.cpuMs) - median(minimal.s.cpuMs)).toFixed(3)} ms per command)`,
      );
      console.log(`  latency the product adds: p50 +${(product.p50 - minimal.p50).toFixed(2)} ms, p99 +${(product.p99 - minimal.p99).toFixed(2)} ms`);
    }
    if (ceilingRps.has(c)) console.log(`  harness ceiling (raw node:http answering 200, same harness): ${ceilingRps.get(c)!.toFixed(0)} req/s`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
