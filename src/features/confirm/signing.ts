/**
 * Confirmation cards carry the exact change the user is confirming. The payload is signed (HMAC-SHA256)
 * with an expiry, so a card edited in transit, or replayed long after, is refused instead of acted on.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../util/clock';

export interface Signed<T> {
  payload: T;
  exp: number;
  sig: string;
}

export class Signer {
  private readonly key: Buffer;
  constructor(
    key: string | undefined,
    private readonly clock: Clock,
    private readonly ttlMs = 30 * 60 * 1000,
  ) {
    // Without a configured key (local mode) a per-process key is used: confirmations then do not survive a restart.
    this.key = key ? Buffer.from(key, 'utf8') : randomBytes(32);
  }

  sign<T>(payload: T): Signed<T> {
    const exp = this.clock.now() + this.ttlMs;
    return { payload, exp, sig: this.mac(payload, exp) };
  }

  /** The payload when the signature matches and has not expired; undefined otherwise. */
  verify(value: unknown): unknown {
    const r = this.inspect(value);
    return r?.expired === false ? r.payload : undefined;
  }

  /**
   * The payload when the signature matches, and whether it has expired; undefined when this bot did not
   * sign it. So an old card can be told apart from an edited one ("expired" is the truth, "tampered" is not).
   */
  inspect(value: unknown): { payload: unknown; expired: boolean } | undefined {
    if (!value || typeof value !== 'object') return undefined;
    const { payload, exp, sig } = value as Partial<Signed<unknown>>;
    if (typeof exp !== 'number' || typeof sig !== 'string') return undefined;
    const expected = Buffer.from(this.mac(payload, exp));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return { payload, expired: exp < this.clock.now() };
  }

  private mac(payload: unknown, exp: number): string {
    return createHmac('sha256', this.key).update(`${exp}.${JSON.stringify(payload)}`).digest('base64url');
  }
}
