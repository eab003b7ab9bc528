/**
 * `npm run cards:compile`: writes cards/compiled/<name>.json, the IR of each card template (cards/<name>.json)
 * as adaptivecards-templating parses it (src/cards/template-ir.ts), which src/cards/render.ts builds its
 * compiled templates from without loading the library. A template that is not compilable gets no file, and
 * files for templates that no longer exist are removed. Run it after editing a card;
 * test/cards/compiled-ir.test.ts fails until it has been run.
 *
 *   npm run cards:compile            write the files
 *   npm run cards:compile -- --check only report what differs (exit 1 when something does)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COMPILED_DIR } from '../src/cards/render';
import { expectedCompiledFiles } from '../src/cards/template-ir';

function main(): number {
  const check = process.argv.includes('--check');
  const expected = expectedCompiledFiles();
  mkdirSync(COMPILED_DIR, { recursive: true });
  const present = readdirSync(COMPILED_DIR).filter((f) => f.endsWith('.json'));
  const shown = (f: string) => relative(process.cwd(), join(COMPILED_DIR, f));
  const changed: string[] = [];
  for (const [file, text] of expected) {
    let old: string | undefined;
    try {
      old = readFileSync(join(COMPILED_DIR, file), 'utf8');
    } catch {
      old = undefined;
    }
    if (old === text) continue;
    changed.push(`${old === undefined ? 'new' : 'changed'} ${shown(file)}`);
    if (!check) writeFileSync(join(COMPILED_DIR, file), text);
  }
  for (const file of present) {
    if (expected.has(file)) continue;
    changed.push(`removed ${shown(file)} (no such template, or not compilable)`);
    if (!check) rmSync(join(COMPILED_DIR, file));
  }
  for (const line of changed) console.log(line);
  console.log(`${expected.size} compiled template(s) in ${shown('') || '.'}${changed.length === 0 ? ', all up to date' : check ? `, ${changed.length} out of date` : ''}`);
  return check && changed.length > 0 ? 1 : 0;
}

process.exitCode = main();
