/**
 * Azurite (the Azure Storage emulator, blob service only) for tests: started with plain node on a free port
 * with a fresh temp directory, stopped and removed by `stop()`. Nothing has to run before the tests.
 *
 * The child also exits by itself when this process goes away (a preloaded watchdog ends it, and removes the
 * temp directory, when its stdin closes), so even a killed jest worker leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports';

/** The emulator's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  readonly connectionString: string;
  readonly port: number;
  stop(): Promise<void>;
}

const MAIN = path.join(__dirname, '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');

/**
 * Preloaded into the child: when the parent's end of its stdin closes (the parent ended, even by SIGKILL, or
 * called stop()), removes the temp directory it lives in and exits.
 */
const WATCHDOG = `
const done = () => {
  try { require('fs').rmSync(__dirname, { recursive: true, force: true, maxRetries: 3 }); } catch {}
  process.exit(0);
};
process.stdin.on('end', done);
process.stdin.on('error', done);
process.stdin.resume();
`;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** Any HTTP answer (Azurite says 400/403 to this bare request) means it is listening. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/${AZURITE_ACCOUNT}?comp=list`, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export async function startAzurite(opts: { timeoutMs?: number } = {}): Promise<Azurite> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort(), timeoutMs);
    } catch (e) {
      lastError = e as Error; // most likely the port was taken between freePort() and the spawn
    }
  }
  throw lastError;
}

async function startOnce(port: number, timeoutMs: number): Promise<Azurite> {
  installExitHook();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'azurite-test-'));
  const watchdog = path.join(dir, 'watchdog.js');
  writeFileSync(watchdog, WATCHDOG);
  const location = path.join(dir, 'data');
  const child = spawn(
    process.execPath,
    ['--require', watchdog, MAIN, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, '--disableTelemetry', '--silent', '--skipApiVersionCheck'],
    { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true },
  );
  running.add(child);
  let output = '';
  const keep = (b: Buffer): void => {
    output = (output + b.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.once('exit', () => running.delete(child));

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      child.stdin!.destroy(); // the watchdog exits at once
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
      running.delete(child);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    })());

  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Azurite exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}`);
      if (await answers(port)) break;
      if (Date.now() > deadline) throw new Error(`Azurite did not answer on port ${port} within ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    port,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
    stop,
  };
}
