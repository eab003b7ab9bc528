/**
 * A production start (src/main.ts in production mode, with the start-up benchmark's fake identity and a local
 * file store) does not load adaptivecards-templating, adaptive-expressions or antlr4ts: the cards are compiled
 * from their stored IR, and the library is loaded only for an expansion that needs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../support/ports';

const ROOT = join(__dirname, '../..');

const healthy = (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a production start loads neither adaptivecards-templating nor adaptive-expressions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'partner-ops-start-'));
  const out = join(dir, 'modules.json');
  const port = await freePort();
  const tsx = (f: string) => join(ROOT, 'node_modules/tsx/dist', f);
  const args = ['--require', tsx('preflight.cjs'), '--require', join(__dirname, 'loaded-modules.cjs'), '--import', pathToFileURL(tsx('loader.mjs')).href, join(ROOT, 'src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: dir, // not the project root: a developer's own .env there must not change the outcome
    env: {
      PATH: process.env.PATH,
      // bench/startup.ts's fake identity: production mode, no network needed to become healthy
      BOT_ID: '33333333-4444-4555-8666-777777777777',
      BOT_PASSWORD: 'not a secret, only long enough to derive keys from',
      AAD_APP_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
      AAD_APP_CLIENT_SECRET: 'not a secret, only long enough to derive keys from',
      AAD_APP_TENANT_ID: '22222222-3333-4444-8555-666666666666',
      DATA_DIR: join(dir, 'data'),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      LOADED_MODULES_OUT: out,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const end = Date.now() + 60_000;
    while (!(await healthy(port))) {
      if (child.exitCode !== null) throw new Error(`the bot exited (${child.exitCode}) before it was healthy:\n${output}`);
      if (Date.now() > end) throw new Error(`the bot was not healthy after 60 s:\n${output}`);
      await sleep(50);
    }
    child.kill('SIGUSR2');
    while (!existsSync(out)) await sleep(20);
    await sleep(50); // written synchronously in one call; a moment for it to complete
    const files = JSON.parse(readFileSync(out, 'utf8')) as string[];
    const packages = new Set(files.map((f) => /.*node_modules\/((@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter((p) => p !== undefined));
    // The start did load the bot (so the list is a real one) ...
    expect(files.some((f) => f.endsWith(join('src', 'cards', 'render.ts')))).toBe(true);
    expect(packages.has('botbuilder')).toBe(true);
    // ... and not the templating library, its expression engine or their parser runtime.
    expect(['adaptivecards-templating', 'adaptive-expressions', 'antlr4ts'].filter((p) => packages.has(p))).toEqual([]);
    expect(files.filter((f) => f.endsWith(join('src', 'cards', 'template-ir.ts')))).toEqual([]);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

test('the runtime image gets cards/ whole: the templates and their stored IR (cards/compiled/)', () => {
  const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  expect(dockerignore).toContain('!cards');
  expect(dockerignore.filter((l) => /^!?\/?cards\//.test(l))).toEqual([]); // nothing under cards/ excluded or picked
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^COPY cards \.\/cards$/m);
  expect(dockerfile).toMatch(/^COPY --from=build \/app\/cards \.\/cards$/m);
  const webappignore = readFileSync(join(ROOT, 'scripts', 'deploy.webappignore'), 'utf8').split('\n').map((l) => l.trim());
  expect(webappignore.filter((l) => /^\/?cards\b/.test(l))).toEqual([]);
});
