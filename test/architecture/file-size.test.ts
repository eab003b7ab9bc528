/**
 * No source file over 400 lines (issue 19, item 5): a file that long has more than one job, and the next
 * feature should find each job in a file of its own. Split by responsibility, not by line count.
 *
 * Read from the files themselves, the way `wc -l` counts them, under every folder of code the project
 * owns: src/, dev/, scripts/, bench/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const FOLDERS = ['src', 'dev', 'scripts', 'bench'];
const LIMIT = 400;

/**
 * The only files allowed over the limit, each with why. An entry that is no longer over the limit fails
 * the last check below, so the list cannot outlive its reasons.
 */
const ALLOWED: Record<string, string> = {
  // The i18n catalogs: one key a line, every message of the product in one language; splitting them would
  // only scatter the translators' work.
  'src/i18n/messages/en-US.ts': 'catalog',
  'src/i18n/messages/fr-FR.ts': 'catalog',
  'src/i18n/messages/it-IT.ts': 'catalog',
  'src/i18n/messages/bg-BG.ts': 'catalog',
};

function codeFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? codeFilesUnder(join(dir, e.name)) : /\.(ts|tsx|js|cjs|mjs|sh)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Lines as `wc -l` counts them: newline characters, plus a last line without one. */
function lineCount(text: string): number {
  const newlines = text.split('\n').length - 1;
  return text.length > 0 && !text.endsWith('\n') ? newlines + 1 : newlines;
}

/** Project-relative path (with forward slashes, as the allow-list writes them) → line count. */
function counts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const folder of FOLDERS) {
    for (const file of codeFilesUnder(join(ROOT, folder))) out.set(relative(ROOT, file).split('\\').join('/'), lineCount(readFileSync(file, 'utf8')));
  }
  return out;
}

describe('source file length', () => {
  const lines = counts();

  it('reads the files of every folder of code, counting lines as wc -l does', () => {
    expect(lines.size).toBeGreaterThan(150);
    for (const folder of FOLDERS) expect([...lines.keys()].some((p) => p.startsWith(`${folder}/`))).toBe(true);
    expect(lineCount('')).toBe(0);
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
  });

  it(`no file is over ${LIMIT} lines, outside the allow-list`, () => {
    const over = [...lines].filter(([path, n]) => n > LIMIT && !(path in ALLOWED)).map(([path, n]) => `${path}: ${n} lines`);
    expect(over).toEqual([]);
  });

  it('every allowed file still exists and is still over the limit (else drop it from the list)', () => {
    const stale = Object.keys(ALLOWED).filter((path) => !((lines.get(path) ?? 0) > LIMIT));
    expect(stale).toEqual([]);
  });
});
