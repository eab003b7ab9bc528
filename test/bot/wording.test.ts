/**
 * Wording a new user found untrue or unhelpful (issue 18), read over the Bot Framework protocol: what each
 * card now says instead.
 */
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { cardOf, startTestBot, textOf, type TestBot, executeActions } from '../support/teams';

const NCE = SEED.subscriptions.contosoNce.id; // 25 seats, 5 added 2 days ago
const OPEN = SEED.serviceRequests.open;

const executes = executeActions;

describe('what a new user reads', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({}, { sandbox: { asyncApplyMs: 0 } });
  });
  afterAll(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const reply = () => bot.take().filter((c) => c.method === 'POST' && c.activity.type !== 'typing').at(-1)!;

  it('a refused quantity states the rule', async () => {
    await bot.say(`sub set contoso ${NCE} quantity=-3`);
    const text = reply().activity.text!;
    expect(text).toContain('"-3" is not a valid quantity.');
    expect(text).toContain('Seats are a whole number from 1 to 100,000, e.g. quantity=30.');
  });

  it('does not promise a reduction at renewal when auto-renew is off', async () => {
    const sub = pc().data.subscriptions.find((s) => s.resource.id === NCE)!.resource;
    const was = sub.autoRenewEnabled;
    try {
      sub.autoRenewEnabled = false;
      await bot.say(`sub set contoso.onmicrosoft.com ${NCE} quantity=10`);
      const text = textOf(cardOf(reply()));
      expect(text).toContain('Partner Center allows removing at most 5 seats');
      expect(text).not.toMatch(/when the term renews/);
      expect(text).toMatch(/Auto-renew is off: this subscription ends on \w{3} \d{1,2}, \d{4} instead of renewing, and its seats end with it\./);
    } finally {
      sub.autoRenewEnabled = was;
    }
  });

  it('a new service request says who created it, without a "Title: — → …" line', async () => {
    await bot.say('sr new');
    const form = cardOf(reply());
    const nonce = executes(form).find((a) => a.verb === VERB.srCreate)!.data!.nonce;
    const created = await bot.execute(VERB.srCreate, { nonce, title: 'Partner portal access', description: 'Two admins cannot open the portal.', severity: 'minimal', supportTopicId: SEED.supportTopics.billing.id });
    const text = textOf(created.body.value);
    expect(text).toMatch(/Alice Admin created this on/);
    expect(text).toContain('Partner portal access');
    expect(text).not.toMatch(/—\s*→/);
  });

  it('lists show where the page is and the total: "1–N of N" on a last page', async () => {
    await bot.say('sr list');
    const text = textOf(cardOf(reply()));
    const total = pc().data.serviceRequests.length;
    expect(text).toContain(`1–${total} of ${total}`);
  });

  it('a note added on a card opened from the list keeps "Back to the list"', async () => {
    await bot.say('sr list open');
    const row = executes(cardOf(reply())).find((a) => a.verb === VERB.srShow && a.data?.id === OPEN.id)!;
    const opened = await bot.execute(VERB.srShow, row.data!);
    const send = executes(opened.body.value).find((a) => a.verb === VERB.srNote)!;
    const noted = await bot.execute(VERB.srNote, { ...send.data, text: 'Checked with the customer.' });
    expect(textOf(noted.body.value)).toContain('Your note was added.');
    const back = executes(noted.body.value).find((a) => a.verb === VERB.srList);
    expect(back).toMatchObject({ title: 'Back to the list', data: { filter: 'open', offset: 0 } });
  });

  it('each button of a customer list names its customer', async () => {
    await bot.say('customer find contoso');
    const titles = executes(cardOf(reply())).map((a) => a.title);
    expect(titles).toEqual(['Subscriptions of Contoso Hotels', 'Subscriptions of Contoso Ltd', 'Subscriptions of Contoso Pharmaceuticals']);
  });

  it('whoami names the tenant by its domain, beside its id', async () => {
    await bot.say('whoami');
    expect(textOf(cardOf(reply()))).toMatch(/Tenant: [a-z0-9-]+(\.[a-z0-9-]+)+ \([0-9a-f-]{36}\)/);
  });
});
