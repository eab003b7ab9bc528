/**
 * Production entry point and composition root: read the configuration, build identity, Partner Center
 * client, storage, notifications and the bot from it, serve, and stop cleanly on SIGTERM/SIGINT.
 *
 * `start()` takes everything from the configuration; a composition root elsewhere (the development one in
 * dev/, tests, benchmarks) may hand it other services through StartOptions. Production code never imports
 * from dev/ (a test checks it).
 */
// First: silences restify's DEP0111 deprecation warning before the imports below load restify.
import './logging/warnings';
import { ConfigError, loadConfig, type Config, type LoadOptions } from './config';
import { EnvFileError, loadEnvFile, type EnvFileRead } from './config/env-file';
import { createBot, type BotOptions } from './teams/app';
import { SignInRequiredError, type TokenProvider } from './identity';
import { DelegatedIdentity, type DelegatedSettings } from './identity/delegated';
import { KeyValueStore, type StateStore } from './storage';
import { createStateStore } from './storage/factory';
import { checkStateStore } from './storage/check';
import { Sweeper } from './storage/sweeper';
import { systemClock, type Clock } from './util/clock';
import { Leases } from './notifications/leases';
import { Digests } from './notifications/digest';
import { Notifier } from './notifications/notifier';
import { sourcesWithActivityLog } from './notifications/activity-source';
import { TeamsSender } from './notifications/sender';
import { WatchStore } from './notifications/watches';
import { WebhookResync } from './notifications/webhook';
import { createLogger, type Logger } from './logging/logger';
import { PartnerCenterClient } from './partner-center';
import { RequestBudget } from './partner-center/budget';
import { startServer, type HttpServer } from './http/server';
import { WebhookVerifier } from './webhooks/verify';
import type { ChangeSink } from './webhooks/events';

export interface Running {
  config: Config;
  server: HttpServer;
  identity?: DelegatedIdentity;
  notifier: Notifier;
  watches: WatchStore;
  sender: TeamsSender;
  /** The shared store and the Partner Center client the parts were built with (another instance on the same store uses them). */
  store: KeyValueStore;
  client: PartnerCenterClient;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where state is kept (default: from configuration). */
  state?: StateStore;
  /** Whether the notification loop starts by itself (default true); tests run cycles themselves. */
  notifierAutoStart?: boolean;
  /** Replaces the delegated identity's tokens (a benchmark's fixed-token baseline). */
  tokens?: TokenProvider;
  /** How often expired records are swept (default hourly). */
  sweepIntervalMs?: number;
  /** Tuning the bot's waits (tests shorten them), the outbound Bot Framework credentials, and the bot's clock (tests move it). */
  bot?: Pick<BotOptions, 'invokeDeadlineMs' | 'inlineWaitMs' | 'followUpWaitMs' | 'followUpIntervalMs' | 'credentialsFactory' | 'clock'>;
  /** The Partner Center REST base URL to call instead of the configured one. */
  partnerCenterBaseUrl?: string;
  /**
   * The delegated identity's app registration and authority instead of the configured Entra ID app: for an
   * authority msal-node does not know, its host and OpenID metadata (knownAuthorities) and a CA to trust.
   */
  identity?: DelegatedSettings;
  /**
   * Wraps the token provider the bot and the notifier use (default: the delegated identity, or `tokens`),
   * e.g. with one that can sign a person in without UI (TokenProvider.signInWithoutUi).
   */
  wrapTokens?: (tokens: TokenProvider, identity: DelegatedIdentity | undefined) => TokenProvider;
  /**
   * The time every part that waits or expires reads (default the system clock): stored records, sign-in
   * tickets and codes, confirmations, leases, the notifier, the sender, the sweeper. A test holds it to
   * prove expiry without waiting.
   */
  clock?: Clock;
  /** CAs for the TLS of the webhook certificate host, when not public ones (the sandbox's https host). */
  webhookTlsCa?: readonly string[];
  /** Where plain-http issuer certificate downloads connect (the sandbox's issuer host). */
  webhookIssuerAgent?: import('node:http').Agent;
  /** Subscriptions webhook events may leave waiting their turn (default WEBHOOK_MAX_WAITING); tests lower it. */
  webhookMaxWaiting?: number;
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
  // By name, not instanceof: importing BlobStateStore here would load Azure's storage SDK into every bot, blob or not.
  await checkStateStore(state, { blob: state.constructor.name === 'BlobStateStore' });
  const clock = options.clock ?? systemClock;
  const store = new KeyValueStore(state, clock);
  const p = config.partnerCenter;
  const a = config.aad;
  const identitySettings: DelegatedSettings | undefined =
    options.identity ??
    (a.clientId && a.clientSecret && a.tenantId
      ? { clientId: a.clientId, clientSecret: a.clientSecret, authority: `${a.authorityHost}/${a.tenantId}`, scope: p.scope, cacheSecret: a.tokenCacheKey ?? a.clientSecret }
      : undefined);

  const client = new PartnerCenterClient({
    baseUrl: options.partnerCenterBaseUrl ?? p.baseUrl,
    applicationName: p.applicationName,
    timeoutMs: p.timeoutMs,
    maxRetries: p.maxRetries,
    concurrencyPerTenant: p.concurrencyPerTenant,
    pollWaitMs: p.pollWaitMs,
    verifyWaitMs: p.verifyWaitMs,
    verifyIntervalMs: Math.min(3_000, Math.max(250, Math.round(p.verifyWaitMs / 5))),
    supportTopicsFallback: p.supportTopicsFallback.map((t) => ({ ...t })),
    clock,
    logger: logger.child({ component: 'partner-center' }),
  });
  const identity = identitySettings ? new DelegatedIdentity(identitySettings, store, clock, logger.child({ component: 'identity' })) : undefined;
  let publicUrl = config.publicUrl;
  const base = options.tokens ?? identity ?? noSignIn;
  const tokens = options.wrapTokens ? options.wrapTokens(base, identity) : base;
  const watches = new WatchStore(store);
  // One budget per process for reads across every customer: `renewals`, `windows`, the daily digests, the
  // reminders' reads and webhook re-reads share each partner tenant's share.
  const budget = new RequestBudget(config.partnerCenter.budget, clock);
  const bot = createBot({
    budget,
    watches,
    config,
    client,
    tokens,
    store,
    logger,
    clock,
    signIn: identity ? { identity, appIdUri: config.aad.appIdUri, publicUrl: () => publicUrl } : undefined,
    botFrameworkAuth: config.botFrameworkAuth,
    publicUrl: () => publicUrl,
    ...options.bot,
  });
  const signInPages = identity && bot.signIn
    ? { flow: bot.signIn, identity, publicUrl: () => publicUrl, logger: logger.child({ component: 'sign-in pages' }) }
    : undefined;
  let notifier: Notifier | undefined;
  // A verified subscription-updated: one read of it as a covering watch's setter, recorded at once; the
  // instance holding the watch delivers it at its next cycle (notifications/webhook.ts).
  const changes: ChangeSink = new WebhookResync({ watches, client, tokens, clock, budget, maxWaiting: options.webhookMaxWaiting, observe: (obs, shards) => (notifier ? notifier.observe(obs, shards) : Promise.resolve(0)) });
  const verifier = new WebhookVerifier({ allowedHosts: config.webhooks.certificateHosts, extraRoots: config.webhooks.extraRoots, clock, tlsCa: options.webhookTlsCa, issuerAgent: options.webhookIssuerAgent });
  const server = await startServer({
    bot,
    logger,
    port: config.port,
    host: config.host,
    signInPages,
    ready: () => store.state.ping(),
    limits: config.http,
    clock,
    partnerCenterEvents: { verifier, sink: changes, clock },
  });
  started.push(server);
  if (config.publicUrl.endsWith(':0')) publicUrl = server.url;
  const n = config.notifications;
  const leases = new Leases(store, n.instanceId, clock, n.leaseMs);
  const sender = new TeamsSender({
    adapter: bot.adapter,
    botAppId: config.bot.id ?? '',
    clock,
    logger: logger.child({ component: 'notifications' }),
    // Teams' 50 requests/s per app per tenant is this instance's alone: one instance polls a partner's watches.
  });
  const notifyLogger = logger.child({ component: 'notifications' });
  // Watch plus resync: the activity log says which watched customers to read each cycle, and a full listing
  // every NOTIFY_SWEEP_MINUTES catches what the log does not carry (0: every customer every cycle, no log).
  const sources = sourcesWithActivityLog({ client, tokens, clock, logger: notifyLogger, store, sweepMs: n.sweepMs, intervalMs: n.intervalMs, leases });
  const digests = new Digests({ store, client, tokens, sender, leases, clock, logger: notifyLogger, budget, hourUtc: config.deadlines.digestHourUtc });
  notifier = new Notifier({ store, client, tokens, sender, leases, clock, logger: notifyLogger, intervalMs: n.intervalMs, sources, digests, reminders: config.reminders, budget });
  if (options.notifierAutoStart !== false) notifier.start();
  const sweeper = new Sweeper(store, clock, logger.child({ component: 'storage' }), options.sweepIntervalMs);
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
    identity,
    notifier,
    watches,
    sender,
    store,
    client,
    /** Clean shutdown: stop taking work, finish the turns in flight and the cycle in progress, give the leases back. */
    async stop() {
      // The digests' posts in flight end before the leases are given back (a read in flight is taken over).
      await digests.stop();
      await Promise.all([server.close(), notifier.stop(), sweeper.stop()]);
      await bot.background.drain();
    },
  };
}

/** Without a configured identity there is no token to act with: every Partner Center call asks to sign in. */
const noSignIn: TokenProvider = {
  tokenFor: () => async () => {
    throw new SignInRequiredError('not-signed-in');
  },
};

/**
 * What both entry points start from: `.env` in the working directory, when there is one, read into the
 * environment (a variable already set in the real environment keeps its value), then the configuration.
 * Exits 2 with one message listing every unreadable `.env` line, or every setting to fix.
 */
export function loadSettingsOrExit(options: LoadOptions = {}): { config: Config; envFile?: EnvFileRead } {
  try {
    const envFile = loadEnvFile(process.env);
    return { config: loadConfig(process.env, options), envFile };
  } catch (e) {
    if (e instanceof ConfigError || e instanceof EnvFileError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

/** One start-up line saying which settings came from `.env` (names only, never values). */
export function logEnvFile(logger: Logger, envFile: EnvFileRead | undefined): void {
  if (!envFile) return;
  logger.info(
    { file: envFile.path, settings: envFile.applied, ...(envFile.overridden.length ? { keptFromEnvironment: envFile.overridden } : {}) },
    `read ${envFile.applied.length} setting(s) from .env`,
  );
}

async function main(): Promise<void> {
  // Production: Teams traffic authenticated (BOT_ID), Entra ID and Partner Center over https, as configured;
  // the unauthenticated local mode is the development entry's alone (dev/start.ts).
  const { config, envFile } = loadSettingsOrExit({ production: true });
  const logger = createLogger({ level: config.logLevel });
  logEnvFile(logger, envFile);
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
