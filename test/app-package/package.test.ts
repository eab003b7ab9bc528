/**
 * `npm run package`: one zip per environment, every placeholder filled from that environment (and the process
 * environment), validated before zipping, refused with every missing variable named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// jest cannot load the ES module strip-bom that @microsoft/app-manifest requires: see helpers.ts.
jest.mock(require('./helpers').STRIP_BOM, () => require('./helpers').stripBom);
import {
  PackageError,
  buildAppPackage,
  findEnvironments,
  loadEnvironment,
  packageEnvironments,
  substituteJson,
} from '../../scripts/package-app';
import { crc32, readZip, writeZip } from '../../scripts/zip';
import { parseEnvFile } from '../../src/config/env-file';
import { APP_PACKAGE, ROOT, SAMPLE_VARS, decodePng } from './helpers';

const EXPECTED_ENTRIES = ['manifest.json', 'color.png', 'outline.png', 'fr.json', 'it.json', 'bg.json'];

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'partner-ops-package-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A project root in `dir` with a copy of appPackage/ (never writing into the repository) and the given env/ files. */
function project(envFiles: Record<string, string>, dir = tmp): string {
  fs.cpSync(APP_PACKAGE, path.join(dir, 'appPackage'), { recursive: true, filter: (src) => path.basename(src) !== 'build' });
  fs.mkdirSync(path.join(dir, 'env'));
  for (const [name, text] of Object.entries(envFiles)) fs.writeFileSync(path.join(dir, 'env', name), text);
  return dir;
}

const envText = (vars: Record<string, string>) =>
  Object.entries(vars)
    .map(([k, v]) => `${k}="${v}"`)
    .join('\n');

describe('building the package', () => {
  // One build of two environments, shared by the tests that read the zips (validation is the slow part).
  const otherBot = '9e8d7c6b-5a49-4382-b716-0f1e2d3c4b5a';
  let built: { root: string; results: Awaited<ReturnType<typeof packageEnvironments>> };
  beforeAll(async () => {
    const { BOT_ID: _b, ...withoutBot } = SAMPLE_VARS;
    const root = project(
      {
        '.env.dev': `# dev\n${envText(SAMPLE_VARS)}\n`,
        '.env.staging': `${envText(withoutBot)}\nBOT_ID=\n`,
        '.env.staging.user': 'SECRET_BOT_PASSWORD=not-in-the-package\n',
      },
      fs.mkdtempSync(path.join(os.tmpdir(), 'partner-ops-package-')),
    );
    const results = await packageEnvironments({ root, processEnv: { BOT_ID: otherBot, TEAMS_APP_ID: 'ignored' } });
    built = { root, results };
  });
  afterAll(() => fs.rmSync(built.root, { recursive: true, force: true }));

  const zipOf = (env: string) => readZip(fs.readFileSync(path.join(built.root, 'appPackage', 'build', `appPackage.${env}.zip`)));
  const jsonIn = (entries: ReturnType<typeof readZip>, name: string) => JSON.parse(entries.find((e) => e.name === name)!.data.toString('utf8'));

  it('builds appPackage/build/appPackage.<env>.zip for each environment file', () => {
    expect(built.results.map((r) => [r.environment, r.error?.message, r.zipPath])).toEqual([
      ['dev', undefined, path.join(built.root, 'appPackage', 'build', 'appPackage.dev.zip')],
      ['staging', undefined, path.join(built.root, 'appPackage', 'build', 'appPackage.staging.zip')],
    ]);
  });

  it('zips exactly the manifest, the icons and the localization files, with every placeholder filled', () => {
    const entries = zipOf('dev');
    expect(entries.map((e) => e.name).sort()).toEqual([...EXPECTED_ENTRIES].sort());
    expect(entries[0]!.name).toBe('manifest.json');
    for (const e of entries) {
      if (e.name.endsWith('.json')) {
        const text = e.data.toString('utf8');
        expect(text).not.toContain('${{');
        expect(() => JSON.parse(text)).not.toThrow();
      } else {
        expect(e.data.equals(fs.readFileSync(path.join(APP_PACKAGE, e.name)))).toBe(true);
      }
    }
    const manifest = jsonIn(entries, 'manifest.json');
    expect(manifest.id).toBe(SAMPLE_VARS['TEAMS_APP_ID']);
    expect(manifest.bots[0].botId).toBe(SAMPLE_VARS['BOT_ID']);
    // The message extension is the bot's: the same id, filled in.
    expect(manifest.composeExtensions[0].botId).toBe(SAMPLE_VARS['BOT_ID']);
    for (const file of ['fr.json', 'it.json', 'bg.json']) expect(jsonIn(entries, file)['composeExtensions[0].commands[2].title']).toEqual(expect.any(String));
    expect(manifest.webApplicationInfo).toEqual({ id: SAMPLE_VARS['AAD_APP_CLIENT_ID'], resource: `api://botid-${SAMPLE_VARS['BOT_ID']}` });
    expect(manifest.validDomains).toEqual([SAMPLE_VARS['BOT_DOMAIN']]);
    expect(manifest.name.short).toBe('Partner Ops (dev)');
    expect(jsonIn(entries, 'fr.json')['name.short']).toBe('Partner Ops (dev)');
    expect(decodePng(entries.find((e) => e.name === 'color.png')!.data).width).toBe(192);
  });

  it('takes from the process environment only what an environment file leaves unset or empty', () => {
    expect(jsonIn(zipOf('dev'), 'manifest.json').bots[0].botId).toBe(SAMPLE_VARS['BOT_ID']);
    expect(jsonIn(zipOf('staging'), 'manifest.json').bots[0].botId).toBe(otherBot);
    expect(jsonIn(zipOf('staging'), 'manifest.json').id).toBe(SAMPLE_VARS['TEAMS_APP_ID']);
    expect(zipOf('staging').some((e) => e.data.toString('utf8').includes('not-in-the-package'))).toBe(false);
  });

  it('refuses an environment that misses variables, naming every one, and writes nothing', async () => {
    const { BOT_ID: _b, AAD_APP_CLIENT_ID: _a, ...partial } = SAMPLE_VARS;
    const root = project({ '.env.dev': `${envText(partial)}\nAAD_APP_CLIENT_ID=\n` });
    const outDir = path.join(tmp, 'out');
    const [result] = await packageEnvironments({ root, outDir, processEnv: {} });
    expect(result!.zipPath).toBeUndefined();
    expect(result!.error).toBeInstanceOf(PackageError);
    expect(result!.error!.missing).toEqual(['AAD_APP_CLIENT_ID', 'BOT_ID']);
    expect(result!.error!.message).toMatch(/appPackage\.dev\.zip.*2 variable\(s\) missing: AAD_APP_CLIENT_ID, BOT_ID/);
    expect(result!.error!.message).toContain('BOT_ID: used in manifest.json');
    expect(fs.existsSync(outDir)).toBe(false);
  });

  it('refuses a package that fails the official schema, with the schema error', async () => {
    await expect(buildAppPackage(APP_PACKAGE, { ...SAMPLE_VARS, BOT_ID: 'not-a-guid' })).rejects.toThrow(/manifest\.json: \/bots\/0\/botId must match pattern/);
  });
});

describe('environments', () => {
  it('the repository has env/.env.local and env/.env.dev, with no id or secret in them', () => {
    expect(findEnvironments(path.join(ROOT, 'env'))).toEqual(expect.arrayContaining(['dev', 'local']));
    for (const name of ['local', 'dev']) {
      const text = fs.readFileSync(path.join(ROOT, 'env', `.env.${name}`), 'utf8');
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
      const vars = Object.fromEntries(parseEnvFile(text).values);
      expect(vars['TEAMSFX_ENV']).toBe(name);
      for (const k of ['TEAMS_APP_ID', 'BOT_ID', 'AAD_APP_CLIENT_ID', 'BOT_DOMAIN']) expect(vars[k]).toBe('');
      expect(Object.keys(vars).filter((k) => /SECRET|PASSWORD/.test(k))).toEqual([]);
    }
  });

  it('finds .env.<name> files, not .user files nor .env itself', () => {
    const root = project({ '.env.dev': '', '.env.local': '', '.env.dev.user': '', '.env': '', 'README.md': '' });
    expect(findEnvironments(path.join(root, 'env'))).toEqual(['dev', 'local']);
  });

  it("reads the toolkit's files with the bot's .env reader: same values, and a line it cannot read stops the build", () => {
    const root = project({
      '.env.dev': '\uFEFF# comment\nA=1\nexport B = two words # note\nC=" (local)"\nD=\'x # y\'\nE=\nF="a\\nb"\n',
      '.env.bad': 'A=1\nnot a line\n',
    });
    expect(loadEnvironment(path.join(root, 'env'), 'dev')).toMatchObject({ A: '1', B: 'two words', C: ' (local)', D: 'x # y', E: '', F: 'a\nb' });
    expect(() => loadEnvironment(path.join(root, 'env'), 'bad')).toThrow(/\.env\.bad has 1 line\(s\) it cannot read[^\n]*\n {2}- \S*\.env\.bad line 2: expected NAME=value, got `not …`/);
  });

  it('defaults TEAMSFX_ENV to the name and BOT_DOMAIN to the host of BOT_ENDPOINT', () => {
    const root = project({ '.env.dev': 'BOT_ENDPOINT=https://partner-ops-dev.example.net\nBOT_DOMAIN=\n' });
    const vars = loadEnvironment(path.join(root, 'env'), 'dev');
    expect(vars['TEAMSFX_ENV']).toBe('dev');
    expect(vars['BOT_DOMAIN']).toBe('partner-ops-dev.example.net');
  });

  it('JSON-escapes values and lets only APP_NAME_SUFFIX be empty', () => {
    const r = substituteJson('{"a":"x${{S}}","b":"${{APP_NAME_SUFFIX}}","c":"${{ E }}"}', { S: ' "q" \\', APP_NAME_SUFFIX: '', E: '' });
    expect(r.missing).toEqual(['E']);
    expect(JSON.parse(substituteJson('{"a":"x${{S}}","b":"${{APP_NAME_SUFFIX}}"}', { S: ' "q" \\', APP_NAME_SUFFIX: '' }).text)).toEqual({ a: 'x "q" \\', b: '' });
  });
});

describe('zip writer', () => {
  it('round-trips names and bytes, with correct CRC-32', () => {
    const entries = [
      { name: 'a.txt', data: Buffer.from('hello '.repeat(100)) },
      { name: 'é.bin', data: Buffer.from([0, 1, 2, 3]) },
      { name: 'empty', data: Buffer.alloc(0) },
    ];
    const zip = writeZip(entries);
    expect(readZip(zip)).toEqual(entries);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(writeZip(entries).equals(zip)).toBe(true);
    expect(() => writeZip([entries[0]!, entries[0]!])).toThrow(/duplicate/);
  });
});
