/**
 * Activities that pass for JSON but are the wrong shape where the bot looks, or that point the reply at a
 * connector nobody runs: each gets a fixed 400 at the front door, or the turn's normal answer when only the
 * reply failed, never a 500; the details are in the log under the request id.
 */
import { captureLogs } from '../support/log-capture';
import { botPerFile, rawActivity } from '../support/front-door';
import { ALICE, TENANT, cardOf, textOf } from '../support/teams';

const BAD_ACTIVITY = { error: { code: 'BadRequest', message: 'The request is not a valid Bot Framework activity.' } };

interface Logged {
  requestId?: string;
  msg: string;
  refused?: string;
  problems?: string[];
  stage?: string;
}

describe('malformed activities', () => {
  const logs = captureLogs('info');
  const door = botPerFile(logs.logger);

  const activity = (over: Record<string, unknown> = {}) => rawActivity(door.bot, 'a:malformed', { channelData: { tenant: { id: TENANT } }, ...over });
  const post = async (body: unknown) => {
    const res = await fetch(door.bot.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, requestId: res.headers.get('x-request-id'), body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const logged = (requestId: string | null) => logs.lines().map((l) => JSON.parse(l) as Logged).filter((l) => l.requestId === requestId);

  it.each<[string, () => Record<string, unknown>, string]>([
    ['from.aadObjectId as an object', () => activity({ from: { id: ALICE.id, aadObjectId: { $ne: null } } }), 'from.aadObjectId'],
    ['from.aadObjectId as a number', () => activity({ from: { id: ALICE.id, aadObjectId: 42 } }), 'from.aadObjectId'],
    ['the clientInfo locale as an object', () => activity({ locale: undefined, entities: [{ type: 'clientInfo', locale: { toString: 'x' } }] }), 'entities.0.locale'],
    ['the clientInfo locale as a number', () => activity({ locale: undefined, entities: [{ type: 'clientInfo', locale: 7 }] }), 'entities.0.locale'],
    ['conversation.tenantId as a number', () => activity({ conversation: { id: 'a:malformed', tenantId: 42 } }), 'conversation.tenantId'],
    ['conversation.tenantId as an object', () => activity({ conversation: { id: 'a:malformed', tenantId: { id: TENANT } } }), 'conversation.tenantId'],
    ['conversation.tenantId as a path', () => activity({ conversation: { id: 'a:malformed', tenantId: '../../x?y' } }), 'conversation.tenantId'],
    ['channelData.tenant.id as a number', () => activity({ conversation: { id: 'a:malformed' }, channelData: { tenant: { id: 42 } } }), 'channelData.tenant.id'],
    ['channelData.tenant as a string', () => activity({ conversation: { id: 'a:malformed' }, channelData: { tenant: TENANT } }), 'channelData.tenant'],
  ])('answers %s with a fixed 400, runs nothing, and logs where', async (_name, make, where) => {
    door.bot.take();
    const r = await post(make());
    expect(r.status).toBe(400);
    expect(r.body).toEqual(BAD_ACTIVITY);
    expect(door.bot.take()).toHaveLength(0);
    const line = logged(r.requestId).find((l) => l.refused === 'activity');
    expect(line?.problems?.some((p) => p.startsWith(`${where}:`))).toBe(true);
  });

  it('still takes the activity Teams sends: a string tenant in both places, the clientInfo entity with its locale', async () => {
    door.bot.take();
    const r = await post(activity({ locale: undefined, entities: [{ type: 'clientInfo', locale: 'fr-FR', country: 'FR', platform: 'Web', timezone: 'Europe/Paris' }] }));
    expect(r.status).toBe(200);
    expect(textOf(cardOf(door.bot.take()[0]))).toContain('Partner Ops');
  });

  it('answers 200 when only the reply fails (nobody at the service URL), and logs why under the request id', async () => {
    const r = await post(activity({ serviceUrl: 'http://127.0.0.1:9/unreachable/' }));
    expect(r.status).toBe(200);
    const lines = logged(r.requestId);
    // The error card would have gone the same way, after the same retries: it is not tried.
    expect(lines.find((l) => l.msg === 'the reply could not be sent')).toMatchObject({ stage: 'connector-unreachable' });
    expect(JSON.stringify(lines)).not.toMatch(/"status":500/);
  }, 60_000);

  it('answers 200 when the connector refuses the reply and then the error card too, and logs both', async () => {
    // A status is an answer from the connector: the error card is tried, and refused as well.
    door.bot.connector.failNext(403, 2, {}, 'BotNotInConversationRoster');
    const r = await post(activity());
    door.bot.connector.clearFaults();
    expect(r.status).toBe(200);
    expect(door.bot.connector.attempts.slice(-2).map((a) => a.status)).toEqual([403, 403]);
    expect(logged(r.requestId).find((l) => l.msg === 'the reply could not be sent')).toMatchObject({ stage: 'error-handler-failed' });
  });
});
