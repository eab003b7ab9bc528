import { SEED } from '../../dev/sandbox';
import { isPartnerCenterError, PartnerCenterClient, type PartnerCenterError } from '../../src/partner-center';
import { captureLogs } from '../support/log-capture';
import { FakeClock } from '../support/fake-clock';
import { ALICE_TOKEN, failure, seenBy, partnerCenterPerTest, startPartnerCenter, user } from '../support/partner-center';

const SR = SEED.serviceRequests.open.id;
const SR_PATH = `/v1/servicerequests/${SR}`;

describe('Partner Center client: throttling, retries and timeouts', () => {
  const pc = partnerCenterPerTest();

  it('waits out a 429 for exactly the Retry-After seconds, then succeeds', async () => {
    pc.sandbox.injectFault({ path: SR_PATH, status: 429, headers: { 'Retry-After': '7' }, body: { statusCode: 429, message: 'Rate limit is exceeded. Try again in 7 seconds.' } });
    const sr = await pc.client.getServiceRequest(user(), SR);
    expect(sr.id).toBe(SR);
    expect(pc.clock.waits).toEqual([7000]);
    expect(pc.sandbox.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('reads the wait from the 429 body when there is no header, and from an HTTP date', async () => {
    pc.sandbox.injectFault({ path: SR_PATH, status: 429, body: { statusCode: 429, message: 'Rate limit is exceeded. Try again in 3 seconds.' } });
    pc.sandbox.injectFault({ path: SR_PATH, status: 429, headers: { 'Retry-After': new Date(pc.clock.now() + 3000 + 12_000).toUTCString() } });
    await pc.client.getServiceRequest(user(), SR);
    expect(pc.clock.waits[0]).toBe(3000);
    // The date is second-precision and the clock moved 3 s: 12 s, give or take the sub-second part.
    expect(pc.clock.waits[1]).toBeGreaterThan(11_000);
    expect(pc.clock.waits[1]).toBeLessThanOrEqual(12_000);
  });

  it('honours the sandbox\'s real rate limit per partner tenant', async () => {
    pc.sandbox.setOptions({ rateLimit: { limit: 2, windowMs: 10_000 } });
    for (let i = 0; i < 3; i++) await pc.client.getServiceRequest(user(), SR);
    expect(pc.sandbox.requests.map((r) => r.status)).toEqual([200, 200, 429, 200]);
    expect(pc.clock.waits).toHaveLength(1);
    expect(pc.clock.waits[0]).toBeGreaterThanOrEqual(1000);
    // The REST headers page: reuse MS-RequestId only after a timeout; a new one after any response.
    expect(pc.sandbox.requests[2]!.headers['ms-requestid']).not.toBe(pc.sandbox.requests[3]!.headers['ms-requestid']);
  });

  it('gives up at once, as throttled, when Retry-After is longer than it may wait', async () => {
    pc.sandbox.injectFault({ path: SR_PATH, status: 429, headers: { 'Retry-After': '3600' }, body: { statusCode: 429, message: 'Rate limit is exceeded. Try again in 3600 seconds.' } });
    const e = await failure(pc.client.getServiceRequest(user(), SR));
    expect(e).toMatchObject({ kind: 'throttled', status: 429, retryAfterMs: 3_600_000 });
    expect(pc.clock.waits).toEqual([]);
  });

  it('retries a 503 with a new MS-RequestId after each answer, as the REST headers page says', async () => {
    pc.sandbox.injectFault({ path: SR_PATH, status: 503, times: 2, body: '<html>Service Unavailable</html>' });
    await pc.client.getServiceRequest(user(), SR);
    await pc.client.getServiceRequest(user(), SR);
    const ids = pc.sandbox.requests.map((r) => r.headers['ms-requestid']);
    expect(pc.sandbox.requests.map((r) => r.status)).toEqual([503, 503, 200, 200]);
    expect(new Set(ids).size).toBe(4);
    // Backoff is exponential with jitter: the second wait's step is twice the first's.
    expect(pc.clock.waits).toHaveLength(2);
    expect(pc.clock.waits[0]).toBeGreaterThanOrEqual(250);
    expect(pc.clock.waits[0]).toBeLessThanOrEqual(500);
    expect(pc.clock.waits[1]).toBeGreaterThanOrEqual(500);
    expect(pc.clock.waits[1]).toBeLessThanOrEqual(1000);
  });

  it('retries a connection reset and a 408, never a 400, 404, 409 or 501', async () => {
    pc.sandbox.injectFault({ path: SR_PATH, reset: true });
    pc.sandbox.injectFault({ path: SR_PATH, status: 408 });
    await pc.client.getServiceRequest(user(), SR);
    expect(pc.sandbox.requests.map((r) => r.status)).toEqual([0, 408, 200]);

    for (const status of [400, 404, 409, 501]) {
      pc.sandbox.requests.length = 0;
      pc.sandbox.injectFault({ path: SR_PATH, status, body: { code: String(status), description: 'no', data: [], source: 'PartnerFD' } });
      const e = await failure(pc.client.getServiceRequest(user(), SR));
      expect(e.status).toBe(status);
      expect(pc.sandbox.requests).toHaveLength(1);
    }
  });

  it('stops retrying after the configured number of attempts', async () => {
    pc.sandbox.injectFault({ path: SR_PATH, status: 500, times: 10 });
    const e = await failure(pc.client.getServiceRequest(user(), SR));
    expect(e).toMatchObject({ kind: 'http', status: 500 });
    expect(pc.sandbox.requests).toHaveLength(5); // 1 + maxRetries (4)
    expect(seenBy(e)).toMatch(/Partner Center had a problem answering\. Try again shortly\./);
  });

  it('times out a request that hangs, and retries it under the same request id', async () => {
    await pc.restart({}, { timeoutMs: 150 });
    pc.sandbox.injectFault({ path: SR_PATH, delayMs: 1_000 });
    const sr = await pc.client.getServiceRequest(user(), SR);
    expect(sr.id).toBe(SR);
    const ids = pc.sandbox.requests.map((r) => r.headers['ms-requestid']);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('reports a timeout plainly when every attempt hangs', async () => {
    await pc.restart({}, { timeoutMs: 100, maxRetries: 1 });
    pc.sandbox.injectFault({ path: SR_PATH, delayMs: 1_000, times: 2 });
    const e = await failure(pc.client.getServiceRequest(user(), SR));
    expect(e.kind).toBe('timeout');
    expect(seenBy(e)).toMatch(/did not answer in time/);
  });

  it('stops when the caller aborts, even in the middle of a wait', async () => {
    const controller = new AbortController();
    const slowClock: FakeClock = new FakeClock();
    slowClock.sleep = (_ms, signal) =>
      new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    await pc.restart({}, { clock: slowClock });
    pc.sandbox.injectFault({ path: SR_PATH, status: 503 });
    const pending = failure(pc.client.getServiceRequest(user({ signal: controller.signal }), SR));
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const e = await pending;
    expect(e.kind).toBe('aborted');
    expect(pc.sandbox.requests).toHaveLength(1);
  });

  it('keeps at most N requests in flight per partner tenant, and tenants do not wait for each other', async () => {
    let inFlight = 0;
    let peak = 0;
    const perTenantPeak = new Map<string, number>();
    const inFlightByTenant = new Map<string, number>();
    const counting: typeof fetch = async (input, init) => {
      const tenant = new Headers(init?.headers).get('x-test-tenant') ?? '';
      inFlight++;
      inFlightByTenant.set(tenant, (inFlightByTenant.get(tenant) ?? 0) + 1);
      peak = Math.max(peak, inFlight);
      perTenantPeak.set(tenant, Math.max(perTenantPeak.get(tenant) ?? 0, inFlightByTenant.get(tenant)!));
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
        inFlightByTenant.set(tenant, inFlightByTenant.get(tenant)! - 1);
      }
    };
    // The tenant is visible to the counting fetch through the token, which differs per tenant.
    const as = (tenant: string) => user({ tenantId: tenant, getToken: async () => `token-${tenant}` });
    const tagged: typeof fetch = (input, init) => {
      const h = new Headers(init?.headers);
      h.set('x-test-tenant', h.get('authorization')!.replace('Bearer token-', ''));
      return counting(input, { ...init, headers: h });
    };
    await pc.restart({ latencyMs: 30 }, { fetch: tagged, concurrencyPerTenant: 2 });
    await Promise.all([
      ...Array.from({ length: 6 }, () => pc.client.getServiceRequest(as('litware'), SR)),
      ...Array.from({ length: 6 }, () => pc.client.getServiceRequest(as('tailspin'), SR)),
    ]);
    expect(perTenantPeak.get('litware')).toBe(2);
    expect(perTenantPeak.get('tailspin')).toBe(2);
    expect(peak).toBe(4);
    expect(pc.sandbox.requests).toHaveLength(12);
  });
});

describe('secrets stay secret', () => {
  it('puts no token in any error, log line or error card data, whatever fails', async () => {
    const { logger, lines } = captureLogs('trace');
    const clock = new FakeClock();
    const { sandbox } = await startPartnerCenter({ now: clock.now });
    const client = new PartnerCenterClient({ baseUrl: sandbox.url, applicationName: 'tests', clock, logger, timeoutMs: 100, maxRetries: 1 });
    const errors: PartnerCenterError[] = [];
    const attempt = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        if (isPartnerCenterError(e)) errors.push(e);
        else throw e;
      }
    };
    try {
      // The service echoing the token back in an error description must not leak it either.
      sandbox.injectFault({ path: SR_PATH, status: 401, body: { code: '900421', description: `Token ${ALICE_TOKEN} lacks MFA`, data: [], source: 'PartnerFD' } });
      await attempt(client.getServiceRequest(user(), SR));
      sandbox.injectFault({ path: SR_PATH, status: 500, times: 2 });
      await attempt(client.getServiceRequest(user(), SR));
      sandbox.injectFault({ path: SR_PATH, delayMs: 1000, times: 2 });
      await attempt(client.getServiceRequest(user(), SR));
      sandbox.injectFault({ path: SR_PATH, reset: true, times: 2 });
      await attempt(client.getServiceRequest(user(), SR));
      await attempt(client.getServiceRequest(user(), '404404404404404'));
      await client.getServiceRequest(user(), SR);
    } finally {
      await sandbox.close();
    }
    expect(errors.map((e) => e.kind)).toEqual(['http', 'http', 'timeout', 'network', 'http']);
    expect(seenBy(errors[0])).toMatch(/multi-factor/);
    const secret = ALICE_TOKEN.split('.').pop()!;
    const everything = [...errors.map((e) => JSON.stringify(e) + e.message + e.stack + seenBy(e)), ...lines()].join('\n');
    expect(lines().length).toBeGreaterThan(5);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(ALICE_TOKEN);
    expect(errors[0]!.request?.headers.authorization).toBe('[redacted]');
  });
});
