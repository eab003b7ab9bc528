/**
 * The bot's HTTP surface (restify): POST /api/messages for the Bot Framework protocol, GET /healthz.
 */
import restify from 'restify';
import type { Bot } from './bot/app';
import { registerSignInPages, type SignInPagesOptions } from './bot/signin-pages';
import type { Logger } from './logging/logger';

/** Teams messages are at most ~100 KB; anything much larger is not a Teams activity. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpServer {
  server: restify.Server;
  url: string;
  /** Turns being processed right now. */
  readonly inFlight: number;
  /** Stops taking work (new activities get 503, /readyz turns 503), waits for turns in flight, then closes. */
  close(maxWaitMs?: number): Promise<void>;
}

export async function startServer(o: {
  bot: Bot;
  logger: Logger;
  port: number;
  host: string;
  signInPages?: SignInPagesOptions;
  /** Resolves when the bot can serve (storage reachable); throws why not. */
  ready?: () => Promise<void>;
}): Promise<HttpServer> {
  let inFlight = 0;
  let closing = false;
  const server = restify.createServer({ name: 'partner-ops', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, rejectUnknown: true }));
  server.use(restify.plugins.queryParser({ mapParams: false }));
  if (o.signInPages) registerSignInPages(server, o.signInPages);

  server.post('/api/messages', async (req, res) => {
    if (closing) {
      // Shutting down: Bot Framework retries elsewhere (another instance) or later.
      res.header('Retry-After', '5');
      res.send(503, { error: 'shutting down' });
      return;
    }
    inFlight++;
    try {
      await o.bot.adapter.process(req, res, (context) => o.bot.app.run(context).then(() => undefined));
    } catch (e) {
      o.logger.error({ err: e }, 'failed to process an activity');
      if (!res.headersSent) res.send(500);
    } finally {
      inFlight--;
    }
  });

  server.get('/readyz', async (_req, res) => {
    if (closing) {
      res.send(503, { status: 'shutting down' });
      return;
    }
    try {
      await o.ready?.();
      res.send(200, { status: 'ready' });
    } catch (e) {
      o.logger.warn({ err: e }, 'not ready');
      res.send(503, { status: 'not ready', reason: e instanceof Error ? e.message : 'unknown' });
    }
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${address.port}`;
  return {
    server,
    url,
    get inFlight() {
      return inFlight;
    },
    async close(maxWaitMs = 25_000) {
      closing = true;
      const deadline = Date.now() + maxWaitMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      if (inFlight > 0) o.logger.warn({ inFlight }, 'shutting down with turns still in flight');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.server.closeIdleConnections();
      });
    },
  };
}
