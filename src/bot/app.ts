/**
 * The bot: a @microsoft/teams-ai Application on botbuilder's CloudAdapter (teams-ai's TeamsAdapter).
 *
 * Messages are parsed by the command grammar and dispatched on the command's kind; card actions
 * (Action.Execute, `adaptiveCard/action` invokes) are dispatched on their verb. Both end in an Outcome: a
 * card, for everyone or only for the person who acted, and maybe work that continues in the background and
 * updates the card later. Teams gets every invoke answer within the deadline, however slow Partner Center is.
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
import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config';
import { helpCard, messageCard } from '../cards/common';
import type { AdaptiveCard } from '../cards/render';
import type { Logger } from '../logging/logger';
import type { TokenProvider } from '../identity';
import type { PartnerCenterClient } from '../partner-center';
import { KeyValueStore } from '../storage';
import type { Storage } from 'botbuilder';
import { systemClock, type Clock } from '../util/clock';
import { BackgroundWork } from './background';
import { parseCommand, type Command } from './commands/grammar';
import { Dedupe } from './dedupe';
import { errorToCard } from './errors';
import { MAX_SUBMISSION_CHARS } from './forms';
import * as sr from './handlers/service-requests';
import * as customers from './handlers/customers';
import * as subs from './handlers/subscriptions';
import * as profile from './handlers/profile';
import { forAll, forInteractor, type BotDeps, type CardUpdater, type Outcome } from './handlers/types';
import { Signer } from './signing';
import { turnOf, type Turn } from './turn';
import { VERB } from './verbs';

export interface BotOptions {
  config: Config;
  client: PartnerCenterClient;
  tokens: TokenProvider;
  storage: Storage;
  logger: Logger;
  clock?: Clock;
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
}

export function createBot(o: BotOptions): Bot {
  const clock = o.clock ?? systemClock;
  const logger = o.logger;
  const adapter = new TeamsAdapter({
    MicrosoftAppId: o.config.bot.id ?? '',
    MicrosoftAppPassword: o.config.bot.password ?? '',
    MicrosoftAppType: o.config.bot.type,
    MicrosoftAppTenantId: o.config.bot.tenantId ?? '',
  });
  const background = new BackgroundWork(logger);
  const store = new KeyValueStore(o.storage);
  const deps: BotDeps = {
    client: o.client,
    clock,
    signer: new Signer(o.config.cardSigningKey, clock),
    dedupe: new Dedupe(store, clock),
    background,
    logger,
    inlineWaitMs: o.inlineWaitMs ?? 1_500,
    followUpWaitMs: o.followUpWaitMs ?? 10 * 60_000,
    followUpIntervalMs: o.followUpIntervalMs ?? 5_000,
  };
  const deadlineMs = o.invokeDeadlineMs ?? 3_500;
  const botAppId = o.config.bot.id ?? '';

  const app = new Application({
    adapter,
    botAppId,
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });

  /** Replaces a posted card later, outside the turn that posted it. */
  const updaterFor = (reference: Partial<ConversationReference>, activityId: string): CardUpdater => async (card) => {
    await adapter.continueConversationAsync(botAppId, reference, async (ctx) => {
      await ctx.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: activityId });
    });
  };

  const startFollowUp = (t: Turn, outcome: Outcome, activityId: string | undefined) => {
    if (!outcome.followUp || !activityId) return;
    const reference = TurnContext.getConversationReference(t.context.activity);
    const update = updaterFor(reference, activityId);
    background.run('card follow-up', () =>
      outcome.followUp!(update).catch(async (e) => {
        await update(errorToCard(t.tr, e, t.user.correlationId));
        throw e;
      }),
    );
  };

  const log = (t: Turn) =>
    logger.child({
      conversationId: t.context.activity.conversation?.id,
      activityId: t.context.activity.id,
      correlationId: t.user.correlationId,
    });

  // --- messages ------------------------------------------------------------------------------------------
  app.activity(ActivityTypes.Message, async (context) => {
    const t = turnOf(context, o.tokens);
    const text = (context.activity.text ?? '').trim();
    if (!text) {
      // An Action.Submit from an old card, or an empty message: point to help rather than stay silent.
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(messageCard(t.tr.t('parse.empty')))));
      return;
    }
    const parsed = parseCommand(text);
    if (!parsed.ok) {
      const e = parsed.error;
      const lines = [t.tr.t(e.key, e.params)];
      if (e.usage) lines.push(t.tr.t('parse.didYouMean', { usage: e.usage }));
      await context.sendActivity(lines.join('\n\n'));
      return;
    }
    let outcome: Outcome;
    try {
      outcome = await runCommand(deps, t, parsed.command);
    } catch (e) {
      log(t).warn({ err: e, command: parsed.command.kind }, 'command failed');
      outcome = forInteractor(errorToCard(t.tr, e, t.user.correlationId));
    }
    const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(outcome.card)));
    startFollowUp(t, outcome, sent?.id);
  });

  // --- card actions (Action.Execute) ---------------------------------------------------------------------
  app.adaptiveCards.actionExecute(/.*/, async (context) => {
    const t = turnOf(context, o.tokens);
    const action = (context.activity.value as { action?: { verb?: unknown; data?: unknown } } | undefined)?.action;
    const verb = typeof action?.verb === 'string' ? action.verb : '';
    const data = action?.data && typeof action.data === 'object' && !Array.isArray(action.data) ? (action.data as Record<string, unknown>) : {};
    const work = (async (): Promise<Outcome> => {
      if (JSON.stringify(data).length > MAX_SUBMISSION_CHARS) return forInteractor(messageCard(t.tr.t('error.tooLarge')));
      return runAction(deps, t, verb, data);
    })().catch((e) => {
      log(t).warn({ err: e, verb }, 'card action failed');
      return forInteractor(errorToCard(t.tr, e, t.user.correlationId));
    });

    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), deadlineMs).unref());
    const first = await Promise.race([work, timer]);
    const cardId = context.activity.replyToId;
    if (first === 'late') {
      // Partner Center is slow: answer Teams now, finish in the background and replace the card then.
      await respond(context, messageCard(t.tr.t('common.working')), 'all');
      const reference = TurnContext.getConversationReference(context.activity);
      background.run('slow card action', async () => {
        const outcome = await work;
        if (!cardId) return;
        const update = updaterFor(reference, cardId);
        await update(outcome.card);
        if (outcome.followUp) await outcome.followUp(update);
      });
    } else {
      await respond(context, first.card, first.scope);
      startFollowUp(t, first, cardId);
    }
    // teams-ai sees the invoke response is set and sends nothing more.
    return '';
  });

  app.error(async (context, error) => {
    logger.error({ err: error, activityId: context.activity.id, conversationId: context.activity.conversation?.id }, 'unhandled turn error');
    const t = turnOf(context, o.tokens);
    if (context.activity.type === ActivityTypes.Invoke) {
      if (!context.turnState.get(INVOKE_RESPONSE_KEY)) await respond(context, errorToCard(t.tr, error, t.user.correlationId), 'interactor');
    } else {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(errorToCard(t.tr, error, t.user.correlationId))));
    }
  });

  return { adapter, app, background };
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

// ---------------------------------------------------------------------------------------------------------
// Dispatch

function runCommand(d: BotDeps, t: Turn, c: Command): Promise<Outcome> {
  switch (c.kind) {
    case 'help':
      return Promise.resolve(forInteractor(helpCard(t.tr, c.topic)));
    case 'sr.new':
      return sr.newServiceRequestForm(d, t);
    case 'sr.list':
      return sr.listServiceRequests(d, t, c.filter);
    case 'sr.show':
      return sr.showServiceRequest(d, t, c.id);
    case 'sr.note':
      return sr.addNote(d, t, c.id, c.text);
    case 'sr.close':
      return sr.askToClose(d, t, c.id);
    case 'customer.find':
      return customers.findCustomers(d, t, c.query);
    case 'sub.list':
      return subs.listSubscriptions(d, t, c.customer);
    case 'sub.show':
      return subs.showSubscription(d, t, c.customer, c.subscriptionId);
    case 'sub.set':
      return subs.requestChange(d, t, c.customer, c.subscriptionId, c.fields);
    case 'sub.suspend':
      return subs.requestChange(d, t, c.customer, c.subscriptionId, { status: 'suspended' });
    case 'sub.reactivate':
      return subs.requestChange(d, t, c.customer, c.subscriptionId, { status: 'active' });
    case 'sub.cancel':
      return subs.requestChange(d, t, c.customer, c.subscriptionId, { status: 'deleted' });
    case 'profile.show':
      return profile.showProfile(d, t);
    case 'profile.set':
      return profile.setProfile(d, t, { ...c.fields }, false);
  }
}

const bad = (t: Turn) => forInteractor(messageCard(t.tr.t('error.badSubmission')));
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

async function runAction(d: BotDeps, t: Turn, verb: string, data: Record<string, unknown>): Promise<Outcome> {
  switch (verb) {
    case VERB.srCreate:
      return sr.createServiceRequest(d, t, data);
    case VERB.srShow:
    case VERB.srNote:
    case VERB.srClose: {
      const id = str(data.id);
      if (!id || !/^\d{1,24}$/.test(id)) return bad(t);
      if (verb === VERB.srShow) return sr.showServiceRequest(d, t, id);
      if (verb === VERB.srNote) return sr.addNote(d, t, id, data.text);
      return sr.askToClose(d, t, id);
    }
    case VERB.srList: {
      const filter = str(data.filter);
      const offset = Number(data.offset ?? 0);
      if ((filter && !['open', 'closed', 'attention'].includes(filter)) || !Number.isInteger(offset) || offset < 0 || offset > 100_000) return bad(t);
      return sr.listServiceRequests(d, t, (filter || undefined) as 'open' | 'closed' | 'attention' | undefined, offset);
    }
    case VERB.customerSubscriptions: {
      const customerId = str(data.customerId);
      const offset = Number(data.offset ?? 0);
      if (!customerId || !/^[0-9a-f-]{36}$/i.test(customerId) || !Number.isInteger(offset) || offset < 0 || offset > 100_000) return bad(t);
      return subs.listSubscriptions(d, t, customerId, offset);
    }
    case VERB.subShow:
    case VERB.subUpdate:
    case VERB.subStatus: {
      const ids = subs.subscriptionIds(data);
      if (!ids) return bad(t);
      if (verb === VERB.subShow) return subs.showSubscription(d, t, ids.customerId, ids.subscriptionId);
      if (verb === VERB.subUpdate) return subs.requestChange(d, t, ids.customerId, ids.subscriptionId, subs.formChange(data), data);
      const status = subs.formStatus(data);
      if (!status) return bad(t);
      return subs.requestChange(d, t, ids.customerId, ids.subscriptionId, { status });
    }
    case VERB.profileShow:
      return profile.showProfile(d, t);
    case VERB.profileUpdate:
      return profile.setProfile(d, t, { email: data.email, telephone: data.telephone, website: data.website }, true);
    case VERB.confirm:
      return confirmed(d, t, data);
    case VERB.cancel:
      return forAll(messageCard(t.tr.t('common.cancelled')));
    default:
      return bad(t);
  }
}

/** A confirmation card's Confirm: act only on a payload this bot signed, unexpired, for the person who asked. */
async function confirmed(d: BotDeps, t: Turn, data: Record<string, unknown>): Promise<Outcome> {
  let signed: unknown;
  try {
    signed = typeof data.confirmation === 'string' ? JSON.parse(data.confirmation) : undefined;
  } catch {
    signed = undefined;
  }
  const payload = d.signer.verify(signed) as sr.CloseRequest | subs.SubscriptionUpdateRequest | undefined;
  if (!payload) return forInteractor(messageCard(t.tr.t('error.tampered')));
  if (payload.by !== t.actor.id) return forInteractor(messageCard(t.tr.t('confirm.notYours')));
  // A double click on Confirm acts once; the second click gets the first one's card.
  let outcome: Outcome | undefined;
  const done = await d.dedupe.once(`confirm/${(signed as { sig: string }).sig}`, async () => {
    outcome = payload.op === 'sr.close' ? await sr.close(d, t, payload.id) : await subs.applyConfirmed(d, t, payload);
    return outcome.card;
  });
  if (outcome) return outcome;
  return done.result ? forAll(done.result) : forInteractor(messageCard(t.tr.t('common.alreadyDone')));
}
