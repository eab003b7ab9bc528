import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES, resolveLocale, translator, type Locale, type MessageKey } from '../../src/i18n';
import { enUS } from '../../src/i18n/messages/en-US';
import { frFR } from '../../src/i18n/messages/fr-FR';
import { itIT } from '../../src/i18n/messages/it-IT';
import { bgBG } from '../../src/i18n/messages/bg-BG';

type Catalog = Readonly<Record<MessageKey, string>>;

const TRANSLATIONS: ReadonlyArray<{ locale: Exclude<Locale, 'en-US'>; file: string; catalog: Catalog; partnerCenter: RegExp }> = [
  // Partner Center as Microsoft localizes it. Bulgarian inflects it (Партньорският/Партньорския център).
  { locale: 'fr-FR', file: 'fr-FR.ts', catalog: frFR, partnerCenter: /Espace partenaires/ },
  { locale: 'it-IT', file: 'it-IT.ts', catalog: itIT, partnerCenter: /Centro per i partner/ },
  { locale: 'bg-BG', file: 'bg-BG.ts', catalog: bgBG, partnerCenter: /Партньорски(ят|я)? център/ },
];

/**
 * Keys whose translation may equal the English text:
 * - help.title: "Partner Ops" is the product's name, not translated.
 * - sub.title, sr.list.range, sr.note.by, sub.change.row, audit.entry: only placeholders and punctuation, nothing to
 *   translate (French still changes sub.change.row, adding the space before the colon; the "·" separators of
 *   audit.entry need no change in any language).
 */
const SAME_AS_ENGLISH_EVERYWHERE: ReadonlySet<MessageKey> = new Set<MessageKey>([
  'help.title',
  'sub.title',
  'sr.list.range',
  'sr.note.by',
  'sub.change.row',
  'audit.entry',
]);

/** Per language: words that are spelled the same as in English. */
const SAME_AS_ENGLISH_IN: Readonly<Record<Exclude<Locale, 'en-US'>, ReadonlySet<MessageKey>>> = {
  // "Description" and "Notes" are the French words too.
  'fr-FR': new Set<MessageKey>(['sr.field.description', 'sr.notes']),
  // "No" is Italian; Microsoft Italian keeps "legacy" as a loanword for pre-new-commerce offers.
  'it-IT': new Set<MessageKey>(['common.no', 'sub.kind.legacy']),
  'bg-BG': new Set<MessageKey>(),
};

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
const boldSegments = (s: string): string[] => s.match(/\*\*[^*]+\*\*/g) ?? [];
const englishKeys = Object.keys(enUS) as MessageKey[];

describe.each(TRANSLATIONS)('$locale catalog', ({ locale, file, catalog, partnerCenter }) => {
  it('has exactly the keys of en-US, in the same order', () => {
    expect(Object.keys(catalog)).toEqual(englishKeys);
  });

  it('is a literal translation, not a copy of en-US', () => {
    const source = readFileSync(join(__dirname, '../../src/i18n/messages', file), 'utf8');
    expect(source).not.toMatch(/\.\.\.\s*enUS/);
    expect(catalog).not.toBe(enUS);
  });

  it.each(englishKeys)('%s keeps the placeholders of the English text, and no others', (key) => {
    expect(placeholders(catalog[key])).toEqual(placeholders(enUS[key]));
  });

  it('has no empty value', () => {
    const empty = englishKeys.filter((k) => typeof catalog[k] !== 'string' || catalog[k].trim() === '');
    expect(empty).toEqual([]);
  });

  it('translates every value, except the allow-listed ones', () => {
    const allowed = (k: MessageKey) => SAME_AS_ENGLISH_EVERYWHERE.has(k) || SAME_AS_ENGLISH_IN[locale].has(k);
    const untranslated = englishKeys.filter((k) => catalog[k] === enUS[k] && !allowed(k));
    expect(untranslated).toEqual([]);
  });

  it('keeps command syntax in bold exactly as in English (users type it literally)', () => {
    for (const key of englishKeys) {
      expect({ key, bold: boldSegments(catalog[key]) }).toEqual({ key, bold: boldSegments(enUS[key]) });
    }
  });

  it("uses Microsoft's localized name for Partner Center and keeps Microsoft as is", () => {
    for (const key of englishKeys) {
      if (enUS[key].includes('Partner Center')) {
        expect({ key, ok: partnerCenter.test(catalog[key]) }).toEqual({ key, ok: true });
        expect(catalog[key]).not.toContain('Partner Center');
      }
      if (/\bMicrosoft\b/.test(enUS[key])) expect(catalog[key]).toContain('Microsoft');
    }
  });
});

describe('the allow-list of untranslated keys', () => {
  it('only holds placeholder-and-punctuation strings besides the product name', () => {
    for (const key of SAME_AS_ENGLISH_EVERYWHERE) {
      if (key === 'help.title') continue;
      expect(enUS[key].replace(/\{\w+\}/g, '')).not.toMatch(/\p{L}/u);
    }
  });
});

describe('resolveLocale', () => {
  it.each([
    ['fr', 'fr-FR'],
    ['fr-CA', 'fr-FR'],
    ['fr-FR', 'fr-FR'],
    ['IT-it', 'it-IT'],
    ['it', 'it-IT'],
    ['bg', 'bg-BG'],
    ['bg_BG', 'bg-BG'],
    ['en-GB', 'en-US'],
    ['de-DE', 'en-US'],
    ['', 'en-US'],
  ] as const)('%s → %s', (tag, expected) => {
    expect(resolveLocale(tag)).toBe(expected);
  });

  it('falls back to en-US when the locale is missing', () => {
    expect(resolveLocale(undefined)).toBe('en-US');
    expect(resolveLocale(null)).toBe('en-US');
  });
});

describe('translator', () => {
  it('knows every locale', () => {
    for (const locale of LOCALES) expect(translator(locale).locale).toBe(locale);
  });

  it.each([
    ['en-US', 'Service request 616122292874576 was created.'],
    ['fr-FR', 'La demande de service 616122292874576 a été créée.'],
    ['it-IT', 'La richiesta di servizio 616122292874576 è stata creata.'],
    ['bg-BG', 'Заявката за услуга 616122292874576 е създадена.'],
  ] as const)('%s fills placeholders', (locale, expected) => {
    expect(translator(locale).t('sr.created', { id: '616122292874576' })).toBe(expected);
  });

  it('fills several placeholders, numbers included, and leaves unknown ones visible', () => {
    const fr = translator('fr-FR');
    expect(fr.t('sub.change.row', { field: 'Licences', from: 10, to: 12 })).toBe('Licences : 10 → 12');
    expect(fr.t('pc.throttled', { seconds: 30 })).toBe("L'Espace partenaires limite le nombre de requêtes. Réessayez dans 30 secondes.");
    expect(fr.t('sr.title')).toBe('Demande de service {id}');
    expect(fr.t('sr.title', {})).toBe('Demande de service {id}');
  });

  it('does not interpret replacement patterns in values', () => {
    expect(translator('it-IT').t('sub.list.empty', { customer: '$& $1 Contoso' })).toBe('$& $1 Contoso non ha sottoscrizioni.');
  });

  it.each([
    // fr-FR groups with a narrow no-break space (U+202F); it-IT and bg-BG do not group four-digit numbers.
    ['en-US', '1,234.5', '1,234,567.5'],
    ['fr-FR', '1\u202f234,5', '1\u202f234\u202f567,5'],
    ['it-IT', '1234,5', '1.234.567,5'],
    ['bg-BG', '1234,5', '1\u00a0234\u00a0567,5'],
  ] as const)('%s formats numbers', (locale, four, seven) => {
    const tr = translator(locale);
    expect(tr.number(1234.5)).toBe(four);
    expect(tr.number(1234567.5)).toBe(seven);
  });

  it.each([
    ['en-US', 'Mar 7, 2025', /^Mar 7, 2025, 3:04\sPM UTC$/],
    ['fr-FR', '7 mars 2025', /^7 mars 2025(,| à) 15:04 UTC$/],
    ['it-IT', '7 mar 2025', /^7 mar 2025, 15:04 UTC$/],
    ['bg-BG', '7.03.2025 г.', /^7\.03\.2025 г\., 15:04 UTC$/],
  ] as const)('%s formats dates in UTC', (locale, date, dateTime) => {
    const tr = translator(locale);
    // Dates are shown in UTC whatever the server's zone: 00:30 on the 7th at UTC+1 is still the 6th.
    expect(tr.date('2025-03-07T15:04:00Z')).toBe(date);
    expect(tr.date('2025-03-07T00:30:00+01:00')).not.toBe(date);
    expect(tr.dateTime('2025-03-07T15:04:00Z')).toMatch(dateTime);
  });

  it('shows a dash for no date and the raw text for an unreadable one', () => {
    for (const locale of LOCALES) {
      const tr = translator(locale);
      expect(tr.date(null)).toBe('—');
      expect(tr.date(undefined)).toBe('—');
      expect(tr.dateTime('')).toBe('—');
      expect(tr.date('not a date')).toBe('not a date');
    }
  });
});
