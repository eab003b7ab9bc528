/**
 * What unauthenticated requests may hold, tried over real HTTP against the real bot: requests and bytes in
 * flight are capped across the process (503 with Retry-After past them), a stalled body is cut (408), the
 * bot keeps answering /healthz and real activities throughout, and /readyz probes storage at most every
 * few seconds whoever asks.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { FileStateStore } from '../../src/storage/file';
import { READY_PROBE_INTERVAL_MS } from '../../src/http/readiness';
import { ManualClock } from '../support/fake-clock';
import { cardOf, startTestBot, textOf, type TestBot } from '../support/teams';
import { until } from '../support/until';

interface Stalled {
  req: ClientRequest;
  /** Resolves with the answer, or with status 0 when the connection closed without one. */
  answer: Promise<{ status: number; headers: IncomingMessage['headers']; text: string }>;
}

/** Headers (a declared length, or chunked) and the first `sent` bytes of a body, then nothing. */
function stall(url: string, o: { declared?: number; sent: number; headers?: Record<string, string> }): Stalled {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
  if (o.declared !== undefined) headers['content-length'] = String(o.declared);
  else headers['transfer-encoding'] = 'chunked';
  const req = request(url, { method: 'POST', headers, agent: false });
  const answer = new Promise<{ status: number; headers: IncomingMessage['headers']; text: string }>((resolve) => {
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '' }));
    });
    req.on('error', () => resolve({ status: 0, headers: {}, text: '' }));
    req.on('close', () => resolve({ status: 0, headers: {}, text: '' }));
  });
  req.flushHeaders();
  if (o.sent > 0) req.write(Buffer.alloc(o.sent, 0x20));
  return { req, answer };
}

const BUSY = { error: { code: 'ServiceUnavailable', message: 'Too many requests in flight; try again shortly.' } };
const TIMEOUT = { error: { code: 'RequestTimeout', message: 'The request body took too long to arrive.' } };

describe('the front-door settings', () => {
  it('default to caps that leave room for hundreds of turns', () => {
    expect(loadConfig({}).http).toEqual({ maxRequestsInFlight: 256, maxBytesInFlight: 16 * 1024 * 1024, bodyTimeoutMs: 5_000 });
  });

  it.each<[string, string, RegExp]>([
    ['HTTP_MAX_REQUESTS_IN_FLIGHT', '0', /HTTP_MAX_REQUESTS_IN_FLIGHT: must be at least 1/],
    ['HTTP_MAX_BYTES_IN_FLIGHT', '100000', /HTTP_MAX_BYTES_IN_FLIGHT: must be at least 262144/],
    ['HTTP_BODY_TIMEOUT_MS', 'soon', /HTTP_BODY_TIMEOUT_MS: must be a whole number/],
    ['HTTP_BODY_TIMEOUT_MS', '600000', /HTTP_BODY_TIMEOUT_MS: must be at most 60000/],
  ])('refuses %s=%s, saying why', (key, value, why) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(why);
  });
});

describe('the caps on requests in flight', () => {
  let bot: TestBot;
  const open: Stalled[] = [];
  beforeAll(async () => {
    bot = await startTestBot({ HTTP_MAX_REQUESTS_IN_FLIGHT: '3', HTTP_MAX_BYTES_IN_FLIGHT: String(600 * 1024), HTTP_BODY_TIMEOUT_MS: '1500' });
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.req.destroy();
  });
  afterAll(async () => {
    await bot.close();
  });
  const base = () => bot.url.replace('/api/messages', '');
  const healthz = async () => (await fetch(`${base()}/healthz`)).status;
  const inFlight = () => bot.running.server.gate.inFlight;

  it('answers 503 with Retry-After past the request cap, keeps /healthz answering, and takes work again once they are gone', async () => {
    for (let i = 0; i < 3; i++) open.push(stall(bot.url, { declared: 1000, sent: 10 }));
    await until(() => inFlight().requests === 3);
    const fourth = stall(bot.url, { declared: 1000, sent: 10 });
    open.push(fourth);
    const r = await fourth.answer;
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('2');
    expect(JSON.parse(r.text)).toEqual(BUSY);
    expect(r.headers.connection).toBe('close');
    expect(await healthz()).toBe(200);
    for (const s of open.splice(0)) s.req.destroy();
    await until(() => inFlight().requests === 0);
    bot.take();
    expect(await bot.say('help')).toBe(200);
    expect(textOf(cardOf(bot.take()[0]))).toContain('Partner Ops');
  });

  it('answers 503 past the byte cap: declared lengths are reserved on arrival, chunked bodies as they arrive', async () => {
    // 2 × 250 KB declared fit in 600 KB; a third does not, before a byte of it is read.
    for (let i = 0; i < 2; i++) open.push(stall(bot.url, { declared: 250 * 1024, sent: 1024 }));
    await until(() => inFlight().requests === 2);
    expect(inFlight().bytes).toBe(500 * 1024);
    const third = stall(bot.url, { declared: 250 * 1024, sent: 0 });
    open.push(third);
    expect((await third.answer).status).toBe(503);
    // A chunked body is let in, and refused once what it sent would pass the cap.
    const chunked = stall(bot.url, { sent: 150 * 1024 });
    open.push(chunked);
    const r = await chunked.answer;
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('2');
    expect(await healthz()).toBe(200);
    for (const s of open.splice(0)) s.req.destroy();
    await until(() => inFlight().requests === 0 && inFlight().bytes === 0);
  });

  it('gives the share of an upload cut off half way back', async () => {
    const s = stall(bot.url, { declared: 250 * 1024, sent: 100 * 1024 });
    await until(() => inFlight().requests === 1);
    s.req.destroy();
    await until(() => inFlight().requests === 0 && inFlight().bytes === 0);
  });
});

describe('the body timeout', () => {
  let bot: TestBot;
  /** The timeout is counted on the bot's clock: moved by the test, the 408 comes without waiting it out. */
  const clock = new ManualClock(Date.now());
  const open: Stalled[] = [];
  beforeAll(async () => {
    // The longest timeout there is: only the clock the test moves can bring the 408 within the test's time.
    bot = await startTestBot({ HTTP_BODY_TIMEOUT_MS: '60000' }, { clock });
  });
  afterAll(async () => {
    for (const s of open.splice(0)) s.req.destroy();
    await bot.close();
  });
  const inFlight = () => bot.running.server.gate.inFlight;

  it('cuts a stalled body with 408 once HTTP_BODY_TIMEOUT_MS has passed, not before, and gives its share back', async () => {
    const s = stall(bot.url, { declared: 250 * 1024, sent: 100 * 1024 });
    open.push(s);
    let answered = false;
    void s.answer.then(() => (answered = true));
    await until(() => inFlight().requests === 1);
    clock.advance(59_999);
    // A round trip through the bot (another request, answered) shows the stalled one is still held.
    expect((await fetch(bot.url.replace('/api/messages', '/healthz'))).status).toBe(200);
    expect(answered).toBe(false);
    clock.advance(1);
    const r = await s.answer;
    expect(r.status).toBe(408);
    expect(JSON.parse(r.text)).toEqual(TIMEOUT);
    await until(() => inFlight().requests === 0 && inFlight().bytes === 0);
  });
});

/** A real file store that counts how often /readyz makes it probe. */
class CountingStore extends FileStateStore {
  pings = 0;
  failing = false;
  override async ping(): Promise<void> {
    this.pings++;
    if (this.failing) throw new Error(`disk full at ${this.constructor.name}`);
    return super.ping();
  }
}

describe('/readyz', () => {
  let bot: TestBot;
  let dir: string;
  let store: CountingStore;
  /** The probe interval runs on this clock: moved by the test, it cannot lapse in the middle of a burst. */
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'readyz-'));
    store = new CountingStore(dir);
    bot = await startTestBot({}, { state: store, clock });
  });
  afterAll(async () => {
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const readyz = async () => {
    const res = await fetch(`${bot.url.replace('/api/messages', '')}/readyz`);
    return { status: res.status, body: await res.text(), requestId: res.headers.get('x-request-id') };
  };

  it('probes storage once for a burst of callers, in parallel or one after another', async () => {
    clock.advance(READY_PROBE_INTERVAL_MS); // whatever was probed before is stale: the burst probes afresh
    const before = store.pings;
    const parallel = await Promise.all(Array.from({ length: 50 }, readyz));
    for (let i = 0; i < 50; i++) expect((await readyz()).status).toBe(200);
    expect(parallel.every((r) => r.status === 200)).toBe(true);
    expect(store.pings - before).toBe(1);
  });

  it('repeats a failed probe until the next one, with the same request id and no reason', async () => {
    store.failing = true;
    // Within the interval the last answer stands; the first call after it probes and finds storage failing.
    clock.advance(READY_PROBE_INTERVAL_MS - 1);
    expect((await readyz()).status).toBe(200);
    clock.advance(1);
    const first = await readyz();
    expect(first.status).toBe(503);
    expect(first.body).not.toMatch(/disk full|CountingStore/);
    const pings = store.pings;
    const again = await Promise.all(Array.from({ length: 20 }, readyz));
    expect(again.every((r) => r.status === 503 && r.requestId === first.requestId)).toBe(true);
    expect(store.pings).toBe(pings);
    store.failing = false;
  }, 20_000);
});
