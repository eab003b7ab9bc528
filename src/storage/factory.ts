import type { Config } from '../config';
import { BlobStateStore } from './blob';
import { FileStateStore } from './file';
import type { StateStore } from './index';

/** Azure Blob storage when a connection string is configured (several instances can share it), else files under DATA_DIR. */
export function createStateStore(config: Pick<Config, 'storage'>): StateStore {
  const { connectionString, container, dataDir } = config.storage;
  return connectionString ? new BlobStateStore(connectionString, container) : new FileStateStore(dataDir);
}
