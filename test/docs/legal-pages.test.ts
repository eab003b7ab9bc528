/**
 * /privacy and /terms: the pages the Teams manifest links (privacyUrl, termsOfUseUrl). The bot serves them
 * from legal/, the operator's files; a replaced file is what the page shows.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import restify from 'restify';
import { registerLegalPages } from '../../src/http/legal-pages';
import { captureLogs } from '../support/log-capture';
import { startTestBot, type TestBot } from '../support/teams';

const ROOT = join(__dirname, '../..');

describe('the privacy statement and terms of use', () => {
  let bot: TestBot;
  let base: string;
  beforeAll(async () => {
    bot = await startTestBot();
    base = bot.url.replace(/\/api\/messages$/, '');
  });
  afterAll(() => bot.close());

  it('are served by the bot at the paths the Teams manifest links, with the text of legal/', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'appPackage/manifest.json'), 'utf8')) as { developer: Record<string, string> };
    const links = { privacy: manifest.developer['privacyUrl']!, terms: manifest.developer['termsOfUseUrl']! };
    expect(links).toEqual({ privacy: 'https://${{BOT_DOMAIN}}/privacy', terms: 'https://${{BOT_DOMAIN}}/terms' });
    for (const [link, file] of [[links.privacy, 'privacy.html'], [links.terms, 'terms.html']] as const) {
      const res = await fetch(base + new URL(link.replace('${{BOT_DOMAIN}}', 'bot.example')).pathname);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toBe(readFileSync(join(ROOT, 'legal', file), 'utf8'));
      // The operator's HTML may style itself, never run a script.
      const policy = res.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toMatch(/script-src/);
    }
  });
});

describe('an operator replacing the pages', () => {
  it('gets their own file served, and a missing one is not served and is logged once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legal-'));
    writeFileSync(join(dir, 'privacy.html'), '<!doctype html><title>Contoso privacy</title><p>Contoso keeps nothing.</p>');
    const { logger, lines } = captureLogs('info');
    const server = restify.createServer({ name: '' });
    registerLegalPages(server, logger, dir);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    try {
      const privacy = await fetch(`${base}/privacy`);
      expect(privacy.status).toBe(200);
      expect(await privacy.text()).toBe('<!doctype html><title>Contoso privacy</title><p>Contoso keeps nothing.</p>');
      expect((await fetch(`${base}/terms`)).status).toBe(404);
      const warnings = lines().map((l) => JSON.parse(l) as { msg: string; route?: string; file?: string });
      expect(warnings.map((w) => [w.msg, w.route, w.file])).toEqual([['legal page not served: its file cannot be read', '/terms', join(dir, 'terms.html')]]);
    } finally {
      server.close();
    }
  });
});
