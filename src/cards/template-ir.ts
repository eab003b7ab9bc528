/**
 * The card template compiler's front end: turns a template, as adaptivecards-templating parses it (its
 * `_preparedPayload`, strings already parsed into adaptive-expressions Expressions), into the plain, JSON
 * form src/cards/render.ts builds its functions from (the IR, in src/cards/ir.ts).
 *
 * Run by `npm run cards:compile` (scripts/compile-cards.ts), which stores the result in cards/compiled/, and by
 * test/cards/compiled-ir.test.ts, which checks the stored files against it. The running bot loads this module
 * (and with it adaptivecards-templating and adaptive-expressions) only for a template whose stored IR is
 * missing or out of date; production start and every compiled expansion use the stored IR alone.
 *
 * The subset is the one described in render.ts; anything outside it gives no IR (then the template is
 * expanded by the library).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'adaptivecards-templating';
import { Constant, Expression } from 'adaptive-expressions';
import {
  CARD_NAMES,
  CARDS_DIR,
  IR_FORMAT,
  templateDigest,
  type CardName,
  type CondIr,
  type NodeIr,
  type PathIr,
  type StoredIr,
  type ValueIr,
} from './ir';

const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

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

/** A path relative to $data: `a.b` → ['a','b'], `$data.a` → ['a'], `$data` → []. */
function pathIr(e: Expression): PathIr | undefined {
  const path = accessorPath(e);
  if (!path || path.length === 0) return undefined;
  // SimpleObjectMemory splits on . [ ] and reads numeric parts of arrays by index: not ours.
  if (path.some((p) => p === '' || /[.[\]'"]/.test(p) || !isNaN(parseInt(p)))) return undefined;
  if (path[0]!.startsWith('$')) {
    if (path[0] !== '$data') return undefined; // $root, $index, $host: not used by our cards
    return { path: path.slice(1) };
  }
  return { path };
}

/** A constant that JSON keeps exactly (a string, a finite number other than -0, a boolean, null). */
function jsonExact(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0));
}

/** A `$when` expression (evaluated by the library without null substitution). */
function condIr(e: Expression): CondIr | undefined {
  if (e instanceof Constant) {
    const v: unknown = e.value;
    return jsonExact(v) ? { const: v as string | number | boolean | null } : undefined;
  }
  switch (e.type) {
    case 'Accessor':
      return pathIr(e);
    case '!': {
      const c = e.children.length === 1 ? condIr(e.children[0]!) : undefined;
      return c && { not: c };
    }
    case '&&': {
      const cs = e.children.map(condIr);
      if (cs.length === 0 || cs.some((c) => !c)) return undefined;
      return { and: cs as CondIr[] };
    }
    case '==':
    case '!=': {
      if (e.children.length !== 2) return undefined;
      const a = condIr(e.children[0]!);
      const b = condIr(e.children[1]!);
      if (!a || !b) return undefined;
      return e.type === '==' ? { eq: [a, b] } : { ne: [a, b] };
    }
    case 'count': {
      const c = e.children.length === 1 ? condIr(e.children[0]!) : undefined;
      return c && { count: c };
    }
    default:
      return undefined;
  }
}

/** A string value with `${…}`, or a `$data` (evaluated by the library with null substitution). */
function valueIr(e: Expression): ValueIr | undefined {
  if (e.type === 'Accessor') return pathIr(e);
  if (e.type === 'concat') {
    const parts: Array<string | PathIr> = [];
    for (const child of e.children) {
      if (child instanceof Constant) {
        if (typeof child.value !== 'string') return undefined;
        parts.push(child.value);
      } else {
        const p = pathIr(child);
        if (!p) return undefined;
        parts.push(p);
      }
    }
    return { concat: parts };
  }
  return undefined;
}

function nodeIr(node: unknown): NodeIr | undefined {
  if (Array.isArray(node)) {
    const items = node.map(nodeIr);
    if (items.some((i) => i === undefined)) return undefined;
    return { array: items as NodeIr[] };
  }
  if (node instanceof Expression) return valueIr(node);
  if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    const entries: Array<[string, NodeIr]> = [];
    for (const key of Object.keys(obj)) {
      if (RESERVED.has(key)) continue;
      const v = nodeIr(obj[key]);
      if (v === undefined) return undefined;
      entries.push([key, v]);
    }
    let when: CondIr | undefined;
    if ('$when' in obj) {
      if (!(obj.$when instanceof Expression)) return undefined;
      when = condIr(obj.$when);
      if (!when) return undefined;
    }
    let data: ValueIr | undefined;
    if ('$data' in obj) {
      if (!(obj.$data instanceof Expression)) return undefined;
      data = valueIr(obj.$data);
      if (!data) return undefined;
    }
    // In the order the library applies them: for each item of $data, when $when holds, the object.
    return { ...(data && { data }), ...(when && { when }), object: entries };
  }
  if (typeof node === 'string') return node.includes('${') ? undefined : node; // with `${`: left unparsed by the library
  return jsonExact(node) ? (node as number | boolean | null) : undefined;
}

/** The IR of a template as the library parsed it, or null when it uses something outside the subset. */
export function templateIr(template: Template): NodeIr | null {
  const prepared = (template as unknown as { _preparedPayload: unknown })._preparedPayload;
  return nodeIr(prepared) ?? null;
}

const version = (pkg: string) => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;

/** What cards/compiled/<name>.json holds for a template's JSON text, or null when it is not compilable. */
export function storedIr(name: CardName, source: string): StoredIr | null {
  const template = templateIr(new Template(JSON.parse(source)));
  if (!template) return null;
  return {
    about: `Generated by \`npm run cards:compile\` from cards/${name}.json (do not edit): the template as the compiler in src/cards/render.ts takes it.`,
    format: IR_FORMAT,
    source: templateDigest(source),
    parsedBy: `adaptivecards-templating ${version('adaptivecards-templating')}, adaptive-expressions ${version('adaptive-expressions')}`,
    template,
  };
}

/**
 * JSON text with a node on one line when it fits in `width` columns, else one member per line: short enough
 * to read and to diff.
 */
export function formatJson(value: unknown, width = 120, indent = '', prefix = 0): string {
  const flat = JSON.stringify(value);
  if (value === null || typeof value !== 'object' || indent.length + prefix + flat.length <= width) return flat;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return flat;
    return `[\n${value.map((v) => inner + formatJson(v, width, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return flat;
  const members = entries.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return inner + key + formatJson(v, width, inner, key.length);
  });
  return `{\n${members.join(',\n')}\n${indent}}`;
}

/**
 * What cards/compiled/ must contain for the current cards/*.json: file name → text. A template that is not
 * compilable has no file.
 */
export function expectedCompiledFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of CARD_NAMES) {
    const ir = storedIr(name, readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8'));
    if (ir) files.set(`${name}.json`, formatJson(ir) + '\n');
  }
  return files;
}
