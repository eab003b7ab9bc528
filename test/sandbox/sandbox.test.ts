/** The wire: auth, headers, error shapes, recording, faults, latency, throttling, knobs. */
import { createSandbox, SEED } from '../../dev/sandbox';
import type { Sandbox } from '../../dev/sandbox';
import { call, fakeClock, get, jwt } from './helpers';
import { until } from '../support/until';

let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox();
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.reset();
  sb.setOptions({ latencyMs: 0, rateLimit: null, decommissioned: {} });
});

describe('authorization', () => {
  it('answers 401 with the error body without a bearer token', async () => {
    for (const token of [null, '']) {
      const res = await get(sb, '/v1/customers', { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: 'Unauthorized', description: expect.any(String), data: [], source: 'PartnerFD' });
    }
    const basic = await get(sb, '/v1/customers', { token: null, headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
  });

  it('accepts any bearer token and records it', async () => {
    const token = jwt({ tid: 'tenant-1', name: 'Ada Lovelace' });
    const res = await get(sb, '/v1/profiles/support?x=1', { token, headers: { 'X-Locale': 'fr-FR' } });
    expect(res.status).toBe(200);
    expect(sb.requests).toHaveLength(1);
    expect(sb.requests[0]).toMatchObject({
      method: 'GET',
      path: '/v1/profiles/support',
      query: { x: '1' },
      token,
      body: null,
      status: 200,
      headers: expect.objectContaining({ 'x-locale': 'fr-FR' }),
    });
  });
});

describe('wire conventions', () => {
  it('echoes MS-RequestId and MS-CorrelationId and adds MS-CV and MS-ServerId', async () => {
    const ids = { 'MS-RequestId': '55f86bfb-d3bb-4fe4-9f01-2fdaef11a81f', 'MS-CorrelationId': 'ae43859b-591d-47ea-9fd1-028b4c799118' };
    const res = await get(sb, '/v1/profiles/support', { headers: ids });
    expect(res.headers.get('ms-requestid')).toBe(ids['MS-RequestId']);
    expect(res.headers.get('ms-correlationid')).toBe(ids['MS-CorrelationId']);
    expect(res.headers.get('ms-cv')).toMatch(/^[A-Za-z0-9+/]{16}\.0$/);
    expect(res.headers.get('ms-serverid')).toMatch(/^\d+$/);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('makes up the ids when the request has none, on errors too', async () => {
    const res = await get(sb, '/v1/nowhere');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'RouteNotFound', source: 'PartnerFD', data: [] });
    expect(res.headers.get('ms-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('ms-correlationid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 405 for a known path with another method', async () => {
    const res = await call(sb, 'DELETE', `/v1/customers/${SEED.customers.contoso.id}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.body.code).toBe('MethodNotAllowed');
  });

  it('answers 400 for malformed JSON and 413 past 1 MiB', async () => {
    const path = `/v1/servicerequests/${SEED.serviceRequests.open.id}`;
    const bad = await call(sb, 'PATCH', path, { body: '{"NewNote": ' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('MalformedJson');

    const big = await call(sb, 'PATCH', path, { body: { NewNote: { Text: 'x'.repeat(1024 * 1024 + 1) } } });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('RequestEntityTooLarge');
  });

  it('reads PascalCase, camelCase or any casing and answers camelCase', async () => {
    const path = `/v1/servicerequests/${SEED.serviceRequests.open.id}`;
    for (const body of [{ NewNote: { Text: 'a' } }, { newNote: { text: 'b' } }, { NEWNOTE: { TEXT: 'c' } }]) {
      expect((await call(sb, 'PATCH', path, { body })).status).toBe(200);
    }
    const res = await get(sb, path);
    expect(res.body.notes.slice(-3).map((n: { text: string }) => n.text)).toEqual(['a', 'b', 'c']);
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining(['supportTopicId', 'lastModifiedDate', 'primaryContact']));
    expect(Object.keys(res.body).some((k) => /^[A-Z]/.test(k))).toBe(false);
  });
});

describe('injected faults and latency', () => {
  it('answers with the fault the given number of times, then normally; faulted requests are recorded', async () => {
    sb.injectFault({ method: 'GET', path: '/v1/profiles/support', status: 503, times: 2, headers: { 'Retry-After': '2' } });
    const first = await get(sb, '/v1/profiles/support');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(first.body).toMatchObject({ code: 'InjectedFault', source: 'PartnerFD' });
    expect((await get(sb, '/v1/profiles/support')).status).toBe(503);
    expect((await get(sb, '/v1/profiles/support')).status).toBe(200);
    expect(sb.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('matches on method and a RegExp path, and can send a raw text body', async () => {
    sb.injectFault({ method: 'PATCH', path: /\/subscriptions\//, status: 502, body: '<html>Bad Gateway</html>' });
    const other = await get(sb, `/v1/customers/${SEED.customers.contoso.id}/subscriptions/${SEED.subscriptions.contosoNce.id}`);
    expect(other.status).toBe(200);
    const res = await call(sb, 'PATCH', `/v1/customers/${SEED.customers.contoso.id}/subscriptions/${SEED.subscriptions.contosoNce.id}`, { body: {} });
    expect(res.status).toBe(502);
    expect(res.body).toBe('<html>Bad Gateway</html>');
  });

  it('resets the connection without answering', async () => {
    sb.injectFault({ path: '/v1/customers', reset: true });
    await expect(fetch(`${sb.url}/v1/customers`, { headers: { Authorization: 'Bearer t' } })).rejects.toThrow();
    expect(sb.requests[0]).toMatchObject({ path: '/v1/customers', status: 0 });
    expect((await get(sb, '/v1/customers')).status).toBe(200);
  });

  it('holds a request for delayMs, then answers normally', async () => {
    sb.injectFault({ path: '/v1/profiles/support', delayMs: 500 });
    let answered = false;
    const held = get(sb, '/v1/profiles/support').finally(() => (answered = true));
    // A request made after it is answered while it is still held.
    expect((await get(sb, '/v1/customers')).status).toBe(200);
    expect(answered).toBe(false);
    expect(sb.requests.map((r) => [r.path, r.status])).toEqual([
      ['/v1/profiles/support', 0],
      ['/v1/customers', 200],
    ]);
    expect((await held).status).toBe(200);
    expect(sb.requests[0]!.status).toBe(200);
  });

  it('a delayed fault lets a client time out', async () => {
    sb.injectFault({ path: '/v1/profiles/support', delayMs: 2000, status: 500 });
    const attempt = fetch(`${sb.url}/v1/profiles/support`, { headers: { Authorization: 'Bearer t' }, signal: AbortSignal.timeout(200) });
    await expect(attempt).rejects.toThrow();
  });

  it('adds latencyMs to every response', async () => {
    sb.setOptions({ latencyMs: 1_000 });
    let answered = false;
    const pending = get(sb, '/v1/nowhere').finally(() => (answered = true));
    // Received (recorded) but not answered: the answer waits out the latency, even a 404.
    await until(() => sb.requests.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    expect(sb.requests[0]!.status).toBe(0);
    expect((await pending).status).toBe(404);
  });

  it('clearFaults removes armed faults', async () => {
    sb.injectFault({ status: 500, times: 5 });
    sb.clearFaults();
    expect((await get(sb, '/v1/profiles/support')).status).toBe(200);
  });
});

describe('rate limiting', () => {
  it('answers 429 past the limit per partner tenant, with Retry-After and the gateway body shape', async () => {
    const clock = fakeClock();
    sb.setOptions({ now: clock.now, rateLimit: { limit: 2, windowMs: 60_000 } });
    const tenantA = jwt({ tid: 'tenant-a' });
    const otherTokenSameTenant = jwt({ tid: 'tenant-a', name: 'Someone Else' });
    expect((await get(sb, '/v1/profiles/support', { token: tenantA })).status).toBe(200);
    clock.advance(10_000);
    expect((await get(sb, '/v1/profiles/support', { token: otherTokenSameTenant })).status).toBe(200);

    const limited = await get(sb, '/v1/profiles/support', { token: tenantA });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 50 seconds.' });
    expect(limited.headers.get('retry-after')).toBe('50');

    // Another tenant (here a non-JWT token: the whole token is the key) has its own budget.
    expect((await get(sb, '/v1/profiles/support', { token: 'opaque-token' })).status).toBe(200);

    clock.advance(50_000);
    expect((await get(sb, '/v1/profiles/support', { token: tenantA })).status).toBe(200);
  });
});

describe('reset and options', () => {
  it('reset re-seeds data in place and clears the request log', async () => {
    const data = sb.data;
    await call(sb, 'PATCH', `/v1/servicerequests/${SEED.serviceRequests.open.id}`, { body: { NewNote: { Text: 'temp' } } });
    sb.reset();
    expect(sb.requests).toHaveLength(0);
    expect(sb.data).toBe(data);
    const sr = data.serviceRequests.find((s) => s.resource.id === SEED.serviceRequests.open.id);
    expect(sr?.resource.notes.map((n) => n.text)).not.toContain('temp');
  });

  it('tests can change the live data directly', async () => {
    sb.data.supportProfile.email = 'changed@litwarecsp.com';
    expect((await get(sb, '/v1/profiles/support')).body.email).toBe('changed@litwarecsp.com');
  });

  it('rejects invalid options with a message', () => {
    expect(() => sb.setOptions({ latencyMs: -1 })).toThrow(/latencyMs/);
  });

  it('binds 127.0.0.1 on an ephemeral port', () => {
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
