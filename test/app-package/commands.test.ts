/**
 * The bot's command menu in the manifest (and its localizations) is generated from the command registry and
 * the catalogs: it names only commands the grammar understands, exactly those whose spec asks for each scope,
 * at most 10 per scope as Teams allows; a command added to the registry appears with no manifest edit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// jest cannot load the ES module strip-bom that @microsoft/app-manifest requires: see helpers.ts.
jest.mock(require('./helpers').STRIP_BOM, () => require('./helpers').stripBom);
import { assembleMenu, catalogMenuText, type MenuSource } from '../../scripts/manifest-commands';
import { writeAssembledApp } from '../../scripts/assemble-app';
import { buildAppPackage, PackageError } from '../../scripts/package-app';
import { readZip } from '../../scripts/zip';
import { EVERYWHERE, type CommandSpec } from '../../src/commands/contract';
import { COMMANDS as USAGE, parseCommand } from '../../src/features';
import { CATALOGS, type Locale } from '../../src/i18n';
import { APP_PACKAGE, SAMPLE_VARS, assembledJson, readJson, readText } from './helpers';

type Lists = Array<{ scopes: string[]; commands: Array<{ title: string; description?: string }> }>;
const manifest = assembledJson('manifest.json');
const lists: Lists = manifest.bots[0].commandLists;
const USAGE_NAMES = new Set<string>(USAGE.map((u) => u.name));
const LOCALES: Record<string, Locale> = { 'fr.json': 'fr-FR', 'it.json': 'it-IT', 'bg.json': 'bg-BG' };

/** A title is a command when it parses, or when it is a usage name that only lacks its arguments. */
function isCommand(title: string): boolean {
  const r = parseCommand(title);
  if (r.ok) return true;
  return r.error.key === 'parse.missingArgument' && USAGE_NAMES.has(title);
}

describe('command lists', () => {
  it('has one list per bot scope, each with at most 10 commands and no duplicate', () => {
    const scopes = lists.flatMap((l) => l.scopes).sort();
    expect(scopes).toEqual([...manifest.bots[0].scopes].sort());
    for (const list of lists) {
      expect(list.commands.length).toBeGreaterThan(0);
      expect(list.commands.length).toBeLessThanOrEqual(10);
      const titles = list.commands.map((c) => c.title);
      expect(new Set(titles).size).toBe(titles.length);
    }
  });

  it.each(lists.flatMap((l) => l.commands.map((c) => [l.scopes.join(','), c.title] as const)))('%s: "%s" is a command the grammar understands', (_scope, title) => {
    expect(title).toBe(title.trim().toLowerCase());
    expect(isCommand(title)).toBe(true);
  });

  it('lists in each scope the commands the registry offers there, in registry order; a full scope keeps the lowest ranks', () => {
    for (const list of lists) {
      for (const scope of list.scopes) {
        const offered = USAGE.filter((c) => c.menu?.includes(scope as never));
        const titles = list.commands.map((c) => c.title);
        expect({ scope, titles }).toEqual({ scope, titles: offered.map((c) => c.name).filter((n) => titles.includes(n)) });
        expect(titles).toHaveLength(Math.min(10, offered.length));
        // Every command shown ranks before every command left out: a lower rank, or the same and earlier in the registry.
        const before = (a: CommandSpec, b: CommandSpec) =>
          (a.menuRank ?? 0) < (b.menuRank ?? 0) || ((a.menuRank ?? 0) === (b.menuRank ?? 0) && USAGE.indexOf(a) < USAGE.indexOf(b));
        const shown = offered.filter((c) => titles.includes(c.name));
        for (const out of offered.filter((c) => !titles.includes(c.name))) {
          for (const c of shown) expect({ shown: c.name, before: out.name, ok: before(c, out) }).toEqual({ shown: c.name, before: out.name, ok: true });
        }
      }
    }
  });

  it('offers help and service requests everywhere', () => {
    for (const list of lists) {
      const titles = list.commands.map((c) => c.title);
      expect(titles).toEqual(expect.arrayContaining(['help', 'sr list', 'sr', 'sr new']));
    }
  });

  // docs/teams-package.md ("The command menu") says why these ten: the deadlines and the activity log are daily
  // reads with nothing or a customer to type; a webhook registration is set up once, by an admin.
  it('offers the deadlines and the activity log in every scope, and the webhook setup in none', () => {
    for (const list of lists) {
      const titles = list.commands.map((c) => c.title);
      expect({ scopes: list.scopes, titles }).toEqual({ scopes: list.scopes, titles: expect.arrayContaining(['renewals', 'windows', 'activity']) });
      expect(titles.filter((t) => t.startsWith('webhooks'))).toEqual([]);
    }
    expect(lists.map((l) => l.commands.length)).toEqual(lists.map(() => 10));
  });

  it("describes every command briefly, in the en-US catalog's words", () => {
    for (const c of lists.flatMap((l) => l.commands)) {
      expect(c.description).toBe(CATALOGS['en-US'][`menu.${c.title}` as keyof (typeof CATALOGS)['en-US']]);
      expect(c.description!.length).toBeLessThanOrEqual(80);
    }
  });

  it('the check itself rejects what is not a command', () => {
    for (const t of ['sub lst', 'tickets', 'sr show', 'profile get']) expect(isCommand(t)).toBe(false);
  });

  it('the templates hold no command list and no command string: the registry is the only source', () => {
    expect(readJson('manifest.json').bots[0].commandLists).toBeUndefined();
    for (const file of Object.keys(LOCALES)) expect(readText(file)).not.toContain('commandLists');
  });
});

describe.each(Object.keys(LOCALES))('command lists in %s', (file) => {
  const loc = assembledJson(file) as Record<string, string>;
  const locale = LOCALES[file]!;

  it("keep the English command words as titles, and describe each command in the locale's catalog words", () => {
    lists.forEach((list, i) =>
      list.commands.forEach((c, j) => {
        const at = `bots[0].commandLists[${i}].commands[${j}]`;
        expect({ at, title: loc[`${at}.title`] }).toEqual({ at, title: c.title });
        const description = loc[`${at}.description`]!;
        expect({ at, description }).toEqual({ at, description: CATALOGS[locale][`menu.${c.title}` as keyof (typeof CATALOGS)['en-US']] });
        expect(description).not.toBe(c.description);
        expect(description.length).toBeLessThanOrEqual(80);
      }),
    );
    const commandKeys = Object.keys(loc).filter((k) => k.startsWith('bots[0].commandLists'));
    expect(commandKeys).toHaveLength(2 * lists.reduce((n, l) => n + l.commands.length, 0));
  });
});

// --- adding a command -------------------------------------------------------------------------------------

/** A write command a feature would declare: only what the menu reads matters here. */
const srAssign = { name: 'sr assign', menu: EVERYWHERE, menuRank: -1 } as const;
const ASSIGN_TEXT: Record<Locale, string> = {
  'en-US': 'Assign a request: sr assign <id> <agent>',
  'fr-FR': 'Attribuer une demande : sr assign <id> <agent>',
  'it-IT': 'Assegna una richiesta: sr assign <id> <agente>',
  'bg-BG': 'Възлага заявка: sr assign <id> <агент>',
};
/** The registry with `spec` declared right after `sr note` (or at the end), and the catalogs with its menu text. */
function registryWith(spec: Pick<CommandSpec, 'name' | 'menu' | 'menuRank'>, withText = true, at = USAGE.findIndex((c) => c.name === 'sr note') + 1): MenuSource {
  return {
    commands: [...USAGE.slice(0, at), spec, ...USAGE.slice(at)],
    text: (locale, name) => (withText && name === spec.name ? ASSIGN_TEXT[locale] : catalogMenuText(locale, name)),
  };
}

describe('adding a command', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'partner-ops-menu-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a spec added to the registry is in the built package: every scope it asks for, every language, renumbered for it', async () => {
    const { entries, menu } = await buildAppPackage(APP_PACKAGE, SAMPLE_VARS, 'the test package', registryWith(srAssign));
    const json = (name: string) => JSON.parse(entries.find((e) => e.name === name)!.data.toString('utf8'));
    const built: Lists = json('manifest.json').bots[0].commandLists;
    for (const list of built) {
      const titles = list.commands.map((c) => c.title);
      expect(titles.length).toBeLessThanOrEqual(10);
      // Declared after `sr note` (not in the menu): shown after `sr`, the last service-request command in it.
      expect(titles[titles.indexOf('sr') + 1]).toBe('sr assign');
      expect(list.commands.find((c) => c.title === 'sr assign')!.description).toBe(ASSIGN_TEXT['en-US']);
    }
    for (const [file, locale] of Object.entries(LOCALES)) {
      const loc = json(file);
      built.forEach((list, i) =>
        list.commands.forEach((c, j) => {
          const at = `bots[0].commandLists[${i}].commands[${j}]`;
          expect({ at, title: loc[`${at}.title`] }).toEqual({ at, title: c.title });
          const want = c.title === 'sr assign' ? ASSIGN_TEXT[locale] : CATALOGS[locale][`menu.${c.title}` as keyof (typeof CATALOGS)['en-US']];
          expect({ at, description: loc[`${at}.description`] }).toEqual({ at, description: want });
        }),
      );
    }
    // Each scope was full: its rank put it in, and the last unranked command of the registry's order made
    // room (and is named); renewals, windows and activity rank ahead of the unranked commands and stay.
    expect(menu.leftOut).toEqual([
      { scope: 'personal', names: ['sub set'] },
      { scope: 'team', names: ['sub set'] },
      { scope: 'groupChat', names: ['sub set'] },
    ]);
  });

  it('in a full scope the rank decides, then registry order: a command declared last is in only with a lower rank', () => {
    const assemble = (spec: Pick<CommandSpec, 'name' | 'menu' | 'menuRank'>) => {
      const { texts, menu } = assembleMenu(new Map([['manifest.json', readText('manifest.json')]]), registryWith(spec, true, USAGE.length));
      expect(menu.problems).toEqual([]);
      return { team: (JSON.parse(texts.get('manifest.json')!).bots[0].commandLists as Lists)[1]!.commands.map((c) => c.title), leftOut: menu.leftOut };
    };
    const unranked = assemble({ name: 'sr assign', menu: ['team'] });
    expect(unranked.team).toEqual(lists[1]!.commands.map((c) => c.title));
    expect(unranked.leftOut).toEqual([{ scope: 'team', names: ['sr assign'] }]);
    const ranked = assemble({ name: 'sr assign', menu: ['team'], menuRank: -1 });
    expect(ranked.team).toEqual([...lists[1]!.commands.map((c) => c.title).filter((t) => t !== 'sub set'), 'sr assign']);
    expect(ranked.leftOut).toEqual([{ scope: 'team', names: ['sub set'] }]);
  });

  it('refuses to build when a command in the menu has no text in the catalogs, naming the key', async () => {
    const error = await buildAppPackage(APP_PACKAGE, SAMPLE_VARS, 'the test package', registryWith(srAssign, false)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageError);
    expect((error as PackageError).problems).toEqual(
      ['en-US', 'fr-FR', 'it-IT', 'bg-BG'].map((l) => `command "sr assign" is in the Teams menu but src/i18n/messages/${l}.ts has no 'menu.sr assign'`),
    );
  });

  it('refuses a template that lists commands or holds command strings again', async () => {
    fs.cpSync(APP_PACKAGE, tmp, { recursive: true, filter: (src) => path.basename(src) !== 'build' });
    const template = readJson('manifest.json');
    template.bots[0].commandLists = lists;
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(template));
    fs.writeFileSync(path.join(tmp, 'it.json'), JSON.stringify({ ...readJson('it.json'), 'bots[0].commandLists[0].commands[0].title': 'help' }));
    const error = await buildAppPackage(tmp, SAMPLE_VARS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageError);
    expect((error as PackageError).problems).toEqual([
      'manifest.json: bots[0].commandLists is generated from the command registry; remove it from the template',
      'it.json: "bots[0].commandLists[0].commands[0].title" is generated from the catalogs; remove it from the template',
    ]);
  });

  it('npm run manifest writes the assembled templates the Agents Toolkit zips, placeholders kept', () => {
    const out = path.join(tmp, 'app');
    expect(writeAssembledApp(APP_PACKAGE, out).sort()).toEqual(['bg.json', 'color.png', 'fr.json', 'it.json', 'manifest.json', 'outline.png']);
    const written = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(written.bots[0].commandLists).toEqual(lists);
    expect(written.bots[0].botId).toBe('${{BOT_ID}}');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'fr.json'), 'utf8'))).toEqual(assembledJson('fr.json'));
    expect(fs.readFileSync(path.join(out, 'color.png')).equals(fs.readFileSync(path.join(APP_PACKAGE, 'color.png')))).toBe(true);
  });
});

describe("the message extension's search commands (declared in the template)", () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'partner-ops-search-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(Object.keys(LOCALES))('%s keys their strings by command id, parameter name and choice value, not by position', (file) => {
    const keys = Object.keys(readJson(file)).filter((k) => k.startsWith('composeExtensions'));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^composeExtensions\[0\]\.commands\[[A-Za-z]\w*\](\.parameters\[[A-Za-z]\w*\](\.choices\[[A-Za-z]\w*\])?)?\.(title|description)$/);
    expect(assembledJson(file)['composeExtensions[0].commands[2].parameters[1].choices[1].title']).toBe(readJson(file)['composeExtensions[0].commands[serviceRequests].parameters[status].choices[open].title']);
  });

  it('a search command inserted first renumbers nothing by hand: the package places every string by its id', async () => {
    fs.cpSync(APP_PACKAGE, tmp, { recursive: true, filter: (src) => path.basename(src) !== 'build' });
    const template = readJson('manifest.json');
    const invoices = { id: 'invoices', type: 'query', title: 'Invoices', description: 'Find an invoice', initialRun: false, fetchTask: false, context: ['compose'], parameters: [{ name: 'query', title: 'Number', description: 'The invoice number', inputType: 'text' }] };
    template.composeExtensions[0].commands.unshift(invoices);
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(template));
    const at = 'composeExtensions[0].commands[invoices]';
    fs.writeFileSync(path.join(tmp, 'fr.json'), JSON.stringify({ ...readJson('fr.json'), [`${at}.title`]: 'Factures', [`${at}.description`]: 'Trouver une facture', [`${at}.parameters[query].title`]: 'Numéro', [`${at}.parameters[query].description`]: 'Le numéro de facture' }));
    const { entries } = await buildAppPackage(tmp, SAMPLE_VARS);
    const fr = JSON.parse(entries.find((e) => e.name === 'fr.json')!.data.toString('utf8'));
    expect(fr['composeExtensions[0].commands[0].title']).toBe('Factures');
    expect(fr['composeExtensions[0].commands[0].parameters[0].title']).toBe('Numéro');
    expect(fr['composeExtensions[0].commands[3].title']).toBe('Demandes de service');
    expect(fr['composeExtensions[0].commands[3].parameters[1].choices[3].title']).toBe('À traiter');
  });

  it('refuses a positional key, or a name the manifest does not declare', async () => {
    fs.cpSync(APP_PACKAGE, tmp, { recursive: true, filter: (src) => path.basename(src) !== 'build' });
    const bad = ['composeExtensions[0].commands[0].title', 'composeExtensions[0].commands[invoices].title', 'composeExtensions[0].commands[serviceRequests].parameters[status].choices[pending].title'];
    fs.writeFileSync(path.join(tmp, 'bg.json'), JSON.stringify({ ...readJson('bg.json'), ...Object.fromEntries(bad.map((k) => [k, 'x'])) }));
    const error = await buildAppPackage(tmp, SAMPLE_VARS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackageError);
    expect((error as PackageError).problems).toEqual(bad.map((k) => `bg.json: "${k}" names no search command, parameter or choice of the manifest's message extension (key them by id, name and value)`));
  });
});

// The zip Teams gets carries the generated menu (the package test checks the rest of the zip).
test('the built package carries the generated menu', async () => {
  const { zip } = await buildAppPackage(APP_PACKAGE, SAMPLE_VARS);
  const fr = JSON.parse(readZip(zip).find((e) => e.name === 'fr.json')!.data.toString('utf8'));
  expect(fr['bots[0].commandLists[0].commands[4].title']).toBe(lists[0]!.commands[4]!.title);
});
