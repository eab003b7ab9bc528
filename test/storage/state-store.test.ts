/**
 * One contract for every StateStore (memory, file, Azure Blob on Azurite), plus what is specific to each:
 * restarts and leftovers for files, two bot instances on one container for blobs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ContainerClient } from '@azure/storage-blob';
import * as ts from 'typescript';
import { BlobStateStore } from '../../src/storage/blob';
import { createStateStore } from '../../src/storage/factory';
import { FileStateStore, stateFileName } from '../../src/storage/file';
import { isETagConflict, KeyValueStore, MemoryStateStore, type StateStore } from '../../src/storage/index';
import { startAzurite, type Azurite } from '../support/azurite';

const CONFLICT = /eTag conflict/;

const ODD_KEYS = [
  // A dedupe key's shape, under a prefix that is no product kind (the test's values are not dedupe records).
  'test/19:abc@thread.tacv2/1700000000000',
  'a/b/c',
  'colon:separated:key',
  'with spaces  and\ttab',
  'unicodé ✓ 日本語 🚀',
  'percent %41 and ?query=1&x#frag',
  `long:${'k'.repeat(295)}`,
];

async function settle<T>(p: Promise<T>): Promise<unknown> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e;
  }
}

/** The contract every StateStore keeps. `fresh` gives an empty, isolated store. */
function stateStoreContract(fresh: () => StateStore): void {
  it('reads, writes and deletes; read returns only found items, each with an eTag', async () => {
    const s = fresh();
    expect(await s.storage.read(['a', 'b'])).toEqual({});
    await s.storage.write({ a: { n: 1, name: 'Müller' }, b: { n: 2 } });
    const got = await s.storage.read(['a', 'b', 'missing']);
    expect(Object.keys(got).sort()).toEqual(['a', 'b']);
    expect(got.a).toMatchObject({ n: 1, name: 'Müller' });
    expect(got.b).toMatchObject({ n: 2 });
    expect(typeof got.a.eTag).toBe('string');
    expect(got.a.eTag).not.toBe('*');
    await s.storage.delete(['a', 'missing']);
    expect(await s.storage.read(['a', 'b'])).toEqual({ b: expect.objectContaining({ n: 2 }) });
  });

  it('gives a new eTag on every write', async () => {
    const s = fresh();
    await s.storage.write({ k: { n: 1 } });
    const e1 = (await s.storage.read(['k'])).k.eTag;
    await s.storage.write({ k: { n: 1 } });
    const e2 = (await s.storage.read(['k'])).k.eTag;
    expect(e2).not.toBe(e1);
  });

  it('writes with the current eTag and rejects a stale one with an eTag conflict', async () => {
    const s = fresh();
    await s.storage.write({ k: { n: 1 } });
    const first = (await s.storage.read(['k'])).k;
    await s.storage.write({ k: { n: 2, eTag: first.eTag } });
    const second = (await s.storage.read(['k'])).k;
    expect(second).toMatchObject({ n: 2 });

    const err = await settle(s.storage.write({ k: { n: 3, eTag: first.eTag } }));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(CONFLICT);
    expect(isETagConflict(err)).toBe(true);
    expect((await s.storage.read(['k'])).k).toMatchObject({ n: 2, eTag: second.eTag });
  });

  it("overwrites unconditionally with eTag '*' or no eTag", async () => {
    const s = fresh();
    await s.storage.write({ k: { n: 1 } });
    await s.storage.write({ k: { n: 2, eTag: '*' } });
    expect((await s.storage.read(['k'])).k).toMatchObject({ n: 2 });
    await s.storage.write({ k: { n: 3 } });
    expect((await s.storage.read(['k'])).k).toMatchObject({ n: 3 });
  });

  it('createIfAbsent is true once, then false, and keeps the first value', async () => {
    const s = fresh();
    expect(await s.createIfAbsent('once', { by: 'first' })).toBe(true);
    expect(await s.createIfAbsent('once', { by: 'second' })).toBe(false);
    expect((await s.storage.read(['once'])).once).toMatchObject({ by: 'first' });
    await s.storage.write({ other: { by: 'write' } });
    expect(await s.createIfAbsent('other', { by: 'create' })).toBe(false);
    await s.storage.delete(['once']);
    expect(await s.createIfAbsent('once', { by: 'third' })).toBe(true);
  });

  it('createIfAbsent is atomic: of 20 concurrent calls exactly one wins', async () => {
    const s = fresh();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.createIfAbsent('race', { by: i })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await s.storage.read(['race'])).race).toMatchObject({ by: winner });
  });

  it('an item made by createIfAbsent reads back and updates with its eTag (KeyValueStore)', async () => {
    const kv = new KeyValueStore(fresh());
    expect(await kv.createIfAbsent('claim', { owner: 'a' })).toBe(true);
    const got = await kv.get<{ owner: string }>('claim');
    expect(got?.value).toEqual({ owner: 'a' });
    await kv.put('claim', { owner: 'b' }, got!.eTag);
    expect((await kv.get('claim'))?.value).toEqual({ owner: 'b' });
    const stale = await settle(kv.put('claim', { owner: 'c' }, got!.eTag));
    expect(isETagConflict(stale)).toBe(true);
    expect(await kv.update<{ owner: string }>('claim', (cur) => ({ owner: `${cur?.owner}+d` }))).toEqual({ owner: 'b+d' });
    expect((await kv.get('claim'))?.value).toEqual({ owner: 'b+d' });
  });

  it('20 concurrent KeyValueStore.update increments end at exactly 20', async () => {
    const kv = new KeyValueStore(fresh());
    // Without backoff the last of n contenders can lose n - 1 times, hence 20 attempts.
    await Promise.all(Array.from({ length: 20 }, () => kv.update<number>('counter', (n) => (n ?? 0) + 1, 20)));
    expect((await kv.get<number>('counter'))?.value).toBe(20);
  });

  it("keeps keys with '/', ':', spaces, unicode and 300 characters apart", async () => {
    const s = fresh();
    expect(ODD_KEYS.at(-1)).toHaveLength(300);
    await s.storage.write(Object.fromEntries(ODD_KEYS.map((k, i) => [k, { i, k }])));
    const got = await s.storage.read(ODD_KEYS);
    expect(Object.keys(got).sort()).toEqual([...ODD_KEYS].sort());
    ODD_KEYS.forEach((k, i) => expect(got[k]).toMatchObject({ i, k }));
    for (const k of ODD_KEYS) expect(await s.createIfAbsent(k, { again: true })).toBe(false);
    const fresh2 = ODD_KEYS.map((k) => `${k}#2`);
    const kv = new KeyValueStore(s);
    for (const k of fresh2) expect(await kv.createIfAbsent(k, { k })).toBe(true);
    for (const k of fresh2) expect(await kv.update<{ k: string }>(k, (v) => ({ k: `${v?.k}!` }))).toEqual({ k: `${k}!` });
    await s.storage.delete(ODD_KEYS);
    expect(Object.keys(await s.storage.read([...ODD_KEYS, ...fresh2])).sort()).toEqual([...fresh2].sort());
  });

  it('pings', async () => {
    await expect(fresh().ping()).resolves.toBeUndefined();
  });
}

describe('MemoryStateStore', () => {
  stateStoreContract(() => new MemoryStateStore());

  it('KeyValueStore.createIfAbsent that loses a race to a delete tries again, and creates the record', async () => {
    // Another instance's record is there when this one tries to create, and deleted (a sweep, say) before
    // this one can read it: what it saw no longer exists, so it tries again rather than report "exists".
    class DeletedMeanwhile extends MemoryStateStore {
      raced = 0;
      override async createIfAbsent(key: string, value: object): Promise<boolean> {
        const created = await super.createIfAbsent(key, value);
        if (!created && this.raced++ === 0) await this.storage.delete([key]);
        return created;
      }
    }
    const state = new DeletedMeanwhile();
    const kv = new KeyValueStore(state);
    await kv.put('claim/1', 'other instance');
    expect(await kv.createIfAbsent('claim/1', 'this instance')).toBe(true);
    expect((await kv.get<string>('claim/1'))?.value).toBe('this instance');
    expect(state.raced).toBe(1);
  });
});

describe('FileStateStore', () => {
  let root: string;
  let n = 0;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'state-file-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A store in a directory that does not exist yet (created on first use). */
  const fresh = (): FileStateStore => {
    const dir = path.join(root, `s${++n}`, 'nested');
    return new FileStateStore(dir);
  };

  describe('contract', () => {
    stateStoreContract(fresh);
  });

  it('survives a restart: a new instance on the same directory sees the items and their eTags', async () => {
    const a = fresh();
    await a.storage.write({ k: { n: 1 } });
    expect(await a.createIfAbsent('c', { v: 'once' })).toBe(true);
    const before = await a.storage.read(['k', 'c']);

    const b = new FileStateStore(a.dir);
    const after = await b.storage.read(['k', 'c']);
    expect(after).toEqual(before);
    expect(await b.createIfAbsent('c', { v: 'twice' })).toBe(false);
    await b.storage.write({ k: { n: 2, eTag: before.k.eTag } });
    expect(isETagConflict(await settle(b.storage.write({ k: { n: 3, eTag: before.k.eTag } })))).toBe(true);
  });

  it('leaves only one JSON file per key: no temp files, no probe files', async () => {
    const s = fresh();
    const kv = new KeyValueStore(s);
    await Promise.all(Array.from({ length: 20 }, () => kv.update<number>('counter', (x) => (x ?? 0) + 1, 20)));
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.createIfAbsent('race', { i })));
    await s.storage.write(Object.fromEntries(ODD_KEYS.map((k) => [k, { k }])));
    await s.storage.write({ gone: { x: 1 } });
    await s.storage.delete(['gone']);
    await s.ping();
    await expect(settle(s.storage.write({ counter: { value: 0, eTag: 'stale' } }))).resolves.toBeInstanceOf(Error);

    const files = readdirSync(s.dir).sort();
    const expected = ['counter', 'race', ...ODD_KEYS].map(stateFileName).sort();
    expect(files).toEqual(expected);
    for (const f of files) expect(f.length).toBeLessThanOrEqual(160);
    const stored = JSON.parse(readFileSync(path.join(s.dir, stateFileName('counter')), 'utf8'));
    expect(stored).toEqual({ key: 'counter', eTag: expect.any(String), value: { value: 20 } });
  });

  it('shares its per-key locks with other instances on the same directory in this process', async () => {
    const a = fresh();
    const b = new FileStateStore(a.dir);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).createIfAbsent('race', { i })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const kvs = [new KeyValueStore(a), new KeyValueStore(b)];
    await Promise.all(Array.from({ length: 20 }, (_, i) => kvs[i % 2].update<number>('n', (x) => (x ?? 0) + 1, 20)));
    expect((await kvs[0].get<number>('n'))?.value).toBe(20);
  });

  it('createIfAbsent is atomic across processes on the same directory', async () => {
    const s = fresh();
    await s.ping(); // creates the directory
    // The store compiled on its own (at run time it imports node built-ins and the retry helper), laid out
    // as in src/, run by 4 processes at once.
    const dir = mkdtempSync(path.join(root, 'lib-'));
    for (const f of ['storage/file', 'storage/file-format', 'util/retry']) {
      const js = ts.transpileModule(readFileSync(path.join(__dirname, `../../src/${f}.ts`), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      mkdirSync(path.dirname(path.join(dir, `${f}.js`)), { recursive: true });
      writeFileSync(path.join(dir, `${f}.js`), js);
    }
    const lib = path.join(dir, 'storage/file.js');
    const script = `
      const { FileStateStore } = require(${JSON.stringify(lib)});
      const s = new FileStateStore(process.argv[1]);
      const keys = Array.from({ length: 25 }, (_, i) => 'k' + i);
      Promise.all(keys.map((k) => s.createIfAbsent(k, { pid: process.pid }))).then((r) => console.log(JSON.stringify(r)));`;
    const run = promisify(execFile);
    const outs = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['-e', script, s.dir])));
    const results = outs.map((o) => JSON.parse(o.stdout) as boolean[]);
    for (let k = 0; k < 25; k++) expect(results.filter((r) => r[k])).toHaveLength(1);
    const items = await s.storage.read(Array.from({ length: 25 }, (_, i) => `k${i}`));
    expect(Object.keys(items)).toHaveLength(25);
    expect(readdirSync(s.dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('moves a hand-broken or truncated file aside (kept, reported once) and carries on with a fresh record', async () => {
    const seen: Array<{ key: string; movedTo: string; reason: string }> = [];
    const s = new FileStateStore(path.join(root, `s${++n}`), { onCorrupt: (i) => seen.push(i) });
    const kv = new KeyValueStore(s);
    const file = path.join(s.dir, stateFileName('k'));
    const cases: Array<[string, RegExp]> = [
      ['{"key":"k","eTag":"x","value":{"n":1', /invalid JSON/],
      ['', /empty file/],
      [JSON.stringify({ key: 'someone else', eTag: 'x', value: {} }), /holds key "someone else"/],
      [JSON.stringify({ key: 'k', value: {} }), /no eTag/],
    ];
    for (const [i, [text, reason]] of cases.entries()) {
      await kv.put('k', { n: i });
      writeFileSync(file, text);
      seen.length = 0;
      // Read: absent; the file is kept under another name; reported once.
      expect(await kv.get('k')).toBeUndefined();
      expect(await kv.get('k')).toBeUndefined();
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ key: 'k', reason: expect.stringMatching(reason) });
      expect(readFileSync(seen[0]!.movedTo, 'utf8')).toBe(text);
      // The feature carries on: a read-modify-write starts from a fresh record.
      expect(await kv.update<number>('k', (x) => (x ?? 100) + 1)).toBe(101);
    }
    // A conditional write and createIfAbsent over a corrupt file work too.
    writeFileSync(file, '{"trunc');
    await s.storage.write({ k: { n: 2, eTag: 'stale-from-before' } });
    expect((await s.storage.read(['k'])).k).toMatchObject({ n: 2 });
    writeFileSync(file, '{"trunc');
    expect(await s.createIfAbsent('k', { n: 3 })).toBe(true);
    expect(readdirSync(s.dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(cases.length + 2);
    expect(await s.list('')).toEqual(['k']); // moved-aside files are never listed or read again
  });
});

describe('BlobStateStore (Azurite)', () => {
  let azurite: Azurite;
  let n = 0;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  const containerName = (): string => `t${++n}-${Math.random().toString(36).slice(2, 10)}`;

  describe('contract', () => {
    stateStoreContract(() => new BlobStateStore(azurite.connectionString, containerName()));
  });

  it('creates its container lazily (ping creates it)', async () => {
    const name = containerName();
    const s = new BlobStateStore(azurite.connectionString, name);
    const container = new ContainerClient(azurite.connectionString, name);
    expect(await container.exists()).toBe(false);
    await s.ping();
    expect(await container.exists()).toBe(true);
    const name2 = containerName();
    expect(await new BlobStateStore(azurite.connectionString, name2).createIfAbsent('k', { v: 1 })).toBe(true);
    expect(await new ContainerClient(azurite.connectionString, name2).exists()).toBe(true);
  });

  it('createIfAbsent writes the blob BlobsStorage would write (name, body, content type)', async () => {
    const name = containerName();
    const s = new BlobStateStore(azurite.connectionString, name);
    await s.storage.write({ 'via/write: ✓': { v: 1 } });
    expect(await s.createIfAbsent('via/create: ✓', { v: 1, eTag: 'ignored' })).toBe(true);
    const container = new ContainerClient(azurite.connectionString, name);
    const blobs: { name: string; type?: string; body: string }[] = [];
    for await (const b of container.listBlobsFlat()) {
      const body = (await container.getBlobClient(b.name).downloadToBuffer()).toString('utf8');
      blobs.push({ name: b.name, type: b.properties.contentType, body });
    }
    expect(blobs.sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: encodeURIComponent('via/create: ✓'), type: 'application/json', body: '{"v":1}' },
      { name: encodeURIComponent('via/write: ✓'), type: 'application/json', body: '{"v":1}' },
    ]);
  });

  it('two instances on one container (two bot instances) see each other\'s writes and conflicts', async () => {
    const name = containerName();
    const a = new BlobStateStore(azurite.connectionString, name);
    const b = new BlobStateStore(azurite.connectionString, name);

    await a.storage.write({ k: { by: 'a' } });
    const seenByB = (await b.storage.read(['k'])).k;
    expect(seenByB).toMatchObject({ by: 'a' });
    const seenByA = (await a.storage.read(['k'])).k;
    expect(seenByA.eTag).toBe(seenByB.eTag);

    await b.storage.write({ k: { by: 'b', eTag: seenByB.eTag } });
    expect((await a.storage.read(['k'])).k).toMatchObject({ by: 'b' });
    expect((await settle(a.storage.write({ k: { by: 'a again', eTag: seenByA.eTag } })) as Error).message).toMatch(CONFLICT);

    expect(await b.createIfAbsent('claim', { by: 'b' })).toBe(true);
    expect(await a.createIfAbsent('claim', { by: 'a' })).toBe(false);
    const both = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).createIfAbsent('race', { i })));
    expect(both.filter(Boolean)).toHaveLength(1);

    const kvs = [new KeyValueStore(a), new KeyValueStore(b)];
    await Promise.all(Array.from({ length: 20 }, (_, i) => kvs[i % 2].update<number>('counter', (x) => (x ?? 0) + 1, 20)));
    expect((await kvs[1].get<number>('counter'))?.value).toBe(20);

    await a.storage.delete(['k']);
    expect(await b.storage.read(['k'])).toEqual({});
  });
});

describe('createStateStore', () => {
  it('uses Azure Blob storage when a connection string is set, else files under the data directory', () => {
    const blob = createStateStore({ storage: { connectionString: 'UseDevelopmentStorage=true', container: 'partner-ops', dataDir: '.data' } });
    expect(blob).toBeInstanceOf(BlobStateStore);
    const file = createStateStore({ storage: { container: 'partner-ops', dataDir: 'some/dir' } });
    expect(file).toBeInstanceOf(FileStateStore);
    expect((file as FileStateStore).dir).toBe(path.resolve('some/dir'));
  });
});
