/**
 * `npm run package`: builds the Teams app package (the zip a Teams admin uploads) for each environment.
 *
 * For every environment file `env/.env.<name>` (Microsoft 365 Agents Toolkit layout; `env/.env.<name>.user`,
 * where the toolkit keeps secrets, is read too), it:
 *   1. inserts the bot's command menu, generated from the command registry and the i18n catalogs
 *      (scripts/manifest-commands.ts), into the template appPackage/manifest.json and its localization files;
 *      fills every `${{VAR}}` in them from that environment,
 *      then from the process environment (which only fills what the file leaves unset or empty);
 *   2. refuses with one message listing every variable still missing;
 *   3. validates the manifest and each localization file against the official schemas bundled with
 *      @microsoft/app-manifest (offline), and checks the icons' sizes;
 *   4. writes appPackage/build/appPackage.<name>.zip with manifest.json, the icons and the localization files
 *      at the root.
 *
 *   npm run package                 every environment in env/
 *   npm run package -- dev          only env/.env.dev (several names allowed)
 *
 * Everything is exported for the tests (test/app-package/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { EnvFileError, readEnvFile } from '../src/config/env-file';
import { assembleMenu, productMenu, type AssembledMenu, type MenuSource } from './manifest-commands';
import { writeZip, type ZipEntry } from './zip';

/** `${{NAME}}`, the Teams/Agents Toolkit placeholder syntax. */
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Variables that may be set to an empty value (production has no name suffix); all others must be non-empty. */
export const MAY_BE_EMPTY: ReadonlySet<string> = new Set(['APP_NAME_SUFFIX']);

/** Icon sizes Teams requires. */
const ICON_SIZES: Readonly<Record<string, number>> = { color: 192, outline: 32, color32x32: 32 };

export class PackageError extends Error {
  readonly problems: readonly string[];
  /** The variables that were missing, when that is why the package was refused. */
  readonly missing: readonly string[];
  constructor(summary: string, problems: string[], missing: string[] = []) {
    super(problems.length ? `${summary}\n${problems.map((p) => `  - ${p}`).join('\n')}` : summary);
    this.name = 'PackageError';
    this.problems = problems;
    this.missing = missing;
  }
}

// --- environment files ----------------------------------------------------------------------------------

/**
 * One environment file, read by the bot's own `.env` reader (src/config/env-file.ts, where the rules are
 * written): a line it cannot read stops the build, naming the file and the line, instead of being dropped.
 */
function readEnvironmentFile(file: string): Record<string, string> {
  try {
    return Object.fromEntries(readEnvFile(file));
  } catch (e) {
    if (e instanceof EnvFileError) {
      throw e.problems.length > 0
        ? new PackageError(`${file} has ${e.problems.length} line(s) it cannot read; each line must be NAME=value, a # comment or empty:`, [...e.problems])
        : new PackageError(e.message.replace(/^Partner Ops cannot start: /, ''), []);
    }
    throw e;
  }
}

/** The environments in an env folder: `.env.<name>`, not `.env.<name>.user` nor `.env` itself. */
export function findEnvironments(envDir: string): string[] {
  if (!fs.existsSync(envDir)) return [];
  return fs
    .readdirSync(envDir)
    .map((f) => /^\.env\.([A-Za-z0-9_-]+)$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort();
}

/**
 * The variables of one environment: env/.env.<name>, overlaid by env/.env.<name>.user, with gaps (unset or
 * empty) filled from `processEnv`. TEAMSFX_ENV defaults to the name; BOT_DOMAIN defaults to BOT_ENDPOINT's host.
 */
export function loadEnvironment(envDir: string, name: string, processEnv: NodeJS.ProcessEnv = {}): Record<string, string> {
  const file = path.join(envDir, `.env.${name}`);
  if (!fs.existsSync(file)) throw new PackageError(`No environment "${name}": ${file} does not exist.`, []);
  const vars: Record<string, string> = readEnvironmentFile(file);
  const userFile = `${file}.user`;
  if (fs.existsSync(userFile)) Object.assign(vars, readEnvironmentFile(userFile));
  for (const [k, v] of Object.entries(processEnv)) {
    if (v !== undefined && v !== '' && (vars[k] === undefined || vars[k] === '')) vars[k] = v;
  }
  if (!vars['TEAMSFX_ENV']) vars['TEAMSFX_ENV'] = name;
  if (!vars['BOT_DOMAIN'] && vars['BOT_ENDPOINT']) {
    try {
      vars['BOT_DOMAIN'] = new URL(vars['BOT_ENDPOINT']).host;
    } catch {
      // left missing: reported with the others
    }
  }
  return vars;
}

// --- placeholders ---------------------------------------------------------------------------------------

export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

export function isSet(vars: Readonly<Record<string, string | undefined>>, name: string): boolean {
  const v = vars[name];
  return v !== undefined && (v !== '' || MAY_BE_EMPTY.has(name));
}

/**
 * Replaces every placeholder in a JSON text. Placeholders stand inside JSON strings, so values are
 * JSON-escaped. Returns the variables that are missing (the text is then not usable).
 */
export function substituteJson(text: string, vars: Readonly<Record<string, string | undefined>>): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const out = text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!isSet(vars, name)) {
      missing.add(name);
      return whole;
    }
    return JSON.stringify(vars[name]).slice(1, -1);
  });
  return { text: out, missing: [...missing].sort() };
}

// --- schemas (offline) ----------------------------------------------------------------------------------

const SCHEMA_URL = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?(json-schemas\/teams\/v[0-9.]+\/MicrosoftTeams(?:\.Localization)?\.schema\.json)$/i;

function bundledSchemasDir(): string {
  // @microsoft/app-manifest's main is build/index.js; its schemas are in build/json-schemas/.
  return path.dirname(require.resolve('@microsoft/app-manifest'));
}

/**
 * Loads the official schema a `$schema` URL names from the copy bundled with @microsoft/app-manifest, so
 * validation never goes to the network. Two known defects of the published schemas are repaired the way
 * @microsoft/app-manifest does for the first, without changing what they accept:
 * - `\a` and `\v` escapes, which JavaScript regular expressions lack (the library does the same);
 * - the Localization schemas since v1.10 have `…\b]\.description$` patterns with an unescaped `]`, an error
 *   in the unicode mode ajv compiles patterns with (MicrosoftDocs/msteams-docs#8858); it is escaped.
 */
export function loadBundledSchema(schemaUrl: unknown): object {
  const m = typeof schemaUrl === 'string' ? SCHEMA_URL.exec(schemaUrl) : null;
  if (!m) {
    throw new PackageError(`Cannot validate offline: "$schema" must be a developer.microsoft.com Teams schema URL (got ${String(schemaUrl)}).`, []);
  }
  const file = path.join(bundledSchemasDir(), m[1]!);
  if (!fs.existsSync(file)) {
    throw new PackageError(`Cannot validate offline: @microsoft/app-manifest does not bundle ${m[1]} (${schemaUrl}).`, []);
  }
  const raw = fs.readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  const schema = JSON.parse(raw) as { patternProperties?: Record<string, unknown> };
  if (schema.patternProperties) {
    const fixed: Record<string, unknown> = {};
    for (const [pattern, sub] of Object.entries(schema.patternProperties)) {
      fixed[compilesAsUnicode(pattern) ? pattern : pattern.replace(/\\b\]/g, '\\b\\]')] = sub;
    }
    schema.patternProperties = fixed;
  }
  return schema;
}

function compilesAsUnicode(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Validates a manifest or localization file against the official schema its `$schema` names. */
export async function validateAgainstOfficialSchema(json: { $schema?: unknown }): Promise<string[]> {
  const schema = loadBundledSchema(json.$schema);
  // The library's types are for manifests; a localization file is validated the same way.
  return AppManifestUtils.validateAgainstSchema(json as never, schema as never);
}

// --- the package ----------------------------------------------------------------------------------------

interface ManifestShape {
  $schema?: string;
  icons?: Record<string, string>;
  localizationInfo?: { defaultLanguageFile?: string; additionalLanguages?: Array<{ languageTag: string; file: string }> };
}

/** The files of the package, manifest first: manifest.json, the icons, the localization files. */
export function packageFiles(manifest: ManifestShape): { icons: Array<[string, string]>; localizations: string[] } {
  const icons = Object.entries(manifest.icons ?? {});
  const localizations = [
    ...(manifest.localizationInfo?.defaultLanguageFile ? [manifest.localizationInfo.defaultLanguageFile] : []),
    ...(manifest.localizationInfo?.additionalLanguages ?? []).map((l) => l.file),
  ];
  return { icons, localizations };
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngSize(data: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length < 24 || !data.subarray(0, 8).equals(signature) || data.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function readPackageFile(appPackageDir: string, relative: string, problems: string[]): Buffer | undefined {
  if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
    problems.push(`${relative}: must be a path inside appPackage/`);
    return undefined;
  }
  const file = path.join(appPackageDir, relative);
  if (!fs.existsSync(file)) {
    problems.push(`${relative}: the manifest names it but appPackage/${relative} does not exist`);
    return undefined;
  }
  return fs.readFileSync(file);
}

/**
 * Builds the package for one set of variables: substitution, validation, zip. Throws a PackageError listing
 * every missing variable, or every schema/file problem.
 */
export async function buildAppPackage(
  appPackageDir: string,
  vars: Readonly<Record<string, string | undefined>>,
  label = 'the app package',
  menuSource: MenuSource = productMenu(),
): Promise<{ zip: Buffer; entries: ZipEntry[]; manifest: Record<string, unknown>; menu: AssembledMenu }> {
  const { texts, icons, menu } = assembleAppPackage(appPackageDir, menuSource, label);
  const problems: string[] = [];

  // 1. Every placeholder of every file, all missing variables reported at once.
  const resolved = new Map<string, string>();
  const missing = new Map<string, string[]>();
  for (const [file, text] of texts) {
    const r = substituteJson(text, vars);
    resolved.set(file, r.text);
    for (const name of r.missing) missing.set(name, [...(missing.get(name) ?? []), file]);
  }
  if (missing.size) {
    const names = [...missing.keys()].sort();
    throw new PackageError(
      `Cannot build ${label}: ${names.length} variable(s) missing: ${names.join(', ')}.`,
      names.map((n) => `${n}: used in ${missing.get(n)!.join(', ')}`),
      names,
    );
  }

  // 2. Schemas, the icons, no placeholder left.
  const entries: ZipEntry[] = [];
  let manifest: Record<string, unknown> = {};
  for (const [file, text] of resolved) {
    if (text.includes('${{')) problems.push(`${file}: a malformed \${{…}} placeholder is left`);
    let json: { $schema?: unknown };
    try {
      json = JSON.parse(text) as { $schema?: unknown };
    } catch (e) {
      problems.push(`${file}: not valid JSON after substitution (${(e as Error).message})`);
      continue;
    }
    if (file === 'manifest.json') manifest = json as Record<string, unknown>;
    try {
      for (const error of await validateAgainstOfficialSchema(json)) problems.push(`${file}: ${error}`);
    } catch (e) {
      problems.push(`${file}: ${(e as Error).message}`);
    }
    entries.push({ name: file, data: Buffer.from(text, 'utf8') });
  }
  const iconEntries: ZipEntry[] = [];
  for (const [kind, file] of icons) {
    const data = readPackageFile(appPackageDir, file, problems);
    if (!data) continue;
    const size = pngSize(data);
    const want = ICON_SIZES[kind];
    if (!size) problems.push(`${file}: not a PNG`);
    else if (want && (size.width !== want || size.height !== want)) {
      problems.push(`${file}: the ${kind} icon must be ${want}x${want} pixels (it is ${size.width}x${size.height})`);
    }
    iconEntries.push({ name: file, data });
  }
  if (problems.length) throw new PackageError(`Cannot build ${label}: ${problems.length} validation problem(s).`, problems);

  const ordered = [entries[0]!, ...iconEntries, ...entries.slice(1)];
  return { zip: writeZip(ordered), entries: ordered, manifest, menu };
}

/**
 * The package's JSON files as templates (placeholders kept) with the command menu generated from the registry
 * and the catalogs (scripts/manifest-commands.ts), and its icons. Throws a PackageError for a missing file or
 * a menu that cannot be built (a command without its catalog text, a template that still lists commands).
 */
export function assembleAppPackage(appPackageDir: string, menuSource: MenuSource, label = 'the app package'): { texts: Map<string, string>; icons: Array<[string, string]>; menu: AssembledMenu } {
  const manifestText = fs.readFileSync(path.join(appPackageDir, 'manifest.json'), 'utf8');
  const { icons, localizations } = packageFiles(JSON.parse(manifestText) as ManifestShape);
  const problems: string[] = [];
  const templates = new Map<string, string>([['manifest.json', manifestText]]);
  for (const file of localizations) {
    const data = readPackageFile(appPackageDir, file, problems);
    if (data) templates.set(file, data.toString('utf8'));
  }
  if (problems.length) throw new PackageError(`Cannot build ${label}: ${problems.length} file problem(s).`, problems);
  const { texts, menu } = assembleMenu(templates, menuSource);
  if (menu.problems.length) throw new PackageError(`Cannot build ${label}: the command menu has ${menu.problems.length} problem(s).`, menu.problems);
  return { texts, icons, menu };
}

export interface PackageResult {
  environment: string;
  zipPath?: string;
  /** The app's short name as people will see it in Teams (with the environment's APP_NAME_SUFFIX). */
  appName?: string;
  error?: PackageError;
  /** Commands that asked for a full Teams menu scope and are not in it (see CommandSpec.menuRank). */
  menuLeftOut?: AssembledMenu['leftOut'];
}

/** Builds appPackage/build/appPackage.<env>.zip for each environment (all of env/ when none is named). */
export async function packageEnvironments(options: {
  root: string;
  environments?: readonly string[];
  processEnv?: NodeJS.ProcessEnv;
  envDir?: string;
  outDir?: string;
}): Promise<PackageResult[]> {
  const appPackageDir = path.join(options.root, 'appPackage');
  const envDir = options.envDir ?? path.join(options.root, 'env');
  const outDir = options.outDir ?? path.join(appPackageDir, 'build');
  const names = options.environments?.length ? [...options.environments] : findEnvironments(envDir);
  if (names.length === 0) {
    return [{ environment: '(none)', error: new PackageError(`No environment files in ${envDir} (expected .env.<name>, e.g. .env.dev).`, []) }];
  }
  const results: PackageResult[] = [];
  for (const environment of names) {
    const zipName = `appPackage.${environment}.zip`;
    try {
      const vars = loadEnvironment(envDir, environment, options.processEnv ?? {});
      const { zip, manifest, menu } = await buildAppPackage(appPackageDir, vars, `${zipName} (env/.env.${environment})`);
      fs.mkdirSync(outDir, { recursive: true });
      const zipPath = path.join(outDir, zipName);
      fs.writeFileSync(zipPath, zip);
      const appName = (manifest['name'] as { short?: string } | undefined)?.short;
      results.push({ environment, zipPath, appName, ...(menu.leftOut.length ? { menuLeftOut: menu.leftOut } : {}) });
    } catch (e) {
      if (!(e instanceof PackageError)) throw e;
      results.push({ environment, error: e });
    }
  }
  return results;
}

/** The project root: the nearest folder above this file holding appPackage/manifest.json. */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'appPackage', 'manifest.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('appPackage/manifest.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

async function main(argv: string[]): Promise<number> {
  const root = projectRoot();
  const results = await packageEnvironments({ root, environments: argv, processEnv: process.env });
  let failed = 0;
  for (const r of results) {
    if (r.zipPath) {
      // The name shown, so a package meant for people is not uploaded as "Partner Ops (dev)" by mistake.
      process.stdout.write(`✔ ${r.environment}: ${path.relative(root, r.zipPath)}, shown in Teams as "${r.appName ?? ''}"\n`);
      for (const { scope, names } of r.menuLeftOut ?? []) {
        process.stdout.write(`  the ${scope} command menu is full (Teams shows 10): not in it: ${names.join(', ')} (menuRank decides)\n`);
      }
    } else {
      failed++;
      process.stderr.write(`✘ ${r.environment}: ${r.error!.message}\n`);
      if (r.error!.missing.length) {
        process.stderr.write(
          `  Set them in env/.env.${r.environment} (the Agents Toolkit's provision writes them) or in the environment,\n` +
            `  e.g. BOT_ID=… npm run package -- ${r.environment}\n`,
        );
      }
    }
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
