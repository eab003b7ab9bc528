/**
 * State in an Azure Blob Storage container: what several bot instances share.
 *
 * - `storage` is botbuilder-azure-blobs' BlobsStorage: one JSON blob per key (named by its
 *   `sanitizeBlobKey`), the blob's ETag as the item's eTag, `If-Match` on writes with an eTag other than
 *   '*', and HTTP 412 rethrown as botbuilder's "eTag conflict" error.
 * - BlobsStorage cannot create-if-absent (If-Match on a missing blob is a 412 too), so createIfAbsent
 *   uploads directly with `If-None-Match: *`, the same blob name, body and content type BlobsStorage would
 *   write: the item is then readable through BlobsStorage and writable with the eTag it reads. The storage
 *   service makes the upload atomic; 409 (BlobAlreadyExists) or 412 means it was there already.
 * - A blob that is not valid JSON (truncated upload, hand edit) is moved aside: copied to
 *   `corrupt/<time>/<name>` (kept for inspection), then deleted if still unchanged, reported once through
 *   `onCorrupt`, and the key reads as absent, so the feature carries on with a fresh record.
 * - Key naming is BlobsStorage's: keys that differ only by repeated, leading or trailing '/' ('a//b',
 *   'a/b/') name the same blob, and keys longer than 1024 characters once URL-encoded are truncated.
 */
import { ContainerClient } from '@azure/storage-blob';
import type { Storage, StoreItems } from 'botbuilder';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { sanitizeBlobKey } from 'botbuilder-azure-blobs/lib/sanitizeBlobKey';
import { isETagConflict, type StateStore } from './index';

export type BlobCorruptHandler = (info: { key: string; blob: string; movedTo: string; reason: string }) => void;

/** JSON.parse's error (by name: it may come from another realm than this module's SyntaxError). */
function isParseError(e: unknown): e is Error {
  return typeof e === 'object' && e !== null && (e as Error).name === 'SyntaxError' && typeof (e as Error).message === 'string';
}

/** BlobsStorage, except that a blob that does not parse is moved aside and read as absent. */
class CheckedBlobsStorage implements Storage {
  constructor(
    private readonly inner: BlobsStorage,
    private readonly moveAside: (key: string, reason: string) => Promise<void>,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    try {
      return await this.inner.read(keys);
    } catch (e) {
      if (!isParseError(e)) throw e;
    }
    // One of them is corrupt: read them one by one to find it.
    const out: StoreItems = {};
    for (const key of new Set(keys)) {
      try {
        Object.assign(out, await this.inner.read([key]));
      } catch (e) {
        if (!isParseError(e)) throw e;
        await this.moveAside(key, `invalid JSON: ${e.message}`);
      }
    }
    return out;
  }

  write(changes: StoreItems): Promise<void> {
    return this.inner.write(changes);
  }

  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}

/** Bound on each readiness probe request (GET /readyz must answer). */
const PING_TIMEOUT_MS = 5_000;

function statusOf(e: unknown): number | undefined {
  return (e as { statusCode?: number } | undefined)?.statusCode;
}

export class BlobStateStore implements StateStore {
  readonly storage: Storage;
  private readonly inner: BlobsStorage;
  private readonly container: ContainerClient;
  private ready?: Promise<unknown>;

  constructor(
    connectionString: string,
    containerName: string,
    private readonly options: { onCorrupt?: BlobCorruptHandler } = {},
  ) {
    this.inner = new BlobsStorage(connectionString, containerName);
    this.storage = new CheckedBlobsStorage(this.inner, (key, reason) => this.moveAside(key, reason));
    this.container = new ContainerClient(connectionString, containerName);
  }

  describe(): string {
    return `Azure Blob container "${this.container.containerName}" at ${new URL(this.container.url).origin}`;
  }

  async list(prefix: string): Promise<string[]> {
    await this.ensureContainer();
    const keys: string[] = [];
    // Blob names are the URI-encoded keys: the encoded prefix selects them.
    for await (const b of this.container.listBlobsFlat({ prefix: encodeURIComponent(prefix) })) {
      const key = decodeURIComponent(b.name);
      if (key.startsWith(prefix)) keys.push(key);
    }
    return keys;
  }

  async deleteIfMatch(key: string, eTag: string): Promise<boolean> {
    try {
      await this.container.getBlobClient(sanitizeBlobKey(key)).delete({ conditions: { ifMatch: eTag } });
      return true;
    } catch (e) {
      if (statusOf(e) === 404 || statusOf(e) === 412) return false;
      throw e;
    }
  }

  /** Copies the blob's bytes to `corrupt/<time>/<name>`, then deletes it unless it changed meanwhile. */
  private async moveAside(key: string, reason: string): Promise<void> {
    const name = sanitizeBlobKey(key);
    const blob = this.container.getBlobClient(name);
    let bytes: Buffer;
    let etag: string | undefined;
    try {
      const props = await blob.getProperties();
      etag = props.etag;
      bytes = await blob.downloadToBuffer(0, undefined, { conditions: { ifMatch: etag } });
    } catch (e) {
      if (statusOf(e) === 404 || statusOf(e) === 412) return; // gone or replaced meanwhile
      throw e;
    }
    const movedTo = `corrupt/${new Date().toISOString()}/${name}`;
    await this.container.getBlockBlobClient(movedTo).upload(bytes, bytes.length);
    try {
      await blob.delete({ conditions: { ifMatch: etag } });
    } catch (e) {
      if (statusOf(e) === 404 || statusOf(e) === 412) return;
      throw e;
    }
    this.options.onCorrupt?.({ key, blob: name, movedTo, reason });
  }

  /**
   * A record of the wrong shape (see StateStore.setAside): its bytes copied to `corrupt/<time>/<name>`, then,
   * while its ETag is still `eTag`, replaced by `replacement` or deleted; reported once.
   */
  async setAside(key: string, eTag: string, reason: string, replacement?: object): Promise<boolean> {
    const name = sanitizeBlobKey(key);
    const blob = this.container.getBlobClient(name);
    let bytes: Buffer;
    try {
      bytes = await blob.downloadToBuffer(0, undefined, { conditions: { ifMatch: eTag } });
    } catch (e) {
      if (statusOf(e) === 404 || statusOf(e) === 412) return false; // gone or replaced meanwhile
      throw e;
    }
    const copy = this.container.getBlockBlobClient(`corrupt/${new Date().toISOString()}/${name}`);
    await copy.upload(bytes, bytes.length);
    try {
      if (replacement) await this.inner.write({ [key]: { ...replacement, eTag } });
      else await blob.delete({ conditions: { ifMatch: eTag } });
    } catch (e) {
      if (!isETagConflict(e) && statusOf(e) !== 404 && statusOf(e) !== 412) throw e;
      await copy.delete().catch(() => undefined); // someone else's write won: nothing was set aside
      return false;
    }
    this.options.onCorrupt?.({ key, blob: name, movedTo: copy.name, reason });
    return true;
  }

  async createIfAbsent(key: string, value: object): Promise<boolean> {
    // Exactly what BlobsStorage.write uploads: the item without its eTag, as JSON.
    const { eTag: _eTag, ...item } = value as Record<string, unknown>;
    const body = JSON.stringify(item);
    await this.ensureContainer();
    try {
      await this.container.getBlockBlobClient(sanitizeBlobKey(key)).upload(body, Buffer.byteLength(body), {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return true;
    } catch (e) {
      if (statusOf(e) === 409 || statusOf(e) === 412) return false;
      throw e;
    }
  }

  /** The container exists (created if not) and can be listed. */
  async ping(): Promise<void> {
    await this.container.createIfNotExists({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) });
    await this.container.listBlobsFlat({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) }).byPage({ maxPageSize: 1 }).next();
  }

  private ensureContainer(): Promise<unknown> {
    this.ready ??= this.container.createIfNotExists().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }
}
