/**
 * Benchmark: start-up and idle memory of the production bot against a minimal teams-ai bot.
 *
 *   npm run bench:startup          (-- --runs 8 for the number of starts per side, -- --idle-ms 3000 for how
 *                                   long each stays idle before its RSS is read)
 *
 * Product: `node dist/src/main.js`, production mode (BOT_ID set, so no sandbox and no local mode) with a
 * real-looking configuration: fake AAD_APP_* and BOT_* values and a local file store in a fresh directory.
 * Minimal: `node dist/bench/minimal-bot.js`, a teams-ai bot answering `pong` (restify, /healthz).
 * Each run spawns one side and polls GET /healthz every 5 ms: start to healthy is spawn to the first 200.
 * The side then stays idle (nothing calls it) and its RSS is read from /proc. The sides alternate (and
 * alternate which goes first); the figures are medians, the ratios product ÷ minimal. One more untimed start
 * of each, with bench/module-count.js preloaded, counts the modules loaded once healthy, by package, and
 * lists the packages (and modules) the product loads beyond the minimal bot's.
 * Not a test: nothing here asserts a time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FAKE_IDENTITY, freePort } from './production';
import { arg, median } from './args';

const ROOT = join(__dirname, '..', '..');

interface Side {
  name: string;
  script: string;
  env: (dataDir: string) => NodeJS.ProcessEnv;
}

const pick = <T extends object, K extends keyof T>(o: T, ...keys: K[]): Pick<T, K> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

const SIDES: Side[] = [
  {
    name: 'product',
    script: join(ROOT, 'dist', 'src', 'main.js'),
    env: (dataDir) => ({ ...FAKE_IDENTITY, DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production' }),
  },
  {
    name: 'minimal',
    script: join(ROOT, 'dist', 'bench', 'minimal-bot.js'),
    // The same Bot Framework identity as the product (the minimal bot takes no app identity).
    env: () => ({ ...pick(FAKE_IDENTITY, 'BOT_ID', 'BOT_PASSWORD'), HOST: '127.0.0.1', NODE_ENV: 'production' }),
  },
];

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 5_000).unref();
  });
}

async function startOnce(side: Side, o: { idleMs: number; countModules?: string }): Promise<{ ms: number; rss: number; output: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `bench-startup-${side.name}-`));
  const execArgv = o.countModules ? ['-r', join(ROOT, 'bench', 'module-count.js')] : [];
  const env = { PATH: process.env.PATH, ...side.env(dataDir), PORT: String(port), ...(o.countModules ? { MODULE_COUNT_OUT: o.countModules } : {}) };
  let output = '';
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...execArgv, side.script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`${side.name} exited (${proc.exitCode}) before it was healthy:\n${output.slice(0, 2000)}`);
      if (await healthy(port)) break;
      if (performance.now() - t0 > 30_000) throw new Error(`${side.name} not healthy after 30 s:\n${output.slice(0, 2000)}`);
      await sleep(5);
    }
    const ms = performance.now() - t0;
    await sleep(o.idleMs);
    const rss = rssMb(proc.pid!);
    if (o.countModules) {
      proc.kill('SIGUSR2');
      await sleep(300);
    }
    return { ms, rss, output };
  } finally {
    await stop(proc);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Modules by package, product against minimal: packages only the product loads, packages both load with the
 * product's extra modules (where it loads more of them), packages only the minimal bot loads; largest first.
 */
function packageDiff(product: Record<string, number>, minimal: Record<string, number>): { onlyProduct: Array<[string, number]>; moreInProduct: Array<[string, number]>; onlyMinimal: Array<[string, number]> } {
  const bySize = (a: [string, number], b: [string, number]) => b[1] - a[1] || a[0].localeCompare(b[0]);
  const onlyProduct = Object.entries(product).filter(([p]) => !(p in minimal));
  const moreInProduct = Object.entries(product)
    .filter(([p, n]) => p in minimal && n > minimal[p]!)
    .map(([p, n]): [string, number] => [p, n - minimal[p]!]);
  const onlyMinimal = Object.entries(minimal).filter(([p]) => !(p in product));
  return { onlyProduct: onlyProduct.sort(bySize), moreInProduct: moreInProduct.sort(bySize), onlyMinimal: onlyMinimal.sort(bySize) };
}

async function main(): Promise<void> {
  const runs = arg('runs', 8);
  const idleMs = arg('idle-ms', 3000);
  const ms = new Map<string, number[]>(SIDES.map((s) => [s.name, []]));
  const rss = new Map<string, number[]>(SIDES.map((s) => [s.name, []]));
  const msRatios: number[] = [];
  const rssRatios: number[] = [];
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? SIDES : [...SIDES].reverse();
    const got = new Map<string, { ms: number; rss: number }>();
    for (const side of order) got.set(side.name, await startOnce(side, { idleMs }));
    for (const side of SIDES) {
      ms.get(side.name)!.push(got.get(side.name)!.ms);
      rss.get(side.name)!.push(got.get(side.name)!.rss);
    }
    msRatios.push(got.get('product')!.ms / got.get('minimal')!.ms);
    rssRatios.push(got.get('product')!.rss / got.get('minimal')!.rss);
  }
  const modules = new Map<string, { total: number; byPackage: Record<string, number> }>();
  const countDir = mkdtempSync(join(tmpdir(), 'bench-modules-'));
  for (const side of SIDES) {
    const out = join(countDir, `${side.name}.json`);
    await startOnce(side, { idleMs: 200, countModules: out });
    modules.set(side.name, JSON.parse(readFileSync(out, 'utf8')));
  }
  rmSync(countDir, { recursive: true, force: true });

  const range = (xs: number[], d = 0) => `median ${median(xs).toFixed(d)} (min ${Math.min(...xs).toFixed(d)}, max ${Math.max(...xs).toFixed(d)})`;
  console.log(`Start-up, production mode (no sandbox; fake AAD_APP_*/BOT_* values, local file store): ${runs} alternating starts per side, idle ${idleMs} ms before RSS`);
  for (const side of SIDES) {
    const m = modules.get(side.name)!;
    const top = Object.entries(m.byPackage)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([p, n]) => `${p} ${n}`)
      .join(', ');
    console.log(`  ${side.name.padEnd(8)} start to healthy ${range(ms.get(side.name)!)} ms   idle RSS ${range(rss.get(side.name)!, 1)} MB   modules loaded ${m.total} (${top})`);
  }
  console.log(`  ratio product/minimal: start to healthy ${range(msRatios, 3)} (aim <= 1.1); idle RSS ${range(rssRatios, 3)} (aim <= 1.05)`);
  console.log(`  modules loaded at start: product ${modules.get('product')!.total}, minimal ${modules.get('minimal')!.total}`);
  const diff = packageDiff(modules.get('product')!.byPackage, modules.get('minimal')!.byPackage);
  const list = (xs: Array<[string, number]>) => (xs.length === 0 ? 'none' : xs.map(([p, n]) => `${p} ${n}`).join(', '));
  console.log(`  packages the product loads and the minimal bot does not (modules): ${list(diff.onlyProduct)}`);
  console.log(`  packages both load, the product more of them (extra modules): ${list(diff.moreInProduct)}`);
  console.log(`  packages the minimal bot loads and the product does not (modules): ${list(diff.onlyMinimal)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
