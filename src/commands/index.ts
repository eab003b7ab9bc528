/**
 * Every command, in the order `help` shows them. A command is declared once, in its feature folder; help,
 * "did you mean", parsing, dispatch, the one-write-per-activity rule and the manifest's command menu are
 * all derived from this list.
 */
import { ACCOUNT_COMMANDS } from '../features/account/commands';
import { AUDIT_COMMANDS } from '../features/audit/commands';
import { CUSTOMER_ACTIONS, CUSTOMER_COMMANDS } from '../features/customers/commands';
import { helpCard } from '../features/help/cards';
import type { Message, Translator } from '../i18n';
import type { AdaptiveCard } from '../cards/render';
import { PROFILE_COMMANDS } from '../features/profile/commands';
import { SERVICE_REQUEST_COMMANDS } from '../features/service-requests/commands';
import { SUBSCRIPTION_COMMANDS } from '../features/subscriptions/commands';
import { WATCH_COMMANDS } from '../features/watches/commands';
import { messageCard } from '../cards/common';
import { CONFIRM_ACTIONS } from '../features/confirm/actions';
import { EXTENSION_ACTIONS } from '../features/extension/actions';
import { forInteractor, type BotDeps, type Outcome } from '../features/common/types';
import { PROFILE_ACTIONS } from '../features/profile/actions';
import { SERVICE_REQUEST_ACTIONS } from '../features/service-requests/actions';
import { SUBSCRIPTION_ACTIONS } from '../features/subscriptions/actions';
import { WATCH_ACTIONS } from '../features/watches/actions';
import type { Turn } from '../teams/turn';
import { command, EVERYWHERE, ok, type ActionSpec, type CommandSpec, type Parsed } from './registry';

/** `help [command]`: made from this list itself. */
const help = command({
  kind: 'help',
  name: 'help',
  usage: 'help [«command»]',
  example: 'help sub set',
  menu: EVERYWHERE,
  parse: (a) => ok(a.words.length > 0 ? { topic: a.words.join(' ').toLowerCase() } : {}),
  run: async (_d, t, a: { topic?: string }) => forInteractor(helpCard(t.tr, COMMANDS, a.topic)),
});

/** The welcome a conversation gets when the bot is added: the help card with a greeting. */
export function welcomeCard(tr: Translator): AdaptiveCard {
  return helpCard(tr, COMMANDS, undefined, tr.t('help.welcome'));
}

export const COMMANDS: readonly CommandSpec[] = [
  help,
  ...SERVICE_REQUEST_COMMANDS,
  ...CUSTOMER_COMMANDS,
  ...SUBSCRIPTION_COMMANDS,
  ...PROFILE_COMMANDS,
  ...WATCH_COMMANDS,
  ...AUDIT_COMMANDS,
  ...ACCOUNT_COMMANDS,
] as CommandSpec[];

const BY_KIND = new Map(COMMANDS.map((c) => [c.kind, c]));

/** The command a parsed kind names. */
export function commandOf(kind: string): CommandSpec | undefined {
  return BY_KIND.get(kind);
}

/** A parsed command, run by the command that declared it. */
export function runCommand(d: BotDeps, t: Turn, c: Parsed): Promise<Outcome> {
  return commandOf(c.kind)!.run(d, t, c);
}

/** Every card button's action, by verb. */
export const ACTIONS: readonly ActionSpec[] = [
  ...CUSTOMER_ACTIONS,
  ...SERVICE_REQUEST_ACTIONS,
  ...SUBSCRIPTION_ACTIONS,
  ...PROFILE_ACTIONS,
  ...WATCH_ACTIONS,
  ...CONFIRM_ACTIONS,
  ...EXTENSION_ACTIONS,
] as ActionSpec[];

const BY_VERB = new Map(ACTIONS.map((a) => [a.verb as string, a]));

export function actionOf(verb: string): ActionSpec | undefined {
  return BY_VERB.get(verb);
}

/** The step a card action's "working" card names, when its data is of its action's shape and it names one. */
export function progressOf(verb: string, data: Record<string, unknown>): Message | undefined {
  const spec = actionOf(verb);
  const parsed = spec?.data.safeParse(data);
  return spec?.progress && parsed?.success ? spec.progress(parsed.data) : undefined;
}

/** A card action: an unknown verb, or data not of its action's shape, is refused before any work. */
export function runAction(d: BotDeps, t: Turn, verb: string, data: Record<string, unknown>): Promise<Outcome> {
  const spec = actionOf(verb);
  const parsed = spec?.data.safeParse(data);
  if (!spec || !parsed?.success) return Promise.resolve(forInteractor(messageCard(t.tr.t('error.badSubmission'))));
  return spec.run(d, t, parsed.data);
}

export { parseCommand, MAX_COMMAND_LENGTH, type ParseResult } from './parse';
export type { CommandSpec, ParseError, Parsed } from './registry';
