/**
 * Partner Center throttling a command: the person waiting is told, within seconds, and never left in
 * silence for minutes (issue: a Retry-After of 15 s once meant 60 s of silence).
 */
import { SEED } from '../../dev/sandbox';
import { ManualClock } from '../support/fake-clock';
import { cardOf, startTestBot, textOf, type TestBot } from '../support/teams';
import { until } from '../support/until';

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
  /** The bot waits out Retry-After on this clock: the test moves it, nobody sleeps. */
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    bot = await startTestBot({}, { clock });
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const messages = () => bot.take().filter((c) => c.activity.type !== 'typing');

  /** Says `text`, and once the bot waits (the notice sent), moves the held clock to the end of its wait. */
  const sayThrottled = async (text: string, locale?: string) => {
    const asleep = clock.sleeping; // the storage sweeper's wait, if any
    const turn = bot.say(text, { locale });
    await until(() => clock.sleeping > asleep && bot.connector.calls.some((c) => c.activity.type === 'message'));
    const waitMs = clock.nextWake() - clock.now();
    const asked = pc().requests.length;
    clock.advance(waitMs - 1);
    // A millisecond short of Retry-After: Partner Center is not asked again.
    await new Promise((r) => setImmediate(r));
    expect(pc().requests).toHaveLength(asked);
    clock.advance(1);
    expect(await turn).toBe(200);
    return waitMs;
  };

  it('says Partner Center is throttling and when it tries again, then answers', async () => {
    pc().injectFault(throttled(2));
    // The wait is Partner Center's Retry-After, on the bot's clock.
    expect(await sayThrottled(`sr ${OPEN}`)).toBe(2_000);
    const [notice, answer] = messages();
    expect(notice!.activity.text).toBe('Partner Center is throttling; trying again in 2 s.');
    expect(textOf(cardOf(answer))).toContain(SEED.serviceRequests.open.title);
    expect(pc().requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('says it in the user\'s language', async () => {
    pc().injectFault(throttled(2));
    await sayThrottled(`sr ${OPEN}`, 'fr-FR');
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
