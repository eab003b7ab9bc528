/**
 * `npm run screenshots`: pictures of the answer cards, as the Agents Playground (Teams' card renderer) shows
 * them, for the documentation (docs/screenshots/, linked from the README).
 *
 * It starts what `npm start` starts, with no deployment configured: the bot through the development
 * composition (production's start() against the embedded Partner Center sandbox and the local token
 * authority), then the real Microsoft 365 Agents Playground pointed at it, bound to 127.0.0.1; a fresh data
 * directory, so no watch or cache of an earlier run shows. It drives Debian's Chromium headless
 * (playwright-core, the same arguments as test/browser/), types each command of SHOTS in its chat, waits for
 * the finished card (a long read first shows its progress), and saves that card alone as a PNG.
 *
 * To add a command: one entry in SHOTS. `npm run screenshots -- renewals windows` takes only the named files.
 * The sandbox's dates are relative to today, so a run on another day shows other dates; nothing else changes.
 */
// First: silences restify's DEP0111 before the imports below load it (as dev/start.ts).
import '../src/logging/warnings';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Locator, type Page } from 'playwright-core';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging/logger';
import { startDev, type DevRunning } from '../dev/compose';
import { projectRoot } from '../dev/paths';
import { startPlayground, type Playground } from '../dev/playground';

/** One picture: a command typed in a chat, and (optionally) a button pressed on its card. */
export interface Shot {
  /** docs/screenshots/<file>.png */
  file: string;
  /** The chat it is typed in, as the Playground's left list names it (.m365agentsplayground.yml). */
  chat?: 'Personal Chat' | 'Litware support desk' | 'Support';
  /** What the person types (in a group chat or channel the bot is @mentioned first, as there it hears only that). */
  say: string;
  /** The card is finished when its text matches (a long read shows progress first). */
  done: RegExp;
  /** A button of that card to press; the card it becomes (Action.Execute answers in place) is the one saved. */
  press?: { button: string | RegExp; done: RegExp };
  /** A card the bot posts later by itself (the notifier's digest or a reminder), saved as docs/screenshots/<file>.png too. */
  then?: { file: string; done: RegExp; prepare?: (bot: DevRunning) => Promise<void> };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A digest set now first posts at tomorrow's hour (src/notifications/digest-schedule.ts); for its picture the one just
 * set is dated a day earlier, so today's hour (this run's DIGEST_HOUR_UTC) is already due and the next cycle posts it.
 */
async function digestSetYesterday(bot: DevRunning): Promise<void> {
  for (const w of await bot.watches.all()) {
    if (w.kind === 'deadlines') await bot.watches.patch(w.id, (cur) => ({ ...cur, createdAt: cur.createdAt - DAY_MS }));
  }
}

const FINISHED_DEADLINES = /Read from Partner Center on/;
const CONFIRM = /(^|\n)Confirm(\n|$)/;

export const SHOTS: readonly Shot[] = [
  { file: 'renewals', say: 'renewals', done: FINISHED_DEADLINES },
  { file: 'renewals-customer', say: 'renewals Contoso Hotels', done: FINISHED_DEADLINES },
  { file: 'windows', say: 'windows', done: FINISHED_DEADLINES },
  { file: 'activity', say: 'activity', done: /Partner Center's record of what/ },
  { file: 'webhooks', say: 'webhooks', done: /Events on offer/ },
  {
    file: 'renewals-autorenew-off-confirmation',
    say: 'renewals Contoso Hotels',
    done: FINISHED_DEADLINES,
    press: { button: 'Turn auto-renew off', done: /(^|\n)Confirm(\n|$)/ },
  },
  // Issue 20's cards on Contoso Hotels (dev/sandbox/seed.ts): 7a9c… renews in 25 days with 18 seats scheduled (20 today),
  // 5e7a… renews in 10 days with nothing scheduled, 6f8b… has auto-renew off.
  { file: 'sub-at-renewal', say: 'sub contosohotels.onmicrosoft.com 7a9c1e3d-5f7b-4c9e-9a3d-5f7b9c1e3a5d', done: /At renewal/ },
  { file: 'sub-next-confirmation', say: 'sub next contosohotels.onmicrosoft.com 5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b quantity=25', done: CONFIRM },
  {
    file: 'sub-next-done',
    say: 'sub next contosohotels.onmicrosoft.com 5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b quantity=25',
    done: CONFIRM,
    press: { button: 'Confirm', done: /At renewal/ },
  },
  { file: 'sub-set-deletes-scheduled', say: 'sub set contosohotels.onmicrosoft.com 7a9c1e3d-5f7b-4c9e-9a3d-5f7b9c1e3a5d quantity=22', done: CONFIRM },
  { file: 'sub-next-autorenew-off', say: 'sub next contosohotels.onmicrosoft.com 6f8b0d2c-4e6a-4b8d-8f2c-4e6a8b0d2f4c quantity=10', done: /auto-renew/i },
  // The digest is set in a channel (the bot is @mentioned there), then dated a day earlier so that it is due now; 14 days
  // ahead, so that it lists Contoso Hotels' renewals too.
  { file: 'watch-deadlines', chat: 'Support', say: 'watch deadlines 14', done: /unwatch/, then: { file: 'digest', done: /Deadlines on/, prepare: digestSetYesterday } },
  // Wingtip's 8b0d… was bought 6 days 4 hours ago: its seat window closes in 20 hours, inside REMINDER_WINDOW_LEAD_HOURS.
  { file: 'watch-subs-wingtip', say: 'watch subs wingtiptoys.onmicrosoft.com', done: /unwatch/, then: { file: 'reminder-window', done: /A reminder from watch[\s\S]*can still be removed|can still be removed[\s\S]*A reminder from watch/ } },
  // Contoso Hotels' 5e7a… renews in 10 days: this run's REMINDER_RENEWAL_LEAD_DAYS is 11 so that it is reminded of.
  { file: 'watch-subs-hotels', say: 'watch subs contosohotels.onmicrosoft.com', done: /unwatch/, then: { file: 'reminder-renewal', done: /Renews in[\s\S]*A reminder from watch/ } },
];

/**
 * The notifier's settings for this run, so that the digest and reminders post within a shot's wait: the digest's hour
 * is this hour (see digestSetYesterday), a cycle every 3 s, and a renewal reminder 11 days ahead (the seed's nearest auto-renewing term ends in 10).
 */
const NOTIFIER_NOW = {
  DIGEST_HOUR_UTC: String(new Date().getUTCHours()),
  NOTIFY_INTERVAL_MS: '3000',
  NOTIFY_LEASE_MS: '10000',
  REMINDER_RENEWAL_LEAD_DAYS: '11',
};

const CHROMIUM = '/usr/bin/chromium';
/** As test/browser/harness.ts: headless, offline, a fresh profile (STACK.md). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const UI_TIMEOUT_MS = 60_000;

/** The bot's answers as cards; the welcome card it posts when a chat first opens is not an answer. */
const answerCards = (page: Page) => page.locator('.ac-adaptiveCard').filter({ hasNotText: 'Hello! I am Partner Ops' });

async function waitForText(card: Locator, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  for (;;) {
    const text = await card.innerText().catch(() => '');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`no card matching ${pattern} within ${UI_TIMEOUT_MS / 1000} s; the card read:\n${text || '(nothing)'}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** How each chat shows in the left list: "Support" alone would also match "Litware support desk". */
const CHAT_ITEMS: Record<NonNullable<Shot['chat']>, RegExp> = {
  'Personal Chat': /Personal Chat/,
  'Litware support desk': /Litware support desk/,
  Support: /Support\s*Litware CSP Operations/,
};

async function openChat(page: Page, chat: NonNullable<Shot['chat']>): Promise<void> {
  await page.getByRole('treeitem').filter({ hasText: CHAT_ITEMS[chat] }).first().click();
  await page.locator('[contenteditable="true"]').first().waitFor();
}

/** Types the command (after an @mention outside the personal chat), sends it and returns the card that answers. */
async function say(page: Page, chat: NonNullable<Shot['chat']>, text: string): Promise<Locator> {
  const before = await answerCards(page).count();
  const box = page.locator('[contenteditable="true"]').first();
  await box.click();
  if (chat !== 'Personal Chat') {
    await box.pressSequentially('@');
    await page.getByRole('menuitem', { name: 'Partner Ops' }).click();
    await box.pressSequentially(' ');
  }
  await box.pressSequentially(text);
  await page.getByRole('button', { name: chat === 'Support' ? 'Post' : 'Send Message' }).click();
  const card = answerCards(page).nth(before);
  await card.waitFor({ timeout: UI_TIMEOUT_MS });
  return card;
}

/** Marks the cards the page shows now, so that laterCard looks only at the ones that come after. */
async function markShown(page: Page): Promise<void> {
  // A string: the script is type-checked without the DOM's types.
  await page.evaluate(`document.querySelectorAll('.ac-adaptiveCard').forEach((e) => e.setAttribute('data-shot-seen', ''))`);
}

/**
 * The card the bot posts by itself, later (notifications are not answers): the first new one that matches. In a
 * channel a new post shows above the older ones, so it is looked for among every card not marked as shown before.
 */
async function laterCard(page: Page, pattern: RegExp): Promise<Locator> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  for (;;) {
    const cards = answerCards(page).and(page.locator(':not([data-shot-seen])'));
    const count = await cards.count();
    for (let i = 0; i < count; i++) {
      const text = await cards.nth(i).innerText().catch(() => '');
      if (pattern.test(text)) return cards.nth(i);
    }
    if (Date.now() > deadline) throw new Error(`no later card matching ${pattern} within ${UI_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function save(page: Page, card: Locator, dir: string, name: string): Promise<string> {
  // Let the renderer finish laying out (images, wrapped text) before the picture.
  await page.waitForTimeout(300);
  const file = join(dir, `${name}.png`);
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: file, animations: 'disabled' });
  return file;
}

async function take(page: Page, bot: DevRunning, shot: Shot, dir: string): Promise<string[]> {
  const chat = shot.chat ?? 'Personal Chat';
  await openChat(page, chat);
  if (shot.then) await markShown(page);
  const card = await say(page, chat, shot.say);
  await waitForText(card, shot.done);
  if (shot.press) {
    await card.getByRole('button', { name: shot.press.button }).first().click();
    await waitForText(card, shot.press.done);
  }
  const files = [await save(page, card, dir, shot.file)];
  if (shot.then) await shot.then.prepare?.(bot);
  if (shot.then) files.push(await save(page, await laterCard(page, shot.then.done), dir, shot.then.file));
  return files;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const shots = wanted.length ? SHOTS.filter((s) => wanted.includes(s.file)) : SHOTS;
  const unknown = wanted.filter((w) => !SHOTS.some((s) => s.file === w));
  if (unknown.length) throw new Error(`no such screenshot: ${unknown.join(', ')} (known: ${SHOTS.map((s) => s.file).join(', ')})`);

  const root = projectRoot();
  const out = join(root, 'docs', 'screenshots');
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'partner-ops-screenshots-'));
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(work, { recursive: true, force: true })];
  try {
    // The bot's and the Playground's logs go to files: the terminal shows only what was saved.
    const logger = createLogger({ level: 'info', destination: pino.destination({ dest: join(work, 'bot.log'), sync: true }) });
    const bot: DevRunning = await startDev(loadConfig({ PORT: '0', LOG_LEVEL: 'info', DATA_DIR: join(work, 'data'), ...NOTIFIER_NOW }), logger);
    cleanups.push(() => bot.stop());
    const playground: Playground = await startPlayground({ botEndpoint: `${bot.server.url}/api/messages`, port: 0, cwd: root, logFile: join(work, 'playground.log') });
    cleanups.push(() => playground.stop());
    const context = await chromium.launchPersistentContext(join(work, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      // Tall enough for a full page of renewals; one device pixel per CSS pixel keeps each PNG small.
      viewport: { width: 1280, height: 1800 },
      deviceScaleFactor: 1,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    cleanups.push(() => context.close());
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(playground.url);
    await page.getByRole('treeitem').first().waitFor();

    for (const shot of shots) {
      try {
        for (const file of await take(page, bot, shot, out)) {
          process.stdout.write(`saved ${file.slice(root.length + 1)} (${Math.round(statSync(file).size / 1024)} KB): ${shot.say}${shot.press ? ` → ${String(shot.press.button)}` : ''}\n`);
        }
      } catch (e) {
        await page.screenshot({ path: join(work, `FAILED-${shot.file}.png`) }).catch(() => undefined);
        throw new Error(`${shot.file}: ${e instanceof Error ? e.message : String(e)}\n(the page as it was, the bot's and the Playground's logs: ${work}, kept)`);
      }
    }
  } catch (e) {
    cleanups.shift(); // keep the logs of a failed run
    throw e;
  } finally {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`screenshots: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
