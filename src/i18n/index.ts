/**
 * User-facing text in the product's languages (those of its documentation): en-US, fr-FR, it-IT, bg-BG.
 * The locale comes from the Teams activity; anything else falls back to en-US. Every catalog has exactly
 * en-US's keys (the compiler checks it), and every message is ICU MessageFormat (./icu.ts): `{name}`
 * values and `{count, plural, one {…} other {…}}` plurals with the locale's CLDR categories.
 *
 * Parameters are typed from the en-US text: `t('sr.title', { id })` must name exactly `{id}`, and a plural
 * argument must be a number (formatted for the locale). Keys built at run time (`pc.code.${code}`) go
 * through `has` or `maybe`, never a cast.
 */
import { enUS, type MessageKey } from './messages/en-US';
import { frFR } from './messages/fr-FR';
import { itIT } from './messages/it-IT';
import { bgBG } from './messages/bg-BG';
import { argumentsOf, format, parse, type Part, type Values } from './icu';

export type { MessageKey } from './messages/en-US';
export const LOCALES = ['en-US', 'fr-FR', 'it-IT', 'bg-BG'] as const;
export type Locale = (typeof LOCALES)[number];

export const CATALOGS: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = {
  'en-US': enUS,
  'fr-FR': frFR,
  'it-IT': itIT,
  'bg-BG': bgBG,
};

// --- parameter types, read from the en-US text ---------------------------------------------------------

type NameChar =
  | 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z'
  | 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'N' | 'O' | 'P' | 'Q' | 'R' | 'S' | 'T' | 'U' | 'V' | 'W' | 'X' | 'Y' | 'Z'
  | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '_';
type IsName<S extends string> = S extends `${infer C}${infer R}` ? (C extends NameChar ? (R extends '' ? true : IsName<R>) : false) : false;
type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S;
type KindOf<S extends string> = Trim<S> extends `plural${string}` | `number${string}` ? 'number' : 'any';

/**
 * The arguments of an ICU message as `[name, kind]` pairs: every `{` followed by a name and then `}` or
 * `,`. Plural options (`one {# seat}`) are not names, so they are skipped; the i18n test checks that this
 * reading agrees with the parser for every message.
 */
type Args<S extends string> = S extends `${string}{${infer Rest}`
  ?
      | (Rest extends `${infer Inside}}${string}`
          ? Inside extends `${infer Name},${infer Kind}`
            ? IsName<Trim<Name>> extends true
              ? [Trim<Name>, KindOf<Kind>]
              : never
            : IsName<Trim<Inside>> extends true
              ? [Trim<Inside>, 'any']
              : never
          : never)
      | Args<Rest>
  : never;

type ArgsOf<K extends MessageKey> = Args<(typeof enUS)[K]>;

/** The values a message needs: its names, a number for each plural. */
export type ParamsOf<K extends MessageKey> = { [A in ArgsOf<K> as A[0]]: A[1] extends 'number' ? number : string | number };

type ParamsArg<K extends MessageKey> = [ArgsOf<K>] extends [never] ? [params?: Record<string, never>] : [params: ParamsOf<K>];

/** A message chosen in one place and rendered in another (a parse error, a banner): its key with its values. */
export type Message<K extends MessageKey = MessageKey> = {
  [P in K]: [ArgsOf<P>] extends [never] ? { key: P; params?: Record<string, never> } : { key: P; params: ParamsOf<P> };
}[K];

/** Every dotted prefix of the keys: `pc`, `pc.code`, `sub.status`, … */
type Prefixes<K extends string> = K extends `${infer A}.${infer B}` ? A | `${A}.${Prefixes<B>}` : never;
export type KeyPrefix = Prefixes<MessageKey>;

// --- locales ---------------------------------------------------------------------------------------------

/** `fr`, `fr-CA`, `FR-fr` → fr-FR; unknown or missing → en-US. */
export function resolveLocale(tag: string | undefined | null): Locale {
  if (!tag) return 'en-US';
  const exact = LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const language = tag.split(/[-_]/)[0]!.toLowerCase();
  return LOCALES.find((l) => l.startsWith(`${language}-`)) ?? 'en-US';
}

export interface Translator {
  readonly locale: Locale;
  t<K extends MessageKey>(key: K, ...params: ParamsArg<K>): string;
  /** A message chosen elsewhere, with its values. */
  text(m: Message): string;
  /** True when `key` is a message key (for keys built at run time, e.g. from a Partner Center code). */
  has(key: string): key is MessageKey;
  /**
   * The text of `${prefix}.${value}` when that key exists and takes no values, else undefined:
   * `maybe('sub.status', s.status) ?? s.status`.
   */
  maybe(prefix: KeyPrefix, value: string | number | null | undefined): string | undefined;
  /** A date (ISO string) in the user's language, or "—" for none. */
  date(iso: string | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
  number(n: number): string;
}

const translators = new Map<Locale, Translator>();

/** The translator for a locale; built once (Intl formatters are costly to create and safe to share). */
export function translator(locale: Locale): Translator {
  let t = translators.get(locale);
  if (!t) translators.set(locale, (t = buildTranslator(locale)));
  return t;
}

const KEYS: ReadonlySet<string> = new Set(Object.keys(enUS));
/** Keys whose message takes no values: the only ones `maybe` answers (a message needing values would show "{id}"). */
const PLAIN: ReadonlySet<string> = new Set(Object.entries(enUS).filter(([, text]) => argumentsOf(parse(text)).size === 0).map(([key]) => key));

function buildTranslator(locale: Locale): Translator {
  const catalog = CATALOGS[locale];
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const numberFmt = new Intl.NumberFormat(locale);
  const formats = { plural: new Intl.PluralRules(locale), number: numberFmt };
  // Each message is parsed the first time it is used; the tests parse every one of them up front.
  const parsed = new Map<MessageKey, readonly Part[]>();
  const render = (key: MessageKey, values?: Values): string => {
    if (!KEYS.has(key)) return key;
    let parts = parsed.get(key);
    if (!parts) parsed.set(key, (parts = parse(catalog[key] ?? enUS[key])));
    return format(parts, values, formats);
  };
  // Intl's format costs about 10 µs a call, and a card shows the same few dates again and again (created,
  // modified, each note): the last few hundred results are kept, per formatter.
  const remembered = (f: Intl.DateTimeFormat) => {
    const seen = new Map<string, string>();
    return (iso: string | null | undefined) => {
      if (!iso) return '—';
      let text = seen.get(iso);
      if (text === undefined) {
        const d = new Date(iso);
        text = Number.isNaN(d.getTime()) ? iso : f.format(d);
        if (seen.size >= 512) seen.clear();
        seen.set(iso, text);
      }
      return text;
    };
  };
  const date = remembered(dateFmt);
  const dateTime = remembered(dateTimeFmt);
  const has = (key: string): key is MessageKey => KEYS.has(key);
  return {
    locale,
    t: (key, ...params) => render(key, params[0]),
    text: (m) => render(m.key, m.params),
    has,
    maybe: (prefix, value) => {
      if (value === null || value === undefined || value === '') return undefined;
      const key = `${prefix}.${value}`;
      return has(key) && PLAIN.has(key) ? render(key) : undefined;
    },
    date,
    dateTime: (iso) => (iso ? `${dateTime(iso)} UTC` : '—'),
    number: (n) => numberFmt.format(n),
  };
}
