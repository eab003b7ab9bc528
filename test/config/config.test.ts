import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BOT_FRAMEWORK_AUTH_DEFAULTS, ConfigError, envSchema, loadConfig } from '../../src/config';
import { usesSandbox } from '../../dev/compose';

/** Every setting src/config reads: its schema, and botbuilder's channel settings under their own names. */
const SETTINGS = [...Object.keys(envSchema.shape), ...Object.keys(BOT_FRAMEWORK_AUTH_DEFAULTS)];

const emptyDir = () => mkdtempSync(join(tmpdir(), 'partner-ops-config-'));

const APP_IDENTITY = { AAD_APP_CLIENT_ID: '22222222-3333-4444-5555-666666666666', AAD_APP_CLIENT_SECRET: 'app-secret', AAD_APP_TENANT_ID: 'contoso.onmicrosoft.com' };

describe('configuration', () => {
  it('runs in local sandbox mode with no configuration at all (npm start)', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('local');
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3978);
    expect(usesSandbox(c)).toBe(true);
    expect(c.partnerCenter.baseUrl).toBe('https://api.partnercenter.microsoft.com');
    expect(c.partnerCenter.scope).toBe('https://api.partnercenter.microsoft.com/user_impersonation');
    expect(c.partnerCenter.supportTopicsFallback.length).toBeGreaterThan(0);
    expect(c.storage.dataDir).toBe('.data');
  });

  it('is frozen, all the way down', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.partnerCenter)).toBe(true);
    expect(() => {
      (c.partnerCenter as { baseUrl: string }).baseUrl = 'https://evil.example';
    }).toThrow();
  });

  it('treats empty values as unset, as a .env file writes them', () => {
    const c = loadConfig({ PORT: '', BOT_ID: '', LOG_LEVEL: '' });
    expect(c.port).toBe(3978);
    expect(c.mode).toBe('local');
    expect(c.logLevel).toBe('info');
  });

  it('lists every problem in one error that says what to set', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', BOT_ID: 'not-a-guid', LOG_LEVEL: 'loud', PARTNER_CENTER_BASE_URL: 'ftp://x', NOTIFY_INTERVAL_MS: '5' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT: must be a whole number/);
    expect(problems).toMatch(/BOT_ID: must be a GUID/);
    expect(problems).toMatch(/LOG_LEVEL/);
    expect(problems).toMatch(/NOTIFY_INTERVAL_MS: must be at least 1000/);
    expect(problems).toMatch(/PARTNER_CENTER_BASE_URL/);
    expect((error as Error).message).toMatch(/\.env\.example/);
  });

  it('requires the bot secret and refuses a public interface when Teams traffic is expected', () => {
    expect(() => loadConfig({ BOT_ID: '11111111-2222-3333-4444-555555555555' })).toThrow(/BOT_PASSWORD: required/);
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/loopback/);
    const c = loadConfig({ BOT_ID: '11111111-2222-3333-4444-555555555555', BOT_PASSWORD: 's3cret', ...APP_IDENTITY });
    expect(c.mode).toBe('teams');
    expect(c.host).toBe('0.0.0.0');
    expect(usesSandbox(c)).toBe(false);
  });

  it('refuses BOT_ID without the app identity, naming each missing setting, instead of falling back to the sandbox', () => {
    let error: unknown;
    try {
      loadConfig({ BOT_ID: '11111111-2222-3333-4444-555555555555', BOT_PASSWORD: 's3cret' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      expect.stringMatching(/^AAD_APP_CLIENT_ID: required because BOT_ID, BOT_PASSWORD are set/),
      expect.stringMatching(/^AAD_APP_CLIENT_SECRET: required because/),
      expect.stringMatching(/^AAD_APP_TENANT_ID: required because/),
    ]);
    // Only the missing ones are named.
    expect(() => loadConfig({ BOT_ID: '11111111-2222-3333-4444-555555555555', BOT_PASSWORD: 's3cret', ...APP_IDENTITY, AAD_APP_TENANT_ID: '' })).toThrow(
      /setting\(s\) need attention\.\n {2}- AAD_APP_TENANT_ID: required[^\n]*\nSet them/,
    );
  });

  it('chooses the sandbox only when nothing of a real deployment is set', () => {
    expect(usesSandbox(loadConfig({ DATA_DIR: '/tmp/x', LOG_LEVEL: 'debug', PORT: '4000' }))).toBe(true);
    for (const [key, value] of [
      ['AAD_APP_CLIENT_ID', '11111111-2222-3333-4444-555555555555'],
      ['AAD_APP_CLIENT_SECRET', 'x'],
      ['AAD_APP_TENANT_ID', 'contoso.onmicrosoft.com'],
      ['PARTNER_CENTER_BASE_URL', 'https://api.partnercenter.microsoft.com'],
      ['BOT_PASSWORD', 'x'],
      ['TOKEN_CACHE_KEY', 'k'.repeat(32)],
    ]) {
      expect(() => loadConfig({ [key]: value })).toThrow(new RegExp(`required because ${key} is set`));
    }
  });

  it('never serves the sandbox to real Teams users, even when asked to', () => {
    // BOT_ID requires the app identity, and with an app identity npm start does not use the sandbox; the
    // configuration has no sandbox switch any more (the old PARTNER_CENTER_SANDBOX is ignored).
    const teams = loadConfig({ BOT_ID: '11111111-2222-3333-4444-555555555555', BOT_PASSWORD: 's3cret', ...APP_IDENTITY, PARTNER_CENTER_SANDBOX: 'true' });
    expect(usesSandbox(teams)).toBe(false);
    expect(usesSandbox(loadConfig({ ...APP_IDENTITY, PARTNER_CENTER_SANDBOX: 'true' }))).toBe(false);
    expect(Object.keys(envSchema.shape)).not.toContain('PARTNER_CENTER_SANDBOX');
  });

  it('production requires the app identity even with nothing else set, and points to npm start for a try-out', () => {
    let error: unknown;
    try {
      loadConfig({}, { requireAppIdentity: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^AAD_APP_CLIENT_ID: required in production \(the Entra ID app [^)]*\); to try Partner Ops locally without one, run `npm start`$/),
      expect.stringMatching(/^AAD_APP_CLIENT_SECRET: required in production/),
      expect.stringMatching(/^AAD_APP_TENANT_ID: required in production/),
    ]);
    expect(loadConfig(APP_IDENTITY, { requireAppIdentity: true }).aad.clientId).toBe(APP_IDENTITY.AAD_APP_CLIENT_ID);
  });

  it('uses real Partner Center once an app identity is configured, and asks for what is missing', () => {
    const c = loadConfig({
      AAD_APP_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      AAD_APP_CLIENT_SECRET: 'x',
      AAD_APP_TENANT_ID: 'contoso.onmicrosoft.com',
      PARTNER_CENTER_BASE_URL: 'https://partner.partnercenterapi.microsoftonline.cn/',
    });
    expect(usesSandbox(c)).toBe(false);
    expect(c.partnerCenter.baseUrl).toBe('https://partner.partnercenterapi.microsoftonline.cn');
    expect(() => loadConfig({ PARTNER_CENTER_SCOPE: 'https://api.partnercenter.microsoft.com/user_impersonation' })).toThrow(/AAD_APP_CLIENT_ID[\s\S]*AAD_APP_CLIENT_SECRET/);
  });

  it('reads a support-topic fallback list and rejects a malformed one', () => {
    const c = loadConfig({ SUPPORT_TOPICS_FALLBACK: '[{"id":"1","name":"Billing"}]' });
    expect(c.partnerCenter.supportTopicsFallback).toEqual([{ id: '1', name: 'Billing', description: '' }]);
    expect(() => loadConfig({ SUPPORT_TOPICS_FALLBACK: 'billing' })).toThrow(/SUPPORT_TOPICS_FALLBACK/);
  });

  it('documents every setting in .env.example with an explanation and its default', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    for (const key of SETTINGS) {
      const at = example.indexOf(`\n${key}=`);
      expect({ key, documented: at >= 0 }).toEqual({ key, documented: true });
      const comment = example.slice(0, at).split('\n').slice(-3).join(' ');
      expect({ key, hasDefault: /Default:/.test(comment) }).toEqual({ key, hasDefault: true });
    }
  });

  it('.env.example holds only settings the configuration reads', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const names = [...example.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]);
    expect(names.filter((n) => !SETTINGS.includes(n!))).toEqual([]);
  });

  it('lists every setting in the settings table of docs/configuration.md, with its default', () => {
    const doc = readFileSync(join(__dirname, '../../docs/configuration.md'), 'utf8');
    const start = doc.indexOf('\n## Settings\n');
    expect(start).toBeGreaterThan(0);
    const end = doc.indexOf('\n## ', start + 5);
    const section = doc.slice(start, end < 0 ? undefined : end);
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const documented = new Map<string, string>();
    for (const row of rows) {
      const [, names, byDefault] = row.split('|').map((c) => c.trim());
      for (const m of names!.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)) documented.set(m[1]!, byDefault!);
    }
    expect(SETTINGS.filter((k) => !documented.has(k))).toEqual([]);
    expect(SETTINGS.filter((k) => !documented.get(k))).toEqual([]);
  });

  it('a bot process with BOT_ID but no app identity refuses to start, naming the missing settings', () => {
    const root = join(__dirname, '../..');
    const tsx = (f: string) => join(root, 'node_modules/tsx/dist', f);
    const run = spawnSync(process.execPath, ['--require', tsx('preflight.cjs'), '--import', pathToFileURL(tsx('loader.mjs')).href, join(root, 'src/main.ts')], {
      cwd: emptyDir(), // not the project root: a developer's own .env there must not change the outcome
      env: { PATH: process.env.PATH, BOT_ID: '11111111-2222-3333-4444-555555555555', BOT_PASSWORD: 'a-bot-password-long-enough-to-derive-from', PORT: '0', DATA_DIR: join(root, '.data-never-created') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cannot start: 3 setting\(s\) need attention/);
    for (const key of ['AAD_APP_CLIENT_ID', 'AAD_APP_CLIENT_SECRET', 'AAD_APP_TENANT_ID']) expect(run.stderr).toContain(`- ${key}: required because BOT_ID`);
    expect(run.stdout).not.toMatch(/sandbox/i);
  }, 70_000);

  it('the production entry point with no configuration refuses to start, and names npm start for a try-out', () => {
    const root = join(__dirname, '../..');
    const tsx = (f: string) => join(root, 'node_modules/tsx/dist', f);
    const run = spawnSync(process.execPath, ['--require', tsx('preflight.cjs'), '--import', pathToFileURL(tsx('loader.mjs')).href, join(root, 'src/main.ts')], {
      cwd: emptyDir(), // not the project root: a developer's own .env there must not change the outcome
      env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: join(root, '.data-never-created') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cannot start: 4 setting\(s\) need attention/);
    expect(run.stderr).toMatch(/- AAD_APP_CLIENT_ID: required in production \(.*\); to try Partner Ops locally without one, run `npm start`\n/);
    expect(run.stderr).toMatch(/- BOT_ID: required in production \(the Azure Bot app id[^\n]*run `npm start`\n/);
    expect(run.stdout).not.toMatch(/sandbox|listening/i);
  }, 70_000);
});
