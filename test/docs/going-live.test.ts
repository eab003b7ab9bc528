/**
 * The going-live checklist (docs/going-live.md) followed here as far as it can be without Azure: its
 * deployment command against the template's parameters, the outputs it reads against the template's
 * outputs, the order of its steps, its zip against the image, and its Teams package step run for real.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageEnvironments } from '../../scripts/package-app';
import { readZip } from '../../scripts/zip';

jest.mock(require('../app-package/helpers').STRIP_BOM, () => require('../app-package/helpers').stripBom);

const ROOT = path.join(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const DOC = read('docs/going-live.md');
const BICEP = read('infra/main.bicep');

/** `param name type [= default]`, with whether a default is given. */
const PARAMS = new Map([...BICEP.matchAll(/^param (\w+) \w+( =)?/gm)].map((m) => [m[1]!, m[2] !== undefined] as const));
const OUTPUTS = [...BICEP.matchAll(/^output (\w+) /gm)].map((m) => m[1]!);

/** The checklist: from its heading to the next `## `. */
const CHECKLIST = DOC.slice(DOC.indexOf('\n## The checklist\n'), DOC.indexOf('\n## ', DOC.indexOf('\n## The checklist\n') + 5));

/** A shell command of the checklist, its continuation lines joined. */
function command(start: string): string {
  const at = CHECKLIST.indexOf(start);
  expect(at).toBeGreaterThan(0);
  const lines: string[] = [];
  for (const line of CHECKLIST.slice(at).split('\n')) {
    lines.push(line.trim().replace(/\\$/, ''));
    if (!line.trimEnd().endsWith('\\')) break;
  }
  return lines.join(' ');
}

describe('the going-live checklist against the template', () => {
  it('the deployment command gives only parameters the template has, and every required one the file leaves empty', () => {
    const deploy = command('az deployment group create');
    const given = [...deploy.matchAll(/\s(\w+)="\$\w+"/g)].map((m) => m[1]!);
    expect(given.filter((p) => !PARAMS.has(p))).toEqual([]);
    const file = (JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> }).parameters;
    expect(Object.keys(file).filter((p) => !PARAMS.has(p))).toEqual([]);
    const required = [...PARAMS].filter(([, hasDefault]) => !hasDefault).map(([p]) => p);
    const filled = (p: string) => given.includes(p) || (file[p] !== undefined && file[p].value !== '');
    expect(required.filter((p) => !filled(p))).toEqual([]);
    // The file ships no id of anyone's: what identifies a deployment comes from the checklist's variables.
    expect(JSON.stringify(file)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/i);
    expect(deploy).toContain('-p @infra/main.parameters.json');
  });

  it('the parameter table lists every parameter of the template, and nothing else', () => {
    const section = DOC.slice(DOC.indexOf('\n### Template parameters\n'), DOC.indexOf('\n### ', DOC.indexOf('\n### Template parameters\n') + 5));
    const listed = section
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .flatMap((row) => [...row.split('|')[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
    expect([...listed].sort()).toEqual([...PARAMS.keys()].sort());
  });

  it('the web app is named by the checklist: BOT_ENDPOINT is known before the redirect URI is added', () => {
    expect(PARAMS.get('webAppName')).toBe(false); // no default: the deployment cannot make up another name
    expect(BICEP).toMatch(/resource webApp '[^']+' = \{\n  name: webAppName\n/);
    expect(command('az deployment group create')).toContain('webAppName="$WEBAPP"');
    const order = ['az login', 'az group create', 'WEBAPP=', 'BOT_ENDPOINT="https://$WEBAPP.azurewebsites.net"', '/auth/callback', 'BOT_ID=', 'read -rsp', 'az deployment group create', 'az webapp deploy', 'npm run package -- prod'];
    const at = order.map((s) => CHECKLIST.indexOf(s));
    expect(at.every((i) => i > 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it('reads only outputs the template has, and names all of them', () => {
    const read = [...DOC.matchAll(/properties\.outputs\.(\w+)/g)].map((m) => m[1]!);
    expect(read.filter((o) => !OUTPUTS.includes(o))).toEqual([]);
    const named = /Its outputs: ([^.]+)\./.exec(CHECKLIST)?.[1] ?? '';
    expect([...named.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort()).toEqual([...OUTPUTS].sort());
  });

  it('no secret is typed on a command line: the client secret is read with read -rs, the keys are generated', () => {
    for (const [name, how] of [['BOT_PASSWORD', /read -rsp '[^']*' BOT_PASSWORD/], ['TOKEN_CACHE_KEY', /TOKEN_CACHE_KEY=\$\(openssl rand -base64 48\)/], ['CARD_SIGNING_KEY', /CARD_SIGNING_KEY=\$\(openssl rand -base64 48\)/]] as const) {
      expect({ name, set: how.test(CHECKLIST) }).toEqual({ name, set: true });
      expect({ name, typed: new RegExp(`${name}=(?!\\$\\()`).test(CHECKLIST) }).toEqual({ name, typed: false });
    }
  });

  it('the numbered steps run 1, 2, 3, … and every "step N" it mentions exists', () => {
    const numbers = [...CHECKLIST.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    const mentioned = [...DOC.matchAll(/steps? (\d+)(?: (?:to|and) (\d+))?/g)].flatMap((m) => [Number(m[1]), ...(m[2] ? [Number(m[2])] : [])]);
    expect(mentioned.filter((n) => n < 1 || n > numbers.length)).toEqual([]);
  });

  it("the zip holds what the image's runtime stage holds", () => {
    const zip = command('zip -qr partner-ops.zip').split(/\s+/).slice(3);
    const image = [...read('Dockerfile').matchAll(/^COPY --from=build \/app\/(\S+)(?: \/app\/(\S+))? /gm)].flatMap((m) => [m[1]!, ...(m[2] ? [m[2]] : [])]);
    expect(image.length).toBeGreaterThan(3);
    expect([...zip].sort()).toEqual([...image].sort());
  });
});

describe("the checklist's Teams package", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'going-live-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('written by its heredoc and built with npm run package -- prod, is named "Partner Ops", with no (dev)', async () => {
    const heredoc = /cat > env\/\.env\.prod <<EOF\n([\s\S]*?)\n\s*EOF\n/.exec(CHECKLIST)?.[1];
    expect(heredoc).toBeDefined();
    const shell: Record<string, string> = {
      TEAMS_APP_ID: '0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3',
      BOT_ID: '1c2d3e4f-5061-4b7c-9d8e-9fa0b1c2d3e4',
      BOT_ENDPOINT: 'https://partnerops-contoso.azurewebsites.net',
    };
    const text = heredoc!.replace(/^\s+/gm, '').replace(/\$(\w+)/g, (_, n: string) => shell[n] ?? '');
    fs.mkdirSync(path.join(tmp, 'env'));
    fs.writeFileSync(path.join(tmp, 'env', '.env.prod'), text);
    const [result] = await packageEnvironments({ root: ROOT, envDir: path.join(tmp, 'env'), outDir: path.join(tmp, 'out'), environments: ['prod'], processEnv: {} });
    expect(result!.error?.message).toBeUndefined();
    expect(result!.appName).toBe('Partner Ops');
    const entries = readZip(fs.readFileSync(result!.zipPath!));
    const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.data.toString('utf8'));
    expect(manifest.name).toEqual({ short: 'Partner Ops', full: 'Partner Ops for Microsoft Partner Center' });
    // BOT_DOMAIN left empty: the host of BOT_ENDPOINT, the template's botDomain output.
    expect(manifest.validDomains).toEqual(['partnerops-contoso.azurewebsites.net']);
    expect(manifest.developer.privacyUrl).toBe('https://partnerops-contoso.azurewebsites.net/privacy');
    for (const file of ['fr.json', 'it.json', 'bg.json']) {
      expect(JSON.parse(entries.find((e) => e.name === file)!.data.toString('utf8'))['name.short']).toBe('Partner Ops');
    }
  });

  it('the repository ships env/.env.prod with no suffix, no id and no secret', () => {
    const text = read('env/.env.prod');
    expect(text).toMatch(/^APP_NAME_SUFFIX=$/m);
    expect(text).toMatch(/^TEAMSFX_ENV=prod$/m);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/i);
    expect(text).not.toMatch(/SECRET|PASSWORD/);
  });
});
