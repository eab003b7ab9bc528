/**
 * User-facing text in the product's languages (those of its documentation): en-US, fr-FR, it-IT, bg-BG.
 * The locale comes from the Teams activity; anything else falls back to en-US. Every catalog has exactly
 * en-US's keys (the compiler checks it), and `{name}` placeholders are filled from params.
 */
import { enUS, type MessageKey } from './messages/en-US';
import { frFR } from './messages/fr-FR';
import { itIT } from './messages/it-IT';
import { bgBG } from './messages/bg-BG';

export type { MessageKey } from './messages/en-US';
export const LOCALES = ['en-US', 'fr-FR', 'it-IT', 'bg-BG'] as const;
export type Locale = (typeof LOCALES)[number];

const CATALOGS: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = {
  'en-US': enUS,
  'fr-FR': frFR,
  'it-IT': itIT,
  'bg-BG': bgBG,
};

/** `fr`, `fr-CA`, `FR-fr` → fr-FR; unknown or missing → en-US. */
export function resolveLocale(tag: string | undefined | null): Locale {
  if (!tag) return 'en-US';
  const exact = LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const language = tag.split(/[-_]/)[0]!.toLowerCase();
  return LOCALES.find((l) => l.startsWith(`${language}-`)) ?? 'en-US';
}

export type Params = Record<string, string | number | undefined>;

export interface Translator {
  readonly locale: Locale;
  t(key: MessageKey, params?: Params): string;
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

function buildTranslator(locale: Locale): Translator {
  const catalog = CATALOGS[locale];
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const numberFmt = new Intl.NumberFormat(locale);
  const fmt = (f: Intl.DateTimeFormat, iso: string | null | undefined) => {
    if (!iso) return '—';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : f.format(d);
  };
  return {
    locale,
    t: (key, params) => interpolate(catalog[key] ?? enUS[key] ?? key, params),
    date: (iso) => fmt(dateFmt, iso),
    dateTime: (iso) => `${fmt(dateTimeFmt, iso)}${iso ? ' UTC' : ''}`,
    number: (n) => numberFmt.format(n),
  };
}

function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}
