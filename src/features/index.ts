/**
 * Every command, in the order `help` shows them, and every card button's action: the lists are assembled
 * here, above the features, and handed to the parser and the card actions' table (src/commands/), which
 * name no feature. A command is declared once, in its feature folder; help, "did you mean", parsing,
 * dispatch, the one-write-per-activity rule and the manifest's command menu are all derived from this list.
 */
import type { AdaptiveCard } from '../cards/render';
import { CardActions, commandParser } from '../commands';
import { command, declared, EVERYWHERE, forInteractor, ok, type ActionSpec, type Audited, type CommandSpec, type Confirmation } from '../commands/contract';
import type { Translator } from '../i18n';
import { ACCOUNT_COMMANDS } from './account/commands';
import { ACTIVITY_ACTIONS, ACTIVITY_COMMANDS } from './activity/commands';
import { auditCommands } from './audit/commands';
import { confirmActions } from './confirm/actions';
import { CUSTOMER_ACTIONS, CUSTOMER_COMMANDS } from './customers/commands';
import { DEADLINE_ACTIONS, DEADLINE_COMMANDS } from './deadlines/commands';
import { EXTENSION_ACTIONS } from './extension/actions';
import { helpCard } from './help/cards';
import { PROFILE_ACTIONS } from './profile/actions';
import { PROFILE_COMMANDS } from './profile/commands';
import { SERVICE_REQUEST_ACTIONS } from './service-requests/actions';
import { SERVICE_REQUEST_COMMANDS } from './service-requests/commands';
import { SUBSCRIPTION_ACTIONS } from './subscriptions/actions';
import { SUBSCRIPTION_COMMANDS } from './subscriptions/commands';
import { WATCH_ACTIONS } from './watches/actions';
import { WATCH_COMMANDS } from './watches/commands';
import { WEBHOOK_COMMANDS } from './webhooks/commands';

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
  ...DEADLINE_COMMANDS,
  ...PROFILE_COMMANDS,
  ...WATCH_COMMANDS,
  ...WEBHOOK_COMMANDS,
  ...auditCommands((action) => auditSentence(action)),
  ...ACTIVITY_COMMANDS,
  ...ACCOUNT_COMMANDS,
] as CommandSpec[];

/** Text in, the command it names (with what runs it) or what is wrong with it out. */
export const parseCommand = commandParser(COMMANDS);

const FEATURE_ACTIONS = [
  ...CUSTOMER_ACTIONS,
  ...SERVICE_REQUEST_ACTIONS,
  ...SUBSCRIPTION_ACTIONS,
  ...DEADLINE_ACTIONS,
  ...PROFILE_ACTIONS,
  ...WATCH_ACTIONS,
  ...ACTIVITY_ACTIONS,
] as ActionSpec[];

/** What each audit action is told as, and what each confirmation runs: from the specs that declare them. */
const AUDITED = declared<Audited>([...COMMANDS, ...FEATURE_ACTIONS], (s) => s.audit, (a) => a.action);
/** The sentence `audit` tells an action by (undefined for one no command declares). */
export const auditSentence = (action: string) => AUDITED.get(action);
const CONFIRMATIONS = declared<Confirmation>([...COMMANDS, ...FEATURE_ACTIONS], (s) => s.confirms, (c) => c.op);

/** Every card button's action, by verb: verbs are declared by the features, so one used twice is refused here. */
const ALL_ACTIONS = [...FEATURE_ACTIONS, ...confirmActions((op) => CONFIRMATIONS.get(op)), ...EXTENSION_ACTIONS] as ActionSpec[];
const twice = ALL_ACTIONS.map((a) => a.verb).filter((v, i, all) => all.indexOf(v) !== i);
if (twice.length > 0) throw new Error(`card verbs declared twice: ${twice.join(', ')}`);
export const CARD_ACTIONS = new CardActions(ALL_ACTIONS);

/** The step a slow card action's "working" card names ("Adding your note…"), when its action names one. */
export const progressOf = (verb: string, data: Record<string, unknown>) => CARD_ACTIONS.progress(verb, data);
