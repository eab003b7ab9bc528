import { SEED } from '../../dev/sandbox';
import { jwtClaims } from '../../dev/sandbox/auth';
import { VERB } from '../../src/cards/verbs';
import { BOB, CHANNEL, GROUP, cardOf, startTestBot, textOf, type TestBot } from '../support/teams';

const OPEN = SEED.serviceRequests.open.id;

/** The data a confirmation card's Confirm button sends. */
function confirmationOf(card: unknown): Record<string, unknown> {
  const actions = (card as { actions: Array<{ verb?: string; data?: Record<string, unknown> }> }).actions;
  return actions.find((a) => a.verb === VERB.confirm)!.data!;
}

function nonceOf(card: unknown): string {
  const actions = (card as { actions: Array<{ verb?: string; data?: { nonce?: string } }> }).actions;
  return actions.find((a) => a.verb === VERB.srCreate)!.data!.nonce!;
}

describe('service requests through the Bot Framework protocol', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot({}, { bot: { invokeDeadlineMs: 2_000 } });
  });
  afterEach(() => bot.close());
  const pc = () => bot.running.sandbox!;
  const writes = () => pc().requests.filter((r) => r.method !== 'GET');

  it('shows one service request with its notes and actions', async () => {
    await bot.say(`sr ${OPEN}`);
    const [reply] = bot.take();
    const text = textOf(cardOf(reply));
    expect(text).toContain(SEED.serviceRequests.open.title);
    expect(text).toContain('Affected users: 5');
    expect(text).toMatch(/Add a note[\s\S]*Close request[\s\S]*Refresh/);
    expect(pc().requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/servicerequests/${OPEN}`]);
  });

  it('lists service requests newest first, filtered, and pages with the card buttons', async () => {
    await bot.say('SR LIST open');
    const card = cardOf(bot.take()[0]);
    expect(textOf(card)).toMatch(/Service requests: open/);
    expect(JSON.parse(pc().requests[0]!.query.filter!)).toMatchObject({ Value: 'open' });
    const page2 = await bot.execute(VERB.srList, { filter: 'open', offset: 10 });
    expect(page2.body.statusCode).toBe(200);
    expect(pc().requests[1]!.query.offset).toBe('10');
  });

  it('adds a note by command with one Partner Center call, and shows the result', async () => {
    await bot.say(`sr note ${OPEN} The customer confirmed the fix.`);
    const text = textOf(cardOf(bot.take()[0]));
    expect(text).toContain('The customer confirmed the fix.');
    expect(text).toContain('Your note was added.');
    expect(text).toContain('Alice Admin changed this');
    expect(writes().map((r) => [r.method, r.body])).toEqual([['PATCH', { NewNote: { Text: 'The customer confirmed the fix.' } }]]);
  });

  it('adds a note from the card, replacing the card for everyone', async () => {
    const r = await bot.execute(VERB.srNote, { id: OPEN, text: 'Escalated to the product team.' }, { replyToId: 'msg-sr-card' });
    expect(textOf(r.body.value)).toContain('Escalated to the product team.');
    const [update] = bot.take();
    expect(update).toMatchObject({ method: 'PUT', activityId: 'msg-sr-card' });
    expect(textOf(cardOf(update))).toContain('Escalated to the product team.');
  });

  it('refuses an empty or oversized note from the card without calling Partner Center', async () => {
    const empty = await bot.execute(VERB.srNote, { id: OPEN, text: '   ' });
    expect(textOf(empty.body.value)).toContain('This field is required.');
    const huge = await bot.execute(VERB.srNote, { id: OPEN, text: 'x'.repeat(4_001) });
    expect(textOf(huge.body.value)).toContain('At most 4,000 characters.');
    expect(writes()).toHaveLength(0);
    // Validation errors are shown to the person who submitted only: the shared card is not updated.
    expect(bot.take().filter((c) => c.method === 'PUT')).toHaveLength(0);
  });

  it('asks before closing, then closes once however often Confirm is clicked', async () => {
    await bot.say(`sr close ${OPEN}`);
    const ask = cardOf(bot.take()[0]);
    expect(textOf(ask)).toMatch(/Close service request 616122292874576\?[\s\S]*Open → Closed/);
    expect(writes()).toHaveLength(0);
    const data = confirmationOf(ask);
    const [a, b] = await Promise.all([bot.execute(VERB.confirm, data), bot.execute(VERB.confirm, data)]);
    expect(textOf(a.body.value)).toContain('The service request was closed.');
    expect(textOf(b.body.value)).toContain('Closed');
    expect(writes().map((r) => r.body)).toEqual([{ Status: 'closed' }]);
  });

  it('refuses a tampered or foreign confirmation, and a cancel changes nothing', async () => {
    await bot.say(`sr close ${OPEN}`);
    const data = confirmationOf(cardOf(bot.take()[0]));
    const signed = JSON.parse(data.confirmation as string);
    const tampered = JSON.stringify({ ...signed, payload: { ...signed.payload, id: SEED.serviceRequests.attentionNeeded.id } });
    expect(textOf((await bot.execute(VERB.confirm, { confirmation: tampered })).body.value)).toMatch(/changed or has expired/);
    expect(textOf((await bot.execute(VERB.confirm, { confirmation: 'not json' })).body.value)).toMatch(/changed or has expired/);
    expect(textOf((await bot.execute(VERB.confirm, data, { from: BOB })).body.value)).toMatch(/Only Alice Admin, who asked/);
    expect(textOf((await bot.execute(VERB.cancel, {})).body.value)).toMatch(/nothing was sent to Partner Center/);
    expect(writes()).toHaveLength(0);
  });

  it('creates a service request from the form once, even when the submission arrives twice', async () => {
    await bot.say('sr new');
    const form = cardOf(bot.take()[0]);
    expect(textOf(form)).toContain(SEED.supportTopics.billing.name);
    const submission = {
      nonce: nonceOf(form),
      title: 'Invoice shows a duplicate Azure charge',
      description: 'The November invoice lists the Azure plan twice.',
      severity: 'moderate',
      supportTopicId: SEED.supportTopics.billing.id,
      text: 'Invoice G0012345 attached by email.',
    };
    const [first, second] = await Promise.all([bot.execute(VERB.srCreate, submission), bot.execute(VERB.srCreate, submission)]);
    const posts = writes().filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe('/v1/servicerequests/en-US');
    expect(posts[0]!.body).toMatchObject({ Title: submission.title, Severity: 'moderate', Notes: [{ Text: submission.text }] });
    for (const r of [first, second]) expect(textOf(r.body.value)).toContain(submission.title);
    expect(textOf(first.body.value) + textOf(second.body.value)).toContain('already submitted');
  });

  it('re-renders an invalid form with a message next to each wrong field and the values kept', async () => {
    await bot.say('sr new');
    const nonce = nonceOf(cardOf(bot.take()[0]));
    const r = await bot.execute(VERB.srCreate, { nonce, title: '', description: 'd'.repeat(4_001), severity: 'apocalyptic', supportTopicId: SEED.supportTopics.billing.id });
    const card = r.body.value!;
    const text = textOf(card);
    expect(text).toContain('This field is required.');
    expect(text).toContain('At most 4,000 characters.');
    expect(text).toContain('Pick one of the options.');
    expect(text).toContain('Please correct the highlighted fields.');
    const description = JSON.stringify(card).includes('d'.repeat(100));
    expect(description).toBe(true);
    expect(writes()).toHaveLength(0);
  });

  it('refuses tampered form data of the wrong types, or without the form\'s nonce', async () => {
    for (const data of [
      { nonce: 'x', title: 't', description: 'd', severity: 'minimal', supportTopicId: SEED.supportTopics.billing.id },
      { title: { $ne: 1 }, description: ['d'], severity: 3, supportTopicId: null },
      { nonce: '3d7c0a4e-8b1f-4c2d-9e6a-5f4b3c2d1e0f', title: 't', description: 'd', severity: 'minimal', supportTopicId: '../../customers' },
    ]) {
      const r = await bot.execute(VERB.srCreate, data);
      expect(r.status).toBe(200);
      expect(textOf(r.body.value)).toMatch(/correct the highlighted|cannot use/);
    }
    expect(writes()).toHaveLength(0);
  });

  it('says plainly that Partner Center retired create, with a button to its web page', async () => {
    pc().setOptions({ decommissioned: { createServiceRequest: true } });
    await bot.say('sr new');
    const nonce = nonceOf(cardOf(bot.take()[0]));
    const r = await bot.execute(VERB.srCreate, { nonce, title: 't', description: 'd', severity: 'minimal', supportTopicId: SEED.supportTopics.billing.id });
    const card = r.body.value!;
    expect(textOf(card)).toMatch(/no longer offers this through its API/);
    expect(JSON.stringify(card)).toContain('https://partner.microsoft.com/dashboard/support/servicerequests');
  });

  it('answers a wrong id with a plain error card carrying the ids support needs', async () => {
    await bot.say('sr 999999999999999');
    const text = textOf(cardOf(bot.take()[0]));
    expect(text).toContain('I could not find service request 999999999999999: it does not exist, or your account cannot see it.');
    expect(text).toContain('Check the number: **sr list** lists your service requests.');
    expect(text).toMatch(/request id [0-9a-f-]{36}, correlation id [0-9a-f-]{36}/);
    expect(text).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
  });

  it('answers @mentions in a channel, in the thread, with the mention removed', async () => {
    await bot.say(`sr ${OPEN}`, { conversation: CHANNEL });
    const [reply] = bot.take();
    expect(reply!.conversationId).toBe(CHANNEL.id);
    expect(reply!.method).toBe('POST');
    expect(textOf(cardOf(reply))).toContain(SEED.serviceRequests.open.title);
    await bot.say(`sr note ${OPEN} from the group chat`, { conversation: GROUP, from: BOB });
    expect(pc().requests.at(-1)!.body).toEqual({ NewNote: { Text: 'from the group chat' } });
    // Bob acted as Bob: the token Partner Center got is his (his object id), and the note is his in its state.
    expect(jwtClaims(pc().requests.at(-1)!.token ?? '')).toMatchObject({ oid: BOB.aadObjectId, name: BOB.name });
    const notes = pc().data.serviceRequests.find((r) => r.resource.id === OPEN)!.resource.notes ?? [];
    expect(notes.at(-1)).toMatchObject({ text: 'from the group chat', createdByName: BOB.name });
  });

  it('speaks the user\'s language, and sends it to Partner Center', async () => {
    await bot.say(`sr ${OPEN}`, { locale: 'fr-FR' });
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Demande de service 616122292874576/);
    expect(pc().requests.at(-1)!.headers['x-locale']).toBe('fr-FR');
    await bot.say('sr new', { locale: 'it-IT' });
    const nonce = nonceOf(cardOf(bot.take()[0]));
    await bot.execute(
      VERB.srCreate,
      { nonce, title: 'Licenze', description: 'Problema', severity: 'minimal', supportTopicId: SEED.supportTopics.licensing.id },
      { locale: 'it-IT' },
    );
    expect(writes()[0]!.path).toBe('/v1/servicerequests/it-IT');
    bot.take();
    await bot.say('sr lsit', { locale: 'bg-BG' });
    expect(bot.take()[0]!.activity.text).toMatch(/sr list/);
    await bot.say('help', { locale: 'de-DE' });
    expect(textOf(cardOf(bot.take()[0]))).toContain('Run Partner Center work from chat');
  });
});
