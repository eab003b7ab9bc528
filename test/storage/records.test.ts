/**
 * Every kind of record the bot keeps, read through its schema (src/storage/records.ts): a record as the
 * product writes it reads back as it was and is never set aside; one of the wrong shape is set aside once
 * (kept as it was, with a reason that names fields and rules, never content) and reads as absent, or as
 * what could be kept of it when it holds many independent entries.
 */
import type { AuditEntry } from '../../src/features/audit/log';
import type { Watch } from '../../src/notifications/watches';
import { cacheKey } from '../../src/identity/token-cache';
import { shardKey } from '../../src/notifications/watches';
import { KeyValueStore, MemoryStateStore } from '../../src/storage';
import { kindOf } from '../../src/storage/records';
import { RETENTION } from '../../src/storage/retention';
import type { PendingWork } from '../../src/teams/signin';

/** Content that must never reach a reason (and so the log). */
const SECRET = 'Contoso Private Name';

const watch: Watch = {
  id: 'w-0000aaaa',
  kind: 'subs',
  customerId: 'c1',
  customerName: 'Contoso',
  reference: { channelId: 'msteams', serviceUrl: 'https://smba.example/', conversation: { id: '19:x@thread.v2' } as never },
  conversationKey: 'ck',
  setBy: { id: 'u1', name: 'Alice', tenantId: 't1' },
  locale: 'en-US',
  createdAt: 1,
  state: 'active',
  primed: true,
  lastSeen: { s1: { status: 'active', count: 3, title: 'E3' } },
  threads: { s1: { rootId: 'r1' } },
};
const entry: AuditEntry = { at: 1, by: { id: 'u1', name: 'Alice' }, action: 'sub.update', target: 'c1/s1', item: { kind: 'sub', id: 's1', name: 'E3' }, changes: [{ field: 'Seats', from: '3', to: '4' }], correlationId: 'c' };
const outbox = { watchId: watch.id, itemId: 's1', before: { status: 'active', count: 3, title: 'E3' }, after: { status: 'active', count: 4, title: 'E3' }, view: { kind: 'subscription', id: 's1', customerId: 'c1', customerName: 'Contoso', nce: true }, at: 1, state: 'pending' };
const work: PendingWork = { kind: 'action', verb: 'sub.update', data: { id: 's1' }, replyToId: 'm1' };

/** [key, as the product writes it, of the wrong shape, what the wrong one reads as]. */
const CASES: Array<[string, unknown, unknown, unknown]> = [
  ['leases/shards/3', { owner: 'instance-a', until: 5 }, null, undefined],
  ['leases/shards/4', { owner: 'instance-a', until: 5 }, { owner: 'instance-a', until: SECRET }, undefined],
  ['leases/instances', { a: 1, b: 2 }, { a: 1, [SECRET]: SECRET }, { a: 1 }],
  ['watches/shards/2', { watches: { [watch.id]: watch }, pending: ['outbox/k'] }, { watches: { id: null } }, { watches: {}, pending: [] }],
  [
    'watches/shards/5',
    { watches: { [watch.id]: watch }, pending: [] },
    { watches: { [watch.id]: watch, 'w-0000bbbb': { ...watch, id: 'w-0000bbbb', customerName: SECRET, setBy: { ...watch.setBy, tenantId: 42 } } }, pending: ['outbox/k', 7, 'tokens/t1/u1'] },
    { watches: { [watch.id]: watch }, pending: ['outbox/k'] },
  ],
  [
    'watches/shards/8',
    { watches: { [watch.id]: watch }, pending: [] },
    { watches: { [watch.id]: { ...watch, lastSeen: { ...watch.lastSeen, s2: { status: SECRET } }, threads: { ...watch.threads, s2: null } } }, pending: [] },
    { watches: { [watch.id]: watch }, pending: [] }, // a bad remembered item costs that item only
  ],
  ['watches/shards/6', { watches: {}, pending: [] }, { watches: { 'w-0000cccc': { ...watch, kind: 'subs', customerId: undefined } }, pending: [] }, { watches: {}, pending: [] }],
  ['watches/shards/7', { watches: {}, pending: [] }, { watches: { 'w-0000dddd': watch }, pending: [] }, { watches: {}, pending: [] }], // filed under another id
  [`outbox/${watch.id}/s1/v`, outbox, { ...outbox, view: null, after: { title: SECRET } }, undefined],
  ['audit/ck', [entry], {}, undefined],
  ['audit/ck2', [entry, entry], [entry, { ...entry, by: { name: SECRET } }, 'x'], [entry]],
  ['tokens/t1/u1', { v: 1, iv: 'aa', tag: 'bb', data: 'cc' }, { v: 1, iv: SECRET }, undefined],
  ['signin/state/used-n1', { at: 1 }, { at: SECRET }, undefined], // a used sign-in ticket
  ['signin/codes/c1', { oid: 'u1', tid: 't1', at: 1 }, { oid: 'u1', tid: null, at: 1 }, undefined],
  ['signin/pending/t1/u1/conv', { work, at: 1 }, { work: { kind: 'command', text: 42 }, at: 1 }, undefined],
  ['dedupe/card-1', { state: 'done', at: 1, result: { anything: [SECRET] } }, { state: 'done', result: SECRET }, undefined],
];

describe('every kind of stored record is read through its schema', () => {
  it.each(CASES)('%s: as written it reads back as it is; of the wrong shape it is set aside once', async (key, good, bad, salvaged) => {
    const seen: Array<{ key: string; reason: string }> = [];
    const state = new MemoryStateStore({ onCorrupt: (i) => seen.push(i) });
    const kv = new KeyValueStore(state);
    await kv.put(key, good);
    expect((await kv.get(key))?.value).toEqual(good);
    expect((await kv.getMany([key])).get(key)?.value).toEqual(good);
    expect(seen).toEqual([]);

    await state.storage.write({ [key]: { value: bad } });
    expect((await kv.getMany([key, 'custom/other'])).get(key)?.value).toEqual(salvaged);
    expect((await kv.get(key))?.value).toEqual(salvaged);
    expect(seen).toEqual([{ key, movedTo: expect.any(String), reason: expect.any(String) }]);
    expect(seen[0]!.reason).not.toContain(SECRET);
    expect(state.setAsideRecords).toEqual([{ key, text: expect.stringContaining(JSON.stringify(bad)), reason: seen[0]!.reason }]);
    // The feature carries on: a read-modify-write starts from what was kept, or afresh.
    expect(await kv.update(key, () => good)).toEqual(good);
    expect((await kv.get(key))?.value).toEqual(good);
  });

  it('every kind the bot writes has a schema: the retained kinds, and the keys of watches, leases, tokens, outbox and audit', () => {
    const keys = [...RETENTION.map((r) => `${r.prefix}x`), ...CASES.map(([key]) => key), shardKey(0), cacheKey('t', 'u'), 'leases/instances'];
    expect(keys.filter((k) => !kindOf(k))).toEqual([]);
  });

  it('an envelope of the wrong shape (no value, a text expiry) is set aside; a key that is not the bot\'s is read as it is', async () => {
    const state = new MemoryStateStore();
    const kv = new KeyValueStore(state);
    await state.storage.write({ 'leases/shards/1': {}, 'welcome/c': { value: { at: 1 }, expiresAt: 'soon' }, 'custom/x': { value: 'anything' } });
    expect(await kv.get('leases/shards/1')).toBeUndefined();
    expect(await kv.createIfAbsent('welcome/c', { at: 2 })).toBe(true);
    expect((await kv.get('custom/x'))?.value).toBe('anything');
    expect(state.setAsideRecords.map((r) => [r.key, r.reason])).toEqual([
      ['leases/shards/1', 'value: missing'],
      ['welcome/c', 'expiresAt: not a time'],
    ]);
  });
});
