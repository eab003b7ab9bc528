/** `whoami` and `signout`: the signed-in Partner Center account, and forgetting it. */
import { messageCard } from '../../cards/common';
import { literal } from '../../cards/render';
import { SignInRequiredError } from '../../identity';
import { forInteractor, type Turn, type BotDeps, type Outcome } from '../../commands/contract';
import { cacheUser } from '../extension/cache';
import { searchCacheFor } from '../extension/search';

/** The Partner Center account the person acts as, beside the Teams user they are (the sign-in checks they are the same person). */
export async function whoami(d: BotDeps, t: Turn): Promise<Outcome> {
  if (!d.identity) return forInteractor(messageCard(t.tr.t('whoami.notConfigured')));
  const who = await d.identity.whoami(t.actor);
  if (!who) {
    // Where people are signed in without a prompt, asking is what signs them in: the answer then shows the account.
    if (d.signsInWithoutUi) throw new SignInRequiredError('not-signed-in');
    return forInteractor(messageCard(t.tr.t('whoami.none')));
  }
  const mfa = t.tr.t(who.mfa ? 'common.yes' : 'common.no');
  return forInteractor(
    messageCard(
      t.tr.t('whoami.account', { name: literal(who.name), username: literal(who.username), teamsName: literal(t.actor.name), tenant: tenantText(who.username, who.tenantId), mfa }),
      t.tr.t('whoami.title'),
    ),
  );
}

/**
 * The tenant as people know it: the sign-in name's domain (a domain of the tenant the account belongs to),
 * with the id beside it. A guest's name (`…#EXT#@…`) names the host tenant's domain only by accident: then
 * the id alone.
 */
function tenantText(username: string, tenantId: string): string {
  const domain = /^[^@#\s]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i.exec(username)?.[1];
  return domain ? `${literal(domain.toLowerCase())} (${tenantId})` : tenantId;
}

/** Forgets the tokens, and says truthfully what the next command will do. */
export async function signOut(d: BotDeps, t: Turn): Promise<Outcome> {
  await d.identity?.signOut(t.actor);
  // The message extension's answers were read with those tokens: they go too.
  searchCacheFor(d).forgetUser(cacheUser(t.actor));
  return forInteractor(messageCard(t.tr.t(d.signsInWithoutUi ? 'signout.doneSilent' : 'signout.done')));
}
