/**
 * State on the local disk: one JSON file per key under a directory. The default for a single bot instance:
 * it survives restarts and needs no service.
 *
 * - File names: a readable prefix of the key plus the SHA-256 of the key, so any key (slashes, colons,
 *   unicode, hundreds of characters) maps to one short, filesystem-safe name, distinct even on
 *   case-insensitive filesystems. The key itself is stored in the file and checked on read.
 * - Writes are atomic: the content goes to a temp file in the same directory, is fsynced, then renamed over
 *   the target. A reader sees the old item or the new one, never half of one.
 * - ETags are random strings stored in the file, new on every write. A write carrying an eTag other than
 *   '*' succeeds only when it equals the stored one (or the key is absent, as with botbuilder's
 *   MemoryStorage); otherwise it throws botbuilder's "eTag conflict" error.
 * - Check-and-write runs under a per-key lock, shared by every FileStateStore of this process on the same
 *   directory. Another process on the same directory is NOT covered for conditional writes: run one
 *   instance per directory (use Azure Blob storage to run several).
 * - createIfAbsent is atomic across processes too: the item is written to a temp file and hard-linked to
 *   its name, which fails when the name exists (on filesystems without hard links: an exclusive 'wx' create).
 * - A file that is not a valid state file (hand-edited, truncated, written by a disk that lied) is moved
 *   aside, renamed `<name>.corrupt-<time>` in the same directory (kept for inspection, never read again),
 *   reported once through `onCorrupt`, and the key reads as absent: the feature carries on with a fresh
 *   record and nobody has to delete a file by hand.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { Storage, StoreItems } from 'botbuilder';
import { asideName, code, exists, newETag, renameWithRetry, StateFileCorruptError, stateFileName, validate, withLock, type StateFile } from './file-format';
import type { StateStore } from './index';

export { StateFileCorruptError, stateFileName } from './file-format';

/** Told once per corrupt file, after it was moved aside to `movedTo`. */
export type CorruptHandler = (info: { key: string; file: string; movedTo: string; reason: string }) => void;

const TEMP_PREFIX = '.tmp-';
const PROBE_PREFIX = '.ping-';
/** Temp and probe files older than this, found when the store starts, were left by a crash. */
const STALE_TEMP_MS = 60_000;
/** link(2) unsupported by the filesystem (SMB/Azure Files, some FUSE mounts): fall back to an exclusive create. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/** botbuilder `Storage` over a directory, plus the create-if-absent and probe a StateStore needs. */
export class FileStorage implements Storage {
  readonly dir: string;
  private ready?: Promise<void>;

  constructor(
    dir: string,
    private readonly onCorrupt: CorruptHandler = () => undefined,
  ) {
    this.dir = path.resolve(dir);
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when reading.');
    await this.init();
    const out: StoreItems = {};
    await Promise.all(
      [...new Set(keys)].map(async (key) => {
        const file = await this.locked(key, () => this.load(key));
        if (file) out[key] = { ...file.value, eTag: file.eTag };
      }),
    );
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes || typeof changes !== 'object') throw new ReferenceError('Changes are required when writing.');
    await this.init();
    await Promise.all(
      Object.entries(changes).map(([key, item]) =>
        this.locked(key, async () => {
          const { eTag, ...value } = (item ?? {}) as Record<string, unknown>;
          if (eTag && eTag !== '*') {
            const current = await this.load(key);
            if (current && current.eTag !== eTag) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
          }
          await this.replace(key, value);
        }),
      ),
    );
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when deleting.');
    await this.init();
    await Promise.all(
      [...new Set(keys)].map((key) =>
        this.locked(key, async () => {
          await fs.unlink(this.pathOf(key)).catch((e: unknown) => {
            if (code(e) !== 'ENOENT') throw e;
          });
        }),
      ),
    );
  }

  /** Writes the item only if the key has no file; true when this call created it. Atomic across processes. */
  async createIfAbsent(key: string, value: object): Promise<boolean> {
    await this.init();
    const { eTag: _ignored, ...body } = value as Record<string, unknown>;
    return this.locked(key, async () => {
      const target = this.pathOf(key);
      // A corrupt file there is moved aside by load(): the key is then free.
      if ((await exists(target)) && (await this.load(key))) return false;
      const data = this.serialize(key, body);
      const temp = await this.writeTemp(data);
      try {
        await fs.link(temp, target);
        return true;
      } catch (e) {
        if (code(e) === 'EEXIST') return false;
        if (!NO_HARD_LINKS.has(code(e) ?? '')) throw e;
      } finally {
        await fs.unlink(temp).catch(() => undefined);
      }
      // No hard links here: exclusive create, then write in place (a reader in another process may briefly
      // see a partial file and get a StateFileCorruptError; readers in this process wait on the key's lock).
      let handle: FileHandle;
      try {
        handle = await fs.open(target, 'wx', 0o600);
      } catch (e) {
        if (code(e) === 'EEXIST') return false;
        throw e;
      }
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.syncDir();
      return true;
    });
  }

  /** Deletes the key only if its stored eTag is still `eTag` (a sweep must not delete a record rewritten meanwhile). */
  async deleteIfMatch(key: string, eTag: string): Promise<boolean> {
    await this.init();
    return this.locked(key, async () => {
      const current = await this.load(key);
      if (!current || current.eTag !== eTag) return false;
      await fs.unlink(this.pathOf(key)).catch((e: unknown) => {
        if (code(e) !== 'ENOENT') throw e;
      });
      return true;
    });
  }

  /**
   * A record of the wrong shape (see StateStore.setAside): copied to `<name>.corrupt-<time>` and replaced, or
   * moved there, while its eTag is still `eTag`; reported once.
   */
  async setAside(key: string, eTag: string, reason: string, replacement?: Record<string, unknown>): Promise<boolean> {
    await this.init();
    return this.locked(key, async () => {
      const current = await this.load(key);
      if (!current || current.eTag !== eTag) return false;
      const file = this.pathOf(key);
      if (!replacement) return this.moveAside(key, file, reason);
      const movedTo = asideName(file);
      await fs.copyFile(file, movedTo, fs.constants.COPYFILE_EXCL);
      await this.replace(key, replacement);
      this.onCorrupt({ key, file, movedTo, reason });
      return true;
    });
  }

  /** The keys starting with `prefix` (read from the files: names carry only a readable prefix of the key). */
  async list(prefix: string): Promise<string[]> {
    await this.init();
    const namePrefix = stateFileName(prefix).split('.')[0]!.replace(/_$/, '');
    const keys: string[] = [];
    for (const name of await fs.readdir(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith('.') || (namePrefix !== '_' && !name.startsWith(namePrefix))) continue;
      try {
        const f = JSON.parse(await fs.readFile(path.join(this.dir, name), 'utf8')) as Partial<StateFile>;
        if (typeof f.key === 'string' && f.key.startsWith(prefix) && name === stateFileName(f.key)) keys.push(f.key);
      } catch {
        // vanished meanwhile, or corrupt (moved aside when its key is next read)
      }
    }
    return keys;
  }

  /** Writes, reads back and deletes a probe file. */
  async ping(): Promise<void> {
    await this.init();
    const probe = path.join(this.dir, `${PROBE_PREFIX}${randomBytes(8).toString('hex')}`);
    const data = `ping ${Date.now()}`;
    try {
      // Written and fsynced like a state file, so a full disk fails here and not on the first real write.
      const handle = await fs.open(probe, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if ((await fs.readFile(probe, 'utf8')) !== data) throw new Error(`FileStateStore: probe file ${probe} read back differently`);
    } finally {
      await fs.unlink(probe).catch(() => undefined);
    }
  }

  private pathOf(key: string): string {
    return path.join(this.dir, stateFileName(key));
  }

  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.pathOf(key), fn);
  }

  /** Creates the directory (private to this user) and clears temp files a crash left behind. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      const now = Date.now();
      for (const name of await fs.readdir(this.dir)) {
        if (!name.startsWith(TEMP_PREFIX) && !name.startsWith(PROBE_PREFIX)) continue;
        const p = path.join(this.dir, name);
        const st = await fs.stat(p).catch(() => undefined);
        if (st && now - st.mtimeMs > STALE_TEMP_MS) await fs.unlink(p).catch(() => undefined);
      }
    })().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  private serialize(key: string, value: Record<string, unknown>): string {
    const file: StateFile = { key, eTag: newETag(), value };
    return JSON.stringify(file);
  }

  private async load(key: string): Promise<StateFile | undefined> {
    const p = this.pathOf(key);
    let text: string;
    try {
      text = await fs.readFile(p, 'utf8');
    } catch (e) {
      if (code(e) === 'ENOENT') return undefined;
      throw e;
    }
    try {
      return validate(p, key, text);
    } catch (e) {
      if (!(e instanceof StateFileCorruptError)) throw e;
      await this.moveAside(key, p, e.reason);
      return undefined;
    }
  }

  /** Renames a corrupt file out of the way (kept for inspection) and reports it; the key is then absent. */
  private async moveAside(key: string, file: string, reason: string): Promise<boolean> {
    const movedTo = asideName(file);
    try {
      await fs.rename(file, movedTo);
    } catch (e) {
      if (code(e) === 'ENOENT') return false; // another process moved or replaced it first
      throw e;
    }
    await this.syncDir();
    this.onCorrupt({ key, file, movedTo, reason });
    return true;
  }

  /** Atomic replace: temp file in the same directory, fsync, rename over the target, fsync the directory. */
  private async replace(key: string, value: Record<string, unknown>): Promise<void> {
    const temp = await this.writeTemp(this.serialize(key, value));
    try {
      await renameWithRetry(temp, this.pathOf(key));
    } catch (e) {
      await fs.unlink(temp).catch(() => undefined);
      throw e;
    }
    await this.syncDir();
  }

  private async writeTemp(data: string): Promise<string> {
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (e) {
      await handle.close().catch(() => undefined);
      await fs.unlink(temp).catch(() => undefined);
      throw e;
    }
    await handle.close();
    return temp;
  }

  /** Makes the rename durable (best effort: not possible on Windows). */
  private async syncDir(): Promise<void> {
    if (process.platform === 'win32') return;
    const handle = await fs.open(this.dir, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      await handle.sync();
    } catch {
      // some filesystems refuse fsync on a directory
    } finally {
      await handle.close();
    }
  }
}

/** A StateStore on the local disk (see the top of this file). */
export class FileStateStore implements StateStore {
  readonly storage: FileStorage;

  constructor(dir: string, options: { onCorrupt?: CorruptHandler } = {}) {
    this.storage = new FileStorage(dir, options.onCorrupt);
  }

  get dir(): string {
    return this.storage.dir;
  }

  /** Where this store keeps its state (start-up messages). */
  describe(): string {
    return `DATA_DIR ${this.dir}`;
  }

  createIfAbsent(key: string, value: object): Promise<boolean> {
    return this.storage.createIfAbsent(key, value);
  }

  list(prefix: string): Promise<string[]> {
    return this.storage.list(prefix);
  }

  deleteIfMatch(key: string, eTag: string): Promise<boolean> {
    return this.storage.deleteIfMatch(key, eTag);
  }

  setAside(key: string, eTag: string, reason: string, replacement?: object): Promise<boolean> {
    return this.storage.setAside(key, eTag, reason, replacement as Record<string, unknown> | undefined);
  }

  ping(): Promise<void> {
    return this.storage.ping();
  }
}
