/**
 * The cards' names and where they are kept, and the compiled form of a template (its IR): what the
 * compiler's front end (template-ir.ts, at `npm run cards:compile`) writes to cards/compiled/ and the renderer
 * (render.ts) builds its functions from. Its own module so that neither of those two imports the other's
 * code for it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const CARD_NAMES = [
  'activity',
  'audit',
  'confirm',
  'customer-list',
  'deadlines',
  'digest',
  'error',
  'help',
  'message',
  'notification',
  'profile',
  'reminder',
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

/** Where each compilable template's IR is stored (cards/compiled/<name>.json, made by `npm run cards:compile`). */
export const COMPILED_DIR = join(CARDS_DIR, 'compiled');

/** The IR's format: stored IR of another format is not used (the front end runs instead). */
export const IR_FORMAT = 1;

/** A path relative to the current $data, in the template's own case (`${a.b}` → ['a','b'], `${$data}` → []). */
export interface PathIr {
  path: string[];
}
/**
 * A `$when` condition (the library evaluates it without null substitution, so an absent path is undefined):
 * a constant, a path, or an operator over conditions.
 */
export type CondIr =
  | { const: string | number | boolean | null }
  | PathIr
  | { not: CondIr }
  | { and: CondIr[] }
  | { eq: [CondIr, CondIr] }
  | { ne: [CondIr, CondIr] }
  | { count: CondIr };
/**
 * A string with `${…}` (or a `$data`), evaluated with null substitution: a whole-string path (its value, any
 * type), or text of literal parts and paths.
 */
export type ValueIr = PathIr | { concat: Array<string | PathIr> };
/**
 * A template node: a JSON primitive is itself (a literal; a string never holds `${`), an array, an object
 * (its members without the reserved keys, in order; its `$when` and `$data` apart), or a value.
 */
export type NodeIr = string | number | boolean | null | { array: NodeIr[] } | { object: Array<[string, NodeIr]>; when?: CondIr; data?: ValueIr } | ValueIr;

/** cards/compiled/<name>.json. */
export interface StoredIr {
  about: string;
  format: typeof IR_FORMAT;
  /** templateDigest of the cards/<name>.json it was made from: IR made from another text is not used. */
  source: string;
  /** The library versions whose parse it is (the equivalence test checks the compiled output against them). */
  parsedBy: string;
  template: NodeIr;
}

/** A digest of a template's JSON (of its content: formatting and line endings do not change it). */
export function templateDigest(source: string): string {
  return createHash('sha256').update(JSON.stringify(JSON.parse(source))).digest('hex');
}
