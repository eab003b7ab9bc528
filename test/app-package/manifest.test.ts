/**
 * The Teams app manifest template and its localization files, validated offline against the official schemas
 * bundled with @microsoft/app-manifest once sample values are filled in.
 */
import fs from 'node:fs';
import path from 'node:path';
// jest cannot load the ES module strip-bom that @microsoft/app-manifest requires (Node 20.19+ can): stand in
// an equivalent CommonJS function, by absolute path since it is the library's own nested copy.
jest.mock(require('./helpers').STRIP_BOM, () => require('./helpers').stripBom);
import { loadBundledSchema, placeholdersIn, substituteJson, validateAgainstOfficialSchema } from '../../scripts/package-app';
import { APP_PACKAGE, SAMPLE_VARS, assembledJson, assembledText, readJson, readText } from './helpers';

const BUNDLED = path.join(path.dirname(require.resolve('@microsoft/app-manifest')), 'json-schemas', 'teams');
const LOCALIZATIONS = ['fr.json', 'it.json', 'bg.json'];
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** A package file with sample values: as assembled (command menu included) unless the template is asked for. */
function filled(file: string, text = assembledText(file)): any {
  const r = substituteJson(text, SAMPLE_VARS);
  expect(r.missing).toEqual([]);
  return JSON.parse(r.text);
}

describe('manifest.json', () => {
  const template = readJson('manifest.json');

  it('is on the newest manifest version @microsoft/app-manifest bundles', () => {
    const versions = fs
      .readdirSync(BUNDLED)
      .filter((d) => /^v\d+\.\d+$/.test(d) && fs.existsSync(path.join(BUNDLED, d, 'MicrosoftTeams.schema.json')))
      .map((d) => d.slice(1))
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    const newest = versions[versions.length - 1];
    expect(template.manifestVersion).toBe(newest);
    expect(template.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${newest}/MicrosoftTeams.schema.json`);
  });

  it('validates against the official schema with sample values, as a template and once the command menu is in', async () => {
    expect(await validateAgainstOfficialSchema(filled('manifest.json', readText('manifest.json')))).toEqual([]);
    expect(await validateAgainstOfficialSchema(filled('manifest.json'))).toEqual([]);
  });

  it('is a template: ids, domain and name suffix are Teams Toolkit placeholders, no id is hard-coded', () => {
    const text = readText('manifest.json');
    expect(placeholdersIn(text)).toEqual(['AAD_APP_CLIENT_ID', 'APP_NAME_SUFFIX', 'BOT_DOMAIN', 'BOT_ID', 'TEAMS_APP_ID']);
    expect(text).not.toMatch(GUID);
    expect(template.id).toBe('${{TEAMS_APP_ID}}');
    expect(template.bots[0].botId).toBe('${{BOT_ID}}');
    expect(template.webApplicationInfo).toEqual({ id: '${{AAD_APP_CLIENT_ID}}', resource: 'api://botid-${{BOT_ID}}' });
    expect(template.validDomains).toEqual(['${{BOT_DOMAIN}}']);
    expect(template.developer.privacyUrl).toBe('https://${{BOT_DOMAIN}}/privacy');
    expect(template.developer.termsOfUseUrl).toBe('https://${{BOT_DOMAIN}}/terms');
  });

  it('declares a conversational bot in personal, team and group chat scopes', () => {
    const bot = template.bots[0];
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(false);
    expect(bot.isNotificationOnly).toBe(false);
  });

  it('declares the search message extension on the bot, and unfurls Partner Center portal links', () => {
    const [ce, ...more] = template.composeExtensions;
    expect(more).toEqual([]);
    expect(ce.botId).toBe('${{BOT_ID}}');
    expect(ce.commands.map((c: any) => [c.id, c.type, c.fetchTask])).toEqual([
      ['customers', 'query', false],
      ['subscriptions', 'query', false],
      ['serviceRequests', 'query', false],
    ]);
    // The search box is each command's first parameter; the route reads these names.
    expect(ce.commands.map((c: any) => c.parameters.map((p: any) => p.name))).toEqual([['query'], ['customer'], ['query', 'status']]);
    const status = ce.commands[2].parameters[1];
    expect(status.choices.map((c: any) => c.value)).toEqual(['any', 'open', 'closed', 'attention']);
    expect(ce.messageHandlers).toEqual([{ type: 'link', value: { domains: ['partner.microsoft.com'] } }]);
  });

  it('lists fr-fr, it-it and bg-bg with files that exist', () => {
    expect(template.localizationInfo.defaultLanguageTag).toBe('en-us');
    expect(template.localizationInfo.additionalLanguages).toEqual([
      { languageTag: 'fr-fr', file: 'fr.json' },
      { languageTag: 'it-it', file: 'it.json' },
      { languageTag: 'bg-bg', file: 'bg.json' },
    ]);
    for (const f of LOCALIZATIONS) expect(fs.existsSync(path.join(APP_PACKAGE, f))).toBe(true);
  });
});

describe.each(LOCALIZATIONS)('%s', (file) => {
  // As Teams gets them: the command strings are generated (test/app-package/commands.test.ts).
  const manifest = assembledJson('manifest.json');
  const loc = assembledJson(file);

  it('validates against the official Localization schema of the same version, with sample values', async () => {
    expect(loc.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.Localization.schema.json`);
    expect(await validateAgainstOfficialSchema(filled(file))).toEqual([]);
  });

  it('translates the name, the descriptions, the features and every command description', () => {
    const keys = new Set(Object.keys(loc));
    for (const k of ['name.short', 'name.full', 'description.short', 'description.full']) expect(keys).toContain(k);
    manifest.description.features.forEach((_: unknown, i: number) => {
      expect(keys).toContain(`description.features[${i}].title`);
      expect(keys).toContain(`description.features[${i}].description`);
    });
    manifest.bots[0].commandLists.forEach((list: any, i: number) => {
      list.commands.forEach((c: any, j: number) => {
        const d = loc[`bots[0].commandLists[${i}].commands[${j}].description`];
        expect(typeof d).toBe('string');
        expect(d).not.toBe(c.description);
      });
    });
    manifest.composeExtensions[0].commands.forEach((c: any, i: number) => {
      const at = `composeExtensions[0].commands[${i}]`;
      for (const [key, english] of [[`${at}.title`, c.title], [`${at}.description`, c.description]]) {
        expect({ key, translated: typeof loc[key] === 'string' && loc[key] !== english }).toEqual({ key, translated: true });
      }
      c.parameters.forEach((p: any, j: number) => {
        for (const field of ['title', 'description']) {
          const key = `${at}.parameters[${j}].${field}`;
          expect({ key, translated: typeof loc[key] === 'string' && loc[key] !== p[field] }).toEqual({ key, translated: true });
        }
        (p.choices ?? []).forEach((choice: any, k: number) => {
          const key = `${at}.parameters[${j}].choices[${k}].title`;
          expect({ key, translated: typeof loc[key] === 'string' && loc[key] !== choice.title }).toEqual({ key, translated: true });
        });
      });
    });
    expect(loc['description.full']).not.toBe(manifest.description.full);
    expect(placeholdersIn(readText(file))).toEqual(['APP_NAME_SUFFIX']);
  });

  it('has no key the manifest has nothing for', () => {
    for (const key of Object.keys(loc)) {
      const m = /^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(title|description)$/.exec(key);
      if (m) expect(manifest.bots[0].commandLists[Number(m[1])]?.commands[Number(m[2])]).toBeDefined();
      const c = /^composeExtensions\[0\]\.commands\[(\d+)\](?:\.parameters\[(\d+)\](?:\.choices\[(\d+)\])?)?\./.exec(key);
      if (c) {
        const command = manifest.composeExtensions[0].commands[Number(c[1])];
        expect(command).toBeDefined();
        if (c[2] !== undefined) expect(command.parameters[Number(c[2])]).toBeDefined();
        if (c[3] !== undefined) expect(command.parameters[Number(c[2])].choices[Number(c[3])]).toBeDefined();
      }
      const f = /^description\.features\[(\d+)\]\./.exec(key);
      if (f) expect(manifest.description.features[Number(f[1])]).toBeDefined();
    }
  });
});

describe('offline schema loading', () => {
  it('repairs the published Localization schema pattern ajv cannot compile, and only that', () => {
    const url = 'https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.Localization.schema.json';
    const original = JSON.parse(fs.readFileSync(path.join(BUNDLED, 'v1.30', 'MicrosoftTeams.Localization.schema.json'), 'utf8'));
    const repaired = loadBundledSchema(url) as any;
    const before = Object.keys(original.patternProperties);
    const after = Object.keys(repaired.patternProperties);
    expect(after).toHaveLength(before.length);
    const changed = after.filter((k) => !before.includes(k));
    expect(changed.length).toBeGreaterThan(0);
    for (const k of after) expect(() => new RegExp(k, 'u')).not.toThrow();
    for (const k of changed) expect(k).toMatch(/^\^activities\.activityTypes/);
  });

  it('refuses a schema it does not bundle rather than fetching it', () => {
    expect(() => loadBundledSchema('https://developer.microsoft.com/json-schemas/teams/v9.99/MicrosoftTeams.schema.json')).toThrow(/does not bundle/);
    expect(() => loadBundledSchema('https://example.com/schema.json')).toThrow(/Cannot validate offline/);
  });
});
