/**
 * Installation and conversation events: keep the watches' conversation references right (removed,
 * re-added, renamed, deleted), and welcome a conversation once when the bot is added.
 */
import { ActivityTypes, TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { welcomeCard } from '../../features';
import { conversationKeyOf, postingReference } from '../../notifications/watches';
import type { RouteContext } from './context';

/** A group chat or a channel (Teams sends conversationType; older clients only isGroup). */
function isShared(context: TurnContext): boolean {
  const c = context.activity.conversation;
  return !!c && (c.isGroup === true || c.conversationType === 'groupChat' || c.conversationType === 'channel');
}

export function registerLifecycle(app: Application, r: RouteContext): void {
  const watchesHere = (context: TurnContext) => conversationKeyOf(TurnContext.getConversationReference(context.activity));
  const disableHere = (context: TurnContext, reason: string) =>
    r.watches.patchConversation(watchesHere(context), (w) => ({ ...w, state: 'disabled', reason, reference: {} }));
  const restoreHere = (context: TurnContext) => {
    const reference = postingReference(TurnContext.getConversationReference(context.activity));
    return r.watches.patchConversation(watchesHere(context), (w) =>
      w.state === 'disabled' && w.reason === 'removed' ? { ...w, state: 'active', reason: undefined, reference } : { ...w, reference: { ...w.reference, conversation: { ...w.reference.conversation!, name: reference.conversation?.name ?? '' } } },
    );
  };

  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = String((context.activity as { action?: string }).action ?? '');
    if (action.startsWith('remove')) await disableHere(context, 'removed');
    else if (action.startsWith('add')) {
      await restoreHere(context);
      // A welcome, once per conversation (Teams may send the event again, the Playground on every load).
      // The full help card only in a personal chat: in a group chat or channel it would fill everyone's
      // screen, so there one line says how to ask for it.
      if (await r.store.createIfAbsent(`welcome/${watchesHere(context)}`, { at: r.clock.now() })) {
        const tr = r.turnOf(context).tr;
        if (isShared(context)) await context.sendActivity(tr.t('help.welcomeShared'));
        else await r.delivery.reply(context, welcomeCard(tr));
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
}
