/**
 * Cards are pure functions of typed data: a template in `cards/` expanded with adaptivecards-templating.
 * Templates are read and parsed once, then reused.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Template } from 'adaptivecards-templating';
import { Constant, Expression } from 'adaptive-expressions';

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

/**
 * A template, and when every construct in it is one the compiler below knows, the same template as a function
 * of the data. Both come from the card's JSON, read and parsed once.
 */
interface Compiled {
  template: Template;
  /** Null when the template uses something outside the compiled subset: then every expansion uses `template`. */
  run: ((root: unknown) => unknown) | null;
}
const templates = new Map<CardName, Compiled>();

function compiled(name: CardName): Compiled {
  let c = templates.get(name);
  if (!c) {
    const template = new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')));
    c = { template, run: compileTemplate(template) };
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
 * function handles the templating constructs our cards use (see compileTemplate), and gives up, for that one
 * expansion, on any value it is not sure to treat as adaptive-expressions would (a missing field, a value of
 * another type than expected, an exception): then the library expands the card.
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
  if (!viaCompiled) card = c.template.expand({ $root: data }) as AdaptiveCard;
  if (renderHooks.onExpand) renderHooks.onExpand(name, data, card!, viaCompiled);
  return card!;
}

// ---------------------------------------------------------------------------------------------------------
// The template compiler.
//
// It walks adaptivecards-templating's own prepared payload (strings already parsed by adaptive-expressions),
// so parsing is the library's. Supported, as in template-engine.ts (adaptivecards-templating 2.3.1) and
// adaptive-expressions 4.x:
//   - literals (no `${`), arrays (items expanded; null items dropped; array items spliced in), objects
//     (reserved keys $data/$when/$root/$index/$host/$_acTemplateVersion dropped; undefined values omitted);
//   - `$data` given by a path expression: over an array, the object once per item (none: null); otherwise once
//     with that data (undefined keeps the outer data);
//   - `$when` built of paths, constants, `!`, `&&`, `==`, `!=`, `count()`; kept only when exactly `true`;
//   - values: a whole-string `${path}` (the value, any type), or text with `${path}` parts (concatenated).
// Paths are `a.b.c` relative to $data, or `$data...`; properties are looked up as adaptive-expressions does
// (first own key equal ignoring case). Anything else in a template: the whole template uses the library.
// At run time the compiled code throws BAIL where adaptive-expressions would substitute, fail or coerce.

const BAIL = new Error('compiled card expansion: not a case the compiler handles');
const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

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

/** The parts of an accessor chain (`a.b.c` → ['a','b','c']), or undefined when it is not a plain one. */
function accessorPath(e: Expression): string[] | undefined {
  if (e.type !== 'Accessor' || e.children.length > 2) return undefined;
  const [name, parent] = e.children;
  if (!(name instanceof Constant) || typeof name.value !== 'string') return undefined;
  let head: string[] | undefined = [];
  if (parent) {
    head = accessorPath(parent);
    if (!head) return undefined;
  }
  return [...head, name.value];
}

/** A path's value in the current data (undefined when absent, as adaptive-expressions without substitution). */
function compilePath(e: Expression): Fn | undefined {
  const path = accessorPath(e);
  if (!path || path.length === 0) return undefined;
  // SimpleObjectMemory splits on . [ ] and reads numeric parts of arrays by index: not ours.
  if (path.some((p) => p === '' || /[.[\]'"]/.test(p) || !isNaN(parseInt(p)))) return undefined;
  let parts: string[];
  if (path[0]!.startsWith('$')) {
    if (path[0] !== '$data') return undefined; // $root, $index, $host: not used by our cards
    parts = path.slice(1);
  } else parts = path;
  const lower = parts.map((p) => p.toLowerCase());
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

/** A `$when` expression (evaluated without null substitution). */
function compileCondition(e: Expression): Fn | undefined {
  if (e instanceof Constant) {
    const v: unknown = e.value;
    return () => v;
  }
  switch (e.type) {
    case 'Accessor':
      return compilePath(e);
    case '!': {
      const c = e.children.length === 1 ? compileCondition(e.children[0]!) : undefined;
      if (!c) return undefined;
      return (data, run) => !isLogicTrue(c(data, run));
    }
    case '&&': {
      const cs = e.children.map(compileCondition);
      if (cs.length === 0 || cs.some((c) => !c)) return undefined;
      return (data, run) => {
        for (const c of cs) if (!isLogicTrue(c!(data, run))) return false;
        return true;
      };
    }
    case '==':
    case '!=': {
      if (e.children.length !== 2) return undefined;
      const a = compileCondition(e.children[0]!);
      const b = compileCondition(e.children[1]!);
      if (!a || !b) return undefined;
      return e.type === '=='
        ? (data, run) => equals(a(data, run), b(data, run))
        : (data, run) => !equals(a(data, run), b(data, run));
    }
    case 'count': {
      const c = e.children.length === 1 ? compileCondition(e.children[0]!) : undefined;
      if (!c) return undefined;
      return (data, run) => {
        const v = c(data, run);
        if (typeof v === 'string' || Array.isArray(v)) return v.length;
        throw BAIL;
      };
    }
    default:
      return undefined;
  }
}

/** A string value with `${…}` (evaluated with null substitution: an absent path BAILs). */
function compileValueExpression(e: Expression): Fn | undefined {
  if (e.type === 'Accessor') {
    const get = compilePath(e);
    if (!get) return undefined;
    return (data, run) => {
      const v = get(data, run);
      if (v === undefined) throw BAIL;
      return v;
    };
  }
  if (e.type === 'concat') {
    const parts: Array<string | Fn> = [];
    for (const child of e.children) {
      if (child instanceof Constant) {
        if (typeof child.value !== 'string') return undefined;
        parts.push(child.value);
      } else {
        const get = compilePath(child);
        if (!get) return undefined;
        parts.push(get);
      }
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

function compileNode(node: unknown): Fn | undefined {
  if (Array.isArray(node)) {
    const items = node.map(compileNode);
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
  if (node instanceof Expression) return compileValueExpression(node);
  if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    const entries: Array<[string, Fn]> = [];
    for (const key of Object.keys(obj)) {
      if (RESERVED.has(key)) continue;
      const f = compileNode(obj[key]);
      if (!f) return undefined;
      entries.push([key, f]);
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
    if ('$when' in obj) {
      if (!(obj.$when instanceof Expression)) return undefined;
      when = compileCondition(obj.$when);
      if (!when) return undefined;
    }
    let dataOf: Fn | undefined;
    if ('$data' in obj) {
      if (!(obj.$data instanceof Expression)) return undefined;
      dataOf = compileValueExpression(obj.$data);
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
  if (typeof node === 'string' && node.includes('${')) return undefined; // left unparsed by the library
  return () => node;
}

/** The compiled template, or null when it uses something outside the subset above. */
function compileTemplate(template: Template): ((root: unknown) => unknown) | null {
  const prepared = (template as unknown as { _preparedPayload: unknown })._preparedPayload;
  const f = compileNode(prepared);
  if (!f) return null;
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
