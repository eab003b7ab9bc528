/**
 * The privacy statement and the terms of use that the Teams app manifest links (`https://{BOT_DOMAIN}/privacy`
 * and `/terms`), which Teams shows in the app's details before anyone adds it.
 *
 * Their text is the operator's, not the product's: each page is a file in the project's `legal/` folder
 * (`legal/privacy.html`, `legal/terms.html`), served as it is. The repository ships a starting text that
 * says what the bot does with data; the operator replaces the files before building the image or the zip
 * (docs/going-live.md). That is why the words are not in the i18n catalogs.
 *
 * The files are read once, at start: the pages are public, so no request reaches the disk. A missing file is
 * logged once and its route is not served (restify's fixed 404).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type restify from 'restify';
import type { Logger } from '../logging/logger';

/** Route → file in the legal folder. The routes are the manifest's privacyUrl and termsOfUseUrl. */
export const LEGAL_PAGES: Readonly<Record<string, string>> = Object.freeze({ '/privacy': 'privacy.html', '/terms': 'terms.html' });

/**
 * The operator's HTML may carry a <style> block and images; it never needs a script, a form or a frame, so
 * those stay forbidden even when the text is replaced.
 */
export const LEGAL_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** `legal/` beside package.json: the same root cards/ is found from, in the checkout, the zip and the image. */
export function defaultLegalDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json) above ' + __dirname);
    dir = up;
  }
  return join(dir, 'legal');
}

export function registerLegalPages(server: restify.Server, logger: Logger, dir: string = defaultLegalDir()): void {
  for (const [route, file] of Object.entries(LEGAL_PAGES)) {
    const path = join(dir, file);
    let page: Buffer;
    try {
      page = readFileSync(path);
    } catch (e) {
      logger.warn({ route, file: path, code: (e as NodeJS.ErrnoException).code }, 'legal page not served: its file cannot be read');
      continue;
    }
    server.get(route, (_req, res, next) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': String(page.length),
        'content-security-policy': LEGAL_PAGE_POLICY,
        'cache-control': 'public, max-age=3600',
      });
      res.end(page);
      return next();
    });
  }
}
