/**
 * The bot: a @microsoft/teams-ai Application on botbuilder's CloudAdapter (teams-ai's TeamsAdapter).
 *
 * Messages are parsed by the command registry and run by the command they name; card actions
 * (Action.Execute, `adaptiveCard/action` invokes) by the action their verb names. Both end in an Outcome: a
 * card, for everyone or only for the person who acted, and maybe work that continues in the background and
 * updates the card later. Teams gets every invoke answer within the deadline, however slow Partner Center
 * is. A user who must sign in first is asked to, and what they asked for is finished afterwards (signin.ts).
 */
import {
  ActivityTypes,
  CardFactory,
  INVOKE_RESPONSE_KEY,
  MessageFactory,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder';
import { Application, type TeamsAdapter } from '@microsoft/teams-ai';
import { PartnerOpsAdapter } from './adapter';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../config';
import { messageCard } from '../cards/common';
import { actionOf, commandOf, parseCommand, runAction, runCommand, type Parsed } from '../commands';
import { welcomeCard } from '../features/help/commands';
import type { AdaptiveCard } from '../cards/render';
import type { Logger } from '../logging/logger';
import { SignInRequiredError, type SignInReason, type TokenProvider } from '../identity';
import type { DelegatedIdentity } from '../identity/delegated';
import { isPartnerCenterError, type PartnerCenterClient } from '../partner-center';
import type { KeyValueStore } from '../storage';
import { conversationKeyOf, postingReference, type WatchStore } from '../notifications/watches';
import { systemClock, type Clock } from '../util/clock';
import { AuditLog } from '../features/audit/log';
import { BackgroundWork } from './background';
import { Dedupe } from '../storage/once';
import { errorToCard } from './errors';
import { MAX_SUBMISSION_CHARS } from '../features/common/forms';
import { forInteractor, type BotDeps, type CardUpdater, type Outcome } from '../features/common/types';
import { SignInFlow, type PendingWork } from './signin';
import { Signer } from '../features/confirm/signing';
import { turnOf, type Turn } from './turn';

export interface BotOptions {
  config: Config;
  client: PartnerCenterClient;
  tokens: TokenProvider;
  store: KeyValueStore;
  logger: Logger;
  clock?: Clock;
  watches: WatchStore;
  /** Delegated sign-in (Teams SSO + on-behalf-of); without it, tokens come from `tokens` alone. */
  signIn?: Omit<ConstructorParameters<typeof SignInFlow>[0], 'store' | 'signer' | 'clock' | 'identity'> & { identity: DelegatedIdentity };
  /** Botbuilder settings for inbound/outbound Bot Framework auth (issuer, OpenID metadata, login URL…). */
  botFrameworkAuth?: Record<string, string>;
  credentialsFactory?: ServiceClientCredentialsFactory;
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

type Done = { outcome: Outcome } | { signIn: SignInReason };


/** Partner Center refusing the token itself means signing in again (with MFA for 900421). */
function signInReason(e: unknown): SignInReason | undefined {
  if (e instanceof SignInRequiredError) return e.reason;
  if (isPartnerCenterError(e) && e.code === '900421') return 'mfa';
  if (isPartnerCenterError(e) && e.status === 401) return 'expired';
  return undefined;
}

export function createBot(o: BotOptions): Bot {
  const clock = o.clock ?? systemClock;
  const logger = o.logger;
  const adapter = new PartnerOpsAdapter(
    {
      MicrosoftAppId: o.config.bot.id ?? '',
      MicrosoftAppPassword: o.config.bot.password ?? '',
      MicrosoftAppType: o.config.bot.type,
      MicrosoftAppTenantId: o.config.bot.tenantId ?? '',
      ...o.botFrameworkAuth,
    },
    o.credentialsFactory,
  );
  const background = new BackgroundWork(logger);
  const store = o.store;
  const signer = new Signer(o.config.cardSigningKey, clock);
  const signIn = o.signIn ? new SignInFlow({ ...o.signIn, store, signer, clock }) : undefined;
  const identity = o.signIn?.identity;
  const deps: BotDeps = {
    client: o.client,
    clock,
    signer,
    dedupe: new Dedupe(store, clock),
    background,
    logger,
    identity,
    watches: o.watches,
    audit: new AuditLog(store, clock),
    inlineWaitMs: o.inlineWaitMs ?? 1_500,
    followUpWaitMs: o.followUpWaitMs ?? 10 * 60_000,
    followUpIntervalMs: o.followUpIntervalMs ?? 5_000,
  };
  const deadlineMs = o.invokeDeadlineMs ?? 3_500;
  const botAppId = o.config.bot.id ?? '';

  const app = new Application({ adapter, botAppId, removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });

  const sendCard = (context: TurnContext, card: AdaptiveCard) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));

  /** Replaces a posted card later, outside the turn that posted it. */
  const updaterFor = (reference: Partial<ConversationReference>, activityId: string): CardUpdater => async (card) => {
    await adapter.continueConversationAsync(botAppId, reference, async (ctx) => {
      await ctx.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: activityId });
    });
  };

  const startFollowUp = (t: Turn, outcome: Outcome, activityId: string | undefined) => {
    if (!outcome.followUp || !activityId) return;
    const update = updaterFor(TurnContext.getConversationReference(t.context.activity), activityId);
    background.run('card follow-up', () =>
      outcome.followUp!(update).catch(async (e) => {
        await update(errorToCard(t, e));
        throw e;
      }),
    );
  };

  // One line per activity received: what it is, where from (never its text: it may hold customer data).
  app.turn('beforeTurn', async (context) => {
    const a = context.activity;
    const verb = (a.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
    logger.info({ conversationId: a.conversation?.id, activityId: a.id, type: a.type, name: a.name, verb: typeof verb === 'string' ? verb : undefined, tenantId: a.conversation?.tenantId }, 'activity');
    return true;
  });

  /** Runs work for the user; a sign-in requirement is an answer of its own, any other failure an error card. */
  const attempt = async (t: Turn, work: () => Promise<Outcome>, what: string): Promise<Done> => {
    try {
      return { outcome: await work() };
    } catch (e) {
      const reason = signInReason(e);
      if (reason) {
        // A token Partner Center refused is of no further use.
        if (!(e instanceof SignInRequiredError)) await identity?.signOut(t.actor);
        return { signIn: reason };
      }
      t.log.warn({ err: e, work: what }, 'user work failed');
      return { outcome: forInteractor(errorToCard(t, e)) };
    }
  };

  /** A token provider that can sign people in without UI (a client without SSO) does so, and the work is retried once. */
  const withSignInWithoutUi = async (t: Turn, work: () => Promise<Outcome>, what: string): Promise<Done> => {
    const first = await attempt(t, work, what);
    if ('signIn' in first && first.signIn !== 'mfa' && signIn && o.tokens.signInWithoutUi && (await o.tokens.signInWithoutUi(t.actor))) {
      return attempt(t, work, what);
    }
    return first;
  };

  /**
   * One write per user action: a message or invoke Teams delivers again (the same activity id) gets the
   * first delivery's card, and Partner Center is not called twice.
   */
  const oncePerActivity = async (t: Turn, work: () => Promise<Outcome>): Promise<Outcome> => {
    const id = t.context.activity.id;
    if (!id) return work();
    let outcome: Outcome | undefined;
    const { result } = await deps.dedupe.once(`activity/${t.conversationKey}/${t.actor.id}/${id}`, async () => {
      outcome = await work();
      return { card: outcome.card, scope: outcome.scope };
    });
    if (outcome) return outcome;
    return result ? { card: result.card, scope: result.scope } : forInteractor(messageCard(t.tr.t('common.alreadyHandled')));
  };

  const commandWork = (t: Turn, command: Parsed) => () =>
    commandOf(command.kind)?.writes ? oncePerActivity(t, () => runCommand(deps, t, command)) : runCommand(deps, t, command);

  const actionWork = (t: Turn, verb: string, data: Record<string, unknown>) => async () => {
    if (JSON.stringify(data).length > MAX_SUBMISSION_CHARS) return forInteractor(messageCard(t.tr.t('error.tooLarge')));
    return actionOf(verb)?.writes ? oncePerActivity(t, () => runAction(deps, t, verb, data)) : runAction(deps, t, verb, data);
  };

  /** Finishes what a user asked for before signing in, in the conversation they asked in. */
  const resume = async (t: Turn, pending: PendingWork | undefined) => {
    if (!pending) return;
    if (pending.kind === 'command') {
      const parsed = parseCommand(pending.text);
      if (!parsed.ok) return;
      const done = await attempt(t, commandWork(t, parsed.command), 'resumed command');
      if ('outcome' in done) {
        const sent = await sendCard(t.context, done.outcome.card);
        startFollowUp(t, done.outcome, sent?.id);
      }
      return;
    }
    const done = await attempt(t, actionWork(t, pending.verb, pending.data), 'resumed card action');
    if ('outcome' in done && pending.replyToId) {
      await t.context.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(done.outcome.card)), id: pending.replyToId });
      startFollowUp(t, done.outcome, pending.replyToId);
    }
  };

  /** Resumes outside the invoke turn, so Teams gets its sign-in answer at once. */
  const resumeLater = (context: TurnContext, pending: PendingWork | undefined) => {
    if (!pending) return;
    const reference = TurnContext.getConversationReference(context.activity);
    background.run('resume after sign-in', () =>
      adapter.continueConversationAsync(botAppId, reference, async (ctx) => {
        ctx.activity.locale = reference.locale;
        await resume(turnOf(ctx, o.tokens, logger), pending);
      }),
    );
  };

  // --- messages ------------------------------------------------------------------------------------------
  app.activity(ActivityTypes.Message, async (context) => {
    const t = turnOf(context, o.tokens, logger);
    const text = (context.activity.text ?? '').trim();
    if (!text) {
      // An Action.Submit from an old card, or an empty message: point to help rather than stay silent.
      await sendCard(context, messageCard(t.tr.t('parse.empty')));
      return;
    }
    if (signIn && /^\d{6}$/.test(text)) {
      // The code the sign-in page shows, typed in the chat (where the page could not hand it to Teams).
      if (await signIn.redeemCode(t.actor, text)) {
        await context.sendActivity(t.tr.t('signin.done', { name: t.actor.name }));
        await resume(t, await signIn.takePending(t));
      } else {
        await context.sendActivity(t.tr.t('signin.badCode'));
      }
      return;
    }
    const parsed = parseCommand(text);
    if (!parsed.ok) {
      const e = parsed.error;
      const lines = [t.tr.text(e)];
      if (e.usage) lines.push(t.tr.t('parse.didYouMean', { usage: e.usage }));
      await context.sendActivity(lines.join('\n\n'));
      return;
    }
    const done = await withSignInWithoutUi(t, commandWork(t, parsed.command), parsed.command.kind);
    if ('signIn' in done) {
      if (!signIn) {
        await sendCard(context, errorToCard(t, new SignInRequiredError(done.signIn)));
        return;
      }
      await signIn.savePending(t, { kind: 'command', text });
      await context.sendActivity(signIn.oauthCard(t, done.signIn));
      return;
    }
    const sent = await sendCard(context, done.outcome.card);
    startFollowUp(t, done.outcome, sent?.id);
  });

  // --- sign-in invokes -----------------------------------------------------------------------------------
  const invokeNamed = (name: string) => async (c: TurnContext) => c.activity.type === ActivityTypes.Invoke && c.activity.name === name;
  const invokeResponse = (context: TurnContext, status: number, body?: unknown) =>
    context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status, body } });

  app.addRoute(
    invokeNamed('signin/tokenExchange'),
    async (context) => {
      const t = turnOf(context, o.tokens, logger);
      const v = (context.activity.value ?? {}) as { id?: unknown; connectionName?: unknown; token?: unknown };
      const id = typeof v.id === 'string' ? v.id : '';
      if (!signIn || typeof v.token !== 'string' || !id) {
        await invokeResponse(context, 400, { id, failureDetail: 'A token exchange needs an id and a token.' });
        return;
      }
      const r = await signIn.exchange(t, v.token, id);
      if (r === 'duplicate') {
        await invokeResponse(context, 200, {}); // another client's copy of the same exchange: handled once
        return;
      }
      if (r !== 'done') {
        t.log.info({ reason: r.reason }, 'token exchange refused: the user will use the sign-in button');
        await invokeResponse(context, 412, { id, connectionName: v.connectionName, failureDetail: t.tr.t('signin.exchangeFailed') });
        return;
      }
      await invokeResponse(context, 200, { id });
      resumeLater(context, await signIn.takePending(t));
    },
    true,
  );

  app.addRoute(
    invokeNamed('signin/verifyState'),
    async (context) => {
      const t = turnOf(context, o.tokens, logger);
      const state = String((context.activity.value as { state?: unknown } | undefined)?.state ?? '');
      if (!signIn || !(await signIn.redeemCode(t.actor, state))) {
        await invokeResponse(context, 412, { failureDetail: t.tr.t('signin.badCode') });
        return;
      }
      await invokeResponse(context, 200, {});
      resumeLater(context, await signIn.takePending(t));
    },
    true,
  );

  // --- card actions (Action.Execute) ---------------------------------------------------------------------
  app.adaptiveCards.actionExecute(/.*/, async (context) => {
    const t = turnOf(context, o.tokens, logger);
    const value = (context.activity.value ?? {}) as {
      action?: { verb?: unknown; data?: unknown };
      authentication?: { id?: unknown; token?: unknown };
      state?: unknown;
    };
    const verb = typeof value.action?.verb === 'string' ? value.action.verb : '';
    const data = value.action?.data && typeof value.action.data === 'object' && !Array.isArray(value.action.data) ? (value.action.data as Record<string, unknown>) : {};

    // Teams retries a card action after a login request with the SSO token (or the sign-in page's code).
    if (signIn && typeof value.authentication?.token === 'string') {
      const r = await signIn.exchange(t, value.authentication.token, String(value.authentication.id ?? context.activity.id));
      if (r !== 'done' && r !== 'duplicate') {
        await invokeResponse(context, 200, { statusCode: 412, type: 'application/vnd.microsoft.error.preconditionFailed', value: { code: 'PreconditionFailed', message: t.tr.t('signin.exchangeFailed') } });
        return '';
      }
    } else if (signIn && value.state !== undefined) {
      await signIn.redeemCode(t.actor, String(value.state));
    }

    const work = withSignInWithoutUi(t, actionWork(t, verb, data), verb);
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), deadlineMs).unref());
    const first = await Promise.race([work, timer]);
    const cardId = context.activity.replyToId;
    if (first === 'late') {
      // Partner Center is slow: answer Teams now, finish in the background and replace the card then.
      await respond(context, messageCard(t.tr.t('common.working')), 'all');
      const reference = TurnContext.getConversationReference(context.activity);
      background.run('slow card action', async () => {
        const done = await work;
        if (!cardId) return;
        const update = updaterFor(reference, cardId);
        const card = 'outcome' in done ? done.outcome.card : errorToCard(t, new SignInRequiredError(done.signIn));
        await update(card);
        if ('outcome' in done && done.outcome.followUp) await done.outcome.followUp(update);
      });
    } else if ('signIn' in first) {
      if (signIn) {
        await signIn.savePending(t, { kind: 'action', verb, data, replyToId: cardId });
        await invokeResponse(context, 200, signIn.loginRequest(t, first.signIn));
      } else {
        await respond(context, errorToCard(t, new SignInRequiredError(first.signIn)), 'interactor');
      }
    } else {
      await respond(context, first.outcome.card, first.outcome.scope);
      startFollowUp(t, first.outcome, cardId);
    }
    // teams-ai sees the invoke response is set and sends nothing more.
    return '';
  });

  // --- installation and conversation events: keep the watches' conversation references right ----------
  const watchesHere = (context: TurnContext) => conversationKeyOf(TurnContext.getConversationReference(context.activity));
  const disableHere = (context: TurnContext, reason: string) =>
    o.watches.patchConversation(watchesHere(context), (w) => ({ ...w, state: 'disabled', reason, reference: {} }));
  const restoreHere = (context: TurnContext) => {
    const reference = postingReference(TurnContext.getConversationReference(context.activity));
    return o.watches.patchConversation(watchesHere(context), (w) =>
      w.state === 'disabled' && w.reason === 'removed' ? { ...w, state: 'active', reason: undefined, reference } : { ...w, reference: { ...w.reference, conversation: { ...w.reference.conversation!, name: reference.conversation?.name ?? '' } } },
    );
  };

  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = String((context.activity as { action?: string }).action ?? '');
    if (action.startsWith('remove')) await disableHere(context, 'removed');
    else if (action.startsWith('add')) {
      await restoreHere(context);
      // A welcome, once per conversation (Teams may send the event again, the Playground on every load).
      if (await store.createIfAbsent(`welcome/${watchesHere(context)}`, { at: clock.now() })) {
        const t = turnOf(context, o.tokens, logger);
        await sendCard(context, welcomeCard(t.tr));
      }
    }
  });

  app.activity(ActivityTypes.ConversationUpdate, async (context) => {
    const a = context.activity;
    const me = a.recipient?.id;
    const eventType = (a.channelData as { eventType?: string } | undefined)?.eventType;
    if (a.membersRemoved?.some((m) => m.id === me) || eventType === 'channelDeleted' || eventType === 'teamDeleted' || eventType === 'teamArchived') {
      await disableHere(context, eventType === 'channelDeleted' ? 'channel deleted' : 'removed');
    } else if (a.membersAdded?.some((m) => m.id === me) || eventType === 'channelRenamed' || eventType === 'teamRenamed' || eventType === 'channelRestored') {
      await restoreHere(context);
    }
  });

  app.error(async (context, error) => {
    logger.error({ err: error, activityId: context.activity.id, conversationId: context.activity.conversation?.id }, 'unhandled turn error');
    const t = turnOf(context, o.tokens, logger);
    if (context.activity.type === ActivityTypes.Invoke) {
      if (!context.turnState.get(INVOKE_RESPONSE_KEY)) await respond(context, errorToCard(t, error), 'interactor');
    } else {
      await sendCard(context, errorToCard(t, error));
    }
  });

  return { adapter, app, background, signIn };
}

/**
 * Answers an Action.Execute: the returned card replaces the clicked one for the person who clicked; for
 * `all`, the message itself is updated first so everyone in the chat or channel sees the result.
 */
async function respond(context: TurnContext, card: AdaptiveCard, scope: 'all' | 'interactor'): Promise<void> {
  if (scope === 'all' && context.activity.replyToId) {
    const update: Partial<Activity> = { ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: context.activity.replyToId };
    await context.updateActivity(update);
  }
  await context.sendActivity({
    type: 'invokeResponse',
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
  });
}
