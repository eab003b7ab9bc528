/**
 * `npm start`: the newcomer's run.
 *
 * Starts the bot through production's `start()` (src/main.ts) via the development composition
 * (compose.ts): with no deployment configured, against the embedded Partner Center sandbox and the local
 * token authority. In local mode (no BOT_ID) it also starts the Microsoft 365 Agents Playground, the local
 * Teams client, bound to 127.0.0.1 and pointed at the bot; it opens a browser when one is available and
 * always prints the URL. With BOT_ID set nothing but the bot starts (production runs
 * `node dist/src/main.js`, which never starts the sandbox).
 *
 * Against the sandbox, the sandbox's webhook sender is wired too (sandbox/webhook-sender.ts): `webhooks on`
 * then `webhooks test` report a delivered test event, and a subscription change in the sandbox comes back
 * to /api/partner-center/events as a signed subscription-updated.
 *
 * `.env` in the working directory is read first (real environment variables win). The terminal shows
 * readable log lines (dev/terminal.ts) and, last and on its own, the banner saying where to go.
 */
// First: silences restify's DEP0111 before the imports below load it.
import '../src/logging/warnings';
import { createLogger } from '../src/logging/logger';
import { loadSettingsOrExit, logEnvFile } from '../src/main';
import { startDev, usesSandbox } from './compose';
import { sandboxWebhooks } from './sandbox/webhook-sender';
import { openBrowser } from './browser';
import { startPlayground, type Playground } from './playground';
import { banner, terminalLogDestination } from './terminal';

async function main(): Promise<void> {
  const { config, envFile } = loadSettingsOrExit();
  const logger = createLogger({ level: config.logLevel, destination: terminalLogDestination() });
  logEnvFile(logger, envFile);
  // Against the sandbox, its Partner Center side delivers signed webhooks back to this bot (TEST chain).
  const webhooks = usesSandbox(config) ? await sandboxWebhooks(config) : undefined;
  const running = await startDev(webhooks?.config ?? config, logger, webhooks ? { webhookTlsCa: webhooks.webhookTlsCa, sandbox: { webhookDelivery: webhooks.webhookDelivery } } : {});
  if (webhooks) {
    logger.info(
      { certificateHost: webhooks.host.url },
      'sandbox webhooks: `webhooks on` registers this bot, and the sandbox signs its callbacks with a TEST chain trusted here through WEBHOOK_EXTRA_ROOTS (development only)',
    );
  }

  let playground: Playground | undefined;
  let stopping = false;
  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await playground?.stop();
    await running.stop();
    await webhooks?.host.close();
    process.exit(code);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // Never leave the Playground behind, even on an unexpected exit.
  process.once('exit', () => {
    if (playground && playground.child.exitCode === null) playground.child.kill('SIGKILL');
  });

  if (config.mode !== 'local') return;

  const botEndpoint = `${running.server.url}/api/messages`;
  try {
    playground = await startPlayground({ botEndpoint });
  } catch (e) {
    logger.error(
      { err: e instanceof Error ? e.message : String(e) },
      'the Agents Playground could not start; the bot keeps running. Any Bot Framework client on this machine can talk to it',
    );
    process.stdout.write(`\nPartner Ops is running at ${botEndpoint} (the Agents Playground did not start: see above).\n\n`);
    return;
  }
  playground.child.once('exit', (code, signal) => {
    if (!stopping) logger.warn({ code, signal }, 'the Agents Playground stopped; the bot keeps running (Ctrl+C to stop)');
  });
  logger.info({ url: playground.url, log: playground.logFile }, 'Microsoft 365 Agents Playground started');
  const opened = openBrowser(playground.url);
  // Last, after every start-up line (the logger writes synchronously), and on its own.
  process.stdout.write(banner({ sandbox: usesSandbox(config), playgroundUrl: playground.url, opened, botEndpoint }));
}

main().catch((e) => {
  process.stderr.write(`Partner Ops failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
