/**
 * Jest set-up, in each test worker: a child process started with an environment of its own (tests give a
 * bot process exactly the settings they test) is given the run's log tee too, so its lines are checked with
 * everyone else's (see log-tee.ts). A child started with the worker's environment has it already.
 */
import childProcess from 'node:child_process';
import { promisify } from 'node:util';
import { TEE_VARIABLE } from './log-tee';

const PATCHED = Symbol.for('partner-ops.log-tee.children');
const dir = process.env[TEE_VARIABLE];
const cp = childProcess as unknown as Record<string | symbol, unknown>;

/** Adds the tee to the options object of a child_process call that passes an environment of its own. */
function withTee(args: unknown[]): void {
  for (const a of args) {
    if (a && typeof a === 'object' && !Array.isArray(a) && 'env' in a) {
      const o = a as { env?: NodeJS.ProcessEnv; uid?: number };
      // A child run as another user (a test of storage the bot cannot write) could not open the tee's
      // files, which are private to this user: it goes without.
      const otherUser = o.uid !== undefined && o.uid !== process.getuid?.();
      if (o.env && o.env[TEE_VARIABLE] === undefined && !otherUser) o.env = { ...o.env, [TEE_VARIABLE]: dir };
      return;
    }
  }
}

if (dir && !cp[PATCHED]) {
  cp[PATCHED] = true;
  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork', 'exec', 'execSync'] as const) {
    const original = cp[name] as (...args: unknown[]) => unknown;
    const patched = function (this: unknown, ...args: unknown[]) {
      withTee(args);
      return original.apply(this, args);
    };
    // exec and execFile promisify to { stdout, stderr } through their own util.promisify.custom: keep it
    // (with the env added), or `promisify(execFile)` would resolve with stdout alone.
    const custom = (original as unknown as Record<symbol, unknown>)[promisify.custom] as ((...args: unknown[]) => unknown) | undefined;
    if (custom) {
      Object.defineProperty(patched, promisify.custom, {
        value: (...args: unknown[]) => {
          withTee(args);
          return custom(...args);
        },
      });
    }
    cp[name] = patched;
  }
}
