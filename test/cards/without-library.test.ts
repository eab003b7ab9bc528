/**
 * The bot expands its cards without adaptivecards-templating or adaptive-expressions (about 370 modules with
 * antlr4ts): every template is compiled from its stored IR (cards/compiled/), and the library is loaded only
 * for an expansion the compiled code gives up on. (production-start.test.ts checks the same of a real
 * production start.)
 */
const mockLoaded: string[] = [];
jest.mock('adaptivecards-templating', () => {
  mockLoaded.push('adaptivecards-templating');
  return jest.requireActual('adaptivecards-templating');
});
jest.mock('adaptive-expressions', () => {
  mockLoaded.push('adaptive-expressions');
  return jest.requireActual('adaptive-expressions');
});

import { CARD_NAMES, expand, isCompiled, renderHooks } from '../../src/cards/render';
import { LOCALES, translator } from '../../src/i18n';
import { CARDS } from './cases';

test('loading the card modules loads neither library', () => {
  expect(CARDS.length).toBeGreaterThan(0);
  expect(mockLoaded).toEqual([]);
});

test('every template is compiled from its stored IR, without the library', () => {
  for (const name of CARD_NAMES) expect({ name, compiled: isCompiled(name) }).toEqual({ name, compiled: true });
  expect(mockLoaded).toEqual([]);
});

test('every card case, in every locale, expands through the compiled code without the library', () => {
  let expansions = 0;
  renderHooks.onExpand = (name, _data, _card, compiled) => {
    expansions++;
    expect({ name, compiled }).toEqual({ name, compiled: true });
  };
  try {
    for (const c of CARDS) for (const locale of LOCALES) c.render(translator(locale));
  } finally {
    renderHooks.onExpand = undefined;
  }
  expect(expansions).toBeGreaterThanOrEqual(CARDS.length * LOCALES.length);
  expect(mockLoaded).toEqual([]);
});

test('an expansion the compiled code gives up on loads the library, and gets its answer', () => {
  // A missing field: adaptive-expressions substitutes `${title}`, which the compiled code leaves to it.
  const seen: boolean[] = [];
  renderHooks.onExpand = (_name, _data, _card, compiled) => seen.push(compiled);
  try {
    const card = expand('message', { text: 'Hello' });
    expect(JSON.stringify(card)).toContain('${title}');
  } finally {
    renderHooks.onExpand = undefined;
  }
  expect(seen).toEqual([false]);
  expect(mockLoaded).toContain('adaptivecards-templating');
  expect(mockLoaded).toContain('adaptive-expressions');
});
