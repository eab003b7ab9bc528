import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { MsalServiceClientCredentialsFactory } from 'botframework-connector';
import { createMsalApp } from '../../src/identity/msal';
import { silentLogger } from '../../src/logging/logger';
import { createLocalAuthority, type LocalAuthority } from '../../dev/authority';
import { captureLogs } from '../support/log-capture';
import { startChannelIssuer, type ChannelIssuer } from '../support/channel-issuer';
import { BOT, TENANT, startTestBot, type TestBot } from '../support/teams';

const BOT_ID = '5a5a5a5a-6b6b-4c7c-8d8d-9e9e9e9e9e9e';
const BOT_PASSWORD = 'local-bot-secret-for-tests';

/**
 * With BOT_ID set, only requests bearing a valid Bot Framework token for this bot get in. The issuer, its
 * OpenID metadata and the login endpoint are botbuilder's standard settings, pointed at local servers.
 */
describe('only Teams gets in', () => {
  let issuer: ChannelIssuer;
  let login: LocalAuthority;
  let bot: TestBot;
  const logs = captureLogs('info');

  beforeAll(async () => {
    issuer = await startChannelIssuer();
    login = await createLocalAuthority({ clients: [{ clientId: BOT_ID, clientSecret: BOT_PASSWORD, appIdUri: `api://${BOT_ID}` }] });
    const cca = createMsalApp(
      {
        clientId: BOT_ID,
        clientSecret: BOT_PASSWORD,
        authority: login.authorityUrl('botframework.com'),
        knownAuthority: { host: login.host, metadata: login.openIdConfiguration('botframework.com') },
        caPem: login.caPem,
      },
      undefined,
      silentLogger,
    );
    bot = await startTestBot(
      {
        BOT_ID,
        BOT_PASSWORD,
        // BOT_ID means a real deployment: an app identity is required (nothing here calls Partner Center).
        AAD_APP_CLIENT_ID: '6b6b6b6b-7c7c-4d8d-9e9e-afafafafafaf',
        AAD_APP_CLIENT_SECRET: 'local-app-secret-for-tests',
        AAD_APP_TENANT_ID: TENANT,
        HOST: '127.0.0.1',
        ToBotFromChannelTokenIssuer: issuer.issuer,
        ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
        ToBotFromEmulatorOpenIdMetadataUrl: issuer.metadataUrl,
        ToChannelFromBotLoginUrl: login.authorityUrl('botframework.com'),
        ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      },
      // botbuilder's own msal (v2) cannot trust a local authority: the outbound token comes from ours.
      { bot: { credentialsFactory: new MsalServiceClientCredentialsFactory(BOT_ID, cca as never) } },
      logs.logger,
    );
  });
  afterAll(async () => {
    await bot.close();
    await issuer.close();
    await login.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({ iss: issuer.issuer, aud: BOT_ID, serviceurl: bot.connector.url, nbf: now() - 10, exp: now() + 600, ...over });
  const activity = () => ({
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: bot.connector.url,
    from: { id: '29:alice', name: 'Alice Admin', aadObjectId: 'a1a1a1a1-0000-4000-8000-000000000001' },
    recipient: BOT,
    conversation: { id: 'a:auth-test', conversationType: 'personal', tenantId: TENANT },
    text: 'help',
    locale: 'en-US',
  });
  const post = (authorization?: string) =>
    fetch(bot.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(activity()) });

  it('accepts a valid channel token and answers through the connector with its own token', async () => {
    bot.take();
    const res = await post(`Bearer ${issuer.token(claims())}`);
    expect(res.status).toBe(200);
    const [reply] = bot.take();
    expect(reply).toBeDefined();
    // The reply carried a Bot Framework token for this bot, from the configured login endpoint.
    const outbound = login.tokenRequests.find((r) => r.grantType === 'client_credentials');
    expect(outbound).toMatchObject({ clientId: BOT_ID, status: 200 });
  });

  it.each<[string, () => string | undefined]>([
    ['missing', () => undefined],
    ['not a bearer token', () => 'Basic YWxpY2U6c2VjcmV0'],
    ['expired', () => `Bearer ${issuer.token(claims({ nbf: now() - 3600, exp: now() - 1800 }))}`],
    ['for another bot', () => `Bearer ${issuer.token(claims({ aud: randomUUID() }))}`],
    ['from another issuer', () => `Bearer ${issuer.token(claims({ iss: 'https://evil.example' }))}`],
    ['with a bad signature', () => `Bearer ${issuer.token(claims(), 'unpublished')}`],
    ['signed by a key not endorsed for msteams', () => `Bearer ${issuer.token(claims(), 'webchat-only')}`],
    ['for another service URL', () => `Bearer ${issuer.token(claims({ serviceurl: 'https://smba.trafficmanager.net/evil/' }))}`],
  ])('refuses a token that is %s with 401 and a fixed text, and runs no handler', async (_name, header) => {
    bot.take();
    const res = await post(header());
    expect(res.status).toBe(401);
    // Why is in the log under the request id, not in the answer.
    expect(await res.json()).toEqual({ error: { code: 'Unauthorized', message: 'The request is not authorized.' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(bot.take()).toHaveLength(0);
  });

  /** Headers announcing a 250 KB body, and then not a byte of it: the answer must come anyway. */
  const open: Array<{ destroy(): void }> = [];
  afterEach(() => {
    for (const r of open.splice(0)) r.destroy();
  });
  const headersOnly = (authorization?: string) =>
    new Promise<{ status: number; connection?: string; text: string }>((resolve, reject) => {
      const req = request(bot.url, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(250 * 1024), ...(authorization ? { authorization } : {}) },
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text: Buffer.concat(parts).toString('utf8') });
          req.destroy();
        });
      });
      req.on('error', reject);
      open.push(req);
      req.flushHeaders();
    });

  it.each<[string, string | undefined]>([
    ['no Authorization header', undefined],
    ['a Basic header', 'Basic YWxpY2U6c2VjcmV0'],
    ['a bearer that is not a JWT', 'Bearer not-a-token'],
    ['a bearer with a space in it', 'Bearer a.b.c d'],
    ['a bearer of 10,000 characters', `Bearer ${'a'.repeat(5_000)}.${'b'.repeat(4_990)}.c`],
    ['a token without a scheme', 'eyJzZWNyZXQiOiJ0b2tlbiJ9.c2VjcmV0.c2lnbmF0dXJl'],
  ])('refuses %s with 401 before reading the body, and closes the connection', async (_name, authorization) => {
    bot.take();
    const r = await headersOnly(authorization);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text)).toEqual({ error: { code: 'Unauthorized', message: 'The request is not authorized.' } });
    expect(r.connection).toBe('close');
    expect(bot.running.server.gate.inFlight).toEqual({ requests: 0, bytes: 0 });
    expect(bot.take()).toHaveLength(0);
    // The log says which scheme came, never what followed it.
    const refusal = logs.lines().map((l) => JSON.parse(l) as { refused?: string; scheme?: string }).filter((l) => l.refused === 'authorization').at(-1);
    expect(refusal?.scheme).toMatch(/^(none|Basic|Bearer|other)$/);
    expect(logs.lines().join('\n')).not.toMatch(/eyJzZWNyZXQi|YWxpY2U6c2VjcmV0|not-a-token/);
  });

  it('reads the body of a well-formed bearer token (it is checked against the activity), within the caps', async () => {
    const r = await Promise.race([headersOnly(`Bearer ${issuer.token(claims())}`), new Promise<'waiting'>((res) => setTimeout(() => res('waiting'), 500))]);
    expect(r).toBe('waiting');
    expect(bot.running.server.gate.inFlight.requests).toBeGreaterThanOrEqual(1);
  });
});
