/**
 * The Microsoft 365 Agents Toolkit project files: the lifecycle steps, the names of the variables they write
 * (the bot's own setting names), the Entra app manifest, and no real id or secret anywhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { envSchema } from '../../src/config';
import { ROOT } from './helpers';

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const GUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Microsoft's public, well-known ids: Teams desktop/web and mobile clients; Partner Center and its user_impersonation scope. */
const WELL_KNOWN = new Set([
  '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
  'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd',
  '1cebfa2a-fb4d-419e-b5f9-839b4383e05a',
]);
/** Variables the toolkit keeps for itself (not settings of the bot). */
const TOOLKIT_ONLY = new Set(['TEAMS_APP_ID', 'AAD_APP_OBJECT_ID', 'AAD_APP_OAUTH_AUTHORITY', 'TEAMS_APP_PUBLISHED_APP_ID']);
const BOT_SETTINGS = new Set(Object.keys(envSchema.shape));

/** The steps of a lifecycle stage, in order. */
function steps(yml: string, stage: string): string[] {
  const block = new RegExp(`^${stage}:\\n([\\s\\S]*?)(?=^\\S|(?![\\s\\S]))`, 'm').exec(yml)?.[1] ?? '';
  return [...block.matchAll(/^ {2}- uses: (\S+)/gm)].map((m) => m[1]!);
}

describe.each(['m365agents.yml', 'm365agents.local.yml'])('%s', (file) => {
  const yml = read(file);

  it('is in the toolkit format, with its schema', () => {
    expect(yml).toMatch(/^# yaml-language-server: \$schema=https:\/\/aka\.ms\/m365-agents-toolkits\/(v[\d.]+)\/yaml\.schema\.json\n/);
    const schemaVersion = /m365-agents-toolkits\/(v[\d.]+)\//.exec(yml)![1];
    expect(yml).toMatch(new RegExp(`^version: ${schemaVersion!.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('provisions the Entra app, the bot and the Teams app, and builds the same package', () => {
    expect(steps(yml, 'provision')).toEqual([
      'teamsApp/create',
      'aadApp/create',
      'botAadApp/create',
      'aadApp/update',
      'botFramework/create',
      'cli/runNpmCommand',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    expect(yml).toContain('manifestPath: ./aad.manifest.json');
    // The toolkit zips the templates with the generated command menu (npm run manifest), not the bare template.
    expect(yml).toMatch(/- uses: cli\/runNpmCommand\n {4}name: assemble the app package\n {4}with:\n {6}args: run manifest\n/);
    expect(yml).not.toContain('manifestPath: ./appPackage/manifest.json');
    expect(yml).toContain('manifestPath: ./appPackage/build/app/manifest.json');
    expect(yml).toContain('outputZipPath: ./appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip');
    expect(yml).toContain('messagingEndpoint: ${{BOT_ENDPOINT}}/api/messages');
  });

  it('writes variables under the names the bot reads (secrets as SECRET_*)', () => {
    const written = [...yml.matchAll(/^ {6}\w+: ([A-Z][A-Z0-9_]*)$/gm)].map((m) => m[1]!);
    expect(written).toEqual(expect.arrayContaining(['TEAMS_APP_ID', 'BOT_ID', 'AAD_APP_CLIENT_ID', 'AAD_APP_TENANT_ID']));
    for (const name of written) {
      expect(BOT_SETTINGS.has(name) || TOOLKIT_ONLY.has(name) || name.startsWith('SECRET_')).toBe(true);
    }
  });
});

describe('deploy', () => {
  it('dev builds with npm and zip-deploys to the App Service', () => {
    expect(steps(read('m365agents.yml'), 'deploy')).toEqual(['cli/runNpmCommand', 'cli/runNpmCommand', 'azureAppService/zipDeploy']);
    expect(fs.existsSync(path.join(ROOT, 'scripts', 'deploy.webappignore'))).toBe(true);
  });

  it('local writes the bot settings, under their names, to ./.env', () => {
    const yml = read('m365agents.local.yml');
    expect(steps(yml, 'deploy')).toEqual(['cli/runNpmCommand', 'cli/runNpmCommand', 'file/createOrUpdateEnvironmentFile']);
    const envs = /envs:\n((?: {8}\w+: .*\n?)+)/.exec(yml)![1]!;
    const keys = [...envs.matchAll(/^ {8}(\w+):/gm)].map((m) => m[1]!);
    expect(keys).toEqual(expect.arrayContaining(['BOT_ID', 'BOT_PASSWORD', 'AAD_APP_CLIENT_ID', 'AAD_APP_CLIENT_SECRET', 'BOT_ENDPOINT']));
    for (const k of keys) expect(BOT_SETTINGS.has(k)).toBe(true);
  });
});

describe('aad.manifest.json', () => {
  const aad = JSON.parse(read('aad.manifest.json'));

  it('exposes access_as_user on api://botid-{BOT_ID}, pre-authorized for the Teams clients', () => {
    expect(aad.appId).toBe('${{AAD_APP_CLIENT_ID}}');
    expect(aad.identifierUris).toEqual(['api://botid-${{BOT_ID}}']);
    const [scope] = aad.api.oauth2PermissionScopes;
    expect(scope).toMatchObject({ value: 'access_as_user', type: 'User', isEnabled: true, id: '${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}}' });
    expect(aad.api.preAuthorizedApplications).toEqual([
      { appId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', delegatedPermissionIds: [scope.id] },
      { appId: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346', delegatedPermissionIds: [scope.id] },
    ]);
  });

  it("asks for Partner Center's delegated user_impersonation and redirects to the bot's sign-in callback", () => {
    expect(aad.requiredResourceAccess).toContainEqual({
      resourceAppId: 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd',
      resourceAccess: [{ id: '1cebfa2a-fb4d-419e-b5f9-839b4383e05a', type: 'Scope' }],
    });
    expect(aad.web.redirectUris).toEqual(['https://${{BOT_DOMAIN}}/auth/callback']);
  });
});

describe('no real id or secret', () => {
  it.each(['m365agents.yml', 'm365agents.local.yml', 'aad.manifest.json', 'env/.env.local', 'env/.env.dev', 'appPackage/manifest.json'])('%s', (file) => {
    const text = read(file);
    for (const guid of text.match(GUIDS) ?? []) expect(WELL_KNOWN.has(guid.toLowerCase())).toBe(true);
    expect(text).not.toMatch(/(PASSWORD|SECRET)[A-Z_]*=\S/);
  });
});
