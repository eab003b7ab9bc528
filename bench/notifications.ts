/**
 * Benchmark: notifications at scale.
 *
 *   npm run bench:notifications      (-- --requests 10000 --channels 1000 --change 0.01 --cycles 3
 *                                        --latency 0 --teams-delay 20 --instances 1,2,4 --profile DIR --pause 0
 *                                        --node-args "--max-old-space-size=384"; default: the Dockerfile's
 *                                        NODE_OPTIONS, as production runs; --node-args '' for Node's defaults)
 *   npm run bench:notifications -- --scenario customers   (1,000 watched customers, 1% changed per cycle by
 *                                        another tool; before and after the activity log: notifications-customers.ts)
 *
 * 10,000 watched service requests in 1,000 channels (10 `watch sr <id>` per channel, one user), 1% of them
 * changing per cycle. Every part runs in its own process: the Partner Center sandbox and token authority,
 * a Teams connector that enforces Teams' limits at arrival (bench/teams-connector.ts; each request arrives
 * 0–`teams-delay` ms after it left), Azurite (the shared store), and 1, 2 or 4 bot instances. Reported per
 * cycle: Partner Center calls; notifications, and the time from the first to the last one as a ratio to
 * the floor Teams' limits impose on the same posts; 429s; and each bot process's peak RSS (VmHWM).
 * Not a test: nothing asserts a time.
 *
 * Where a bot's memory goes: `BENCH_HEAPPROF=FILE` writes a sampling heap profile of the first bot's first
 * measured cycle (what no scavenge collected: promoted or still alive), summarised by
 * `node dist/bench/notifications-heap.js FILE`; `BENCH_DEBUG=1` prints process.memoryUsage() after start and
 * after the leases settle, and the arrival times.
 */
import { randomUUID } from 'node:crypto';
import { SHARDS, shardKey, shardOf, type Shard } from '../src/notifications/watches';
import type { CycleReport } from '../src/notifications/notifier';
import { KeyValueStore } from '../src/storage';
import { BlobStateStore } from '../src/storage/blob';
import { productionNodeOptions } from './production';
import { arg } from './args';
import { startAzurite } from './azurite';
import { customersScenario } from './notifications-customers';
import { sibling, spawnChild, type Child } from './child';
import { channelWatch, USER } from './notifications-watches';
import { floorMs, type Arrival } from './teams-connector';

const MB = 1024 * 1024;

interface Options {
  requests: number;
  channels: number;
  change: number;
  cycles: number;
  latency: number;
  teamsDelay: number;
  /**
   * A pause before each measured cycle (`--pause MS`, default 0: cycles back to back). In production a
   * cycle starts every NOTIFY_INTERVAL_MS (60 s by default), and the bot is idle in between.
   */
  pauseMs: number;
  /** A directory for the bot processes' CPU profiles (`--profile DIR`). */
  profile?: string;
  /** Node/V8 options for the bot processes (default: the Dockerfile's NODE_OPTIONS; `--node-args ''` for none). */
  nodeArgs: string[];
}

interface CycleResult {
  calls: number;
  /** CPU of the busiest bot process over the cycle (and the cycles that finished its delivery), ms. */
  cpuMs: number;
  posts: number;
  firstToLastMs: number;
  floorMs: number;
  cycleToLastMs: number;
}

async function run(instances: number, o: Options, connectionString: string) {
  const container = `bench-${randomUUID().slice(0, 8)}`;
  const sandbox = await spawnChild(sibling(__filename, 'notifications-sandbox'));
  const connector = await spawnChild(sibling(__filename, 'teams-connector'), { ARRIVAL_DELAY_MS: JSON.stringify([0, o.teamsDelay]) });
  const bots: Child[] = [];
  try {
    const info = await sandbox.call<Record<string, unknown>>('info');
    await sandbox.call('latency', o.latency);
    const connectorUrl = await connector.call<string>('url');
    const seeded = await sandbox.call<Array<{ id: string; notes: number; lastNote?: string }>>('seed', o.requests);

    // 1,000 channels, 10 watches each, written straight into the shards (setup, not measured), primed
    // with what the user saw, as `watch` creates them (the snapshot of the request as listed).
    const store = new KeyValueStore(new BlobStateStore(connectionString, container));
    const shards: Shard[] = Array.from({ length: SHARDS }, () => ({ watches: {}, pending: [] }));
    const perChannel = Math.ceil(o.requests / o.channels);
    seeded.forEach(({ id, notes, lastNote }, i) => {
      const channel = `19:bench-${Math.floor(i / perChannel)}@thread.tacv2`;
      // srSnapshot of the request as `watch` reads it: its status, notes, title and newest note.
      const w = channelWatch(connectorUrl, channel, { kind: 'sr', srId: id }, { [id]: { status: 'open', count: notes, title: `Benchmark request ${i}`, detail: lastNote } });
      shards[shardOf(w.id)]!.watches[w.id] = w;
    });
    for (let n = 0; n < SHARDS; n++) await store.put(shardKey(n), shards[n]);

    const env = {
      PORT: '0',
      LOG_LEVEL: 'silent',
      NOTIFY_INTERVAL_MS: '60000',
      NOTIFY_LEASE_MS: '90000',
      CARD_SIGNING_KEY: 'bench-signing-key-shared-by-the-instances-0123',
      AZURE_STORAGE_CONNECTION_STRING: connectionString,
      AZURE_STORAGE_CONTAINER: container,
      BENCH_SANDBOX: JSON.stringify(info),
    };
    for (let i = 0; i < instances; i++) bots.push(await spawnChild(sibling(__filename, 'notifications-bot'), { ...env, INSTANCE_ID: `bench-${i}` }, [...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${o.profile}`] : []), ...(process.env.BENCH_DEBUG ? ['--expose-gc'] : []), ...o.nodeArgs]));
    // The user signs in once (Teams SSO); every instance finds the token in the shared store.
    await bots[0]!.call('signIn', { user: USER, ssoToken: await sandbox.call<string>('ssoToken', USER) });

    if (process.env.BENCH_DEBUG) console.log('after start', bots.map((b) => b.peakRss() / MB), await bots[0]!.call('memory'));
    const cycleAll = () => Promise.all(bots.map((b) => b.call<CycleReport>('cycle')));
    // Settle the leases: the instances split the partitions evenly.
    for (let i = 0; i < 20; i++) {
      const held = (await cycleAll()).map((r) => r.shards);
      if (held.reduce((a, b) => a + b, 0) === SHARDS && Math.max(...held) <= Math.ceil(SHARDS / instances)) break;
    }
    await sandbox.call('forget');
    if (process.env.BENCH_DEBUG) console.log('after settle', bots.map((b) => b.peakRss() / MB), await bots[0]!.call('memory'));
    if (process.env.BENCH_HEAP) await bots[0]!.call('heapSnapshot', process.env.BENCH_HEAP);

    const results: CycleResult[] = [];
    const changed = Math.round(o.requests * o.change);
    for (let c = 0; c < o.cycles; c++) {
      if (o.pauseMs > 0) await new Promise((r) => setTimeout(r, o.pauseMs));
      await sandbox.call('change', Array.from({ length: changed }, (_, k) => (c * changed + k * 97) % o.requests));
      const callsBefore = await sandbox.call<number>('calls');
      const { accepted: mark } = await connector.call<{ accepted: number }>('count');
      if (process.env.BENCH_HEAPPROF && c === 0) await bots[0]!.call('heapSampleStart');
      const cpu0 = await Promise.all(bots.map((b) => b.call<number>('cpuMs')));
      const t0 = Date.now();
      await cycleAll();
      if (process.env.BENCH_HEAPPROF && c === 0) await bots[0]!.call('heapSampleStop', process.env.BENCH_HEAPPROF);
      const calls = (await sandbox.call<number>('calls')) - callsBefore;
      // What did not fit this cycle's delivery is picked up by the next cycles.
      let arrivals = (await connector.call<{ accepted: Arrival[] }>('since', mark)).accepted;
      while (arrivals.filter((a) => a.method === 'POST').length < changed && Date.now() - t0 < 120_000) {
        await cycleAll();
        arrivals = (await connector.call<{ accepted: Arrival[] }>('since', mark)).accepted;
      }
      const cpu = (await Promise.all(bots.map((b) => b.call<number>('cpuMs')))).map((ms, i) => ms - cpu0[i]!);
      const times = arrivals.map((a) => a.at);
      if (process.env.BENCH_DEBUG) console.log('arrivals', times.map((t) => t - Math.min(...times)).join(' '));
      results.push({
        calls,
        cpuMs: Math.max(...cpu),
        posts: arrivals.filter((a) => a.method === 'POST').length,
        firstToLastMs: times.length ? Math.max(...times) - Math.min(...times) : 0,
        floorMs: floorMs(arrivals.map((a) => a.conversation)),
        cycleToLastMs: times.length ? Math.max(...times) - t0 : 0,
      });
      await sandbox.call('forget');
    }
    const { refused } = await connector.call<{ refused: number }>('count');
    const peakRss = bots.map((b) => b.peakRss());
    for (const b of bots) await b.call('stop');
    return { results, refused, peakRss, sandboxRss: sandbox.peakRss(), connectorRss: connector.peakRss() };
  } finally {
    for (const b of bots) await b.kill();
    await connector.kill();
    await sandbox.kill();
  }
}

function text(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const o: Options = {
    requests: arg('requests', 10_000),
    channels: arg('channels', 1_000),
    change: arg('change', 0.01),
    cycles: arg('cycles', 3),
    latency: arg('latency', 0),
    teamsDelay: arg('teams-delay', 20),
    pauseMs: arg('pause', 0),
    profile: text('profile'),
    // By default the bots run with the production image's NODE_OPTIONS; --node-args '' for Node's defaults.
    nodeArgs: (text('node-args') ?? productionNodeOptions()).split(' ').filter(Boolean),
  };
  if (text('scenario') === 'customers') {
    const azurite = await startAzurite();
    try {
      await customersScenario({ customers: arg('customers', 1_000), change: o.change, cycles: o.cycles, teamsDelay: o.teamsDelay, nodeArgs: o.nodeArgs }, azurite.connectionString);
    } finally {
      await azurite.stop();
    }
    return;
  }
  const instanceCounts = (text('instances') ?? '1,2,4').split(',').map(Number);
  console.log(
    `Notifications: ${o.requests} watched service requests in ${o.channels} channels, ${o.change * 100}% changing per cycle, ${o.cycles} cycles; ` +
      `Partner Center latency ${o.latency} ms, Teams requests arrive 0–${o.teamsDelay} ms after they leave; each part in its own process` +
      (o.pauseMs > 0 ? `; ${o.pauseMs} ms idle before each measured cycle` : '; cycles back to back') +
      (o.nodeArgs.length ? `; bot processes run with ${o.nodeArgs.join(' ')}` : ''),
  );
  const azurite = await startAzurite();
  try {
    for (const instances of instanceCounts) {
      const r = await run(instances, o, azurite.connectionString);
      const ratios = r.results.map((x) => (x.floorMs > 0 ? (x.firstToLastMs / x.floorMs).toFixed(2) : 'n/a (within one window)')).join(', ');
      console.log(`  ${instances} instance(s):`);
      console.log(`    Partner Center calls per cycle: ${r.results.map((x) => x.calls).join(', ')}  (service requests are listed 200 per page)`);
      console.log(`    CPU of the busiest bot process per cycle: ${r.results.map((x) => `${x.cpuMs.toFixed(0)} ms`).join(', ')}`);
      console.log(`    notifications per cycle: ${r.results.map((x) => x.posts).join(', ')}; 429s from Teams (counted at the connector): ${r.refused}`);
      console.log(`    cycle start to last notification (polling ${o.requests} requests included): ${r.results.map((x) => `${x.cycleToLastMs} ms`).join(', ')}`);
      console.log(`    first to last notification: ${r.results.map((x) => `${x.firstToLastMs} ms`).join(', ')}; Teams' floor ${r.results.map((x) => `${x.floorMs} ms`).join(', ')}; ratio ${ratios} (aim <= 1.1)`);
      console.log(`    peak RSS per bot process: ${r.peakRss.map((x) => `${(x / MB).toFixed(0)} MB`).join(', ')} (aim <= 250 MB); sandbox ${(r.sandboxRss / MB).toFixed(0)} MB, connector ${(r.connectorRss / MB).toFixed(0)} MB, in their own processes`);
    }
  } finally {
    await azurite.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
