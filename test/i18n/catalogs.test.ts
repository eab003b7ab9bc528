import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES, CATALOGS, resolveLocale, translator, type Locale, type MessageKey } from '../../src/i18n';
import { argumentsOf, parse, pluralsOf, MessageSyntaxError } from '../../src/i18n/icu';
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
 * - sub.title, sr.note.by, sub.change.row, audit.value: only placeholders and punctuation, nothing to
 *   translate (French still changes sub.change.row and audit.value, adding the no-break space before the colon).
 */
const SAME_AS_ENGLISH_EVERYWHERE: ReadonlySet<MessageKey> = new Set<MessageKey>([
  'help.title',
  'sub.title',
  'sr.note.by',
  'sub.change.row',
  'audit.value',
  // Layout only: a person and a verb phrase, a date and a status.
  'activity.headline',
  'activity.when',
]);

/** Per language: words that are spelled the same as in English. */
const SAME_AS_ENGLISH_IN: Readonly<Record<Exclude<Locale, 'en-US'>, ReadonlySet<MessageKey>>> = {
  // "Description", "Notes" and "Note" are the French words too.
  'fr-FR': new Set<MessageKey>(['sr.field.description', 'sr.notes', 'sr.field.note']),
  // "No" is Italian; Microsoft Italian keeps "legacy" as a loanword for pre-new-commerce offers.
  'it-IT': new Set<MessageKey>(['common.no', 'sub.kind.legacy']),
  'bg-BG': new Set<MessageKey>(),
};

/** The arguments of a message as the parser reads them, with their kind (a plural or number, or any value). */
const placeholders = (s: string): string[] => [...argumentsOf(parse(s))].map(([name, kind]) => `${name}:${kind}`).sort();
/** Command syntax in bold; an «argument» in it is named in each language (nobody types it literally). */
const boldSegments = (s: string): string[] => (s.match(/\*\*[^*]+\*\*/g) ?? []).map((b) => b.replace(/«[^«»]+»/g, '«»'));
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

  it.each(englishKeys)('%s keeps the arguments of the English text (names and plural/number kind), and no others', (key) => {
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
      expect(pluralsOf(parse(enUS[key]))).toEqual([]);
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

  it('fills several placeholders, numbers formatted for the locale, and leaves a missing one visible', () => {
    const fr = translator('fr-FR');
    expect(fr.t('sub.change.row', { field: 'Licences', from: 10, to: 12 })).toBe('Licences\u00a0: 10 → 12');
    expect(fr.t('sub.change.row', { field: 'Licences', from: 1200, to: 1500 })).toBe('Licences\u00a0: 1\u202f200 → 1\u202f500');
    expect(fr.t('pc.throttled', { seconds: 30 })).toBe("L'Espace partenaires limite le nombre de requêtes. Réessayez dans 30 secondes.");
    // The compiler refuses a call without its values; at run time a missing value stays visible rather than breaking a card.
    const untyped = fr.t as (key: MessageKey, params?: object) => string;
    expect(untyped('sr.title')).toBe('Demande de service {id}');
    expect(untyped('sr.title', {})).toBe('Demande de service {id}');
    expect(untyped('sub.list.seats', {})).toBe('{count} licences');
  });

  it('type-checks the values of each message against the en-US text', () => {
    const tr = translator('en-US');
    // @ts-expect-error: sr.title has {id}, not {name}
    tr.t('sr.title', { name: 'x' });
    // @ts-expect-error: sr.title needs its {id}
    tr.t('sr.title');
    // @ts-expect-error: a plural's count is a number, not text already formatted
    tr.t('sub.list.seats', { count: '5' });
    // @ts-expect-error: common.save takes no values
    tr.t('common.save', { id: 'x' });
    // @ts-expect-error: not a key
    tr.t('pc.code.123');
    expect(tr.t('sub.list.seats', { count: 5 })).toBe('5 seats');
  });

  it('answers keys built at run time without casts: has and maybe', () => {
    const tr = translator('it-IT');
    expect(tr.has('pc.code.2055')).toBe(true);
    expect(tr.has('pc.code.1')).toBe(false);
    expect(tr.maybe('sub.status', 'suspended')).toBe(itIT['sub.status.suspended']);
    expect(tr.maybe('sub.status', 'archived')).toBeUndefined();
    expect(tr.maybe('pc.status', 404)).toBe(itIT['pc.status.404']);
    expect(tr.maybe('pc.code', undefined)).toBeUndefined();
    expect(tr.maybe('pc.code', '')).toBeUndefined();
    // A key that needs values is not produced by maybe (it would show "{id}").
    expect(tr.maybe('sr', 'title')).toBeUndefined();
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

describe('ICU messages', () => {
  const LOCALE_CATEGORIES = Object.fromEntries(LOCALES.map((l) => [l, new Intl.PluralRules(l).resolvedOptions().pluralCategories.slice().sort()])) as Record<Locale, string[]>;

  it.each(LOCALES)('every %s message parses as ICU', (locale) => {
    const broken: string[] = [];
    for (const key of englishKeys) {
      try {
        parse(CATALOGS[locale][key]);
      } catch (e) {
        broken.push(`${key}: ${(e as Error).message}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it.each(LOCALES)("every %s plural offers exactly the language's CLDR categories (and may add =n)", (locale) => {
    for (const key of englishKeys) {
      for (const p of pluralsOf(parse(CATALOGS[locale][key]))) {
        const categories = p.options.filter((o) => !o.startsWith('=')).sort();
        expect({ key, argument: p.name, categories }).toEqual({ key, argument: p.name, categories: LOCALE_CATEGORIES[locale] });
      }
    }
  });

  it('no message hand-makes a plural any more ("seat(s)", "licenza/e", "лиценз(а)")', () => {
    for (const locale of LOCALES) {
      for (const key of englishKeys) expect({ key, locale, text: CATALOGS[locale][key] }).not.toEqual(expect.objectContaining({ text: expect.stringMatching(/\p{L}\(\p{L}{1,3}\)|\p{L}\/\p{L}{1,2}\b/u) }));
    }
  });

  it('reads the same argument names as the compile-time reading of en-US', () => {
    // The mirror of `Args<S>` in src/i18n/index.ts: each "{" followed by a name and then "}" or ",".
    const lexical = (s: string) =>
      [...new Set([...s.matchAll(/\{([^{}]*?)(?=[},{])/g)].map((m) => m[1]!.split(',')[0]!.trim()).filter((n) => /^[A-Za-z_]\w*$/.test(n)))].sort();
    for (const key of englishKeys) {
      expect({ key, names: lexical(enUS[key]) }).toEqual({ key, names: [...argumentsOf(parse(enUS[key])).keys()].sort() });
    }
  });

  it('refuses what is not ICU or outside the supported subset', () => {
    for (const bad of ['{', '}', '{count, plural, one {# seat}}', '{count, select, a {x} other {y}}', '{count, plural, one {x} one {y} other {z}}', "'{unclosed", '{1}']) {
      expect(() => parse(bad)).toThrow(MessageSyntaxError);
    }
  });

  it("keeps apostrophes as ICU does: literal in words, quoting only before braces", () => {
    const fr = translator('fr-FR');
    expect(fr.t('common.cancelled')).toBe(frFR['common.cancelled']);
    expect(frFR['common.cancelled']).toContain("'");
    // An apostrophe right before a brace starts a quote, as in ICU: write l''{name} for "l'" followed by a
    // value. A quote left open is refused (ICU would silently quote the rest of the message).
    expect(parse("l''{name} '{literal}' it's")).toEqual(["l'", { type: 'arg', name: 'name' }, " {literal} it's"]);
    expect(() => parse("l'{name}")).toThrow(MessageSyntaxError);
  });
});

describe('plurals, as a user reads them', () => {
  it.each([
    ['en-US', [0, 1, 2, 5, 21, 1_000_000], ['0 seats', '1 seat', '2 seats', '5 seats', '21 seats', '1,000,000 seats']],
    // French: 0 and 1 are singular; a round million takes "de".
    ['fr-FR', [0, 1, 2, 5, 21, 1_000_000], ['0 licence', '1 licence', '2 licences', '5 licences', '21 licences', '1\u202f000\u202f000 de licences']],
    // Italian: only 1 is singular; a round million takes "di".
    ['it-IT', [0, 1, 2, 5, 21, 1_000_000], ['0 licenze', '1 licenza', '2 licenze', '5 licenze', '21 licenze', '1.000.000 di licenze']],
    // Bulgarian: the count form "лиценза" after every number but 1.
    ['bg-BG', [0, 1, 2, 5, 21, 1_000_000], ['0 лиценза', '1 лиценз', '2 лиценза', '5 лиценза', '21 лиценза', '1\u00a0000\u00a0000 лиценза']],
  ] as const)('%s seats', (locale, counts, expected) => {
    const tr = translator(locale);
    expect(counts.map((count) => tr.t('sub.list.seats', { count }))).toEqual(expected);
  });

  it.each([
    ['en-US', 'Partner Center allows removing at most 1 seat from', 'so I did not ask to remove 3.'],
    ['fr-FR', 'permet de retirer au plus 1 licence de cet abonnement', "d'en retirer 3."],
    ['it-IT', 'al massimo 1 licenza da questa sottoscrizione', 'rimuoverne 3.'],
    ['bg-BG', 'най-много 1 лиценз от този абонамент', 'премахване на 3.'],
  ] as const)('%s: the refusal to remove more seats than allowed agrees with the number', (locale, limit, asked) => {
    const text = translator(locale).t('sub.refusal.decrease', { refundable: 1, asked: 3 });
    expect(text).toContain(limit);
    expect(text).toContain(asked);
    expect(text).not.toMatch(/\(s\)|\/e\b|\(а\)/);
  });

  it.each([
    ['en-US', '1 item Partner Center sent could not be read, so it is not shown.', '3 items Partner Center sent could not be read, so they are not shown.'],
    ['fr-FR', "1 élément envoyé par l'Espace partenaires n'a pas pu être lu et n'est pas affiché.", "3 éléments envoyés par l'Espace partenaires n'ont pas pu être lus et ne sont pas affichés."],
    ['it-IT', 'Non è stato possibile leggere 1 elemento inviato dal Centro per i partner, quindi non viene mostrato.', 'Non è stato possibile leggere 3 elementi inviati dal Centro per i partner, quindi non vengono mostrati.'],
    ['bg-BG', '1 елемент, изпратен от Партньорския център, не можа да бъде прочетен и не е показан.', '3 елемента, изпратени от Партньорския център, не можаха да бъдат прочетени и не са показани.'],
  ] as const)('%s: whole sentences agree with the count', (locale, one, three) => {
    const tr = translator(locale);
    expect(tr.t('common.skipped', { count: 1 })).toBe(one);
    expect(tr.t('common.skipped', { count: 3 })).toBe(three);
  });

  it('waits in seconds, singular and plural', () => {
    expect(translator('en-US').t('pc.throttled', { seconds: 1 })).toBe('Partner Center is throttling requests. Try again in 1 second.');
    expect(translator('bg-BG').t('pc.throttled', { seconds: 1 })).toContain('след 1 секунда.');
    expect(translator('bg-BG').t('pc.throttled', { seconds: 30 })).toContain('след 30 секунди.');
    expect(translator('it-IT').t('pc.throttled', { seconds: 1 })).toContain('tra 1 secondo.');
  });
});
