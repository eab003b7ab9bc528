/** `whoami` and `signout`: the signed-in Partner Center account, and forgetting it. */
import { messageCard } from '../../cards/common';
import { literal } from '../../cards/render';
import type { Turn } from '../../teams/turn';
import { forInteractor, type BotDeps, type Outcome } from '../common/types';

export async function whoami(d: BotDeps, t: Turn): Promise<Outcome> {
  if (!d.identity) return forInteractor(messageCard(t.tr.t('whoami.notConfigured')));
  const who = await d.identity.whoami(t.actor);
  if (!who) return forInteractor(messageCard(t.tr.t('whoami.none')));
  const mfa = t.tr.t(who.mfa ? 'common.yes' : 'common.no');
  return forInteractor(messageCard(t.tr.t('whoami.account', { name: literal(who.name), username: literal(who.username), tenant: who.tenantId, mfa }), t.tr.t('whoami.title')));
}

export async function signOut(d: BotDeps, t: Turn): Promise<Outcome> {
  await d.identity?.signOut(t.actor);
  return forInteractor(messageCard(t.tr.t('signout.done')));
}
