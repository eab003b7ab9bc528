/**
 * Real-browser harness: the real bot and embedded Partner Center sandbox (in this process, on a free
 * port), the real Microsoft 365 Agents Playground (a child process bound to 127.0.0.1, on another free
 * port, with the repo's .m365agentsplayground.yml), and Debian's Chromium driven by playwright-core.
 *
 * Artifacts of each suite go to test-results/browser/<suite>/ (or $BROWSER_TEST_RESULTS/<suite>/): numbered screenshots, the bot's log, the
 * Playground's log, and every WebSocket frame between the Playground UI and its server (the activities
 * the bot sent, as the client received them).
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging/logger';
import { startDev as start, type DevRunning as Running } from '../../dev/compose';
import { projectRoot } from '../../dev/paths';
import { startPlayground, type Playground } from '../../dev/playground';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Generous: a cold Chromium on a 2-core CI machine, plus the bot's background follow-ups. */
export const SETUP_TIMEOUT_MS = 120_000;
export const TEST_TIMEOUT_MS = 120_000;
export const UI_TIMEOUT_MS = 30_000;

export interface Stack {
  bot: Running;
  playground: Playground;
  context: BrowserContext;
  page: Page;
  artifacts: string;
  /** Saves test-results/browser/<suite>/NN-name.png and returns its path. */
  shot(name: string): Promise<string>;
  /** Runs a step; on failure saves a FAILED screenshot first, then rethrows. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** Appends to an artifact file; never fails a test (artifacts are for people, not assertions). */
export function artifact(dir: string, file: string, text: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, file), text);
  } catch {
    // ignore
  }
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM}, and it is not installed. ` +
        'Install it with `sudo apt-get install -y chromium` (CI does this in .ci/install-system-deps). ' +
        "Playwright's own browser download is not used.",
    );
  }
}

export async function startStack(suite: string): Promise<Stack> {
  requireChromium();
  const root = projectRoot();
  // BROWSER_TEST_RESULTS moves the artifacts (e.g. two runs at once on one checkout).
  const artifacts = join(process.env.BROWSER_TEST_RESULTS ?? join(root, 'test-results', 'browser'), suite);
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });

  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch {
        // keep cleaning up
      }
    }
  };

  try {
    const logger = createLogger({ level: 'debug', destination: pino.destination({ dest: join(artifacts, 'bot.log'), sync: true }) });
    // Fresh state for each suite: nothing left by an earlier run (watches, confirmations) changes what it sees.
    const dataDir = mkdtempSync(join(tmpdir(), 'partner-ops-browser-data-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const bot = await start(loadConfig({ PORT: '0', LOG_LEVEL: 'debug', DATA_DIR: dataDir }), logger);
    cleanups.push(() => bot.stop());

    const playground = await startPlayground({
      botEndpoint: `${bot.server.url}/api/messages`,
      port: 0,
      strictPort: true,
      cwd: root,
      configPath: join(root, '.m365agentsplayground.yml'),
      logFile: join(artifacts, 'playground.log'),
    });
    cleanups.push(() => playground.stop());

    const userDataDir = mkdtempSync(join(tmpdir(), 'partner-ops-chromium-'));
    cleanups.push(async () => rmSync(userDataDir, { recursive: true, force: true }));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
      locale: 'en-US',
      timeout: SETUP_TIMEOUT_MS,
    });
    cleanups.push(() => context.close());
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = context.pages()[0] ?? (await context.newPage());

    page.on('websocket', (ws) => {
      const log = (dir: string) => (f: { payload: string | Buffer }) => {
        const text = typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8');
        artifact(artifacts, 'websocket.log', `${new Date().toISOString()} ${dir} ${text.length > 8000 ? `${text.slice(0, 8000)}…` : text}\n`);
      };
      ws.on('framesent', log('>>'));
      ws.on('framereceived', log('<<'));
    });
    page.on('pageerror', (e) => artifact(artifacts, 'browser-console.log', `pageerror ${e.message}\n`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') artifact(artifacts, 'browser-console.log', `${m.type()} ${m.text()}\n`);
    });

    await page.goto(playground.url);
    await page.getByRole('treeitem').first().waitFor();

    let n = 0;
    const shot = async (name: string) => {
      const file = join(artifacts, `${String(++n).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file });
      return file;
    };
    const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        await shot(`FAILED-${name}`).catch(() => undefined);
        throw e;
      }
    };
    return { bot, playground, context, page, artifacts, shot, step, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// --- driving the Playground ------------------------------------------------------------------------------

/**
 * The bot's answers as cards. The welcome card the bot posts when a conversation is first opened (the
 * Playground sends an install event as it loads) arrives at its own moment, so it is not counted as one.
 */
export function cards(page: Page): Locator {
  return page.locator('.ac-adaptiveCard').filter({ hasNotText: 'Hello! I am Partner Ops' });
}

export function composer(page: Page): Locator {
  return page.locator('[contenteditable="true"]').first();
}

/** Opens a chat or channel from the left list by its visible text (a channel shows "Support" then the team name). */
export async function openChat(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('treeitem').filter({ hasText: text }).first().click();
  await composer(page).waitFor();
}

/** Types a message in the chat's composer, sends it, and returns the next card that appears. */
export async function sendAndWaitForCard(page: Page, text: string): Promise<Locator> {
  const before = await cards(page).count();
  const box = composer(page);
  await box.click();
  await box.pressSequentially(text);
  await page.getByRole('button', { name: 'Send Message' }).click();
  const card = cards(page).nth(before);
  await card.waitFor();
  return card;
}

/** Waits until the locator's text matches, returning every distinct text it showed on the way. */
export async function waitForText(
  locator: Locator,
  pattern: RegExp | ((text: string) => boolean),
  timeoutMs = UI_TIMEOUT_MS,
): Promise<string[]> {
  const matches = typeof pattern === 'function' ? pattern : (t: string) => pattern.test(t);
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await locator.innerText().catch(() => '');
    if (text && seen[seen.length - 1] !== text) seen.push(text);
    if (matches(text)) return seen;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${String(pattern)} in:\n${text || '(no text)'}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// --- activities in another language ------------------------------------------------------------------------

/**
 * The Playground's UI always sends `locale: "en-US"` (its activity generators hard-code it). Its "custom
 * activity" feature (the UI's "Mock an Activity" > "Custom activity", served as `GET /_internal/v1/
 * customActivities/template` and `POST /_internal/v1/customActivities`) sends an activity exactly as given:
 * that is how a message in another language reaches the bot. The bot's answers come back through the
 * Playground's connector and are rendered in the chat like any other (the message itself is not shown).
 */
export async function sendAsLocale(playground: Playground, conversationId: string, text: string, locale: string): Promise<void> {
  const template = await fetch(`${playground.url}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`);
  if (!template.ok) throw new Error(`the Playground refused a custom-activity template for ${conversationId}: ${template.status} ${await template.text()}`);
  const base = (await template.json()) as Record<string, unknown> & { from: Record<string, unknown> };
  const config = (await (await fetch(`${playground.url}/_internal/v1/config`)).json()) as { config: { currentUser: { name: string } } };
  const activity = {
    ...base,
    type: 'message',
    text,
    textFormat: 'plain',
    locale,
    from: { ...base.from, name: config.config.currentUser.name },
    entities: [{ type: 'clientInfo', locale, country: locale.split('-')[1], platform: 'Web', timezone: 'UTC' }],
  };
  const sent = await fetch(`${playground.url}/_internal/v1/customActivities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  if (!sent.ok) throw new Error(`the Playground refused the custom activity: ${sent.status} ${await sent.text()}`);
}

/** The personal chat's conversation id, from the Playground's configuration (.m365agentsplayground.yml). */
export async function personalChatId(playground: Playground): Promise<string> {
  const config = (await (await fetch(`${playground.url}/_internal/v1/config`)).json()) as { config: { personalChat: { id: string } } };
  return config.config.personalChat.id;
}
