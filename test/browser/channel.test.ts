/**
 * A team channel in the real Agents Playground: the bot hears only @mentions there. Type `@`, pick the bot
 * from the mention list, type a command, post; the bot must strip its own mention, answer in the thread,
 * and its card's Action.Execute buttons must work in the channel too.
 *
 * Needs Debian's Chromium at /usr/bin/chromium (CI installs it: .ci/install-system-deps).
 * Screenshots, logs and WebSocket frames: test-results/browser/channel/.
 */
import { SEED } from '../../dev/sandbox';
import { SETUP_TIMEOUT_MS, TEST_TIMEOUT_MS, cards, composer, openChat, startStack, waitForText, type Stack } from './harness';

let s: Stack;

beforeAll(async () => {
  s = await startStack('channel');
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await s?.stop();
}, SETUP_TIMEOUT_MS);

test(
  '@Partner Ops sr <id> in the Support channel: mention stripped, card in the thread, card actions work',
  async () => {
    const page = s.page;
    const open = SEED.serviceRequests.open;
    await s.step('channel-mention', async () => {
      await openChat(page, /Support\s*Litware CSP Operations/);
      const box = composer(page);
      await box.click();
      await box.pressSequentially('@');
      await page.getByRole('menuitem', { name: 'Partner Ops' }).click();
      await box.pressSequentially(` sr ${open.id}`);
      await s.shot('channel-mention-typed');

      const before = await cards(page).count();
      await page.getByRole('button', { name: 'Post' }).click();
      const card = cards(page).nth(before);
      await card.waitFor();
      // Had the mention not been stripped, the command would not parse and no service request would show.
      const seen = await waitForText(card, new RegExp(`Service request ${open.id}[\\s\\S]*${open.title}`));
      expect(seen[seen.length - 1]).toMatch(/Status\s+Open/);
      // The post shows the mention as the user typed it, and the bot's answer in its thread.
      await expect(page.getByText(`sr ${open.id}`).first().isVisible()).resolves.toBe(true);
      await s.shot('channel-mention-answered');

      // Refresh (Action.Execute from a channel): the bot reads the request again from Partner Center and
      // the card still shows it. (The Playground's own "response sent" toast comes and goes too fast to wait on.)
      const reads = () => s.bot.sandbox!.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/servicerequests/${open.id}`)).length;
      const readsBefore = reads();
      await card.getByRole('button', { name: 'Refresh' }).click();
      const deadline = Date.now() + 30_000;
      while (reads() <= readsBefore && Date.now() < deadline) await page.waitForTimeout(100);
      expect(reads()).toBeGreaterThan(readsBefore);
      await waitForText(card, new RegExp(`Service request ${open.id}[\\s\\S]*${open.title}`));
      await s.shot('channel-card-refreshed');
    });
  },
  TEST_TIMEOUT_MS,
);
