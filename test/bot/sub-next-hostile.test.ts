/**
 * `sub next` and its card, tried the way an attacker and a newcomer would, over the Bot Framework protocol on
 * the sandbox: what is already scheduled besides the seats (a promotion, a custom term end) kept or named as
 * replaced; odd typed input; tampered card submissions; tampered, replayed and someone else's Confirm; and a
 * subscription that changed between the question and the Confirm. Each time: nothing invalid reaches Partner
 * Center (the sandbox's requests), a clear answer, and the bot keeps serving.
 */
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { BOB, cardOf, executeActions, startTestBot, textOf, type ConnectorCall, type TestBot } from '../support/teams';

const S = SEED.subscriptions;
const HOTELS = 'contosohotels.onmicrosoft.com';
const PROMOTION = '39NFJQT1Q5KV:0002';
const CUSTOM_END = '2028-01-31T00:00:00Z';
/** What the user reads now: the last card posted or updated, else the last text. */
const lastAnswer = (calls: ConnectorCall[]) => {
  const withCard = [...calls].reverse().find((c) => c.activity.attachments?.length);
  return withCard ? textOf(cardOf(withCard)) : (calls.at(-1)?.activity.text ?? '');
};
const action = (card: unknown, title: string) => executeActions(card).find((a) => a.title === title);

describe('sub next, attacked and misread', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const writes = () => pc().requests.filter((r) => r.method !== 'GET');
  const stored = (s: { id: string }) => pc().data.subscriptions.find((x) => x.resource.id === s.id)!.resource as Record<string, unknown>;
  const ask = async (text: string) => {
    await bot.say(text);
    return cardOf([...bot.take()].reverse().find((c) => c.activity.attachments?.length));
  };
  const press = async (card: unknown, title: string, from = undefined as typeof BOB | undefined) => {
    const a = action(card, title)!;
    return (await bot.execute(a.verb!, a.data!, from ? { from } : {})).body.value;
  };

  describe('what is scheduled besides the seats', () => {
    /** hotelsScheduled: 20 seats, P1Y billed annually, 18 scheduled; here with a promotion and a custom term end too. */
    const schedule = (product: Record<string, string>) => {
      const [productId, skuId, availabilityId] = String(stored(S.hotelsScheduled).offerId).split(':');
      stored(S.hotelsScheduled).scheduledNextTermInstructions = {
        product: { productId, skuId, availabilityId, billingCycle: 'annual', termDuration: 'P1Y', promotionId: PROMOTION, ...product },
        quantity: 18,
        customTermEndDate: CUSTOM_END,
      };
    };

    it('keeps the promotion and the custom term end when only the seats of today\'s product change, and says so', async () => {
      schedule({});
      const card = await ask(`sub next ${HOTELS} ${S.hotelsScheduled.id} quantity=19`);
      expect(textOf(card)).toMatch(/Seats at renewal\n18 → 19/);
      expect(textOf(card)).toContain(`The rest of what is scheduled stays as it is: promotion ${PROMOTION} · term ending on Jan 31, 2028.`);
      expect(textOf(card)).not.toContain('This replaces');
      const done = await press(card, 'Confirm');
      expect(writes()).toHaveLength(1);
      // The instructions go back as Partner Center sent them, with the seats changed: nothing silently dropped.
      expect(writes()[0]!.body).toMatchObject({ quantity: 20 });
      expect((writes()[0]!.body as Record<string, unknown>).scheduledNextTermInstructions).toEqual({
        product: { productId: 'CFQ7TTC0LFLX', skuId: '0001', availabilityId: 'CFQ7TTC0N8SS', billingCycle: 'annual', termDuration: 'P1Y', promotionId: PROMOTION },
        quantity: 19,
        customTermEndDate: CUSTOM_END,
      });
      expect(textOf(done)).toContain(`Scheduled for renewal: 19 seats · 1 year · Annual · promotion ${PROMOTION} · term ending on Jan 31, 2028`);
    });

    it('when another term is scheduled, its confirmation names the promotion and custom term end it replaces, and they go', async () => {
      schedule({ termDuration: 'P1M', billingCycle: 'monthly' });
      const card = await ask(`sub next ${HOTELS} ${S.hotelsScheduled.id} quantity=19`);
      expect(textOf(card)).toContain(`This replaces what is scheduled for renewal now: 18 seats · 1 month · Monthly · promotion ${PROMOTION} · term ending on Jan 31, 2028.`);
      await press(card, 'Confirm');
      expect(writes()).toHaveLength(1);
      expect((writes()[0]!.body as Record<string, unknown>).scheduledNextTermInstructions).toEqual({
        product: { productId: 'CFQ7TTC0LFLX', skuId: '0001', availabilityId: 'CFQ7TTC0N8SS', billingCycle: 'annual', termDuration: 'P1Y' },
        quantity: 19,
      });
    });

    it('says it in French too, with non-breaking spaces', async () => {
      schedule({});
      await bot.say(`sub next ${HOTELS} ${S.hotelsScheduled.id} quantity=19`, { locale: 'fr-FR' });
      expect(lastAnswer(bot.take())).toContain(`Le reste de ce qui est planifié ne change pas\u00a0: offre promotionnelle ${PROMOTION} · fin de période le`);
    });
  });

  it('answers odd typed input plainly and sends nothing', async () => {
    const id = S.hotelsRenewsSoon.id;
    const cases: Array<[string, RegExp]> = [
      [`sub next ${HOTELS} ${id} quantity=١٢`, /"١٢" is not a valid quantity\.\n\nSeats are a whole number from 1 to 100,000/],
      [`sub next ${HOTELS} ${id} quantity=５`, /"５" is not a valid quantity/],
      [`sub next ${HOTELS} ${id} quantity=1e3`, /"1e3" is not a valid quantity/],
      [`sub next ${HOTELS} ${id} quantity=-3`, /"-3" is not a valid quantity/],
      [`sub next ${HOTELS} ${id} quantity=2.5`, /"2\.5" is not a valid quantity/],
      [`sub next ${HOTELS} ${id} quantity=`, /"" is not a valid quantity/],
      [`sub next ${HOTELS} ${id} quantity=5 please`, /"please" is not a valid «field=value»/],
      [`sub next ${HOTELS} ${id} quantity=5 quantity=6`, /is not a valid quantity/],
      [`sub next ${HOTELS} ${id} price=5`, /price/],
      [`sub next ${HOTELS} ${id} clear now`, /"now" is not a valid «field=value»/],
      [`sub next ${HOTELS} ${id}`, /Something is missing: quantity/],
      // The word meant as the id is named, not the field typed right after it.
      [`sub next ${HOTELS} not-a-guid quantity=5`, /"not-a-guid" is not a valid «subscription-id»/],
      [`sub next ${HOTELS} quantity=5`, /Something is missing: «subscription-id»/],
      [`sub next ${HOTELS} ${id} quantity=0`, /Seats at renewal\nEnter at least 1\./],
      [`sub next ${HOTELS} ${id} quantity=9999999`, /Seats at renewal\nEnter at most 100,000\./],
      // Another customer's subscription: that customer has none with this id (Partner Center's 404, said plainly).
      [`sub next contoso.onmicrosoft.com ${id} quantity=5`, /Contoso Ltd has no subscription with the id 5e7a9c1b/],
      [`sub next nosuchcustomer.example ${id} quantity=5`, /No customer's company name or domain starts with "nosuchcustomer\.example"/],
    ];
    for (const [text, answer] of cases) {
      await bot.say(text);
      const said = lastAnswer(bot.take());
      expect({ text, said }).toEqual({ text, said: expect.stringMatching(answer) });
      expect(said).not.toMatch(/Confirm/);
    }
    expect(writes()).toHaveLength(0);
    // An upper-case id is the same subscription, and the bot still serves.
    await bot.say(`sub next ${HOTELS} ${id.toUpperCase()} quantity=25`);
    expect(lastAnswer(bot.take())).toMatch(/renews with 25 seats \(today 30 seats\)/);
  });

  it('checks every card submission of the seats form: nothing but a whole number in range gets a Confirm', async () => {
    const ids = { customerId: S.hotelsRenewsSoon.customerId, subscriptionId: S.hotelsRenewsSoon.id };
    const refused: Array<[unknown, string]> = [
      ['-5', 'Enter at least 1.'],
      ['0', 'Enter at least 1.'],
      [10_000_000, 'Enter at most 100,000.'],
      ['2.5', 'Enter a whole number.'],
      ['1e3', 'Enter a whole number.'],
      ['0x10', 'Enter a whole number.'],
      ['abc', 'Enter a whole number.'],
      ['０５', 'Enter a whole number.'],
      ['', 'Enter a whole number.'],
      [null, 'Enter a whole number.'],
      [['5'], 'Enter a whole number.'],
      [{ $gt: 1 }, 'Enter a whole number.'],
    ];
    for (const [nextQuantity, error] of refused) {
      const card = (await bot.execute(VERB.subNext, { ...ids, nextQuantity })).body.value;
      expect({ nextQuantity, text: textOf(card) }).toEqual({ nextQuantity, text: expect.stringContaining(`Seats at renewal\n${error}`) });
      expect(action(card, 'Confirm')).toBeUndefined();
    }
    // Ids that are not ids, or missing: the card's data is refused before anything is read.
    for (const data of [{ subscriptionId: ids.subscriptionId, nextQuantity: '5' }, { ...ids, customerId: '../customers' }, { ...ids, subscriptionId: `${ids.subscriptionId}/../x` }]) {
      expect(textOf((await bot.execute(VERB.subNext, data)).body.value)).toBe('This card sent data I cannot use. Run the command again.');
    }
    // Another customer's id with this subscription: that customer has none such.
    const other = await bot.execute(VERB.subNext, { ...ids, customerId: SEED.customers.contoso.id, nextQuantity: '5' });
    expect(textOf(other.body.value)).toContain('Contoso Ltd has no subscription with the id');
    expect(writes()).toHaveLength(0);
  });

  it('refuses a Confirm whose signed change was edited, lets only the asker decide, and writes once however often it is replayed', async () => {
    const s = S.hotelsRenewsSoon;
    const card = await ask(`sub next ${HOTELS} ${s.id} quantity=25`);
    const confirm = action(card, 'Confirm')!;
    const signed = JSON.parse(confirm.data!.confirmation as string) as { payload: Record<string, unknown> };
    const edited = (change: (p: Record<string, unknown>) => void) => {
      const copy = structuredClone(signed);
      change(copy.payload);
      return { ...confirm.data!, confirmation: JSON.stringify(copy) };
    };
    const tampered = [
      edited((p) => (p.next = { quantity: 500 })),
      edited((p) => (p.next = 'clear')),
      edited((p) => (p.subscriptionId = S.hotelsScheduled.id)),
      edited((p) => (p.customerId = SEED.customers.contoso.id)),
      { ...confirm.data!, confirmation: { ...signed } },
      { ...confirm.data!, confirmation: 'not json' },
    ];
    for (const data of tampered) expect(textOf((await bot.execute(VERB.confirm, data)).body.value)).toBe('This card was changed or has expired, so I did not act on it. Run the command again.');
    // Bob, in a chat where he sees the card, can neither confirm it nor void it; nor pass as Alice in the payload.
    expect(textOf(await press(card, 'Confirm', BOB))).toBe('Only Alice Admin, who asked for this change, can confirm it or keep it as is.');
    expect(textOf(await press(card, 'Keep as is', BOB))).toBe('Only Alice Admin, who asked for this change, can confirm it or keep it as is.');
    const asBob = edited((p) => (p.by = BOB.id));
    expect(textOf((await bot.execute(VERB.confirm, asBob, { from: BOB })).body.value)).toContain('This card was changed');
    expect(writes()).toHaveLength(0);

    const first = textOf(await press(card, 'Confirm'));
    expect(first).toContain('Seats at renewal: 30 → 25');
    expect(writes()).toHaveLength(1);
    // Replayed after another change: still the first answer, and no second write over the newer state.
    const second = await ask(`sub next ${HOTELS} ${s.id} quantity=22`);
    await press(second, 'Confirm');
    expect(writes()).toHaveLength(2);
    expect(textOf(await press(card, 'Confirm'))).toBe(first);
    expect(writes()).toHaveLength(2);
    expect(stored(s).scheduledNextTermInstructions).toMatchObject({ quantity: 22 });
  });

  it('sends nothing when the subscription changed between the question and the Confirm', async () => {
    const s = S.hotelsRenewsSoon;
    const card = await ask(`sub next ${HOTELS} ${s.id} quantity=25`);
    stored(s).autoRenewEnabled = false; // turned off in Partner Center meanwhile
    expect(textOf(await press(card, 'Confirm'))).toMatch(/Auto-renew is off on Microsoft 365 Business Standard: .+ Nothing was sent\./);
    const clearing = await ask(`sub next ${HOTELS} ${S.hotelsScheduled.id} clear`);
    delete stored(S.hotelsScheduled).scheduledNextTermInstructions; // cleared elsewhere meanwhile
    expect(textOf(await press(clearing, 'Confirm'))).toContain('Nothing is scheduled for the renewal of Microsoft 365 E3: it renews with 20 seats, as today. Nothing was sent.');
    expect(writes()).toHaveLength(0);
  });
});
