/**
 * What a newcomer's terminal shows after `npm start`: no deprecation noise, readable log lines, `.env`
 * picked up, and the banner last and on its own. A real `dev/start.ts` process (with the embedded sandbox
 * and the Agents Playground), plus the pieces it is made of.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../../src/logging/logger';
import { banner, prettyLogs, terminalLogDestination } from '../../dev/terminal';

const ROOT = join(__dirname, '../..');
const tsx = (f: string) => join(ROOT, 'node_modules/tsx/dist', f);
const TSX = ['--require', tsx('preflight.cjs'), '--import', pathToFileURL(tsx('loader.mjs')).href];
const ANSI = /\u001b\[[0-9;]*m/g;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'partner-ops-terminal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the terminal of npm start', () => {
  it('shows the start-up lines, then the banner alone and last; reads .env; prints no DEP0111', async () => {
    // BROWSER=none comes from .env too: .env reaches the whole process environment, not only the settings.
    writeFileSync(join(dir, '.env'), `PORT=0\nDATA_DIR=${join(dir, 'data')}\nBROWSER=none\n`);
    const child = spawn(process.execPath, [...TSX, join(ROOT, 'dev/start.ts')], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let atBanner = '';
    try {
      const deadline = Date.now() + 90_000;
      while (!/Ctrl\+C stops everything\.\n\s*─+\n\n/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // Nothing follows the banner by itself (the next lines come when someone talks to the bot).
      await new Promise((r) => setTimeout(r, 1_500));
      atBanner = out;
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toBe('');

    const start = atBanner.indexOf('\n  ──');
    expect(start).toBeGreaterThan(0);
    const logs = atBanner.slice(0, start).split('\n').filter(Boolean);
    const shown = atBanner.slice(start);
    // Not a terminal here, so the log lines are JSON, one per line, every one before the banner.
    const records = logs.map((l) => JSON.parse(l) as { msg: string; settings?: string[] });
    expect(records[0]).toMatchObject({ msg: 'read 3 setting(s) from .env', settings: ['PORT', 'DATA_DIR', 'BROWSER'] });
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^LOCAL MODE/), expect.stringMatching(/^embedded Partner Center sandbox/), 'Microsoft 365 Agents Playground started']),
    );
    expect(shown).toMatch(/^\n  ─+\n  Partner Ops is running locally, against the embedded Partner Center sandbox\.\n/);
    expect(shown).toMatch(/\n      http:\/\/127\.0\.0\.1:\d+\n/);
    expect(shown).toMatch(/help {2}· {2}sr list/);
    expect(shown).toMatch(/Ctrl\+C stops everything\.\n  ─+\n\n$/);
    expect(shown).not.toContain('{');
    // After Ctrl+C, the shutdown line.
    expect(out.slice(atBanner.length)).toMatch(/"msg":"shutting down"/);
  }, 120_000);

  it('writes readable one-line logs on a terminal, JSON when piped or in production', () => {
    expect(prettyLogs({ isTTY: true, env: {} })).toBe(true);
    expect(prettyLogs({ isTTY: false, env: {} })).toBe(false);
    expect(prettyLogs({ isTTY: true, env: { NODE_ENV: 'production' } })).toBe(false);

    const file = join(dir, 'terminal.log');
    const logger = createLogger({ level: 'info', destination: terminalLogDestination({ isTTY: true, env: {}, dest: file }) });
    logger.warn({ url: 'http://127.0.0.1:3978/api/messages' }, 'LOCAL MODE: BOT_ID is not set');
    logger.child({ component: 'storage' }).info({ dir: '.data' }, 'file store ready');
    logger.info({ authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl' }, 'a request');
    const lines = readFileSync(file, 'utf8').replace(ANSI, '').split('\n').filter(Boolean);
    expect(lines).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] WARN: LOCAL MODE: BOT_ID is not set \{"url":"http:\/\/127\.0\.0\.1:3978\/api\/messages"\}$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] INFO: storage: file store ready \{"dir":".data"\}$/),
      // Secrets stay redacted in the readable form too.
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] INFO: a request \{"authorization":"\[redacted\]"\}$/),
    ]);
  });

  it('the banner says where to go and what to type', () => {
    const text = banner({ sandbox: true, playgroundUrl: 'http://127.0.0.1:56150', opened: true, botEndpoint: 'http://127.0.0.1:3978/api/messages' });
    expect(text).toContain('http://127.0.0.1:56150   (opened in your browser)');
    expect(text).toContain('help  ·  sr list  ·  customer find contoso  ·  profile');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(90);
  });
});

describe('deprecation noise', () => {
  const child = (withFilter: boolean) => {
    const file = join(dir, 'child.ts');
    writeFileSync(
      file,
      `${withFilter ? `import ${JSON.stringify(join(ROOT, 'src/logging/warnings.ts'))};\n` : ''}` +
        `require(${JSON.stringify(require.resolve('restify', { paths: [ROOT] }))});\n` +
        "process.emitWarning('another deprecation', 'DeprecationWarning', 'DEP0999');\n" +
        "process.emitWarning('a plain warning');\n",
    );
    return spawnSync(process.execPath, [...TSX, file], { cwd: ROOT, env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 60_000 });
  };

  it("silences restify's DEP0111 and nothing else", () => {
    const quiet = child(true);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).not.toContain('DEP0111');
    expect(quiet.stderr).toContain('[DEP0999] DeprecationWarning: another deprecation');
    expect(quiet.stderr).toContain('Warning: a plain warning');
    // The control: without the filter, loading restify does print DEP0111.
    expect(child(false).stderr).toContain("[DEP0111] DeprecationWarning: Access to process.binding('http_parser') is deprecated.");
  }, 70_000);
});
