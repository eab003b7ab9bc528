/**
 * Dispatch on exact keys: a parsed command's kind, a card action's verb. Each ends in an Outcome.
 */
import { auditCard } from '../features/audit/cards';
import { helpCard, messageCard } from '../cards/common';
import type { Command } from './commands/grammar';
import * as sr from '../features/service-requests/handlers';
import * as customers from '../features/customers/handlers';
import * as subs from '../features/subscriptions/handlers';
import * as profile from '../features/profile/handlers';
import * as account from '../features/account/handlers';
import * as watches from '../features/watches/handlers';
import { forAll, forInteractor, type BotDeps, type Outcome } from '../features/common/types';
import type { Turn } from './turn';
import { VERB } from './verbs';
import { SR_ID_PATTERN } from '../partner-center/schemas';

export async function runCommand(d: BotDeps, t: Turn, c: Command): Promise<Outcome> {
  switch (c.kind) {
    case 'help':
      return forInteractor(helpCard(t.tr, c.topic));
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
    case 'whoami':
      return account.whoami(d, t);
    case 'signout':
      return account.signOut(d, t);
    case 'watch.sr':
      return watches.watchServiceRequest(d, t, c.id);
    case 'watch.srAll':
      return watches.watchAllServiceRequests(d, t, c.openOnly);
    case 'watch.subs':
      return watches.watchSubscriptions(d, t, c.customer);
    case 'unwatch':
      return watches.unwatch(d, t, c.id);
    case 'watches':
      return watches.listWatches(d, t);
    case 'audit':
      return forAll(auditCard(t.tr, await d.audit.recent(t)));
  }
}

const bad = (t: Turn) => forInteractor(messageCard(t.tr.t('error.badSubmission')));
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export async function runAction(d: BotDeps, t: Turn, verb: string, data: Record<string, unknown>): Promise<Outcome> {
  switch (verb) {
    case VERB.srCreate:
      return sr.createServiceRequest(d, t, data);
    case VERB.srShow:
    case VERB.srNote:
    case VERB.srClose: {
      const id = str(data.id);
      if (!id || !SR_ID_PATTERN.test(id)) return bad(t);
      if (verb === VERB.srShow) return sr.showServiceRequest(d, t, id);
      if (verb === VERB.srNote) return sr.addNote(d, t, id, data.text, data);
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
    case VERB.watchRemove:
    case VERB.watchResume: {
      const id = str(data.watchId);
      if (!id || !/^w-[0-9a-f]{8}$/.test(id)) return bad(t);
      return verb === VERB.watchRemove ? watches.unwatch(d, t, id) : watches.resume(d, t, id);
    }
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
