/**
 * `sub next` and the "At renewal" part through the Bot Framework protocol, on the sandbox: the confirmation a
 * partner admin reads ("when the term ends on «date», the subscription renews with N seats (today M)"), the PATCH Partner Center
 * receives (the full resource, If-Match, scheduledNextTermInstructions from the offer id with the same term and
 * billing), one write per confirmation, nothing sent with auto-renew off or on a legacy subscription, `clear`,
 * the mid-term warning on a seat change, the renewals card's button, and dates in the time zone Teams sends.
 */
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { cardOf, executeActions, startTestBot, textOf, type ConnectorCall, type TestBot } from '../support/teams';
import { until } from '../support/until';

const S = SEED.subscriptions;
const HOTELS = 'contosohotels.onmicrosoft.com';
/** The card the user reads now: the last one posted or updated. */
const lastCard = (calls: ConnectorCall[]) => cardOf([...calls].reverse().find((c) => c.activity.attachments?.length));
const action = (card: unknown, title: string) => executeActions(card).find((a) => a.title === title);
/** The term's last day as Partner Center states it (commitmentEndDate), as the cards say a date. */
const termEnd = (r: object, locale = 'en-US') => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.parse(String((r as { commitmentEndDate?: unknown }).commitmentEndDate)));
/** The colour of the card's text block that says `words` (undefined: the default colour). */
function colourOf(card: unknown, words: string): string | undefined {
  const blocks: Array<{ type?: string; text?: string; color?: string }> = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as { type?: string; text?: string; color?: string };
      if (o.type === 'TextBlock' && typeof o.text === 'string' && o.text.includes(words)) blocks.push(o);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  expect(blocks).toHaveLength(1);
  return blocks[0]!.color;
}

describe('sub next: the seats a subscription renews with', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const patches = () => pc().requests.filter((r) => r.method === 'PATCH');
  const stored = (s: { id: string }) => pc().data.subscriptions.find((x) => x.resource.id === s.id)!.resource;
  /** The Confirm on a confirmation card, pressed by the person who asked. */
  const confirm = async (card: unknown) => {
    const c = action(card, 'Confirm')!;
    return (await bot.execute(c.verb!, c.data!)).body.value;
  };

  it('asks first, saying from when it renews with how many seats, then sends the documented body once; the seats today stay', async () => {
    const s = S.hotelsRenewsSoon; // 30 seats, P1Y billed monthly, auto-renew on, nothing scheduled
    await bot.say(`sub next ${HOTELS} ${s.id} quantity=25`);
    const ask = lastCard(bot.take());
    const text = textOf(ask);
    expect(text).toContain('Schedule the seats at renewal of Microsoft 365 Business Standard of Contoso Hotels?');
    expect(text).toMatch(/Seats at renewal\n30 → 25/);
    // The date said is the term's last day, as Partner Center states it (commitmentEndDate), not the instant
    // renewal processing starts (00:00 UTC the day after), which partner admins read as the end of the term.
    const end = termEnd(stored(s));
    expect(text).toContain(`When the term ends on ${end}, the subscription renews with 25 seats (today 30 seats); Partner Center processes renewals from 00:00 UTC the next day. The seats today do not change.`);
    // It loses nothing: said in the default colour, not as a warning.
    expect(colourOf(ask, 'renews with 25 seats')).toBeUndefined();
    expect(patches()).toHaveLength(0);

    const etag = stored(s).attributes.etag;
    const before = pc().requests.length;
    const done = await confirm(ask);
    // Confirm costs one read (the state may have moved since the question) and the one write.
    const path = `/v1/customers/${s.customerId}/subscriptions/${s.id}`;
    expect(pc().requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${path}`, `PATCH ${path}`]);
    expect(patches()).toHaveLength(1);
    const patch = patches()[0]!;
    expect(patch.headers['if-match']).toBe(`"${etag}"`);
    // The full resource, as read: seats, auto-renew, ids and links go back unchanged, with the instructions set.
    expect(patch.body).toMatchObject({
      id: s.id,
      offerId: 'CFQ7TTC0LDPB:0001:CFQ7TTC0KB06',
      quantity: 30,
      autoRenewEnabled: true,
      billingCycle: 'monthly',
      termDuration: 'P1Y',
      links: { self: expect.any(Object) },
      attributes: { etag, objectType: 'Subscription' },
      scheduledNextTermInstructions: {
        product: { productId: 'CFQ7TTC0LDPB', skuId: '0001', availabilityId: 'CFQ7TTC0KB06', billingCycle: 'monthly', termDuration: 'P1Y' },
        quantity: 25,
      },
    });
    expect(stored(s).quantity).toBe(30);
    expect(stored(s).scheduledNextTermInstructions).toMatchObject({ quantity: 25 });
    const after = textOf(done);
    expect(after).toMatch(/Alice Admin changed this on .+\nSeats at renewal: 30 → 25/);
    expect(after).toContain(`At renewal\nTerm ends on ${end}\nRenews with 25 seats (scheduled; 30 seats today)\nScheduled for renewal: 25 seats · 1 year · Monthly`);

    // A second click on Confirm writes nothing more, and gets the first answer.
    expect(textOf(await confirm(ask))).toContain('Seats at renewal: 30 → 25');
    expect(patches()).toHaveLength(1);
    await bot.say('audit');
    expect(textOf(lastCard(bot.take()))).toContain('Alice Admin changed what the subscription Microsoft 365 Business Standard of Contoso Hotels renews with.');
  });

  it('with auto-renew off, says so, sends nothing, and offers to turn auto-renew on first', async () => {
    const s = S.hotelsRenewsSoonOff;
    await bot.say(`sub next ${HOTELS} ${s.id} quantity=10`);
    const card = lastCard(bot.take());
    expect(textOf(card)).toMatch(/Auto-renew is off on Exchange Online \(Plan 1\): it ends on .+ instead of renewing, and Partner Center schedules changes for renewal only with auto-renew on\. Nothing was sent\./);
    expect(action(card, 'Confirm')).toBeUndefined();
    expect(pc().requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    // The offer is the existing change: auto-renew on, as the renewals card and the form do it.
    const on = action(card, 'Turn auto-renew on')!;
    expect(on).toMatchObject({ verb: VERB.subUpdate, data: { subscriptionId: s.id, autoRenewEnabled: 'true' } });
    expect(textOf((await bot.execute(on.verb!, on.data!)).body.value)).toMatch(/Auto-renew: Off → On/);
    expect(patches()).toHaveLength(1);
    // Then the seats can be scheduled.
    await bot.say(`sub next ${HOTELS} ${s.id} quantity=10`);
    expect(textOf(lastCard(bot.take()))).toMatch(/renews with 10 seats \(today 12 seats\)/);
  });

  it('clear removes what is scheduled, and then has nothing to clear', async () => {
    const s = S.hotelsScheduled; // 20 seats, 18 scheduled for the next term
    await bot.say(`sub next ${HOTELS} ${s.id} clear`);
    const ask = lastCard(bot.take());
    expect(textOf(ask)).toContain('Clear what is scheduled for the renewal of Microsoft 365 E3 of Contoso Hotels?');
    expect(textOf(ask)).toMatch(/Seats at renewal\n18 → 20/);
    expect(textOf(ask)).toMatch(/renews with 20 seats \(today 20 seats\)/);
    expect(textOf(ask)).toContain('This replaces what is scheduled for renewal now: 18 seats · 1 year · Annual.');
    // What it deletes is the warning; what it renews with is not.
    expect(colourOf(ask, 'This replaces what is scheduled')).toBe('Attention');
    expect(colourOf(ask, 'renews with 20 seats')).toBeUndefined();
    const done = await confirm(ask);
    expect(patches()).toHaveLength(1);
    expect(patches()[0]!.body).toHaveProperty('scheduledNextTermInstructions', null);
    expect(patches()[0]!.body).toMatchObject({ quantity: 20, autoRenewEnabled: true });
    expect(stored(s).scheduledNextTermInstructions).toBeUndefined();
    expect(textOf(done)).toMatch(/At renewal\nTerm ends on .+\nRenews with 20 seats/);
    expect(action(done, 'Clear')).toBeUndefined();
    await bot.say(`sub next ${HOTELS} ${s.id} clear`);
    expect(textOf(lastCard(bot.take()))).toContain('Nothing is scheduled for the renewal of Microsoft 365 E3: it renews with 20 seats, as today. Nothing was sent.');
    expect(patches()).toHaveLength(1);
  });

  it('a seat change now, on a subscription with changes scheduled, names what it deletes in its confirmation', async () => {
    const s = S.hotelsScheduled;
    await bot.say(`sub set ${HOTELS} ${s.id} quantity=22`);
    const ask = lastCard(bot.take());
    expect(textOf(ask)).toMatch(/Seats\n20 → 22/);
    expect(textOf(ask)).toContain(`This removes what is scheduled for renewal when the term ends on ${termEnd(stored(s))}: 18 seats · 1 year · Annual. Partner Center deletes`);
    expect(colourOf(ask, 'This removes what is scheduled')).toBe('Attention');
    expect(patches()).toHaveLength(0);
    await confirm(ask);
    expect(patches()).toHaveLength(1);
    expect(stored(s).quantity).toBe(22);
    expect(stored(s).scheduledNextTermInstructions).toBeUndefined();
    // Without anything scheduled, adding seats goes straight through as before.
    await bot.say(`sub set ${HOTELS} ${s.id} quantity=23`);
    expect(textOf(lastCard(bot.take()))).toMatch(/Seats: 22 → 23/);
    expect(patches()).toHaveLength(2);
    // Turning auto-renew off says what is scheduled will not take effect.
    await bot.say(`sub set contoso.onmicrosoft.com ${S.contosoNce.id} autorenew=off`);
    expect(textOf(lastCard(bot.take()))).toContain('What is scheduled for renewal (25 seats · 1 year · Monthly) will not take effect: the subscription will not renew.');
  });

  it('answers a legacy subscription plainly, sending nothing', async () => {
    await bot.say(`sub next contoso.onmicrosoft.com ${S.contosoLegacy.id} quantity=5`);
    const card = lastCard(bot.take());
    expect(textOf(card)).toContain('is not a new-commerce subscription: Partner Center schedules changes for renewal only on new-commerce subscriptions. Nothing was sent.');
    expect(action(card, 'Confirm')).toBeUndefined();
    expect(pc().requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('the subscription card shows what happens at renewal, with Next-term seats and Clear; the form checks its seats', async () => {
    const s = S.hotelsScheduled;
    await bot.say(`sub ${HOTELS} ${s.id}`);
    const card = lastCard(bot.take());
    expect(textOf(card)).toMatch(/At renewal\nTerm ends on .+\nRenews with 18 seats \(scheduled; 20 seats today\)\nScheduled for renewal: 18 seats · 1 year · Annual/);
    expect(action(card, 'Clear')).toMatchObject({ verb: VERB.subNext, data: { subscriptionId: s.id, clear: 'true' } });
    // Next-term seats opens the form, in place of the edit form (so Schedule sends the seats alone), prefilled with what is scheduled.
    const open = await bot.execute(VERB.subNext, action(card, 'Next-term seats')!.data!);
    const form = open.body.value!;
    expect(JSON.stringify(form)).toMatch(/"type":"Input.Number","id":"nextQuantity","label":"Seats at renewal","value":18/);
    expect(JSON.stringify(form)).not.toMatch(/"id":"friendlyName"/);
    const schedule = action(form, 'Schedule')!;
    expect(schedule.verb).toBe(VERB.subNext);
    // The form sends its input with the button's data.
    const bad = await bot.execute(schedule.verb!, { ...schedule.data!, nextQuantity: '0' });
    expect(textOf(bad.body.value)).toContain('Enter at least 1.');
    const ask = await bot.execute(schedule.verb!, { ...schedule.data!, nextQuantity: '19' });
    expect(textOf(ask.body.value)).toMatch(/Seats at renewal\n18 → 19/);
    expect(pc().requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('the renewals card offers Next-term seats where it can work, and it opens the form', async () => {
    await bot.say(`renewals ${HOTELS}`);
    const card = lastCard(bot.take());
    const buttons = executeActions(card).filter((a) => a.verb === VERB.subNext);
    expect(buttons.map((b) => b.data!.subscriptionId).sort()).toEqual([S.hotelsRenewsSoon.id, S.hotelsScheduled.id].sort());
    const r = await bot.execute(buttons[0]!.verb!, buttons[0]!.data!);
    expect(JSON.stringify(r.body.value)).toMatch(/"type":"Input.Number","id":"nextQuantity"/);
    expect(action(r.body.value, 'Schedule')).toMatchObject({ verb: VERB.subNext });
  });

  it('says the renewal date in the time zone Teams sends, and in the user\'s language', async () => {
    const ends = Date.parse(String(stored(S.hotelsRenewsSoon).commitmentEndDate));
    // Tokyo: the term's last day, then the instant processing starts in the reader's zone (9:00 the day after).
    await bot.say(`sub next ${HOTELS} ${S.hotelsRenewsSoon.id} quantity=25`, { timezone: 'Asia/Tokyo' });
    const next = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(ends + 24 * 3600_000);
    expect(textOf(lastCard(bot.take()))).toContain(`When the term ends on ${termEnd(stored(S.hotelsRenewsSoon))}, the subscription renews with 25 seats (today 30 seats); Partner Center processes renewals from 00:00 UTC the next day (${next}, 9:00 AM GMT+9).`);
    // A zone whose clock is UTC's (as the Playground's browser may send) gets no bracket repeating it.
    await bot.say(`sub next ${HOTELS} ${S.hotelsRenewsSoon.id} quantity=25`, { timezone: 'UTC' });
    expect(textOf(lastCard(bot.take()))).toContain('Partner Center processes renewals from 00:00 UTC the next day. The seats today do not change.');
    await bot.say(`sub next ${HOTELS} ${S.hotelsRenewsSoon.id} quantity=1`, { locale: 'fr-FR' });
    expect(textOf(lastCard(bot.take()))).toContain(`À la fin de la période, le ${termEnd(stored(S.hotelsRenewsSoon), 'fr-FR')}, l'abonnement se renouvelle avec 1 licence (aujourd'hui 30 licences)\u00a0; l'Espace partenaires traite les renouvellements à partir de minuit UTC le lendemain.`);
    await bot.say(`sub next ${HOTELS} ${S.hotelsRenewsSoon.id} quantity=2`, { locale: 'it-IT' });
    expect(textOf(lastCard(bot.take()))).toContain(`Al termine del periodo, il ${termEnd(stored(S.hotelsRenewsSoon), 'it-IT')}, la sottoscrizione si rinnova con 2 licenze (oggi 30 licenze); il Centro per i partner elabora i rinnovi dalla mezzanotte UTC del giorno successivo.`);
    // The one time-zone reader: `windows` now also reads the activity's localTimezone (it read only clientInfo).
    await bot.say('windows wingtiptoys.onmicrosoft.com', { timezone: 'Asia/Tokyo' });
    expect(textOf(lastCard(bot.take()))).toMatch(/4 seats can still be removed until .+ GMT\+9/);
  });
});

describe('sub next: refused and unknown outcomes', () => {
  let bot: TestBot;
  afterEach(() => bot.close());
  const path = `/v1/customers/${S.hotelsRenewsSoon.customerId}/subscriptions/${S.hotelsRenewsSoon.id}`;
  const ask = async () => {
    await bot.say(`sub next ${HOTELS} ${S.hotelsRenewsSoon.id} quantity=25`);
    const c = action(lastCard(bot.take()), 'Confirm')!;
    return (await bot.execute(c.verb!, c.data!)).body.value;
  };

  it('says "nothing was changed" only when Partner Center refuses', async () => {
    bot = await startTestBot();
    bot.running.sandbox!.injectFault({ method: 'PATCH', path, status: 400, body: { code: '2006', description: 'Updates not allowed for offer.', data: [], source: 'PartnerFD' } });
    expect(textOf(await ask())).toMatch(/refused the change, so nothing was changed/);
  });

  it('follows a change Partner Center accepted (202) and has not shown yet, and updates the card when the next term shows it', async () => {
    bot = await startTestBot({}, { sandbox: { asyncSubscriptionUpdates: 'all', asyncApplyMs: 300 }, bot: { inlineWaitMs: 50, followUpIntervalMs: 100 } });
    await bot.say(`sub next ${HOTELS} ${S.hotelsRenewsSoon.id} quantity=25`);
    const c = action(lastCard(bot.take()), 'Confirm')!;
    const card = (await bot.execute(c.verb!, c.data!, { replyToId: 'msg-confirm' })).body.value;
    expect(textOf(card)).toMatch(/accepted the change and is still applying it\. This card will update when it lands\.\nAlice Admin changed this on .+\nSeats at renewal: 30 → 25/);
    expect(textOf(card)).not.toMatch(/Renews with 25 seats/);
    // Once Partner Center shows it (the sandbox applies it 300 ms later), the card is replaced for everyone, unasked.
    const landed = (x: ConnectorCall) => x.method === 'PUT' && /The change has been applied/.test(textOf(cardOf(x)));
    await until(() => bot.connector.calls.some(landed));
    const update = bot.take().find(landed);
    expect(update).toMatchObject({ method: 'PUT', activityId: 'msg-confirm' });
    expect(textOf(cardOf(update))).toMatch(/The change has been applied\.\nAlice Admin changed this on .+\nSeats at renewal: 30 → 25/);
    expect(textOf(cardOf(update))).toMatch(/Renews with 25 seats \(scheduled; 30 seats today\)/);
    expect(bot.running.sandbox!.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('a 202 that does not show within the follow-up wait says so, and leaves Refresh', async () => {
    bot = await startTestBot({}, { sandbox: { asyncSubscriptionUpdates: 'all', asyncApplyMs: 60_000 }, bot: { inlineWaitMs: 50, followUpWaitMs: 300, followUpIntervalMs: 50 } });
    await bot.say(`sub next ${HOTELS} ${S.hotelsRenewsSoon.id} quantity=25`);
    const c = action(lastCard(bot.take()), 'Confirm')!;
    await bot.execute(c.verb!, c.data!, { replyToId: 'msg-confirm' });
    const still = (x: ConnectorCall) => x.method === 'PUT' && /has still not applied the change/.test(textOf(cardOf(x)));
    await until(() => bot.connector.calls.some(still));
    const shown = cardOf(bot.take().find(still));
    expect(textOf(shown)).toMatch(/Check again later with Refresh\.\nAlice Admin changed this on .+\nSeats at renewal: 30 → 25/);
    expect(textOf(shown)).not.toMatch(/Renews with 25 seats|has been applied/);
    expect(action(shown, 'Refresh')).toBeDefined();
  });

  it('says it could not confirm a change whose answer was lost and that reading back does not show', async () => {
    bot = await startTestBot({ PARTNER_CENTER_VERIFY_WAIT_MS: '1500' });
    bot.running.sandbox!.injectFault({ method: 'PATCH', path, reset: true, times: 10 });
    await ask();
    // Past the invoke's deadline the "working" card answers, and the outcome replaces it when it is known.
    await until(() => bot.connector.calls.some((c) => c.method === 'PUT' && /could not confirm/.test(textOf(c.activity))), 20_000);
    const text = textOf(lastCard(bot.take()));
    expect(text).toMatch(/could not confirm this change[\s\S]*Seats at renewal: 30 → 25/);
    expect(text).not.toMatch(/Nothing was changed|Alice Admin changed this/);
  });
});
