/**
 * The Bot Framework channel's token issuer, on loopback: OpenID metadata and signing keys in the shape
 * botbuilder validates (JWKs with `endorsements`), and tokens as Teams would send them.
 */
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { signJwt, type Claims } from '../../src/util/jwt';

export interface ChannelIssuer {
  metadataUrl: string;
  issuer: string;
  /** A token signed with the key endorsed for msteams (or one endorsed only for webchat, or an unpublished one). */
  token(claims: Claims, key?: 'msteams' | 'webchat-only' | 'unpublished'): string;
  close(): Promise<void>;
}

function rsa(): { privateKey: KeyObject; kid: string; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return { privateKey, kid, jwk: { ...(publicKey.export({ format: 'jwk' }) as object), kid, use: 'sig', alg: 'RS256' } };
}

export async function startChannelIssuer(issuer = 'https://channel.local.test'): Promise<ChannelIssuer> {
  const teams = rsa();
  const webchat = rsa();
  const unpublished = rsa();
  let base = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openidconfiguration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/keys') {
      res.end(JSON.stringify({ keys: [{ ...teams.jwk, endorsements: ['msteams'] }, { ...webchat.jwk, endorsements: ['webchat'] }] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    metadataUrl: `${base}/.well-known/openidconfiguration`,
    issuer,
    token(claims, key = 'msteams') {
      const k = key === 'msteams' ? teams : key === 'webchat-only' ? webchat : unpublished;
      // An unpublished key signs under the msteams key's id: a forged signature.
      return signJwt(claims, { privateKey: k.privateKey, kid: key === 'unpublished' ? teams.kid : k.kid });
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
