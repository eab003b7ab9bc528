/**
 * The start-up check: the state store must be readable and writable before the bot takes a single
 * request. When it is not, start-up fails with one message that says where the state is, what is wrong
 * and what to do about it (instead of starting, and failing each feature later).
 */
import type { StateStore } from './index';

export class StorageCheckError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'StorageCheckError';
  }
}

function codeOf(e: unknown): string | undefined {
  const x = e as { code?: unknown; statusCode?: unknown; name?: unknown } | undefined;
  if (typeof x?.code === 'string') return x.code;
  if (x?.name === 'AbortError' || x?.name === 'TimeoutError') return 'TIMEOUT';
  return undefined;
}

/** What to tell the operator, from the error the probe met. */
export function explainStorageError(where: string, e: unknown, blob: boolean): string {
  const code = codeOf(e);
  const path = (e as NodeJS.ErrnoException | undefined)?.path;
  const at = path ? ` (${code} on ${path})` : code ? ` (${code})` : '';
  if (blob) {
    const status = (e as { statusCode?: number } | undefined)?.statusCode;
    if (status === 403 || status === 401 || code === 'AuthorizationFailure' || code === 'AuthenticationFailed')
      return `State storage: ${where} refused the credentials${at}. Fix the account key or SAS in AZURE_STORAGE_CONNECTION_STRING.`;
    if (status !== undefined && status < 500)
      return `State storage: ${where} cannot be used (HTTP ${status}${code ? ` ${code}` : ''}). Check AZURE_STORAGE_CONTAINER (3-63 lowercase letters, digits and '-') and the account's permissions.`;
    return `State storage: ${where} is unreachable${at}. Start the storage service (or Azurite), or fix the endpoint in AZURE_STORAGE_CONNECTION_STRING.`;
  }
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `State storage: ${where} is not writable by this process (uid ${process.getuid?.() ?? '?'})${at}. Give the bot's user write access to it, or set DATA_DIR to a writable directory.`;
    case 'EROFS':
      return `State storage: ${where} is on a read-only filesystem${at}. Mount a writable volume there, or set DATA_DIR to a writable directory.`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `State storage: ${where} is a file, not a directory${at}. Move that file away, or set DATA_DIR to a directory.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `State storage: ${where} is full${at}: no space left to write state. Free space on that volume (or raise the quota), or set DATA_DIR to a volume with space.`;
    case 'ENOENT':
      return `State storage: ${where} does not exist and cannot be created${at}. Create it, or set DATA_DIR to an existing writable directory.`;
    default:
      return `State storage: ${where} cannot be read and written${at}: ${e instanceof Error ? e.message : String(e)}. Check DATA_DIR.`;
  }
}

/** Resolves when the store answers a write, read back and delete; else throws a StorageCheckError. */
export async function checkStateStore(state: StateStore, options: { blob: boolean }): Promise<void> {
  try {
    await state.ping();
  } catch (e) {
    throw new StorageCheckError(explainStorageError(state.describe?.() ?? 'the state store', e, options.blob), e);
  }
}
