/**
 * Load check: 2,000 mixed commands through POST /api/messages (the real Bot Framework protocol) to the real
 * bot on a file store, against the embedded Partner Center sandbox; reports errors (expected 0) and heap
 * growth (heapUsed after a full GC, before vs after the run).
 *
 *   npm run bench:load              (-- --requests 2000 --concurrency 8 --warmup 200)
 *
 * An error is any of: an HTTP answer other than 200, a turn that sent no reply, or a reply showing the
 * bot's error card ("That did not work" / "Something went wrong"). Not a test: it exits 1 on errors.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging/logger';
import { startDev as start } from '../dev/compose';
import { FileStateStore } from '../src/storage/file';
import { arg } from './args';

const TENANT = 'f0f0f0f0-1111-4222-8333-444444444444';
const COMMANDS = [
  'sr list',
  'sr 616122292874576',
  'sr list open',
  'customer find contoso',
  'sub list contoso',
  'whoami',
  'help',
  'help sr',
  'watches',
  'watch sr 616122292874576',
  'audit',
  'profile',
];
const CONVERSATIONS = 16;

interface Reply {
  conversation: string;
  body: string;
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:load does)');
  const requests = arg('requests', 2_000);
  const concurrency = arg('concurrency', 8);
  const warmup = arg('warmup', 200);

  const replies: Reply[] = [];
  const connector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const m = /\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      replies.push({ conversation: decodeURIComponent(m?.[1] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"x"}');
    });
  });
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
  const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}`;

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent' });
  const running = await start(config, createLogger({ level: 'silent' }), { state: new FileStateStore(dataDir), notifierAutoStart: false });
  const url = `${running.server.url}/api/messages`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

  let errors = 0;
  const examples: string[] = [];
  const post = (i: number): Promise<void> => {
    const conv = `a:load-${i % CONVERSATIONS}`;
    const text = COMMANDS[i % COMMANDS.length]!;
    const body = JSON.stringify({
      type: 'message',
      id: `m-${i}`,
      channelId: 'msteams',
      serviceUrl,
      locale: 'en-US',
      from: { id: '29:alice', name: 'Alice Admin', aadObjectId: 'a1a1a1a1-0000-4000-8000-000000000001' },
      recipient: { id: '28:partner-ops', name: 'Partner Ops' },
      conversation: { id: conv, conversationType: 'personal', tenantId: TENANT, isGroup: false },
      channelData: { tenant: { id: TENANT } },
      text,
    });
    const before = replies.length;
    return new Promise<void>((resolve) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => {
          const mine = replies.slice(before).filter((r) => r.conversation === conv);
          const bad =
            res.statusCode !== 200 ? `HTTP ${res.statusCode}` : mine.length === 0 ? 'no reply' : mine.find((r) => /That did not work|Something went wrong/.test(r.body)) ? 'error card' : undefined;
          if (bad) {
            errors++;
            if (examples.length < 5) examples.push(`${text}: ${bad}`);
          }
          resolve();
        });
      });
      req.on('error', (e) => {
        errors++;
        if (examples.length < 5) examples.push(`${text}: ${e.message}`);
        resolve();
      });
      req.end(body);
    });
  };
  const run = async (n: number, offset: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) await post(offset + next++);
      }),
    );
  };

  await run(warmup, 0);
  errors = 0;
  examples.length = 0;
  replies.length = 0;
  gc();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  await run(requests, warmup);
  const seconds = (performance.now() - t0) / 1000;
  replies.length = 0;
  running.sandbox?.requests.splice(0);
  await new Promise((r) => setTimeout(r, 200));
  gc();
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  console.log(`load check: ${requests} mixed commands (${COMMANDS.length} kinds, ${CONVERSATIONS} conversations), concurrency ${concurrency}, file store`);
  console.log(`  errors: ${errors}${examples.length ? ` (${examples.join('; ')})` : ''}`);
  console.log(`  time: ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)} commands/s)`);
  console.log(`  heapUsed after GC: ${mb(heapBefore)} MB before, ${mb(heapAfter)} MB after (${heapAfter >= heapBefore ? '+' : ''}${mb(heapAfter - heapBefore)} MB); rss ${mb(rssBefore)} -> ${mb(process.memoryUsage().rss)} MB`);

  await running.stop();
  agent.destroy();
  await new Promise<void>((r) => connector.close(() => r()));
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(errors === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
