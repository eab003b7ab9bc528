/**
 * Benchmark: sign-in cost.
 *
 *   npm run bench:signin      (-- --users 5 --burst 100 --rounds 10 --per-round 100)
 *
 * 1. Token exchanges per user over a burst of commands: each user, not yet signed in, sends a burst of
 *    commands at once; the embedded authority counts on-behalf-of exchanges per user (aim: 1).
 * 2. What a cached token lookup adds to a command: the same command through two bots in this process, one
 *    with the delegated identity (signed in, token cached) and one with a fixed token; alternating rounds,
 *    median of per-round ratios. Not a test: nothing asserts a time.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging/logger';
import { startDev as start, type DevRunning as Running } from '../dev/compose';
import { SEED } from '../dev/sandbox';
import { arg, median } from './args';

const TENANT = 'f0f0f0f0-1111-4222-8333-444444444444';

/** A connector on loopback that answers every send at once. */
async function connector(): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"x"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

function command(serviceUrl: string, user: { id: string; name: string }, text: string) {
  return JSON.stringify({
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    from: { id: `29:${user.id}`, name: user.name, aadObjectId: user.id },
    recipient: { id: '28:partner-ops', name: 'Partner Ops' },
    conversation: { id: `a:${user.id}`, conversationType: 'personal', tenantId: TENANT },
    text,
  });
}

async function main(): Promise<void> {
  const users = arg('users', 5);
  const burst = arg('burst', 100);
  const rounds = arg('rounds', 10);
  const perRound = arg('per-round', 100);
  const logger = createLogger({ level: 'silent' });
  const conn = await connector();
  const text = `sr ${SEED.serviceRequests.open.id}`;
  const send = (bot: Running, user: { id: string; name: string }) =>
    fetch(`${bot.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: command(conn.url, user, text) }).then((r) => r.text());

  // 1. Exchanges per user over a burst.
  const delegated = await start(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }), logger);
  const people = Array.from({ length: users }, (_, i) => ({ id: randomUUID(), name: `Bench User ${i + 1}` }));
  await Promise.all(people.flatMap((u) => Array.from({ length: burst }, () => send(delegated, u))));
  const obo = delegated.authority!.tokenRequests.filter((r) => r.grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer');
  const perUser = people.map((u) => obo.filter((r) => r.oid === u.id).length);
  const served = delegated.sandbox!.requests.filter((r) => r.status === 200).length;

  // 2. Cached lookup vs a fixed token, same command, same process.
  let fixedToken = '';
  const fixed = await start(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }), logger, { tokens: { tokenFor: () => async () => fixedToken } });
  const me = people[0]!;
  fixed.authority!.user({ oid: me.id, tid: TENANT, name: me.name });
  fixedToken = (await fixedTokenFor(fixed, me.id)) ?? '';
  const time = async (bot: Running) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) await send(bot, me);
    return Number(process.hrtime.bigint() - t0) / 1e6 / perRound;
  };
  for (let i = 0; i < 100; i++) {
    await send(delegated, me);
    await send(fixed, me);
  }
  const ratios: number[] = [];
  const cachedMs: number[] = [];
  const fixedMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let c: number;
    let f: number;
    if (r % 2 === 0) {
      c = await time(delegated);
      f = await time(fixed);
    } else {
      f = await time(fixed);
      c = await time(delegated);
    }
    cachedMs.push(c);
    fixedMs.push(f);
    ratios.push(c / f);
  }
  await delegated.stop();
  await fixed.stop();
  await conn.close();

  console.log(`Sign-in: ${users} users, a burst of ${burst} commands each, none signed in beforehand`);
  console.log(`  on-behalf-of exchanges per user: ${perUser.join(', ')} (aim: 1)`);
  console.log(`  commands that reached Partner Center: ${served} of ${users * burst}`);
  console.log(`Cached token lookup, \`${text}\`, ${rounds} rounds x ${perRound} sequential commands, same process:`);
  console.log(`  fixed token     median ${median(fixedMs).toFixed(3)} ms/command`);
  console.log(`  cached lookup   median ${median(cachedMs).toFixed(3)} ms/command`);
  console.log(`  added per command: ${(median(cachedMs) - median(fixedMs)).toFixed(3)} ms; ratio cached/fixed: median ${median(ratios).toFixed(3)}x (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`);
}

/** A valid Partner Center token for the fixed-token bot: one real exchange, done once, outside the timing. */
async function fixedTokenFor(bot: Running, oid: string): Promise<string | undefined> {
  const a = bot.authority!;
  const sso = a.mintSsoToken(oid, bot.config.aad.appIdUri);
  const app = { id: oid, name: 'fixed', tenantId: TENANT };
  await bot.identity!.exchange(app, sso);
  return bot.identity!.tokenFor(app)();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
