/**
 * A card button (Action.Execute, `adaptiveCard/action`): run the action its verb names. Teams gets its
 * answer within the deadline however slow Partner Center is; past it the card says "working", and the work
 * finishes in the background, on its own turn, and replaces the card with the true outcome.
 */
import { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { messageCard } from '../../cards/common';
import { progressOf } from '../../features';
import { SignInRequiredError } from '../../identity';
import { deadline } from '../../util/clock';
import { errorToCard } from '../errors';
import type { RouteContext } from './context';

export function registerCardAction(app: Application, r: RouteContext): void {
  const { signIn, delivery } = r;
  app.adaptiveCards.actionExecute(/.*/, async (context) => {
    const t = r.turnOf(context);
    const value = (context.activity.value ?? {}) as {
      action?: { verb?: unknown; data?: unknown };
      authentication?: { id?: unknown; token?: unknown };
      state?: unknown;
      trigger?: unknown;
    };
    const verb = typeof value.action?.verb === 'string' ? value.action.verb : '';
    const data = value.action?.data && typeof value.action.data === 'object' && !Array.isArray(value.action.data) ? (value.action.data as Record<string, unknown>) : {};

    // Teams retries a card action after a login request with the SSO token (or the sign-in page's code).
    if (signIn && typeof value.authentication?.token === 'string') {
      const result = await signIn.exchange(t, value.authentication.token, String(value.authentication.id ?? context.activity.id));
      if (result !== 'done' && result !== 'duplicate') {
        await delivery.invokeResponse(context, 200, { statusCode: 412, type: 'application/vnd.microsoft.error.preconditionFailed', value: { code: 'PreconditionFailed', message: t.tr.t('signin.exchangeFailed') } });
        return '';
      }
    } else if (signIn && value.state !== undefined) {
      await signIn.redeemCode(t.actor, String(value.state));
    }

    const work = r.work.action(t, verb, data);
    const limit = deadline(r.clock, r.invokeDeadlineMs);
    const first = await Promise.race([work, limit.reached.then(() => 'late' as const)]);
    limit.cancel();
    const cardId = context.activity.replyToId;
    if (first === 'late') {
      // Partner Center is slow: answer Teams now, finish in the background and replace the card then.
      // The step names what is running ("Adding your note…"); a read just says it is working.
      const step = progressOf(verb, data);
      await delivery.answerCardAction(context, messageCard(step ? t.tr.t('common.workingStep', { step: t.tr.text(step) }) : t.tr.t('common.working')), 'all');
      const reference = TurnContext.getConversationReference(context.activity);
      delivery.background.run('slow card action', async () => {
        const done = await work;
        if (!cardId) return;
        const update = delivery.updaterFor(reference, cardId);
        await update('outcome' in done ? done.outcome.card : errorToCard(t, new SignInRequiredError(done.signIn)));
        if ('outcome' in done && done.outcome.followUp) await done.outcome.followUp(update);
      });
    } else if ('signIn' in first) {
      if (signIn) {
        // A card's automatic refresh is one viewer's copy: after sign-in there is no shared message to update.
        await signIn.savePending(t, { kind: 'action', verb, data, replyToId: value.trigger === 'automatic' ? undefined : cardId });
        await delivery.invokeResponse(context, 200, signIn.loginRequest(t, first.signIn));
      } else {
        await delivery.answerCardAction(context, errorToCard(t, new SignInRequiredError(first.signIn)), 'interactor');
      }
    } else {
      await delivery.answerCardAction(context, first.outcome.card, first.outcome.scope);
      delivery.followUp(t, first.outcome, cardId);
    }
    // teams-ai sees the invoke response is set and sends nothing more.
    return '';
  });
}
