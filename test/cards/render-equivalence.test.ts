/**
 * The compiled card templates (src/cards/render.ts) against adaptivecards-templating: every card the bot
 * sends (test/cards/cases.ts, shared with cards.test.ts), in every locale, must expand to exactly what
 * `new Template(json).expand({ $root: data })` gives, and through the compiled path (not the fallback).
 * The compiled code is built from the stored IR (cards/compiled/, checked against the templates by
 * compiled-ir.test.ts); the reference here is the real library.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'adaptivecards-templating';
import { CARDS_DIR, CARD_NAMES, expand, isCompiled, renderHooks, type CardName } from '../../src/cards/render';
import { LOCALES, translator } from '../../src/i18n';
import { CARDS } from './cases';

const reference = (name: CardName, data: object) => new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8'))).expand({ $root: data });

describe.each(CARDS)('$name card', (c) => {
  test.each(LOCALES)('%s: compiled expansion equals adaptivecards-templating', (locale) => {
    const seen: Array<{ name: CardName; data: object; card: unknown; compiled: boolean }> = [];
    renderHooks.onExpand = (name, data, card, compiled) => seen.push({ name, data, card, compiled });
    try {
      c.render(translator(locale));
    } finally {
      renderHooks.onExpand = undefined;
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect({ name: s.name, compiled: s.compiled }).toEqual({ name: s.name, compiled: true });
      expect(s.card).toStrictEqual(reference(s.name, s.data));
    }
  });
});

test.each(CARD_NAMES)('%s: the template is compiled (uses only the constructs the compiler knows)', (name) => {
  expect(isCompiled(name)).toBe(true);
});

describe('the fallback', () => {
  // Data the compiler does not take on itself (absent fields, other types, keys differing in case): the
  // library's answer, whichever path gives it.
  const odd: object[] = [{}, { title: null, items: 'x', count: 3 }, { Title: 'A', title: 'B', items: [], notes: [], notesMore: '' }];
  test.each(CARD_NAMES)('%s', (name) => {
    for (const data of odd) {
      let want: unknown, wantError: unknown;
      try {
        want = reference(name, data);
      } catch (e) {
        wantError = e;
      }
      if (wantError) expect(() => expand(name, data)).toThrow();
      else expect(expand(name, data)).toStrictEqual(want);
    }
  });
});
