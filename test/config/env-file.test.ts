/**
 * `.env` at start-up: the format (src/config/env-file.ts), the environment winning over the file, a clear
 * refusal for a line that cannot be read, and real processes of the production entry point picking up a
 * `.env` from their working directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvFileError, loadEnvFile, parseEnvFile } from '../../src/config/env-file';

const ROOT = join(__dirname, '../..');
const tsx = (f: string) => join(ROOT, 'node_modules/tsx/dist', f);
const TSX = ['--require', tsx('preflight.cjs'), '--import', pathToFileURL(tsx('loader.mjs')).href];
const APP = { id: '22222222-3333-4444-5555-666666666666', secret: 'app-secret-from-the-file-0123456789abcdef', tenant: 'contoso.onmicrosoft.com' };
const BOT = { id: '33333333-4444-4555-8666-777777777777', password: 'bot-password-from-the-file-0123456789ab' };
const EXAMPLE = readFileSync(join(ROOT, '.env.example'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'partner-ops-envfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the .env format', () => {
  it('reads NAME=value lines, comments, export, quotes, escapes and inline comments', () => {
    const { values, problems } = parseEnvFile(
      [
        '# Partner Ops',
        '',
        'PORT=3979',
        '  LOG_LEVEL = debug  ',
        'export BOT_TYPE=SingleTenant',
        'PARTNER_CENTER_APPLICATION=Partner Ops # the name Partner Center sees',
        'SUPPORT_TOPICS_FALLBACK=\'[{"id":"1","name":"Billing # and invoices"}]\'',
        'AAD_APP_CLIENT_SECRET="a#b\\"c\\\\d"',
        'MULTI="line one',
        'line two"',
        'BOT_ID=',
        'URL=https://example.com/a=b#fragment',
        'PORT=3980',
      ].join('\r\n'),
    );
    expect(problems).toEqual([]);
    expect(Object.fromEntries(values)).toEqual({
      PORT: '3980', // given twice: the last line wins
      LOG_LEVEL: 'debug',
      BOT_TYPE: 'SingleTenant',
      PARTNER_CENTER_APPLICATION: 'Partner Ops',
      SUPPORT_TOPICS_FALLBACK: '[{"id":"1","name":"Billing # and invoices"}]',
      AAD_APP_CLIENT_SECRET: 'a#b"c\\d',
      MULTI: 'line one\nline two',
      BOT_ID: '',
      URL: 'https://example.com/a=b#fragment',
    });
  });

  it('names the file and line of everything it cannot read, instead of dropping it silently', () => {
    const { problems } = parseEnvFile(['PORT=3979', 'BOT_ID 11111111-2222-3333-4444-555555555555', 'BOT PASSWORD=x', '1ST=x', 'LONE', 'p@ssw0rd!', "A='open", 'B="never closed', 'C=ok'].join('\n'), '.env');
    expect(problems).toEqual([
      '.env line 2: expected NAME=value, got `BOT_ID …` (a space where = belongs?)',
      '.env line 3: `BOT PASSWORD` is not a setting name (letters, digits and _, not starting with a digit)',
      '.env line 4: `1ST` is not a setting name (letters, digits and _, not starting with a digit)',
      '.env line 5: expected NAME=value, got `LONE`',
      '.env line 6: expected NAME=value, got a line with no name and no =',
      '.env line 7: the value of A opens a single quote that is not closed on that line',
      '.env line 8: the value of B opens a double quote that is never closed',
    ]);
  });

  it('fills only what the environment leaves unset, and says which settings it took', () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'PORT=3979\nLOG_LEVEL=debug\nDATA_DIR=\nBOT_ID=\n');
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', DATA_DIR: '' };
    // An empty value is the setting left at its default: neither taken nor counted.
    expect(loadEnvFile(env, file)).toEqual({ path: file, applied: ['PORT'], overridden: ['LOG_LEVEL'] });
    expect(env).toEqual({ PORT: '3979', LOG_LEVEL: 'warn', DATA_DIR: '' });
  });

  it('takes nothing from a plain copy of .env.example, whose values are all empty', () => {
    const file = join(dir, '.env');
    writeFileSync(file, EXAMPLE);
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(env, file)).toEqual({ path: file, applied: [], overridden: [] });
    expect(env).toEqual({});
  });

  it('is optional, and applies nothing from a file with an unreadable line', () => {
    expect(loadEnvFile({}, join(dir, '.env'))).toBeUndefined();
    writeFileSync(join(dir, '.env'), 'PORT=3979\nthis is not a setting\n');
    const env: NodeJS.ProcessEnv = {};
    expect(() => loadEnvFile(env, join(dir, '.env'))).toThrow(EnvFileError);
    expect(env).toEqual({});
  });
});

describe('a real process and its .env', () => {
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [...TSX, join(ROOT, 'src/main.ts')], { cwd: dir, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 60_000 });

  it('node dist/src/main.js reads .env from its working directory; a real environment variable wins over it', async () => {
    writeFileSync(
      join(dir, '.env'),
      [
        EXAMPLE, // copied from .env.example (every value empty), then filled in below
        `BOT_ID=${BOT.id}`,
        `BOT_PASSWORD=${BOT.password}`,
        'HOST=127.0.0.1',
        `AAD_APP_CLIENT_ID=${APP.id}`,
        `AAD_APP_CLIENT_SECRET="${APP.secret}"`,
        `AAD_APP_TENANT_ID=${APP.tenant}`,
        'PORT=0',
        `DATA_DIR=${join(dir, 'data')}`,
        'LOG_LEVEL=silent # the environment says info',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [...TSX, join(ROOT, 'src/main.ts')], { cwd: dir, env: { PATH: process.env.PATH, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      const listening = /"url":"http:\/\/127\.0\.0\.1:\d+\/api\/messages"/;
      while (!listening.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect({ out, err }).toEqual({ out: expect.stringMatching(listening), err: '' });
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      // LOG_LEVEL=info from the environment, not silent from the file: the lines are there.
      expect(lines[0]).toMatchObject({
        msg: 'read 8 setting(s) from .env',
        file: join(dir, '.env'),
        // Only the settings given a value: not the ~37 names .env.example leaves empty.
        settings: ['PORT', 'HOST', 'BOT_ID', 'BOT_PASSWORD', 'AAD_APP_CLIENT_ID', 'AAD_APP_CLIENT_SECRET', 'AAD_APP_TENANT_ID', 'DATA_DIR'],
        keptFromEnvironment: ['LOG_LEVEL'],
      });
      expect(out).not.toContain(APP.secret);
      expect(out).not.toContain(BOT.password);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(err).not.toMatch(/DEP0111|DeprecationWarning/);
  }, 70_000);

  it('a .env line it cannot read stops the start with the file, the line and what to write', () => {
    writeFileSync(join(dir, '.env'), `AAD_APP_CLIENT_ID=${APP.id}\nAAD_APP_CLIENT_SECRET ${APP.secret}\n`);
    const r = run({});
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`Partner Ops cannot start: ${join(dir, '.env')} has 1 line(s) it cannot read.`);
    expect(r.stderr).toContain('line 2: expected NAME=value, got `AAD_APP_CLIENT_SECRET …` (a space where = belongs?)');
    expect(r.stderr).not.toContain(APP.secret.slice(0, 10)); // not even the start of the secret
    expect(r.stderr).toMatch(/Each line must be NAME=value, a # comment or empty \(see \.env\.example\)/);
    expect(r.stdout).toBe('');
  }, 70_000);

  it('settings from .env count like any other: a half-configured identity names what is still missing', () => {
    writeFileSync(join(dir, '.env'), `AAD_APP_CLIENT_ID=${APP.id}\n`);
    const r = run({});
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot start: 3 setting\(s\) need attention/);
    expect(r.stderr).toContain('- BOT_ID: required in production');
    expect(r.stderr).toContain('- AAD_APP_CLIENT_SECRET: required because AAD_APP_CLIENT_ID is set');
    expect(r.stderr).not.toContain('- AAD_APP_CLIENT_ID:');
  }, 70_000);
});
