/**
 * What a native partner admin notices in the translations, read from the files a localizer edits:
 * - a word the language's glossary (docs/glossary/<lang>.md, "Ruled out") rules out, in the catalog or in the
 *   Teams manifest strings;
 * - a message that names a button by a label no button has ("use „Опресняване“" beside a button „Обновяване“);
 * - French punctuation without its no-break space (« ? ! ; : » and inside « »).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGS, LOCALES, type Locale, type MessageKey } from '../../src/i18n';
import { enUS } from '../../src/i18n/messages/en-US';

const ROOT = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const LANG: Readonly<Record<Locale, string>> = { 'en-US': 'en', 'fr-FR': 'fr', 'it-IT': 'it', 'bg-BG': 'bg' };
const englishKeys = Object.keys(enUS) as MessageKey[];

// --- the glossaries -----------------------------------------------------------------------------------

type RuledOut = { pattern: string; test: RegExp };

/** A plain entry matches case-insensitively at the start of a word; `/…/` is a case-sensitive regex (docs/glossary/README.md). */
function ruledOutOf(markdown: string): RuledOut[] {
  const section = markdown.split(/^## Ruled out\s*$/m)[1];
  if (section === undefined) throw new Error('no "## Ruled out" section');
  const body = section.split(/^## /m)[0]!;
  return [...body.matchAll(/^- `([^`]+)` — \S/gm)].map(([, pattern]) => {
    const regex = /^\/(.+)\/$/.exec(pattern!);
    const escaped = pattern!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return { pattern: pattern!, test: regex ? new RegExp(regex[1]!, 'u') : new RegExp(`(?<!\\p{L})${escaped}`, 'iu') };
  });
}

/** The first column of the glossary's table: the concepts it covers. */
const conceptsOf = (markdown: string): string[] =>
  [...markdown.matchAll(/^\| ([^|]+?) \| ([^|]+?) \| (.+) \|$/gm)].filter(([, c]) => c !== 'Concept' && !/^-+$/.test(c!)).map(([, c, term, where]) => `${c}|${term!.trim() !== '' && where!.trim() !== ''}`);

const GLOSSARY = Object.fromEntries(LOCALES.map((l) => [l, read(`docs/glossary/${LANG[l]}.md`)])) as Record<Locale, string>;

/** The manifest strings a Teams user of that language reads (the en text lives in manifest.json, outside this check). */
function manifestStrings(locale: Locale): Array<[string, string]> {
  if (locale === 'en-US') return [];
  const json = JSON.parse(read(`appPackage/${LANG[locale]}.json`)) as Record<string, string>;
  return Object.entries(json).filter(([k]) => k !== '$schema').map(([k, v]) => [`appPackage/${LANG[locale]}.json ${k}`, v]);
}
const catalogStrings = (locale: Locale): Array<[string, string]> => englishKeys.map((k) => [k, CATALOGS[locale][k]]);
const everyString = (locale: Locale) => [...catalogStrings(locale), ...manifestStrings(locale)];

describe('the glossaries', () => {
  const CONCEPTS = ['Partner Center', 'Subscription', 'Seat / licence', 'Service request', 'Auto-renew', 'Tenant', 'Sign in', 'Role: admin agent', 'Role: sales agent', 'Role: helpdesk agent', 'Role: global admin', 'Suspend', 'Cancel', 'Refresh'];

  it.each(LOCALES)('%s names a term, and where it was checked, for each concept', (locale) => {
    const rows = conceptsOf(GLOSSARY[locale]);
    expect(rows.length).toBeGreaterThan(0);
    for (const concept of CONCEPTS) expect({ concept, rows: rows.filter((r) => r.split('|')[0]!.toLowerCase() === concept.toLowerCase()) }).toEqual({ concept, rows: [`${concept}|true`] });
  });

  it.each(LOCALES)('%s has a "Ruled out" list the test can read, every entry a valid pattern', (locale) => {
    const entries = ruledOutOf(GLOSSARY[locale]);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    // Every list item of the section is read: none is dropped for a typo in its form.
    const items = (GLOSSARY[locale].split(/^## Ruled out\s*$/m)[1]!.match(/^- /gm) ?? []).length;
    expect(entries).toHaveLength(items);
  });

  it('reads an entry the way the README says (the issue\'s own examples)', () => {
    const it = ruledOutOf(GLOSSARY['it-IT']);
    const hits = (s: string, entries: RuledOut[]) => entries.filter((e) => e.test.test(s)).map((e) => e.pattern);
    expect(hits("Sospendere l'abbonamento Contoso?", it)).toEqual(['abbonament']);
    expect(hits('Abbonamenti di Contoso', it)).toEqual(['abbonament']);
    expect(hits('fino al {date}.', it)).toHaveLength(1);
    expect(hits('Nessuna sottoscrizione in data {when}.', it)).toEqual([]);
    const bg = ruledOutOf(GLOSSARY['bg-BG']);
    expect(hits('използвайте „Опресняване“', bg)).toEqual(['Опресняване']);
    expect(hits('заявките ви', bg)).toHaveLength(1);
    expect(hits('заявките Ви', bg)).toEqual([]);
    expect(hits('Спряно', bg)).toEqual([]);
    expect(hits('Временно спрян', bg)).toEqual([]);
    expect(hits('Статус: Спрян', bg)).toHaveLength(1);
    expect(hits('Спиране на наблюдението', bg)).toEqual([]);
    expect(hits('Спиране', bg)).toHaveLength(1);
  });

  it.each(LOCALES)('%s: no catalog message or manifest string uses a word its glossary rules out', (locale) => {
    const entries = ruledOutOf(GLOSSARY[locale]);
    const found = everyString(locale).flatMap(([where, text]) => entries.filter((e) => e.test.test(text)).map((e) => `${where}: ${e.pattern}`));
    expect(found).toEqual([]);
  });
});

// --- buttons named in messages -----------------------------------------------------------------------

/**
 * The catalog keys shown as button labels (cards' actions, sign-in and suggested actions). A key added here must
 * be used in src/ (checked below); a new button belongs here so that messages naming it are checked too.
 */
const BUTTONS: readonly MessageKey[] = [
  'common.refresh', 'common.confirm', 'common.save', 'common.next', 'common.previous', 'common.backToList', 'common.openInPartnerCenter',
  'confirm.keep', 'customer.action.subscriptions', 'customer.action.back',
  'sr.action.addNote', 'sr.action.send', 'sr.action.close', 'sr.action.open', 'sr.form.submit',
  'sub.action.open', 'sub.action.suspend', 'sub.action.reactivate', 'sub.action.cancel',
  'notify.stop', 'notify.resume', 'signin.button', 'ext.open', 'ext.signIn',
  'deadlines.action.renewOn', 'deadlines.action.nextTerm', 'sub.renewal.schedule', 'sub.renewal.clear',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? (name === 'i18n' ? [] : sourceFiles(path)) : path.endsWith('.ts') ? [path] : [];
  });
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A button named inside a sentence: after a word and a space ("use Refresh", "select Confirm"), not as the sentence's first word. */
const names = (text: string, label: string) => new RegExp(`(?<=\\p{L}[,:]?\\s)${escapeRegex(label)}(?!\\p{L})`, 'u').test(text);
/** Command syntax in bold is typed by the user, not read as prose. */
const prose = (s: string) => s.replace(/\*\*[^*]+\*\*/g, ' ');

describe('buttons named in messages', () => {
  it('every listed button key is shown by the code', () => {
    const code = sourceFiles(join(ROOT, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(BUTTONS.filter((k) => !code.includes(`t('${k}')`) && !code.includes(`t('${k}', `))).toEqual([]);
  });

  // The English source decides which message names which button; every language must then use the button's own label.
  const mentions = englishKeys.flatMap((m) => (BUTTONS.includes(m) ? [] : BUTTONS.filter((b) => names(prose(enUS[m]), enUS[b])).map((b) => [m, b] as const)));

  it('finds the English messages that send the user to a button', () => {
    expect(mentions).toEqual(expect.arrayContaining([
      ['error.afterWrite', 'common.refresh'],
      ['write.unread', 'common.refresh'],
      ['sub.stillInProgress', 'common.refresh'],
      ['confirm.next', 'common.confirm'],
      ['sub.next.autoRenewOff.next', 'deadlines.action.renewOn'],
      ['sub.next.autoRenewOff.next', 'deadlines.action.nextTerm'],
    ]));
  });

  it.each(LOCALES)('%s: a message that names a button uses the label that button has', (locale) => {
    const cat = CATALOGS[locale];
    const wrong = mentions.filter(([m, b]) => !prose(cat[m]).includes(cat[b])).map(([m, b]) => `${m} should say “${cat[b]}” (${b})`);
    expect(wrong).toEqual([]);
  });

  it.each(LOCALES)('%s: a quoted word in a message is a placeholder or a button label', (locale) => {
    const cat = CATALOGS[locale];
    const labels = new Set(BUTTONS.map((b) => cat[b]));
    const quoted = englishKeys.flatMap((k) =>
      [...prose(cat[k]).matchAll(/„([^“]*)“|«([^»]*)»|“([^”]*)”|"([^"]*)"/g)]
        .map((q) => (q[1] ?? q[2] ?? q[3] ?? q[4])!.replace(/^[\s\u00a0\u202f]+|[\s\u00a0\u202f]+$/g, ''))
        .filter((inner) => !inner.includes('{') && !labels.has(inner))
        .map((inner) => `${k}: “${inner}”`),
    );
    expect(quoted).toEqual([]);
  });
});

// --- French typography -------------------------------------------------------------------------------

const NBSP = '[\\u00a0\\u202f]';

/** Each place a French string breaks the rule, with a little context. Bold command syntax is typed as is and skipped. */
function frenchSpacingFaults(text: string): string[] {
  const t = prose(text);
  const faults: string[] = [];
  const at = (i: number) => JSON.stringify(t.slice(Math.max(0, i - 12), i + 3));
  // « ? ! ; : » take a no-break space before; a sign between two non-spaces (status:open, https://, 15:04) is not punctuation.
  for (const m of t.matchAll(/[?!;:]/g)) {
    const i = m.index!;
    const before = t[i - 1] ?? '';
    const after = t[i + 1] ?? '';
    if (/\S/.test(before) && !new RegExp(NBSP).test(before) && /\S/.test(after) && !/[»)]/.test(after)) continue;
    if (!new RegExp(NBSP).test(before)) faults.push(`no no-break space before ${m[0]} in ${at(i)}`);
  }
  for (const m of t.matchAll(/«/g)) if (!new RegExp(NBSP).test(t[m.index! + 1] ?? '')) faults.push(`no no-break space after « in ${at(m.index!)}`);
  for (const m of t.matchAll(/»/g)) if (!new RegExp(NBSP).test(t[m.index! - 1] ?? '')) faults.push(`no no-break space before » in ${at(m.index!)}`);
  return faults;
}

describe('French typography', () => {
  it('finds the faults it is meant to find', () => {
    expect(frenchSpacingFaults('Réessayez ; ou pas !')).toHaveLength(2);
    expect(frenchSpacingFaults('Vouliez-vous dire: **{usage}**')).toHaveLength(1);
    expect(frenchSpacingFaults('La commande « {topic} » existe.')).toHaveLength(2);
    expect(frenchSpacingFaults('Réessayez\u202f; ou pas\u202f! Licences\u00a0: «\u00a0{title}\u00a0» status:open https://x')).toEqual([]);
    expect(frenchSpacingFaults('Tapez **help «commande»**.')).toEqual([]);
  });

  it('puts a no-break space before « ? ! ; : » and inside « » in every message and manifest string', () => {
    const faults = everyString('fr-FR').flatMap(([where, text]) => frenchSpacingFaults(text).map((f) => `${where}: ${f}`));
    expect(faults).toEqual([]);
  });
});
