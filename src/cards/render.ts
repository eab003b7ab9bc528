/**
 * Cards are pure functions of typed data: a template in `cards/` expanded with adaptivecards-templating.
 * Templates are read and parsed once, then reused.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Template } from 'adaptivecards-templating';

/** An Adaptive Card as JSON (version 1.5, what Teams renders). */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  body?: unknown[];
  actions?: unknown[];
  [key: string]: unknown;
}

export const CARD_NAMES = [
  'audit',
  'confirm',
  'customer-list',
  'error',
  'help',
  'message',
  'notification',
  'profile',
  'service-request',
  'service-request-form',
  'service-request-list',
  'shared-item',
  'subscription',
  'subscription-list',
  'unfurl-item',
  'watch-list',
] as const;
export type CardName = (typeof CARD_NAMES)[number];

function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json) above ' + __dirname);
    dir = up;
  }
  return dir;
}

export const CARDS_DIR = join(projectRoot(), 'cards');
const templates = new Map<CardName, Template>();

function template(name: CardName): Template {
  let t = templates.get(name);
  if (!t) {
    t = new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')));
    templates.set(name, t);
  }
  return t;
}

/**
 * Expands a template. Values come from `data` only: text a user typed is substituted as text, never
 * evaluated as a template expression.
 */
export function expand(name: CardName, data: object): AdaptiveCard {
  const card = template(name).expand({ $root: data }) as AdaptiveCard;
  return card;
}

/**
 * The most a card may weigh (UTF-8 JSON). Teams refuses a message over about 28 KB, and the activity around
 * the card needs some of that.
 */
export const MAX_CARD_BYTES = 18_000;

export function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/**
 * Expands a card that repeats something (list rows, notes) with as many of the `count` repeats as fit in
 * MAX_CARD_BYTES: all of them, unless the data is unusually long. `data(shown)` builds the template data
 * for `shown` repeats, including whatever tells the reader that some are not shown.
 */
export function expandFitting(name: CardName, count: number, data: (shown: number) => object): AdaptiveCard {
  let shown = count;
  let card = expand(name, data(shown));
  for (let size = cardBytes(card); size > MAX_CARD_BYTES && shown > 0; size = cardBytes(card)) {
    shown = Math.max(0, Math.min(shown - 1, Math.floor((shown * MAX_CARD_BYTES) / size)));
    card = expand(name, data(shown));
  }
  return card;
}

/** At most `max` characters of `text`, ending with "…" when cut (never in the middle of a surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/**
 * Text from outside the product (Partner Center's titles, notes, descriptions, nicknames, company names;
 * people's names; what a user typed) as it must appear on a card: literally. TextBlocks and facts render
 * Markdown, so `[click](https://evil)` would be a live link, `**x**` bold, and Teams drops `<at>` as an
 * HTML tag. Every Markdown-significant character is backslash-escaped (CommonMark), and line starts that
 * would make a list, heading or quote are too. Links on cards are only those the product builds.
 *
 * Applied when card data is built, to display text only: never to input values, ids or action data.
 */
export function literal(text: string | null | undefined): string {
  if (!text) return '';
  return text
    .replace(/[\\`*_~[\]<>|]/g, '\\$&')
    .replace(/^([ \t]*)([-+])(?=[ \t])/gm, '$1\\$2') // a list item
    .replace(/^([ \t]*)(#{1,6})(?=[ \t]|$)/gm, '$1\\$2') // a heading
    .replace(/^([ \t]*)([=-])(?=[=-]*[ \t]*$)/gm, '$1\\$2') // an underline heading or a rule
    .replace(/^([ \t]*\d{1,9})([.)])(?=[ \t]|$)/gm, '$1\\$2'); // a numbered item
}
