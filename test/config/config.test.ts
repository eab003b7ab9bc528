import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, envSchema, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('runs in local sandbox mode with no configuration at all', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('local');
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3978);
    expect(c.partnerCenter.sandbox).toBe(true);
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
    const c = loadConfig({ BOT_ID: '11111111-2222-3333-4444-555555555555', BOT_PASSWORD: 's3cret' });
    expect(c.mode).toBe('teams');
    expect(c.host).toBe('0.0.0.0');
  });

  it('uses real Partner Center once an app identity is configured, and asks for what is missing', () => {
    const c = loadConfig({
      AAD_APP_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      AAD_APP_CLIENT_SECRET: 'x',
      AAD_APP_TENANT_ID: 'contoso.onmicrosoft.com',
      PARTNER_CENTER_BASE_URL: 'https://partner.partnercenterapi.microsoftonline.cn/',
    });
    expect(c.partnerCenter.sandbox).toBe(false);
    expect(c.partnerCenter.baseUrl).toBe('https://partner.partnercenterapi.microsoftonline.cn');
    expect(() => loadConfig({ PARTNER_CENTER_SANDBOX: 'false' })).toThrow(/AAD_APP_CLIENT_ID[\s\S]*AAD_APP_CLIENT_SECRET/);
  });

  it('reads a support-topic fallback list and rejects a malformed one', () => {
    const c = loadConfig({ SUPPORT_TOPICS_FALLBACK: '[{"id":"1","name":"Billing"}]' });
    expect(c.partnerCenter.supportTopicsFallback).toEqual([{ id: '1', name: 'Billing', description: '' }]);
    expect(() => loadConfig({ SUPPORT_TOPICS_FALLBACK: 'billing' })).toThrow(/SUPPORT_TOPICS_FALLBACK/);
  });

  it('documents every setting in .env.example with an explanation and its default', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    for (const key of Object.keys(envSchema.shape)) {
      const at = example.indexOf(`\n${key}=`);
      expect({ key, documented: at >= 0 }).toEqual({ key, documented: true });
      const comment = example.slice(0, at).split('\n').slice(-3).join(' ');
      expect({ key, hasDefault: /Default:/.test(comment) }).toEqual({ key, hasDefault: true });
    }
  });
});
