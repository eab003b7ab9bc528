/**
 * Polling split by setter: two instances on one store (in memory, shared by both in this process), and
 * setters in 16 partner tenants (one per partition, so both instances have work once the partitions are
 * split) plus a second setter in one of them. Every cycle lists each setter's service requests exactly
 * once, whatever the number of instances, and a change posts once per watch.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { startSandboxServices, type SandboxServices } from '../../dev/compose';
import { conversationKeyOf, PARTITIONS, partitionOf, watchIdFor, type Watch } from '../../src/notifications/watches';
import { SEED } from '../../dev/sandbox';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../src/storage/file';
import { BOT, startTestBot, type TestBot } from '../support/teams';

interface Setter {
  id: string;
  name: string;
  tenantId: string;
}

/** One partner tenant per partition. */
function tenantsCoveringPartitions(): string[] {
  const byPartition = new Map<number, string>();
  while (byPartition.size < PARTITIONS) {
    const t = randomUUID();
    if (!byPartition.has(partitionOf({ tenantId: t }))) byPartition.set(partitionOf({ tenantId: t }), t);
  }
  return [...byPartition.values()];
}

describe('sharding by setter: two instances on one store', () => {
  let services: SandboxServices;
  let a: TestBot;
  let b: TestBot;
  const dir = mkdtempSync(path.join(tmpdir(), 'sharding-'));
  const setters: Setter[] = [];

  beforeAll(async () => {
    services = await startSandboxServices(loadConfig({}));
    const state = new FileStateStore(dir);
    const instance = (id: string) =>
      startTestBot({ INSTANCE_ID: id, NOTIFY_INTERVAL_MS: '60000', NOTIFY_LEASE_MS: '90000' }, { state, sandboxServices: services, notifierAutoStart: false });
    a = await instance('instance-a');
    const tenants = tenantsCoveringPartitions();
    tenants.forEach((tenantId, i) => setters.push({ id: randomUUID(), name: `Setter ${i}`, tenantId }));
    setters.push({ id: randomUUID(), name: 'Second setter', tenantId: tenants[0]! });
    const sr = SEED.serviceRequests.open.id;
    for (const [i, s] of setters.entries()) {
      // Signed in once (Teams SSO): the token cache is in the shared store.
      services.authority.user({ oid: s.id, tid: s.tenantId, name: s.name });
      await a.running.identity!.exchange(s, services.authority.mintSsoToken(s.id, loadConfig({}).aad.appIdUri));
      // Two watches per setter, in two channels of their tenant.
      for (const k of [0, 1]) {
        const reference = {
          channelId: 'msteams',
          serviceUrl: a.connector.url,
          bot: BOT,
          conversation: { id: `19:setter-${i}-${k}@thread.tacv2`, conversationType: 'channel', tenantId: s.tenantId, isGroup: true, name: '' },
        };
        const conversationKey = conversationKeyOf(reference);
        const w: Watch = {
          id: watchIdFor({ conversationKey, kind: 'sr', srId: sr }),
          kind: 'sr',
          srId: sr,
          reference,
          conversationKey,
          setBy: s,
          locale: 'en-US',
          createdAt: Date.now(),
          state: 'active',
          primed: true,
          lastSeen: { [sr]: { status: 'open', count: services.sandbox.data.serviceRequests.find((x) => x.resource.id === sr)!.resource.notes?.length ?? 0, title: '' } },
          threads: {},
        };
        expect((await a.running.watches.add(w)).created).toBe(true);
      }
    }
    b = await instance('instance-b');
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await services?.sandbox.close();
    await services?.authority.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Service-request lists per setter (by the token's oid) since `from`. */
  const listsBySetter = (from: number) => {
    const counts = new Map<string, number>();
    for (const r of services.sandbox.requests.slice(from)) {
      if (r.method !== 'GET' || r.path !== '/v1/servicerequests') continue;
      const oid = JSON.parse(Buffer.from(r.token!.split('.')[1]!, 'base64url').toString('utf8')).oid as string;
      counts.set(oid, (counts.get(oid) ?? 0) + 1);
    }
    return counts;
  };
  const once = new Map<string, number>();

  it('lists each setter once per cycle at 1 instance and at 2, both instances working', async () => {
    setters.forEach((s) => once.set(s.id, 1));
    // One instance alone holds every partition.
    let mark = services.sandbox.requests.length;
    const alone = await a.running.notifier.cycle();
    expect(alone.shards).toBe(PARTITIONS);
    expect(listsBySetter(mark)).toEqual(once);

    // Both instances: they split the partitions, then every cycle still lists each setter exactly once.
    let split: number[] = [];
    for (let i = 0; i < 20 && split.join() !== '8,8'; i++) split = (await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()])).map((r) => r.shards).sort();
    expect(split).toEqual([8, 8]);
    for (let cycle = 0; cycle < 3; cycle++) {
      mark = services.sandbox.requests.length;
      const [ra, rb] = await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()]);
      expect(listsBySetter(mark)).toEqual(once);
      expect(ra.partnerCenterCalls + rb.partnerCenterCalls).toBe(setters.length);
      expect(ra.partnerCenterCalls).toBeGreaterThan(0);
      expect(rb.partnerCenterCalls).toBeGreaterThan(0);
    }
  }, 60_000);

  it('posts a change once per watch, each from the instance that polls its setter', async () => {
    a.take();
    b.take();
    services.sandbox.data.serviceRequests.find((x) => x.resource.id === SEED.serviceRequests.open.id)!.resource.status = 'closed';
    const [ra, rb] = await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()]);
    expect(ra.delivered + rb.delivered).toBe(setters.length * 2);
    const roots = [...a.take(), ...b.take()].filter((c) => c.method === 'POST' && !c.activityId).map((c) => c.conversationId);
    expect(roots.sort()).toEqual(setters.flatMap((_, i) => [`19:setter-${i}-0@thread.tacv2`, `19:setter-${i}-1@thread.tacv2`]).sort());
    await Promise.all([a.running.notifier.cycle(), b.running.notifier.cycle()]);
    expect([...a.take(), ...b.take()]).toHaveLength(0);
  }, 60_000);
});
