/**
 * Logs, one line a request: what an operator reads at info is one line per turn, written when it is over,
 * with the command or verb (never its arguments), the outcome, the duration and each Partner Center call
 * with its status and MS-RequestId. Per-call lines are at debug; Partner Center's own words only at debug,
 * masked; no line repeats a key. Through the real bot, the real protocol and the real logger.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { childLogger } from '../../src/logging/logger';
import { PartnerCenterError } from '../../src/partner-center';
import { lineProblem } from '../support/json-keys';
import { captureLogs } from '../support/log-capture';
import { checkTee } from '../support/log-tee';
import { startTestBot, type TestBot } from '../support/teams';
import { until } from '../support/until';

type Line = Record<string, unknown> & { level: number; msg: string };
const OPEN = SEED.serviceRequests.open.id;
const CONTOSO = SEED.customers.contoso.id;

describe('the check every log line of the run goes through', () => {
  it('finds a key repeated at the top or deeper, text that is not JSON, and JSON that is not an object', () => {
    expect(lineProblem('{"a":1,"b":{"c":[{"d":1,"e":2}]},"msg":"x"}')).toBeUndefined();
    expect(lineProblem('{"a":1,"correlationId":"x","b":2,"correlationId":"x"}')).toMatch(/"correlationId" appears twice in the line/);
    expect(lineProblem('{"a":{"k":"1","j":{"k":2},"k":"3"}}')).toMatch(/"k" appears twice in a/);
    expect(lineProblem('{"calls":[{"s":1},{"s":1,"s":2}]}')).toMatch(/"s" appears twice in calls\[1\]/);
    expect(lineProblem('{"a":"a \\"quoted\\" \\\\ value","b":"{\\"a\\":1}","a2":1}')).toBeUndefined();
    expect(lineProblem('plain text')).toMatch(/not JSON/);
    expect(lineProblem('[1,2]')).toMatch(/not a JSON object/);
  });

  it('catches the repeat pino writes for a field named like a binding, in the files of a run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'partner-ops-tee-check-'));
    try {
      // pino itself (not the project's logger, which drops such a field): the repeat the run's check is for.
      const raw = pino({ base: undefined }, pino.destination({ dest: join(dir, '1.log'), sync: true })).child({ correlationId: 'c-1' });
      raw.info({ correlationId: 'c-1', status: 200 }, 'partner center call');
      raw.info({ status: 200 }, 'fine');
      writeFileSync(join(dir, '2.log'), 'not json\n');
      const report = checkTee(dir);
      expect(report).toMatchObject({ files: 2, lines: 3 });
      expect(report.problems).toEqual([expect.stringMatching(/^1\.log:1: the key "correlationId" appears twice/), expect.stringMatching(/^2\.log:1: not JSON/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the logger', () => {
  it('writes a key its bindings carry once: the same value once, a different one under `shadowed`', () => {
    const { logger, lines } = captureLogs('info');
    const turn = childLogger(logger, { conversationId: 'a:1', activityId: 'act-1', correlationId: 'c-1' });
    turn.info({ correlationId: 'c-1', status: 200 }, 'same');
    turn.info({ correlationId: 'c-2', activityId: 'act-1' }, 'different');
    logger.child({ component: 'http' }).warn({ component: 'http', msg: 'a field named msg', level: 'x' }, 'reserved');
    childLogger(turn, { correlationId: 'c-9', work: 'w' }).info('rebound');
    for (const line of lines()) expect(lineProblem(line)).toBeUndefined();
    const [same, different, reserved, rebound] = lines().map((l) => JSON.parse(l) as Line);
    expect(rebound).toMatchObject({ conversationId: 'a:1', activityId: 'act-1', correlationId: 'c-9', work: 'w', msg: 'rebound' });
    expect(same).toMatchObject({ correlationId: 'c-1', status: 200, msg: 'same' });
    expect(different).toMatchObject({ correlationId: 'c-1', shadowed: { correlationId: 'c-2' }, msg: 'different' });
    expect(different.shadowed).not.toHaveProperty('activityId');
    expect(reserved).toMatchObject({ level: 40, component: 'http', msg: 'reserved', shadowed: { msg: 'a field named msg', level: 'x' } });
  });

  it('keeps Partner Center\'s own words out of every line above debug, whoever logs the error, and masks them at debug', () => {
    const { logger, lines } = captureLogs('debug');
    const description = 'Subscription for Northwind Traders was not found';
    const e = new PartnerCenterError({ kind: 'http', status: 404, code: '800002', description, message: `Partner Center answered 404 (800002): ${description}`, requestId: 'r-1' });
    logger.warn({ err: e, setter: 'u-1' }, 'watch polling failed; next cycle will try again');
    logger.error({ err: new Error('wrapped', { cause: e }) }, 'background work failed');
    logger.debug({ err: e }, 'detail');
    const [warn, error, debug] = lines().map((l) => JSON.parse(l) as Line & { err: Record<string, unknown> });
    expect(lines().slice(0, 2).join('\n')).not.toMatch(/Northwind|Traders|not found/);
    expect(warn!.err).toMatchObject({ type: 'PartnerCenterError', message: 'Partner Center answered 404 (800002): …', status: 404, code: '800002', requestId: 'r-1' });
    expect(warn!.err).not.toHaveProperty('description');
    expect(error!.err.message).toBe('wrapped: Partner Center answered 404 (800002): …'); // pino adds the cause's message, cut as well
    expect(debug!.err).toMatchObject({ message: 'Partner Center answered 404 (800002): Subscription for *** *** was not found', description: 'Subscription for *** *** was not found' });
    expect(e.description).toBe(description); // the error itself is left as it was
  });
});

describe('one line a request', () => {
  let bot: TestBot;
  let logs: ReturnType<typeof captureLogs>;
  beforeAll(async () => {
    logs = captureLogs('debug');
    bot = await startTestBot({}, { notifierAutoStart: false, bot: { invokeDeadlineMs: 300 } }, logs.logger);
  });
  afterAll(() => bot.close());
  /** The lines written since `from`, parsed. */
  const since = (from: number) => logs.lines().slice(from).map((l) => JSON.parse(l) as Line);
  const requestIds = (from: number) => bot.running.sandbox!.requests.slice(from).map((r) => r.headers['ms-requestid']);

  it('`sub list contoso` writes one line at info, naming its two customer searches apart', async () => {
    const from = logs.lines().length;
    const sent = bot.running.sandbox!.requests.length;
    expect(await bot.say('sub list contoso')).toBe(200);
    const lines = since(from);
    const info = lines.filter((l) => l.level >= 30);
    expect(info).toHaveLength(1);
    const [turn] = info;
    expect(turn).toMatchObject({ msg: 'turn', type: 'message', command: 'sub.list', outcome: 'ok', ms: expect.any(Number), correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(turn!.calls).toEqual([
      { method: 'GET', path: '/v1/customers?size=25&filter=CompanyName', status: 200, requestId: expect.any(String), ms: expect.any(Number) },
      { method: 'GET', path: '/v1/customers?size=25&filter=Domain', status: 200, requestId: expect.any(String), ms: expect.any(Number) },
    ]); // "contoso" names three customers: the answer is a pick card, after two searches (not one call made twice)
    // The MS-RequestIds Partner Center received, in order; the words typed are nowhere in the line.
    expect((turn!.calls as Array<{ requestId: string }>).map((c) => c.requestId)).toEqual(requestIds(sent));
    expect(JSON.stringify(turn)).not.toMatch(/contoso/i);
    // The per-call lines are at debug, and carry the correlation id once (it is the turn's binding).
    const perCall = lines.filter((l) => l.msg === 'partner center call');
    expect(perCall.map((l) => l.level)).toEqual([20, 20]);
    for (const line of logs.lines().slice(from)) expect(lineProblem(line)).toBeUndefined();
  });

  it('logs Partner Center\'s error text only at debug, masked; the warning keeps its code, status and ids', async () => {
    const from = logs.lines().length;
    const description = 'Customer Fabrikam Holdings (fabrikam.onmicrosoft.com) cannot be managed by partner Litware Inc';
    bot.running.sandbox!.injectFault({ path: `/v1/customers/${CONTOSO}/subscriptions`, status: 400, body: { code: '600031', description, data: [], source: 'PartnerFD' } });
    await bot.say(`sub list ${SEED.customers.contoso.domain}`);
    const lines = since(from);
    const above = lines.filter((l) => l.level >= 30);
    expect(JSON.stringify(above)).not.toMatch(/Fabrikam|fabrikam|Litware|Holdings|cannot be managed/);
    const warn = above.find((l) => l.msg === 'user work failed')!;
    expect(warn).toMatchObject({ level: 40, work: 'sub.list', failure: { name: 'PartnerCenterError', kind: 'http', status: 400, code: '600031', requestId: expect.any(String) } });
    const turn = above.find((l) => l.msg === 'turn')!;
    expect(turn).toMatchObject({ command: 'sub.list', outcome: 'failed', failure: { status: 400, code: '600031' } });
    expect((turn.calls as Array<{ status: number }>).at(-1)!.status).toBe(400);
    expect(above.map((l) => l.msg).sort()).toEqual(['turn', 'user work failed']);
    const text = lines.find((l) => l.msg === 'user work failed: its text, masked')!;
    expect(text.level).toBe(20);
    expect(text.text).toBe('Customer *** *** (***) cannot be managed by partner *** ***');
  });

  it('a card action answered "working" at the deadline writes its line when its work is done, with its calls', async () => {
    const from = logs.lines().length;
    bot.running.sandbox!.setOptions({ latencyMs: 700 });
    try {
      const r = await bot.execute(VERB.srShow, { id: OPEN }, { replyToId: 'msg-slow' });
      expect(JSON.stringify(r.body.value)).toMatch(/Working on it/);
      await until(() => since(from).some((l) => l.msg === 'turn'));
    } finally {
      bot.running.sandbox!.setOptions({ latencyMs: 0 });
    }
    const info = since(from).filter((l) => l.level >= 30);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ msg: 'turn', type: 'invoke', invoke: 'adaptiveCard/action', verb: VERB.srShow, outcome: 'ok', late: true });
    expect(info[0]!.calls).toEqual([expect.objectContaining({ method: 'GET', path: `/v1/servicerequests/${OPEN}`, status: 200 })]);
  });

  it('names a card verb the bot does not have as unknown, never as sent', async () => {
    const from = logs.lines().length;
    await bot.execute('Contoso Ltd secret plans', { id: OPEN });
    const [turn] = since(from).filter((l) => l.msg === 'turn');
    expect(turn).toMatchObject({ verb: 'unknown', outcome: 'ok', calls: [] });
    expect(logs.lines().slice(from).join('\n')).not.toContain('secret plans');
  });

  it('an idle notification cycle is logged at debug; one that found a change at info', async () => {
    let from = logs.lines().length;
    await bot.running.notifier.cycle();
    expect(since(from).filter((l) => l.msg === 'notification cycle').map((l) => l.level)).toEqual([20]);

    await bot.say(`watch sr ${OPEN}`);
    await bot.running.notifier.cycle(); // the first cycle remembers what it saw
    bot.running.sandbox!.data.serviceRequests.find((s) => s.resource.id === OPEN)!.resource.status = 'closed';
    from = logs.lines().length;
    await bot.running.notifier.cycle();
    expect(since(from).filter((l) => l.msg === 'notification cycle')).toEqual([expect.objectContaining({ level: 30, changes: 1 })]);
  });
});
