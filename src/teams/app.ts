/**
 * The bot: a @microsoft/teams-ai Application on botbuilder's CloudAdapter (teams-ai's TeamsAdapter), put
 * together from its routes. Read it top-down:
 *   routes/message.ts      a command → the parser over the list in src/features/index.ts → the command it names → a card
 *   routes/card-action.ts  a card button → the action its verb names → a card, within Teams' deadline
 *   routes/signin.ts       Teams SSO token exchange and the sign-in page's code, then the pending request
 *   routes/lifecycle.ts    installed, removed, renamed: the watches' references, and a welcome
 *   routes/message-extension.ts  the compose box's searches, the chosen result, pasted portal links
 * What the user asked for runs through work.ts (once per delivered activity, sign-in, the error sink);
 * everything sent back goes through delivery.ts.
 */
import { ActivityEventNames, ActivityTypes, INVOKE_RESPONSE_KEY, type TurnContext } from 'botbuilder';
// From its module, not teams-ai's index: that also loads openai and its tokenizer, which the bot never uses.
import { Application } from '@microsoft/teams-ai/lib/Application';
import type { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../config';
import { AuditLog } from '../features/audit/log';
import { Authors } from '../notifications/authors';
import { ReminderBook } from '../notifications/reminders';
import type { BotDeps } from '../commands/contract';
import { Signer } from '../features/confirm/signing';
import { deadlineServices } from '../features/deadlines/types';
import type { TokenProvider } from '../identity';
import type { DelegatedIdentity } from '../identity/delegated';
import { failureFacts, logFailure } from '../logging/failure';
import type { Logger } from '../logging/logger';
import type { WatchStore } from '../notifications/watches';
import type { PartnerCenterClient } from '../partner-center';
import { RequestBudget } from '../partner-center/budget';
import type { KeyValueStore } from '../storage';
import { Dedupe } from '../storage/once';
import { systemClock, type Clock } from '../util/clock';
import { deriveKey } from '../util/secrets';
import { PartnerOpsAdapter } from './adapter';
import { BackgroundWork } from './background';
import { Delivery } from './delivery';
import { errorToCard } from './errors';
import { registerCardAction } from './routes/card-action';
import type { RouteContext } from './routes/context';
import { registerLifecycle } from './routes/lifecycle';
import { registerMessage } from './routes/message';
import { registerMessageExtension } from './routes/message-extension';
import { registerSignIn } from './routes/signin';
import { SignInFlow } from './signin';
import { lineOf, turnLogOf, turnOf } from './turn';
import { Work } from './work';

export interface BotOptions {
  config: Config;
  client: PartnerCenterClient;
  tokens: TokenProvider;
  store: KeyValueStore;
  logger: Logger;
  clock?: Clock;
  watches: WatchStore;
  /** The partner tenants' request budget, shared with the digests, reminders and webhook re-reads (main.ts); default: the bot's own. */
  budget?: RequestBudget;
  /** Delegated sign-in (Teams SSO + on-behalf-of); without it, tokens come from `tokens` alone. */
  signIn?: Omit<ConstructorParameters<typeof SignInFlow>[0], 'store' | 'secret' | 'clock' | 'identity'> & { identity: DelegatedIdentity };
  /** Botbuilder settings for inbound/outbound Bot Framework auth (issuer, OpenID metadata, login URL…). */
  botFrameworkAuth?: Record<string, string>;
  credentialsFactory?: ServiceClientCredentialsFactory;
  /** The bot's public base URL (webhooks register it); default the configured one. */
  publicUrl?: () => string;
  /** Teams waits a few seconds for an invoke answer; past this the card says "working" and updates later. */
  invokeDeadlineMs?: number;
  inlineWaitMs?: number;
  followUpWaitMs?: number;
  followUpIntervalMs?: number;
}

export interface Bot {
  adapter: TeamsAdapter;
  app: Application;
  background: BackgroundWork;
  signIn?: SignInFlow;
}

/** The Bot Framework adapter for the configured bot identity (the benchmarks' minimal bot uses it too). */
export function createAdapter(bot: Config['bot'], botFrameworkAuth?: Record<string, string>, credentialsFactory?: ServiceClientCredentialsFactory): PartnerOpsAdapter {
  return new PartnerOpsAdapter(
    {
      MicrosoftAppId: bot.id ?? '',
      MicrosoftAppPassword: bot.password ?? '',
      MicrosoftAppType: bot.type,
      MicrosoftAppTenantId: bot.tenantId ?? '',
      ...botFrameworkAuth,
    },
    credentialsFactory,
  );
}

/**
 * The teams-ai Application with the product's options (the benchmarks' minimal bot uses it too): no typing
 * indicator, no long-running proactive replies, the bot's @mention removed from the text.
 */
export function createApplication(adapter: TeamsAdapter, botAppId: string): Application {
  return new Application({ adapter, botAppId, removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });
}

/** A name from the activity as logged (its type, an invoke's name, the tenant id): short words; anything else is not echoed. */
function shortName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  return /^[A-Za-z][A-Za-z0-9/._-]{0,63}$/.test(name) ? name : 'other';
}

export function createBot(o: BotOptions): Bot {
  const clock = o.clock ?? systemClock;
  const logger = o.logger;
  const adapter = createAdapter(o.config.bot, o.botFrameworkAuth, o.credentialsFactory);
  const botAppId = o.config.bot.id ?? '';
  const background = new BackgroundWork(logger);
  // One key per purpose from the one configured secret: a confirmation's signature is never a sign-in ticket's.
  const signer = new Signer(deriveKey(o.config.cardSigningKey, 'confirmation'), clock);
  const signIn = o.signIn ? new SignInFlow({ ...o.signIn, store: o.store, secret: o.config.cardSigningKey, clock }) : undefined;
  const identity = o.signIn?.identity;
  const deps: BotDeps = {
    client: o.client,
    clock,
    signer,
    dedupe: new Dedupe(o.store, clock),
    background,
    logger,
    identity,
    signsInWithoutUi: !!signIn && !!o.tokens.signInWithoutUi,
    watches: o.watches,
    audit: new AuditLog(o.store, clock),
    authors: new Authors(o.store),
    // A reminder's posted card is replaced in place once a change through the bot answers it (reminders.ts).
    reminders: new ReminderBook(o.store, clock, o.config.reminders, (reference, id, card) => delivery.updaterFor(reference, id)(card)),
    deadlines: deadlineServices({ budget: o.budget ?? new RequestBudget(o.config.partnerCenter.budget, clock), store: o.store, cacheMs: o.config.deadlines.cacheMs }),
    digestHourUtc: o.config.deadlines.digestHourUtc,
    publicUrl: o.publicUrl ?? (() => o.config.publicUrl),
    inlineWaitMs: o.inlineWaitMs ?? 1_500,
    followUpWaitMs: o.followUpWaitMs ?? 10 * 60_000,
    followUpIntervalMs: o.followUpIntervalMs ?? 5_000,
  };
  const delivery = new Delivery(adapter, botAppId, background);
  const routes: RouteContext = {
    work: new Work(deps, o.tokens, identity, !!signIn),
    delivery,
    signIn,
    turnOf: (context: TurnContext) => turnOf(context, o.tokens, logger),
    store: o.store,
    watches: o.watches,
    clock,
    logger,
    invokeDeadlineMs: o.invokeDeadlineMs ?? 3_500,
  };

  const app = createApplication(adapter, botAppId);

  // One line per activity, at info, when its turn is over (src/logging/turn-line.ts): what it was (never
  // its text: it may hold customer data), how it went, how long it took, and its Partner Center calls.
  // Proactive turns (a card replaced later, a notification) are the bot's own, not an activity received.
  adapter.use(async (context, next) => {
    const a = context.activity;
    if (a.type === ActivityTypes.Event && a.name === ActivityEventNames.ContinueConversation) return next();
    const line = lineOf(context, () => clock.now());
    const tenantId: unknown = a.conversation?.tenantId;
    line.set({
      type: shortName(a.type),
      invoke: a.type === ActivityTypes.Invoke || a.type === ActivityTypes.Event ? shortName(a.name) : undefined,
      tenantId: typeof tenantId === 'string' ? shortName(tenantId) : undefined,
    });
    try {
      await next();
      line.end(turnLogOf(context, logger), 'ok');
    } catch (e) {
      line.end(turnLogOf(context, logger), 'error', failureFacts(e));
      throw e;
    }
  });

  registerMessage(app, routes);
  registerSignIn(app, routes);
  registerCardAction(app, routes);
  registerLifecycle(app, routes);
  registerMessageExtension(app, routes, deps);

  app.error(async (context, error) => {
    logFailure(turnLogOf(context, logger), 'error', error, {}, 'unhandled turn error');
    const t = routes.turnOf(context);
    if (context.activity.type === ActivityTypes.Invoke) {
      if (!context.turnState.get(INVOKE_RESPONSE_KEY)) await delivery.answerCardAction(context, errorToCard(t, error), 'interactor');
    } else {
      await delivery.reply(context, errorToCard(t, error));
    }
  });

  return { adapter, app, background, signIn };
}
