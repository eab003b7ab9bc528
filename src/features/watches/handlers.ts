/** `watch …`, `unwatch`, `watches`, and the watch cards' buttons. */
import { messageCard } from '../../cards/common';
import { describe, watchListCard } from '../../notifications/cards';
import { customerName } from '../subscriptions/cards';
import { isOpen, srSnapshot, subSnapshot } from '../../notifications/observations';
import { SR_PAGE } from '../../notifications/polling';
import { polledWatches } from '../../notifications/activity-source';
import { type Snapshot, type Watch, type WatchKind } from '../../notifications/watches';
import { newWatch } from './new-watch';
import { forAll, forInteractor, type Turn, type BotDeps, type Outcome } from '../../commands/contract';
import { resolveCustomer } from '../customers/handlers';
import { forServiceRequest } from '../common/not-found';

/**
 * `baseline` is what the user saw when setting the watch: the watch starts from it (primed), so a change a
 * second later is announced, not taken for the starting state at the first poll.
 */
async function create(d: BotDeps, t: Turn, kind: WatchKind, target: Partial<Watch>, baseline: Record<string, Snapshot>): Promise<Outcome> {
  const w = newWatch(d, t, kind, target, baseline);
  const { created, watch } = await d.watches.add(w);
  if (!created) return forInteractor(messageCard(t.tr.t('watch.already', { what: describe(t.tr, watch), id: watch.id })));
  // Only a channel has threads; a chat gets each change as a message.
  return forAll(messageCard(t.tr.t(t.conversationType === 'channel' ? 'watch.created' : 'watch.createdChat', { what: describe(t.tr, w), id: w.id })));
}

/** A service request: checked to exist (and readable by the person setting the watch) first. */
export function watchServiceRequest(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  return forServiceRequest(t, id, async () => {
    const sr = await d.client.getServiceRequest(t.user, id);
    return create(d, t, 'sr', { srId: id }, { [sr.id ?? id]: srSnapshot(sr) });
  });
}

/** Reads every page now, as the setter (signing them in if needed): the baseline the first cycle compares with. */
export async function watchAllServiceRequests(d: BotDeps, t: Turn, openOnly: boolean): Promise<Outcome> {
  const baseline: Record<string, Snapshot> = {};
  for (let offset: number | undefined = 0; offset !== undefined; ) {
    const page = await d.client.listServiceRequests(t.user, { offset, size: SR_PAGE });
    for (const sr of page.items) if (sr.id && (!openOnly || isOpen(sr))) baseline[sr.id] = srSnapshot(sr);
    offset = page.items.length > 0 ? page.nextOffset : undefined;
  }
  return create(d, t, 'sr-all', { openOnly }, baseline);
}

export async function watchSubscriptions(d: BotDeps, t: Turn, customerRef: string): Promise<Outcome> {
  // Several matches: the pick card's buttons set the watch (watch.subs with the picked tenant id).
  const r = await resolveCustomer(d, t, customerRef, undefined, 'pickToWatch');
  if ('outcome' in r) return r.outcome;
  const subs = await d.client.listSubscriptions(t.user, r.customer.id);
  const baseline = Object.fromEntries(subs.items.map((s) => [s.id, subSnapshot(s)]));
  return create(d, t, 'subs', { customerId: r.customer.id, customerName: customerName(r.customer) }, baseline);
}

export async function listWatches(d: BotDeps, t: Turn): Promise<Outcome> {
  const watches = await d.watches.inConversation(t.conversationKey);
  return forAll(watchListCard(t.tr, watches.sort((a, b) => a.createdAt - b.createdAt), await polledWatches(d.watches.store, watches), { now: d.clock.now(), hourUtc: d.digestHourUtc }));
}

/** Only watches of this conversation can be stopped from it. */
export async function unwatch(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  const w = await d.watches.get(id);
  if (!w || w.conversationKey !== t.conversationKey) return forInteractor(messageCard(t.tr.t('watch.notFound', { id })));
  await d.watches.remove(id);
  return forAll(messageCard(t.tr.t('watch.removed', { id, what: describe(t.tr, w) })));
}

/** "Sign in and resume" on a paused watch: asks the clicker for a token (signing them in), then resumes. */
export async function resume(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  const w = await d.watches.get(id);
  if (!w || w.conversationKey !== t.conversationKey) return forInteractor(messageCard(t.tr.t('watch.notFound', { id })));
  if (w.setBy.id !== t.actor.id) return forInteractor(messageCard(t.tr.t('notify.pausedWho', { name: w.setBy.name })));
  await t.user.getToken();
  await d.watches.patch(id, (cur) => ({ ...cur, state: 'active', reason: undefined }));
  return forAll(messageCard(t.tr.t('watch.resumed', { id })));
}
