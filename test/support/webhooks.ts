/**
 * A test bot that receives Partner Center webhooks signed by the sandbox's TEST chain (dev/sandbox/webhook-sender):
 * the chain trusted only through WEBHOOK_EXTRA_ROOTS, its certificates and issuer fetched from `host` over real
 * https, the notifier cycled by the test. One set-up for test/http/webhooks*.test.ts, so a new trust setting
 * reaches every webhook test at once.
 */
import { SEED } from '../../dev/sandbox';
import { startCertificateHost, testRootPem, type CertificateHost } from '../../dev/sandbox/webhook-sender';
import type { Logger } from '../../src/logging/logger';
import { startTestBot, type TestBot } from './teams';

export function startWebhookBot(host: CertificateHost, logger: Logger, env: Record<string, string> = {}, options: Parameters<typeof startTestBot>[1] = {}): Promise<TestBot> {
  return startTestBot(
    { WEBHOOK_CERTIFICATE_HOSTS: `127.0.0.1,${host.issuerHost}`, WEBHOOK_EXTRA_ROOTS: testRootPem(), ...env },
    { notifierAutoStart: false, webhookTlsCa: [testRootPem()], webhookIssuerAgent: host.issuerAgent, ...options },
    logger,
  );
}

/** Where Partner Center posts its events to this bot. */
export const eventsUrl = (bot: TestBot) => `${bot.running.server.url}/api/partner-center/events`;

/** The customers the webhook tests use: Contoso (the one they watch) and Fabrikam, each with a new-commerce subscription. */
export const CONTOSO = SEED.customers.contoso.id;
export const NCE = SEED.subscriptions.contosoNce.id;
export const FABRIKAM = SEED.customers.fabrikam.id;
export const FABRIKAM_NCE = SEED.subscriptions.fabrikamNce.id;

/** One certificate host for a describe block (started before its tests, closed after): call it in the block. */
export function certificateHostForSuite(): () => CertificateHost {
  let host: CertificateHost | undefined;
  beforeAll(async () => {
    host = await startCertificateHost();
  });
  afterAll(() => host?.close());
  return () => host!;
}
