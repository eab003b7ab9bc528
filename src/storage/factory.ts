import type { Config } from '../config';
import type * as Blob from './blob';
import { FileStateStore } from './file';
import type { StateStore } from './index';

export interface StoreLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Azure Blob storage when a connection string is configured (several instances can share it), else files
 * under DATA_DIR. A corrupt record, or one of the wrong shape (records.ts), is set aside by the store (kept
 * for inspection) and logged here, once, at warn: its key, where it went, and what is wrong by field and rule
 * (never its content).
 */
export function createStateStore(config: Pick<Config, 'storage'>, logger?: StoreLogger): StateStore {
  const { connectionString, container, dataDir } = config.storage;
  const onCorrupt = (info: { key: string; movedTo: string; reason: string }) =>
    logger?.warn({ key: info.key, movedTo: info.movedTo, reason: info.reason }, 'state record set aside (corrupt or of the wrong shape); the feature carries on without it');
  if (!connectionString) return new FileStateStore(dataDir, { onCorrupt });
  // Azure's storage SDK (a few hundred modules) is loaded only when blob storage is configured.
  const { BlobStateStore } = require('./blob') as typeof Blob;
  return new BlobStateStore(connectionString, container, { onCorrupt });
}
