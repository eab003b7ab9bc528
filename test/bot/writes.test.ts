/**
 * Truthful, at-most-once writes, through the Bot Framework protocol against the sandbox's fault knobs: what
 * the user is told, what Partner Center received, and what the audit trail kept.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SEED } from '../../dev/sandbox';
import { VERB } from '../../src/cards/verbs';
import { FileStateStore, stateFileName } from '../../src/storage/file';
import { conversationKeyOf } from '../../src/notifications/watches';
import { fixture } from '../fixtures/partner-center';
import { cardOf, PERSONAL, startTestBot, textOf, type ConnectorCall, type TestBot } from '../support/teams';
import { until } from '../support/until';

const OPEN = SEED.serviceRequests.open.id;
const SR_PATH = `/v1/servicerequests/${OPEN}`;
const CONTOSO = SEED.customers.contoso.id;
const NCE = SEED.subscriptions.contosoNce.id;
const SUB_PATH = `/v1/customers/${CONTOSO}/subscriptions/${NCE}`;

function noteNonceOf(card: unknown): string {
  return JSON.stringify(card).match(/"nonce":"([0-9a-f-]{36})"/)![1]!;
}

describe('writes: applied, refused or unknown, and never twice', () => {
  let bot: TestBot;
  const dirs: string[] = [];
  afterEach(async () => {
    await bot.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const pc = () => bot.running.sandbox!;
  const writes = () => pc().requests.filter((r) => r.method !== 'GET');
  /** What the connector received since the last look, typing indicators left out. */
  const posted = () => bot.take().filter((c) => c.activity.type !== 'typing');
  /** Waits for a card the bot sends later (after the invoke deadline) that matches. */
  const later = async (match: (c: ConnectorCall) => boolean, ms = 5_000): Promise<ConnectorCall> => {
    let found: ConnectorCall | undefined;
    const seen: ConnectorCall[] = [];
    await until(() => {
      seen.push(...posted());
      found = seen.find(match);
      return !!found;
    }, ms);
    return found!;
  };
  const notesOf = (id: string) => pc().data.serviceRequests.find((s) => s.resource.id === id)!.resource.notes;

  it('shows a customer\'s documented subscriptions even when one item cannot be read', async () => {
    bot = await startTestBot();
    pc().injectFault({ method: 'GET', path: `/v1/customers/${CONTOSO}/subscriptions`, status: 200, body: fixture('subscription-collection') });
    await bot.say(`sub list ${CONTOSO}`);
    const text = textOf(cardOf(bot.take()[0]));
    expect(text).toMatch(/Premium seats[\s\S]*Suspended/);
    expect(text).toContain('Office 365 E1');
    expect(text).toContain('Microsoft 365 Business Standard');
    expect(text).toContain('1 item Partner Center sent could not be read, so it is not shown.');
  });

  it('changes seats on a new-commerce subscription shaped as Microsoft documents it, and shows what can still be removed', async () => {
    bot = await startTestBot();
    pc().injectFault({ method: 'GET', path: SUB_PATH, status: 200, body: fixture('subscription-nce') });
    await bot.say(`sub ${CONTOSO} ${NCE}`);
    const card = textOf(cardOf(bot.take()[0]));
    expect(card).toMatch(/Seats that can still be removed[\s\S]*5 seats until/);
    expect(card).toContain('Cancel subscription');
  });

  it('reads a subscription by tenant id with two reads before the write: the customer, then the subscription once', async () => {
    bot = await startTestBot();
    await bot.say(`sub set ${CONTOSO} ${NCE} friendlyName="Front office"`);
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/Front office/);
    expect(pc().requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/customers/${CONTOSO}`, `GET ${SUB_PATH}`, `PATCH ${SUB_PATH}`]);
  });

  it('reports a change Partner Center answered 200 as applied, even when its body has shapes the bot does not know', async () => {
    bot = await startTestBot();
    const body = { ...fixture('subscription-nce'), friendlyName: 'Front office', quantity: 'twenty-five', status: { code: 1 }, refundableQuantity: 5 };
    pc().injectFault({ method: 'PATCH', path: SUB_PATH, status: 200, body });
    await bot.say(`sub set ${CONTOSO} ${NCE} friendlyName="Front office"`);
    const text = textOf(cardOf(bot.take()[0]));
    expect(text).toMatch(/Alice Admin changed this/);
    expect(text).not.toMatch(/did not work|Nothing was changed/);
    await bot.say('audit');
    expect(textOf(cardOf(bot.take()[0]))).toContain('Front office');
  });

  it('finishes a note that outlasts the invoke deadline: the card ends showing it, the audit has it, a second click sends nothing', async () => {
    bot = await startTestBot({}, { bot: { invokeDeadlineMs: 300 } });
    await bot.say(`sr ${OPEN}`);
    const card = cardOf(bot.take()[0]);
    const nonce = noteNonceOf(card);
    pc().injectFault({ method: 'PATCH', path: SR_PATH, delayMs: 1_000 });
    const first = await bot.execute(VERB.srNote, { id: OPEN, text: 'Slow note', nonce }, { replyToId: 'msg-sr' });
    expect(textOf(first.body.value)).toMatch(/^Adding your note… Partner Center is taking a moment; this card will update/);
    const updated = await later((c) => c.method === 'PUT' && /Slow note/.test(textOf(c.activity)));
    expect(textOf(cardOf(updated))).toMatch(/Your note was added[\s\S]*Slow note/);
    const again = await bot.execute(VERB.srNote, { id: OPEN, text: 'Slow note', nonce }, { replyToId: 'msg-sr' });
    expect(textOf(again.body.value)).toContain('Slow note');
    expect(writes()).toHaveLength(1);
    expect(notesOf(OPEN)!.filter((n) => n.text === 'Slow note')).toHaveLength(1);
    await bot.say('audit');
    expect(textOf(cardOf(posted().at(-1)))).toMatch(/Slow note/);
  });

  it('creates one service request when the POST outlasts the request timeout, and shows it', async () => {
    bot = await startTestBot({ PARTNER_CENTER_TIMEOUT_MS: '1000' }, { bot: { invokeDeadlineMs: 500 } });
    const title = `Timeout test ${randomUUID().slice(0, 8)}`;
    pc().injectFault({ method: 'POST', path: '/v1/servicerequests/en-US', delayMs: 1_500 });
    const nonce = randomUUID();
    const first = await bot.execute(VERB.srCreate, { nonce, title, description: 'The answer is lost', severity: 'minimal', supportTopicId: SEED.supportTopics.billing.id }, { replyToId: 'msg-form' });
    expect(textOf(first.body.value)).toMatch(/^Creating the service request… Partner Center is taking a moment/);
    const shown = await later((c) => c.method === 'PUT' && textOf(c.activity).includes(title), 15_000);
    expect(textOf(cardOf(shown))).toMatch(/was created[\s\S]*I read it back: the change is there/);
    expect(writes()).toHaveLength(1);
    expect(pc().data.serviceRequests.filter((s) => s.resource.title === title)).toHaveLength(1);
  });

  it('adds a note once when Teams delivers the same message twice', async () => {
    bot = await startTestBot();
    const id = randomUUID();
    await bot.say(`sr note ${OPEN} Delivered twice`, { id });
    await bot.say(`sr note ${OPEN} Delivered twice`, { id });
    expect(writes()).toHaveLength(1);
    expect(notesOf(OPEN)!.filter((n) => n.text === 'Delivered twice')).toHaveLength(1);
    const replies = posted();
    expect(replies).toHaveLength(2);
    for (const r of replies) expect(textOf(cardOf(r))).toMatch(/Your note was added/);
  });

  it('tells the truth when the audit store fails after Partner Center applied the note', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'partner-ops-writes-'));
    dirs.push(dir);
    const store = new FileStateStore(dir);
    bot = await startTestBot({}, { state: store });
    // Where this chat's audit trail is kept is taken by a directory: every audit write fails, as on a broken disk.
    const auditFile = path.join(dir, stateFileName(`audit/${conversationKeyOf({ channelId: 'msteams', conversation: { id: PERSONAL.id } as never })}`));
    mkdirSync(auditFile, { recursive: true });
    writeFileSync(path.join(auditFile, 'blocker'), 'x');
    await bot.say(`sr note ${OPEN} Audit store down`);
    const text = textOf(cardOf(posted()[0]));
    expect(text).toMatch(/Done in Partner Center; the audit record could not be saved/);
    expect(text).toContain('Audit store down');
    expect(text).not.toMatch(/Nothing was changed/);
    expect(notesOf(OPEN)!.filter((n) => n.text === 'Audit store down')).toHaveLength(1);
  });

  it('never says "nothing was changed" when the reply fails after an applied write', async () => {
    bot = await startTestBot();
    bot.connector.failNext(429, 1, { 'Retry-After': '1' });
    await bot.say(`sr note ${OPEN} Reply throttled`);
    const seen = posted().map((c) => textOf(c.activity)).join('\n');
    expect(seen).not.toMatch(/Nothing was changed/);
    expect(notesOf(OPEN)!.filter((n) => n.text === 'Reply throttled')).toHaveLength(1);
  });

  it('says "nothing was changed" when Partner Center refuses a write', async () => {
    bot = await startTestBot();
    pc().injectFault({ method: 'PATCH', path: SR_PATH, status: 403, body: { code: '403', description: 'Forbidden', data: [], source: 'PartnerFD' } });
    await bot.say(`sr note ${OPEN} Refused note`);
    expect(textOf(cardOf(bot.take()[0]))).toMatch(/not allowed[\s\S]*refused the change, so nothing was changed/);
  });

  it('says it could not confirm a write whose answer was lost and that reading back does not show', async () => {
    bot = await startTestBot({ PARTNER_CENTER_VERIFY_WAIT_MS: '1500' });
    pc().injectFault({ method: 'PATCH', path: SR_PATH, reset: true });
    await bot.say(`sr note ${OPEN} Lost in transit`);
    const text = textOf(cardOf(posted()[0]));
    expect(text).toMatch(/could not confirm this change/);
    expect(text).not.toMatch(/Nothing was changed|did not work/);
    expect(writes()).toHaveLength(1); // never sent again blindly
    // Read back a few times within the bounded wait, never forever.
    expect(pc().requests.filter((r) => r.method === 'GET').length).toBeGreaterThan(1);
  });

  it('sends a note once when Partner Center answers 503, and says it could not confirm it', async () => {
    bot = await startTestBot({ PARTNER_CENTER_VERIFY_WAIT_MS: '1500' });
    pc().injectFault({ method: 'PATCH', path: SR_PATH, status: 503, times: 3, body: { code: '503', description: 'Service unavailable', data: [], source: 'PartnerFD' } });
    await bot.say(`sr note ${OPEN} Answered 503`);
    const text = textOf(cardOf(posted()[0]));
    expect(writes()).toHaveLength(1); // a 5xx may follow an applied write: a note is never sent again
    expect(text).toMatch(/could not confirm this change/);
    expect(text).not.toMatch(/Nothing was changed|did not work/);
    expect((notesOf(OPEN) ?? []).map((n) => n.text)).not.toContain('Answered 503');
  });
});
