/**
 * The development composition root: production's `start()` (src/main.ts), with the embedded Partner Center
 * sandbox and the local token authority in place of Partner Center and Entra ID when no app identity is
 * configured. Used by `npm start` (dev/start.ts), the tests and the benchmarks; never by production.
 *
 * Sandbox identity is the production delegated identity (msal-node on-behalf-of) pointed at the local
 * authority, wrapped in a TokenProvider that can sign a person in without UI: the Agents Playground has no
 * Teams SSO, so the authority mints the SSO token Teams would have sent and the identity exchanges it as it
 * would Teams'. From there everything is the production path.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../src/config';
import type { Actor, TokenProvider } from '../src/identity';
import { ExchangeError, type DelegatedIdentity } from '../src/identity/delegated';
import type { Logger } from '../src/logging/logger';
import { start, type Running, type StartOptions } from '../src/main';
import { createLocalAuthority, type AuthorityClient, type LocalAuthority } from './authority';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox';

export interface SandboxServices {
  sandbox: Sandbox;
  authority: LocalAuthority;
  /** The bot's app registration at the local authority. */
  app: AuthorityClient;
  /** Encrypts the token cache; instances sharing a store share it. */
  cacheSecret: string;
}

export interface DevStartOptions extends StartOptions {
  sandbox?: SandboxOptions;
  /** Sandbox services to use instead of starting new ones (instances sharing one sandbox). */
  sandboxServices?: SandboxServices;
  /** Signs Playground users in as Teams SSO would (default true); tests turn it off to play Teams. */
  sandboxSso?: boolean;
}

export interface DevRunning extends Running {
  sandbox?: Sandbox;
  authority?: LocalAuthority;
}

/**
 * The sandbox is used only when nothing of a real deployment is configured. Any deployment setting makes
 * the configuration require the app identity (src/config), so "no app identity" is exactly that case; and
 * with BOT_ID (real Teams users) there always is one, so they never get the sandbox's made-up data.
 */
export function usesSandbox(config: Config): boolean {
  return !config.aad.clientId;
}

/** Production's start(), with the sandbox and its identity when no deployment is configured. */
export async function startDev(config: Config, logger: Logger, options: DevStartOptions = {}): Promise<DevRunning> {
  const { sandbox: sandboxOptions, sandboxServices, sandboxSso, ...production } = options;
  if (!usesSandbox(config)) return start(config, logger, production);

  const owned = !sandboxServices;
  const services = sandboxServices ?? (await startSandboxServices(config, sandboxOptions));
  const { sandbox, authority, app, cacheSecret } = services;
  const closeOwned = async () => {
    if (!owned) return; // shared sandbox services belong to whoever started them
    await sandbox.close();
    await authority.close();
  };
  let running: Running;
  try {
    running = await start(config, logger, {
      ...production,
      partnerCenterBaseUrl: sandbox.url,
      identity: {
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        authority: authority.authorityUrl('organizations'),
        knownAuthority: { host: authority.host, metadata: authority.openIdConfiguration('organizations') },
        caPem: authority.caPem,
        scope: config.partnerCenter.scope,
        cacheSecret,
      },
      wrapTokens: sandboxSso === false ? production.wrapTokens : (tokens, identity) => signInWithoutUi(tokens, identity, (actor) => ssoTokenFor(authority, app, actor)),
    });
  } catch (e) {
    await closeOwned().catch(() => undefined);
    throw e;
  }
  logger.info({ partnerCenter: sandbox.url, authority: authority.url }, 'embedded Partner Center sandbox and token authority started: no real Partner Center or Entra ID is called');
  return {
    ...running,
    sandbox,
    authority,
    async stop() {
      await running.stop();
      await closeOwned();
    },
  };
}

/** The embedded Partner Center and token authority; several bot instances may share one set (scale-out tests). */
export async function startSandboxServices(config: Config, options: SandboxOptions = {}): Promise<SandboxServices> {
  const app = { clientId: randomUUID(), clientSecret: randomBytes(24).toString('base64url'), appIdUri: config.aad.appIdUri };
  const authority = await createLocalAuthority({ clients: [app] });
  try {
    const scope = config.partnerCenter.scope;
    const pcResource = scope.slice(0, scope.lastIndexOf('/'));
    const sandbox = await createSandbox({ verifyToken: (token) => authority.verify(token, pcResource), ...options });
    return { sandbox, authority, app, cacheSecret: randomBytes(32).toString('base64') };
  } catch (e) {
    await authority.close();
    throw e;
  }
}

/** The SSO token Teams would send for this person (registered at the authority on first use). */
function ssoTokenFor(authority: LocalAuthority, app: AuthorityClient, actor: Actor): string {
  authority.user({ oid: actor.id, tid: actor.tenantId, name: actor.name, upn: `${actor.name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@sandbox.onmicrosoft.com` });
  return authority.mintSsoToken(actor.id, app.appIdUri);
}

/**
 * `tokens`, plus signing a person in without UI: the SSO token Teams would have sent, exchanged by the
 * delegated identity. Concurrent commands of one person share a single exchange, as Teams' one sign-in would.
 */
export function signInWithoutUi(tokens: TokenProvider, identity: DelegatedIdentity | undefined, sso: (actor: Actor) => string | Promise<string>): TokenProvider {
  const signingIn = new Map<string, Promise<boolean>>();
  return {
    tokenFor: (actor) => tokens.tokenFor(actor),
    signInWithoutUi(actor) {
      if (!identity) return Promise.resolve(false);
      const key = `${actor.tenantId}/${actor.id}`;
      let p = signingIn.get(key);
      if (!p) {
        p = (async () => {
          try {
            await identity.exchange(actor, await sso(actor));
            return true;
          } catch (e) {
            if (e instanceof ExchangeError) return false;
            throw e;
          }
        })().finally(() => signingIn.delete(key));
        signingIn.set(key, p);
      }
      return p;
    },
  };
}
