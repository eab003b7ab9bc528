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
 * - Key naming is BlobsStorage's: keys that differ only by repeated, leading or trailing '/' ('a//b',
 *   'a/b/') name the same blob, and keys longer than 1024 characters once URL-encoded are truncated.
 */
import { ContainerClient } from '@azure/storage-blob';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { sanitizeBlobKey } from 'botbuilder-azure-blobs/lib/sanitizeBlobKey';
import type { StateStore } from './index';

/** Bound on each readiness probe request (GET /readyz must answer). */
const PING_TIMEOUT_MS = 5_000;

function statusOf(e: unknown): number | undefined {
  return (e as { statusCode?: number } | undefined)?.statusCode;
}

export class BlobStateStore implements StateStore {
  readonly storage: BlobsStorage;
  private readonly container: ContainerClient;
  private ready?: Promise<unknown>;

  constructor(connectionString: string, containerName: string) {
    this.storage = new BlobsStorage(connectionString, containerName);
    this.container = new ContainerClient(connectionString, containerName);
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
