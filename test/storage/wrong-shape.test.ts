/**
 * Valid JSON of the wrong shape, met by the bot over the Bot Framework protocol, on the file store and on
 * Blob storage (Azurite): a lease `{"value": null}`, a watch shard `{"watches": {"id": null}}`, a watch
 * whose setter's tenant id is the number 42, an outbox entry with no card to show, an audit trail `{}`.
 * Each is set aside (kept for inspection, logged once, by field and rule only) and what the user sees
 * carries on: a real change is still posted, `watches` and `audit` still answer, a write's audit is saved.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { SEED } from '../../dev/sandbox';
import { conversationKeyOf, partitionOf, shardKey, shardOf, type Watch } from '../../src/notifications/watches';
import type { StateStore } from '../../src/storage';
import { createStateStore } from '../../src/storage/factory';
import { startAzurite, type Azurite } from '../support/azurite';
import { captureLogs } from '../support/log-capture';
import { CHANNEL, GROUP, PERSONAL, TENANT, cardOf, startTestBot, textOf, type TestBot } from '../support/teams';

const OPEN = SEED.serviceRequests.open.id;
const CONTOSO = SEED.customers.contoso.id;
const NCE = SEED.subscriptions.contosoNce.id;
const CHANNEL_ROOT = CHANNEL.id.split(';')[0]!;
const SET_ASIDE = 'state record set aside (corrupt or of the wrong shape); the feature carries on without it';

describe.each(['file', 'blob'] as const)('records of the wrong shape (%s store): the bot carries on', (kind) => {
  let azurite: Azurite | undefined;
  let bot: TestBot;
  let state: StateStore;
  let logs: ReturnType<typeof captureLogs>;
  let dataDir: string;
  let container: string;

  beforeAll(async () => {
    if (kind === 'blob') azurite = await startAzurite();
  }, 60_000);
  afterAll(async () => {
    await azurite?.stop();
  });
  beforeEach(async () => {
    logs = captureLogs('info');
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'wrong-shape-'));
    container = `shape-${randomUUID().slice(0, 8)}`;
    const storage = { dataDir, container, connectionString: azurite?.connectionString };
    // The product's own store, with its own logger: what an operator would read.
    state = createStateStore({ storage }, logs.logger);
    bot = await startTestBot({}, { state, notifierAutoStart: false });
  });
  afterEach(async () => {
    await bot.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pc = () => bot.running.sandbox!;
  const sr = (id: string) => pc().data.serviceRequests.find((s) => s.resource.id === id)!.resource;
  const cycle = () => bot.running.notifier.cycle();
  /** Writes a record as a hand edit (or an attacker with access to the store) would: no check at all. */
  const plant = (key: string, record: object) => state.storage.write({ [key]: { ...record, eTag: '*' } });
  const stored = async <T>(key: string) => ((await state.storage.read([key]))[key] as { value: T } | undefined)?.value;
  /** The set-aside lines logged, as parsed JSON. */
  const setAside = () => logs.lines().map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === SET_ASIDE);
  /** What was kept for inspection. */
  const kept = async (): Promise<number> => {
    if (kind === 'file') return readdirSync(dataDir).filter((f) => f.includes('.corrupt-')).length;
    let n = 0;
    for await (const _ of new ContainerClient(azurite!.connectionString, container).listBlobsFlat({ prefix: 'corrupt/' })) n++;
    return n;
  };
  /** Root cards of service request OPEN posted in the channel. */
  const roots = () => bot.take().filter((c) => c.method === 'POST' && !c.activityId && c.conversationId === CHANNEL_ROOT && textOf(cardOf(c)).includes(`Service request ${OPEN}`));

  async function watchOpenInChannel(): Promise<Watch> {
    await bot.say(`watch sr ${OPEN}`, { conversation: CHANNEL });
    const id = /watch (w-[0-9a-f]{8})/.exec(textOf(cardOf(bot.take()[0])))![1]!;
    await cycle(); // primes: the first cycle remembers, it does not announce
    return (await stored<{ watches: Record<string, Watch> }>(shardKey(shardOf(id))))!.watches[id]!;
  }

  it('a lease {"value": null}: set aside, logged once, and the next cycle still posts a real change', async () => {
    await watchOpenInChannel();
    const lease = `leases/shards/${partitionOf({ tenantId: TENANT })}`;
    await plant(lease, { value: null });
    sr(OPEN).status = 'closed';
    await cycle();
    expect(roots()).toHaveLength(1);
    await cycle();
    expect(setAside()).toEqual([expect.objectContaining({ key: lease, reason: expect.stringMatching(/^value: /) })]);
    expect(await kept()).toBe(1);
  });

  it('a watch shard {"watches": {"id": null}}, and a bad watch beside a good one: `watches` answers, the good watch posts', async () => {
    const good = await watchOpenInChannel();
    const home = shardKey(shardOf(good.id));
    const other = shardKey((shardOf(good.id) + 1) % 16);
    await plant(other, { value: { watches: { id: null } } });
    const doc = (await stored<{ watches: Record<string, unknown>; pending: string[] }>(home))!;
    await plant(home, { value: { ...doc, watches: { ...doc.watches, id: null } } });

    await bot.say('watches', { conversation: CHANNEL });
    expect(textOf(cardOf(bot.take()[0]))).toContain(`${good.id} · service request ${OPEN}`);
    await bot.say('watches', { conversation: GROUP });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Nothing is watched here/);
    sr(OPEN).status = 'closed';
    await cycle();
    expect(roots()).toHaveLength(1);
    // Each shard set aside once; what could be kept of the good watch's shard was kept.
    expect(setAside().map((l) => l.key).sort()).toEqual([home, other].sort());
    expect(await kept()).toBe(2);
    expect(Object.keys((await stored<{ watches: object }>(home))!.watches)).toEqual([good.id]);
  });

  it("a watch whose setter's tenant id is the number 42: dropped alone, every other watch still polls and posts", async () => {
    const good = await watchOpenInChannel();
    const badId = 'w-0000beef';
    const bad = { ...good, id: badId, conversationKey: 'elsewhere', setBy: { ...good.setBy, tenantId: 42 } };
    const key = shardKey(shardOf(badId));
    const doc = (await stored<{ watches: Record<string, unknown>; pending: string[] }>(key)) ?? { watches: {}, pending: [] };
    await plant(key, { value: { ...doc, watches: { ...doc.watches, [badId]: bad } } });
    sr(OPEN).status = 'closed';
    await cycle();
    expect(roots()).toHaveLength(1);
    await bot.say('watches', { conversation: CHANNEL });
    expect(textOf(cardOf(bot.take()[0]))).toContain(good.id);
    const lines = setAside();
    expect(lines).toEqual([expect.objectContaining({ key, reason: expect.stringContaining('setBy.tenantId') })]);
    expect(JSON.stringify(lines)).not.toContain(good.setBy.name); // by field and rule, never the record's content
  });

  it('an outbox entry with no card to show, first in its watch\'s order: set aside, and the real change still posts', async () => {
    const good = await watchOpenInChannel();
    const home = shardKey(shardOf(good.id));
    const badKey = `outbox/${good.id}/${OPEN}/bad`;
    await plant(badKey, { value: { watchId: good.id, itemId: OPEN, state: 'pending', at: 0, after: null, view: null } });
    const doc = (await stored<{ watches: object; pending: string[] }>(home))!;
    await plant(home, { value: { ...doc, pending: [badKey] } });
    sr(OPEN).status = 'closed';
    await cycle();
    expect(roots()).toHaveLength(1);
    expect(setAside()).toEqual([expect.objectContaining({ key: badKey })]);
    await cycle();
    expect((await stored<{ pending: string[] }>(home))!.pending).toEqual([]); // settled: it is not read again
  });

  it('an audit trail {}: `audit` answers, a write still saves its audit, and `audit` then shows it', async () => {
    const key = `audit/${conversationKeyOf({ channelId: 'msteams', conversation: { id: PERSONAL.id } as never })}`;
    await plant(key, { value: {} });
    await bot.say('audit');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/No change to Partner Center has been made/);
    await bot.say(`sub set ${CONTOSO} ${NCE} friendlyName="Front office"`);
    const answer = textOf(cardOf(bot.take()[0]));
    expect(answer).toMatch(/Front office/);
    expect(answer).not.toMatch(/audit record could not be saved/);
    await bot.say('audit');
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Front office/);
    expect(setAside()).toEqual([expect.objectContaining({ key, reason: 'value: not a list' })]);
    expect(await kept()).toBe(1);
  });
});
