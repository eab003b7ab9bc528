/**
 * Everything the bot sends back, in one place: a reply in the turn, the answer to a card action (the card
 * for the person who clicked, or for everyone), a card replaced later outside the turn (after the invoke
 * deadline, or when a 202 change lands), and the follow-up work that does that replacing.
 */
import { CardFactory, MessageFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { AdaptiveCard } from '../cards/render';
import type { CardUpdater, Outcome } from '../commands/contract';
import type { BackgroundWork } from './background';
import { errorToCard } from './errors';
import type { Turn } from './turn';

export class Delivery {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly botAppId: string,
    readonly background: BackgroundWork,
  ) {}

  /** Posts a card in reply; resolves with the id Teams gave it. */
  async reply(context: TurnContext, card: AdaptiveCard): Promise<string | undefined> {
    return (await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card))))?.id;
  }

  /**
   * Answers an Action.Execute: the card replaces the clicked one for the person who clicked; for `all`, the
   * message itself is updated first so everyone in the chat or channel sees the result.
   */
  async answerCardAction(context: TurnContext, card: AdaptiveCard, scope: 'all' | 'interactor'): Promise<void> {
    if (scope === 'all' && context.activity.replyToId) {
      const update: Partial<Activity> = { ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: context.activity.replyToId };
      await context.updateActivity(update);
    }
    await this.invokeResponse(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
  }

  /** An invoke's answer as is (sign-in invokes, login requests); teams-ai then sends nothing more. */
  async invokeResponse(context: TurnContext, status: number, body?: unknown): Promise<void> {
    await context.sendActivity({ type: 'invokeResponse', value: { status, body } });
  }

  /** Replaces a posted card later, outside the turn that posted it. */
  updaterFor(reference: Partial<ConversationReference>, activityId: string): CardUpdater {
    return async (card) => {
      await this.adapter.continueConversationAsync(this.botAppId, reference, async (ctx) => {
        await ctx.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: activityId });
      });
    };
  }

  /** Starts an outcome's background continuation (e.g. a 202 followed until it lands) on the card it posted. */
  followUp(t: Turn, outcome: Outcome, activityId: string | undefined): void {
    if (!outcome.followUp || !activityId) return;
    // The turn's line says a follow-up runs; its polls are logged at debug (it may run for minutes).
    t.line.set({ followUp: true });
    const update = this.updaterFor(t.reference, activityId);
    this.background.run('card follow-up', () =>
      outcome.followUp!(update).catch(async (e) => {
        await update(errorToCard(t, e));
        throw e;
      }),
    );
  }

  /** Runs `work` later in the conversation of `reference` (a turn of its own, never the revoked one). */
  later(name: string, reference: Partial<ConversationReference>, work: (context: TurnContext) => Promise<void>): void {
    this.background.run(name, () => this.adapter.continueConversationAsync(this.botAppId, reference, work));
  }
}
