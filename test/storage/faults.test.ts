/**
 * State faults, for real: start-up against a bad DATA_DIR (read-only, a file, full, uncreatable) or an
 * unreachable Blob endpoint, in a real bot process; corrupt blobs moved aside on Azurite; write-once
 * records that expire and are swept on memory, files and Azurite; 200 sign-in page starts swept.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContainerClient } from '@azure/storage-blob';
import { BlobStateStore } from '../../src/storage/blob';
import { FileStateStore } from '../../src/storage/file';
import { KeyValueStore, MemoryStateStore, type StateStore } from '../../src/storage/index';
import { RETENTION } from '../../src/storage/retention';
import { Sweeper } from '../../src/storage/sweeper';
import type { Clock } from '../../src/util/clock';
import { startAzurite, type Azurite } from '../support/azurite';
import { FakeClock } from '../support/fake-clock';
import { startTestBot } from '../support/teams';

// Real bot processes started through tsx take seconds each, more on a loaded 2-core machine; some tests start two.
jest.setTimeout(90_000);

const ROOT = path.join(__dirname, '../..');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * A bot and app identity production accepts (BOT_ID, secrets long enough to derive keys from), so that the
 * production entry point gets as far as the storage check (no network is used before it).
 */
const APP_IDENTITY = {
  BOT_ID: '33333333-4444-4555-8666-777777777777',
  BOT_PASSWORD: 'not a secret, only long enough to derive keys from',
  AAD_APP_CLIENT_ID: '22222222-3333-4444-5555-666666666666',
  AAD_APP_CLIENT_SECRET: 'not a secret, only long enough to derive keys from',
  AAD_APP_TENANT_ID: 'contoso.onmicrosoft.com',
};

/** Runs the real (production) entry point (src/main.ts) with `env`; resolves with its exit code and stderr. */
function runBot(env: Record<string, string>, timeoutMs = 60_000, as?: { uid: number; gid: number }): Promise<{ code: number | null; stderr: string }> {
  const tsx = (f: string) => path.join(ROOT, 'node_modules/tsx/dist', f);
  const args = ['--require', tsx('preflight.cjs'), '--import', pathToFileURL(tsx('loader.mjs')).href, path.join(ROOT, 'src/main.ts')];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: as ? '/tmp' : (process.env.HOME ?? '/tmp'), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...APP_IDENTITY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(as ?? {}),
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the bot did not exit within ${timeoutMs} ms (it started?):\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** The unprivileged user a root test run starts the bot as. */
function nobody(): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', 'nobody']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'nobody']).toString().trim()) };
}

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describe('start-up refuses storage it cannot use, and says what to fix (real bot process)', () => {
  let root: string;
  const mounts: string[] = [];
  const mountable = canMount();
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'state-faults-'));
  });
  afterAll(() => {
    for (const m of mounts.reverse()) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  });

  /** A tmpfs of `size` at a fresh directory, with mount options. */
  function tmpfs(name: string, options: string): string {
    const dir = path.join(root, name);
    mkdirSync(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  }

  it('DATA_DIR is a file', async () => {
    const file = path.join(root, 'state-file');
    writeFileSync(file, 'not a directory');
    const r = await runBot({ DATA_DIR: file });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Partner Ops failed to start: State storage: DATA_DIR ${file} is a file, not a directory`);
    expect(r.stderr).toMatch(/Move that file away, or set DATA_DIR to a directory/);
  });

  (mountable ? it : it.skip)('DATA_DIR on a read-only filesystem, existing or still to be created', async () => {
    const ro = tmpfs('ro', 'ro,size=64k');
    const r = await runBot({ DATA_DIR: ro });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`State storage: DATA_DIR ${ro} is on a read-only filesystem (EROFS`);
    expect(r.stderr).toMatch(/Mount a writable volume there, or set DATA_DIR to a writable directory/);
    // Missing, and cannot be created there.
    const missing = path.join(ro, 'missing', 'state');
    const m = await runBot({ DATA_DIR: missing });
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`State storage: DATA_DIR ${missing} does not exist and cannot be created (ENOENT on ${path.join(ro, 'missing')})`);
  });

  (mountable ? it : it.skip)('DATA_DIR on a full filesystem (a 64 KiB tmpfs filled to the last block)', async () => {
    const full = tmpfs('full', 'size=64k');
    mkdirSync(path.join(full, 'state'));
    // Fill it: write until the filesystem says ENOSPC.
    try {
      writeFileSync(path.join(full, 'filler'), Buffer.alloc(1024 * 1024));
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const dir = path.join(full, 'state');
    const r = await runBot({ DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`State storage: DATA_DIR ${dir} is full (ENOSPC`);
    expect(r.stderr).toMatch(/Free space on that volume/);
    expect(readdirSync(dir)).toEqual([]); // no half-written probe left behind
  });

  it('DATA_DIR not writable by the bot user (as root, the bot runs as nobody: root ignores modes)', async () => {
    const dir = path.join(root, 'locked');
    mkdirSync(dir, { mode: 0o555 });
    chmodSync(dir, 0o555);
    chmodSync(root, 0o755); // the other user may reach it, not write in it
    const asRoot = process.getuid?.() === 0;
    const r = await runBot({ DATA_DIR: dir }, 60_000, asRoot ? nobody() : undefined);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`DATA_DIR ${dir} is not writable by this process`);
  });

  it('Blob storage unreachable: exits at start (no endless retry), naming the setting', async () => {
    const cs = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;';
    const r = await runBot({ AZURE_STORAGE_CONNECTION_STRING: cs, AZURE_STORAGE_CONTAINER: 'partner-ops' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('State storage: Azure Blob container "partner-ops" at http://127.0.0.1:9 is unreachable');
    expect(r.stderr).toMatch(/Start the storage service \(or Azurite\), or fix the endpoint in AZURE_STORAGE_CONNECTION_STRING/);
    expect(r.stderr).not.toContain('AccountKey'); // the secret is never echoed
  });
});

/** An outbox entry as the notifier writes it. */
const OUTBOX_ENTRY = { watchId: 'w-1', itemId: 'item', after: { status: 'open', count: 0, title: 't' }, view: { kind: 'service-request', id: 'item' }, at: 0, state: 'pending' };

/** Expiry and sweep, the same on every store. */
function expiryContract(make: () => StateStore | Promise<StateStore>) {
  it('write-once records expire: read as absent, re-creatable, swept; other records kept', async () => {
    const clock = new FakeClock();
    const state = await make();
    const kv = new KeyValueStore(state, clock);
    // Every write-once kind has a retention.
    for (const prefix of ['dedupe/', 'welcome/', 'outbox/', 'signin/state/', 'signin/codes/', 'signin/pending/', 'signin/exchanges/'])
      expect(RETENTION.some((r) => r.prefix === prefix)).toBe(true);

    // Records of the shapes the product writes (every read is checked against its kind's schema).
    expect(await kv.createIfAbsent('dedupe/card-1', { state: 'pending', at: 0 })).toBe(true);
    await kv.put('dedupe/card-1', { state: 'done', at: 0, result: 'ok' }, (await kv.get('dedupe/card-1'))!.eTag);
    expect(await kv.createIfAbsent('dedupe/card-2', { state: 'pending', at: 0 })).toBe(true);
    expect(await kv.createIfAbsent('welcome/conv-1', { at: 1 })).toBe(true);
    expect(await kv.createIfAbsent('outbox/w-1/item/v1', OUTBOX_ENTRY)).toBe(true);
    expect(await kv.createIfAbsent('custom/short', { x: 1 }, { ttlMs: 1_000 })).toBe(true);
    await kv.put('watches/shards/0', { watches: {}, pending: [] }); // not write-once: never expires
    expect(await kv.createIfAbsent('dedupe/card-1', { state: 'pending', at: 0 })).toBe(false);

    clock.advance(8 * DAY); // past dedupe (7 d), short of outbox (30 d) and welcome (365 d)
    expect(await kv.get('dedupe/card-1')).toBeUndefined();
    expect(await kv.get('custom/short')).toBeUndefined();
    expect((await kv.getMany(['dedupe/card-2', 'outbox/w-1/item/v1'])).size).toBe(1);
    expect(await kv.createIfAbsent('dedupe/card-1', { state: 'pending', at: 2 })).toBe(true); // replaces the expired record
    expect((await kv.get<{ at: number }>('dedupe/card-1'))?.value.at).toBe(2);
    expect(await kv.update<number>('custom/short', (n) => (n ?? 0) + 1)).toBe(1); // an expired record starts afresh

    expect(await kv.sweep('dedupe/')).toBe(1); // card-2; card-1 was re-created
    expect(await kv.sweep('outbox/')).toBe(0);
    expect((await state.list('dedupe/')).sort()).toEqual(['dedupe/card-1']);

    clock.advance(400 * DAY);
    const sweeper = new Sweeper(kv, clock, { info: () => undefined, warn: () => undefined });
    expect(await sweeper.sweepOnce()).toMatchObject({ 'dedupe/': 1, 'welcome/': 1, 'outbox/': 1 });
    expect(await state.list('dedupe/')).toEqual([]);
    expect(await state.list('welcome/')).toEqual([]);
    expect(await state.list('outbox/')).toEqual([]);
    expect(await kv.get('watches/shards/0')).toBeDefined();
  });

  it('the sweeper runs on its clock, and stops', async () => {
    const state = await make();
    const fake = new FakeClock();
    const kv = new KeyValueStore(state, fake);
    let wake: (() => void) | undefined;
    // A clock whose sleep ends when the test says so (then time has moved a day).
    const clock: Clock = {
      now: fake.now,
      sleep: (_ms, signal) =>
        new Promise<void>((resolve, reject) => {
          wake = () => {
            fake.advance(DAY);
            resolve();
          };
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    };
    const ticket = { oid: 'o', tid: 't', name: 'n', locale: 'en-US' };
    for (let i = 0; i < 5; i++) await kv.createIfAbsent(`signin/state/s${i}`, { ticket, verifier: 'v', at: i });
    const logs: object[] = [];
    const sweeper = new Sweeper(kv, clock, { info: (o) => logs.push(o), warn: (o) => logs.push(o) }, HOUR);
    sweeper.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(await state.list('signin/state/')).toHaveLength(5);
    wake!();
    for (let i = 0; i < 1000 && logs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await state.list('signin/state/')).toEqual([]);
    expect(logs).toContainEqual({ deleted: expect.objectContaining({ 'signin/state/': 5 }) });
    await sweeper.stop(); // resolves: the pending sleep is aborted
  });
}

describe('expiry and sweep: memory', () => {
  expiryContract(() => new MemoryStateStore());
});

describe('expiry and sweep: files', () => {
  let root: string;
  let n = 0;
  beforeAll(() => (root = mkdtempSync(path.join(os.tmpdir(), 'state-expiry-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  expiryContract(() => new FileStateStore(path.join(root, `s${++n}`)));

  it('200 sign-in page starts with one ticket store nothing (the round trip is signed, not stored)', async () => {
    const dir = path.join(root, 'bot');
    const state = new FileStateStore(dir);
    const bot = await startTestBot({}, { state, sandboxSso: false });
    try {
      // A ticket, as the OAuthCard's sign-in button carries it.
      await bot.say('sr list');
      const call = bot.take().find((c) => c.activity.attachments?.length)!; // not the typing indicator
      const card = (call.activity.attachments as unknown as Array<{ content: { buttons: Array<{ value: string }> } }>)[0]!.content;
      const url = card.buttons[0]!.value;
      for (let i = 0; i < 200; i++) {
        const r = await fetch(url, { redirect: 'manual' });
        expect(r.status).toBe(302);
      }
      expect(await state.list('signin/')).toEqual(expect.not.arrayContaining([expect.stringMatching(/^signin\/(state|codes)\//)]));
    } finally {
      await bot.close();
    }
  });
});

describe('expiry, sweep and corrupt blobs: Azurite', () => {
  let azurite: Azurite;
  let n = 0;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  const container = () => `expiry${++n}-${Math.random().toString(36).slice(2, 8)}`;
  expiryContract(() => new BlobStateStore(azurite.connectionString, container()));

  it('a blob that does not parse is copied aside, reported once, and the key starts afresh', async () => {
    const name = container();
    const seen: Array<{ key: string; movedTo: string }> = [];
    const state = new BlobStateStore(azurite.connectionString, name, { onCorrupt: (i) => seen.push(i) });
    const kv = new KeyValueStore(state);
    await kv.put('audit/conv-1', ['a', 'b']);
    await kv.put('watches/shards/3', { watches: {}, pending: [] });
    const c = new ContainerClient(azurite.connectionString, name);
    const truncated = '{"value":["a",';
    await c.getBlockBlobClient(encodeURIComponent('audit/conv-1')).upload(truncated, truncated.length);

    expect((await kv.getMany(['audit/conv-1', 'watches/shards/3'])).size).toBe(1); // the other key still reads
    expect(await kv.get('audit/conv-1')).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.movedTo).toMatch(/^corrupt\/.+\/audit%2Fconv-1$/);
    expect((await c.getBlobClient(seen[0]!.movedTo).downloadToBuffer()).toString()).toBe(truncated);
    expect(await kv.update<string[]>('audit/conv-1', (x) => [...(x ?? []), 'c'])).toEqual(['c']);
    expect(await state.list('audit/')).toEqual(['audit/conv-1']);
  });
});
