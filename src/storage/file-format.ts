/**
 * The file store's format and filesystem helpers (file.ts): what a state file holds and how it is named,
 * the per-key locks of this process, and the checks a file must pass to be read.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { retry, type RetryRunner } from '../util/retry';

/** What a state file holds. */
export interface StateFile {
  key: string;
  eTag: string;
  value: Record<string, unknown>;
}

export class StateFileCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`State file ${file} for key "${key}" is not a valid state file (${reason}).`);
    this.name = 'StateFileCorruptError';
  }
}

/** Corrupt files are renamed `<file>.corrupt-<time>`: no longer `*.json`, so never read or listed again. */
export const CORRUPT_SUFFIX = '.corrupt-';

/** Per-key locks of this process, keyed by file path: two stores on one directory share them. */
const locks = new Map<string, Promise<void>>();

export function withLock<T>(lockKey: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(lockKey) ?? Promise.resolve();
  const run = prev.then(fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(lockKey, tail);
  void tail.then(() => {
    if (locks.get(lockKey) === tail) locks.delete(lockKey);
  });
  return run;
}

export function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

export function newETag(): string {
  return randomBytes(12).toString('base64url');
}

/** `<readable prefix>.<sha256 hex>.json`; the prefix never starts with a dot, so it never looks like a temp file. */
export function stateFileName(key: string): string {
  const prefix = key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64) || '_';
  return `${prefix}.${createHash('sha256').update(key, 'utf8').digest('hex')}.json`;
}

/** Where a record set aside goes: no longer `*.json`, so never read or listed again. */
export function asideName(file: string): string {
  return `${file}${CORRUPT_SUFFIX}${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}

export function validate(p: string, key: string, text: string): StateFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new StateFileCorruptError(p, key, text.length === 0 ? 'empty file' : `invalid JSON: ${(e as Error).message}`);
  }
  const f = parsed as Partial<StateFile> | null;
  if (!f || typeof f !== 'object' || Array.isArray(f)) throw new StateFileCorruptError(p, key, 'not a JSON object');
  if (typeof f.eTag !== 'string' || f.eTag === '') throw new StateFileCorruptError(p, key, 'no eTag');
  if (!f.value || typeof f.value !== 'object' || Array.isArray(f.value)) throw new StateFileCorruptError(p, key, 'no value object');
  if (f.key !== key) throw new StateFileCorruptError(p, key, `it holds key ${JSON.stringify(f.key)}`);
  return f as StateFile;
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (e) {
    if (code(e) === 'ENOENT') return false;
    throw e;
  }
}

/**
 * On Windows a rename over a file another handle has open can fail for a moment: 6 tries, waiting 10 ms
 * more each time (10, 20, ... 50), on real timers like the store's other retries (a moment of real
 * contention, which a test holding the clock must not stall).
 */
const RENAME: RetryRunner = { schedule: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50, jitter: 'none' }, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export async function renameWithRetry(from: string, to: string): Promise<void> {
  await retry(
    RENAME,
    () => fs.rename(from, to),
    (outcome, n) =>
      'error' in outcome && process.platform === 'win32' && ['EPERM', 'EBUSY', 'EACCES'].includes(code(outcome.error) ?? '') ? { afterMs: 10 * (n + 1) } : undefined,
  );
}
