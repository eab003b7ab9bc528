/**
 * How command syntax is shown to a person: usage lines keep their arguments in typographic brackets
 * («customer»), which every Teams client renders as text. Teams' Markdown reads `<customer>` as an HTML tag
 * and drops it (in messages and in Adaptive Card TextBlocks alike), so a usage written with angle brackets
 * reads "sub" where "sub <customer> <subscription-id>" was meant; a backslash escape depends on each client's
 * Markdown, brackets do not. The argument names are shown in the reader's language; the command words stay
 * as typed.
 */
import type { Translator } from '../i18n';
import type { ParseError } from './contract';

/** «name», as each usage line writes an argument. */
export const PLACEHOLDER = /«([^«»]+)»/g;

/** One argument's name in the reader's language, in its brackets. */
export function argumentText(tr: Translator, name: string): string {
  return `«${tr.maybe('arg', name) ?? name}»`;
}

/** A usage line as shown: the command words as typed, each «argument» named in the reader's language. */
export function usageText(tr: Translator, usage: string): string {
  return usage.replace(PLACEHOLDER, (_m, name: string) => argumentText(tr, name));
}

/** The arguments of a usage line, as shown. */
export function argumentsShown(tr: Translator, usage: string): string[] {
  return [...usage.matchAll(PLACEHOLDER)].map((m) => argumentText(tr, m[1]!));
}

/**
 * What the user reads when a text is not a command: what is wrong, the usage they most likely meant (with
 * its arguments), and an example to copy.
 */
export function parseErrorLines(tr: Translator, e: ParseError): string[] {
  const params = e.params as Record<string, unknown> | undefined;
  const argument = typeof params?.argument === 'string' ? params.argument : undefined;
  // A named argument is shown as usage shows it («customer»); a field typed as key=value stays as typed.
  const shown = argument && tr.maybe('arg', argument) ? { ...e, params: { ...params, argument: argumentText(tr, argument) } } : e;
  const lines = [tr.text(shown as ParseError)];
  // A value refused by a rule says the rule ("a whole number from 1 to 100,000"), not only that it is wrong.
  const rule = e.key === 'parse.badArgument' && argument ? tr.maybe('parse.rule', argument) : undefined;
  if (rule) lines.push(rule);
  if (e.usage) lines.push(tr.t('parse.didYouMean', { usage: usageText(tr, e.usage) }));
  if (e.example && e.example !== e.usage) lines.push(tr.t('parse.example', { example: e.example }));
  return lines;
}
