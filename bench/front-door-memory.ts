/**
 * Benchmark: what refused bodies cost in memory (moved here from test/bot/front-door.test.ts, which now
 * asserts only what a caller sees: the answer arrives while the body is still being offered).
 *
 *   npm run build && node --expose-gc dist/bench/front-door-memory.js    (-- --rounds 5)
 *
 * Starts the dev bot in this process (file store in a fresh directory) and, per round, sends a gzip bomb
 * (200 MB of zeros in 200 KB, refused 415), a 10 MB body with its Content-Length (413) and 64 MB chunked
 * (413). Reported: RSS before, peak (sampled every 10 ms) and after, and the answers.
 * Not a test: nothing here asserts a size. The aim: growth well under 50 MB.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startDev } from '../dev/compose';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging/logger';
import { FileStateStore } from '../src/storage/file';
import { arg } from './args';

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

/** POSTs a body (or its chunks, until they run out or the answer comes); resolves with the status. */
function post(url: string, headers: Record<string, string>, body: Buffer | (() => Buffer | undefined)): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      answered = true;
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e) => (answered ? undefined : reject(e)));
    if (Buffer.isBuffer(body)) return void req.end(body);
    const pump = () => {
      for (let next = body(); next && !answered; next = body()) if (!req.write(next)) return void req.once('drain', pump);
      req.end();
    };
    pump();
  });
}

async function main(): Promise<void> {
  const rounds = arg('rounds', 5);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-front-door-'));
  const running = await startDev(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }), createLogger({ level: 'silent' }), { state: new FileStateStore(dataDir), notifierAutoStart: false });
  const url = `${running.server.url}/api/messages`;
  const json = { 'content-type': 'application/json' };
  const member = gzipSync(Buffer.alloc(1024 * 1024));
  const bomb = Buffer.concat(Array.from({ length: 200 }, () => member));
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const answers: Record<string, number[]> = { bomb: [], declared: [], streamed: [] };
  for (let i = 0; i < rounds; i++) {
    answers.bomb!.push(await post(url, { ...json, 'content-encoding': 'gzip' }, bomb));
    answers.declared!.push(await post(url, json, Buffer.alloc(10 * 1024 * 1024, 0x20)));
    let sent = 0;
    answers.streamed!.push(await post(url, { ...json, 'transfer-encoding': 'chunked' }, () => (sent++ < 1024 ? chunk : undefined)));
  }
  clearInterval(sampler);
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage().rss;
  console.log(`front door, ${rounds} rounds: RSS before ${mb(before)} MB, peak ${mb(peak)} MB (+${mb(peak - before)}), after ${mb(after)} MB`);
  for (const [k, v] of Object.entries(answers)) console.log(`  ${k}: ${v.join(', ')}`);
  await running.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

void main();
