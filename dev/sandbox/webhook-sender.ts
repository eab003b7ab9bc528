/**
 * Partner Center's side of a webhook callback, for tests and local runs: an https host serving signing
 * certificates (as Partner Center serves `pcnotifications-dispatch.microsoft.com.cer`), and a sender that
 * signs callbacks as "Partner Center webhooks" describes them: RSA-SHA256 over the UTF-8 body, in
 * `Authorization: Signature <base64>` (or `x-ms-signature`), with `X-MS-Certificate-Url` and
 * `X-MS-Signature-Algorithm: rsa-sha256`.
 *
 * Every certificate here is a TEST certificate (webhook-certs/make.sh): the test root is trusted by the bot
 * only when WEBHOOK_EXTRA_ROOTS names it; production trusts Microsoft's roots alone.
 */
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../paths';

const dir = () => join(projectRoot(), 'dev', 'sandbox', 'webhook-certs');
const read = (name: string) => readFileSync(join(dir(), name), 'utf8');

/** Who signs: Microsoft Corporation under the test root; another organization; a root nobody trusts. */
export type TestSigner = 'microsoft' | 'contoso' | 'other-root' | 'aia';

const FILES: Record<TestSigner, { cert: string; key: string; chain: string[] }> = {
  microsoft: { cert: 'signer-microsoft.pem', key: 'signer-microsoft.key', chain: ['test-intermediate.pem'] },
  contoso: { cert: 'signer-contoso.pem', key: 'signer-contoso.key', chain: ['test-intermediate.pem'] },
  'other-root': { cert: 'signer-other-root.pem', key: 'signer-other-root.key', chain: [] },
  // The leaf alone: its issuer is named by its Authority Information Access (http://pki.partnerops.test/...).
  aia: { cert: 'signer-aia.pem', key: 'signer-aia.key', chain: [] },
};

/** The test root, as WEBHOOK_EXTRA_ROOTS takes it; it also issued the certificate host's TLS certificate. */
export function testRootPem(): string {
  return read('test-root.pem');
}

export interface CertificateHost {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The same host by another name (`localhost`), for a URL that is not allow-listed. */
  otherNameUrl: string;
  /** The URL of a signer's certificate file (leaf, then its intermediates: what the bot downloads). */
  certificateUrl(signer: TestSigner): string;
  /** Paths requested so far, in order (issuer downloads as `issuer:<path>`). */
  requests: string[];
  /** The host named in the test certificates' Authority Information Access. */
  issuerHost: string;
  /** Routes plain-http downloads to this host's issuer server, whatever host the URL names (the AIA's is not resolvable). */
  issuerAgent: http.Agent;
  close(): Promise<void>;
}

/** Serves each signer's certificate at /<signer>.cer, and a file over any size cap at /huge.cer. */
export async function startCertificateHost(): Promise<CertificateHost> {
  const requests: string[] = [];
  const files = new Map<string, string>();
  for (const [signer, f] of Object.entries(FILES)) files.set(`/${signer}.cer`, [f.cert, ...f.chain].map(read).join(''));
  files.set('/huge.cer', 'A'.repeat(1024 * 1024));
  const server = https.createServer({ cert: read('tls-localhost.pem') + read('test-intermediate.pem'), key: read('tls-localhost.key') }, (req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/pkix-cert' });
    res.end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // Issuers are published over plain http, DER-encoded, as CAs publish them.
  const issuers = http.createServer((req, res) => {
    requests.push(`issuer:${req.url ?? ''}`);
    const found = req.url === '/test-intermediate.crt';
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/pkix-cert' });
    res.end(found ? readFileSync(join(dir(), 'test-intermediate.crt')) : '');
  });
  await new Promise<void>((resolve) => issuers.listen(0, '127.0.0.1', resolve));
  const issuerPort = (issuers.address() as AddressInfo).port;
  const issuerAgent = new http.Agent();
  (issuerAgent as unknown as { createConnection: () => net.Socket }).createConnection = () => net.connect(issuerPort, '127.0.0.1');
  return {
    url: `https://127.0.0.1:${port}`,
    otherNameUrl: `https://localhost:${port}`,
    certificateUrl: (signer) => `https://127.0.0.1:${port}/${signer}.cer`,
    requests,
    issuerHost: 'pki.partnerops.test',
    issuerAgent,
    close: async () => {
      issuerAgent.destroy();
      for (const s of [server, issuers]) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
    },
  };
}

/** The headers Partner Center sends with `body`, signed by `signer`'s key. */
export function signedHeaders(body: string | Buffer, o: { signer: TestSigner; certificateUrl: string; msSignatureHeader?: boolean }): Record<string, string> {
  const signature = createSign('sha256').update(body).sign(read(FILES[o.signer].key), 'base64');
  return {
    'content-type': 'application/json; charset=utf-8',
    ...(o.msSignatureHeader ? { 'x-ms-signature': signature } : { authorization: `Signature ${signature}` }),
    'x-ms-certificate-url': o.certificateUrl,
    'x-ms-signature-algorithm': 'rsa-sha256',
  };
}

/** A callback as the events page shows one (its field names and casing). */
export function subscriptionUpdated(customerId: string, subscriptionId: string, at = new Date().toISOString()): Record<string, string> {
  return {
    EventName: 'subscription-updated',
    ResourceUri: `http://api.partnercenter.microsoft.com/webhooks/v1/customers/${customerId}/subscriptions/${subscriptionId}`,
    ResourceName: 'subscription',
    AuditUri: 'https://api.partnercenter.microsoft.com/v1/auditrecords/00000000-0000-0000-0000-000000000000',
    ResourceChangeUtcDate: at,
  };
}

/** POSTs a signed callback to `url`; resolves with the status and body the receiver answered. */
export async function sendCallback(url: string, event: unknown, o: { signer: TestSigner; certificateUrl: string; msSignatureHeader?: boolean }): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(event);
  const res = await fetch(url, { method: 'POST', headers: signedHeaders(body, o), body });
  return { status: res.status, body: await res.text() };
}

/**
 * What `npm start` adds when it runs against the sandbox: a certificate host, the sandbox delivering its
 * callbacks (test events, and subscription-updated on a change) to the registered URL signed as
 * "Microsoft Corporation" under the TEST root, and a configuration that trusts that root through
 * WEBHOOK_EXTRA_ROOTS and allows the host (127.0.0.1) in WEBHOOK_CERTIFICATE_HOSTS. Only the development
 * composition uses it, and only with the sandbox: production's start() never sees the test root.
 */
export async function sandboxWebhooks<C extends { webhooks: Readonly<{ certificateHosts: readonly string[]; extraRoots?: string }> }>(
  config: C,
): Promise<{
  config: C;
  webhookTlsCa: string[];
  webhookDelivery: (url: string, event: Record<string, string>) => Promise<{ status: number; body: string }>;
  host: CertificateHost;
}> {
  const host = await startCertificateHost();
  const root = testRootPem();
  const hosts = config.webhooks.certificateHosts.includes('127.0.0.1') ? config.webhooks.certificateHosts : [...config.webhooks.certificateHosts, '127.0.0.1'];
  const extraRoots = [config.webhooks.extraRoots, root].filter(Boolean).join('\n');
  return {
    config: { ...config, webhooks: { certificateHosts: hosts, extraRoots } },
    webhookTlsCa: [root],
    webhookDelivery: (url, event) => sendCallback(url, event, { signer: 'microsoft', certificateUrl: host.certificateUrl('microsoft') }),
    host,
  };
}
