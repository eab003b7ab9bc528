/**
 * Cards are pure functions of typed data: a template in `cards/` expanded with adaptivecards-templating.
 * Templates are read and parsed once, then reused.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GlobalSettings, Template } from 'adaptivecards-templating';

// An absent value renders as nothing, never as a literal `${expression}`.
GlobalSettings.getUndefinedFieldValueSubstitutionString = () => '';

/** An Adaptive Card as JSON (version 1.5, what Teams renders). */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  body?: unknown[];
  actions?: unknown[];
  [key: string]: unknown;
}

export const CARD_NAMES = [
  'confirm',
  'customer-list',
  'error',
  'help',
  'message',
  'profile',
  'service-request',
  'service-request-form',
  'service-request-list',
  'subscription',
  'subscription-list',
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
