/**
 * The one reader of `.env` files, and where their rules are written down. It reads `.env` once at start-up,
 * before the configuration, for both entry points (`npm start` and `node dist/src/main.js`, through
 * `loadSettingsOrExit` in src/main.ts), and the Agents Toolkit's `env/.env.<name>` files for the Teams app
 * package (scripts/package-app.ts, through readEnvFile).
 *
 * Real environment variables win: a setting already in the environment is never replaced by the file's.
 * The format is the usual one (the Agents Toolkit writes it, `.env.example` shows it):
 *
 *   # a comment                          blank lines and comments are skipped
 *   NAME=value                           spaces around `=` and the value are trimmed
 *   export NAME=value                    `export ` is allowed (a shell can source the file)
 *   NAME=value # a comment               ` #` starts a comment in an unquoted value
 *   NAME="a # b\nline two"               double quotes: `#` kept, \n \r \t \" \\ escapes, may span lines
 *   NAME='literal $ # \n'                single quotes: taken as written
 *   NAME=                                empty: the setting's default (as if unset): not applied, not counted
 *
 * A line that is none of these (no `=`, a name with spaces, an unclosed quote) is an error naming the file
 * and the line, and the process does not start: a setting silently dropped is worse than a refusal.
 * (Node's own `process.loadEnvFile` is not used: in Node 20 it silently skips such lines, or glues them to
 * the next line's name.) Values are never logged.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface EnvFileRead {
  /** Absolute path of the file that was read. */
  path: string;
  /** Names taken from the file (those with a value: an empty one means unset). */
  applied: string[];
  /** Names the file gives a value that the environment already set (the environment's value is kept). */
  overridden: string[];
}

export class EnvFileError extends Error {
  readonly problems: readonly string[];
  constructor(path: string, problems: string[], unreadable?: string) {
    super(
      unreadable !== undefined
        ? `Partner Ops cannot start: ${path} exists but cannot be read (${unreadable}).`
        : `Partner Ops cannot start: ${path} has ${problems.length} line(s) it cannot read.\n` +
            problems.map((p) => `  - ${p}`).join('\n') +
            '\nEach line must be NAME=value, a # comment or empty (see .env.example). Fix or remove those lines.',
    );
    this.name = 'EnvFileError';
    this.problems = problems;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** Parses a .env text. `name` is used in messages ("file line N: …"). Returns the values and every problem. */
export function parseEnvFile(text: string, name = '.env'): { values: Map<string, string>; problems: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const body = trimmed.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    if (eq < 0) {
      // The line is never echoed whole: it may be a secret with its `=` missing (`AAD_APP_CLIENT_SECRET abc…`).
      const lead = /^([A-Za-z_][A-Za-z0-9_]*)(\s|$)/.exec(body)?.[1];
      const shown = lead === undefined ? 'a line with no name and no =' : lead === body ? `\`${lead}\`` : `\`${lead} …\` (a space where = belongs?)`;
      problems.push(`${name} line ${lineNo}: expected NAME=value, got ${shown}`);
      continue;
    }
    const key = body.slice(0, eq).trim();
    if (!NAME.test(key)) {
      problems.push(`${name} line ${lineNo}: \`${key.length > 40 ? `${key.slice(0, 37)}…` : key}\` is not a setting name (letters, digits and _, not starting with a digit)`);
      continue;
    }
    let rest = body.slice(eq + 1).trimStart();
    let value: string;
    if (rest.startsWith('"')) {
      // Double quotes: escapes, and the value may go on over the following lines until the closing quote.
      let out = '';
      let closedAt = -1;
      let j = 1;
      for (;;) {
        for (; j < rest.length; j++) {
          const c = rest[j]!;
          if (c === '\\' && j + 1 < rest.length) {
            const n = rest[++j]!;
            out += ESCAPES[n] ?? `\\${n}`;
          } else if (c === '"') {
            closedAt = j;
            break;
          } else out += c;
        }
        if (closedAt >= 0 || i + 1 >= lines.length) break;
        out += '\n';
        i++;
        j = rest.length + 1;
        rest += `\n${lines[i]!}`;
      }
      if (closedAt < 0) {
        problems.push(`${name} line ${lineNo}: the value of ${key} opens a double quote that is never closed`);
        continue;
      }
      const after = rest.slice(closedAt + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        problems.push(`${name} line ${lineNo}: unexpected text after the quoted value of ${key}: \`${after}\``);
        continue;
      }
      value = out;
    } else if (rest.startsWith("'")) {
      const close = rest.indexOf("'", 1);
      if (close < 0) {
        problems.push(`${name} line ${lineNo}: the value of ${key} opens a single quote that is not closed on that line`);
        continue;
      }
      const after = rest.slice(close + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        problems.push(`${name} line ${lineNo}: unexpected text after the quoted value of ${key}: \`${after}\``);
        continue;
      }
      value = rest.slice(1, close);
    } else {
      const comment = rest.search(/(^|\s)#/);
      value = (comment >= 0 ? rest.slice(0, comment) : rest).trim();
    }
    values.set(key, value); // a name given twice: the last line wins
  }
  return { values, problems };
}

/**
 * Reads `path` (default: `.env` in the working directory) into `env` when the file exists; names `env`
 * already has are left as they are. Returns what was read, or undefined when there is no file. Throws an
 * EnvFileError listing every unreadable line (nothing is applied then).
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env, path: string = resolve('.env')): EnvFileRead | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnvFileError(path, [], (e as Error).message);
  }
  const values = parseOrThrow(text, path);
  const applied: string[] = [];
  const overridden: string[] = [];
  for (const [key, value] of values) {
    // `NAME=` is the setting left at its default (`cp .env.example .env` gives ~37 of them): nothing read.
    if (value === '') continue;
    if (env[key] !== undefined) {
      overridden.push(key);
    } else {
      env[key] = value;
      applied.push(key);
    }
  }
  return { path, applied, overridden };
}

/**
 * Every NAME=value of the file at `path`, empty values included (a Teams package template may use one), by
 * the same rules. Throws an EnvFileError naming every unreadable line, or when the file cannot be read.
 */
export function readEnvFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new EnvFileError(path, [], (e as Error).message);
  }
  return parseOrThrow(text, path);
}

function parseOrThrow(text: string, path: string): Map<string, string> {
  const { values, problems } = parseEnvFile(text, path);
  if (problems.length > 0) throw new EnvFileError(path, problems);
  return values;
}
