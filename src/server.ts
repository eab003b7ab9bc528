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
  close(): Promise<void>;
}

export async function startServer(o: { bot: Bot; logger: Logger; port: number; host: string; signInPages?: SignInPagesOptions }): Promise<HttpServer> {
  const server = restify.createServer({ name: 'partner-ops', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, rejectUnknown: true }));
  server.use(restify.plugins.queryParser({ mapParams: false }));
  if (o.signInPages) registerSignInPages(server, o.signInPages);

  server.post('/api/messages', async (req, res) => {
    try {
      await o.bot.adapter.process(req, res, (context) => o.bot.app.run(context).then(() => undefined));
    } catch (e) {
      o.logger.error({ err: e }, 'failed to process an activity');
      if (!res.headersSent) res.send(500);
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
