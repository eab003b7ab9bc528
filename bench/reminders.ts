/**
 * Benchmark: what the reminders step adds to every notification cycle while nothing is due.
 *
 *   npm run build && node dist/bench/reminders.js     (add -- --reminders 0,1000,10000 for the sizes)
 *
 * That many reminders are scheduled (due in a week) in a FileStateStore, one instance holds every
 * partition, and the step runs as the notifier runs it each cycle (ReminderRunner.cycle, with no watch seen).
 * Reported per size: the first cycle (the partitions' records listed, and each read once to learn when it is
 * due) and the next ones (nothing read before a record is due; the listing is repeated every LIST_EVERY_MS,
 * 10 minutes, costing about what the first cycle did, in the file store). Nothing is due, so Partner Center
 * and Teams are never called: the runner is given no client, token provider or sender to call.
 * Not a test: nothing here asserts a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/logging/logger';
import { Leases } from '../src/notifications/leases';
import { ReminderBook, ReminderRunner, type Reminder } from '../src/notifications/reminders';
import { KeyValueStore } from '../src/storage';
import { FileStateStore } from '../src/storage/file';
import { systemClock } from '../src/util/clock';

const argText = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const SIZES = argText('reminders', '0,1000,10000').split(',').map(Number);
const DAY = 86_400_000;

async function measure(n: number): Promise<{ schedule: number; first: number; next: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-reminders-'));
  try {
    const store = new KeyValueStore(new FileStateStore(dir), systemClock);
    const book = new ReminderBook(store, systemClock);
    const now = systemClock.now();
    let t = performance.now();
    for (let i = 0; i < n; i++) {
      const r: Reminder = {
        id: `bench-${i}`, kind: 'window', customerId: `c-${i % 100}`, customerName: 'Contoso', subscriptionId: `s-${i}`,
        date: new Date(now + 8 * DAY).toISOString(), dueAt: now + 7 * DAY, partition: i % 16,
        reference: { conversation: { id: `19:c-${i % 50}@thread.tacv2` } as never, serviceUrl: 'http://127.0.0.1:1' }, conversationKey: `k-${i % 50}`,
        user: { id: 'u', name: 'Ada', tenantId: 't' }, locale: 'en-US', seats: 1, state: 'scheduled',
      };
      await book.schedule(r);
    }
    const schedule = performance.now() - t;
    const leases = new Leases(store, 'bench', systemClock, 90_000);
    await leases.claim();
    // Nothing is due: the runner never reads Partner Center nor posts, so it is given nothing to do it with.
    const runner = new ReminderRunner({ store, client: undefined as never, tokens: undefined as never, sender: undefined as never, leases, clock: systemClock, logger: silentLogger });
    t = performance.now();
    await runner.cycle([], []);
    const first = performance.now() - t;
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      await runner.cycle([], []);
      runs.push(performance.now() - t);
    }
    runs.sort((a, b) => a - b);
    return { schedule, first, next: runs[2]! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log('reminders scheduled | scheduling them | first cycle | a later cycle (median of 5)');
  for (const n of SIZES) {
    const m = await measure(n);
    console.log(`${String(n).padStart(19)} | ${m.schedule.toFixed(0).padStart(12)} ms | ${m.first.toFixed(1).padStart(8)} ms | ${m.next.toFixed(1).padStart(8)} ms`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
