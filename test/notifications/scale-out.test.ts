import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { startSandboxServices, type SandboxServices } from '../../dev/compose';
import { SEED } from '../../dev/sandbox';
import { BlobStateStore } from '../../src/storage/blob';
import { startAzurite, type Azurite } from '../support/azurite';
import { ManualClock } from '../support/fake-clock';
import { cardOf, startTestBot, textOf, type Conversation, type TestBot } from '../support/teams';

const LEASE_MS = 3_000;
const channels: Conversation[] = Array.from({ length: 6 }, (_, i) => ({ id: `19:channel-${i}@thread.tacv2;messageid=17000000000${i}`, conversationType: 'channel' }));

/**
 * Two bot instances share one Azure Blob store (Azurite) and one Partner Center: the watch shards are split
 * between them by leases, every change is notified exactly once, and when one instance dies the other takes
 * its work over within one lease period.
 */
describe('scale-out: two instances on one Azurite store', () => {
  let azurite: Azurite;
  let services: SandboxServices;
  let a: TestBot;
  let b: TestBot;
  /** Both instances read one clock the test holds: a lease period passes when the test says so. */
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    azurite = await startAzurite();
    services = await startSandboxServices(loadConfig({}));
    const container = `watches-${randomUUID().slice(0, 8)}`;
    const instance = async (id: string) =>
      startTestBot(
        { INSTANCE_ID: id, NOTIFY_INTERVAL_MS: '2000', NOTIFY_LEASE_MS: String(LEASE_MS), CARD_SIGNING_KEY: 'shared-signing-key-for-both-instances-0123' },
        { state: new BlobStateStore(azurite.connectionString, container), sandboxServices: services, notifierAutoStart: false, clock },
      );
    a = await instance('instance-a');
    b = await instance('instance-b');
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await services?.sandbox.close();
    await services?.authority.close();
    await azurite?.stop();
  });

  const sr = (id: string) => services.sandbox.data.serviceRequests.find((s) => s.resource.id === id)!.resource;
  /** Root posts (new threads) the connectors received, as "conversation|title". */
  const roots = () =>
    [...a.connector.calls, ...b.connector.calls]
      .filter((c) => c.method === 'POST' && !c.activityId && JSON.stringify(c.activity).includes('Last change'))
      .map((c) => `${c.conversationId}|${textOf(cardOf(c)).match(/Service request (\d+)/)?.[1]}`);

  it('splits the shards, notifies every change once, and takes over from an instance that died', async () => {
    // Watches set through either instance, in six channels.
    for (const [i, ch] of channels.entries()) await (i % 2 ? b : a).say('watch sr all', { conversation: ch });
    expect([...a.take(), ...b.take()].every((c) => /Watching all the partner's service requests/.test(textOf(cardOf(c))))).toBe(true);

    // Cycles on both, well within a lease period (as the interval is in production), until the shards are
    // split 8/8: the first instance takes them all, then gives back what is above its share. Under load
    // this can take a few rounds.
    let split: number[] = [];
    for (let i = 0; i < 20 && split.join() !== '8,8'; i++) {
      split = (await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()])).map((r) => r.shards).sort();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(split).toEqual([8, 8]);

    // Two service requests change: each of the six channels hears about each change once.
    sr(SEED.serviceRequests.open.id).status = 'closed';
    sr(SEED.serviceRequests.azureQuota.id).status = 'attention_needed';
    await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()]);
    await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()]);
    const first = roots();
    expect(first).toHaveLength(12);
    expect(new Set(first).size).toBe(12);

    // Instance A dies (no clean shutdown: its leases simply stop being renewed).
    a.connector.calls.length = 0;
    b.connector.calls.length = 0;
    sr(SEED.serviceRequests.partnerProfile.id).status = 'closed';
    // One millisecond short of a lease period since A last renewed: A's leases still hold, B keeps its half.
    clock.advance(LEASE_MS - 1);
    expect((await b.running.notifier.cycle()).shards).toBe(8);
    // The lease period is over: B takes every shard over.
    clock.advance(1);
    const takeover = await b.running.notifier.cycle();
    expect(takeover.shards).toBe(16);
    await b.running.notifier.cycle();
    const after = roots();
    expect(after).toHaveLength(6);
    expect(new Set(after.map((r) => r.split('|')[0]))).toEqual(new Set(channels.map((c) => c.id.split(';')[0])));
    expect(after.every((r) => r.endsWith(`|${SEED.serviceRequests.partnerProfile.id}`))).toBe(true);
  }, 60_000);
});
