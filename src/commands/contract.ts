/**
 * The command contract: everything a feature needs to declare what it does and to do it, and nothing
 * more. A command or a card action is declared once, in its feature folder, with everything the product
 * derives from it: the words that name it, its usage and example (help, "did you mean", the manifest's
 * command menu), how its arguments are read, whether it writes to Partner Center, and what runs it, given
 * the turn it serves (`Turn`) and the bot's services (`BotDeps`), answering with an `Outcome`.
 *
 * Features import this module; src/teams/ implements it (builds the turn, runs the outcome, tracks
 * background work); src/features/index.ts lists the commands and hands them to the parser. This module
 * names no feature and nothing of src/teams/ (test/architecture/imports.test.ts keeps it so).
 */
import type { ConversationReference, TurnContext } from 'botbuilder';
import type { z } from 'zod';
import type { AdaptiveCard } from '../cards/render';
import type { Verb } from '../cards/verbs';
import type { Locale, Message, Translator } from '../i18n';
import type { Actor } from '../identity';
import type { DelegatedIdentity } from '../identity/delegated';
import type { Logger } from '../logging/logger';
import type { WatchStore } from '../notifications/watches';
import type { PartnerCenterClient, UserContext } from '../partner-center';
import type { TurnLine } from '../logging/turn-line';
import type { CallRecord } from '../partner-center/pipeline';
import type { Dedupe } from '../storage/once';
import type { Clock } from '../util/clock';

/**
 * What every handler needs to know about the turn it serves: who is acting (and their token function),
 * in which language, in which tenant. Built once per activity (src/teams/turn.ts).
 */
export interface Turn {
  /** Valid only while the turn is served: work that may outlive it (past the invoke deadline) uses `reference`. */
  context: TurnContext;
  /** Where this activity came from, captured at the start: what background work and the audit trail use. */
  reference: Partial<ConversationReference>;
  /** The conversation's storage key (audit trail, watches). */
  conversationKey: string;
  /** The activity's id: the key a re-delivery of it is recognised by. */
  activityId?: string;
  locale: Locale;
  tr: Translator;
  /**
   * The reader's IANA time zone when Teams sent a valid one (features/common/time-zone.ts), read at the start:
   * background work (a confirmed write past the invoke deadline) may no longer touch `context`.
   */
  timeZone?: string;
  actor: Actor;
  /** What the Partner Center client needs to act as this user; one correlation id per user action. */
  user: UserContext;
  conversationType: 'personal' | 'groupChat' | 'channel';
  /** Logs of this turn: every line carries the Teams conversation and activity ids and the correlation id. */
  log: Logger;
  /** The Partner Center calls this turn made (the audit trail takes a write's request id from here). */
  calls: CallRecord[];
  /** The turn's one line at info (what was asked, the outcome, the calls), written when the turn is over. */
  line: TurnLine;
}

/**
 * Work that continues after Teams has its answer (a slow Partner Center call, a 202 still being applied):
 * the bot tracks it so shutdown can wait for it, and logs its failures rather than losing them.
 */
export interface BackgroundWork {
  run(name: string, work: () => Promise<void>): void;
}

/**
 * What every handler is given: the bot's services, built once (src/teams/app.ts). The services a feature
 * owns itself (the audit trail, the confirmation signer) are added to this interface by that feature's
 * side (src/features/common/types.ts), so this module names no feature.
 */
export interface BotDeps {
  client: PartnerCenterClient;
  clock: Clock;
  dedupe: Dedupe;
  background: BackgroundWork;
  logger: Logger;
  watches: WatchStore;
  /** The delegated sign-in, when configured (whoami, signout). */
  identity?: DelegatedIdentity;
  /** People are signed in without any prompt when they need to be (the sandbox): what signout and whoami say. */
  signsInWithoutUi?: boolean;
  /** How long a subscription change answered 202 is followed inline before the card says "in progress". */
  inlineWaitMs: number;
  /** How long it is then followed in the background, updating the card when it lands. */
  followUpWaitMs: number;
  followUpIntervalMs: number;
}

/** Replaces the card a handler posted, later (when Partner Center finishes after Teams got its answer). */
export type CardUpdater = (card: AdaptiveCard) => Promise<void>;

/** What a command or card action answers: the card, who sees it, and what may replace it later. */
export interface Outcome {
  card: AdaptiveCard;
  /**
   * For card actions: `all` replaces the card for everyone in the conversation (results), `interactor` only
   * for the person who clicked (validation errors, failures).
   */
  scope: 'all' | 'interactor';
  /** Background continuation that may update the posted card. */
  followUp?: (update: CardUpdater) => Promise<void>;
}

export const forAll = (card: AdaptiveCard, followUp?: Outcome['followUp']): Outcome => ({ card, scope: 'all', ...(followUp ? { followUp } : {}) });
export const forInteractor = (card: AdaptiveCard): Outcome => ({ card, scope: 'interactor' });

export type MenuScope = 'personal' | 'team' | 'groupChat';
export const EVERYWHERE: readonly MenuScope[] = ['personal', 'team', 'groupChat'];

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

/**
 * A parsed command: its kind (what logs name), its arguments, and the command that declared it, which is
 * what runs it: a message enters the list of commands once, to parse.
 */
export interface Parsed<A extends object = object> {
  kind: string;
  args: A;
  spec: CommandSpec<A>;
}

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
  /**
   * Where Teams offers it in the command menu: `npm run package` builds the manifest's command lists from
   * this, described by the catalogs' `menu.<name>` (scripts/manifest-commands.ts).
   */
  menu?: readonly MenuScope[];
  /**
   * Teams shows at most 10 commands per scope: when more ask for one, the lowest ranks are listed (ties in
   * registry order) and the package build names those left out (they still work, and help lists them). Default 0.
   */
  menuRank?: number;
  /** The audit line its write leaves, and how `audit` says it (see `Audited`). */
  audit?: Audited;
  /** What its confirmation card's Confirm runs (see `Confirmation`). */
  confirms?: Confirmation;
  parse(args: Args): ArgsResult<A>;
  run(d: BotDeps, t: Turn, args: A): Promise<Outcome>;
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
  /**
   * The verb its card's button carries. Verbs that other layers name too (notification cards, tests) are in
   * src/cards/verbs.ts; a new one only its own feature's card names is declared beside that card (its
   * cards.ts), which the action imports. Two actions with one verb are refused at start-up.
   */
  verb: Verb | (string & {});
  data: z.ZodType<D>;
  /** Sends a write to Partner Center: an invoke delivered twice runs it once. */
  writes?: boolean;
  audit?: Audited;
  confirms?: Confirmation;
  /** The step a slow write's "working" card names ("Adding your note…"); reads say only "Working on it…". */
  progress?(data: D): Message<`progress.${string}` & Message['key']>;
  run(d: BotDeps, t: Turn, data: D): Promise<Outcome>;
}

export function action<D>(spec: ActionSpec<D>): ActionSpec<D> {
  return spec;
}

/** What a write was about, as the audit trail names it in a sentence. */
export type AuditItem =
  | { kind: 'sr'; id: string; title?: string }
  | { kind: 'sub'; id: string; name?: string; customer?: string }
  | { kind: 'profile' };

/** The part of an audit entry its sentence may name (the entry itself is the audit feature's). */
export interface AuditedWrite {
  by: { id: string; name: string };
  action: string;
  /** A service request id, "customer/subscription", "support profile": what older entries name only. */
  target: string;
  item?: AuditItem;
}

/**
 * A write's audit action (the key its entries are stored under: renaming it orphans their sentence) and
 * the sentence `audit` shows for it ("Alice Admin closed service request 616…"). Declared once by the
 * feature, on the command or action whose write it records; `audit` finds it there (src/features/index.ts).
 */
export interface Audited {
  action: string;
  sentence(tr: Translator, e: AuditedWrite): string;
}

export function audited(spec: Audited): Audited {
  return spec;
}

/** What every confirmation card's signed payload carries: its operation, and who asked (only they decide). */
export interface ConfirmPayload {
  op: string;
  by: string;
  byName?: string;
}

/**
 * A change asked first: the card's Confirm runs `run` with the payload the asking handler signed (once,
 * unexpired, by the asker; src/features/confirm/ checks all that). Declared on the command or action that
 * asks; the confirm feature finds it by `op`.
 */
export interface Confirmation<P extends ConfirmPayload = ConfirmPayload> {
  op: string;
  run(d: BotDeps, t: Turn, p: P): Promise<Outcome>;
  /** The step its "working" card names while it runs ("Closing the service request…"). */
  progress(p: Partial<P>): Message<`progress.${string}` & Message['key']>;
  /** What Keep as is says was left as it was ("Service request 616… was left open."). */
  kept(tr: Translator, p: P): string;
}

export function confirmation<P extends ConfirmPayload>(spec: Confirmation<P>): Confirmation {
  return spec as unknown as Confirmation;
}

/**
 * The declarations the specs carry, by key (an audit action, a confirmation's op): one spec declares each,
 * or several share the one object; two different ones under one key are a mistake, refused at start-up.
 */
export function declared<T>(specs: readonly { audit?: Audited; confirms?: Confirmation }[], pick: (s: { audit?: Audited; confirms?: Confirmation }) => T | undefined, keyOf: (t: T) => string): ReadonlyMap<string, T> {
  const found = new Map<string, T>();
  for (const spec of specs) {
    const t = pick(spec);
    if (t === undefined) continue;
    const key = keyOf(t);
    const before = found.get(key);
    if (before !== undefined && before !== t) throw new Error(`two different declarations of ${key}`);
    found.set(key, t);
  }
  return found;
}
