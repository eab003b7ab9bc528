/**
 * Benchmark: what stalled, unauthenticated uploads cost the production bot.
 *
 *   npm run bench:stalled     (-- --connections 2000 --body-kb 250 --sent-kb 200 --hold-ms 7000;
 *                              --node-args "" for Node's defaults instead of the Dockerfile's NODE_OPTIONS;
 *                              --entry PATH to run another build's main.js, e.g. an earlier commit's, to compare)
 *
 * Starts `node dist/src/main.js` in production mode (BOT_ID set; fake BOT_* and AAD_APP_* values, a file store in
 * a fresh directory, LOG_LEVEL info, the image's NODE_OPTIONS) and, for each way in, opens `connections`
 * sockets to POST /api/messages, each announcing a `body-kb` body, sending `sent-kb` of it and then nothing:
 *   - no Authorization header (refused with 401 before the body is read);
 *   - a well-formed but forged bearer token, with Content-Length (the body must be read before the token
 *     can be checked: the caps on requests and bytes in flight are what bounds it);
 *   - the same, chunked (no Content-Length: bytes are counted as they arrive).
 * Throughout, /healthz is asked every 100 ms on a fresh connection and the bot's RSS is read from /proc
 * every 50 ms. Reported per way in: RSS before, peak during and after the sockets are closed; the answers
 * the sockets got; whether /healthz answered every time, and its slowest answer.
 * Not a test: nothing here asserts a time or a size. The aim (issue 18): growth under 64 MB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FAKE_IDENTITY, freePort, productionNodeOptions } from './production';
import { arg } from './args';

const ROOT = join(__dirname, '..', '..');

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** Shaped like a Bot Framework token, signed by nobody: only checking it against the activity refuses it. */
const FORGED = `Bearer ${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64({ iss: 'https://api.botframework.com', aud: FAKE_IDENTITY.BOT_ID })}.${'A'.repeat(342)}`;

interface Way {
  name: string;
  headers: (bodyBytes: number) => string[];
}

const WAYS: Way[] = [
  { name: 'no Authorization header', headers: (n) => [`Content-Length: ${n}`] },
  { name: 'forged bearer, Content-Length', headers: (n) => [`Authorization: ${FORGED}`, `Content-Length: ${n}`] },
  { name: 'forged bearer, chunked', headers: () => [`Authorization: ${FORGED}`, 'Transfer-Encoding: chunked'] },
];

function text(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** GET /healthz on a fresh connection: its status (0 when none came within 10 s) and how long it took. */
function healthz(port: number): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.setTimeout(10_000, () => req.destroy());
  });
}

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One stalled upload on a raw socket: headers, `sent` bytes of the body (the same buffer for every socket),
 * then nothing. Records the status line of whatever answer comes, or 'closed' when none does.
 */
function stalledUpload(port: number, way: Way, bodyBytes: number, chunk: Buffer, answers: Map<string, number>): net.Socket {
  const socket = net.connect({ host: '127.0.0.1', port });
  let seen = '';
  let counted = false;
  let connected = false;
  const count = (what: string) => {
    if (counted) return;
    counted = true;
    answers.set(what, (answers.get(what) ?? 0) + 1);
  };
  socket.on('data', (d: Buffer) => {
    seen += d.toString('latin1', 0, Math.min(d.length, 64));
    const m = /^HTTP\/1\.1 (\d{3})/.exec(seen);
    if (m) count(m[1]!);
  });
  socket.on('error', () => undefined);
  // A refusal answered while body bytes are still unread ends in a reset, which can overtake the answer.
  socket.on('close', () => count(connected ? 'reset or closed before an answer was read' : 'never connected'));
  socket.on('connect', () => {
    connected = true;
    const head = ['POST /api/messages HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', ...way.headers(bodyBytes), '', ''].join('\r\n');
    socket.write(head);
    const chunked = way.headers(bodyBytes).some((h) => h.startsWith('Transfer-Encoding'));
    if (chunked) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
    } else {
      socket.write(chunk);
    }
  });
  return socket;
}

async function oneWay(port: number, pid: number, way: Way, o: { connections: number; bodyBytes: number; chunk: Buffer; holdMs: number }) {
  // Settle: a few requests, then a quiet second, before "before".
  for (let i = 0; i < 5; i++) await healthz(port);
  await sleep(1_000);
  const before = rssMb(pid);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, rssMb(pid));
      await sleep(50);
    }
  })();
  const health: Array<{ status: number; ms: number }> = [];
  let checking = true;
  const checker = (async () => {
    while (checking) {
      health.push(await healthz(port));
      await sleep(100);
    }
  })();

  const answers = new Map<string, number>();
  const sockets: net.Socket[] = [];
  // In batches, as an attacker's clients would arrive.
  for (let i = 0; i < o.connections; i += 100) {
    for (let j = i; j < Math.min(o.connections, i + 100); j++) sockets.push(stalledUpload(port, way, o.bodyBytes, o.chunk, answers));
    await sleep(20);
  }
  await sleep(o.holdMs);
  for (const s of sockets) s.destroy();
  await sleep(2_000);
  checking = false;
  await checker;
  sampling = false;
  await sampler;
  const after = rssMb(pid);
  return { before, peak, after, answers, health };
}

async function main(): Promise<void> {
  const connections = arg('connections', 2_000);
  const bodyBytes = arg('body-kb', 250) * 1000;
  const sentBytes = arg('sent-kb', 200) * 1000;
  const holdMs = arg('hold-ms', 7_000);
  const nodeArgs = (text('node-args') ?? productionNodeOptions()).split(' ').filter(Boolean);
  const chunk = Buffer.alloc(sentBytes, 0x20);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stalled-'));
  const env = { PATH: process.env.PATH, ...FAKE_IDENTITY, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'production', NODE_OPTIONS: nodeArgs.join(' ') };
  const entry = text('entry') ?? join(ROOT, 'dist', 'src', 'main.js');
  const proc: ChildProcess = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let lines = 0;
  proc.stdout!.on('data', (d: Buffer) => {
    lines += d.toString('utf8').split('\n').length - 1;
    if (output.length < 4_000) output += d.toString('utf8');
  });
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  try {
    const t0 = performance.now();
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`the bot exited (${proc.exitCode}) before it was healthy:\n${output.slice(0, 2000)}`);
      if ((await healthz(port)).status === 200) break;
      if (performance.now() - t0 > 30_000) throw new Error(`not healthy after 30 s:\n${output.slice(0, 2000)}`);
      await sleep(20);
    }
    console.log(
      `Stalled uploads against the production bot (node ${entry.startsWith(ROOT) ? entry.slice(ROOT.length + 1) : entry}, BOT_ID set, NODE_OPTIONS "${nodeArgs.join(' ')}", default front-door caps): ` +
        `${connections} connections per way in, each announcing ${bodyBytes / 1000} KB, sending ${sentBytes / 1000} KB, then stalling for ${holdMs} ms before it is closed`,
    );
    // A first, smaller round warms the process (JIT, heap, sockets) so the first way in is not charged for it.
    const warm = await oneWay(port, proc.pid!, WAYS[1]!, { connections: Math.min(200, connections), bodyBytes, chunk, holdMs: 1_000 });
    console.log(`  warm-up (${Math.min(200, connections)} forged-bearer uploads): RSS ${warm.before.toFixed(1)} → peak ${warm.peak.toFixed(1)} → ${warm.after.toFixed(1)} MB`);
    for (const way of WAYS) {
      const r = await oneWay(port, proc.pid!, way, { connections, bodyBytes, chunk, holdMs });
      const ok = r.health.filter((h) => h.status === 200).length;
      const slowest = Math.max(...r.health.map((h) => h.ms));
      const answers = [...r.answers.entries()].sort().map(([k, n]) => `${k}: ${n}`).join(', ');
      console.log(`  ${way.name}`);
      console.log(`    RSS before ${r.before.toFixed(1)} MB, peak during ${r.peak.toFixed(1)} MB (growth ${(r.peak - r.before).toFixed(1)} MB; aim < 64), after ${r.after.toFixed(1)} MB`);
      console.log(`    answers: ${answers}`);
      const others = r.health.filter((h) => h.status !== 200).map((h) => h.status);
      console.log(`    /healthz answered 200 ${ok} of ${r.health.length} times${others.length ? ` (otherwise: ${others.join(', ')})` : ''}, slowest ${slowest.toFixed(0)} ms`);
    }
    console.log(`  the bot wrote ${lines} log lines`);
    if (proc.exitCode !== null) console.log(`  the bot EXITED (${proc.exitCode}):\n${output.slice(-2000)}`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r(undefined) : proc.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
