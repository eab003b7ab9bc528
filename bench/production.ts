/**
 * Benchmark helpers for running the bot as production runs it: the image's Node options and a port of its
 * own. The benchmarks that spawn dist/ processes share these so they all measure the same set-up.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

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
