/**
 * The notifications benchmark's customers scenario (`npm run bench:notifications -- --scenario customers`,
 * with `--customers 1000 --change 0.01 --cycles 3 --teams-delay 20`): 1,000 watched customers (`watch subs`,
 * one setter, one channel each), 1% of them changed per cycle by another tool or the portal (each change
 * recorded in the activity log, as Partner Center does). Run twice in the same run, on the same data:
 *
 * - before: NOTIFY_SWEEP_MINUTES=0, every watched customer's subscriptions listed every cycle;
 * - after: the default (30): the activity log read once a cycle, only the customers it names read again,
 *   and a full sweep every 30 minutes, spread over it (the setter's first sweep, the first cycle, lists every
 *   customer at once; its cost is reported apart).
 *
 * Reported per measured cycle: Partner Center calls, notifications, first to last notification ÷ the floor
 * Teams' limits impose on the same posts, cycle start to last notification; then the ratios after ÷ before.
 * Not a test: nothing asserts a time.
 */
import { randomUUID } from 'node:crypto';
import { SHARDS, shardKey, shardOf, type Shard } from '../src/notifications/watches';
import type { CycleReport } from '../src/notifications/notifier';
import { KeyValueStore } from '../src/storage';
import { BlobStateStore } from '../src/storage/blob';
import { sibling, spawnChild, type Child } from './child';
import { channelWatch, USER } from './notifications-watches';
import { floorMs, type Arrival } from './teams-connector';


export interface CustomersOptions {
  customers: number;
  change: number;
  cycles: number;
  teamsDelay: number;
  nodeArgs: string[];
}

interface Measured {
  /** The first cycle (a sweep when the log is used): calls. */
  firstCalls: number;
  calls: number[];
  posts: number[];
  firstToLastMs: number[];
  floorMs: number[];
  cycleToLastMs: number[];
}

async function run(sweepMinutes: number, o: CustomersOptions, connectionString: string): Promise<Measured> {
  const container = `bench-${randomUUID().slice(0, 8)}`;
  const sandbox = await spawnChild(sibling(__filename, 'notifications-sandbox'));
  const connector = await spawnChild(sibling(__filename, 'teams-connector'), { ARRIVAL_DELAY_MS: JSON.stringify([0, o.teamsDelay]) });
  let bot: Child | undefined;
  try {
    const info = await sandbox.call<Record<string, unknown>>('info');
    const connectorUrl = await connector.call<string>('url');
    const seeded = await sandbox.call<Array<{ customerId: string; id: string; status: string; quantity: number; title: string }>>('seedCustomers', o.customers);
    // One `watch subs` per customer, each in its own channel, primed with what the user saw (setup, not measured).
    const store = new KeyValueStore(new BlobStateStore(connectionString, container));
    const shards: Shard[] = Array.from({ length: SHARDS }, () => ({ watches: {}, pending: [] }));
    seeded.forEach((s, i) => {
      const w = channelWatch(connectorUrl, `19:bench-${i}@thread.tacv2`, { kind: 'subs', customerId: s.customerId, customerName: `Benchmark customer ${i}` }, {
        [s.id]: { status: s.status, count: s.quantity, title: s.title },
      });
      shards[shardOf(w.id)]!.watches[w.id] = w;
    });
    for (let n = 0; n < SHARDS; n++) await store.put(shardKey(n), shards[n]);

    bot = await spawnChild(
      sibling(__filename, 'notifications-bot'),
      {
        PORT: '0',
        LOG_LEVEL: 'silent',
        NOTIFY_INTERVAL_MS: '60000',
        NOTIFY_LEASE_MS: '90000',
        NOTIFY_SWEEP_MINUTES: String(sweepMinutes),
        CARD_SIGNING_KEY: 'bench-signing-key-shared-by-the-instances-0123',
        AZURE_STORAGE_CONNECTION_STRING: connectionString,
        AZURE_STORAGE_CONTAINER: container,
        BENCH_SANDBOX: JSON.stringify(info),
        INSTANCE_ID: 'bench-0',
      },
      o.nodeArgs,
    );
    await bot.call('signIn', { user: USER, ssoToken: await sandbox.call<string>('ssoToken', USER) });
    await sandbox.call('forget');
    // The first cycle takes the leases and, with the log, is the setter's first sweep.
    await bot.call<CycleReport>('cycle');
    const firstCalls = await sandbox.call<number>('calls');
    await sandbox.call('forget');

    const m: Measured = { firstCalls, calls: [], posts: [], firstToLastMs: [], floorMs: [], cycleToLastMs: [] };
    const changed = Math.max(1, Math.round(o.customers * o.change));
    for (let c = 0; c < o.cycles; c++) {
      await sandbox.call('changeCustomers', Array.from({ length: changed }, (_, k) => (c * changed + k * 97) % o.customers));
      const { accepted: mark } = await connector.call<{ accepted: number }>('count');
      const t0 = Date.now();
      await bot.call<CycleReport>('cycle');
      const calls = await sandbox.call<number>('calls');
      let arrivals = (await connector.call<{ accepted: Arrival[] }>('since', mark)).accepted;
      while (arrivals.filter((a) => a.method === 'POST').length < changed && Date.now() - t0 < 120_000) {
        await bot.call<CycleReport>('cycle');
        arrivals = (await connector.call<{ accepted: Arrival[] }>('since', mark)).accepted;
      }
      const times = arrivals.map((a) => a.at);
      m.calls.push(calls);
      m.posts.push(arrivals.filter((a) => a.method === 'POST').length);
      m.firstToLastMs.push(times.length ? Math.max(...times) - Math.min(...times) : 0);
      m.floorMs.push(floorMs(arrivals.map((a) => a.conversation)));
      m.cycleToLastMs.push(times.length ? Math.max(...times) - t0 : 0);
      await sandbox.call('forget');
    }
    await bot.call('stop');
    return m;
  } finally {
    await bot?.kill();
    await connector.kill();
    await sandbox.kill();
  }
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function customersScenario(o: CustomersOptions, connectionString: string): Promise<void> {
  const changed = Math.max(1, Math.round(o.customers * o.change));
  console.log(`Customers: ${o.customers} watched customers (one subscription each, one channel each, one setter), ${changed} changed per cycle by another tool (recorded in the activity log), ${o.cycles} measured cycles; each part in its own process`);
  const before = await run(0, o, connectionString);
  const after = await run(30, o, connectionString);
  const ratio = (m: Measured) => m.firstToLastMs.map((t, i) => (m.floorMs[i]! > 0 ? (t / m.floorMs[i]!).toFixed(2) : 'n/a (within one window)')).join(', ');
  for (const [name, m] of [['before (NOTIFY_SWEEP_MINUTES=0: every customer listed every cycle)', before], ['after (activity log each cycle, sweep every 30 min)', after]] as const) {
    console.log(`  ${name}:`);
    console.log(`    first cycle: ${m.firstCalls} Partner Center calls${m === after ? ' (the setter’s first sweep: every customer, plus the log)' : ''}`);
    console.log(`    Partner Center calls per measured cycle: ${m.calls.join(', ')} (${(avg(m.calls) / changed).toFixed(1)} per changed customer)`);
    console.log(`    notifications per cycle: ${m.posts.join(', ')}`);
    console.log(`    cycle start to last notification: ${m.cycleToLastMs.map((x) => `${x} ms`).join(', ')}`);
    console.log(`    first to last notification: ${m.firstToLastMs.map((x) => `${x} ms`).join(', ')}; Teams' floor ${m.floorMs.map((x) => `${x} ms`).join(', ')}; ratio ${ratio(m)}`);
  }
  // The sweep is spread over its interval (activity-source.ts): at the default 60 s cycle and 30-minute sweep,
  // each cycle of a sweep also lists ⌈customers × 60 s ÷ 30 min⌉ customers (not measured here: the bot's clock is real).
  const slice = Math.ceil((o.customers * 60_000) / (30 * 60_000));
  console.log(`  after ÷ before, same run: Partner Center calls per cycle ${(avg(after.calls) / avg(before.calls)).toFixed(3)} between sweeps; during the spread sweep each cycle adds ${slice} lists (${((avg(after.calls) + slice) / avg(before.calls)).toFixed(3)} of before); cycle start to last notification ${(avg(after.cycleToLastMs) / Math.max(1, avg(before.cycleToLastMs))).toFixed(2)}`);
}
