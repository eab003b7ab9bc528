/**
 * The personal chat with the bot, in the real Agents Playground in a real browser: help, a service request
 * through the form, a seat change through the subscription form and its confirmation card, and a
 * support-profile update. Each scenario checks the card a user sees and, through the sandbox's data, that
 * Partner Center really changed.
 *
 * Needs Debian's Chromium at /usr/bin/chromium (CI installs it: .ci/install-system-deps).
 * Screenshots, logs and WebSocket frames: test-results/browser/personal-chat/.
 */
import { SEED } from '../../dev/sandbox';
import {
  SETUP_TIMEOUT_MS,
  artifact,
  TEST_TIMEOUT_MS,
  openChat,
  sendAndWaitForCard,
  startStack,
  waitForText,
  type Stack,
} from './harness';

let s: Stack;

beforeAll(async () => {
  s = await startStack('personal-chat');
  await openChat(s.page, 'Personal Chat');
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await s?.stop();
}, SETUP_TIMEOUT_MS);

test(
  'the mock tenant from .m365agentsplayground.yml is loaded: chats, team and channels',
  async () => {
    const items = await s.page.getByRole('treeitem').allInnerTexts();
    const flat = items.map((t) => t.replace(/\s+/g, ' ').trim());
    expect(flat).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Personal Chat'),
        expect.stringContaining('Litware support desk'),
        expect.stringMatching(/General.*Litware CSP Operations/),
        expect.stringMatching(/Support.*Litware CSP Operations/),
      ]),
    );
    await expect(s.page.getByText('Alex Wilber').first().isVisible()).resolves.toBe(true);
    await s.shot('playground-opened');
  },
  TEST_TIMEOUT_MS,
);

test(
  'help answers with the command card',
  async () => {
    await s.step('help', async () => {
      const card = await sendAndWaitForCard(s.page, 'help');
      await waitForText(card, /sr new[\s\S]*sub set[\s\S]*profile set/);
      await card.scrollIntoViewIfNeeded();
      await s.shot('help');
    });
  },
  TEST_TIMEOUT_MS,
);

// Teams' Markdown drops `<id>`-style placeholders, so "sr note <id> <text>" read "sr note" (issue 12): usage
// shows «arguments» instead, and every line must keep them.
test(
  'help: every usage line keeps its arguments as Teams renders them',
  async () => {
    await s.step('help-usage', async () => {
      const card = await sendAndWaitForCard(s.page, 'help');
      const text = (await waitForText(card, /sr new[\s\S]*profile set/)).pop()!;
      const lines = text.split('\n').map((l) => l.trim());
      const holes = ['sr', 'sr note', 'sr close', 'customer find', 'sub list', 'sub', 'sub set', 'unwatch', 'watch subs'].filter((cmd) => lines.includes(cmd));
      expect(holes).toEqual([]);
      await s.shot('help-usage');
    });
  },
  TEST_TIMEOUT_MS,
);

test(
  'sr new: fill the form, pick severity and topic, submit, see the created service request',
  async () => {
    const page = s.page;
    const title = 'Browser test: licenses missing after renewal';
    await s.step('sr-new', async () => {
      const card = await sendAndWaitForCard(page, 'sr new');
      await waitForText(card, /New service request/);
      await card.getByRole('textbox', { name: 'Title' }).fill(title);
      await card.getByRole('textbox', { name: 'Description' }).fill('Five users lost their licenses after the renewal on Monday.');
      await card.getByRole('combobox', { name: 'Severity' }).click();
      await page.getByRole('option', { name: 'Critical' }).click();
      await card.getByRole('combobox', { name: 'Support topic' }).click();
      await page.getByRole('option', { name: SEED.supportTopics.licensing.name }).click();
      await card.getByRole('textbox', { name: /First note/ }).fill('Affected: adele@contoso.com and 4 others.');
      await s.shot('sr-new-form-filled');

      await card.getByRole('button', { name: 'Create service request' }).click();
      const seen = await waitForText(card, /Service request \d+ was created/);
      const text = seen[seen.length - 1];
      expect(text).toContain(title);
      expect(text).toMatch(/Severity\s+Critical/);
      expect(text).toMatch(/Support topic\s+Licensing and license assignment/);
      expect(text).toMatch(/Status\s+Open/);
      await s.shot('sr-new-created');

      const id = /Service request (\d+) was created/.exec(text)![1];
      const stored = s.bot.sandbox!.data.serviceRequests.find((r) => r.resource.id === id);
      expect(stored?.resource.title).toBe(title);
      expect(stored?.resource.severity).toBe('critical');
    });
  },
  TEST_TIMEOUT_MS,
);

test(
  'seat change: 25 → 23 through the subscription form, the confirmation card, Confirm, then 23',
  async () => {
    const page = s.page;
    const { contoso } = SEED.customers;
    const { contosoNce } = SEED.subscriptions;
    await s.step('sub-seats', async () => {
      const card = await sendAndWaitForCard(page, `sub ${contoso.domain} ${contosoNce.id}`);
      await waitForText(card, /Microsoft 365 Business Basic[\s\S]*Seats\s+25/);
      const seats = card.getByRole('spinbutton', { name: 'Seats' });
      await expect(seats.inputValue()).resolves.toBe('25');
      await seats.fill('23');
      await s.shot('sub-form-23');

      await card.getByRole('button', { name: 'Save' }).click();
      // "Confirm the change to X", or with the card-wording work "Change X of Contoso Ltd?" (naming the customer).
      const confirm = await waitForText(card, /Confirm the change to Microsoft 365 Business Basic|Change .*Microsoft 365 Business Basic.* of .*Contoso/);
      expect(confirm[confirm.length - 1]).toMatch(/25 → 23/);
      await s.shot('sub-confirmation');

      await card.getByRole('button', { name: 'Confirm' }).click();
      // The sandbox answers 202 and applies the change ~1.5 s later: the card may first say it is in
      // progress, then the bot's follow-up replaces it. Either way it must end showing 23 seats.
      const seen = await waitForText(card, (t) => /Seats\s+23\b/.test(t) && !/still applying|Confirm the change|(^|\n)Confirm(\n|$)/.test(t), 60_000);
      const final = seen[seen.length - 1];
      expect(final).toMatch(/Seats: 25 → 23/);
      // What the user saw on the way (confirmation, maybe "in progress", then the result).
      artifact(s.artifacts, 'seat-change-card-states.txt', seen.join('\n\n-----\n\n'));
      await s.shot('sub-seats-23');

      const stored = s.bot.sandbox!.data.subscriptions.find((x) => x.resource.id === contosoNce.id);
      expect(stored?.resource.quantity).toBe(23);
      expect(stored?.pending).toBeNull();
    });
  },
  TEST_TIMEOUT_MS,
);

test(
  'profile: change the support email and phone through the form',
  async () => {
    const page = s.page;
    await s.step('profile', async () => {
      const card = await sendAndWaitForCard(page, 'profile');
      await waitForText(card, /Support profile/);
      await expect(card.getByRole('textbox', { name: 'Support email' }).inputValue()).resolves.toBe(SEED.supportProfile.email);
      await card.getByRole('textbox', { name: 'Support email' }).fill('helpdesk@litwarecsp.com');
      await card.getByRole('textbox', { name: 'Support phone' }).fill('+1 425 555 0199');
      await s.shot('profile-form-filled');

      await card.getByRole('button', { name: 'Save' }).click();
      const seen = await waitForText(card, /changed this[\s\S]*Support email: support@litwarecsp\.com → helpdesk@litwarecsp\.com/);
      expect(seen[seen.length - 1]).toMatch(/Support phone: .* → \+1 425 555 0199/);
      await expect(card.getByRole('textbox', { name: 'Support email' }).inputValue()).resolves.toBe('helpdesk@litwarecsp.com');
      await s.shot('profile-updated');

      expect(s.bot.sandbox!.data.supportProfile).toMatchObject({
        email: 'helpdesk@litwarecsp.com',
        telephone: '+1 425 555 0199',
        website: SEED.supportProfile.website,
      });
    });
  },
  TEST_TIMEOUT_MS,
);
