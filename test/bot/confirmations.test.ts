/**
 * A confirmation card's lifecycle, through the Bot Framework protocol: one decision per card (Confirm or
 * Keep as is), taken only by the person who asked, and an expired card that says so. What counts is what
 * Partner Center received and what the connector was asked to show.
 */
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { ManualClock } from '../support/fake-clock';
import { BOB, CHANNEL, cardOf, startTestBot, textOf, type TestBot } from '../support/teams';

const OPEN = SEED.serviceRequests.open.id;
const CONTOSO = SEED.customers.contoso.id;
const NCE = SEED.subscriptions.contosoNce.id;

/** The data a confirmation card's button sends (Confirm and Keep as is send the same signed payload). */
function buttonData(card: unknown, verb: string): Record<string, unknown> {
  const actions = (card as { actions: Array<{ verb?: string; data?: Record<string, unknown> }> }).actions;
  return actions.find((a) => a.verb === verb)!.data!;
}

describe('a confirmation card: one decision, by the person who asked', () => {
  let bot: TestBot;
  afterEach(() => bot.close());
  const writes = () => bot.running.sandbox!.requests.filter((r) => r.method !== 'GET');
  /** Cards replaced for everyone in the conversation since the last look. */
  const replacedForAll = () => bot.take().filter((c) => c.method === 'PUT');

  async function askToClose(o: { conversation?: typeof CHANNEL } = {}): Promise<unknown> {
    await bot.say(`sr close ${OPEN}`, o);
    const ask = cardOf(bot.take().filter((c) => c.method === 'POST' && c.activity.attachments).at(-1));
    expect(textOf(ask)).toMatch(/Close service request/);
    return ask;
  }

  it('Keep as is voids the card: a later Confirm on it sends nothing and says why', async () => {
    bot = await startTestBot();
    const ask = await askToClose();
    const kept = await bot.execute(VERB.cancel, buttonData(ask, VERB.cancel));
    expect(textOf(kept.body.value)).toMatch(/nothing was sent to Partner Center for service request/);
    const confirm = await bot.execute(VERB.confirm, buttonData(ask, VERB.confirm));
    expect(textOf(confirm.body.value)).toBe('This change was set aside with Keep as is, so Confirm did not send it to Partner Center. Run the command again to make it.');
    expect(writes()).toHaveLength(0);
    // A new confirmation for the same change is a new card, and can be confirmed.
    const again = await askToClose();
    expect(textOf((await bot.execute(VERB.confirm, buttonData(again, VERB.confirm))).body.value)).toContain('The service request was closed.');
    expect(writes().map((r) => r.body)).toEqual([{ Status: 'closed' }]);
  });

  it('Keep as is after Confirm shows the change that was made, and does not undo it', async () => {
    bot = await startTestBot();
    const ask = await askToClose();
    await bot.execute(VERB.confirm, buttonData(ask, VERB.confirm));
    const kept = await bot.execute(VERB.cancel, buttonData(ask, VERB.cancel));
    expect(textOf(kept.body.value)).toContain('The service request was closed.');
    expect(textOf(kept.body.value)).not.toMatch(/nothing was changed/);
    expect(writes()).toHaveLength(1);
  });

  it("refuses another person's Keep as is and Confirm in a channel, names who can, and leaves the card for everyone", async () => {
    bot = await startTestBot();
    const ask = await askToClose({ conversation: CHANNEL });
    const bobKeeps = await bot.execute(VERB.cancel, buttonData(ask, VERB.cancel), { from: BOB, conversation: CHANNEL, replyToId: 'msg-ask' });
    expect(textOf(bobKeeps.body.value)).toBe('Only Alice Admin, who asked for this change, can confirm it or keep it as is.');
    const bobConfirms = await bot.execute(VERB.confirm, buttonData(ask, VERB.confirm), { from: BOB, conversation: CHANNEL, replyToId: 'msg-ask' });
    expect(textOf(bobConfirms.body.value)).toBe('Only Alice Admin, who asked for this change, can confirm it or keep it as is.');
    expect(replacedForAll()).toHaveLength(0);
    expect(writes()).toHaveLength(0);
    // Bob's clicks decided nothing: Alice can still confirm.
    const alice = await bot.execute(VERB.confirm, buttonData(ask, VERB.confirm), { conversation: CHANNEL, replyToId: 'msg-ask' });
    expect(textOf(alice.body.value)).toContain('The service request was closed.');
    expect(replacedForAll()).toHaveLength(1);
    expect(writes()).toHaveLength(1);
  });

  it('20 Confirms at once on a seat change write once, and every click sees the change', async () => {
    bot = await startTestBot();
    await bot.say(`sub set ${CONTOSO} ${NCE} quantity=20`);
    const ask = cardOf(bot.take()[0]);
    expect(textOf(ask)).toMatch(/Confirm/);
    const answers = await Promise.all(Array.from({ length: 20 }, () => bot.execute(VERB.confirm, buttonData(ask, VERB.confirm))));
    expect(writes().filter((r) => r.method === 'PATCH')).toHaveLength(1);
    for (const a of answers) expect(textOf(a.body.value)).toMatch(/\b20\b/);
  });

  it('an expired card says it expired and sends nothing', async () => {
    // A clock that moves only when told: the invoke deadline (on this clock too) never passes by itself.
    const clock = new ManualClock(Date.now());
    bot = await startTestBot({}, { bot: { clock } });
    const ask = await askToClose();
    clock.advance(31 * 60_000);
    const late = await bot.execute(VERB.confirm, buttonData(ask, VERB.confirm));
    expect(textOf(late.body.value)).toBe('This confirmation has expired, so I did not send the change to Partner Center. Run the command again for a new one.');
    expect(writes()).toHaveLength(0);
  });
});
