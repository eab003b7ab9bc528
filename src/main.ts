/**
 * Entry point: read the configuration, start the embedded Partner Center sandbox when no real one is
 * configured, start the bot, and stop cleanly on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig, type Config } from './config';
import { createBot, type BotOptions } from './bot/app';
import { randomBytes, randomUUID } from 'node:crypto';
import { SignInRequiredError, type Actor, type TokenProvider } from './identity';
import { DelegatedIdentity, type DelegatedSettings } from './identity/delegated';
import { createLocalAuthority, type AuthorityClient, type LocalAuthority } from './sandbox/authority';
import { KeyValueStore, type StateStore } from './storage';
import { createStateStore } from './storage/factory';
import { checkStateStore } from './storage/check';
import { BlobStateStore } from './storage/blob';
import { Sweeper } from './storage/sweeper';
import { systemClock } from './util/clock';
import { Leases } from './notifications/leases';
import { Notifier } from './notifications/notifier';
import { TeamsSender } from './notifications/sender';
import { WatchStore } from './notifications/watches';
import { createLogger, type Logger } from './logging/logger';
import { PartnerCenterClient } from './partner-center';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox';
import { startServer, type HttpServer } from './server';

export interface Running {
  config: Config;
  server: HttpServer;
  sandbox?: Sandbox;
  authority?: LocalAuthority;
  identity?: DelegatedIdentity;
  notifier: Notifier;
  watches: WatchStore;
  sender: TeamsSender;
  stop(): Promise<void>;
}

export interface StartOptions {
  sandbox?: SandboxOptions;
  /** Sandbox services to use instead of starting new ones (instances sharing one sandbox). */
  sandboxServices?: SandboxServices;
  /** Sandbox mode signs Playground users in as Teams SSO would (default true); tests turn it off to play Teams. */
  sandboxSso?: boolean;
  /** Where state is kept (default: from configuration). */
  state?: StateStore;
  /** Whether the notification loop starts by itself (default true); tests run cycles themselves. */
  notifierAutoStart?: boolean;
  /** Replaces the delegated identity's tokens (a benchmark's fixed-token baseline). */
  tokens?: TokenProvider;
  /** How often expired records are swept (default hourly). */
  sweepIntervalMs?: number;
  /** Tuning the bot's waits (tests shorten them), and the outbound Bot Framework credentials. */
  bot?: Pick<BotOptions, 'invokeDeadlineMs' | 'inlineWaitMs' | 'followUpWaitMs' | 'followUpIntervalMs' | 'credentialsFactory'>;
}

export async function start(config: Config, logger: Logger, options: StartOptions = {}): Promise<Running> {
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    return await startAll(config, logger, options, started);
  } catch (e) {
    // Whatever did start is stopped again: a failed start leaves no server behind.
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    throw e;
  }
}

async function startAll(config: Config, logger: Logger, options: StartOptions, started: Array<{ close(): Promise<void> }>): Promise<Running> {
  const state = options.state ?? createStateStore(config, logger.child({ component: 'storage' }));
  // Storage first: a bot that cannot keep state must not start (the message says what to fix).
  await checkStateStore(state, { blob: state instanceof BlobStateStore });
  const store = new KeyValueStore(state, systemClock);
  const p = config.partnerCenter;
  let baseUrl = p.baseUrl;
  let sandbox: Sandbox | undefined;
  let authority: LocalAuthority | undefined;
  let identitySettings: DelegatedSettings | undefined;
  let sandboxSso: ((actor: Actor) => Promise<string>) | undefined;

  if (p.sandbox) {
    // No cloud account: a local Partner Center and a local token authority, with the real msal-node path.
    let services = options.sandboxServices;
    if (!services) {
      services = await startSandboxServices(config, options.sandbox);
      started.push(services.sandbox, services.authority);
    }
    ({ sandbox, authority } = services);
    const { app, cacheSecret } = services;
    baseUrl = sandbox.url;
    identitySettings = {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      authority: authority.authorityUrl('organizations'),
      knownAuthority: { host: authority.host, metadata: authority.openIdConfiguration('organizations') },
      caPem: authority.caPem,
      scope: p.scope,
      cacheSecret,
    };
    const a = authority;
    if (options.sandboxSso !== false) sandboxSso = async (actor) => {
      a.user({ oid: actor.id, tid: actor.tenantId, name: actor.name, upn: `${actor.name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@sandbox.onmicrosoft.com` });
      return a.mintSsoToken(actor.id, app.appIdUri);
    };
    logger.info({ partnerCenter: sandbox.url, authority: authority.url }, 'embedded Partner Center sandbox and token authority started: no real Partner Center or Entra ID is called');
  } else if (config.aad.clientId && config.aad.clientSecret && config.aad.tenantId) {
    identitySettings = {
      clientId: config.aad.clientId,
      clientSecret: config.aad.clientSecret,
      authority: `${config.aad.authorityHost}/${config.aad.tenantId}`,
      scope: p.scope,
      cacheSecret: config.aad.tokenCacheKey ?? config.aad.clientSecret,
    };
  }

  const client = new PartnerCenterClient({
    baseUrl,
    applicationName: p.applicationName,
    timeoutMs: p.timeoutMs,
    maxRetries: p.maxRetries,
    concurrencyPerTenant: p.concurrencyPerTenant,
    pollWaitMs: p.pollWaitMs,
    verifyWaitMs: p.verifyWaitMs,
    verifyIntervalMs: Math.min(3_000, Math.max(250, Math.round(p.verifyWaitMs / 5))),
    supportTopicsFallback: p.supportTopicsFallback.map((t) => ({ ...t })),
    logger: logger.child({ component: 'partner-center' }),
  });
  const identity = identitySettings ? new DelegatedIdentity(identitySettings, store, systemClock, logger.child({ component: 'identity' })) : undefined;
  let publicUrl = config.publicUrl;
  const tokens = options.tokens ?? identity ?? noSignIn;
  const watches = new WatchStore(store);
  const bot = createBot({
    watches,
    config,
    client,
    tokens,
    store,
    logger,
    signIn: identity ? { identity, appIdUri: config.aad.appIdUri, publicUrl: () => publicUrl, sandboxSso } : undefined,
    botFrameworkAuth: config.botFrameworkAuth,
    ...options.bot,
  });
  const signInPages = identity && bot.signIn
    ? { flow: bot.signIn, identity, store, clock: systemClock, publicUrl: () => publicUrl, logger: logger.child({ component: 'sign-in pages' }) }
    : undefined;
  const server = await startServer({ bot, logger, port: config.port, host: config.host, signInPages, ready: () => store.state.ping() });
  started.push(server);
  if (config.publicUrl.endsWith(':0')) publicUrl = server.url;
  const n = config.notifications;
  const leases = new Leases(store, n.instanceId, systemClock, n.leaseMs);
  const sender = new TeamsSender({
    adapter: bot.adapter,
    botAppId: config.bot.id ?? '',
    clock: systemClock,
    logger: logger.child({ component: 'notifications' }),
    // Teams' 50 requests/s per app per tenant is this instance's alone: one instance polls a partner's watches.
  });
  const notifier = new Notifier({ store, client, tokens, sender, leases, clock: systemClock, logger: logger.child({ component: 'notifications' }), intervalMs: n.intervalMs });
  if (options.notifierAutoStart !== false) notifier.start();
  const sweeper = new Sweeper(store, systemClock, logger.child({ component: 'storage' }), options.sweepIntervalMs);
  sweeper.start();
  started.push({ close: () => sweeper.stop() });
  if (config.mode === 'local') {
    logger.warn(
      { url: `${server.url}/api/messages` },
      'LOCAL MODE: BOT_ID is not set, so Bot Framework requests are NOT authenticated. Listening on loopback only; never expose this.',
    );
  } else {
    logger.info({ url: `${server.url}/api/messages` }, 'bot listening');
  }
  return {
    config,
    server,
    sandbox,
    authority,
    identity,
    notifier,
    watches,
    sender,
    /** Clean shutdown: stop taking work, finish the turns in flight and the cycle in progress, give the leases back. */
    async stop() {
      await Promise.all([server.close(), notifier.stop(), sweeper.stop()]);
      await bot.background.drain();
      // Shared sandbox services belong to whoever started them.
      if (!options.sandboxServices) {
        await sandbox?.close();
        await authority?.close();
      }
    },
  };
}

export interface SandboxServices {
  sandbox: Sandbox;
  authority: LocalAuthority;
  /** The bot's app registration at the local authority. */
  app: AuthorityClient;
  /** Encrypts the token cache; instances sharing a store share it. */
  cacheSecret: string;
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

/** Without a configured identity there is no token to act with: every Partner Center call asks to sign in. */
const noSignIn: TokenProvider = {
  tokenFor: () => async () => {
    throw new SignInRequiredError('not-signed-in');
  },
};

/** The configuration, or exit 2 with the one message that lists every setting to fix. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.logLevel });
  const running = await start(config, logger);
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await running.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`Partner Ops failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
