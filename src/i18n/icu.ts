/**
 * A small ICU MessageFormat formatter: the subset the catalogs use, parsed as ICU parses it.
 *
 * - `{name}`: a value; numbers are formatted for the locale, strings are inserted as they are.
 * - `{name, number}`: a number formatted for the locale.
 * - `{name, plural, [offset:n] =0 {…} one {…} other {…}}`: the branch for the number's plural category
 *   (Intl.PluralRules, so French and Italian `many`, Bulgarian `one`/`other` come from CLDR); `#` in a
 *   branch is the number, formatted for the locale. `other` is required, as in ICU.
 * - Apostrophes follow ICU's default (DOUBLE_OPTIONAL): `''` is one apostrophe, and an apostrophe quotes
 *   only when a `{`, `}` (or `#` inside a plural) follows it; "l'Espace" stays as written.
 *
 * Anything else (select, dates, skeletons, tags) is refused at parse time, so every catalog message is
 * checked by the tests and a message that parses here is valid ICU for any other ICU tool.
 */

export type Part =
  | string
  | { type: 'arg'; name: string }
  | { type: 'number'; name: string }
  | { type: 'plural'; name: string; offset: number; options: Readonly<Record<string, readonly Part[]>> }
  | { type: 'pound' };

export type Values = Readonly<Record<string, string | number | undefined>>;

export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;

export class MessageSyntaxError extends Error {
  constructor(message: string, readonly source: string, readonly position: number) {
    super(`${message} at ${position} in ${JSON.stringify(source)}`);
    this.name = 'MessageSyntaxError';
  }
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const SELECTOR = /=\d+|zero|one|two|few|many|other/y;
const OFFSET = /offset:\s*(\d+)/y;

/** Parses one message; throws MessageSyntaxError on anything outside the subset described above. */
export function parse(source: string): readonly Part[] {
  let pos = 0;
  const fail = (what: string): never => {
    throw new MessageSyntaxError(what, source, pos);
  };
  const spaces = () => {
    while (pos < source.length && /\s/.test(source[pos]!)) pos++;
  };
  const match = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = pos;
    const m = re.exec(source);
    if (m) pos += m[0].length;
    return m;
  };
  const expect = (c: string) => {
    spaces();
    if (source[pos] !== c) fail(`expected "${c}"`);
    pos++;
  };

  function message(inPlural: boolean, nested: boolean): Part[] {
    const parts: Part[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push(text);
      text = '';
    };
    while (pos < source.length) {
      const c = source[pos]!;
      if (c === "'") {
        const next = source[pos + 1];
        if (next === "'") {
          text += "'";
          pos += 2;
        } else if (next === '{' || next === '}' || (inPlural && next === '#')) {
          // Quoted literal text up to the next lone apostrophe ('' inside is one apostrophe).
          pos++;
          for (;;) {
            if (pos >= source.length) fail('unclosed quote');
            if (source[pos] === "'") {
              if (source[pos + 1] === "'") {
                text += "'";
                pos += 2;
                continue;
              }
              pos++;
              break;
            }
            text += source[pos++];
          }
        } else {
          text += "'";
          pos++;
        }
      } else if (c === '{') {
        flush();
        pos++;
        parts.push(argument());
      } else if (c === '}') {
        if (!nested) fail('unmatched "}"');
        break;
      } else if (c === '#' && inPlural) {
        flush();
        parts.push({ type: 'pound' });
        pos++;
      } else {
        text += c;
        pos++;
      }
    }
    flush();
    return parts;
  }

  function argument(): Part {
    spaces();
    const name = match(NAME)?.[0] ?? fail('expected an argument name');
    spaces();
    if (source[pos] === '}') {
      pos++;
      return { type: 'arg', name };
    }
    expect(',');
    spaces();
    const type = match(NAME)?.[0];
    if (type === 'number') {
      expect('}');
      return { type: 'number', name };
    }
    if (type !== 'plural') fail(`unsupported argument type ${JSON.stringify(type ?? '')} (use plural or number)`);
    expect(',');
    spaces();
    const offset = Number(match(OFFSET)?.[1] ?? 0);
    const options: Record<string, Part[]> = {};
    for (;;) {
      spaces();
      if (source[pos] === '}') {
        pos++;
        break;
      }
      const selector = match(SELECTOR)?.[0] ?? fail('expected a plural category (zero, one, two, few, many, other) or =n');
      if (options[selector]) fail(`duplicate plural option ${selector}`);
      expect('{');
      options[selector] = message(true, true);
      expect('}');
    }
    if (!options.other) fail('a plural needs an "other" option');
    return { type: 'plural', name, offset, options };
  }

  const parts = message(false, false);
  if (pos < source.length) fail('unexpected text');
  return parts;
}

/** Every argument a message reads, with whether it must be a number (plural or number). */
export function argumentsOf(parts: readonly Part[], out = new Map<string, 'number' | 'any'>()): Map<string, 'number' | 'any'> {
  for (const p of parts) {
    if (typeof p === 'string' || p.type === 'pound') continue;
    if (p.type === 'arg') {
      if (!out.has(p.name)) out.set(p.name, 'any');
    } else out.set(p.name, 'number');
    if (p.type === 'plural') for (const o of Object.values(p.options)) argumentsOf(o, out);
  }
  return out;
}

/** The plural categories and exact values (`=0`) each plural argument of a message chooses from. */
export function pluralsOf(parts: readonly Part[], out: Array<{ name: string; options: string[] }> = []): Array<{ name: string; options: string[] }> {
  for (const p of parts) {
    if (typeof p === 'string' || p.type !== 'plural') continue;
    out.push({ name: p.name, options: Object.keys(p.options) });
    for (const o of Object.values(p.options)) pluralsOf(o, out);
  }
  return out;
}

export interface LocaleFormats {
  plural: Intl.PluralRules;
  number: Intl.NumberFormat;
}

/**
 * Formats parsed parts. A missing value stays visible as `{name}` (a bug to see, not a crash in a card);
 * a plural whose value is not a number uses its `other` option.
 */
export function format(parts: readonly Part[], values: Values | undefined, f: LocaleFormats, pound?: number): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    if (p.type === 'pound') {
      out += pound === undefined ? '#' : f.number.format(pound);
      continue;
    }
    const v = values?.[p.name];
    if (p.type === 'arg' || p.type === 'number') {
      if (v === undefined) out += `{${p.name}}`;
      else out += typeof v === 'number' ? f.number.format(v) : p.type === 'number' && isNumeric(v) ? f.number.format(Number(v)) : v;
      continue;
    }
    const n = typeof v === 'number' ? v : isNumeric(v) ? Number(v) : undefined;
    if (n === undefined) {
      out += format(p.options.other!, values, f, undefined).replace(/#/g, `{${p.name}}`);
      continue;
    }
    const exact = p.options[`=${n}`];
    const branch = exact ?? p.options[f.plural.select(n - p.offset)] ?? p.options.other!;
    out += format(branch, values, f, n - p.offset);
  }
  return out;
}

function isNumeric(v: unknown): v is string {
  return typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v);
}
