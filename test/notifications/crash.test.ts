/**
 * kill -9 during a burst of `watch` commands, in a real bot process on Azurite: after a restart, every
 * conversation's `watches` lists exactly the watches that are stored (what the notifier polls), no
 * conversation has a duplicate, and a change posts exactly once in each conversation that lists a watch.
 * And kill -9 between Teams accepting a post and the bot reading Teams' answer: the restarted instance posts
 * it again, once, and never loses it.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { startSandboxServices, type SandboxServices } from '../../dev/compose';
import { conversationKeyOf, WatchStore } from '../../src/notifications/watches';
import { SEED } from '../../dev/sandbox';
import { KeyValueStore } from '../../src/storage';
import { BlobStateStore } from '../../src/storage/blob';
import { startAzurite, type Azurite } from '../support/azurite';
import { cardOf, startConnector, textOf, type Connector } from '../support/teams';
import { sayInChannel, sharedInstanceEnv, spawnInstance, type Instance } from '../support/spawn-instance';
import { until } from '../support/until';

const INTERVAL_MS = 1_000;
const CONVERSATIONS = 50;
const conversations = Array.from({ length: CONVERSATIONS }, (_, i) => `19:crash-${i}@thread.tacv2`);


describe('kill -9 during a burst of watch commands', () => {
  let azurite: Azurite;
  let services: SandboxServices;
  let connector: Connector;
  let container: string;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    azurite = await startAzurite();
    const config = loadConfig({});
    services = await startSandboxServices(config);
    connector = await startConnector();
    container = `crash-${randomUUID().slice(0, 8)}`;
    env = await sharedInstanceEnv(services, { connectionString: azurite.connectionString, container }, {
      NOTIFY_INTERVAL_MS: String(INTERVAL_MS),
      NOTIFY_LEASE_MS: '3000',
      CARD_SIGNING_KEY: 'crash-test-signing-key-0123456789-abcdefgh',
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await connector?.close();
    await services?.sandbox.close();
    await services?.authority.close();
    await azurite?.stop();
  });

  const say = (instance: Instance, conversationId: string, text: string) => sayInChannel(instance, connector.url, conversationId, text);

  it('after a restart, `watches` equals what is stored and what posts; a repeated watch says "already watching"', async () => {
    const a = await spawnInstance('crash-a', env);
    children.push(a.child);
    // 100 commands: every conversation asks for the same watch twice, 10 at a time; kill -9 midway.
    const commands = [...conversations, ...conversations];
    let answered = 0;
    let next = 0;
    const workers = Array.from({ length: 10 }, async () => {
      while (next < commands.length) {
        const conv = commands[next++]!;
        try {
          await say(a, conv, 'watch sr all');
          answered++;
        } catch {
          return; // the process is gone
        }
      }
    });
    await until(() => answered >= 40, 30_000);
    a.child.kill('SIGKILL');
    await Promise.all(workers);
    expect(answered).toBeLessThan(commands.length); // the kill did land mid-burst

    const b = await spawnInstance('crash-b', env);
    children.push(b.child);
    // What the notifier polls: the stored watches, per conversation.
    const stored = await new WatchStore(new KeyValueStore(new BlobStateStore(azurite.connectionString, container))).all();
    const storedBy = new Map<string, string[]>();
    for (const w of stored) storedBy.set(w.conversationKey, [...(storedBy.get(w.conversationKey) ?? []), w.id]);

    // What `watches` lists, per conversation.
    let listedTotal = 0;
    const watching: string[] = [];
    for (const conv of conversations) {
      const mark = connector.calls.length;
      expect(await say(b, conv, 'watches')).toBe(200);
      const reply = connector.calls.slice(mark).find((c) => c.conversationId.startsWith(conv));
      const listed = [...new Set(textOf(cardOf(reply)).match(/w-[0-9a-f]{8}/g) ?? [])];
      const key = conversationKeyOf({ channelId: 'msteams', conversation: { id: conv } as never });
      expect(listed.sort()).toEqual((storedBy.get(key) ?? []).sort());
      expect(listed.length).toBeLessThanOrEqual(1); // never a duplicate
      listedTotal += listed.length;
      if (listed.length) watching.push(conv);
    }
    expect(listedTotal).toBe(stored.length);
    expect(watching.length).toBeGreaterThan(0);

    // A repeated watch answers "already watching" and adds nothing.
    const mark = connector.calls.length;
    await say(b, watching[0]!, 'watch sr all');
    expect(textOf(cardOf(connector.calls.slice(mark).find((c) => c.conversationId.startsWith(watching[0]!))))).toMatch(/Already watching/);

    // What posts: one change, once per conversation that lists a watch, none elsewhere.
    await new Promise((r) => setTimeout(r, 4 * INTERVAL_MS)); // priming cycles
    const sr = services.sandbox.data.serviceRequests.find((s) => s.resource.id === SEED.serviceRequests.open.id)!.resource;
    sr.status = 'closed';
    const roots = () =>
      connector.calls.filter((c) => c.method === 'POST' && !c.activityId && textOf(cardOf(c)).includes(`Service request ${SEED.serviceRequests.open.id}`)).map((c) => c.conversationId);
    await until(() => roots().length >= watching.length, 30_000);
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS)); // any duplicate would arrive by now
    expect(roots().sort()).toEqual([...watching].sort());
  }, 180_000);

  it('a post Teams accepted, whose answer the bot never read (kill -9 before its sent mark), is posted again once after the restart, never lost', async () => {
    // Its own store (container): only this watch's cycles run there.
    const markEnv = await sharedInstanceEnv(services, { connectionString: azurite.connectionString, container: `mark-${randomUUID().slice(0, 8)}` }, {
      NOTIFY_INTERVAL_MS: String(INTERVAL_MS),
      // Longer than the test: the restarted process takes its partitions back because it keeps its INSTANCE_ID.
      NOTIFY_LEASE_MS: '600000',
      CARD_SIGNING_KEY: 'crash-test-signing-key-0123456789-abcdefgh',
    });
    const conv = '19:mark-crash@thread.tacv2';
    const id = SEED.serviceRequests.attentionNeeded.id;
    const roots = () => connector.calls.filter((c) => c.method === 'POST' && !c.activityId && c.conversationId === conv && textOf(cardOf(c)).includes(`Service request ${id}`));
    const first = await spawnInstance('mark-host', markEnv);
    children.push(first.child);
    expect(await say(first, conv, `watch sr ${id}`)).toBe(200);
    // Teams takes the change's post; the process dies before it reads Teams' answer, so no mark is written.
    let killed = false;
    connector.beforeAnswer = async (call) => {
      if (killed || call.conversationId !== conv || call.activityId || call.method !== 'POST') return;
      killed = true;
      const exited = new Promise((r) => first.child.once('exit', r));
      first.child.kill('SIGKILL');
      await exited;
    };
    services.sandbox.data.serviceRequests.find((s) => s.resource.id === id)!.resource.status = 'closed';
    await until(() => killed && first.child.signalCode !== null, 30_000);
    expect(roots()).toHaveLength(1);

    // The same host restarted (same INSTANCE_ID, nothing in memory): the entry is still pending, so it posts it again.
    connector.beforeAnswer = undefined;
    const again = await spawnInstance('mark-host', markEnv);
    children.push(again.child);
    await until(() => roots().length === 2, 30_000);
    expect(textOf(cardOf(roots()[1]))).toMatch(/Status: .+ → Closed/);
    // Once its mark is written and the next cycle has settled it, the shard owes nothing: no third post can come.
    const store = new KeyValueStore(new BlobStateStore(azurite.connectionString, markEnv.AZURE_STORAGE_CONTAINER!));
    const pending = async () => {
      const shards = await store.getMany<{ pending: string[] }>(Array.from({ length: 16 }, (_, n) => `watches/shards/${n}`));
      return [...shards.values()].reduce((sum, d) => sum + (d?.value.pending.length ?? 0), 0);
    };
    for (const end = Date.now() + 30_000; (await pending()) > 0; ) {
      if (Date.now() > end) throw new Error('the shard still owes the entry');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(roots()).toHaveLength(2);
    again.child.kill('SIGKILL');
  }, 120_000);
});
