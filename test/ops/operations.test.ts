import { SEED } from '../../dev/sandbox';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { READY_PROBE_INTERVAL_MS } from '../../src/http/readiness';
import { KeyValueStore } from '../../src/storage';
import { FileStateStore } from '../../src/storage/file';
import { ManualClock } from '../support/fake-clock';
import { until } from '../support/until';
import { captureLogs } from '../support/log-capture';
import { CHANNEL, cardOf, startTestBot, textOf } from '../support/teams';

const OPEN = SEED.serviceRequests.open.id;

describe('operations', () => {
  it('logs structured JSON with the Partner Center and Teams ids on each line, and never a secret', async () => {
    const { logger, lines } = captureLogs('debug');
    const bot = await startTestBot({}, {}, logger);
    try {
      await bot.say(`sr note ${OPEN} logged note`, { conversation: CHANNEL });
      const records = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
      const call = records.find((r) => r.msg === 'partner center call' && r.method === 'PATCH')!;
      expect(call).toMatchObject({
        conversationId: CHANNEL.id,
        activityId: expect.any(String),
        correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 200,
        path: `/v1/servicerequests/${OPEN}`,
      });
      // The turn's one line at info: the command (not its text), the outcome, each call with its request id, the audit facts.
      const turn = records.find((r) => r.msg === 'turn' && r.command === 'sr.note')!;
      expect(turn).toMatchObject({ conversationId: CHANNEL.id, correlationId: call.correlationId, type: 'message', outcome: 'ok', ms: expect.any(Number), audit: { action: 'sr.note', requestId: call.requestId } });
      expect(turn.calls).toContainEqual(expect.objectContaining({ method: 'PATCH', path: `/v1/servicerequests/${OPEN}`, status: 200, requestId: call.requestId }));
      expect(call.level).toBe(20); // the per-call line is at debug

      const token = bot.running.sandbox!.requests.at(-1)!.token!;
      const text = lines().join('\n');
      for (const secret of [token, token.split('.')[1]!, token.split('.')[2]!, 'logged note']) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/Bearer\s+[A-Za-z0-9]/);
      expect(text).not.toMatch(/client_secret=|"clientSecret":"[^[]/);
    } finally {
      await bot.close();
    }
  });

  it('answers /healthz while alive and /readyz only while storage is reachable, saying why only in the log', async () => {
    // The store production builds, in a directory the test can take away; a clock the test holds.
    const dir = mkdtempSync(path.join(tmpdir(), 'ops-ready-'));
    const clock = new ManualClock(Date.now());
    const { logger, lines } = captureLogs('info');
    const bot = await startTestBot({}, { state: new FileStateStore(dir), clock }, logger);
    try {
      const base = bot.url.replace('/api/messages', '');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      // Storage goes away: the directory becomes a file, so no probe can be written in it (even as root).
      rmSync(dir, { recursive: true, force: true });
      writeFileSync(dir, 'not a directory');
      // /readyz probes storage at most once per interval, whoever asks: within it, the last answer stands ...
      clock.advance(READY_PROBE_INTERVAL_MS - 1);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      // ... and the first probe after it finds storage unreachable.
      clock.advance(1);
      const r = await fetch(`${base}/readyz`);
      expect(r.status).toBe(503);
      const text = await r.text();
      expect(JSON.parse(text)).toEqual({ status: 'not ready' });
      expect(text).not.toMatch(/ENOTDIR|ops-ready-/);
      const requestId = r.headers.get('x-request-id');
      const logged = lines().map((l) => JSON.parse(l) as { msg: string; requestId?: string; err?: { message?: string } }).find((l) => l.msg === 'not ready');
      expect(logged).toMatchObject({ requestId, err: { message: expect.stringContaining('ENOTDIR') } });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      // Storage comes back, so the bot can give its leases back on the way out.
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      await bot.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shuts down cleanly: stops taking work, finishes the turn in flight, gives the leases back', async () => {
    // The leases are read where they are kept: the bot's own file store, read here through another handle.
    const dir = mkdtempSync(path.join(tmpdir(), 'ops-stop-'));
    const clock = new ManualClock(Date.now());
    const bot = await startTestBot({}, { state: new FileStateStore(dir), clock, notifierAutoStart: false });
    const store = new KeyValueStore(new FileStateStore(dir), clock);
    const lease = async () => (await store.get<{ owner: string; until: number }>('leases/shards/0'))!.value;
    await bot.say('help'); // signs nobody in; warms up
    await bot.running.notifier.cycle(); // this instance now holds leases
    expect((await lease()).until).toBeGreaterThan(clock.now());

    bot.running.sandbox!.setOptions({ latencyMs: 600 });
    const slow = bot.say(`sr ${OPEN}`);
    await until(() => bot.running.sandbox!.requests.some((r) => r.path === `/v1/servicerequests/${OPEN}`));
    const stopping = bot.running.stop();
    const refused = await fetch(bot.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status, () => 0);
    expect([503, 0]).toContain(refused); // 503 while draining, or the listener is already closed
    expect(await slow).toBe(200);
    await stopping;
    expect(textOf(cardOf(bot.take().at(-1)))).toContain(SEED.serviceRequests.open.title);
    expect((await lease()).until).toBeLessThanOrEqual(clock.now());
    await bot.connector.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an audit record of every write, shown by `audit` in the chat where it was made', async () => {
    const bot = await startTestBot();
    try {
      await bot.say(`sr note ${OPEN} audited note`, { conversation: CHANNEL });
      await bot.say(`sub set contoso.onmicrosoft.com ${SEED.subscriptions.contosoLegacy.id} name="Audited E1"`, { conversation: CHANNEL });
      await bot.say('profile set phone="+1 425 555 0142"', { conversation: CHANNEL });
      bot.take();
      await bot.say('audit', { conversation: CHANNEL });
      const text = textOf(cardOf(bot.take()[0]));
      const patch = bot.running.sandbox!.requests.find((r) => r.method === 'PATCH' && r.path.includes('/subscriptions/'))!;
      expect(text).toMatch(/Alice Admin changed the support profile\.[\s\S]*Support phone: \+1 \(425\) 555-0100 → \+1 425 555 0142/);
      expect(text).toMatch(/Alice Admin changed the subscription Office 365 E1 of Contoso Ltd\.[\s\S]*Nickname: Office 365 E1 → Audited E1/);
      expect(text).toContain(`Request id ${patch.headers['ms-requestid']}`);
      expect(text).toMatch(/Alice Admin added a note to service request 616122292874576 “Cannot assign licenses to new users”\.[\s\S]*Note: audited note/);
      await bot.say('audit');
      expect(textOf(cardOf(bot.take()[0]))).toMatch(/No change to Partner Center has been made from this chat/);
    } finally {
      await bot.close();
    }
  });
});
