/**
 * An embedded Partner Center: Partner Center's REST surface over seeded in-memory data, on 127.0.0.1,
 * for tests (in-process) and local runs (main.ts). It reproduces the documented quirks so client bugs show.
 */
import { randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue } from './faults';
import { DEFAULT_OPTIONS, mergeOptions } from './options';
import { RateLimiter } from './rate-limit';
import { seedAuditRecords } from './audit-seed';
import { createSeedData } from './seed';
import type { ServerState } from './server';
import { createRequestListener } from './server';
import type { Sandbox, SandboxOptions } from './types';

export type { FaultSpec, RecordedRequest, Sandbox, SandboxOptions } from './types';
export type * from './model';
export { NO_DATE } from './model';
export { SEED } from './seed';
export { SEED_ACTIVITY } from './audit-seed';
export { SANDBOX_APPLICATION_ID } from './audit-records';

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const resolved = mergeOptions(DEFAULT_OPTIONS, options);
  const closing = new AbortController();
  const state: ServerState = {
    options: resolved,
    data: seeded(resolved.now()),
    requests: [],
    faults: new FaultQueue(),
    limiter: new RateLimiter(),
    serverId: String(100000000 + randomInt(900000000)),
    closing: closing.signal,
  };
  const server = http.createServer(createRequestListener(state));
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    data: state.data,
    injectFault: (fault) => state.faults.add(fault),
    clearFaults: () => state.faults.clear(),
    setOptions: (changes) => {
      state.options = mergeOptions(state.options, changes);
    },
    reset: () => {
      // In place, so references held to `data` and `requests` stay live.
      Object.assign(state.data, seeded(state.options.now()));
      state.requests.length = 0;
      state.faults.clear();
      state.limiter.clear();
    },
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** The seed, with the activity log's records of changes made elsewhere (audit-seed.ts). */
function seeded(now: number) {
  const data = createSeedData(now);
  seedAuditRecords(data, now);
  return data;
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
