/**
 * The bot's own sign-in pages, for when Teams SSO cannot finish alone (consent, MFA): the OAuthCard's or
 * login request's button opens /auth/start, which sends the user to the authority (authorization code with
 * PKCE, via msal-node); /auth/callback redeems the code into the user's token cache and hands Teams a
 * one-time code (`signin/verifyState`), or shows it for typing in the chat where the page is not in Teams.
 * Works in Teams desktop, web and mobile: nothing here depends on a popup opener.
 *
 * Nobody unauthenticated can make these pages store anything: /auth/start checks the ticket's signature and
 * expiry and writes nothing (the round trip's state is signed, its PKCE verifier derived: see SignInFlow);
 * only a sign-in that succeeded, as the ticket's own user, writes (the token cache, the ticket marked used,
 * the one-time code).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type restify from 'restify';
import { resolveLocale, translator, type Translator } from '../i18n';
import { ExchangeError, type DelegatedIdentity } from '../identity/delegated';
import type { Logger } from '../logging/logger';
import type { SignInFlow } from '../teams/signin';

export interface SignInPagesOptions {
  flow: SignInFlow;
  identity: DelegatedIdentity;
  publicUrl: () => string;
  logger: Logger;
}

let teamsJs: string | undefined;
function teamsSdk(): string {
  // Served from our own origin: the page must not depend on a CDN.
  teamsJs ??= readFileSync(createRequire(__filename).resolve('@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js'), 'utf8');
  return teamsJs;
}

/**
 * What the pages may load and run: their own styles and scripts, marked with this response's nonce, and
 * teams.js from this origin (it may fetch Teams' list of valid origins from Microsoft's CDN). Nothing may
 * frame them: Teams opens them in a popup or the system browser.
 */
export function signInPagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self'",
    'connect-src https://res.cdn.office.net',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function page(tr: Translator, title: string, body: string, script = ''): (nonce: string) => string {
  return (nonce) => `<!doctype html><html lang="${tr.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(title)}</title>
<style nonce="${nonce}">body{font-family:system-ui,"Segoe UI",sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
.code{font:700 2rem/1 ui-monospace,monospace;letter-spacing:.3rem;padding:.8rem 1rem;background:#f3f2f1;border-radius:6px;display:inline-block}</style>
</head><body><h1>${esc(title)}</h1>${body}${script.replaceAll('<script', `<script nonce="${nonce}"`)}</body></html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function registerSignInPages(server: restify.Server, o: SignInPagesOptions): void {
  const html = (res: restify.Response, status: number, body: (nonce: string) => string) => {
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': signInPagePolicy(nonce),
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    res.end(body(nonce));
  };
  const redirectUri = () => `${o.publicUrl()}/auth/callback`;

  server.get('/auth/teams.js', (_req, res, next) => {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' });
    res.end(teamsSdk());
    next();
  });

  const expired = (tr: Translator) => page(tr, tr.t('page.expired.title'), `<p>${esc(tr.t('page.expired'))}</p>`);
  const used = (tr: Translator) => page(tr, tr.t('page.used.title'), `<p>${esc(tr.t('page.used'))}</p>`);

  server.get('/auth/start', async (req, res) => {
    const ticket = o.flow.readTicket(String(req.query?.ticket ?? ''));
    if (!ticket) {
      html(res, 400, expired(translator('en-US')));
      return;
    }
    if (await o.flow.ticketUsed(ticket)) {
      html(res, 400, used(translator(resolveLocale(ticket.locale))));
      return;
    }
    const { state, challenge } = o.flow.startState(ticket);
    const url = await o.identity.authCodeUrl({ redirectUri: redirectUri(), state, challenge, loginHint: ticket.oid });
    res.writeHead(302, { location: url, 'cache-control': 'no-store' });
    res.end();
  });

  server.get('/auth/callback', async (req, res) => {
    const q = (req.query ?? {}) as Record<string, string | undefined>;
    const rec = typeof q.state === 'string' ? o.flow.readState(q.state) : undefined;
    const tr = translator(resolveLocale(rec?.ticket.locale));
    if (!rec) {
      html(res, 400, expired(tr));
      return;
    }
    if (q.error || !q.code) {
      html(res, 400, page(tr, tr.t('page.failed.title'), `<p>${esc(tr.t('page.cancelled'))}</p>`));
      return;
    }
    const t = rec.ticket;
    if (await o.flow.ticketUsed(t)) {
      html(res, 400, used(tr));
      return;
    }
    const actor = { id: t.oid, tenantId: t.tid, name: t.name };
    try {
      // The account signed in at the authority must be the ticket's user, or nothing is kept (ExchangeError wrong-user).
      await o.identity.redeem(actor, { code: q.code, verifier: rec.verifier, redirectUri: redirectUri() });
    } catch (e) {
      const reason = e instanceof ExchangeError ? e.reason : 'unavailable';
      o.logger.warn({ reason }, 'sign-in page: code redemption failed');
      const message = reason === 'wrong-user' ? tr.t('page.wrongUser') : reason === 'mfa-required' ? tr.t('page.mfa') : tr.t('page.failed');
      html(res, 400, page(tr, tr.t('page.failed.title'), `<p>${esc(message)}</p>`));
      return;
    }
    // Used once it signed its own user in. Another tab of the same user finishing at the same moment signed
    // the same person in: it gets a code too, and nothing is said that is not so.
    await o.flow.useTicket(t);
    const code = await o.flow.issueCode(actor);
    const script = `<script src="/auth/teams.js"></script><script>
(function(){var code=${JSON.stringify(code)};
try{microsoftTeams.app.initialize().then(function(){microsoftTeams.authentication.notifySuccess(code);}).catch(function(){});}catch(e){}})();
</script>`;
    html(
      res,
      200,
      page(tr, tr.t('page.signedIn.title'), `<p>${esc(tr.t('page.signedIn', { name: t.name }))}</p><p>${esc(tr.t('page.typeCode'))}</p><p class="code" id="code">${code}</p>`, script),
    );
  });
}
