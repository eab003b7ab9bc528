/**
 * Entry point: read the configuration, start the embedded Partner Center sandbox when no real one is
 * configured, start the bot, and stop cleanly on SIGTERM/SIGINT.
 */
import { MemoryStorage } from 'botbuilder';
import { ConfigError, loadConfig, type Config } from './config';
import { createBot, type BotOptions } from './bot/app';
import { createTokenProvider } from './identity';
import { createLogger, type Logger } from './logging/logger';
import { PartnerCenterClient } from './partner-center';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox';
import { startServer, type HttpServer } from './server';

export interface Running {
  config: Config;
  server: HttpServer;
  sandbox?: Sandbox;
  stop(): Promise<void>;
}

export interface StartOptions {
  sandbox?: SandboxOptions;
  /** Tuning the bot's waits (tests shorten them). */
  bot?: Pick<BotOptions, 'invokeDeadlineMs' | 'inlineWaitMs' | 'followUpWaitMs' | 'followUpIntervalMs'>;
}

export async function start(config: Config, logger: Logger, options: StartOptions = {}): Promise<Running> {
  let baseUrl = config.partnerCenter.baseUrl;
  let sandbox: Sandbox | undefined;
  if (config.partnerCenter.sandbox) {
    sandbox = await createSandbox(options.sandbox);
    baseUrl = sandbox.url;
    logger.info({ url: sandbox.url }, 'embedded Partner Center sandbox started: no real Partner Center is called');
  }
  const p = config.partnerCenter;
  const client = new PartnerCenterClient({
    baseUrl,
    applicationName: p.applicationName,
    timeoutMs: p.timeoutMs,
    maxRetries: p.maxRetries,
    concurrencyPerTenant: p.concurrencyPerTenant,
    pollWaitMs: p.pollWaitMs,
    supportTopicsFallback: p.supportTopicsFallback.map((t) => ({ ...t })),
    logger: logger.child({ component: 'partner-center' }),
  });
  const bot = createBot({ config, client, tokens: createTokenProvider(config), storage: new MemoryStorage(), logger, ...options.bot });
  const server = await startServer({ bot, logger, port: config.port, host: config.host });
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
    async stop() {
      await server.close();
      await bot.background.drain();
      await sandbox?.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
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
