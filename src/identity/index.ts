/**
 * Identity: who is acting, and the Partner Center token to act with.
 *
 * The bot asks a TokenProvider for a token function per user and never keeps tokens itself. Sandbox mode
 * mints the token the sandbox expects for the Teams user; the sign-in feature replaces this module's
 * provider with Teams SSO + on-behalf-of (the one place that changes).
 */
import type { Config } from '../config';

export * from './types';
import type { Actor, TokenProvider } from './types';
import { SignInRequiredError } from './types';

function base64url(o: object): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

/**
 * Sandbox tokens: an unsigned JWT naming the Teams user and tenant, so the sandbox records who acted and
 * throttles per tenant as Partner Center does. Never used against the real service.
 */
export class SandboxTokenProvider implements TokenProvider {
  tokenFor(actor: Actor): () => Promise<string> {
    const token = [
      base64url({ alg: 'none', typ: 'JWT' }),
      base64url({ tid: actor.tenantId, oid: actor.id, name: actor.name, amr: ['pwd', 'mfa'] }),
      'sandbox',
    ].join('.');
    return async () => token;
  }
}

export function createTokenProvider(config: Config): TokenProvider {
  if (config.partnerCenter.sandbox) return new SandboxTokenProvider();
  // Real Partner Center needs the user's delegated token (Teams SSO + on-behalf-of): until sign-in is
  // configured there is no token to act with, and the bot says so instead of calling the service.
  return {
    tokenFor: () => async () => {
      throw new SignInRequiredError();
    },
  };
}
