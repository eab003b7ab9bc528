/**
 * What a command is: declared once, in its feature folder, with everything the product derives from it:
 * the words that name it, its usage and example (help, "did you mean", the manifest's command menu), how
 * its arguments are read, whether it writes to Partner Center, and what runs it.
 */
import type { z } from 'zod';
import type { BotDeps as Deps, Outcome } from '../features/common/types';
import type { Verb } from '../cards/verbs';
import type { Message } from '../i18n';
import type { Turn } from '../teams/turn';

export type MenuScope = 'personal' | 'team' | 'groupChat';
export const EVERYWHERE: readonly MenuScope[] = ['personal', 'team', 'groupChat'];
export const IN_CHANNELS_AND_GROUPS: readonly MenuScope[] = ['team', 'groupChat'];

/** Why a text is not a command: an i18n message (key and values), and the closest valid usage. */
export type ParseError = Message<
  'parse.empty' | 'parse.unknown' | 'parse.missingArgument' | 'parse.badArgument' | 'parse.unknownField' | 'parse.tooLong' | 'parse.unclosedQuote'
> & {
  /** The usage line of the command the user most likely meant. */
  usage?: string;
  /** That command's example, to copy. */
  example?: string;
};

/** What follows a command's name words, with the errors that point at this command's usage. */
export interface Args {
  /** The words, quotes removed (`name="a b"` is one word). */
  words: string[];
  /** The text from word `n` to the end, as typed (spacing and line breaks kept). */
  rest(n: number): string;
  missing(argument: string): { error: ParseError };
  bad(argument: string, value: string): { error: ParseError };
  unknownField(field: string, allowed: string): { error: ParseError };
}

/** A parsed command: its kind and its arguments. */
export type Parsed = { kind: string } & Record<string, unknown>;

/**
 * A parse step's verdict on the arguments: the values, an error to show, or `unknown` when the words do
 * not name this command after all ("sr lsit"): the user is then offered the closest command of the family.
 */
export type ArgsResult<A> = { ok: A } | { error: ParseError } | { unknown: true };

export interface CommandSpec<A extends object = object> {
  /** Stable key, used in logs and to route: 'sr.note'. */
  kind: string;
  /** The words that name it, as `help <name>` takes them: 'sr note'. */
  name: string;
  /** Other spellings of the whole name ('logout' for 'signout'). */
  aliases?: readonly string[];
  /** Shown in help and in "did you mean". */
  usage: string;
  example: string;
  /** Sends a write to Partner Center: a message or invoke delivered twice runs it once. */
  writes?: boolean;
  /** Where Teams offers it in the command menu (the manifest's commandLists; at most 10 per scope). */
  menu?: readonly MenuScope[];
  parse(args: Args): ArgsResult<A>;
  run(d: Deps, t: Turn, args: A): Promise<Outcome>;
}

/** Declares a command; typed so that `run` receives what `parse` returns. */
export function command<A extends object>(spec: CommandSpec<A>): CommandSpec<A> {
  return spec;
}

export const ok = <A>(value: A): ArgsResult<A> => ({ ok: value });
export const unknown: ArgsResult<never> = { unknown: true };

/** A parse error pointing at the command the user most likely meant (its usage and example). */
export function failure(message: Omit<ParseError, 'usage' | 'example'>, meant?: Pick<CommandSpec, 'usage' | 'example'>): { error: ParseError } {
  return { error: { ...message, ...(meant ? { usage: meant.usage, example: meant.example } : {}) } as ParseError };
}

/**
 * A card button's action: its verb (the one string the card and this handler share), the shape its data
 * must have (anything else is a tampered or stale card, refused before any work), and what runs it.
 */
export interface ActionSpec<D = unknown> {
  verb: Verb;
  data: z.ZodType<D>;
  /** Sends a write to Partner Center: an invoke delivered twice runs it once. */
  writes?: boolean;
  /** The step a slow write's "working" card names ("Adding your note…"); reads say only "Working on it…". */
  progress?(data: D): Message<`progress.${string}` & Message['key']>;
  run(d: Deps, t: Turn, data: D): Promise<Outcome>;
}

export function action<D>(spec: ActionSpec<D>): ActionSpec<D> {
  return spec;
}
