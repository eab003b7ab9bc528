/**
 * Confirmations and navigation in the real Agents Playground (en-US, clicked as a user would):
 *
 * - a risky change shows a confirmation card that names what it changes, old → new and the consequence;
 *   Confirm applies it and the card shows the result; the other button keeps everything as it was;
 * - a list stays usable: open an item from it, get back to the list, open another (issue 12: "list rows
 *   and buttons open the item in a new card, or offer Back to the list"). Either way is accepted.
 *
 * Wording is matched loosely where the card-wording work changes it ("Confirm the change to X" or
 * "Change X of Customer?"; "Cancel" or "Keep as is"), and checked against the sandbox's data.
 * Screenshots: test-results/browser/confirmations-navigation/.
 */
import type { Locator } from 'playwright-core';
import { SEED } from '../../dev/sandbox';
import { SETUP_TIMEOUT_MS, TEST_TIMEOUT_MS, cards, openChat, sendAndWaitForCard, startStack, waitForText, type Stack } from './harness';

const { contoso, contosoPharma } = SEED.customers;
const { contosoNce } = SEED.subscriptions;
const { attentionNeeded, partnerProfile } = SEED.serviceRequests;

let s: Stack;

beforeAll(async () => {
  s = await startStack('confirmations-navigation');
  await openChat(s.page, 'Personal Chat');
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await s?.stop();
}, SETUP_TIMEOUT_MS);

const lastText = (seen: string[]) => seen[seen.length - 1]!;
/** Still a confirmation: its Confirm button is there (innerText lists buttons one per line). */
const confirming = (t: string) => /(^|\n)Confirm(\n|$)/.test(t);

test(
  'sr close: the confirmation names the request and Open → Closed; Confirm closes it and the card says so',
  async () => {
    await s.step('sr-close', async () => {
      const card = await sendAndWaitForCard(s.page, `sr close ${partnerProfile.id}`);
      const confirm = lastText(await waitForText(card, new RegExp(`Close service request ${partnerProfile.id}`)));
      expect(confirm).toMatch(/Open → Closed/);
      expect(confirm).toMatch(/Microsoft support stops working on it/);
      await expect(card.getByRole('button', { name: 'Confirm' }).isVisible()).resolves.toBe(true);
      await s.shot('sr-close-confirmation');

      await card.getByRole('button', { name: 'Confirm' }).click();
      const result = lastText(await waitForText(card, (t) => /Status\s+Closed/.test(t) && !confirming(t)));
      expect(result).toContain(partnerProfile.title);
      await s.shot('sr-close-result');
      const stored = s.bot.sandbox!.data.serviceRequests.find((r) => r.resource.id === partnerProfile.id);
      expect(stored?.resource.status).toBe('closed');
    });
  },
  TEST_TIMEOUT_MS,
);

test(
  'sub set autorenew=off: the confirmation names the subscription, On → Off and the consequence; keeping it as is changes nothing',
  async () => {
    await s.step('sub-keep', async () => {
      const card = await sendAndWaitForCard(s.page, `sub set ${contoso.domain} ${contosoNce.id} autorenew=off`);
      const confirm = lastText(await waitForText(card, /Confirm the change to Microsoft 365 Business Basic|Change .*Microsoft 365 Business Basic.* of .*Contoso/));
      expect(confirm).toMatch(/Auto-renew\s+On → Off/);
      expect(confirm).toMatch(/instead of renewing/);
      await s.shot('sub-autorenew-confirmation');

      await card.getByRole('button', { name: /^(Keep as is|Cancel)$/ }).click();
      const kept = lastText(await waitForText(card, /nothing was sent to Partner Center/));
      expect(confirming(kept)).toBe(false);
      await s.shot('sub-autorenew-kept');
      const stored = s.bot.sandbox!.data.subscriptions.find((x) => x.resource.id === contosoNce.id);
      expect(stored?.resource.autoRenewEnabled).toBe(true);
    });
  },
  TEST_TIMEOUT_MS,
);

test(
  'sub suspend: the confirmation says Active → Suspended and what users lose; Confirm suspends it',
  async () => {
    await s.step('sub-suspend', async () => {
      const card = await sendAndWaitForCard(s.page, `sub suspend ${contoso.domain} ${contosoNce.id}`);
      const confirm = lastText(await waitForText(card, /Active → Suspended/));
      expect(confirm).toMatch(/Microsoft 365 Business Basic/);
      expect(confirm).toMatch(/lose access/);
      await s.shot('sub-suspend-confirmation');

      await card.getByRole('button', { name: 'Confirm' }).click();
      const result = lastText(await waitForText(card, (t) => /Suspended/.test(t) && !confirming(t), 60_000));
      expect(result).toMatch(/Status:? Active → Suspended|Status\s+Suspended/);
      await s.shot('sub-suspend-result');
      const stored = s.bot.sandbox!.data.subscriptions.find((x) => x.resource.id === contosoNce.id);
      expect(stored?.resource.status).toBe('suspended');
    });
  },
  TEST_TIMEOUT_MS,
);

/**
 * After opening `opened` from the list card `list`, the list is usable again: either it is still showing
 * (the item opened in a new card) or the item's card has a button back to it. Returns the card that shows
 * the list afterwards.
 */
async function backToList(list: Locator, listPattern: RegExp, name: string): Promise<Locator> {
  if (listPattern.test(await list.innerText())) return list; // a new card for the item: the list stayed
  const back = list.getByRole('button', { name: /back|list/i });
  await back.first().waitFor({ timeout: 5_000 }).catch(async () => {
    throw new Error(`No way back to the list (${name}): the item replaced the list and offers no "Back to the list". The card:\n${await list.innerText()}`);
  });
  await back.first().click();
  await waitForText(list, listPattern);
  return list;
}

/** The card that shows `pattern` after a click: a new card, or the clicked card itself. */
async function opened(clicked: Locator, before: number, pattern: RegExp): Promise<Locator> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const count = await cards(s.page).count();
    for (let i = before; i < count; i++) {
      const c = cards(s.page).nth(i);
      if (pattern.test(await c.innerText().catch(() => ''))) return c;
    }
    if (pattern.test(await clicked.innerText().catch(() => ''))) return clicked;
    if (Date.now() > deadline) throw new Error(`nothing showed ${String(pattern)} after the click`);
    await s.page.waitForTimeout(200);
  }
}

// Navigation (issue 12): an item opened from a list offers the way back, so the list stays usable.
test(
  'sr list: open a request, get back to the list, open another',
  async () => {
    await s.step('nav-sr', async () => {
      const listPattern = new RegExp(`Service requests[\\s\\S]*${attentionNeeded.title}[\\s\\S]*${partnerProfile.title}`);
      let list = await sendAndWaitForCard(s.page, 'sr list');
      await waitForText(list, listPattern);
      await s.shot('nav-sr-list');

      let before = await cards(s.page).count();
      await list.getByText(attentionNeeded.title).first().click();
      await opened(list, before, new RegExp(`Service request ${attentionNeeded.id}`));
      await s.shot('nav-sr-first-opened');

      list = await backToList(list, listPattern, 'sr list');
      await s.shot('nav-sr-back-to-list');
      before = await cards(s.page).count();
      await list.getByText(partnerProfile.title).first().click();
      await opened(list, before, new RegExp(`Service request ${partnerProfile.id}`));
      await s.shot('nav-sr-second-opened');
    });
  },
  TEST_TIMEOUT_MS,
);

test(
  'customer find: open a customer\'s subscriptions, get back to the customers, open another\'s',
  async () => {
    await s.step('nav-customers', async () => {
      const listPattern = new RegExp(`${contoso.companyName}[\\s\\S]*${contosoPharma.companyName}`);
      let list = await sendAndWaitForCard(s.page, 'customer find contoso');
      await waitForText(list, listPattern);
      await s.shot('nav-customer-list');

      const subscriptionsOf = (l: Locator, company: string) =>
        l.locator('.ac-container').filter({ hasText: company }).getByRole('button', { name: /Subscriptions/ }).first();
      let before = await cards(s.page).count();
      await subscriptionsOf(list, contoso.companyName).click();
      await opened(list, before, /Microsoft 365 Business Basic/);
      await s.shot('nav-customer-subscriptions');

      list = await backToList(list, listPattern, 'customer find');
      before = await cards(s.page).count();
      await subscriptionsOf(list, contosoPharma.companyName).click();
      await opened(list, before, /Microsoft 365 Business Standard/);
      await s.shot('nav-customer-second-subscriptions');
    });
  },
  TEST_TIMEOUT_MS,
);
