/**
 * What the bot says when nobody typed a command: the welcome on install (the help card in a personal chat,
 * one line in a group chat or channel, once per conversation), and nothing at all when someone sends a card
 * into the chat (an unfurled link, a message-extension result).
 */
import { randomUUID } from 'node:crypto';
import { ALICE, BOT, CHANNEL, GROUP, PERSONAL, TENANT, cardOf, startTestBot, textOf, type Conversation, type TestBot } from '../support/teams';

describe('the welcome, and quiet when a card is sent into the chat', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(() => bot.close());

  /** Posts any activity from Alice in a conversation, as Teams would; resolves with the HTTP status. */
  async function send(conversation: Conversation, fields: Record<string, unknown>): Promise<number> {
    const res = await fetch(bot.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: randomUUID(),
        channelId: 'msteams',
        serviceUrl: bot.connector.url,
        locale: 'en-US',
        from: { id: ALICE.id, name: ALICE.name, aadObjectId: ALICE.aadObjectId },
        recipient: BOT,
        conversation: { id: conversation.id, conversationType: conversation.conversationType, tenantId: TENANT, isGroup: conversation.conversationType !== 'personal' },
        channelData: { tenant: { id: TENANT }, ...(conversation.conversationType === 'channel' ? { channel: { id: '19:general@thread.tacv2' }, team: { id: '19:team@thread.tacv2' } } : {}) },
        ...fields,
      }),
    });
    await res.text();
    return res.status;
  }
  const install = (c: Conversation) => send(c, { type: 'installationUpdate', action: 'add' });
  /** What the bot posted since the last look, typing indicators left out. */
  const posted = () => bot.take().filter((c) => c.activity.type !== 'typing');

  it('welcomes a personal chat with the help card, once, however often it is installed or reloaded', async () => {
    expect(await install(PERSONAL)).toBe(200);
    const welcome = posted();
    expect(welcome).toHaveLength(1);
    expect(textOf(cardOf(welcome[0]))).toMatch(/Hello! I am Partner Ops[\s\S]*sr list/);
    await install(PERSONAL);
    await send(PERSONAL, { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }] });
    expect(posted()).toHaveLength(0);
  });

  it.each([
    ['group chat', GROUP],
    ['channel', CHANNEL],
  ])('welcomes a %s with one line pointing to help, not the help card, once', async (_name, conversation) => {
    await install(conversation);
    const welcome = posted();
    expect(welcome).toHaveLength(1);
    expect(welcome[0]!.activity.attachments ?? []).toHaveLength(0);
    expect(welcome[0]!.activity.text).toBe('Hello! I am Partner Ops: Partner Center in Teams, acting as each of you. @mention me with **help** to see what I can do.');
    await install(conversation);
    await send(conversation, { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }] });
    expect(posted()).toHaveLength(0);
  });

  const card = { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.3', body: [{ type: 'TextBlock', text: 'Contoso Ltd' }] } };
  it.each([
    ['an unfurled link', { text: 'https://partner.microsoft.com/dashboard/commerce2/customers/9f3c1d2e-0000-4000-8000-000000000001', attachments: [card] }],
    ['a message-extension result with no text', { text: '', attachments: [card] }],
    ["Teams' attachment placeholder", { text: '<attachment id="a1b2"></attachment>', attachments: [{ ...card, id: 'a1b2' }] }],
    ['a hero card with a linked URL', { text: '<a href="https://partner.microsoft.com/x">https://partner.microsoft.com/x</a>', attachments: [{ contentType: 'application/vnd.microsoft.card.hero', content: { title: 'x' } }] }],
  ])('stays quiet when someone sends %s into the chat', async (_name, fields) => {
    expect(await send(PERSONAL, { type: 'message', ...fields })).toBe(200);
    expect(posted()).toHaveLength(0);
  });

  it('still answers a command that comes with a card, and an empty message without one', async () => {
    await send(PERSONAL, { type: 'message', text: 'help', attachments: [card] });
    expect(textOf(cardOf(posted()[0]))).toMatch(/sr list/);
    await send(PERSONAL, { type: 'message', text: '' });
    expect(textOf(cardOf(posted()[0]))).toMatch(/Type a command/);
  });
});
