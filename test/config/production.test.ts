/**
 * The production entry point (`node dist/src/main.js`, here src/main.ts through tsx) refuses settings that are
 * well-formed but unsafe, each with a message naming the setting and what to set: no BOT_ID (the
 * unauthenticated local mode is `npm start`'s alone), plain http URLs, a tenant that is not one, secrets too
 * short to derive keys from. The development entry keeps what a try-out needs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../../src/config';
import { deriveKey } from '../../src/util/secrets';

const ROOT = join(__dirname, '../..');
const tsx = (f: string) => join(ROOT, 'node_modules/tsx/dist', f);

/** A complete production configuration; each test spoils one part of it. */
const GOOD = {
  BOT_ID: '33333333-4444-4555-8666-777777777777',
  BOT_PASSWORD: 'bot-password-0123456789-abcdefghijklmn',
  AAD_APP_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
  AAD_APP_CLIENT_SECRET: 'app-secret-0123456789-abcdefghijklmnop',
  AAD_APP_TENANT_ID: '22222222-3333-4444-8555-666666666666',
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Starts the production entry with exactly `env` (and PATH), in an empty folder (no developer .env); kills it if it starts. */
function runProduction(env: Record<string, string>): Promise<Run> {
  const cwd = mkdtempSync(join(tmpdir(), 'partner-ops-production-'));
  dirs.push(cwd);
  const child = spawn(process.execPath, ['--require', tsx('preflight.cjs'), '--import', pathToFileURL(tsx('loader.mjs')).href, join(ROOT, 'src/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(cwd, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    if (/listening/.test(stdout)) child.kill('SIGTERM'); // it started: the test fails on its status
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

/** The problems listed in a refusal, one per `  - ` line. */
const problemsOf = (r: Run) => r.stderr.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));

describe('the production entry point refuses an unsafe start, naming what to set', () => {
  // In parallel: each is a process start of several seconds.
  let runs: Record<'noBotId' | 'http' | 'pathTenant' | 'common' | 'shortSecrets', Run>;
  beforeAll(async () => {
    const [noBotId, http, pathTenant, common, shortSecrets] = await Promise.all([
      runProduction({ ...GOOD, BOT_ID: '', BOT_PASSWORD: '' }),
      runProduction({ ...GOOD, PARTNER_CENTER_BASE_URL: 'http://api.partnercenter.microsoft.com', AAD_APP_OAUTH_AUTHORITY_HOST: 'http://login.microsoftonline.com', BOT_ENDPOINT: 'http://bot.example.com' }),
      runProduction({ ...GOOD, AAD_APP_TENANT_ID: '../../x?y' }),
      runProduction({ ...GOOD, AAD_APP_TENANT_ID: 'common' }),
      runProduction({ ...GOOD, BOT_PASSWORD: 'x', AAD_APP_CLIENT_SECRET: 'y' }),
    ]);
    runs = { noBotId, http, pathTenant, common, shortSecrets };
  }, 120_000);

  it('without BOT_ID: no unauthenticated mode in production; the message says what BOT_ID is and points to npm start', () => {
    const r = runs.noBotId;
    expect(r.status).toBe(2);
    expect(problemsOf(r)).toEqual([
      'BOT_ID: required in production (the Azure Bot app id, a GUID, with BOT_PASSWORD its client secret): without it Teams traffic would not be authenticated. Set both in the environment or in .env; to try Partner Ops locally without a bot registration, run `npm start`',
    ]);
    expect(r.stdout).not.toMatch(/LOCAL MODE|listening/);
  });

  it('plain http:// Partner Center, authority and bot URLs', () => {
    const r = runs.http;
    expect(r.status).toBe(2);
    const why = 'must be an https:// URL in production (tokens and customer data must not cross the network in clear)';
    expect(problemsOf(r)).toEqual([`PARTNER_CENTER_BASE_URL: ${why}`, `AAD_APP_OAUTH_AUTHORITY_HOST: ${why}`, `BOT_ENDPOINT: ${why}`]);
  });

  it('a tenant id that is neither a GUID, a domain nor a known name, and "common", which admits personal accounts', () => {
    expect(runs.pathTenant.status).toBe(2);
    expect(problemsOf(runs.pathTenant)).toEqual(['AAD_APP_TENANT_ID: must be the tenant id (a GUID), a domain name of the tenant (contoso.onmicrosoft.com) or "organizations"']);
    expect(runs.common.status).toBe(2);
    expect(problemsOf(runs.common)).toEqual([
      'AAD_APP_TENANT_ID: "common" admits personal Microsoft accounts, which cannot use Partner Center: set the partner\'s tenant id (a GUID) or domain, or "organizations"',
    ]);
  });

  it('secrets too short to derive the token cache and signing keys from, without the secret in the message', () => {
    const r = runs.shortSecrets;
    expect(r.status).toBe(2);
    expect(problemsOf(r)).toEqual([
      'AAD_APP_CLIENT_SECRET: shorter than 32 characters, too short to derive the token cache key from (Entra ID generates secrets of 40): set TOKEN_CACHE_KEY to a random value of 32+ characters, e.g. the output of `openssl rand -base64 32`, or use a secret Entra ID generated',
      'BOT_PASSWORD: shorter than 32 characters, too short to derive the card and sign-in signing keys from: set CARD_SIGNING_KEY to a random value of 32+ characters, e.g. the output of `openssl rand -base64 32` (the same on every instance)',
    ]);
  });
});

describe('what production accepts (the same rules, in process)', () => {
  const production = (env: Record<string, string>) => loadConfig({ ...GOOD, ...env }, { production: true });

  it('a tenant GUID, a domain name of the tenant, or "organizations"', () => {
    for (const t of ['22222222-3333-4444-8555-666666666666', 'contoso.onmicrosoft.com', 'contoso.com', 'organizations', 'Organizations']) {
      expect(production({ AAD_APP_TENANT_ID: t }).aad.tenantId).toBe(t);
    }
    for (const t of ['../../x?y', 'contoso', 'a b.com', 'x.onmicrosoft.com/evil', 'consumers', 'common']) {
      expect(() => production({ AAD_APP_TENANT_ID: t })).toThrow(ConfigError);
    }
  });

  it('short secrets once a long enough key is set for each purpose; and the local try-out keeps its unauthenticated mode', () => {
    const keys = { TOKEN_CACHE_KEY: 'k'.repeat(32), CARD_SIGNING_KEY: 's'.repeat(32) };
    expect(production({ BOT_PASSWORD: 'x', AAD_APP_CLIENT_SECRET: 'y', ...keys }).mode).toBe('teams');
    expect(() => production({ BOT_PASSWORD: 'x', AAD_APP_CLIENT_SECRET: 'y', TOKEN_CACHE_KEY: keys.TOKEN_CACHE_KEY })).toThrow(/BOT_PASSWORD: shorter than 32/);
    // A user-assigned identity has no bot password: the signing keys come from the app secret, so it is the one checked.
    expect(() => production({ BOT_TYPE: 'UserAssignedMsi', BOT_TENANT_ID: GOOD.AAD_APP_TENANT_ID, BOT_PASSWORD: '', AAD_APP_CLIENT_SECRET: 'y', TOKEN_CACHE_KEY: keys.TOKEN_CACHE_KEY })).toThrow(
      /AAD_APP_CLIENT_SECRET: shorter than 32 characters, too short to derive the card/,
    );
    expect(loadConfig({}).mode).toBe('local'); // npm start, no deployment: local mode on loopback
    expect(loadConfig({ PARTNER_CENTER_BASE_URL: 'http://127.0.0.1:5000', ...GOOD, BOT_ID: '', BOT_PASSWORD: '' }).partnerCenter.baseUrl).toBe('http://127.0.0.1:5000');
  });
});

describe('keys derived from the one signing secret', () => {
  it('one per purpose, the same on every instance, none without a secret', () => {
    const secret = loadConfig({ ...GOOD }).cardSigningKey;
    const confirmation = deriveKey(secret, 'confirmation');
    expect(confirmation).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(new Set([confirmation, deriveKey(secret, 'sign-in ticket'), deriveKey(secret, 'sign-in pkce')]).size).toBe(3);
    expect(deriveKey(loadConfig({ ...GOOD }).cardSigningKey, 'confirmation')).toBe(confirmation);
    expect(deriveKey(undefined, 'confirmation')).toBeUndefined();
  });
});
