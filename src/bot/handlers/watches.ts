/** `watch …`, `unwatch`, `watches`, and the watch cards' buttons. */
import { TurnContext } from 'botbuilder';
import { messageCard } from '../../cards/common';
import { describe, watchListCard } from '../../cards/notifications';
import { customerName } from '../../cards/subscriptions';
import { conversationKeyOf, postingReference, watchIdFor, type Watch, type WatchKind } from '../../notifications/watches';
import type { Turn } from '../turn';
import { resolveCustomer } from './customers';
import { forAll, forInteractor, type BotDeps, type Outcome } from './types';

function conversationKey(t: Turn): string {
  return conversationKeyOf(TurnContext.getConversationReference(t.context.activity));
}

async function create(d: BotDeps, t: Turn, kind: WatchKind, target: Partial<Watch>): Promise<Outcome> {
  const reference = postingReference(TurnContext.getConversationReference(t.context.activity));
  const conversationKey = conversationKeyOf(reference);
  const w: Watch = {
    id: watchIdFor({ conversationKey, kind, ...target }),
    kind,
    ...target,
    reference,
    conversationKey,
    setBy: { id: t.actor.id, name: t.actor.name, tenantId: t.actor.tenantId },
    locale: t.locale,
    createdAt: d.clock.now(),
    state: 'active',
    primed: false,
    lastSeen: {},
    threads: {},
  };
  const { created, watch } = await d.watches.add(w);
  if (!created) return forInteractor(messageCard(t.tr.t('watch.already', { what: describe(t.tr, watch), id: watch.id })));
  return forAll(messageCard(t.tr.t('watch.created', { what: describe(t.tr, w), id: w.id })));
}

/** A service request: checked to exist (and readable by the person setting the watch) first. */
export async function watchServiceRequest(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  await d.client.getServiceRequest(t.user, id);
  return create(d, t, 'sr', { srId: id });
}

export async function watchAllServiceRequests(d: BotDeps, t: Turn, openOnly: boolean): Promise<Outcome> {
  await d.client.listServiceRequests(t.user, { size: 1 }); // signs the user in now if needed, not at the first cycle
  return create(d, t, 'sr-all', { openOnly });
}

export async function watchSubscriptions(d: BotDeps, t: Turn, customerRef: string): Promise<Outcome> {
  const r = await resolveCustomer(d, t, customerRef);
  if ('outcome' in r) return r.outcome;
  return create(d, t, 'subs', { customerId: r.customer.id, customerName: customerName(r.customer) });
}

export async function listWatches(d: BotDeps, t: Turn): Promise<Outcome> {
  const watches = await d.watches.inConversation(conversationKey(t));
  return forAll(watchListCard(t.tr, watches.sort((a, b) => a.createdAt - b.createdAt)));
}

/** Only watches of this conversation can be stopped from it. */
export async function unwatch(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  const w = await d.watches.get(id);
  if (!w || w.conversationKey !== conversationKey(t)) return forInteractor(messageCard(t.tr.t('watch.notFound', { id })));
  await d.watches.remove(id);
  return forAll(messageCard(t.tr.t('watch.removed', { id, what: describe(t.tr, w) })));
}

/** "Sign in and resume" on a paused watch: asks the clicker for a token (signing them in), then resumes. */
export async function resume(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  const w = await d.watches.get(id);
  if (!w || w.conversationKey !== conversationKey(t)) return forInteractor(messageCard(t.tr.t('watch.notFound', { id })));
  if (w.setBy.id !== t.actor.id) return forInteractor(messageCard(t.tr.t('notify.pausedWho', { name: w.setBy.name })));
  await t.user.getToken();
  await d.watches.patch(id, (cur) => ({ ...cur, state: 'active', reason: undefined }));
  return forAll(messageCard(t.tr.t('watch.resumed', { id })));
}
