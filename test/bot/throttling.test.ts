/**
 * Partner Center throttling a command: the person waiting is told, within seconds, and never left in
 * silence for minutes (issue: a Retry-After of 15 s once meant 60 s of silence).
 */
import { SEED } from '../../dev/sandbox';
import { cardOf, startTestBot, textOf, type TestBot } from '../support/teams';

const OPEN = SEED.serviceRequests.open.id;
const SR_PATH = `/v1/servicerequests/${OPEN}`;
const throttled = (seconds: number) => ({
  method: 'GET',
  path: SR_PATH,
  status: 429,
  headers: { 'Retry-After': String(seconds) },
  body: { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` },
});

describe('throttling on commands', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const messages = () => bot.take().filter((c) => c.activity.type !== 'typing');

  it('says Partner Center is throttling and when it tries again, then answers', async () => {
    pc().injectFault(throttled(2));
    await bot.say(`sr ${OPEN}`);
    const [notice, answer] = messages();
    expect(notice!.activity.text).toBe('Partner Center is throttling; trying again in 2 s.');
    expect(textOf(cardOf(answer))).toContain(SEED.serviceRequests.open.title);
    expect(pc().requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('says it in the user\'s language', async () => {
    pc().injectFault(throttled(2));
    await bot.say(`sr ${OPEN}`, { locale: 'fr-FR' });
    expect(messages()[0]!.activity.text).toBe("L'Espace partenaires limite les requêtes\u202f; nouvel essai dans 2 s.");
  });

  it('does not wait out a Retry-After longer than the user would: it answers at once with when to try again', async () => {
    pc().injectFault(throttled(45));
    await bot.say(`sr ${OPEN}`);
    // The answer is the first thing said, and Partner Center was asked once: nothing was waited out.
    expect(textOf(cardOf(messages()[0]))).toMatch(/throttling requests\. Try again in 45 seconds/);
    expect(pc().requests).toHaveLength(1);
  });
});
