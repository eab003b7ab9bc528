/**
 * Requests sent straight at the bot's front door, past the Teams helpers: tests that probe what the door
 * accepts or refuses start from the same well-formed personal message and change only what they try.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../src/logging/logger';
import { ALICE, BOT, TENANT, startTestBot, type TestBot } from './teams';

/** A well-formed Teams message from Alice in a personal chat with the bot, with `over` laid on top. */
export function rawActivity(bot: TestBot, conversationId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: bot.connector.url,
    from: { id: ALICE.id, name: ALICE.name, aadObjectId: ALICE.aadObjectId },
    recipient: BOT,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
    text: 'help',
    locale: 'en-US',
    ...over,
  };
}

/** For a describe block: one bot for all its tests (started before the first, closed after the last), logging to `logger`. */
export function botPerFile(logger: Logger): { readonly bot: TestBot } {
  let bot: TestBot | undefined;
  beforeAll(async () => {
    bot = await startTestBot({}, {}, logger);
  });
  afterAll(async () => {
    await bot?.close();
  });
  return {
    get bot() {
      if (!bot) throw new Error('the bot runs only inside a test (started in beforeAll)');
      return bot;
    },
  };
}
