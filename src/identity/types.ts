/** Who acts, and the contract for getting their Partner Center token. */

/** The person behind an activity, as Teams identifies them. */
export interface Actor {
  /** Entra ID object id when Teams gives one (it does for signed-in tenant users), else the channel user id. */
  id: string;
  name: string;
  /** The partner's Entra ID tenant (the Teams tenant the message came from). */
  tenantId: string;
}

export interface TokenProvider {
  /** A function returning the actor's current Partner Center token; it throws SignInRequiredError when they must sign in. */
  tokenFor(actor: Actor): () => Promise<string>;
  /**
   * Signs the actor in without any UI, where the provider can; true when they are now signed in. The
   * delegated identity cannot (people sign in through Teams SSO or the sign-in pages); a composition root
   * may supply a provider that can, for a client without SSO. The bot then retries the work once.
   */
  signInWithoutUi?(actor: Actor): Promise<boolean>;
}

/** Why the user has to sign in: never signed in (or signed out), the session ended, or Partner Center needs MFA. */
export type SignInReason = 'not-signed-in' | 'expired' | 'mfa';

export class SignInRequiredError extends Error {
  constructor(readonly reason: SignInReason = 'not-signed-in') {
    super(`The user must sign in to Partner Center (${reason})`);
    this.name = 'SignInRequiredError';
  }
}
