/**
 * Sign-in: Teams' token exchange and the sign-in page's code (verifyState, or typed in the chat), then
 * finishing what the user asked for before they had to sign in, in the conversation they asked in.
 */
import { ActivityTypes, CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { parseCommand } from '../../features';
import type { PendingWork } from '../signin';
import type { Turn } from '../turn';
import type { RouteContext } from './context';

/** Finishes what a user asked for before signing in. */
export async function resume(r: RouteContext, t: Turn, pending: PendingWork | undefined): Promise<void> {
  if (!pending) return;
  if (pending.kind === 'command') {
    const parsed = parseCommand(pending.text);
    if (!parsed.ok) return;
    const done = await r.work.command(t, parsed.command);
    if ('outcome' in done) r.delivery.followUp(t, done.outcome, await r.delivery.reply(t.context, done.outcome.card));
    return;
  }
  const done = await r.work.action(t, pending.verb, pending.data);
  if ('outcome' in done && pending.replyToId) {
    await t.context.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(done.outcome.card)), id: pending.replyToId });
    r.delivery.followUp(t, done.outcome, pending.replyToId);
  }
}

/** Resumes outside the invoke turn, so Teams gets its sign-in answer at once. */
function resumeLater(r: RouteContext, context: TurnContext, pending: PendingWork | undefined): void {
  if (!pending) return;
  const reference = TurnContext.getConversationReference(context.activity);
  r.delivery.later('resume after sign-in', reference, async (ctx) => {
    ctx.activity.locale = reference.locale;
    await resume(r, r.turnOf(ctx), pending);
  });
}

const invokeNamed = (name: string) => async (c: TurnContext) => c.activity.type === ActivityTypes.Invoke && c.activity.name === name;

export function registerSignIn(app: Application, r: RouteContext): void {
  const { signIn, delivery } = r;

  app.addRoute(
    invokeNamed('signin/tokenExchange'),
    async (context) => {
      const t = r.turnOf(context);
      const v = (context.activity.value ?? {}) as { id?: unknown; connectionName?: unknown; token?: unknown };
      const id = typeof v.id === 'string' ? v.id : '';
      if (!signIn || typeof v.token !== 'string' || !id) {
        await delivery.invokeResponse(context, 400, { id, failureDetail: 'A token exchange needs an id and a token.' });
        return;
      }
      const result = await signIn.exchange(t, v.token, id);
      if (result === 'duplicate') {
        await delivery.invokeResponse(context, 200, {}); // another client's copy of the same exchange: handled once
        return;
      }
      if (result !== 'done') {
        t.log.info({ reason: result.reason }, 'token exchange refused: the user will use the sign-in button');
        await delivery.invokeResponse(context, 412, { id, connectionName: v.connectionName, failureDetail: t.tr.t('signin.exchangeFailed') });
        return;
      }
      await delivery.invokeResponse(context, 200, { id });
      resumeLater(r, context, await signIn.takePending(t));
    },
    true,
  );

  app.addRoute(
    invokeNamed('signin/verifyState'),
    async (context) => {
      const t = r.turnOf(context);
      const state = String((context.activity.value as { state?: unknown } | undefined)?.state ?? '');
      if (!signIn || !(await signIn.redeemCode(t.actor, state))) {
        await delivery.invokeResponse(context, 412, { failureDetail: t.tr.t('signin.badCode') });
        return;
      }
      await delivery.invokeResponse(context, 200, {});
      resumeLater(r, context, await signIn.takePending(t));
    },
    true,
  );
}
