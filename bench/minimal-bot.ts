/**
 * The minimal teams-ai bot that bench/startup.ts measures the product's start-up and idle memory against:
 * teams-ai as its documentation imports it, the product's Application options, a TeamsAdapter with the same
 * (fake) bot identity settings, restify with POST /api/messages and GET /healthz. It answers `pong`.
 * Reads PORT (default 3978) and BOT_ID / BOT_PASSWORD like the product.
 */
import restify from 'restify';
import { Application, TeamsAdapter } from '@microsoft/teams-ai';

const adapter = new TeamsAdapter({
  MicrosoftAppId: process.env.BOT_ID ?? '',
  MicrosoftAppPassword: process.env.BOT_PASSWORD ?? '',
  MicrosoftAppType: 'MultiTenant',
  MicrosoftAppTenantId: '',
});
const app = new Application({ adapter, botAppId: process.env.BOT_ID ?? '', removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });
app.message(/.*/, async (ctx) => {
  await ctx.sendActivity('pong');
});
const server = restify.createServer({ name: '', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
});
server.get('/healthz', (_req, res, next) => {
  res.send(200, { status: 'ok' });
  next();
});
server.listen(Number(process.env.PORT ?? 3978), process.env.HOST ?? '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
