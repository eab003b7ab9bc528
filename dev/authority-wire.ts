/**
 * What the local authority says on the wire, apart from its state (authority.ts): its key material, the
 * sign-in page, Entra-shaped OAuth errors and claims challenges, JSON answers and form bodies.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generate } from 'selfsigned';
import type { Jwk } from '../src/util/jwt';

/** Form fields masked in the recorded token requests. */
export const SECRET_FIELDS = new Set(['client_secret', 'assertion', 'code', 'refresh_token', 'code_verifier']);

let material: Promise<{ pems: { private: string; cert: string }; signing: { privateKey: KeyObject; kid: string }; jwk: Jwk }> | undefined;

/** The TLS certificate and token-signing key: made once per process (making them takes a few hundred ms). */
export function keyMaterial() {
  material ??= (async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 3650 * 24 * 3600 * 1000),
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
    });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const jwk: Jwk = { ...(publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string }), kid, use: 'sig', alg: 'RS256' };
    return { pems, signing: { privateKey, kid }, jwk };
  })();
  return material;
}

/** Entra-shaped OAuth error. */
export const oauthError = (now: number, error: string, code: number, description: string, suberror?: string) => ({
  error,
  error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date(now).toISOString()}`,
  error_codes: [code],
  timestamp: new Date(now).toISOString(),
  ...(suberror ? { suberror } : {}),
});

/** Whether a claims challenge asks for MFA. */
export const wantsMfa = (claims?: string) => {
  if (!claims) return false;
  try {
    const c = JSON.parse(claims) as { access_token?: { amr?: { values?: string[] } } };
    return !!c.access_token?.amr?.values?.includes('mfa');
  } catch {
    return false;
  }
};

/** The page standing in for Entra's sign-in: pick a sandbox user, MFA and consent. */
export function signInPage(q: URLSearchParams, tenant: string, users: Iterable<{ oid: string; name: string; upn: string }>): string {
  const hint = q.get('login_hint') ?? '';
  const forceMfa = wantsMfa(q.get('claims') ?? undefined);
  const options = [...users]
    .map((u) => `<option value="${esc(u.oid)}"${u.oid === hint || u.upn === hint ? ' selected' : ''}>${esc(u.name)} (${esc(u.upn)})</option>`)
    .join('');
  const hidden = [...q.entries()].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sign in (Partner Ops sandbox)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:1rem 0}button{padding:.6rem 1.2rem}</style></head>
<body><h1>Sign in</h1><p>This is the Partner Ops <strong>sandbox</strong> sign-in page, standing in for Microsoft Entra ID. No real account is used.</p>
<form method="post" action="/${esc(tenant)}/oauth2/v2.0/authorize">${hidden}
<label>Account <select name="oid" required>${options}</select></label>
<label><input type="checkbox" name="mfa" value="1" checked${forceMfa ? ' disabled' : ''}> Multi-factor authentication${forceMfa ? ' (required)' : ''}</label>
${forceMfa ? '<input type="hidden" name="mfa" value="1">' : ''}
<label><input type="checkbox" name="consent" value="1" checked> Allow Partner Ops to use Partner Center as me</label>
<button type="submit">Sign in</button></form></body></html>`;
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new Error('request too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
