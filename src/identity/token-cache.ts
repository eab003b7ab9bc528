/**
 * msal-node's token cache, persisted in the bot's storage: one partition per user (so a token can only
 * ever be found for the user it was issued to), encrypted at rest with AES-256-GCM under a key from
 * configuration, and shared by every instance that shares the storage.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { KeyValueStore } from '../storage';

interface Sealed {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

export class CacheCipher {
  private readonly key: Buffer;
  /** Any secret string; the AES key is its SHA-256. */
  constructor(secret: string) {
    this.key = createHash('sha256').update(`partner-ops token cache:${secret}`).digest();
  }

  seal(plain: string, aad: string): Sealed {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad));
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return { v: 1, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  /** The plaintext, or undefined when the record was not sealed with this key for this partition. */
  open(s: Sealed, aad: string): string | undefined {
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(s.iv, 'base64'));
      d.setAAD(Buffer.from(aad));
      d.setAuthTag(Buffer.from(s.tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

export function cacheKey(tenantId: string, userId: string): string {
  return `tokens/${tenantId}/${userId}`;
}

/** The cache plugin for one user's partition. */
export function userCachePlugin(store: KeyValueStore, cipher: CacheCipher, key: string): ICachePlugin {
  return {
    async beforeCacheAccess(ctx: TokenCacheContext) {
      const rec = await store.get<Sealed>(key);
      const plain = rec ? cipher.open(rec.value, key) : undefined;
      // A record sealed under another key (rotated secret) or for another partition is unusable: start empty.
      ctx.tokenCache.deserialize(plain ?? '{}');
    },
    async afterCacheAccess(ctx: TokenCacheContext) {
      if (!ctx.cacheHasChanged) return;
      await store.put(key, cipher.seal(ctx.tokenCache.serialize(), key));
    },
  };
}
