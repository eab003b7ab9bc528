/**
 * The stored template IR (cards/compiled/, made by `npm run cards:compile`) is exactly what the compiler's
 * front end (src/cards/template-ir.ts, over adaptivecards-templating's own parse) makes from the current
 * cards/*.json, so the compiled templates cannot drift from the templates. And when the stored IR is missing
 * or made from another version of a template, the bot compiles that template from the library's parse
 * instead, with the same output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CARD_NAMES, CARDS_DIR, COMPILED_DIR, expand, renderHooks, templateDigest, type CardName } from '../../src/cards/render';
import { expectedCompiledFiles, formatJson, storedIr } from '../../src/cards/template-ir';
import { LOCALES, translator } from '../../src/i18n';
import { CARDS } from './cases';

test('cards/compiled/ is what `npm run cards:compile` makes from the current cards/*.json', () => {
  const expected = expectedCompiledFiles();
  const present = readdirSync(COMPILED_DIR).sort();
  const stale: string[] = [];
  for (const file of new Set([...present, ...expected.keys()])) {
    let text: string | undefined;
    try {
      text = readFileSync(join(COMPILED_DIR, file), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== expected.get(file)) stale.push(`cards/compiled/${file}: ${text === undefined ? 'missing' : expected.has(file) ? 'differs' : 'not expected'} (run npm run cards:compile)`);
  }
  expect(stale).toEqual([]);
  // Every template is compilable (so every one has its file).
  expect([...expected.keys()].sort()).toEqual(CARD_NAMES.map((n) => `${n}.json`).sort());
});

test('the stored text reads back as the same IR', () => {
  for (const name of CARD_NAMES) {
    const ir = storedIr(name, readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8'));
    expect(JSON.parse(formatJson(ir))).toStrictEqual(ir);
  }
});

test("a template's digest is of its content, not of its formatting", () => {
  const text = readFileSync(join(CARDS_DIR, 'message.json'), 'utf8');
  const json = JSON.parse(text) as object;
  expect(templateDigest(JSON.stringify(json))).toBe(templateDigest(text));
  expect(templateDigest(JSON.stringify(json, null, 4).replace(/\n/g, '\r\n'))).toBe(templateDigest(text));
  expect(templateDigest(JSON.stringify({ ...json, version: '1.4' }))).not.toBe(templateDigest(text));
});

describe('without usable stored IR', () => {
  // Every expansion the card cases make, and odd data for every template (absent fields, other types: the
  // fallback), each with its output and path through the stored IR.
  const expansions: Array<{ name: CardName; data: object; card: unknown; compiled: boolean }> = [];
  const odd: object[] = [{}, { title: null, items: 'x', count: 3 }, { Title: 'A', title: 'B', items: [], notes: [], notesMore: '' }];
  beforeAll(() => {
    renderHooks.onExpand = (name, data, card, compiled) => expansions.push({ name, data, card, compiled });
    try {
      for (const c of CARDS) for (const locale of LOCALES) c.render(translator(locale));
      for (const name of CARD_NAMES)
        for (const data of odd) {
          try {
            expand(name, data);
          } catch {
            // the library's error: no expansion to compare
          }
        }
    } finally {
      renderHooks.onExpand = undefined;
    }
    expect(expansions.filter((e) => e.compiled).length).toBeGreaterThan(CARDS.length * LOCALES.length);
  });

  /** src/cards/render.ts loaded afresh, with cards/compiled/<name>.json read as `stored(name, text)` gives it. */
  function renderWith(stored: (name: string, text: string) => string): typeof import('../../src/cards/render') {
    let render: typeof import('../../src/cards/render') | undefined;
    jest.isolateModules(() => {
      jest.doMock('node:fs', () => {
        const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
        return {
          ...fs,
          readFileSync: (path: string, ...rest: unknown[]) => {
            const text = (fs.readFileSync as (...a: unknown[]) => string | Buffer)(path, ...rest);
            const p = String(path);
            return p.startsWith(COMPILED_DIR) ? stored(p.slice(COMPILED_DIR.length + 1, -'.json'.length), String(text)) : text;
          },
        };
      });
      render = require('../../src/cards/render') as typeof import('../../src/cards/render');
    });
    jest.dontMock('node:fs');
    return render!;
  }

  const cases: Array<[string, (name: string, text: string) => string]> = [
    [
      'missing',
      () => {
        throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
      },
    ],
    ['made from another version of the template', (_n, text) => text.replace(/"source": "[0-9a-f]+"/, `"source": "${'0'.repeat(64)}"`)],
    ['of another format', (_n, text) => text.replace(/"format": \d+/, '"format": 999')],
    ['not an IR', (_n, text) => text.replace(/"template": \{/, '"template": {"array": 1, ')],
    ['not JSON', () => '{'],
  ];
  test.each(cases)('%s: the template is compiled from the library’s parse, with the same output', (_label, stored) => {
    const read: string[] = [];
    const render = renderWith((name, text) => {
      read.push(name);
      return stored(name, text);
    });
    for (const name of CARD_NAMES) expect({ name, compiled: render.isCompiled(name) }).toEqual({ name, compiled: true });
    expect(read.sort()).toEqual([...CARD_NAMES].sort());
    const seen: boolean[] = [];
    render.renderHooks.onExpand = (_n, _d, _c, compiled) => seen.push(compiled);
    for (const e of expansions) expect(render.expand(e.name, e.data)).toStrictEqual(e.card);
    expect(seen).toEqual(expansions.map((e) => e.compiled));
  });

  test('a current stored IR is used as it is (the same expansions, by the same path)', () => {
    const read: string[] = [];
    const render = renderWith((name, text) => {
      read.push(name);
      return text;
    });
    const seen: boolean[] = [];
    render.renderHooks.onExpand = (_n, _d, _c, compiled) => seen.push(compiled);
    for (const e of expansions) expect(render.expand(e.name, e.data)).toStrictEqual(e.card);
    expect(seen).toEqual(expansions.map((e) => e.compiled));
    expect(new Set(read)).toEqual(new Set(expansions.map((e) => e.name)));
  });
});
