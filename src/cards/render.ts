/**
 * Cards are pure functions of typed data: a template in `cards/` expanded exactly as adaptivecards-templating
 * would. Each template is compiled (from its IR in cards/compiled/) into a function of the data, once; the
 * library itself is loaded only when an expansion needs it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// Types only: the library is loaded (require) only for an expansion it does (see libraryTemplate).
import type { Template } from 'adaptivecards-templating';
import { CARDS_DIR, COMPILED_DIR, IR_FORMAT, templateDigest, type CardName, type PathIr, type StoredIr } from './ir';

export { CARD_NAMES, CARDS_DIR, COMPILED_DIR, templateDigest, type CardName } from './ir';

/** An Adaptive Card as JSON (version 1.5, what Teams renders). */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  body?: unknown[];
  actions?: unknown[];
  [key: string]: unknown;
}

/**
 * A template, and when every construct in it is one the compiler below knows, the same template as a function
 * of the data, built from its stored IR. The library's Template is made only when an expansion needs it.
 */
interface Compiled {
  /** The template's JSON text. */
  source: string;
  /** adaptivecards-templating's Template for `source`: made (and the library loaded) at the first need. */
  template?: Template;
  /** Null when the template uses something outside the compiled subset: then every expansion uses the library. */
  run: ((root: unknown) => unknown) | null;
}
const templates = new Map<CardName, Compiled>();

/** The library, loaded only when a template is expanded by it (a fallback expansion, an uncompiled template). */
function libraryTemplate(c: Compiled): Template {
  if (!c.template) {
    const lib = require('adaptivecards-templating') as typeof import('adaptivecards-templating');
    c.template = new lib.Template(JSON.parse(c.source));
  }
  return c.template;
}

/** The stored IR of `name` when it is present, of this format and made from exactly `source`'s JSON. */
function readStoredIr(name: CardName, source: string): unknown {
  try {
    const stored = JSON.parse(readFileSync(join(COMPILED_DIR, `${name}.json`), 'utf8')) as Partial<StoredIr>;
    if (stored.format !== IR_FORMAT || stored.source !== templateDigest(source)) return undefined;
    return stored.template;
  } catch {
    return undefined; // none (the template is not compilable), or unreadable
  }
}

function compiled(name: CardName): Compiled {
  let c = templates.get(name);
  if (!c) {
    const source = readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8');
    c = { source, run: null };
    const stored = readStoredIr(name, source);
    let run = stored === undefined ? undefined : buildTemplate(stored);
    if (run === undefined) {
      // No usable stored IR (the template is not compilable, or cards/compiled/ was not regenerated after an
      // edit, which test/cards/compiled-ir.test.ts reports): the compiler's front end, from the library's parse.
      const { templateIr } = require('./template-ir') as typeof import('./template-ir');
      const ir = templateIr(libraryTemplate(c));
      run = ir === null ? undefined : buildTemplate(ir);
    }
    c.run = run ?? null;
    templates.set(name, c);
  }
  return c;
}

/** Whether `name`'s template is compiled (else every expansion of it goes through adaptivecards-templating). */
export function isCompiled(name: CardName): boolean {
  return compiled(name).run !== null;
}

/** Test seam: sees every expansion (the equivalence test compares each with adaptivecards-templating's). */
export const renderHooks: { onExpand?: (name: CardName, data: object, card: AdaptiveCard, compiled: boolean) => void } = {};

/**
 * Expands a template. Values come from `data` only: text a user typed is substituted as text, never
 * evaluated as a template expression.
 *
 * The result is exactly adaptivecards-templating's `new Template(json).expand({ $root: data })`: the compiled
 * function handles the templating constructs our cards use (see below), and gives up, for that one expansion,
 * on any value it is not sure to treat as adaptive-expressions would (a missing field, a value of another type
 * than expected, an exception): then the library expands the card.
 */
export function expand(name: CardName, data: object): AdaptiveCard {
  const c = compiled(name);
  let card: AdaptiveCard | undefined;
  let viaCompiled = false;
  if (c.run) {
    try {
      card = c.run(data) as AdaptiveCard;
      viaCompiled = true;
    } catch {
      card = undefined; // BAIL, or anything unexpected: the library decides (and throws what it throws)
    }
  }
  if (!viaCompiled) card = libraryTemplate(c).expand({ $root: data }) as AdaptiveCard;
  if (renderHooks.onExpand) renderHooks.onExpand(name, data, card!, viaCompiled);
  return card!;
}

// ---------------------------------------------------------------------------------------------------------
// The template compiler.
//
// Its front end (src/cards/template-ir.ts, run by `npm run cards:compile`) walks adaptivecards-templating's own
// prepared payload (strings already parsed by adaptive-expressions), so parsing is the library's, and writes
// the template as plain JSON, the IR (described in src/cards/ir.ts), to cards/compiled/<name>.json. Here the IR
// becomes functions of the data, without the library. Supported, as in template-engine.ts
// (adaptivecards-templating 2.3.1) and adaptive-expressions 4.x:
//   - literals (no `${`), arrays (items expanded; null items dropped; array items spliced in), objects
//     (reserved keys $data/$when/$root/$index/$host/$_acTemplateVersion dropped; undefined values omitted);
//   - `$data` given by a path expression: over an array, the object once per item (none: null); otherwise once
//     with that data (undefined keeps the outer data);
//   - `$when` built of paths, constants, `!`, `&&`, `==`, `!=`, `count()`; kept only when exactly `true`;
//   - values: a whole-string `${path}` (the value, any type), or text with `${path}` parts (concatenated).
// Paths are `a.b.c` relative to $data, or `$data...`; properties are looked up as adaptive-expressions does
// (first own key equal ignoring case). Anything else in a template: no IR, and the whole template uses the
// library. At run time the compiled code throws BAIL where adaptive-expressions would substitute, fail or
// coerce.


const BAIL = new Error('compiled card expansion: not a case the compiler handles');

/** One expansion's state: the case-insensitive key index of each data object looked into. */
interface Run {
  keys: Map<object, Map<string, string>>;
}
type Fn = (data: unknown, run: Run) => unknown;

/** adaptive-expressions' InternalFunctionUtils.accessProperty, with `lower` = the property name in lower case. */
function property(instance: unknown, lower: string, run: Run): unknown {
  if (!instance) return undefined;
  if (typeof instance !== 'object') {
    const key = Object.keys(instance).find((k) => k.toLowerCase() === lower);
    return key === undefined ? undefined : (instance as Record<string, unknown>)[key];
  }
  if (instance instanceof Map) throw BAIL;
  let index = run.keys.get(instance);
  if (!index) {
    index = new Map();
    for (const k of Object.keys(instance)) {
      const l = k.toLowerCase();
      if (!index.has(l)) index.set(l, k);
    }
    run.keys.set(instance, index);
  }
  const key = index.get(lower);
  return key === undefined ? undefined : (instance as Record<string, unknown>)[key];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPath = (x: unknown): x is PathIr => isObject(x) && Array.isArray(x.path) && x.path.every((p) => typeof p === 'string');

/** A path's value in the current data (undefined when absent, as adaptive-expressions without substitution). */
function buildPath(ir: PathIr): Fn {
  const lower = ir.path.map((p) => p.toLowerCase());
  if (lower.length === 0) return (data) => data;
  if (lower.length === 1) {
    const a = lower[0]!;
    return (data, run) => property(data, a, run);
  }
  return (data, run) => {
    let v = data;
    for (const p of lower) v = property(v, p, run);
    return v;
  };
}

function isLogicTrue(v: unknown): boolean {
  return typeof v === 'boolean' ? v : v != null;
}

/** adaptive-expressions' commonEquals for the types our conditions compare; other types: BAIL. */
function equals(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < Number.EPSILON || a === b;
  throw BAIL;
}

/** A `$when` condition; undefined when `ir` is not one. */
function buildCondition(ir: unknown): Fn | undefined {
  if (!isObject(ir)) return undefined;
  if ('const' in ir) {
    const v = ir.const;
    return () => v;
  }
  if ('path' in ir) return isPath(ir) ? buildPath(ir) : undefined;
  if ('not' in ir) {
    const c = buildCondition(ir.not);
    if (!c) return undefined;
    return (data, run) => !isLogicTrue(c(data, run));
  }
  if ('and' in ir) {
    const cs = Array.isArray(ir.and) ? ir.and.map(buildCondition) : [];
    if (cs.length === 0 || cs.some((c) => !c)) return undefined;
    return (data, run) => {
      for (const c of cs) if (!isLogicTrue(c!(data, run))) return false;
      return true;
    };
  }
  if ('eq' in ir || 'ne' in ir) {
    const operands = 'eq' in ir ? ir.eq : ir.ne;
    if (!Array.isArray(operands) || operands.length !== 2) return undefined;
    const a = buildCondition(operands[0]);
    const b = buildCondition(operands[1]);
    if (!a || !b) return undefined;
    return 'eq' in ir ? (data, run) => equals(a(data, run), b(data, run)) : (data, run) => !equals(a(data, run), b(data, run));
  }
  if ('count' in ir) {
    const c = buildCondition(ir.count);
    if (!c) return undefined;
    return (data, run) => {
      const v = c(data, run);
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      throw BAIL;
    };
  }
  return undefined;
}

/** A value (evaluated with null substitution: an absent path BAILs); undefined when `ir` is not one. */
function buildValue(ir: unknown): Fn | undefined {
  if (isPath(ir)) {
    const get = buildPath(ir);
    return (data, run) => {
      const v = get(data, run);
      if (v === undefined) throw BAIL;
      return v;
    };
  }
  if (isObject(ir) && Array.isArray(ir.concat)) {
    const parts: Array<string | Fn> = [];
    for (const part of ir.concat as unknown[]) {
      if (typeof part === 'string') parts.push(part);
      else if (isPath(part)) parts.push(buildPath(part));
      else return undefined;
    }
    return (data, run) => {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') out += p;
        else {
          const v = p(data, run);
          if (v == null) throw BAIL; // substituted (undefined) or a TypeError in the library (null)
          out += (v as { toString(): string }).toString();
        }
      }
      return out;
    };
  }
  return undefined;
}

/** A template node; undefined when `ir` is not one. */
function buildNode(ir: unknown): Fn | undefined {
  if (ir === null || typeof ir === 'string' || typeof ir === 'number' || typeof ir === 'boolean') return () => ir;
  if (!isObject(ir)) return undefined;
  if ('array' in ir) {
    const items = Array.isArray(ir.array) ? ir.array.map(buildNode) : [undefined];
    if (items.some((i) => !i)) return undefined;
    return (data, run) => {
      const out: unknown[] = [];
      for (const item of items) {
        const v = item!(data, run);
        if (v === null) continue;
        if (Array.isArray(v)) for (const x of v) out.push(x);
        else out.push(v);
      }
      return out;
    };
  }
  if (!('object' in ir)) return buildValue(ir);
  if (!Array.isArray(ir.object)) return undefined;
  const entries: Array<[string, Fn]> = [];
  for (const entry of ir.object as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') return undefined;
    const f = buildNode(entry[1]);
    if (!f) return undefined;
    entries.push([entry[0], f]);
  }
  const single = (data: unknown, run: Run) => {
    const out: Record<string, unknown> = {};
    for (const [key, f] of entries) {
      const v = f(data, run);
      if (v !== undefined) out[key] = v;
    }
    return out;
  };
  let when: Fn | undefined;
  if ('when' in ir) {
    when = buildCondition(ir.when);
    if (!when) return undefined;
  }
  let dataOf: Fn | undefined;
  if ('data' in ir) {
    dataOf = buildValue(ir.data);
    if (!dataOf) return undefined;
  }
  const w = when;
  const one = w ? (data: unknown, run: Run) => (w(data, run) === true ? single(data, run) : null) : single;
  if (!dataOf) return one;
  const d = dataOf;
  return (data, run) => {
    const value = d(data, run);
    if (!Array.isArray(value)) return one(value !== undefined ? value : data, run);
    const out: unknown[] = [];
    for (const item of value) {
      const v = one(item !== undefined ? item : data, run);
      if (v !== null) out.push(v);
    }
    return out.length === 0 ? null : out.length === 1 ? out[0] : out;
  };
}

/** The template as a function of the data, or undefined when `ir` is not a template's IR. */
function buildTemplate(ir: unknown): ((root: unknown) => unknown) | undefined {
  const f = buildNode(ir);
  if (!f) return undefined;
  return (root) => f(root, { keys: new Map() });
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

/** A line starting with what could be a list, heading, rule or numbered-item marker. */
const MARKER_LINE = /^[ \t]*[-+#=\d]/m;

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
  const escaped = text.replace(/[\\`*_~[\]<>|]/g, '\\$&');
  // Most text has no line starting with a list, heading, rule or number marker: one test instead of four passes.
  if (!MARKER_LINE.test(escaped)) return escaped;
  return escaped
    .replace(/^([ \t]*)([-+])(?=[ \t])/gm, '$1\\$2') // a list item
    .replace(/^([ \t]*)(#{1,6})(?=[ \t]|$)/gm, '$1\\$2') // a heading
    .replace(/^([ \t]*)([=-])(?=[=-]*[ \t]*$)/gm, '$1\\$2') // an underline heading or a rule
    .replace(/^([ \t]*\d{1,9})([.)])(?=[ \t]|$)/gm, '$1\\$2'); // a numbered item
}
