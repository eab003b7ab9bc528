/**
 * The message extension's cards as a person sees them: the bot answers real `composeExtension/query`,
 * `selectItem` and `queryLink` invokes (the Playground cannot send `selectItem`), and each card it returns is
 * drawn by the official Adaptive Cards renderer in Chromium. Screenshots in test-results/browser/extension/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { SEED } from '../../dev/sandbox';
import type { AdaptiveCard } from '../../src/cards/render';
import { GROUP, startTestBot, textOf, type TestBot } from '../support/teams';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from './harness';

const OUT = path.join(__dirname, '..', '..', 'test-results', 'browser', 'extension');
const RENDERER = require.resolve('adaptivecards/dist/adaptivecards.js');
const C = SEED.customers;
const SR = SEED.serviceRequests;

interface Attachment {
  content: AdaptiveCard;
  preview?: { content: { title: string; text: string; tap: { value: Record<string, string> } } };
}
type Answer = { composeExtension: { type: string; attachments?: Attachment[] } };

describe('message extension cards, drawn by the Adaptive Cards renderer', () => {
  let bot: TestBot;
  let browser: Browser;
  beforeAll(async () => {
    requireChromium();
    mkdirSync(OUT, { recursive: true });
    bot = await startTestBot();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
  });

  /** Draws a card with the official renderer and saves a screenshot; returns the text it shows. */
  async function draw(card: AdaptiveCard, file: string): Promise<string> {
    const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
    try {
      await page.setContent('<html><body style="font-family: Segoe UI, sans-serif; margin: 16px; width: 440px"><div id="card"></div></body></html>');
      await page.addScriptTag({ path: RENDERER });
      await page.evaluate((json) => {
        // In the page: the renderer's global, and the DOM (this project's TypeScript has no DOM types).
        type Node = unknown;
        const g = globalThis as unknown as {
          AdaptiveCards: { AdaptiveCard: new () => { parse(j: unknown): void; render(): Node } };
          document: { getElementById(id: string): { appendChild(n: Node): void } };
        };
        const c = new g.AdaptiveCards.AdaptiveCard();
        c.parse(json);
        g.document.getElementById('card').appendChild(c.render());
      }, card);
      const shown = page.locator('#card');
      await shown.screenshot({ path: path.join(OUT, file) });
      return await shown.innerText();
    } finally {
      await page.close();
    }
  }

  const query = async (commandId: string, parameters: Record<string, string>) =>
    (await bot.invoke('composeExtension/query', { commandId, parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })), queryOptions: { skip: 0, count: 25 } }, { conversation: GROUP })).body as Answer;

  it('a service-request search, the chosen result as shared, and its link unfurled', async () => {
    const found = await query('serviceRequests', { query: 'licenses' });
    const hit = found.composeExtension.attachments!.find((a) => a.preview!.content.title.includes(SR.open.title))!;
    expect(await draw(hit.content, '01-service-request-result.png')).toContain(SR.open.title);

    const chosen = (await bot.invoke('composeExtension/selectItem', hit.preview!.content.tap.value, { conversation: GROUP })).body as Answer;
    const shared = chosen.composeExtension.attachments![0]!.content;
    const text = await draw(shared, '02-service-request-shared.png');
    expect(text).toMatch(/Open in Partner Ops/);
    expect(textOf(shared)).toMatch(/Read from Partner Center/);

    const unfurled = (await bot.invoke('composeExtension/queryLink', { url: `https://partner.microsoft.com/dashboard/support/servicerequests/${SR.open.id}` }, { conversation: GROUP })).body as Answer;
    const card = unfurled.composeExtension.attachments![0]!.content;
    expect(card.version).toBe('1.3');
    expect(await draw(card, '03-service-request-unfurled.png')).toContain(SR.open.title);
  });

  it('a customer search and a customer\'s subscriptions', async () => {
    const customers = await query('customers', { query: 'Fabrik' });
    expect(await draw(customers.composeExtension.attachments![0]!.content, '04-customer-result.png')).toContain(C.fabrikam.companyName);
    const subs = await query('subscriptions', { customer: C.fabrikam.domain });
    const first = subs.composeExtension.attachments![0]!;
    await draw(first.content, '05-subscription-result.png');
    const chosen = (await bot.invoke('composeExtension/selectItem', first.preview!.content.tap.value, { conversation: GROUP })).body as Answer;
    expect(await draw(chosen.composeExtension.attachments![0]!.content, '06-subscription-shared.png')).toMatch(/Open in Partner Ops/);
  });
});
