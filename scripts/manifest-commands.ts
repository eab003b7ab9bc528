/**
 * The Teams manifest's bot command menu, generated from the command registry (src/features COMMANDS) and the
 * i18n catalogs, so that a command is declared once: appPackage/manifest.json is a template without
 * `commandLists`, and its localization files hold no command string. `npm run package` inserts, for each bot
 * scope, the commands whose spec lists that scope in `menu` (described by the catalog's `menu.<name>`), and
 * the localized descriptions under the positional keys Teams' localization format requires; those keys are
 * computed here, so inserting a command renumbers nothing by hand.
 *
 * scripts/package-app.ts inserts it before filling the placeholders; `npm run manifest` (scripts/assemble-app.ts)
 * writes the assembled templates for the Agents Toolkit's steps.
 *
 * The message extension's search commands are not bot commands (Teams routes them by id to the extension's
 * handlers, with parameters and choices of their own) and stay declared in the template; their localized
 * strings are keyed by id, not position, too (searchStringsByPosition).
 */
import type { CommandSpec, MenuScope } from '../src/commands/contract';
import { resolveLocale, translator, type Locale } from '../src/i18n';

/** Teams' limits: commands per scope list (the schema's maxItems), title and description lengths (maxLength). */
export const MAX_MENU_COMMANDS = 10;
export const MAX_TITLE_LENGTH = 32;
export const MAX_DESCRIPTION_LENGTH = 128;

/** Where the menu's words come from: a command's description in a locale, or undefined when it has none. */
export type MenuText = (locale: Locale, name: string) => string | undefined;
export interface MenuSource {
  commands: readonly Pick<CommandSpec, 'name' | 'menu' | 'menuRank'>[];
  text: MenuText;
}

/** The catalogs' `menu.<name>` (a plain message: no values). */
export const catalogMenuText: MenuText = (locale, name) => translator(locale).maybe('menu', name);

export interface CommandList {
  scopes: MenuScope[];
  commands: Array<{ title: string; description: string }>;
}

export interface AssembledMenu {
  lists: CommandList[];
  /** Commands that asked for a scope whose list was full (lowest `menuRank` first, then registry order). */
  leftOut: Array<{ scope: MenuScope; names: string[] }>;
  problems: string[];
}

/** The commands shown in one scope's menu, in registry order, and those that did not fit. */
export function menuFor(commands: MenuSource['commands'], scope: MenuScope): { shown: string[]; leftOut: string[] } {
  const asking = commands.filter((c) => c.menu?.includes(scope));
  const kept = new Set(
    asking
      .map((c, i) => ({ c, i }))
      .sort((a, b) => (a.c.menuRank ?? 0) - (b.c.menuRank ?? 0) || a.i - b.i)
      .slice(0, MAX_MENU_COMMANDS)
      .map(({ c }) => c),
  );
  return { shown: asking.filter((c) => kept.has(c)).map((c) => c.name), leftOut: asking.filter((c) => !kept.has(c)).map((c) => c.name) };
}

/** One list per scope of the bot, with the English descriptions (the manifest's default language). */
export function commandLists(botScopes: readonly string[], source: MenuSource): AssembledMenu {
  const problems: string[] = [];
  const leftOut: AssembledMenu['leftOut'] = [];
  const lists: CommandList[] = [];
  for (const scope of botScopes as MenuScope[]) {
    const menu = menuFor(source.commands, scope);
    if (menu.leftOut.length) leftOut.push({ scope, names: menu.leftOut });
    if (!menu.shown.length) continue;
    for (const name of menu.shown) {
      if (name.length > MAX_TITLE_LENGTH) problems.push(`command "${name}": Teams allows menu titles of ${MAX_TITLE_LENGTH} characters at most`);
    }
    lists.push({ scopes: [scope], commands: menu.shown.map((name) => ({ title: name, description: describe(source, 'en-US', name, problems) })) });
  }
  return { lists, leftOut, problems };
}

function describe(source: MenuSource, locale: Locale, name: string, problems: string[]): string {
  const text = source.text(locale, name);
  if (text === undefined || text === '') {
    problems.push(`command "${name}" is in the Teams menu but src/i18n/messages/${locale}.ts has no 'menu.${name}'`);
    return '';
  }
  if (text.length > MAX_DESCRIPTION_LENGTH) problems.push(`${locale} 'menu.${name}': Teams allows ${MAX_DESCRIPTION_LENGTH} characters at most (it has ${text.length})`);
  return text;
}

/**
 * The localization file's command strings, under the keys Teams requires (`bots[0].commandLists[i].commands[j]`):
 * the title stays the English command word (the grammar is English), the description is the locale's.
 */
export function localizedCommandStrings(lists: readonly CommandList[], locale: Locale, source: MenuSource, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  lists.forEach((list, i) =>
    list.commands.forEach((c, j) => {
      out[`bots[0].commandLists[${i}].commands[${j}].title`] = c.title;
      out[`bots[0].commandLists[${i}].commands[${j}].description`] = describe(source, locale, c.title, problems);
    }),
  );
  return out;
}

interface SearchCommand {
  id: string;
  parameters?: Array<{ name: string; choices?: Array<{ value: string }> }>;
}

interface TemplateShape {
  bots?: Array<{ scopes?: string[]; commandLists?: unknown }>;
  composeExtensions?: Array<{ commands?: SearchCommand[] }>;
  localizationInfo?: { additionalLanguages?: Array<{ languageTag: string; file: string }> };
}

/**
 * The manifest and localization texts with the command menu inserted (placeholders untouched). `texts` maps
 * each file name to its template text, manifest.json first; a template that already has command lists or
 * command strings is refused, so the registry stays the only place they come from.
 */
export function assembleMenu(texts: ReadonlyMap<string, string>, source: MenuSource): { texts: Map<string, string>; menu: AssembledMenu } {
  const manifest = JSON.parse(texts.get('manifest.json') ?? '{}') as TemplateShape;
  const bot = manifest.bots?.[0];
  if (!bot) return { texts: new Map(texts), menu: { lists: [], leftOut: [], problems: [] } };
  const menu = commandLists(bot.scopes ?? [], source);
  if (bot.commandLists !== undefined) menu.problems.push('manifest.json: bots[0].commandLists is generated from the command registry; remove it from the template');
  const out = new Map<string, string>([['manifest.json', JSON.stringify({ ...manifest, bots: [{ ...bot, commandLists: menu.lists }, ...manifest.bots!.slice(1)] }, null, 2) + '\n']]);
  const files = new Map((manifest.localizationInfo?.additionalLanguages ?? []).map((l) => [l.file, l.languageTag]));
  for (const [file, text] of texts) {
    if (file === 'manifest.json') continue;
    const tag = files.get(file);
    const locale = tag === undefined ? undefined : resolveLocale(tag);
    if (!tag || (locale === 'en-US' && !/^en\b/i.test(tag))) {
      if (tag) menu.problems.push(`${file}: there is no catalog for ${tag} in src/i18n/messages/`);
      out.set(file, text);
      continue;
    }
    const strings = searchStringsByPosition(file, JSON.parse(text) as Record<string, unknown>, manifest.composeExtensions?.[0]?.commands ?? [], menu.problems);
    for (const key of Object.keys(strings)) {
      if (key.startsWith('bots[0].commandLists')) menu.problems.push(`${file}: "${key}" is generated from the catalogs; remove it from the template`);
    }
    out.set(file, JSON.stringify({ ...strings, ...localizedCommandStrings(menu.lists, locale!, source, menu.problems) }, null, 2) + '\n');
  }
  // A command without its text is met once per scope and language: say it once.
  return { texts: out, menu: { ...menu, problems: [...new Set(menu.problems)] } };
}

/**
 * The message extension's search commands are declared in the template, and their localized strings are
 * keyed by command id, parameter name and choice value (`composeExtensions[0].commands[serviceRequests]
 * .parameters[status].choices[open].title`) so that inserting one renumbers nothing; Teams wants positions,
 * which are computed here. A positional key in the template, or a name the manifest does not declare, is
 * refused.
 */
export function searchStringsByPosition(file: string, strings: Record<string, unknown>, commands: readonly SearchCommand[], problems: string[]): Record<string, unknown> {
  const KEY = /^composeExtensions\[0\]\.commands\[([^\]]*)\](?:\.parameters\[([^\]]*)\](?:\.choices\[([^\]]*)\])?)?\.(title|description)$/;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(strings)) {
    const m = KEY.exec(key);
    if (!key.startsWith('composeExtensions')) {
      out[key] = value;
      continue;
    }
    const [, id, name, choice, field] = m ?? [];
    const c = commands.findIndex((x) => x.id === id);
    const p = name === undefined ? -1 : (commands[c]?.parameters ?? []).findIndex((x) => x.name === name);
    const v = choice === undefined ? -1 : (commands[c]?.parameters?.[p]?.choices ?? []).findIndex((x) => x.value === choice);
    if (!m || c < 0 || (name !== undefined && p < 0) || (choice !== undefined && v < 0)) {
      problems.push(`${file}: "${key}" names no search command, parameter or choice of the manifest's message extension (key them by id, name and value)`);
      continue;
    }
    out[`composeExtensions[0].commands[${c}]${name === undefined ? '' : `.parameters[${p}]`}${choice === undefined ? '' : `.choices[${v}]`}.${field}`] = value;
  }
  return out;
}

/** The registry's commands and the catalogs: loaded on first use, so that the module stays cheap to import. */
export function productMenu(): MenuSource {
  const { COMMANDS } = require('../src/features') as typeof import('../src/features');
  return { commands: COMMANDS, text: catalogMenuText };
}
