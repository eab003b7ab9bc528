/**
 * `audit` tells each write by the sentence its command declares, and still shows a write no command
 * declares (one written by a newer version of the bot, or by a command since removed) rather than losing
 * it: named by what it changed, with its old → new and its ids. The trail is a real file store, planted
 * as a newer version would have left it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEED } from '../../dev/sandbox';
import { conversationKeyOf } from '../../src/notifications/watches';
import type { StateStore } from '../../src/storage';
import { createStateStore } from '../../src/storage/factory';
import { createLogger } from '../../src/logging/logger';
import { PERSONAL, cardOf, startTestBot, textOf, type TestBot } from '../support/teams';

const OPEN = SEED.serviceRequests.open;
const key = `audit/${conversationKeyOf({ channelId: 'msteams', conversation: { id: PERSONAL.id } as never })}`;
const by = { id: '29:alice', name: 'Alice Admin' };

describe('audit: each write told by its declaration, an undeclared one still shown', () => {
  let dataDir: string;
  let state: StateStore;
  let bot: TestBot;

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'audit-labels-'));
    state = createStateStore({ storage: { dataDir, container: 'partner-ops' } }, createLogger({ level: 'silent' }));
    bot = await startTestBot({}, { state, notifierAutoStart: false });
  });
  afterEach(async () => {
    await bot.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a note added now reads as a note; an action from a newer version reads as a change to its target', async () => {
    const later = {
      at: Date.UTC(2026, 11, 1, 9, 30),
      by,
      action: 'sr.reopen',
      target: OPEN.id,
      item: { kind: 'sr', id: OPEN.id, title: OPEN.title },
      changes: [{ field: 'Status', from: 'Closed', to: 'Open' }],
      requestId: 'req-from-a-newer-version',
      correlationId: 'corr-1',
    };
    await state.storage.write({ [key]: { value: [later], eTag: '*' } });

    await bot.say(`sr note ${OPEN.id} Called the customer back`);
    bot.take();
    await bot.say('audit');
    const shown = textOf(cardOf(bot.take()[0]));
    expect(shown).toContain(`Alice Admin added a note to service request ${OPEN.id} “${OPEN.title}”.`);
    expect(shown).toContain(`Alice Admin made a change in Partner Center: ${OPEN.id}.`);
    expect(shown).toContain('Status: Closed → Open');
    expect(shown).toContain('req-from-a-newer-version');

    await bot.say('audit', { locale: 'fr-FR' });
    expect(textOf(cardOf(bot.take()[0]))).toContain(`Alice Admin a fait une modification dans l’Espace partenaires\u00a0: ${OPEN.id}.`);
  });

  it('entries the bot wrote before read as they did: each action its sentence, older ones without an item by their target', async () => {
    const entry = (action: string, target: string, item?: object) => ({ at: Date.UTC(2026, 10, 2, 8, 0), by, action, target, ...(item ? { item } : {}), changes: [], correlationId: 'c' });
    const trail = [
      entry('sr.create', OPEN.id, { kind: 'sr', id: OPEN.id, title: OPEN.title }),
      entry('sr.note', OPEN.id, { kind: 'sr', id: OPEN.id, title: OPEN.title }),
      entry('sr.close', OPEN.id, { kind: 'sr', id: OPEN.id, title: OPEN.title }),
      entry('sub.update', 'contoso/a6c1', { kind: 'sub', id: 'a6c1', name: 'Microsoft 365 Business Basic', customer: 'Contoso' }),
      entry('profile.update', 'Support profile', { kind: 'profile' }),
      // Written before entries named their item: the sentence falls back on the target.
      entry('sr.close', '616122292871093'),
      entry('sub.update', 'fabrikam/1c3e'),
    ];
    await state.storage.write({ [key]: { value: trail, eTag: '*' } });
    await bot.say('audit');
    const shown = textOf(cardOf(bot.take()[0]));
    for (const line of [
      `Alice Admin created service request ${OPEN.id} “${OPEN.title}”.`,
      `Alice Admin added a note to service request ${OPEN.id} “${OPEN.title}”.`,
      `Alice Admin closed service request ${OPEN.id} “${OPEN.title}”.`,
      'Alice Admin changed the subscription Microsoft 365 Business Basic of Contoso.',
      'Alice Admin changed the support profile.',
      'Alice Admin closed service request 616122292871093 “—”.',
      'Alice Admin changed the subscription fabrikam/1c3e of —.',
    ]) {
      expect(shown).toContain(line);
    }
  });
});
