/**
 * Benchmark helpers for running the bot as production runs it: an app identity, the image's Node options and
 * a port of its own. The benchmarks that spawn dist/ processes share these so they all measure the same set-up.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The app settings production requires (config validation refuses to start without them), with made-up values. */
export const FAKE_IDENTITY = {
  BOT_ID: '33333333-4444-4555-8666-777777777777',
  BOT_PASSWORD: 'not a secret, only long enough to derive keys from',
  AAD_APP_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
  AAD_APP_CLIENT_SECRET: 'not a secret, only long enough to derive keys from',
  AAD_APP_TENANT_ID: '22222222-3333-4444-8555-666666666666',
};

/** The production image's NODE_OPTIONS (the Dockerfile's ENV line); compiled, this module is in dist/bench/. */
export function productionNodeOptions(): string {
  const dockerfile = readFileSync(join(__dirname, '..', '..', 'Dockerfile'), 'utf8');
  return /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? '';
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it; the listener is closed again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
