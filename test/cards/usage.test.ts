/**
 * Command syntax as a partner admin reads it: help, every "did you mean" and every suggestion in a message,
 * rendered through the official Adaptive Card renderer and read as Teams' Markdown shows it, keep every
 * argument of the usage. (Teams drops `<customer>` as an HTML tag: "sub <customer> <subscription-id>" read "sub".)
 */
import { failure } from '../../src/commands/contract';
import { COMMANDS, parseCommand, welcomeCard } from '../../src/features';
import { argumentsShown, parseErrorLines, usageText } from '../../src/commands/usage';
import { messageCard } from '../../src/cards/common';
import { helpCard } from '../../src/features/help/cards';
import { CATALOGS, LOCALES, translator } from '../../src/i18n';
import { enUS, type MessageKey } from '../../src/i18n/messages/en-US';
import { renderedTexts, rendererErrors, schemaErrors, teamsShows } from './validate';

/** Commands with a required argument (not only `[optional]` ones). */
const withArguments = COMMANDS.filter((c) => argumentsShown(translator('en-US'), c.usage.replace(/\[[^\]]*\]/g, '')).length > 0);

describe.each(LOCALES)('%s', (locale) => {
  const tr = translator(locale);

  /** The card is valid, and each usage shows whole, with each of its arguments, after Teams' Markdown. */
  const expectUsages = (card: unknown, usages: readonly string[]) => {
    expect(schemaErrors(card)).toEqual([]);
    expect(rendererErrors(card)).toEqual([]);
    const seen = renderedTexts(card).join('\n');
    for (const usage of usages) {
      const shown = usageText(tr, usage);
      expect({ usage, seen: seen.includes(shown) }).toEqual({ usage, seen: true });
      for (const argument of argumentsShown(tr, usage)) expect(seen).toContain(argument);
    }
  };

  test('the help card shows every usage with its arguments', () => {
    expectUsages(helpCard(tr, COMMANDS), COMMANDS.map((c) => c.usage));
    expectUsages(welcomeCard(tr), COMMANDS.map((c) => c.usage));
  });

  test.each(['sr', 'sub', 'customer', 'watch', 'sub set', 'unwatch'])('help %s shows its usages with their arguments', (topic) => {
    const shown = COMMANDS.filter((c) => c.name === topic || c.name.startsWith(`${topic} `));
    expect(shown.length).toBeGreaterThan(0);
    expectUsages(helpCard(tr, COMMANDS, topic), shown.map((c) => c.usage));
  });

  test.each(COMMANDS.map((c) => [c.name, c] as const))('"did you mean" %s keeps its arguments', (_name, spec) => {
    const lines = parseErrorLines(tr, failure({ key: 'parse.unknown', params: { text: 'x' } }, spec).error);
    expectUsages(messageCard(lines.join('\n\n')), [spec.usage]);
    // The example to copy is there too, as typed.
    if (spec.example !== spec.usage) expect(renderedTexts(messageCard(lines.join('\n\n'))).join('\n')).toContain(spec.example);
  });

  test.each(withArguments.map((c) => [c.name, c] as const))('"%s" without its arguments names what is missing and the usage', (name, spec) => {
    const r = parseCommand(name);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Its own usage (`sub` alone points at `sub list «customer»`, what it most likely meant).
    const usage = r.error.usage!;
    expect(usage === spec.usage || usage.startsWith(`${name} `)).toBe(true);
    const text = teamsShows(parseErrorLines(tr, r.error).join('\n\n'));
    expect(text).toContain(usageText(tr, usage));
    // The missing argument is named as usage names it.
    expect(argumentsShown(tr, usage).some((a) => text.split('\n\n')[0]!.includes(a))).toBe(true);
  });

  test('no message shows command syntax in angle brackets (Teams would drop it)', () => {
    // menu.* are the Teams command menu's descriptions (the manifest's plain text, not Markdown): Teams shows
    // their `<id>` as written, and they are kept as the manifest always had them.
    const broken = (Object.keys(enUS) as MessageKey[]).filter((k) => !k.startsWith('menu.') && /(^|[^\\])<[A-Za-z][\w -]*>/.test(CATALOGS[locale][k]));
    expect(broken).toEqual([]);
  });

  test('suggestions inside messages keep their placeholders', () => {
    for (const key of ['help.more', 'watch.list.empty', 'error.next.checkId'] as const) {
      const text = renderedTexts(messageCard(tr.t(key))).join('\n');
      expect({ key, placeholder: /«[^«»]+»/.test(text) }).toEqual({ key, placeholder: true });
    }
  });
});

test('no usage is written with angle brackets', () => {
  for (const c of COMMANDS) expect(c.usage).not.toMatch(/[<>]/);
});
