/**
 * Benchmark: notifications at scale.
 *
 *   npm run bench:notifications      (-- --requests 10000 --channels 1000 --change 0.01 --cycles 3)
 *
 * 10,000 watched service requests in 1,000 channels (10 `watch sr <id>` per channel, one user), 1% of
 * them changing per cycle, against the embedded sandbox and a local connector that enforces Teams' limits
 * (per thread 7/1 s, 8/2 s, 60/30 s; 50 requests/s per tenant), answering 429 with Retry-After past them.
 * Reported, at 1 and 2 instances sharing one store: Partner Center calls per cycle; the time to deliver
 * every notification of a cycle as a ratio to the floor Teams' limits impose; peak RSS of this process.
 * Not a test: nothing asserts a time.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging/logger';
import { startDev as start, startSandboxServices, type DevRunning as Running } from '../dev/compose';
import { SHARDS, shardKey, shardOf, type Shard, type Watch } from '../src/notifications/watches';
import { KeyValueStore, MemoryStateStore } from '../src/storage';
import type { StoredServiceRequest } from '../dev/sandbox/model';
import { arg } from './args';

const TENANT = 'f0f0f0f0-1111-4222-8333-444444444444';
const USER = { id: 'a1a1a1a1-0000-4000-8000-000000000001', name: 'Alice Admin', tenantId: TENANT };
const TEAMS_PER_TENANT_PER_SECOND = 50;
const THREAD_LIMITS = [
  { count: 7, ms: 1_000 },
  { count: 8, ms: 2_000 },
  { count: 60, ms: 30_000 },
];

/** A Teams connector on loopback that enforces Teams' limits and records accepted posts. */
async function limitedConnector(): Promise<{ url: string; accepted: number[]; refused: number; close(): Promise<void> }> {
  const perThread = new Map<string, number[]>();
  const tenant: number[] = [];
  const accepted: number[] = [];
  let refused = 0;
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = Date.now();
      const thread = /\/v3\/conversations\/([^/]+)/.exec(req.url ?? '')?.[1] ?? '';
      const t = perThread.get(thread) ?? [];
      while (tenant.length && tenant[0]! <= now - 1_000) tenant.shift();
      const overThread = THREAD_LIMITS.find((l) => t.filter((x) => x > now - l.ms).length >= l.count);
      if (overThread || tenant.length >= TEAMS_PER_TENANT_PER_SECOND) {
        refused++;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end('{"error":{"code":"TooManyRequests"}}');
        return;
      }
      t.push(now);
      perThread.set(thread, t);
      tenant.push(now);
      if (req.method === 'POST') accepted.push(now);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `m-${++n}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    accepted,
    get refused() {
      return refused;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The least time Teams' limits allow for `posts` new threads (one post per thread): the tenant rate. */
function floorMs(posts: number): number {
  return Math.max(1, Math.ceil(posts / TEAMS_PER_TENANT_PER_SECOND) - 1) * 1_000;
}

async function run(instances: number, o: { requests: number; channels: number; change: number; cycles: number }) {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', NOTIFY_INTERVAL_MS: '60000', NOTIFY_LEASE_MS: '90000' });
  const services = await startSandboxServices(config);
  const conn = await limitedConnector();
  const state = new MemoryStateStore();
  const store = new KeyValueStore(state);
  const logger = createLogger({ level: 'silent' });

  // 10,000 service requests in the sandbox.
  const template = services.sandbox.data.serviceRequests[0]!;
  const ids: string[] = [];
  for (let i = 0; i < o.requests; i++) {
    const id = String(700000000000000 + i);
    ids.push(id);
    const copy: StoredServiceRequest = JSON.parse(JSON.stringify(template));
    copy.resource.id = id;
    copy.resource.title = `Benchmark request ${i}`;
    copy.resource.status = 'open';
    services.sandbox.data.serviceRequests.push(copy);
  }

  // 1,000 channels, 10 watches each, written straight into the shards (setup, not measured).
  const shards: Shard[] = Array.from({ length: SHARDS }, () => ({ watches: {}, pending: [] }));
  const perChannel = Math.ceil(o.requests / o.channels);
  ids.forEach((id, i) => {
    const channel = `19:bench-${Math.floor(i / perChannel)}@thread.tacv2`;
    const w: Watch = {
      id: `w-${randomUUID().replace(/-/g, '').slice(0, 8)}`,
      kind: 'sr',
      srId: id,
      reference: { channelId: 'msteams', serviceUrl: conn.url, conversation: { id: channel, name: '', conversationType: 'channel', tenantId: TENANT, isGroup: true }, bot: { id: '28:partner-ops', name: 'Partner Ops' }, user: { id: '29:alice', name: USER.name } },
      conversationKey: channel,
      setBy: USER,
      locale: 'en-US',
      createdAt: Date.now(),
      state: 'active',
      primed: false,
      lastSeen: {},
      threads: {},
    };
    shards[shardOf(w.id)]!.watches[w.id] = w;
  });
  for (let n = 0; n < SHARDS; n++) await store.put(shardKey(n), shards[n]);

  const bots: Running[] = [];
  for (let i = 0; i < instances; i++) {
    const cfg = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', INSTANCE_ID: `bench-${i}`, NOTIFY_INTERVAL_MS: '60000', NOTIFY_LEASE_MS: '90000' });
    bots.push(await start(cfg, logger, { state, sandboxServices: services, notifierAutoStart: false }));
  }
  // The user signs in once (Teams SSO); every instance finds the token in the shared store.
  services.authority.user({ oid: USER.id, tid: TENANT, name: USER.name });
  await bots[0]!.identity!.exchange(USER, services.authority.mintSsoToken(USER.id, config.aad.appIdUri));

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const cycleAll = () => Promise.all(bots.map((b) => b.notifier.cycle()));
  // Settle the leases (the instances split the shards), then prime: the first cycle remembers, it does not announce.
  for (let i = 0; i < 3; i++) await cycleAll();

  const results: Array<{ calls: number; posts: number; deliveredMs: number; deliveryPhaseMs: number; floor: number }> = [];
  for (let c = 0; c < o.cycles; c++) {
    const changed = Math.round(o.requests * o.change);
    for (let k = 0; k < changed; k++) {
      const sr = services.sandbox.data.serviceRequests[services.sandbox.data.serviceRequests.length - o.requests + ((c * changed + k * 97) % o.requests)]!;
      sr.resource.status = sr.resource.status === 'open' ? 'attention_needed' : 'open';
    }
    const before = conn.accepted.length;
    services.sandbox.requests.length = 0;
    const t0 = Date.now();
    await cycleAll();
    // What did not fit this cycle's delivery is picked up by the next cycles.
    while (conn.accepted.length - before < changed && Date.now() - t0 < 120_000) await cycleAll();
    const posts = conn.accepted.length - before;
    const last = conn.accepted.at(-1) ?? t0;
    const first = conn.accepted[before] ?? t0;
    results.push({ calls: services.sandbox.requests.length, posts, deliveredMs: last - t0, deliveryPhaseMs: last - first, floor: floorMs(posts) });
  }
  clearInterval(sampler);
  const refused = conn.refused;
  for (const b of bots) await b.stop();
  await services.sandbox.close();
  await services.authority.close();
  await conn.close();
  return { results, peakRss, refused };
}

async function main(): Promise<void> {
  const o = { requests: arg('requests', 10_000), channels: arg('channels', 1_000), change: arg('change', 0.01), cycles: arg('cycles', 3) };
  console.log(`Notifications: ${o.requests} watched service requests in ${o.channels} channels, ${o.change * 100}% changing per cycle, ${o.cycles} cycles`);
  for (const instances of [1, 2]) {
    const r = await run(instances, o);
    const calls = r.results.map((x) => x.calls).join(', ');
    const ratios = r.results.map((x) => (x.deliveryPhaseMs / x.floor).toFixed(2)).join(', ');
    console.log(`  ${instances} instance(s):`);
    console.log(`    Partner Center calls per cycle: ${calls}  (the service requests are listed ${200} per page)`);
    console.log(`    notifications per cycle: ${r.results.map((x) => x.posts).join(', ')}; 429s from the connector: ${r.refused}`);
    console.log(`    cycle start to last notification (polling ${o.requests} requests included): ${r.results.map((x) => `${x.deliveredMs} ms`).join(', ')}`);
    console.log(`    first to last notification: ${r.results.map((x) => `${x.deliveryPhaseMs} ms`).join(', ')}; Teams' floor ${r.results.map((x) => `${x.floor} ms`).join(', ')}; ratio ${ratios} (aim <= 1.1)`);
    console.log(`    peak RSS of the process (sandbox, connector and bots included): ${(r.peakRss / 1024 / 1024).toFixed(0)} MB (aim <= 200 MB)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
