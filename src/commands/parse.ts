/**
 * Text in, a parsed command (the command it names, with its arguments) or a ParseError out, from the list
 * of commands alone, which is handed in (src/features/index.ts assembles it). Command words are
 * case-insensitive; values keep their case. Routing is on exact words, never on substrings.
 */
import { failure, type Args, type CommandSpec, type ParseError, type Parsed } from './contract';
import { levenshtein } from './distance';
import { tokenize } from './tokenize';

export type ParseResult = { ok: true; command: Parsed } | { ok: false; error: ParseError };

/** Longest command text accepted; the rest of Teams' 28 KB message limit is no use to a command. */
export const MAX_COMMAND_LENGTH = 4000;

/** First words that mean the same family. */
const FAMILY_ALIASES: Readonly<Record<string, string>> = { '?': 'help', subs: 'sub', subscription: 'sub', customers: 'customer' };

interface Named {
  spec: CommandSpec;
  words: string[];
}

/** The parser of a list of commands. */
export function commandParser(commands: readonly CommandSpec[]): (raw: string) => ParseResult {
  // Every name and alias, longest first: "watch sr all" is tried before "watch sr".
  const names: Named[] = commands
    .flatMap((spec) => [spec.name, ...(spec.aliases ?? [])].map((n) => ({ spec, words: n.split(' ') })))
    .sort((a, b) => b.words.length - a.words.length);
  return (raw) => parse(commands, names, raw);
}

function parse(commands: readonly CommandSpec[], names: readonly Named[], raw: string): ParseResult {
  const input = raw.replace(/\u00a0/g, ' ').trim();
  if (input.length === 0) return fail(failure({ key: 'parse.empty' }));
  if (input.length > MAX_COMMAND_LENGTH) return fail(failure({ key: 'parse.tooLong', params: { max: MAX_COMMAND_LENGTH } }));
  const tokens = tokenize(input);
  if (!Array.isArray(tokens)) return { ok: false, error: tokens };
  const words = tokens.map((t) => t.text);
  const lower = words.map((w) => w.toLowerCase());
  lower[0] = lower[0]!.replace(/^\//, '');
  lower[0] = FAMILY_ALIASES[lower[0]] ?? lower[0];

  const match = names.find((n) => n.words.every((w, i) => lower[i] === w));
  if (!match) return unknownCommand(commands, input, commands.some((c) => c.name.startsWith(`${lower[0]} `)) ? lower[0] : undefined);
  const { spec } = match;
  const from = match.words.length;
  const args: Args = {
    words: words.slice(from),
    rest: (n) => (tokens[from + n] ? input.slice(tokens[from + n]!.start).trim() : ''),
    missing: (argument) => failure({ key: 'parse.missingArgument', params: { argument } }, spec),
    bad: (argument, value) => failure({ key: 'parse.badArgument', params: { argument, value: value.slice(0, 80) } }, spec),
    unknownField: (field, allowed) => failure({ key: 'parse.unknownField', params: { field, allowed } }, spec),
  };
  const r = spec.parse(args);
  if ('ok' in r) return { ok: true, command: { kind: spec.kind, args: r.ok, spec } };
  if ('error' in r) return { ok: false, error: r.error };
  return unknownCommand(commands, input, lower[0]);
}

function fail(f: { error: ParseError }): ParseResult {
  return { ok: false, error: f.error };
}

/**
 * An unknown command: suggest the usage whose words are closest to what was typed. When the first word
 * was known (`sr lsit`), only that family's subcommands are candidates.
 */
function unknownCommand(commands: readonly CommandSpec[], input: string, family?: string): ParseResult {
  const typed = input.toLowerCase().split(/\s+/);
  const inFamily = family ? commands.filter((c) => c.name.startsWith(`${family} `)) : [];
  const candidates = inFamily.length > 0 ? inFamily : commands;
  let best: { spec: CommandSpec; distance: number } | undefined;
  for (const spec of candidates) {
    const n = spec.name.split(' ').length;
    const d = levenshtein(typed.slice(0, n).join(' '), spec.name);
    if (!best || d < best.distance) best = { spec, distance: d };
  }
  const close = best && best.distance <= Math.max(2, Math.floor(best.spec.name.length / 3));
  const meant = close ? best!.spec : commands.find((c) => c.name === 'help')!;
  return fail(failure({ key: 'parse.unknown', params: { text: typed.slice(0, 2).join(' ').slice(0, 40) } }, meant));
}
